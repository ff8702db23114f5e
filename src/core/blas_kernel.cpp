#include "core/blas_kernel.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "core/blas.h"

namespace towerrec {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The state handed to the next image: key=value pairs joined by ';' (values never contain ';').
//   detected  OpenBLAS's own choice in the first image
//   tried     the kernel this image was started with ("" in the final fallback image)
//   failed    kernels that failed, comma-separated; why: the last failure
//   user      OPENBLAS_CORETYPE before we changed it ("-" = unset; kept only when simulating)
using State = std::map<std::string, std::string>;

std::string encode(const State& s) {
  std::string out;
  for (const auto& [k, v] : s) {
    std::string clean = v;
    std::replace(clean.begin(), clean.end(), ';', ',');
    out += (out.empty() ? "" : ";") + k + "=" + clean;
  }
  return out;
}

std::optional<State> decode(const std::string& text) {
  State s;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ';')) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) return std::nullopt;
    s[part.substr(0, eq)] = part.substr(eq + 1);
  }
  if (!s.count("detected") || !s.count("tried") || !s.count("user")) return std::nullopt;
  return s;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string cpu_words(const CpuInfo& cpu) {
  std::string v = cpu.vendor == "GenuineIntel" ? "Intel"
                  : cpu.amd_like()             ? "AMD"
                  : cpu.vendor.empty()         ? "x86"
                                               : cpu.vendor;
  return (cpu.avx512f ? "AVX-512 " : "AVX2 ") + v + " CPU (family " + std::to_string(cpu.family) +
         " model " + std::to_string(cpu.model) + ")";
}

// Restores OPENBLAS_CORETYPE to what it was before the first image changed it.
std::pair<std::string, std::optional<std::string>> restore_user(const State& s) {
  const std::string& u = s.at("user");
  return {kCoreTypeVar, u == "-" ? std::nullopt : std::optional<std::string>(u)};
}

}  // namespace

std::vector<std::string> preferred_blas_cores(const CpuInfo& cpu) {
  const bool avx2_fma = cpu.avx2 && cpu.fma;
  if (cpu.amd_like())
    return avx2_fma ? std::vector<std::string>{"Haswell"} : std::vector<std::string>{};
  if (cpu.avx512_skylakex() && avx2_fma) return {"SkylakeX", "Haswell"};
  if (avx2_fma) return {"Haswell"};
  return {};
}

int blas_core_tier(const std::string& core) {
  static const std::map<std::string, int> tiers = {
      {"unknown", 0},     {"katmai", 0},       {"coppermine", 0}, {"northwood", 0},
      {"prescott", 0},    {"banias", 0},       {"atom", 0},       {"core2", 0},
      {"penryn", 0},      {"dunnington", 0},   {"nehalem", 0},    {"athlon", 0},
      {"opteron", 0},     {"opteron_sse3", 0}, {"barcelona", 0},  {"nano", 0},
      {"bobcat", 0},      {"sandybridge", 1},  {"bulldozer", 1},  {"piledriver", 1},
      {"steamroller", 1}, {"haswell", 2},      {"excavator", 2},  {"zen", 2},
      {"dhyana", 2},      {"skylakex", 3},     {"cooperlake", 3}, {"sapphirerapids", 3}};
  const auto it = tiers.find(lower(core));
  return it == tiers.end() ? -1 : it->second;
}

bool blas_self_check(const GemmFn& gemm, std::string* detail) {
  struct Shape {
    bool ta, tb;
    int64_t m, n, k;
  };
  // Odd sizes leave partial micro-tiles in every direction; 1-wide shapes take the GEMV-like
  // paths; k=129 crosses a typical inner blocking step.
  const Shape shapes[] = {{false, false, 37, 29, 67}, {false, true, 61, 45, 129},
                          {true, false, 17, 70, 33},  {true, true, 23, 19, 48},
                          {false, true, 1, 97, 64},   {false, false, 96, 1, 31}};
  uint32_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) * 2.f - 1.f;
  };
  for (const Shape& s : shapes) {
    // Stored shapes: A is [k, m] when transposed, B is [n, k] when transposed.
    const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
    std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.k * s.n));
    for (float& x : a) x = next();
    for (float& x : b) x = next();
    std::vector<float> got(static_cast<size_t>(s.m * s.n), NAN), want(got.size());
    gemm(s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, got.data(), s.n);
    gemm_rowmajor_reference(s.ta, s.tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, want.data(),
                            s.n);
    // |x| <= 1, so every product is <= 1 and a float sum of k of them is off by < k * 2^-23.
    const double tol = 4.0 * static_cast<double>(s.k) * 1.2e-7 + 1e-6;
    for (size_t i = 0; i < got.size(); ++i) {
      const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
      if (!(err <= tol)) {
        if (detail) {
          std::ostringstream msg;
          msg << "sgemm " << (s.ta ? "T" : "N") << (s.tb ? "T" : "N") << " " << s.m << "x" << s.n
              << "x" << s.k << " element " << i << ": " << got[i] << ", a plain loop gives "
              << want[i];
          *detail = msg.str();
        }
        return false;
      }
    }
  }
  return true;
}

