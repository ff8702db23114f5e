#include "model/tower_impl.h"

#include <algorithm>
#include <cmath>

#include <ATen/ops/empty.h>

#include "core/blas.h"
#include "core/error.h"
#include "features/sparse_rows.h"

namespace towerrec {
namespace {

// torch.nn.functional.normalize's floor on the norm, so an all-zero output stays finite.
constexpr float kNormEps = 1e-12f;

float* ptr(const at::Tensor& t) { return t.data_ptr<float>(); }

// pre[r] += sum over row r's bag entries of value * bag[index].
void add_bag(const at::Tensor& bag, const TowerBuffers& buf, int64_t n, float* pre) {
  const int64_t width = bag.size(1);
  const float* table = ptr(bag);
  for (int64_t r = 0; r < n; ++r) {
    float* o = pre + r * width;
    for (int64_t e = buf.bag_offsets[static_cast<size_t>(r)];
         e < buf.bag_offsets[static_cast<size_t>(r) + 1]; ++e) {
      const float w = buf.bag_value[static_cast<size_t>(e)];
      const float* row =
          table + static_cast<int64_t>(buf.bag_index[static_cast<size_t>(e)]) * width;
      for (int64_t j = 0; j < width; ++j) o[j] += w * row[j];
    }
  }
}

void append_bag_row(const SparseRows& bag, int64_t row, TowerBuffers& buf) {
  TOWERREC_CHECK(row >= 0 && row < bag.rows);
  for (int64_t e = bag.begin(row); e < bag.end(row); ++e) {
    buf.bag_index.push_back(bag.index[static_cast<size_t>(e)]);
    buf.bag_value.push_back(bag.value[static_cast<size_t>(e)]);
  }
  buf.bag_offsets.push_back(static_cast<int64_t>(buf.bag_index.size()));
}

}  // namespace

void fill_bag(const SparseRows* bag, const int32_t* rows, int64_t n, TowerBuffers& buf,
              bool append) {
  if (!append) {
    buf.bag_offsets.assign(1, 0);
    buf.bag_index.clear();
    buf.bag_value.clear();
  }
  if (!bag) return;
  for (int64_t k = 0; k < n; ++k) append_bag_row(*bag, rows[k], buf);
}

void fill_bag_range(const SparseRows* bag, int64_t row0, int64_t n, TowerBuffers& buf) {
  buf.bag_offsets.assign(1, 0);
  buf.bag_index.clear();
  buf.bag_value.clear();
  if (!bag) return;
  for (int64_t k = 0; k < n; ++k) append_bag_row(*bag, row0 + k, buf);
}

TowerBuffers::TowerBuffers(const Tower& tower, int64_t cap, bool for_training) : capacity(cap) {
  TOWERREC_CHECK(cap >= 1);
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  x = at::empty({cap, tower.in}, f32);
  for (const TowerLayer& layer : tower.layers) {
    act.push_back(at::empty({cap, layer.weight.size(0)}, f32));
    if (for_training) grad.push_back(at::empty({cap, layer.weight.size(0)}, f32));
  }
  y = at::empty({cap, tower.out()}, f32);
  inv_norm.resize(static_cast<size_t>(cap));
  if (for_training) dy = at::empty({cap, tower.out()}, f32);
}

void tower_forward(const Tower& tower, TowerBuffers& buf, int64_t n) {
  TOWERREC_CHECK(n >= 1 && n <= buf.capacity);
  const size_t num_layers = tower.layers.size();
  const float* in = ptr(buf.x);
  int64_t in_width = tower.in;
  for (size_t l = 0; l < num_layers; ++l) {
    const TowerLayer& layer = tower.layers[l];
    const int64_t width = layer.weight.size(0);
    float* out = ptr(buf.act[l]);
    // out = in W^T, then a fused bias(+ReLU) loop: cheaper than addmm's broadcast copy of the bias.
    gemm_rowmajor(false, true, n, width, in_width, in, in_width, ptr(layer.weight), in_width, out,
                  width);
    if (l == 0 && tower.has_bag() && buf.bag_offsets.size() > static_cast<size_t>(n))
      add_bag(tower.bag, buf, n, out);
    const float* b = ptr(layer.bias);
    float* o = out;
    if (l + 1 < num_layers) {
      for (int64_t r = 0; r < n; ++r, o += width)
        for (int64_t j = 0; j < width; ++j) o[j] = std::max(o[j] + b[j], 0.f);
    } else {
      for (int64_t r = 0; r < n; ++r, o += width)
        for (int64_t j = 0; j < width; ++j) o[j] += b[j];
    }
    in = out;
    in_width = width;
  }
  const int64_t d = tower.out();
  const float* z = ptr(buf.act.back());
  float* y = ptr(buf.y);
  for (int64_t r = 0; r < n; ++r, z += d, y += d) {
    float ss = 0;
    for (int64_t j = 0; j < d; ++j) ss += z[j] * z[j];
    const float inv = 1.f / std::max(std::sqrt(ss), kNormEps);
    buf.inv_norm[static_cast<size_t>(r)] = inv;
    for (int64_t j = 0; j < d; ++j) y[j] = z[j] * inv;
  }
}

void tower_backward(const Tower& tower, TowerBuffers& buf, int64_t n) {
  TOWERREC_CHECK(n >= 1 && n <= buf.capacity && !buf.grad.empty());
  const size_t num_layers = tower.layers.size();
  // Through y = z / ||z||: dz = (dy - y (y . dy)) / ||z||.
  {
    const int64_t d = tower.out();
    const float* y = ptr(buf.y);
    const float* dy = ptr(buf.dy);
    float* dz = ptr(buf.grad.back());
    for (int64_t r = 0; r < n; ++r, y += d, dy += d, dz += d) {
      float dot = 0;
      for (int64_t j = 0; j < d; ++j) dot += y[j] * dy[j];
      const float inv = buf.inv_norm[static_cast<size_t>(r)];
      for (int64_t j = 0; j < d; ++j) dz[j] = (dy[j] - y[j] * dot) * inv;
    }
  }
  for (size_t l = num_layers; l-- > 0;) {
    const TowerLayer& layer = tower.layers[l];
    const int64_t width = layer.weight.size(0);
    const int64_t in_width = layer.weight.size(1);
    const float* g = ptr(buf.grad[l]);
    const float* input = l == 0 ? ptr(buf.x) : ptr(buf.act[l - 1]);
    // dW = g^T input, written straight into the flat gradient buffer.
    gemm_rowmajor(true, false, width, in_width, n, g, width, input, in_width,
                  ptr(layer.weight_grad), in_width);
    float* bg = ptr(layer.bias_grad);
    std::fill(bg, bg + width, 0.f);
    const float* gp = g;
    for (int64_t r = 0; r < n; ++r, gp += width)
      for (int64_t j = 0; j < width; ++j) bg[j] += gp[j];
    if (l == 0) {
      if (tower.has_bag()) {
        // Sparse: only the rows of bag positions in the batch get a gradient.
        float* bg_rows = ptr(tower.bag_grad);
        std::fill(bg_rows, bg_rows + tower.bag_grad.numel(), 0.f);
        if (buf.bag_offsets.size() > static_cast<size_t>(n)) {
          for (int64_t r = 0; r < n; ++r) {
            const float* gr = g + r * width;
            for (int64_t e = buf.bag_offsets[static_cast<size_t>(r)];
                 e < buf.bag_offsets[static_cast<size_t>(r) + 1]; ++e) {
              const float w = buf.bag_value[static_cast<size_t>(e)];
              float* row =
                  bg_rows + static_cast<int64_t>(buf.bag_index[static_cast<size_t>(e)]) * width;
              for (int64_t j = 0; j < width; ++j) row[j] += w * gr[j];
            }
          }
        }
      }
      break;  // no gradient w.r.t. the features
    }
    float* g_prev = ptr(buf.grad[l - 1]);
    // d(input) = g W, then ReLU': the stored activation is > 0 exactly where the pre-activation
    // was.
    gemm_rowmajor(false, false, n, in_width, width, g, width, ptr(layer.weight), in_width, g_prev,
                  in_width);
    const int64_t count = n * in_width;
    for (int64_t i = 0; i < count; ++i) g_prev[i] = input[i] > 0.f ? g_prev[i] : 0.f;
  }
}

}  // namespace towerrec
