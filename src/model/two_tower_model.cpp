#include "model/two_tower_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <ATen/ops/zeros.h>
#include <c10/core/InferenceMode.h>

#include "core/error.h"
#include "core/rng.h"
#include "features/features.h"
#include "features/sparse_rows.h"
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

std::vector<float> embed(const Tower& tower, const float* x, int64_t n,
                         const SparseRows* bag = nullptr, int64_t bag_row = 0) {
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
    fill_bag_range(tower.has_bag() ? bag : nullptr, bag_row + start, count, buf);
    tower_forward(tower, buf, count);
    std::memcpy(out.data() + start * dim, buf.y.data_ptr<float>(),
                static_cast<size_t>(count * dim) * sizeof(float));
  }
  return out;
}

// A bag given for rows [bag_row, bag_row + n) must come from the tower's vocabulary and hold them.
void check_bag(const Tower& tower, const SparseRows* bag, int64_t n, int64_t bag_row,
               const char* side) {
  if (!bag || !tower.has_bag()) return;
  if (bag->cols != tower.bag.size(0))
    throw Error(std::string("two-tower model: the ") + side + " bag has " +
                std::to_string(bag->cols) + " positions, the model was trained with " +
                std::to_string(tower.bag.size(0)));
  if (bag_row < 0 || bag_row + n > bag->rows)
    throw Error(std::string("two-tower model: ") + side + " bag rows [" + std::to_string(bag_row) +
                ", " + std::to_string(bag_row + n) + ") are outside its " +
                std::to_string(bag->rows) + " rows");
}

}  // namespace

TwoTowerModel::Impl::Impl(int64_t user_in_, int64_t item_in_, const ModelOptions& opts_,
                          int64_t user_bag_, int64_t item_bag_)
    : opts(opts_), user_in(user_in_), item_in(item_in_), user_bag(user_bag_), item_bag(item_bag_) {
  check_sizes(user_in, item_in, opts);
  if (user_bag < 0 || item_bag < 0)
    throw UsageError("two-tower model: bags: expected sizes >= 0, got " + std::to_string(user_bag) +
                     " and " + std::to_string(item_bag));
  const auto user_sizes = layer_sizes(opts.user_hidden, opts.dim);
  const auto item_sizes = layer_sizes(opts.item_hidden, opts.dim);
  const bool head = opts.rating_head == RatingHeadKind::kLinear;
  const int64_t total = tower_param_count(user_in, user_sizes) +
                        tower_param_count(item_in, item_sizes) + user_bag * user_sizes.front() +
                        item_bag * item_sizes.front() + (head ? 2 + 2 * opts.dim : 0);
  params = at::zeros({total}, at::kFloat);
  grads = at::zeros({total}, at::kFloat);
  int64_t offset = 0;
  user = make_tower(user_in, user_sizes, params, grads, offset);
  item = make_tower(item_in, item_sizes, params, grads, offset);
  auto carve = [&](int64_t size, at::Tensor& p, at::Tensor& g) {
    p = params.narrow(0, offset, size);
    g = grads.narrow(0, offset, size);
    offset += size;
  };
  for (auto [tower, rows, width] : {std::make_tuple(&user, user_bag, user_sizes.front()),
                                    std::make_tuple(&item, item_bag, item_sizes.front())}) {
    if (rows == 0) continue;
    carve(rows * width, tower->bag, tower->bag_grad);
    tower->bag = tower->bag.view({rows, width});
    tower->bag_grad = tower->bag_grad.view({rows, width});
  }
  if (head) {
    carve(1, head_scale, head_scale_grad);
    carve(1, head_bias, head_bias_grad);
    carve(opts.dim, head_user, head_user_grad);
    carve(opts.dim, head_item, head_item_grad);
  }
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
  // Drawn after both towers, so a model without a bag initialises exactly as before. The bag rows
  // are first-layer weight columns, drawn with the dense columns' bound.
  for (Tower* tower : {&user, &item}) {
    if (!tower->has_bag()) continue;
    const double bound = 1.0 / std::sqrt(static_cast<double>(tower->in));
    float* p = tower->bag.data_ptr<float>();
    for (int64_t i = 0; i < tower->bag.numel(); ++i)
      p[i] = static_cast<float>((2 * rng.uniform() - 1) * bound);
  }
  // The head starts as the plain dot product.
  if (has_head()) head_scale.fill_(1.f);
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
  if (user.has_bag()) out.emplace_back("user.bag", user.bag);
  if (item.has_bag()) out.emplace_back("item.bag", item.bag);
  if (has_head()) {
    out.emplace_back("head.scale", head_scale);
    out.emplace_back("head.bias", head_bias);
    out.emplace_back("head.user", head_user);
    out.emplace_back("head.item", head_item);
  }
  return out;
}

