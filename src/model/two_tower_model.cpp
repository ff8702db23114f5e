#include "model/two_tower_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <ATen/ops/zeros.h>
#include <c10/core/InferenceMode.h>

#include "core/error.h"
#include "core/rng.h"
#include "model/two_tower_impl.h"

namespace towerrec {
namespace {

// Rows embedded per forward pass: bounds the scratch memory of embedding a whole catalogue.
constexpr int64_t kEmbedChunk = 4096;

std::vector<int64_t> layer_sizes(const std::vector<int64_t>& hidden, int64_t dim) {
  std::vector<int64_t> sizes = hidden;
  sizes.push_back(dim);
  return sizes;
}

int64_t tower_param_count(int64_t in, const std::vector<int64_t>& sizes) {
  int64_t count = 0;
  for (int64_t out : sizes) {
    count += out * in + out;
    in = out;
  }
  return count;
}

// Carves the layers of one tower out of the flat buffers starting at `offset`.
Tower make_tower(int64_t in, const std::vector<int64_t>& sizes, const at::Tensor& params,
                 const at::Tensor& grads, int64_t& offset) {
  Tower tower;
  tower.in = in;
  for (int64_t out : sizes) {
    TowerLayer layer;
    layer.weight = params.narrow(0, offset, out * in).view({out, in});
    layer.weight_grad = grads.narrow(0, offset, out * in).view({out, in});
    offset += out * in;
    layer.bias = params.narrow(0, offset, out);
    layer.bias_grad = grads.narrow(0, offset, out);
    offset += out;
    tower.layers.push_back(std::move(layer));
    in = out;
  }
  return tower;
}

void check_sizes(int64_t user_in, int64_t item_in, const ModelOptions& opts) {
  auto need = [](bool ok, const std::string& what, int64_t found) {
    if (!ok)
      throw UsageError("two-tower model: " + what + ": expected a size >= 1, got " +
                       std::to_string(found));
  };
  need(user_in >= 1, "user features", user_in);
  need(item_in >= 1, "item features", item_in);
  need(opts.dim >= 1, "model.dim", opts.dim);
  for (int64_t h : opts.user_hidden) need(h >= 1, "model.user_hidden", h);
  for (int64_t h : opts.item_hidden) need(h >= 1, "model.item_hidden", h);
}

std::vector<float> embed(const Tower& tower, const float* x, int64_t n) {
  TOWERREC_CHECK(n >= 0 && (x != nullptr || n == 0));
  const int64_t dim = tower.out();
  std::vector<float> out(static_cast<size_t>(n * dim));
  if (n == 0) return out;
  c10::InferenceMode guard;
  TowerBuffers buf(tower, std::min(n, kEmbedChunk), /*for_training=*/false);
  for (int64_t start = 0; start < n; start += buf.capacity) {
    const int64_t count = std::min(buf.capacity, n - start);
    std::memcpy(buf.x.data_ptr<float>(), x + start * tower.in,
                static_cast<size_t>(count * tower.in) * sizeof(float));
    tower_forward(tower, buf, count);
    std::memcpy(out.data() + start * dim, buf.y.data_ptr<float>(),
                static_cast<size_t>(count * dim) * sizeof(float));
  }
  return out;
}

}  // namespace

TwoTowerModel::Impl::Impl(int64_t user_in_, int64_t item_in_, const ModelOptions& opts_)
    : opts(opts_), user_in(user_in_), item_in(item_in_) {
  check_sizes(user_in, item_in, opts);
  const auto user_sizes = layer_sizes(opts.user_hidden, opts.dim);
  const auto item_sizes = layer_sizes(opts.item_hidden, opts.dim);
  const int64_t total =
      tower_param_count(user_in, user_sizes) + tower_param_count(item_in, item_sizes);
  params = at::zeros({total}, at::kFloat);
  grads = at::zeros({total}, at::kFloat);
  int64_t offset = 0;
  user = make_tower(user_in, user_sizes, params, grads, offset);
  item = make_tower(item_in, item_sizes, params, grads, offset);
  TOWERREC_CHECK(offset == total);
}

void TwoTowerModel::Impl::init(uint64_t seed) {
  Rng rng(seed);
  for (Tower* tower : {&user, &item}) {
    for (TowerLayer& layer : tower->layers) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(layer.weight.size(1)));
      for (at::Tensor* t : {&layer.weight, &layer.bias}) {
        float* p = t->data_ptr<float>();
        for (int64_t i = 0; i < t->numel(); ++i)
          p[i] = static_cast<float>((2 * rng.uniform() - 1) * bound);
      }
    }
  }
}

std::vector<std::pair<std::string, at::Tensor>> TwoTowerModel::Impl::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [name, tower] : {std::make_pair("user", &user), std::make_pair("item", &item)}) {
    for (size_t l = 0; l < tower->layers.size(); ++l) {
      const std::string prefix = std::string(name) + "." + std::to_string(l) + ".";
      out.emplace_back(prefix + "weight", tower->layers[l].weight);
      out.emplace_back(prefix + "bias", tower->layers[l].bias);
    }
  }
  return out;
}

TwoTowerModel::TwoTowerModel(int64_t user_in, int64_t item_in, const ModelOptions& opts,
                             uint64_t seed)
    : impl_(std::make_unique<Impl>(user_in, item_in, opts)) {
  impl_->init(seed);
}

TwoTowerModel::TwoTowerModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TwoTowerModel::~TwoTowerModel() = default;
TwoTowerModel::TwoTowerModel(TwoTowerModel&&) noexcept = default;
TwoTowerModel& TwoTowerModel::operator=(TwoTowerModel&&) noexcept = default;

TwoTowerModel TwoTowerModel::clone() const {
  auto copy = std::make_unique<Impl>(impl_->user_in, impl_->item_in, impl_->opts);
  copy->params.copy_(impl_->params);
  return TwoTowerModel(std::move(copy));
}

std::vector<float> TwoTowerModel::embed_users(const float* x, int64_t n) const {
  return embed(impl_->user, x, n);
}

std::vector<float> TwoTowerModel::embed_items(const float* x, int64_t n) const {
  return embed(impl_->item, x, n);
}

int64_t TwoTowerModel::dim() const { return impl_->opts.dim; }
int64_t TwoTowerModel::user_in() const { return impl_->user_in; }
int64_t TwoTowerModel::item_in() const { return impl_->item_in; }
int64_t TwoTowerModel::num_parameters() const { return impl_->params.numel(); }
const ModelOptions& TwoTowerModel::options() const { return impl_->opts; }

}  // namespace towerrec
