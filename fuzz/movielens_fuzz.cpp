// MovieLens "latest" layout: ratings.csv, movies.csv and users.csv, one of them fuzzed per input.
#include "config/options.h"
#include "data/dataset.h"
#include "data/movielens_reader.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::movielens_fuzz {

const FileSet kFiles{{
    {"ratings.csv",
     "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964982224\n2,1,5,964983815\n"
     "2,3,0.5,964982931\n"},
    {"movies.csv",
     "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,\"Heat, The (1995)\",Action\n"
     "3,Untitled,(no genres listed)\n"},
    {"users.csv", "userId,age,gender\n1,25,F\n2,,M\n"},
}};

void run(std::string_view input) {
  const uint8_t flags = kFiles.set(input);
  DataOptions opts;
  if (flags & 1) opts.duplicates = DuplicatePolicy::kError;
  check_dataset(read_movielens(scratch_dir(), opts));
}

}  // namespace towerrec::fuzz::movielens_fuzz

TOWERREC_FUZZ_TARGET(movielens, towerrec::fuzz::movielens_fuzz::run)
