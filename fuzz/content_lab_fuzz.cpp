// The content-based course lab's CSV files (data/content_lab.h), one fuzzed per input. Flag bit 1
// reads the raw matrices instead of the Dataset; bit 2 drops the optional content_movie_list.csv so
// the catalogue comes from content_item_vecs.csv.
#include "config/options.h"
#include "core/error.h"
#include "data/content_lab.h"
#include "data/dataset.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::content_lab_fuzz {

const FileSet kFiles{{
    {"content_user_train_header.txt", "user id,rating count,rating ave,Action,Drama\n"},
    {"content_item_train_header.txt", "movie id,year,ave rating,Action,Drama\n"},
    {"content_user_train.csv", "2,3,4.0,4.5,3.5\n2,3,4.0,4.5,3.5\n7,1,3.0,0,3.0\n"},
    {"content_item_train.csv", "6874,2003,4.0,1,0\n8798,2004,3.8,1,1\n6874,2003,4.0,1,0\n"},
    {"content_y_train.csv", "4.0\n3.5\n0.5\n"},
    {"content_item_vecs.csv", "6874,2003,4.0,1,0\n8798,2004,3.8,1,1\n"},
    {"content_movie_list.csv",
     "movieId,title,genres\n6874,Kill Bill: Vol. 1 (2003),Action|Crime\n8798,Collateral (2004),"
     "Action|Drama\n"},
}};

void run(std::string_view input) {
  const uint8_t flags = kFiles.set(input);
  if (flags & 2) remove_scratch("content_movie_list.csv");
  if (flags & 1) {
    const ContentLab lab = read_content_lab(scratch_dir());
    TOWERREC_CHECK(lab.user_train.rows == lab.item_train.rows);
    TOWERREC_CHECK(static_cast<int64_t>(lab.y_train.size()) == lab.user_train.rows);
    TOWERREC_CHECK(lab.user_train.cols() > ContentLab::kUserFirstFeature);
    TOWERREC_CHECK(lab.item_vecs.cols() == lab.item_train.cols());
  } else {
    check_dataset(read_content_lab_dataset(scratch_dir(), DataOptions()));
  }
}

}  // namespace towerrec::fuzz::content_lab_fuzz

TOWERREC_FUZZ_TARGET(content_lab, towerrec::fuzz::content_lab_fuzz::run)
