#include "core/cpu_info.h"

#include <cstdint>
#include <cstring>
#include <fstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TOWERREC_X86 1
#endif

namespace towerrec {
namespace {

#ifdef TOWERREC_X86
// XCR0: which register states the OS saves on a context switch. AVX needs XMM+YMM (bits 1-2);
// AVX-512 also needs opmask and both ZMM halves (bits 5-7).
uint64_t xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}
#endif

std::string proc_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    const size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

}  // namespace

std::string CpuInfo::flags() const {
  std::string out;
  const std::pair<bool, const char*> all[] = {{avx, "avx"},           {avx2, "avx2"},
                                              {fma, "fma"},           {avx512f, "avx512f"},
                                              {avx512dq, "avx512dq"}, {avx512cd, "avx512cd"},
                                              {avx512bw, "avx512bw"}, {avx512vl, "avx512vl"}};
  for (const auto& [on, name] : all) {
    if (!on) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

CpuInfo detect_cpu() {
  CpuInfo cpu;
  cpu.model_name = proc_model_name();
#ifdef TOWERREC_X86
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return cpu;
  const unsigned max_leaf = a;
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  cpu.vendor = vendor;

  __get_cpuid(1, &a, &b, &c, &d);
  const int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  cpu.family = base_family == 0xf ? base_family + static_cast<int>((a >> 20) & 0xff) : base_family;
  cpu.model = (base_family == 0x6 || base_family == 0xf)
                  ? base_model + static_cast<int>(((a >> 16) & 0xf) << 4)
                  : base_model;
  const bool osxsave = c & (1u << 27);
  const uint64_t xcr = osxsave ? xcr0() : 0;
  const bool os_avx = (xcr & 0x6) == 0x6;
  const bool os_avx512 = (xcr & 0xe6) == 0xe6;
  cpu.avx = os_avx && (c & (1u << 28));
  cpu.fma = os_avx && (c & (1u << 12));
  if (max_leaf >= 7) {
    __get_cpuid_count(7, 0, &a, &b, &c, &d);
    cpu.avx2 = os_avx && (b & (1u << 5));
    cpu.avx512f = os_avx512 && (b & (1u << 16));
    cpu.avx512dq = os_avx512 && (b & (1u << 17));
    cpu.avx512cd = os_avx512 && (b & (1u << 28));
    cpu.avx512bw = os_avx512 && (b & (1u << 30));
    cpu.avx512vl = os_avx512 && (b & (1u << 31));
  }
#endif
  return cpu;
}

}  // namespace towerrec
