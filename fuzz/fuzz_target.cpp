#include "fuzz_target.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec::fuzz {
namespace {

// Contents last written per scratch file, so fixed files are written once per process.
std::map<std::string, std::string>& written() {
  static std::map<std::string, std::string> w;
  return w;
}

void remove_scratch_dir() {
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir(), ec);
}

}  // namespace

std::map<std::string, TargetFn>& registry() {
  static std::map<std::string, TargetFn> r;
  return r;
}

Register::Register(const char* name, TargetFn fn) { registry()[name] = fn; }

const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string base = "/dev/shm";
    if (::access(base.c_str(), W_OK) != 0) {
      const char* t = std::getenv("TMPDIR");
      base = t && *t ? t : "/tmp";
    }
    std::string templ = base + "/towerrec-fuzz-XXXXXX";
    if (!::mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    return templ;
  }();
  // Registered after `dir` is constructed, so it runs before `dir` is destroyed.
  static const bool cleanup = (std::atexit(remove_scratch_dir), true);
  (void)cleanup;
  return dir;
}

std::string write_scratch(const std::string& name, std::string_view contents) {
  const std::string path = scratch_dir() + "/" + name;
  auto it = written().find(name);
  if (it != written().end() && it->second == contents) return path;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) {
    std::perror(("cannot write " + path).c_str());
    std::abort();
  }
  written()[name] = std::string(contents);
  return path;
}

uint8_t FileSet::set(std::string_view input) const {
  const uint8_t first = input.empty() ? 0 : static_cast<uint8_t>(input[0]);
  const size_t pick = (first & 0x0f) % files.size();
  if (!input.empty()) input.remove_prefix(1);
  for (size_t i = 0; i < files.size(); ++i) {
    write_scratch(files[i].first, i == pick ? input : std::string_view(files[i].second));
  }
  return static_cast<uint8_t>(first >> 4);
}

void remove_scratch(const std::string& name) {
  std::remove((scratch_dir() + "/" + name).c_str());
  written().erase(name);
}

void check_dataset(const Dataset& data) {
  const Ratings& r = data.ratings;
  const size_t n = r.size();
  TOWERREC_CHECK(r.item.size() == n && r.value.size() == n && r.timestamp.size() == n);
  for (size_t i = 0; i < n; ++i) {
    TOWERREC_CHECK(r.user[i] >= 0 && r.user[i] < data.num_users());
    TOWERREC_CHECK(r.item[i] >= 0 && r.item[i] < data.num_items());
    TOWERREC_CHECK(r.value[i] >= static_cast<float>(data.rating_min) &&
                   r.value[i] <= static_cast<float>(data.rating_max));
  }
  const auto items = static_cast<size_t>(data.num_items());
  const auto users = static_cast<size_t>(data.num_users());
  TOWERREC_CHECK(data.item_meta.title.size() == items);
  TOWERREC_CHECK(data.item_meta.year.size() == items);
  TOWERREC_CHECK(data.item_meta.genres.size() == items);
  TOWERREC_CHECK(data.item_meta.genre_names.size() <= 64);
  for (const DemographicColumn& c : data.user_meta.columns) {
    TOWERREC_CHECK((c.categorical ? c.code.size() : c.numeric.size()) == users);
    for (float x : c.numeric) TOWERREC_CHECK(std::isnan(x) || std::isfinite(x));
    for (int32_t code : c.code) {
      TOWERREC_CHECK(code >= -1 && code < static_cast<int32_t>(c.categories.size()));
    }
  }
  for (int32_t i = 0; i < data.num_items(); ++i)
    TOWERREC_CHECK(data.items.find(data.items.id(i)) == i);
  for (int32_t u = 0; u < data.num_users(); ++u)
    TOWERREC_CHECK(data.users.find(data.users.id(u)) == u);
}

void run_one(TargetFn fn, const uint8_t* data, size_t size) {
  try {
    fn(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const Error&) {
    // Rejecting bad input with a message is the expected outcome.
  }
}

}  // namespace towerrec::fuzz
