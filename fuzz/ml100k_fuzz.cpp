// MovieLens 100K: u.data, u.item, u.user and u.genre, one of them fuzzed per input.
#include "config/options.h"
#include "data/dataset.h"
#include "data/ml100k_reader.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::ml100k_fuzz {

const FileSet kFiles{{
    {"u.data", "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t878542960\n"},
    {"u.item",
     "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
     "2|GoldenEye (1995)|1-Jan-1995||http://y|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n"
     "3|Caf\xe9 (1996)|||http://z|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"},
    {"u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n"},
    {"u.genre",
     "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\n"
     "Documentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\n"
     "Romance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n"},
}};

void run(std::string_view input) {
  const uint8_t flags = kFiles.set(input);
  DataOptions opts;
  opts.rating_min = 1;
  if (flags & 1) opts.duplicates = DuplicatePolicy::kError;
  check_dataset(read_ml100k(scratch_dir(), opts));
}

}  // namespace towerrec::fuzz::ml100k_fuzz

TOWERREC_FUZZ_TARGET(ml100k, towerrec::fuzz::ml100k_fuzz::run)
