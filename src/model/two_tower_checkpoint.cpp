// TwoTowerModel::save / load: the checkpoint format documented in two_tower_model.h.
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "core/byte_cursor.h"
#include "core/error.h"
#include "core/framed_file.h"
#include "model/two_tower_impl.h"
#include "model/two_tower_model.h"

namespace towerrec {
namespace {

constexpr FrameFormat kCheckpointFormat = {"TWOTOWER", 2, "a towerrec two-tower checkpoint",
                                           "re-train the model (towerrec train)"};
constexpr uint64_t kCheckpointHeaderStart = kFrameHeaderStart;

// ModelOptions <-> JSON through its visit() list, so a field added there is saved without edits
// here.
struct ToJson {
  nlohmann::json& j;
  template <class T, class... Rest>
  void field(const char* key, const T& value, const Rest&...) {
    if constexpr (is_option_enum<T>::value)
      j[key] = enum_name(value);
    else
      j[key] = value;
  }
  template <class T>
  void section(const char* key, const T& value, const char*) {
    nlohmann::json sub = nlohmann::json::object();
    ToJson v{sub};
    const_cast<T&>(value).visit(v);
    j[key] = sub;
  }
};

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

struct FromJson {
  const nlohmann::json& j;
  template <class T, class... Rest>
  void field(const char* key, T& value, const Rest&...) {
    if (!j.contains(key)) return;
    if constexpr (is_option_enum<T>::value) {
      if (!parse_enum(j.at(key).get<std::string>(), value))
        throw UsageError(std::string("model.") + key + ": expected one of: " +
                         join_names(enum_names<T>()) + ", found " + quote_found(j.at(key).dump()));
    } else {
      value = j.at(key).get<T>();
    }
  }
  template <class T>
  void section(const char* key, T& value, const char*) {
    if (!j.contains(key)) return;
    FromJson v{j.at(key)};
    value.visit(v);
  }
};

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// a * b + c, saturating at UINT64_MAX.
uint64_t mul_add(uint64_t a, uint64_t b, uint64_t c) {
  if (b != 0 && a > (UINT64_MAX - c) / b) return UINT64_MAX;
  return a * b + c;
}

// The number of floats the towers described by a header hold (UINT64_MAX when that overflows).
// Sizes < 1 count as 0 here; Impl rejects them with a message naming the field.
uint64_t declared_floats(int64_t user_in, int64_t item_in, int64_t user_bag, int64_t item_bag,
                         const ModelOptions& opts) {
  auto size = [](int64_t v) { return v < 1 ? uint64_t{0} : static_cast<uint64_t>(v); };
  uint64_t total = 0;
  for (const auto& [in0, hidden] :
       {std::make_pair(user_in, &opts.user_hidden), std::make_pair(item_in, &opts.item_hidden)}) {
    uint64_t in = size(in0);
    std::vector<int64_t> outs = *hidden;
    outs.push_back(opts.dim);
    for (int64_t o : outs) {
      const uint64_t out = size(o);
      const uint64_t layer = mul_add(out, in + 1, 0);  // weight [out, in] + bias [out]
      total = (layer == UINT64_MAX || total > UINT64_MAX - layer) ? UINT64_MAX : total + layer;
      in = out;
    }
  }
  const uint64_t first = size(opts.user_hidden.empty() ? opts.dim : opts.user_hidden.front());
  const uint64_t item_first = size(opts.item_hidden.empty() ? opts.dim : opts.item_hidden.front());
  const uint64_t extra =
      mul_add(size(user_bag), first,
              mul_add(size(item_bag), item_first,
                      opts.rating_head == RatingHeadKind::kLinear ? 2 + 2 * size(opts.dim) : 0));
  total = (extra == UINT64_MAX || total > UINT64_MAX - extra) ? UINT64_MAX : total + extra;
  return total;
}

}  // namespace

void TwoTowerModel::save(const std::string& path, const nlohmann::json& meta) const {
  nlohmann::json model = nlohmann::json::object();
  ToJson v{model};
  const_cast<ModelOptions&>(impl_->opts).visit(v);
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& [name, t] : impl_->named_parameters())
    tensors.push_back({{"name", name}, {"shape", t.sizes().vec()}});
  nlohmann::json header = {{"user_in", impl_->user_in},
                           {"item_in", impl_->item_in},
                           {"model", model},
                           {"tensors", tensors},
                           {"meta", meta}};
  if (impl_->user_bag > 0) header["user_bag"] = impl_->user_bag;
  if (impl_->item_bag > 0) header["item_bag"] = impl_->item_bag;
  const std::string header_text = header.dump();
  const at::Tensor flat = impl_->params.contiguous();
  const uint64_t count = static_cast<uint64_t>(flat.numel());
  const char* data = reinterpret_cast<const char*>(flat.data_ptr<float>());
  const size_t data_bytes = count * sizeof(float);

  FramedWriter file(kCheckpointFormat, header_text, data_bytes + 8);
  append_pod<uint64_t>(file.bytes(), count);
  file.bytes().append(data, data_bytes);
  file.commit(path);
}

namespace {

nlohmann::json parse_checkpoint_header(ByteCursor& in, const std::string& header_text) {
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const nlohmann::json::parse_error& e) {
    in.fail_at(kCheckpointHeaderStart + (e.byte > 0 ? e.byte - 1 : 0),
               std::string("bad header JSON: ") + e.what());
  }
  if (!header.is_object()) in.fail_at(kCheckpointHeaderStart, "bad header: expected a JSON object");
  return header;
}

