#include "data/synthetic_generator.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/alias_table.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"

namespace towerrec {
namespace {

constexpr uint64_t kRatingsDomain = 5;          // after the model's domains (synthetic_model.cpp)
constexpr int64_t kFirstTimestamp = 946684800;  // 2000-01-01
constexpr int64_t kStartWindow = 20 * 365 * 86400;  // users join over twenty years
constexpr double kMeanActivityDays = 200;           // a user's ratings spread over ~200 days
constexpr double kCountSigma = 0.8;                 // log-normal spread of ratings per user
constexpr size_t kBufferBytes = 1 << 20;

// Appends to a buffer and hands it to the file in large blocks: 25M rating lines cost one write
// per megabyte, not one formatted stream insertion per field.
class BufferedWriter {
 public:
  explicit BufferedWriter(AtomicFile& file) : file_(file) { buf_.reserve(kBufferBytes + 256); }
  ~BufferedWriter() = default;
  void str(const std::string& s) {
    buf_ += s;
    maybe_flush();
  }
  void ch(char c) { buf_ += c; }
  void integer(int64_t v) {
    char tmp[24];
    buf_.append(tmp, std::to_chars(tmp, tmp + sizeof tmp, v).ptr);
  }
  // A half-star rating given as twice its value (1..10): "0.5" .. "5.0".
  void half_stars(int twice) {
    buf_ += static_cast<char>('0' + twice / 2);
    buf_ += '.';
    buf_ += (twice % 2) ? '5' : '0';
  }
  void end_line() {
    buf_ += '\n';
    maybe_flush();
  }
  void flush() {
    file_.stream().write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  void maybe_flush() {
    if (buf_.size() >= kBufferBytes) flush();
  }
  AtomicFile& file_;
  std::string buf_;
};

// movies.csv: movieId,title,genres.
void write_synthetic_movies(const std::string& dir, const SyntheticModel& model) {
  AtomicFile file(dir + "/movies.csv", /*binary=*/true);
  BufferedWriter w(file);
  w.str("movieId,title,genres");
  w.end_line();
  const auto& names = model.genre_names();
  for (int32_t i = 0; i < model.num_items(); ++i) {
    w.integer(i + 1);
    w.str(",Item ");
    w.integer(i + 1);
    w.str(" (");
    w.integer(model.year(i));
    w.str("),");
    const uint64_t mask = model.genres(i);
    if (mask == 0) w.str("(no genres listed)");
    bool first = true;
    for (size_t g = 0; g < names.size(); ++g) {
      if (!(mask >> g & 1)) continue;
      if (!first) w.ch('|');
      w.str(names[g]);
      first = false;
    }
    w.end_line();
  }
  w.flush();
  file.commit();
}

// users.csv: userId,age,gender,occupation.
void write_synthetic_users(const std::string& dir, const SyntheticModel& model) {
  AtomicFile file(dir + "/users.csv", /*binary=*/true);
  BufferedWriter w(file);
  w.str("userId,age,gender,occupation");
  w.end_line();
  for (int32_t u = 0; u < model.num_users(); ++u) {
    w.integer(u + 1);
    w.ch(',');
    w.integer(model.age(u));
    w.ch(',');
    w.str(model.gender(u));
    w.ch(',');
    w.str(model.occupation(u));
    w.end_line();
  }
  w.flush();
  file.commit();
}

// synthetic.json: the options used and the counts.
void write_synthetic_provenance(const std::string& dir, const SyntheticOptions& opts,
                                const SyntheticSummary& summary) {
  nlohmann::ordered_json meta;
  meta["generator"] = "towerrec generate";
  meta["options"] = {{"users", opts.users},
                     {"items", opts.items},
                     {"ratings_per_user", opts.ratings_per_user},
                     {"genres", opts.genres},
                     {"latent_dim", opts.latent_dim},
                     {"noise", opts.noise},
                     {"zipf", opts.zipf},
                     {"personal", opts.personal},
                     {"genre_affinity", opts.genre_affinity},
                     {"seed", opts.seed}};
  meta["counts"] = {{"users", summary.users},
                    {"items", summary.items},
                    {"ratings", summary.ratings},
                    {"mean_rating", summary.mean_rating}};
  write_file_atomic(dir + "/synthetic.json", meta.dump(2) + "\n");
}

}  // namespace

// Draws a user's items without replacement. The tables are immutable; per-draw state lives in
// Scratch, so one sampler serves every user.
class SyntheticGenerator::ItemSampler {
 public:
  struct Scratch {
    std::vector<uint32_t> stamp;  // stamp[i] == epoch: item i already drawn for the current user
    uint32_t epoch = 0;
    std::vector<double> genre_cum;
    std::vector<std::pair<double, int32_t>> keys;  // fallback sampler
  };

