#include "model/tower_impl.h"

#include <algorithm>
#include <cmath>

#include <immintrin.h>

#include <ATen/ops/empty.h>

#include "core/blas.h"
#include "core/error.h"
#include "core/simd_level.h"
#include "features/sparse_rows.h"

namespace towerrec {
namespace {

// torch.nn.functional.normalize's floor on the norm, so an all-zero output stays finite.
constexpr float kNormEps = 1e-12f;

float* ptr(const at::Tensor& t) { return t.data_ptr<float>(); }

// out[col0, width) = sum over k in [0, count) of w[k] * table[idx[k]] (rows of `width` floats;
// null w: weights 1), accumulated in k order from 0 with a separate multiply and add per term (no
// fused multiply-add), so the AVX paths round exactly as this one and as a plain C++ loop would.
void bag_rows_scalar(const float* table, int64_t width, const int32_t* idx, const float* w,
                     int64_t count, float* out, int64_t col0) {
  for (int64_t j = col0; j < width; ++j) {
    float acc = 0.f;
    for (int64_t k = 0; k < count; ++k) {
      const float x = table[static_cast<int64_t>(idx[k]) * width + j];
      acc += w ? w[k] * x : x;
    }
    out[j] = acc;
  }
}

// The same, eight columns per register and 64 columns per pass over the entries: the 64 sums stay
// in registers while the table rows stream through (GCC's own vectorisation of a row-at-a-time
// loop reloads and stores the output for every entry, and without -mavx2 uses 4-wide SSE).
__attribute__((target("avx2"))) void bag_rows_avx2(const float* table, int64_t width,
                                                   const int32_t* idx, const float* w,
                                                   int64_t count, float* out, int64_t col0) {
  int64_t j = col0;
  for (; j + 64 <= width; j += 64) {
    __m256 acc[8];
    for (__m256& a : acc) a = _mm256_setzero_ps();
    for (int64_t k = 0; k < count; ++k) {
      const float* row = table + static_cast<int64_t>(idx[k]) * width + j;
      const __m256 wk = _mm256_set1_ps(w ? w[k] : 1.f);
      for (int i = 0; i < 8; ++i)
        acc[i] = _mm256_add_ps(acc[i], w ? _mm256_mul_ps(wk, _mm256_loadu_ps(row + 8 * i))
                                         : _mm256_loadu_ps(row + 8 * i));
    }
    for (int i = 0; i < 8; ++i) _mm256_storeu_ps(out + j + 8 * i, acc[i]);
  }
  for (; j + 8 <= width; j += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t k = 0; k < count; ++k) {
      const __m256 x = _mm256_loadu_ps(table + static_cast<int64_t>(idx[k]) * width + j);
      acc = _mm256_add_ps(acc, w ? _mm256_mul_ps(_mm256_set1_ps(w[k]), x) : x);
    }
    _mm256_storeu_ps(out + j, acc);
  }
  bag_rows_scalar(table, width, idx, w, count, out, j);
}

// The same with 16-float registers, 256 columns (the default first layer) per pass: half the
// instructions of the AVX2 path, the same roundings (AVX-512 has fused multiply-add, and GCC would
// contract the multiply and add into one without fp-contract=off).
__attribute__((target("avx512f"), optimize("fp-contract=off"))) void bag_rows_avx512(
    const float* table, int64_t width, const int32_t* idx, const float* w, int64_t count,
    float* out) {
  int64_t j = 0;
  for (; j + 256 <= width; j += 256) {
    __m512 acc[16];
    for (__m512& a : acc) a = _mm512_setzero_ps();
    for (int64_t k = 0; k < count; ++k) {
      const float* row = table + static_cast<int64_t>(idx[k]) * width + j;
      const __m512 wk = _mm512_set1_ps(w ? w[k] : 1.f);
      for (int i = 0; i < 16; ++i)
        acc[i] = _mm512_add_ps(acc[i], w ? _mm512_mul_ps(wk, _mm512_loadu_ps(row + 16 * i))
                                         : _mm512_loadu_ps(row + 16 * i));
    }
    for (int i = 0; i < 16; ++i) _mm512_storeu_ps(out + j + 16 * i, acc[i]);
  }
  bag_rows_avx2(table, width, idx, w, count, out, j);
}

void bag_rows(const float* table, int64_t width, const int32_t* idx, const float* w, int64_t count,
              float* out) {
  const SimdLevel simd = simd_level();
  if (simd == SimdLevel::kAvx512)
    bag_rows_avx512(table, width, idx, w, count, out);
  else if (simd >= SimdLevel::kAvx2)
    bag_rows_avx2(table, width, idx, w, count, out, 0);
  else
    bag_rows_scalar(table, width, idx, w, count, out, 0);
}

// pre[r] += the bag sum of batch row r: each distinct bag's sum once, then added to its rows.
void add_bag(const at::Tensor& table, BagBatch& bag, int64_t n, float* pre) {
  const int64_t width = table.size(1);
  const int64_t distinct = bag.distinct();
  bag.sums.resize(static_cast<size_t>(distinct * width));
  for (int64_t s = 0; s < distinct; ++s) {
    const int64_t e0 = bag.offsets[static_cast<size_t>(s)];
    bag_rows(ptr(table), width, bag.index.data() + e0, bag.value.data() + e0,
             bag.offsets[static_cast<size_t>(s) + 1] - e0, bag.sums.data() + s * width);
  }
  for (int64_t r = 0; r < n; ++r) {
    const float* sum = bag.sums.data() + bag.slot[static_cast<size_t>(r)] * width;
    float* o = pre + r * width;
    for (int64_t j = 0; j < width; ++j) o[j] += sum[j];
  }
}

// Counting sort: offsets [buckets + 1] of keys[0, count) in [0, buckets), reusing the storage.
void bucket_offsets(const int32_t* keys, int64_t count, int64_t buckets,
                    std::vector<int64_t>& offsets) {
  offsets.assign(static_cast<size_t>(buckets) + 1, 0);
  for (int64_t k = 0; k < count; ++k) ++offsets[static_cast<size_t>(keys[k]) + 1];
  for (int64_t b = 0; b < buckets; ++b)
    offsets[static_cast<size_t>(b) + 1] += offsets[static_cast<size_t>(b)];
}

// grad (the bag table's, [vocab, width]) = the gradient of batch rows [0, n) whose first-layer
// pre-activation gradient is g [n, width]: first each distinct bag's gradient (the sum of its
// rows', rows ascending), then each bag position's row = the sum over its entries (slots
// ascending) of weight x that bag's gradient. Every row is written once and positions that no
// entry of the batch holds get zeros: O(distinct entries x width + vocab), instead of zeroing the
// table and adding into it once per entry of every row.
void bag_backward(BagBatch& bag, const float* g, int64_t n, int64_t width, int64_t vocab,
                  float* grad) {
  const int64_t distinct = bag.distinct();
  bag.sums.resize(static_cast<size_t>(distinct * width));
  bucket_offsets(bag.slot.data(), n, distinct, bag.slot_offsets);
  bag.slot_rows.resize(static_cast<size_t>(n));
  std::vector<int64_t>& next = bag.col_offsets;  // scratch: each slot's fill position
  next.assign(bag.slot_offsets.begin(), bag.slot_offsets.end() - 1);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t at = next[static_cast<size_t>(bag.slot[static_cast<size_t>(r)])]++;
    bag.slot_rows[static_cast<size_t>(at)] = static_cast<int32_t>(r);
  }
  for (int64_t s = 0; s < distinct; ++s) {
    const int64_t k0 = bag.slot_offsets[static_cast<size_t>(s)];
    bag_rows(g, width, bag.slot_rows.data() + k0, nullptr,
             bag.slot_offsets[static_cast<size_t>(s) + 1] - k0, bag.sums.data() + s * width);
  }
  // The entries grouped by bag position (stable: slots ascending within a position).
  const int64_t entries = static_cast<int64_t>(bag.index.size());
  bucket_offsets(bag.index.data(), entries, vocab, bag.col_offsets);
  bag.col_slot.resize(static_cast<size_t>(entries));
  bag.col_value.resize(static_cast<size_t>(entries));
  std::vector<int64_t>& fill = bag.slot_offsets;  // scratch: the per-slot sums are done
  fill.assign(bag.col_offsets.begin(), bag.col_offsets.end() - 1);
  for (int64_t s = 0; s < distinct; ++s) {
    for (int64_t e = bag.offsets[static_cast<size_t>(s)];
         e < bag.offsets[static_cast<size_t>(s) + 1]; ++e) {
      const int64_t at = fill[static_cast<size_t>(bag.index[static_cast<size_t>(e)])]++;
      bag.col_slot[static_cast<size_t>(at)] = static_cast<int32_t>(s);
      bag.col_value[static_cast<size_t>(at)] = bag.value[static_cast<size_t>(e)];
    }
  }
  for (int64_t p = 0; p < vocab; ++p) {
    const int64_t k0 = bag.col_offsets[static_cast<size_t>(p)];
    const int64_t k1 = bag.col_offsets[static_cast<size_t>(p) + 1];
    float* row = grad + p * width;
    if (k0 == k1)
      std::fill(row, row + width, 0.f);
    else
      bag_rows(bag.sums.data(), width, bag.col_slot.data() + k0, bag.col_value.data() + k0, k1 - k0,
               row);
  }
}

