// Rng: a seeded random source whose outputs are the same on every platform and standard library.
// std::mt19937_64 itself is fully specified by the standard, but std::uniform_*_distribution,
// std::normal_distribution and std::shuffle are not (libstdc++ and libc++ give different numbers),
// so splits and synthetic data would change with the toolchain. Everything here is built from the
// raw 64-bit engine output with fixed arithmetic. Not thread-safe: one Rng per thread or per
// stream.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
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

  // The whole generator state as text (the engine's standard text form, then the cached normal),
  // for resumable training (train/train_state.h). set_state(state()) continues the same sequence.
  std::string state() const {
    std::ostringstream s;
    uint64_t spare_bits;
    std::memcpy(&spare_bits, &spare_, sizeof spare_bits);
    s << engine_ << ' ' << (has_spare_ ? 1 : 0) << ' ' << spare_bits;
    return s.str();
  }
  // Restores a state() string; returns false (and leaves the generator unchanged) when it does
  // not parse.
  bool set_state(const std::string& text) {
    std::istringstream s(text);
    std::mt19937_64 engine;
    int has_spare = 0;
    uint64_t spare_bits = 0;
    if (!(s >> engine >> has_spare >> spare_bits) || (has_spare != 0 && has_spare != 1))
      return false;
    s >> std::ws;
    if (!s.eof()) return false;
    engine_ = engine;
    has_spare_ = has_spare == 1;
    std::memcpy(&spare_, &spare_bits, sizeof spare_);
    return true;
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