  explicit ItemSampler(const SyntheticModel& model) : model_(model) {
    global_ = AliasTable(model.popularity());
    const size_t num_genres = model.genre_names().size();
    genre_items_.resize(num_genres);
    for (int32_t i = 0; i < model.num_items(); ++i)
      for (size_t g = 0; g < num_genres; ++g)
        if (model.genres(i) >> g & 1) genre_items_[g].push_back(i);
    genre_tables_.resize(num_genres);
    for (size_t g = 0; g < num_genres; ++g) {
      if (genre_items_[g].empty()) continue;
      std::vector<double> w;
      w.reserve(genre_items_[g].size());
      for (int32_t i : genre_items_[g]) w.push_back(model.popularity(i));
      genre_tables_[g] = AliasTable(w);
    }
  }

  // Appends `count` distinct items (count <= num_items) to `out`, in draw order.
  void sample(int32_t user, size_t count, double genre_affinity, Rng& rng, Scratch& s,
              std::vector<int32_t>& out) const {
    const size_t items = static_cast<size_t>(model_.num_items());
    if (s.stamp.size() != items) s.stamp.assign(items, 0);
    if (++s.epoch == 0) {  // wrapped: forget every old stamp
      std::fill(s.stamp.begin(), s.stamp.end(), 0);
      s.epoch = 1;
    }
    out.clear();
    // Rejection of repeats is cheap while the user takes a small part of the catalogue; a user who
    // takes most of it (or keeps hitting taken items) is finished by the exact O(items) sampler.
    if (2 * count <= items) {
      const bool by_genre = genre_affinity > 0 && prepare_genres(user, s);
      const size_t limit = 16 * count + 1000;
      for (size_t attempt = 0; attempt < limit && out.size() < count; ++attempt) {
        int32_t i;
        if (by_genre && rng.uniform() < genre_affinity) {
          const double x = rng.uniform() * s.genre_cum.back();
          size_t g = static_cast<size_t>(
              std::upper_bound(s.genre_cum.begin(), s.genre_cum.end(), x) - s.genre_cum.begin());
          g = std::min(g, s.genre_cum.size() - 1);
          i = genre_items_[g][genre_tables_[g].sample(rng)];
        } else {
          i = static_cast<int32_t>(global_.sample(rng));
        }
        if (s.stamp[static_cast<size_t>(i)] == s.epoch) continue;
        s.stamp[static_cast<size_t>(i)] = s.epoch;
        out.push_back(i);
      }
    }
    if (out.size() < count) fill_exact(count - out.size(), rng, s, out);
  }

 private:
  // Cumulative genre preferences of `user` (0 for genres without items). False if all are 0.
  bool prepare_genres(int32_t user, Scratch& s) const {
    s.genre_cum.resize(genre_items_.size());
    double sum = 0;
    for (size_t g = 0; g < genre_items_.size(); ++g) {
      if (!genre_items_[g].empty()) sum += model_.genre_preference(user, static_cast<int32_t>(g));
      s.genre_cum[g] = sum;
    }
    return sum > 0;
  }

