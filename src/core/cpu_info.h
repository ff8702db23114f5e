// What the CPU can run, from cpuid (and the OS's saved-register mask, so an AVX-512 CPU whose
// kernel does not save the wide registers counts as without it), plus its model name.
#pragma once

#include <string>

namespace towerrec {

struct CpuInfo {
  std::string vendor;  // cpuid vendor string: "GenuineIntel", "AuthenticAMD", "HygonGenuine", ...
  std::string model_name;  // "Intel(R) Xeon(R) Platinum 8488C"; "" when unknown
  int family = 0;          // display family and model (extended fields folded in)
  int model = 0;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512dq = false;
  bool avx512cd = false;
  bool avx512bw = false;
  bool avx512vl = false;

  // AVX-512 as OpenBLAS's SkylakeX kernels use it (F, DQ, CD, BW, VL).
  bool avx512_skylakex() const { return avx512f && avx512dq && avx512cd && avx512bw && avx512vl; }
  bool amd_like() const { return vendor == "AuthenticAMD" || vendor == "HygonGenuine"; }
  // "avx avx2 fma avx512f ..." (only the flags above that are present).
  std::string flags() const;
};

// The CPU this process runs on; an all-false CpuInfo off x86-64.
CpuInfo detect_cpu();

}  // namespace towerrec
