// The collaborative-filtering course lab's matrices (data/cf_lab.h), one file fuzzed per input.
// Flag bit 1 reads the Dataset instead of the raw matrices; bit 2 drops the optional title list.
#include "config/options.h"
#include "core/error.h"
#include "data/cf_lab.h"
#include "data/dataset.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::cf_lab_fuzz {

const FileSet kFiles{{
    {"small_movies_Y.csv", "5,0\n0,3.5\n4,4\n"},
    {"small_movies_R.csv", "1,0\n0,1\n1,1\n"},
    {"small_movies_X.csv", "0.1,0.2\n0.3,0.4\n0.5,0.6\n"},
    {"small_movies_W.csv", "1,2\n3,4\n"},
    {"small_movies_b.csv", "0.5,-0.5\n"},
    {"small_movie_list.csv",
     ",mean rating,number of ratings,title\n0,5.0,1,Toy Story (1995)\n1,3.5,1,\"Heat, The "
     "(1995)\"\n2,4.0,2,Untitled\n"},
}};

void run(std::string_view input) {
  const uint8_t flags = kFiles.set(input);
  if (flags & 2) remove_scratch("small_movie_list.csv");
  if (flags & 1) {
    check_dataset(read_cf_lab_dataset(scratch_dir(), DataOptions()));
  } else {
    const CfLab lab = read_cf_lab(scratch_dir());
    TOWERREC_CHECK(lab.R.rows() == lab.Y.rows() && lab.R.cols() == lab.Y.cols());
    TOWERREC_CHECK(lab.X.rows() == lab.Y.rows() && lab.W.rows() == lab.Y.cols());
    TOWERREC_CHECK(lab.W.cols() == lab.X.cols() && lab.b.cols() == lab.Y.cols());
    TOWERREC_CHECK(lab.titles.empty() || static_cast<int64_t>(lab.titles.size()) == lab.Y.rows());
  }
}

}  // namespace towerrec::fuzz::cf_lab_fuzz

TOWERREC_FUZZ_TARGET(cf_lab, towerrec::fuzz::cf_lab_fuzz::run)
