// towerrec_bench_train: the C++ side of scripts/bench_train (timings live in scripts/, not in
// tests).
//   towerrec_bench_train data  --out DIR [--users N --items N --rows N --user-in N --item-in N
//   --seed S --bag V]
//       writes user_x.f32 [users, user_in], item_x.f32, pairs.i32 ([rows, 2] user, item),
//       target.f32, shape.json: the same bytes the Python peer reads. With --bag V > 0 also a
//       watched-items bag per user over a vocabulary of V items (bag_offsets.i64 [users + 1],
//       bag_index.i32, bag_value.f32: CSR, see make_bags for its density).
//   towerrec_bench_train train --data DIR --batch B --threads T --epochs E [--loss mse|softmax]
//   [--bag 0|1]
//       trains the default two-tower model (256-128-32 towers, Adam, MSE) and prints one JSON line.
//       --loss softmax: the in-batch softmax (logQ, accidental hits masked), every row a positive;
//       --bag 1: with the data's watched-items bag on the user tower.
//   towerrec_bench_train gemm  --data DIR --batch B --threads T --seconds S
//       times only the matrix products of one training step (torch::mm_out on preallocated
//       tensors): the ceiling a step could reach. Prints one JSON line.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ops/empty.h>
#include <ATen/ops/mm.h>
#include <ATen/ops/randn.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/rng.h"
#include "features/sparse_rows.h"
#include "train/threads.h"
#include "train/two_tower_trainer.h"

namespace {

using namespace towerrec;

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0) throw std::runtime_error("expected --flag value, got " + key);
    flags[key.substr(2)] = argv[i + 1];
  }
  return flags;
}

int64_t flag(const std::map<std::string, std::string>& f, const std::string& k, int64_t def) {
  auto it = f.find(k);
  return it == f.end() ? def : std::stoll(it->second);
}

template <class T>
void write_raw(const std::string& path, const std::vector<T>& v) {
  std::string bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  write_file_atomic(path, bytes);
}