BlasProbe probe_process_blas() {
  BlasProbe p;
  p.cpu = detect_cpu();
  p.loaded_core = blas_core_name();
  const char* sim = std::getenv(kSimulateSelfCheckFailVar);
  const bool corrupt = sim && std::string(sim) == "1";
  p.self_check = [corrupt](std::string* detail) {
    return blas_self_check(
        [corrupt](bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                  const float* b, int64_t ldb, float* c, int64_t ldc) {
          gemm_rowmajor(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
          if (corrupt) c[0] += 1.f;
        },
        detail);
  };
  return p;
}

BlasPlan plan_blas_kernel(const BlasProbe& probe, const EnvGetter& env) {
  BlasPlan plan;
  const std::optional<std::string> state_text = env(kStateVar);
  if (state_text) plan.env.push_back({kStateVar, std::nullopt});  // never reaches the command
  if (probe.loaded_core.empty()) return plan;                     // not OpenBLAS
  const std::optional<std::string> automatic = env(kAutoVar);
  if (automatic && *automatic == "0") return plan;
  const std::vector<std::string> wanted = preferred_blas_cores(probe.cpu);

  if (!state_text) {
    // First image: OpenBLAS made its own choice, unless the user made one.
    const std::optional<std::string> user = env(kCoreTypeVar);
    const std::optional<std::string> sim = env(kSimulateMisdetectionVar);
    const bool simulating = user && sim && *sim == "1";
    if (user && !simulating) return plan;
    if (wanted.empty()) return plan;
    const int have = blas_core_tier(probe.loaded_core);
    if (have < 0 || have >= blas_core_tier(wanted.front())) return plan;
    const State next = {{"detected", probe.loaded_core},
                        {"tried", wanted.front()},
                        {"failed", ""},
                        {"why", ""},
                        {"user", simulating ? *user : "-"}};
    plan.env = {{kCoreTypeVar, wanted.front()}, {kStateVar, encode(next)}};
    plan.reexec = true;
    return plan;
  }

  std::optional<State> state = decode(*state_text);
  if (!state) return plan;  // not ours to read: drop it and leave OpenBLAS alone
  State& s = *state;
  const std::string cpu = cpu_words(probe.cpu);
  const std::string tried = s["tried"];
  if (tried.empty()) {
    plan.note = "BLAS: " + s["failed"] + " failed (" + s["why"] + ") on this " + cpu +
                "; staying on OpenBLAS's own choice, " + probe.loaded_core;
    return plan;
  }
  std::string why;
  bool ok = lower(probe.loaded_core) == lower(tried);
  if (!ok) {
    why = "OpenBLAS loaded " + probe.loaded_core + " when asked for " + tried;
  } else if (!(ok = probe.self_check(&why))) {
    why = "self-check: " + why;
  }
  if (ok) {
    plan.chosen = tried;
    plan.note = "BLAS: OpenBLAS chose " + s["detected"] + " on this " + cpu + "; using " + tried +
                " (self-check passed; set " + kCoreTypeVar + " or " + kAutoVar +
                "=0 to decide yourself)";
    return plan;
  }
  std::vector<std::string> failed = split_commas(s["failed"]);
  failed.push_back(tried);
  std::string next_core;
  for (const std::string& c : wanted) {
    if (std::find(failed.begin(), failed.end(), c) == failed.end()) {
      next_core = c;
      break;
    }
  }
  std::string failed_text;
  for (const std::string& f : failed) failed_text += (failed_text.empty() ? "" : ",") + f;
  s["failed"] = failed_text;
  s["why"] = why;
  s["tried"] = next_core;
  plan.env.clear();
  plan.env.push_back(next_core.empty() ? restore_user(s)
                                       : std::make_pair(std::string(kCoreTypeVar),
                                                        std::optional<std::string>(next_core)));
  plan.env.push_back({kStateVar, encode(s)});
  plan.reexec = true;
  return plan;
}

}  // namespace towerrec