  // Efraimidis-Spirakis: the `need` untaken items with the largest log(U)/weight are a weighted
  // sample without replacement from the untaken items.
  void fill_exact(size_t need, Rng& rng, Scratch& s, std::vector<int32_t>& out) const {
    s.keys.clear();
    for (int32_t i = 0; i < model_.num_items(); ++i) {
      if (s.stamp[static_cast<size_t>(i)] == s.epoch) continue;
      s.keys.emplace_back(std::log(rng.uniform_pos()) / model_.popularity(i), i);
    }
    need = std::min(need, s.keys.size());
    auto by_key_desc = [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    std::nth_element(s.keys.begin(), s.keys.begin() + static_cast<std::ptrdiff_t>(need),
                     s.keys.end(), by_key_desc);
    for (size_t k = 0; k < need; ++k) {
      const int32_t i = s.keys[k].second;
      s.stamp[static_cast<size_t>(i)] = s.epoch;
      out.push_back(i);
    }
  }

  const SyntheticModel& model_;
  AliasTable global_;
  std::vector<std::vector<int32_t>> genre_items_;
  std::vector<AliasTable> genre_tables_;
};

SyntheticGenerator::SyntheticGenerator(const SyntheticOptions& opts)
    : model_(opts), sampler_(std::make_unique<ItemSampler>(model_)) {}

SyntheticGenerator::~SyntheticGenerator() = default;

SyntheticSummary SyntheticGenerator::write(const std::string& dir,
                                           const ProgressFn& progress) const {
  make_dirs(dir);
  SyntheticSummary summary;
  summary.users = model_.num_users();
  summary.items = model_.num_items();
  write_synthetic_movies(dir, model_);
  write_synthetic_users(dir, model_);
  write_ratings(dir, progress, summary);
  write_synthetic_provenance(dir, model_.options(), summary);
  return summary;
}

void SyntheticGenerator::write_ratings(const std::string& dir, const ProgressFn& progress,
                                       SyntheticSummary& summary) const {
  const SyntheticOptions& opts = model_.options();
  AtomicFile file(dir + "/ratings.csv", /*binary=*/true);
  BufferedWriter w(file);
  w.str("userId,movieId,rating,timestamp");
  w.end_line();
  const size_t items = static_cast<size_t>(model_.num_items());
  const size_t min_count = std::min<size_t>(5, items);
  const uint64_t seed = mix_seed(opts.seed, kRatingsDomain);
  ItemSampler::Scratch scratch;
  std::vector<int32_t> chosen;
  double sum = 0;
  const uint64_t users = static_cast<uint64_t>(model_.num_users());
  for (int32_t u = 0; u < model_.num_users(); ++u) {
    Rng rng(mix_seed(seed, static_cast<uint64_t>(u)));
    const double draw = opts.ratings_per_user *
                        std::exp(kCountSigma * rng.normal() - kCountSigma * kCountSigma / 2);
    const size_t count = std::clamp<size_t>(
        static_cast<size_t>(std::llround(std::min(draw, static_cast<double>(items)))), min_count,
        items);
    sampler_->sample(u, count, opts.genre_affinity, rng, scratch, chosen);
    std::sort(chosen.begin(), chosen.end());
    const int64_t start = kFirstTimestamp + static_cast<int64_t>(rng.below(kStartWindow));
    const double span = -kMeanActivityDays * 86400 * std::log(rng.uniform_pos());
    for (int32_t i : chosen) {
      const int64_t ts = start + static_cast<int64_t>(rng.uniform() * span);
      const double value = model_.expected(u, i) + opts.noise * rng.normal();
      const int twice = static_cast<int>(std::clamp<long long>(std::llround(2 * value), 1, 10));
      sum += twice * 0.5;
      w.integer(u + 1);
      w.ch(',');
      w.integer(i + 1);
      w.ch(',');
      w.half_stars(twice);
      w.ch(',');
      w.integer(ts);
      w.end_line();
    }
    summary.ratings += static_cast<int64_t>(chosen.size());
    if (progress && ((u + 1) % 1024 == 0 || static_cast<uint64_t>(u) + 1 == users))
      progress({"generate ratings", static_cast<uint64_t>(u) + 1, users, "users",
                std::to_string(summary.ratings) + " ratings"});
  }
  w.flush();
  file.commit();
  summary.mean_rating = summary.ratings ? sum / static_cast<double>(summary.ratings) : 0;
}

}  // namespace towerrec