// Starts a batch's bag entries over (resetting only the dedup marks the last batch set).
void clear_bag(BagBatch& bag) {
  for (int32_t src : bag.source) bag.slot_of[static_cast<size_t>(src)] = -1;
  bag.source.clear();
  bag.slot.clear();
  bag.offsets.assign(1, 0);
  bag.index.clear();
  bag.value.clear();
}

// Appends a batch row holding bag row `row`: with `dedup`, sharing the slot of an earlier batch
// row with the same bag row; otherwise (or if there is none) copying its entries in as a new slot.
void append_bag_row(const SparseRows& src, int64_t row, BagBatch& bag, bool dedup) {
  TOWERREC_CHECK(row >= 0 && row < src.rows);
  if (dedup) {
    int32_t& mark = bag.slot_of[static_cast<size_t>(row)];
    if (mark >= 0) {
      bag.slot.push_back(mark);
      return;
    }
    mark = static_cast<int32_t>(bag.distinct());
    bag.source.push_back(static_cast<int32_t>(row));
  }
  bag.slot.push_back(static_cast<int32_t>(bag.distinct()));
  bag.index.insert(bag.index.end(), src.index.begin() + src.begin(row),
                   src.index.begin() + src.end(row));
  bag.value.insert(bag.value.end(), src.value.begin() + src.begin(row),
                   src.value.begin() + src.end(row));
  bag.offsets.push_back(static_cast<int64_t>(bag.index.size()));
}

}  // namespace

void fill_bag(const SparseRows* bag, const int32_t* rows, int64_t n, TowerBuffers& buf,
              bool append) {
  if (!append) clear_bag(buf.bag);
  if (!bag) return;
  if (buf.bag.slot_of.size() < static_cast<size_t>(bag->rows))
    buf.bag.slot_of.resize(static_cast<size_t>(bag->rows), -1);
  for (int64_t k = 0; k < n; ++k) append_bag_row(*bag, rows[k], buf.bag, /*dedup=*/true);
}

void fill_bag_range(const SparseRows* bag, int64_t row0, int64_t n, TowerBuffers& buf) {
  clear_bag(buf.bag);
  if (!bag) return;
  for (int64_t k = 0; k < n; ++k) append_bag_row(*bag, row0 + k, buf.bag, /*dedup=*/false);
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
    if (l == 0 && tower.has_bag() && buf.bag.rows() >= n) add_bag(tower.bag, buf.bag, n, out);
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
        float* grad = ptr(tower.bag_grad);
        if (buf.bag.rows() >= n)
          bag_backward(buf.bag, g, n, width, tower.bag.size(0), grad);
        else  // no bag given: the bag took no part
          std::fill(grad, grad + tower.bag_grad.numel(), 0.f);
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
