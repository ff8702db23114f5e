#include "serve/exported_towers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include <ATen/ops/from_blob.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "features/sparse_rows.h"
#include "features/target_scaler.h"
#include "serve/tower_module_format.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Rows per forward call: bounds the hidden activations ([block, hidden] floats) for any catalogue.
constexpr int64_t kEmbedBlock = 4096;

// c10 messages can run to a page of context; the first line says what went wrong.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// An error raised inside TorchScript code prints the interpreter's traceback first and the raised
// exception ("builtins.ValueError: ...") on its last line.
std::string last_line(const std::string& s) {
  const size_t end = s.find_last_not_of("\n ");
  if (end == std::string::npos) return s;
  const size_t nl = s.rfind('\n', end);
  const size_t start = nl == std::string::npos ? 0 : nl + 1;
  return s.substr(start, end + 1 - start);
}

std::vector<std::string> string_list(const json& j, const char* key, const std::string& path) {
  if (!j.contains(key) || !j[key].is_array() || j[key].empty())
    throw InputError(path, 0,
                     std::string(key) + ": expected a non-empty list of feature names, found " +
                         (j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
  std::vector<std::string> out;
  for (const json& v : j[key]) {
    if (!v.is_string())
      throw InputError(path, 0,
                       std::string(key) + ": expected strings, found " + quote_found(v.dump()));
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string file_name(const json& j, const char* key, const std::string& path) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
    throw InputError(path, 0,
                     std::string(key) + ": expected a file name, found " +
                         (j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
  return j[key].get<std::string>();
}

struct LoadedTower {
  std::string side;  // "user" | "item"
  std::string path;
  std::vector<std::string> features;
  int64_t dim = 0;
  int64_t bag = 0;  // watched-items vocabulary size (user tower; 0 = forward(x) only)
  // forward() is not const in the API, but running a loaded module does not change it.
  mutable torch::jit::Module module;
};

int64_t int_attr(const torch::jit::Module& m, const char* name, const std::string& path,
                 const std::string& side) {
  if (!m.hasattr(name) || !m.attr(name).isInt())
    throw FormatError(path, 0,
                      "expected the " + side + " tower written by `towerrec export`, found " +
                          "a TorchScript module without the integer attribute '" + name + "'");
  return m.attr(name).toInt();
}

std::vector<float> run(const LoadedTower& t, const float* raw, int64_t rows, int64_t cols,
                       const SparseRows* bag = nullptr, int64_t bag_row = 0) {
  const int64_t n_features = static_cast<int64_t>(t.features.size());
  if (cols != n_features)
    throw Error(t.path + ": the " + t.side + " tower expects " + std::to_string(n_features) +
                " raw feature columns (towers.json " + t.side + "_features), found " +
                std::to_string(cols));
  if (rows < 0) throw Error(t.side + " tower: expected rows >= 0, found " + std::to_string(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = raw + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      if (!std::isfinite(x[c]))
        throw Error(t.side + " tower: row " + std::to_string(r) + ", feature '" + t.features[c] +
                    "': expected a finite number, found " + std::to_string(x[c]) +
                    " (impute missing values as towers.json 'imputed' says)");
    }
  }
  std::vector<float> out(static_cast<size_t>(rows * t.dim));
  c10::InferenceMode guard;
  for (int64_t r0 = 0; r0 < rows; r0 += kEmbedBlock) {
    const int64_t n = std::min(kEmbedBlock, rows - r0);
    // from_blob borrows the caller's rows; forward never writes its input.
    at::Tensor x = at::from_blob(const_cast<float*>(raw + r0 * cols), {n, cols}, at::kFloat);
    std::vector<c10::IValue> inputs;
    inputs.reserve(3);
    inputs.emplace_back(x);
    if (t.bag > 0) {
      // The bag as (row, vocabulary position) pairs; the module weights them itself.
      std::vector<int64_t> bag_rows, bag_items;
      if (bag)
        for (int64_t r = 0; r < n; ++r)
          for (int64_t e = bag->begin(bag_row + r0 + r); e < bag->end(bag_row + r0 + r); ++e) {
            bag_rows.push_back(r);
            bag_items.push_back(bag->index[static_cast<size_t>(e)]);
          }
      const int64_t nnz = static_cast<int64_t>(bag_rows.size());
      inputs.emplace_back(at::from_blob(bag_rows.data(), {nnz}, at::kLong).clone());
      inputs.emplace_back(at::from_blob(bag_items.data(), {nnz}, at::kLong).clone());
    }
    at::Tensor y;
    try {
      y = t.module.forward(inputs).toTensor().contiguous();
    } catch (const c10::Error& e) {
      throw Error(t.path + ": running the " + t.side +
                  " tower failed: " + last_line(e.what_without_backtrace()));
    }
    if (y.dim() != 2 || y.size(0) != n || y.size(1) != t.dim || y.scalar_type() != at::kFloat)
      throw Error(t.path + ": the " + t.side + " tower returned shape " + c10::str(y.sizes()) +
                  ", expected float32 [" + std::to_string(n) + ", " + std::to_string(t.dim) + "]");
    std::memcpy(out.data() + r0 * t.dim, y.data_ptr<float>(), sizeof(float) * n * t.dim);
  }
  return out;
}

LoadedTower load_tower(const std::string& path, const std::string& side,
                       std::vector<std::string> features, int64_t dim) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw IoError("cannot read " + path + ": " +
                  (fs::is_directory(path, ec) ? "it is a directory" : "no such file") +
                  " (expected the " + side + " tower written by `towerrec export`)");
  LoadedTower t;
  t.side = side;
  t.path = path;
  t.features = std::move(features);
  t.dim = dim;
  const std::string expected =
      "expected a TorchScript module (the " + side + " tower written by `towerrec export`)";
  try {
    t.module = torch::jit::load(path, at::kCPU);
  } catch (const c10::Error& e) {
    throw FormatError(path, 0,
                      expected +
                          ", but it cannot be loaded (truncated or not a TorchScript "
                          "file): " +
                          first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw FormatError(path, 0,
                      expected +
                          ", but it cannot be loaded (truncated or not a TorchScript "
                          "file): " +
                          first_line(e.what()));
  }
  if (!t.module.hasattr(kAttrTower) || !t.module.attr(kAttrTower).isString())
    throw FormatError(path, 0,
                      expected + ", found a TorchScript module without the string attribute '" +
                          kAttrTower + "'");
  const std::string found_side = t.module.attr(kAttrTower).toStringRef();
  if (found_side != side)
    throw FormatError(path, 0,
                      "expected the " + side + " tower, found the " + found_side + " tower");
  const int64_t version = int_attr(t.module, kAttrFormat, path, side);
  if (version != kTowerFormatVersion)
    throw FormatError(path, 0,
                      "expected tower format version " + std::to_string(kTowerFormatVersion) +
                          ", found " + std::to_string(version) +
                          " (written by another towerrec version)");
  const int64_t n_features = int_attr(t.module, kAttrFeatures, path, side);
  if (n_features != static_cast<int64_t>(t.features.size()))
    throw FormatError(path, 0,
                      "the module takes " + std::to_string(n_features) + " " + side +
                          " features, towers.json lists " + std::to_string(t.features.size()) +
                          " (files from different exports?)");
  const int64_t module_dim = int_attr(t.module, kAttrDim, path, side);
  if (module_dim != dim)
    throw FormatError(path, 0,
                      "the module outputs dim " + std::to_string(module_dim) +
                          ", towers.json says " + std::to_string(dim) +
                          " (files from different exports?)");
  // One all-zero row proves the forward runs and has the promised shapes. Zero is outside no
  // scaler's domain, and any layer-shape mismatch inside the module fails here rather than in a
  // batch job.
  if (t.module.hasattr(kAttrBag)) t.bag = int_attr(t.module, kAttrBag, path, side);
  const std::vector<float> zero(t.features.size(), 0.f);
  try {
    run(t, zero.data(), 1, n_features);
  } catch (const Error& e) {
    throw FormatError(path, 0, std::string("a test row through the module failed: ") + e.what());
  }
  return t;
}

}  // namespace

struct ExportedTowers::Impl {
  std::string dir;
  json info;
  TargetScaler target;
  LoadedTower user;
  LoadedTower item;
};

ExportedTowers::ExportedTowers(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExportedTowers::~ExportedTowers() = default;
ExportedTowers::ExportedTowers(ExportedTowers&&) noexcept = default;
ExportedTowers& ExportedTowers::operator=(ExportedTowers&&) noexcept = default;

ExportedTowers ExportedTowers::load(const std::string& dir) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  const std::string path = dir + "/" + kTowersJsonFile;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw IoError(
        "cannot read " + path + ": " +
        (fs::is_directory(path, ec) ? "it is a directory, expected a file" : "no such file") +
        " (expected a directory written by `towerrec export`)");
  json& j = impl->info;
  const std::string text = read_file(path);
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based (0 or past the end for an empty or truncated file): name its line.
    const size_t upto = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const int64_t line = 1 + std::count(text.begin(), text.begin() + upto, '\n');
    throw InputError(path, line,
                     std::string("expected JSON written by `towerrec export`, found a "
                                 "parse error: ") +
                         first_line(e.what()));
  }
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
      j["format"].get<std::string>() != kTowersFormat)
    throw InputError(path, 0,
                     std::string("format: expected \"") + kTowersFormat + "\", found " +
                         (j.is_object() && j.contains("format") ? quote_found(j["format"].dump())
                                                                : "no such key"));
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int64_t>() != kTowerFormatVersion)
    throw InputError(
        path, 0,
        "version: expected " + std::to_string(kTowerFormatVersion) + ", found " +
            (j.contains("version") ? quote_found(j["version"].dump()) : "no such key"));
  if (!j.contains("dim") || !j["dim"].is_number_integer() || j["dim"].get<int64_t>() < 1)
    throw InputError(path, 0,
                     "dim: expected an integer >= 1, found " +
                         (j.contains("dim") ? quote_found(j["dim"].dump()) : "no such key"));
  const int64_t dim = j["dim"].get<int64_t>();
  std::vector<std::string> user_features = string_list(j, "user_features", path);
  std::vector<std::string> item_features = string_list(j, "item_features", path);
  try {
    impl->target = TargetScaler::from_json(j.contains("target") ? j["target"] : json());
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(path, 0, std::string("target: ") + e.what());
  }
  const std::string user_file = file_name(j, "user_tower", path);
  const std::string item_file = file_name(j, "item_tower", path);
  impl->user = load_tower(dir + "/" + user_file, "user", std::move(user_features), dim);
  impl->item = load_tower(dir + "/" + item_file, "item", std::move(item_features), dim);
  return ExportedTowers(std::move(impl));
}

namespace {

void check_bag(const LoadedTower& t, const SparseRows* bag, int64_t rows, int64_t bag_row) {
  if (!bag || t.bag == 0) return;
  if (bag->cols != t.bag)
    throw Error(t.path + ": the " + t.side + " tower's bag has " + std::to_string(t.bag) +
                " positions, the features give " + std::to_string(bag->cols));
  if (bag_row < 0 || bag_row + rows > bag->rows)
    throw Error(t.side + " tower: bag rows outside the bag's " + std::to_string(bag->rows) +
                " rows");
}

}  // namespace

std::vector<float> ExportedTowers::embed_users(const float* raw, int64_t rows, int64_t cols,
                                               const SparseRows* bag, int64_t bag_row) const {
  check_bag(impl_->user, bag, rows, bag_row);
  return run(impl_->user, raw, rows, cols, bag, bag_row);
}

int64_t ExportedTowers::user_bag() const { return impl_->user.bag; }
int64_t ExportedTowers::item_bag() const { return impl_->item.bag; }

std::vector<float> ExportedTowers::embed_items(const float* raw, int64_t rows, int64_t cols,
                                               const SparseRows* bag, int64_t bag_row) const {
  check_bag(impl_->item, bag, rows, bag_row);
  return run(impl_->item, raw, rows, cols, bag, bag_row);
}

const std::vector<std::string>& ExportedTowers::user_features() const {
  return impl_->user.features;
}
const std::vector<std::string>& ExportedTowers::item_features() const {
  return impl_->item.features;
}
int64_t ExportedTowers::dim() const { return impl_->user.dim; }
double ExportedTowers::target_min() const { return impl_->target.min; }
double ExportedTowers::target_max() const { return impl_->target.max; }
double ExportedTowers::to_stars(double dot) const {
  return (dot + 1.0) * 0.5 * (impl_->target.max - impl_->target.min) + impl_->target.min;
}
const nlohmann::json& ExportedTowers::info() const { return impl_->info; }
const std::string& ExportedTowers::dir() const { return impl_->dir; }

}  // namespace towerrec
