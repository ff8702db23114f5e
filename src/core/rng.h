// Rng: a seeded random source whose outputs are the same on every platform and standard library.
// std::mt19937_64 itself is fully specified by the standard, but std::uniform_*_distribution,
// std::normal_distribution and std::shuffle are not (libstdc++ and libc++ give different numbers),
// so splits and synthetic data would change with the toolchain. Everything here is built from the
// raw 64-bit engine output with fixed arithmetic. Not thread-safe: one Rng per thread or per
// stream.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace towerrec {

// SplitMix64 finaliser: turns (seed, stream index) pairs into well-mixed independent seeds, so each
// user (or item) can have its own reproducible stream regardless of generation order.
inline uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t next() { return engine_(); }

  // Uniform integer in [0, n); n > 0. Rejection sampling, so no modulo bias.
  uint64_t below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t x = engine_();
      if (x >= threshold) return x % n;
    }
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Uniform double in (0, 1]: safe to take the log of.
  double uniform_pos() { return static_cast<double>((engine_() >> 11) + 1) * 0x1.0p-53; }

  // Standard normal (Box-Muller; the second value is cached).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_pos()));
    const double theta = 6.283185307179586476925 * uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }

  // Fisher-Yates shuffle of the whole vector.
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace towerrec
