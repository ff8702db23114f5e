// The user and item vectors of a trained run, for the offline jobs (embed, recommend, similar): the
// run's data and features rebuilt from its directory (run/run_data.h, load_run_data), pushed
// through either the run's checkpoint (model.ckpt, on the scaled features) or an exported towers
// directory (`towerrec export`, on the raw features). Both give the same L2-normalised vectors up
// to float rounding.
//
// Every user and every catalogue item has a row, including items nobody rated (their features use
// count 0 and the global mean) and users without training ratings. Rows are dense indices of
// run().data (ids: data.users.id(row), data.items.id(row)); with a data_dir, of today's data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "run/run_callbacks.h"
#include "run/run_data.h"

namespace towerrec {

struct VectorSourceSpec {
  std::string run_dir;     // a two-tower run directory; empty: towers.json's run.dir
  std::string towers_dir;  // an export directory; empty: the run's model.ckpt
  // Today's data (`--data`, run/current_run_data.h): its users and items with features built in
  // the run's layout; empty: the run's own data, rebuilt from its config.yaml.
  std::string data_dir = {};
};

class VectorSource {
 public:
  // Throws UsageError when both dirs are empty, Error when the run is not a finished two-tower run,
  // and Error when the towers' feature names differ from the run's (exported from another run).
  static VectorSource open(const VectorSourceSpec& spec, const RunCallbacks& cb = {});

  ~VectorSource();
  VectorSource(VectorSource&&) noexcept;
  VectorSource& operator=(VectorSource&&) noexcept;
  VectorSource(const VectorSource&) = delete;
  VectorSource& operator=(const VectorSource&) = delete;

  const RunData& run() const;
  int64_t dim() const;
  int64_t num_users() const;
  int64_t num_items() const;
  // "checkpoint <run>/model.ckpt" or "towers <dir>".
  const std::string& description() const;

  // Rows [begin, begin + count) -> [count, dim] row-major, unit norm. Thread-safe (const).
  std::vector<float> users(int64_t begin, int64_t count) const;
  std::vector<float> items(int64_t begin, int64_t count) const;
  // Listed rows (dense indices) -> [rows.size(), dim].
  std::vector<float> users(const std::vector<int32_t>& rows) const;
  // Every item, in chunks (bounded activation memory) -> [num_items, dim].
  std::vector<float> all_items() const;

 private:
  struct Impl;
  explicit VectorSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace towerrec
