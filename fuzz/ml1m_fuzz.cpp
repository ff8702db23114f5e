// MovieLens 1M: the '::'-separated ratings.dat, movies.dat and users.dat, one fuzzed per input.
#include "config/options.h"
#include "data/dataset.h"
#include "data/ml1m_reader.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::ml1m_fuzz {

const FileSet kFiles{{
    {"ratings.dat", "1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n"},
    {"movies.dat",
     "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n"
     "3::Caf\xe9 (1996)::Drama\n"},
    {"users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n"},
}};

void run(std::string_view input) {
  const uint8_t flags = kFiles.set(input);
  DataOptions opts;
  opts.rating_min = 1;
  if (flags & 1) opts.duplicates = DuplicatePolicy::kError;
  check_dataset(read_ml1m(scratch_dir(), opts));
}

}  // namespace towerrec::fuzz::ml1m_fuzz

TOWERREC_FUZZ_TARGET(ml1m, towerrec::fuzz::ml1m_fuzz::run)