// The sizes come from the file: checks that the weights they declare are actually there before
// they are allocated (a corrupt header must not ask for terabytes). A file too short for them
// fails here with the message reading it would give, without the allocation.
void check_declared_weights_fit(ByteCursor& in, uint64_t declared) {
  const uint64_t weight_bytes = mul_add(declared, sizeof(float), 0);
  if (mul_add(declared, sizeof(float), 16) <= in.left()) return;
  auto big = [](uint64_t v) {
    return v == UINT64_MAX ? std::string("more than 2^64") : std::to_string(v);
  };
  const uint64_t count_pos = in.pos();
  const uint64_t count = in.get<uint64_t>("float count");
  if (count != declared)
    in.fail_at(count_pos, "expected " + big(declared) +
                              " floats (the sum of the tensor sizes), found " +
                              std::to_string(count));
  if (in.left() < weight_bytes)
    in.fail("truncated: expected " + big(weight_bytes) + " bytes of weights, found " +
            std::to_string(in.left()));
  in.fail_at(in.pos() + weight_bytes, "truncated: expected 8 bytes of hash, found " +
                                          std::to_string(in.left() - weight_bytes));
}

// The towers the header's options and sizes describe, zero-initialised.
std::unique_ptr<TwoTowerModel::Impl> checkpoint_impl(ByteCursor& in, const nlohmann::json& header) {
  try {
    ModelOptions opts;
    FromJson v{header.at("model")};
    opts.visit(v);
    const int64_t user_in = header.at("user_in").get<int64_t>();
    const int64_t item_in = header.at("item_in").get<int64_t>();
    const int64_t user_bag = header.value("user_bag", int64_t{0});
    const int64_t item_bag = header.value("item_bag", int64_t{0});
    check_declared_weights_fit(in, declared_floats(user_in, item_in, user_bag, item_bag, opts));
    return std::make_unique<TwoTowerModel::Impl>(user_in, item_in, opts, user_bag, item_bag);
  } catch (const nlohmann::json::exception& e) {
    in.fail_at(kCheckpointHeaderStart, std::string("bad header: ") + e.what());
  } catch (const UsageError& e) {
    in.fail_at(kCheckpointHeaderStart, std::string("bad header: ") + e.what());
  }
  return nullptr;  // not reached: fail_at throws
}

// One entry of the header's tensor list as "name [shape]" ("?" for a missing part).
std::string checkpoint_tensor_text(ByteCursor& in, const nlohmann::json& t, size_t i) {
  if (!t.is_object())
    in.fail_at(kCheckpointHeaderStart, "tensor " + std::to_string(i) + ": expected an object");
  std::string shape = "?";
  if (t.contains("shape") && t["shape"].is_array()) {
    try {
      shape = shape_string(t["shape"].get<std::vector<int64_t>>());
    } catch (const nlohmann::json::exception&) {
      shape = quote_found(t["shape"].dump());  // not a list of integers
    }
  }
  return (t.contains("name") && t["name"].is_string() ? t["name"].get<std::string>() : "?") + " " +
         shape;
}

// The tensor list must be exactly what the header's options build: names and shapes are the
// format.
void check_checkpoint_tensors(ByteCursor& in, const nlohmann::json& header,
                              const TwoTowerModel::Impl& impl) {
  const auto expected = impl.named_parameters();
  const nlohmann::json tensors = header.contains("tensors") && header["tensors"].is_array()
                                     ? header["tensors"]
                                     : nlohmann::json::array();
  for (size_t i = 0; i < expected.size() || i < tensors.size(); ++i) {
    const std::string want =
        i < expected.size()
            ? expected[i].first + " " + shape_string(expected[i].second.sizes().vec())
            : "no more tensors";
    const std::string found =
        i < tensors.size() ? checkpoint_tensor_text(in, tensors[i], i) : "no more tensors";
    if (want != found)
      in.fail_at(kCheckpointHeaderStart, "tensor " + std::to_string(i) + ": expected " + want +
                                             " (from the header's model options), found " + found);
  }
}

}  // namespace

TwoTowerModel TwoTowerModel::load(const std::string& path, nlohmann::json* meta) {
  FramedReader file(path, kCheckpointFormat);
  ByteCursor& in = file.payload();
  const nlohmann::json header = parse_checkpoint_header(in, file.header());
  std::unique_ptr<Impl> impl = checkpoint_impl(in, header);
  check_checkpoint_tensors(in, header, *impl);

  const uint64_t count_pos = in.pos();
  const uint64_t count = in.get<uint64_t>("float count");
  const uint64_t expected_count = static_cast<uint64_t>(impl->params.numel());
  if (count != expected_count)
    in.fail_at(count_pos, "expected " + std::to_string(expected_count) +
                              " floats (the sum of the tensor sizes), found " +
                              std::to_string(count));
  const size_t data_bytes = count * sizeof(float);
  const char* data = in.take(data_bytes, "weights");
  file.finish();

  std::memcpy(impl->params.data_ptr<float>(), data, data_bytes);
  if (meta) *meta = header.contains("meta") ? header["meta"] : nlohmann::json();
  return TwoTowerModel(std::move(impl));
}

}  // namespace towerrec
