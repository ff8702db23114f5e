#include "serve/recommendation_csv.h"

#include <cstdio>

#include "core/atomic_file.h"
#include "data/dataset.h"
#include "serve/csv_field.h"

namespace towerrec {

RecommendationCsv::RecommendationCsv(const std::string& path, const Dataset& data, bool titles)
    : file_(std::make_unique<AtomicFile>(path)), data_(data), titles_(titles) {
  file_->stream() << (titles ? "user_id,rank,item_id,score,title\n"
                             : "user_id,rank,item_id,score\n");
}

RecommendationCsv::~RecommendationCsv() = default;

void RecommendationCsv::write(int32_t user, const int64_t* items, const float* scores,
                              int64_t found) {
  write_id(data_.users.id(user), items, scores, found);
}

void RecommendationCsv::write_id(int64_t user_id, const int64_t* items, const float* scores,
                                 int64_t found) {
  char line[96];
  const long long uid = static_cast<long long>(user_id);
  buf_.clear();
  for (int64_t j = 0; j < found; ++j) {
    const auto item = static_cast<int32_t>(items[j]);
    const int n =
        std::snprintf(line, sizeof line, "%lld,%lld,%lld,%.6g", uid, static_cast<long long>(j + 1),
                      static_cast<long long>(data_.items.id(item)), static_cast<double>(scores[j]));
    buf_.append(line, static_cast<size_t>(n));
    if (titles_) {
      buf_.push_back(',');
      if (static_cast<size_t>(item) < data_.item_meta.title.size())
        append_csv_field(buf_, data_.item_meta.title[static_cast<size_t>(item)]);
    }
    buf_.push_back('\n');
  }
  file_->stream() << buf_;
  rows_ += found;
}

void RecommendationCsv::commit() { file_->commit(); }

}  // namespace towerrec
