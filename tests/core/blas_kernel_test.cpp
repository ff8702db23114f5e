#include "core/blas_kernel.h"

#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

#include "core/blas.h"

using namespace towerrec;

namespace {

CpuInfo intel_avx512() {
  CpuInfo c;
  c.vendor = "GenuineIntel";
  c.family = 6;
  c.model = 207;
  c.avx = c.avx2 = c.fma = true;
  c.avx512f = c.avx512dq = c.avx512cd = c.avx512bw = c.avx512vl = true;
  return c;
}

CpuInfo amd_zen4() {
  CpuInfo c = intel_avx512();
  c.vendor = "AuthenticAMD";
  c.family = 25;
  c.model = 17;
  return c;
}

CpuInfo intel_avx2() {
  CpuInfo c;
  c.vendor = "GenuineIntel";
  c.family = 6;
  c.model = 60;
  c.avx = c.avx2 = c.fma = true;
  return c;
}

// A process environment and the OpenBLAS that would load under it: OPENBLAS_CORETYPE when set,
// else what OpenBLAS detects on its own (`detects`). Runs plan_blas_kernel image after image, the
// way main() execs, with `check_ok(core)` as the self-check.
struct Machine {
  CpuInfo cpu;
  std::string detects = "Prescott";
  std::map<std::string, std::string> env;
  std::function<bool(const std::string&)> check_ok = [](const std::string&) { return true; };
  std::vector<std::string> self_checked;  // kernels the self-check ran on, in order
  int images = 0;

  std::string loads() const {
    const auto it = env.find(kCoreTypeVar);
    return it == env.end() ? detects : it->second;
  }