float RatingHead::apply(const float* u, const float* v, int64_t dim) const {
  float dot = 0;
  for (int64_t j = 0; j < dim; ++j) dot += u[j] * v[j];
  float r = scale * dot + bias;
  if (!user.empty())
    for (int64_t j = 0; j < dim; ++j) r += user[static_cast<size_t>(j)] * u[j];
  if (!item.empty())
    for (int64_t j = 0; j < dim; ++j) r += item[static_cast<size_t>(j)] * v[j];
  return r;
}

TwoTowerModel::TwoTowerModel(int64_t user_in, int64_t item_in, const ModelOptions& opts,
                             uint64_t seed, int64_t user_bag, int64_t item_bag)
    : impl_(std::make_unique<Impl>(user_in, item_in, opts, user_bag, item_bag)) {
  impl_->init(seed);
}

TwoTowerModel::TwoTowerModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TwoTowerModel::~TwoTowerModel() = default;
TwoTowerModel::TwoTowerModel(TwoTowerModel&&) noexcept = default;
TwoTowerModel& TwoTowerModel::operator=(TwoTowerModel&&) noexcept = default;

TwoTowerModel TwoTowerModel::clone() const {
  auto copy = std::make_unique<Impl>(impl_->user_in, impl_->item_in, impl_->opts, impl_->user_bag,
                                     impl_->item_bag);
  copy->params.copy_(impl_->params);
  return TwoTowerModel(std::move(copy));
}

std::vector<float> TwoTowerModel::embed_users(const float* x, int64_t n, const SparseRows* bag,
                                              int64_t bag_row) const {
  check_bag(impl_->user, bag, n, bag_row, "user");
  return embed(impl_->user, x, n, bag, bag_row);
}

std::vector<float> TwoTowerModel::embed_items(const float* x, int64_t n, const SparseRows* bag,
                                              int64_t bag_row) const {
  check_bag(impl_->item, bag, n, bag_row, "item");
  return embed(impl_->item, x, n, bag, bag_row);
}

int64_t TwoTowerModel::dim() const { return impl_->opts.dim; }
int64_t TwoTowerModel::user_in() const { return impl_->user_in; }
int64_t TwoTowerModel::item_in() const { return impl_->item_in; }
int64_t TwoTowerModel::user_bag() const { return impl_->user_bag; }
int64_t TwoTowerModel::item_bag() const { return impl_->item_bag; }

RatingHead TwoTowerModel::rating_head() const {
  RatingHead h;
  if (!impl_->has_head()) return h;
  auto vec = [](const at::Tensor& t) {
    const float* p = t.data_ptr<float>();
    return std::vector<float>(p, p + t.numel());
  };
  h.scale = impl_->head_scale.data_ptr<float>()[0];
  h.bias = impl_->head_bias.data_ptr<float>()[0];
  h.user = vec(impl_->head_user);
  h.item = vec(impl_->head_item);
  return h;
}
int64_t TwoTowerModel::num_parameters() const { return impl_->params.numel(); }
const ModelOptions& TwoTowerModel::options() const { return impl_->opts; }

void check_checkpoint_fits(const std::string& ckpt, const TwoTowerModel& model, const Features& f) {
  if (model.user_in() != f.user.cols() || model.item_in() != f.item.cols())
    throw Error(ckpt + ": checkpoint expects " + std::to_string(model.user_in()) + " user and " +
                std::to_string(model.item_in()) + " item features, the data gives " +
                std::to_string(f.user.cols()) + " and " + std::to_string(f.item.cols()));
  if (model.user_bag() != f.user_bag.cols || model.item_bag() != f.item_bag.cols)
    throw Error(ckpt + ": checkpoint expects bags of " + std::to_string(model.user_bag()) +
                " watched items and " + std::to_string(model.item_bag()) +
                " item ids, the features give " + std::to_string(f.user_bag.cols) + " and " +
                std::to_string(f.item_bag.cols));
}

}  // namespace towerrec