template <class T>
std::vector<T> read_raw(const std::string& path) {
  const std::string bytes = read_file(path);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

FeatureMatrix matrix(std::vector<float> data, int64_t cols) {
  FeatureMatrix m;
  for (int64_t c = 0; c < cols; ++c) m.names.push_back("f" + std::to_string(c));
  m.rows = static_cast<int64_t>(data.size()) / cols;
  m.data = std::move(data);
  return m;
}

// Watched-items bags shaped like ml-latest-small's (random:0.2:42 training split, the 1000
// most-rated items): per user 80 entries on average, median 42, from 2 to 714, so a log-normal
// (median 42, sigma 1.135) clipped to [2, vocab]; the items a user rated follow the vocabulary's
// popularity, count ~ (rank + 20)^-0.6 (262 ratings at rank 1, 21 at rank 1000 there). A user
// has rating rows in proportion to their bag (users who rate more rate more of the popular items),
// so pairs draw users by bag size: the mean bag per training row is then ~220 entries (226 in
// ml-latest-small; 192 over its positive rows), which is what a batch pays for.
// Entries ascending, each weighted 1 / sqrt(entries), as features/watched_items.h does.
SparseRows make_bags(int64_t users, int64_t vocab, Rng& rng) {
  SparseRows bag;
  bag.rows = users;
  bag.cols = vocab;
  std::vector<std::pair<double, int32_t>> keys(static_cast<size_t>(vocab));
  for (int64_t u = 0; u < users; ++u) {
    const double size = std::exp(std::log(42.0) + 1.135 * rng.normal());
    const int64_t n = std::clamp<int64_t>(std::llround(size), 2, vocab);
    // Weighted sampling without replacement (Efraimidis-Spirakis): the n largest u^(1/w).
    for (int64_t p = 0; p < vocab; ++p) {
      const double w = std::pow(static_cast<double>(p) + 20.0, -0.6);
      keys[static_cast<size_t>(p)] = {std::log(rng.uniform_pos()) / w, static_cast<int32_t>(p)};
    }
    std::partial_sort(keys.begin(), keys.begin() + n, keys.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<int32_t> chosen;
    for (int64_t k = 0; k < n; ++k) chosen.push_back(keys[static_cast<size_t>(k)].second);
    std::sort(chosen.begin(), chosen.end());
    for (int32_t p : chosen) {
      bag.index.push_back(p);
      bag.value.push_back(static_cast<float>(1.0 / std::sqrt(static_cast<double>(n))));
    }
    bag.offsets.push_back(bag.nnz());
  }
  return bag;
}

int make_data(const std::map<std::string, std::string>& f) {
  const std::string out = f.at("out");
  const int64_t users = flag(f, "users", 400), items = flag(f, "items", 850);
  const int64_t rows = flag(f, "rows", 50000);
  const int64_t user_in = flag(f, "user-in", 14), item_in = flag(f, "item-in", 16);
  Rng rng(static_cast<uint64_t>(flag(f, "seed", 1)));
  std::vector<float> ux(static_cast<size_t>(users * user_in)),
      ix(static_cast<size_t>(items * item_in));
  for (float& v : ux) v = static_cast<float>(rng.normal());
  for (float& v : ix) v = static_cast<float>(rng.normal());
  const int64_t vocab = flag(f, "bag", 0);
  SparseRows bag;
  std::vector<double> cum_size;  // pairs draw users by bag size (make_bags)
  if (vocab > 0) {
    bag = make_bags(users, vocab, rng);
    for (int64_t u = 0; u < users; ++u)
      cum_size.push_back((cum_size.empty() ? 0.0 : cum_size.back()) +
                         static_cast<double>(bag.end(u) - bag.begin(u)));
  }
  auto draw_user = [&] {
    if (cum_size.empty()) return static_cast<int32_t>(rng.below(static_cast<uint64_t>(users)));
    const double x = rng.uniform() * cum_size.back();
    return static_cast<int32_t>(std::upper_bound(cum_size.begin(), cum_size.end(), x) -
                                cum_size.begin());
  };
  std::vector<int32_t> pairs(static_cast<size_t>(rows * 2));
  std::vector<float> target(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    pairs[static_cast<size_t>(2 * r)] = draw_user();
    pairs[static_cast<size_t>(2 * r + 1)] =
        static_cast<int32_t>(rng.below(static_cast<uint64_t>(items)));
    target[static_cast<size_t>(r)] = static_cast<float>(2 * rng.uniform() - 1);
  }
  write_raw(out + "/user_x.f32", ux);
  write_raw(out + "/item_x.f32", ix);
  write_raw(out + "/pairs.i32", pairs);
  write_raw(out + "/target.f32", target);
  nlohmann::json shape = {{"users", users},     {"items", items},     {"rows", rows},
                          {"user_in", user_in}, {"item_in", item_in}, {"bag", vocab}};
  if (vocab > 0) {
    write_raw(out + "/bag_offsets.i64", bag.offsets);
    write_raw(out + "/bag_index.i32", bag.index);
    write_raw(out + "/bag_value.f32", bag.value);
    double row_entries = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const int32_t u = pairs[static_cast<size_t>(2 * r)];
      row_entries += static_cast<double>(bag.end(u) - bag.begin(u));
    }
    shape["bag_entries_per_user"] = static_cast<double>(bag.nnz()) / static_cast<double>(users);
    shape["bag_entries_per_row"] = row_entries / static_cast<double>(rows);
  }
  write_file_atomic(out + "/shape.json", shape.dump() + "\n");
  return 0;
}

struct Data {
  FeatureMatrix users, items;
  TrainPairs pairs;
  SparseRows bag;  // empty without one
};

Data load_data(const std::string& dir) {
  const auto shape = nlohmann::json::parse(read_file(dir + "/shape.json"));
  Data d;
  d.users = matrix(read_raw<float>(dir + "/user_x.f32"), shape.at("user_in").get<int64_t>());
  d.items = matrix(read_raw<float>(dir + "/item_x.f32"), shape.at("item_in").get<int64_t>());
  const auto pairs = read_raw<int32_t>(dir + "/pairs.i32");
  for (size_t k = 0; k + 1 < pairs.size(); k += 2) {
    d.pairs.user.push_back(pairs[k]);
    d.pairs.item.push_back(pairs[k + 1]);
  }
  d.pairs.target = read_raw<float>(dir + "/target.f32");
  const int64_t vocab = shape.value("bag", int64_t{0});
  if (vocab > 0) {
    d.bag.rows = d.users.rows;
    d.bag.cols = vocab;
    d.bag.offsets = read_raw<int64_t>(dir + "/bag_offsets.i64");
    d.bag.index = read_raw<int32_t>(dir + "/bag_index.i32");
    d.bag.value = read_raw<float>(dir + "/bag_value.f32");
  }
  return d;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int train(const std::map<std::string, std::string>& f) {
  const Data d = load_data(f.at("data"));
  set_threads(static_cast<int>(flag(f, "threads", 1)));
  TrainOptions opts;
  opts.batch_size = flag(f, "batch", 32);
  opts.epochs = flag(f, "epochs", 3);
  opts.patience = 0;
  opts.seed = 42;
  if (f.count("loss") && !parse_enum(f.at("loss"), opts.loss))
    throw std::runtime_error("--loss " + f.at("loss") + ": expected mse, softmax or joint");
  TrainExtras extras;
  // Every row a positive (targets are in [-1, 1]), so a softmax epoch has the MSE epoch's steps.
  extras.positive_min = -1;
  const bool bag = flag(f, "bag", 0) != 0;
  if (bag && d.bag.empty()) throw std::runtime_error("--bag 1: the data has no bag (data --bag)");
  if (bag) extras.user_bag = &d.bag;
  TwoTowerModel model(d.users.cols(), d.items.cols(), ModelOptions{}, 42, bag ? d.bag.cols : 0);
  const std::clock_t cpu0 = std::clock();
  const TrainResult r = train_two_tower(model, d.users, d.items, d.pairs, TrainPairs{}, opts,
                                        nullptr, nullptr, nullptr, nullptr, nullptr, extras);
  // CPU time of the whole training (one thread: about its wall time on an idle machine), which a
  // shared machine's load inflates less than wall time.
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  std::vector<double> rates, losses;
  for (const auto& m : r.history) {
    rates.push_back(m.rows_per_sec);
    losses.push_back(m.train_loss);
  }
  const nlohmann::json out = {
      {"impl", "towerrec"},
      {"batch", opts.batch_size},
      {"loss", opts.loss},
      {"bag", bag ? d.bag.cols : 0},
      {"threads", torch_threads()},
      {"epochs", opts.epochs},
      {"rows", d.pairs.size()},
      {"rows_per_sec", median(rates)},
      {"epoch_rows_per_sec", rates},
      {"train_loss", losses},
      {"cpu_rows_per_sec", static_cast<double>(d.pairs.size() * opts.epochs) / cpu}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// The products of one step of a tower with layer widths in -> h1 -> ... -> dim, at batch b:
// forward x W^T, backward dW = g^T a and (except the first layer) dX = g W.
int gemm(const std::map<std::string, std::string>& f) {
  const auto shape = nlohmann::json::parse(read_file(f.at("data") + "/shape.json"));
  set_threads(static_cast<int>(flag(f, "threads", 1)));
  const int64_t b = flag(f, "batch", 32);
  const double seconds = static_cast<double>(flag(f, "millis", 2000)) / 1000.0;
  c10::InferenceMode guard;
  struct Mm {
    at::Tensor out, a, bt;
  };
  std::vector<Mm> mms;
  double flops = 0;
  const ModelOptions model_defaults;
  for (auto [in, hidden] : {std::make_pair(shape.at("user_in").get<int64_t>(), model_defaults.user_hidden),
                            std::make_pair(shape.at("item_in").get<int64_t>(), model_defaults.item_hidden)}) {
    std::vector<int64_t> widths = hidden;
    widths.push_back(model_defaults.dim);
    bool first = true;
    for (int64_t out : widths) {
      const at::Tensor x = at::randn({b, in}), w = at::randn({out, in}), g = at::randn({b, out});
      mms.push_back({at::empty({b, out}), x, w.t()});   // forward
      mms.push_back({at::empty({out, in}), g.t(), x});  // dW
      flops += 4.0 * static_cast<double>(b * in * out);
      if (!first) {
        mms.push_back({at::empty({b, in}), g, w});  // dX
        flops += 2.0 * static_cast<double>(b * in * out);
      }
      first = false;
      in = out;
    }
  }
  auto run = [&] {
    for (Mm& m : mms) at::mm_out(m.out, m.a, m.bt);
  };
  for (int i = 0; i < 5; ++i) run();
  int64_t steps = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    run();
    ++steps;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const nlohmann::json out = {{"impl", "gemm"},
                              {"batch", b},
                              {"threads", torch_threads()},
                              {"flops_per_row", flops / static_cast<double>(b)},
                              {"rows_per_sec", static_cast<double>(steps * b) / elapsed},
                              {"gflops", flops * static_cast<double>(steps) / elapsed / 1e9}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // As in src/cli/main.cpp: keep freed blocks in the heap, or every batch-4096 step page-faults its
  // buffers back in.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  try {
    if (argc < 2)
      throw std::runtime_error("usage: towerrec_bench_train data|train|gemm --flag value ...");
    const std::string verb = argv[1];
    const auto flags = parse_flags(argc, argv);
    if (verb == "data") return make_data(flags);
    if (verb == "train") return train(flags);
    if (verb == "gemm") return gemm(flags);
    throw std::runtime_error("unknown verb " + verb + " (expected data, train or gemm)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "towerrec_bench_train: %s\n", e.what());
    return 1;
  }
}