  BlasPlan image() {
    ++images;
    BlasProbe p;
    p.cpu = cpu;
    p.loaded_core = loads();
    const std::string core = p.loaded_core;
    p.self_check = [this, core](std::string* detail) {
      self_checked.push_back(core);
      if (check_ok(core)) return true;
      *detail = "injected mismatch";
      return false;
    };
    const BlasPlan plan = plan_blas_kernel(p, [this](const std::string& n) {
      const auto it = env.find(n);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
    for (const auto& [name, value] : plan.env) {
      if (value) {
        env[name] = *value;
      } else {
        env.erase(name);
      }
    }
    return plan;
  }

  // Images until one runs the command; returns its plan.
  BlasPlan start() {
    for (int i = 0; i < 10; ++i) {
      BlasPlan plan = image();
      if (!plan.reexec) return plan;
    }
    FAIL("plan_blas_kernel re-execs forever");
    return {};
  }
};

}  // namespace

TEST_CASE("blas kernel: the best safe kernel per CPU", "[core]") {
  CHECK(preferred_blas_cores(intel_avx512()) == std::vector<std::string>{"SkylakeX", "Haswell"});
  CHECK(preferred_blas_cores(intel_avx2()) == std::vector<std::string>{"Haswell"});
  // Zen 4/5 have AVX-512, but Haswell is the known-safe setting with OpenBLAS 0.3.21.
  CHECK(preferred_blas_cores(amd_zen4()) == std::vector<std::string>{"Haswell"});
  CpuInfo hygon = amd_zen4();
  hygon.vendor = "HygonGenuine";
  CHECK(preferred_blas_cores(hygon) == std::vector<std::string>{"Haswell"});
  CpuInfo no_fma = intel_avx2();
  no_fma.fma = false;
  CHECK(preferred_blas_cores(no_fma).empty());
  CHECK(preferred_blas_cores(CpuInfo{}).empty());

  CHECK(blas_core_tier("Prescott") == 0);
  CHECK(blas_core_tier("Nehalem") == 0);
  CHECK(blas_core_tier("Core2") == 0);
  CHECK(blas_core_tier("Sandybridge") == 1);
  CHECK(blas_core_tier("Haswell") == 2);
  CHECK(blas_core_tier("Zen") == 2);
  CHECK(blas_core_tier("SKYLAKEX") == 3);
  CHECK(blas_core_tier("Cooperlake") == 3);
  CHECK(blas_core_tier("NewCore9000") == -1);
}

TEST_CASE("blas kernel: a generic kernel on an AVX-512 Intel CPU becomes SkylakeX", "[core]") {
  Machine m;
  m.cpu = intel_avx512();
  const BlasPlan plan = m.start();
  CHECK(m.images == 2);
  CHECK(m.loads() == "SkylakeX");
  CHECK(m.env.count(kStateVar) == 0);  // the command and its children never see the protocol
  CHECK(m.self_checked == std::vector<std::string>{"SkylakeX"});
  CHECK(plan.chosen == "SkylakeX");
  CHECK(plan.note ==
        "BLAS: OpenBLAS chose Prescott on this AVX-512 Intel CPU (family 6 model 207); using "
        "SkylakeX (self-check passed; set OPENBLAS_CORETYPE or TOWERREC_BLAS_AUTO=0 to decide "
        "yourself)");
}

TEST_CASE("blas kernel: AVX2 and AMD CPUs get Haswell", "[core]") {
  for (const CpuInfo& cpu : {intel_avx2(), amd_zen4()}) {
    Machine m;
    m.cpu = cpu;
    m.detects = "Nehalem";
    const BlasPlan plan = m.start();
    CHECK(m.loads() == "Haswell");
    CHECK(plan.note.find("OpenBLAS chose Nehalem") != std::string::npos);
    CHECK(plan.note.find("using Haswell (self-check passed") != std::string::npos);
  }
}

TEST_CASE("blas kernel: nothing happens when OpenBLAS already chose well", "[core]") {
  struct Case {
    CpuInfo cpu;
    std::string detects;
  };
  CpuInfo old_cpu;
  old_cpu.vendor = "GenuineIntel";
  old_cpu.avx = true;
  for (const Case& c :
       {Case{intel_avx512(), "SkylakeX"}, Case{intel_avx512(), "Cooperlake"},
        Case{amd_zen4(), "Zen"}, Case{amd_zen4(), "Haswell"}, Case{intel_avx2(), "Haswell"},
        Case{old_cpu, "Sandybridge"}, Case{old_cpu, "Prescott"},
        Case{intel_avx512(), "SomethingNew"}, Case{intel_avx512(), ""}}) {
    Machine m;
    m.cpu = c.cpu;
    m.detects = c.detects;
    const BlasPlan plan = m.start();
    CHECK(m.images == 1);
    CHECK(plan.env.empty());
    CHECK(plan.note.empty());
    CHECK(m.self_checked.empty());
  }
}

TEST_CASE("blas kernel: a user-set OPENBLAS_CORETYPE is never overridden", "[core]") {
  for (const char* user : {"Prescott", "prescott", "Haswell", "SkylakeX", ""}) {
    Machine m;
    m.cpu = intel_avx512();
    m.env[kCoreTypeVar] = user;
    const BlasPlan plan = m.start();
    CHECK(m.images == 1);
    CHECK(plan.env.empty());
    CHECK(plan.note.empty());
    CHECK(m.env.at(kCoreTypeVar) == user);
  }
}

TEST_CASE("blas kernel: TOWERREC_BLAS_AUTO=0 turns the choice off", "[core]") {
  Machine m;
  m.cpu = intel_avx512();
  m.env[kAutoVar] = "0";
  const BlasPlan plan = m.start();
  CHECK(m.images == 1);
  CHECK(plan.env.empty());
  CHECK(plan.note.empty());
  CHECK(m.loads() == "Prescott");

  Machine on;  // any other value leaves it on
  on.cpu = intel_avx512();
  on.env[kAutoVar] = "1";
  on.start();
  CHECK(on.loads() == "SkylakeX");
}

TEST_CASE("blas kernel: a failed self-check falls back kernel by kernel, then to OpenBLAS's own",
          "[core]") {
  SECTION("SkylakeX fails, Haswell passes") {
    Machine m;
    m.cpu = intel_avx512();
    m.check_ok = [](const std::string& core) { return core != "SkylakeX"; };
    const BlasPlan plan = m.start();
    CHECK(m.images == 3);
    CHECK(m.self_checked == std::vector<std::string>{"SkylakeX", "Haswell"});
    CHECK(m.loads() == "Haswell");
    CHECK(m.env.count(kStateVar) == 0);
    CHECK(plan.note.find("using Haswell (self-check passed") != std::string::npos);
  }
  SECTION("every kernel fails: OpenBLAS's own choice, and the line says why") {
    Machine m;
    m.cpu = intel_avx512();
    m.check_ok = [](const std::string&) { return false; };
    const BlasPlan plan = m.start();
    CHECK(m.images == 4);
    CHECK(m.self_checked == std::vector<std::string>{"SkylakeX", "Haswell"});
    CHECK(m.env.count(kCoreTypeVar) == 0);  // unset again, as the user had it
    CHECK(m.loads() == "Prescott");
    CHECK(m.env.count(kStateVar) == 0);
    CHECK(plan.chosen.empty());
    CHECK(plan.note ==
          "BLAS: SkylakeX,Haswell failed (self-check: injected mismatch) on this AVX-512 Intel "
          "CPU (family 6 model 207); staying on OpenBLAS's own choice, Prescott");
  }
  SECTION("a library without the kernel loads another one: that counts as a failure") {
    Machine m;
    m.cpu = intel_avx512();
    m.env[kCoreTypeVar] = "Prescott";
    m.env[kSimulateMisdetectionVar] = "1";
    // This simulated OpenBLAS maps SkylakeX to Haswell (a build without AVX-512 kernels).
    BlasPlan plan = m.image();
    REQUIRE(plan.reexec);
    m.env[kCoreTypeVar] = "Haswell";  // what OpenBLAS ends up loading, although asked for SkylakeX
    plan = m.image();
    REQUIRE(plan.reexec);
    CHECK(m.env.at(kCoreTypeVar) == "Haswell");
    plan = m.start();
    CHECK(m.loads() == "Haswell");
    CHECK(m.self_checked == std::vector<std::string>{"Haswell"});
    CHECK(plan.note.find("using Haswell") != std::string::npos);
  }
}

TEST_CASE("blas kernel: the simulation switch treats a set OPENBLAS_CORETYPE as detected",
          "[core]") {
  Machine m;
  m.cpu = intel_avx512();
  m.detects = "SkylakeX";            // this machine is detected correctly...
  m.env[kCoreTypeVar] = "Prescott";  // ...so the misdetection is simulated
  m.env[kSimulateMisdetectionVar] = "1";
  m.check_ok = [](const std::string&) { return false; };
  const BlasPlan plan = m.start();
  CHECK(m.self_checked == std::vector<std::string>{"SkylakeX", "Haswell"});
  CHECK(m.env.at(kCoreTypeVar) == "Prescott");  // restored on the way out
  CHECK(plan.note.find("staying on OpenBLAS's own choice, Prescott") != std::string::npos);
}

TEST_CASE("blas kernel: a state variable towerrec did not write is dropped", "[core]") {
  Machine m;
  m.cpu = intel_avx512();
  m.env[kCoreTypeVar] = "Prescott";
  m.env[kStateVar] = "garbage";
  const BlasPlan plan = m.start();
  CHECK(m.images == 1);
  CHECK(!plan.reexec);
  CHECK(plan.note.empty());
  CHECK(m.env.count(kStateVar) == 0);
  CHECK(m.loads() == "Prescott");
}

TEST_CASE("blas kernel: the self-check catches a wrong GEMM", "[core]") {
  std::string detail;
  CHECK(blas_self_check(gemm_rowmajor, &detail));
  CHECK(detail.empty());

  const auto off_by_one = [](bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
                             int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
    gemm_rowmajor(ta, tb, m, n, k, a, lda, b, ldb, c, ldc);
    if (ta && !tb) c[(m - 1) * ldc + n - 1] += 1e-3f;  // one element of one shape only
  };
  CHECK_FALSE(blas_self_check(off_by_one, &detail));
  CHECK(detail.find("sgemm TN 17x70x33 element 1189: ") == 0);

  const auto untouched = [](bool, bool, int64_t, int64_t, int64_t, const float*, int64_t,
                            const float*, int64_t, float*, int64_t) {};  // leaves NaN in C
  CHECK_FALSE(blas_self_check(untouched, &detail));
  CHECK(detail.find("sgemm NN 37x29x67 element 0: nan") == 0);
}
