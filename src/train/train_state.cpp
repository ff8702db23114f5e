#include "train/train_state.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/byte_cursor.h"
#include "core/error.h"
#include "core/framed_file.h"

namespace towerrec {
namespace {

using json = nlohmann::json;

// Version 2: the moving average of the weights (train.ema_decay).
constexpr FrameFormat kStateFormat = {"TWRSTATE", 2, "a towerrec training state",
                                      "train the run again (without --resume)"};

// JSON has no inf/NaN; the validation loss can be either (no validation rows, or before the first
// improvement). Finite values round-trip exactly through nlohmann's shortest representation.
json number(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

double number_of(const json& j) {
  if (j.is_number()) return j.get<double>();
  const std::string s = j.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::invalid_argument("expected a number, \"inf\", \"-inf\" or \"nan\", found " +
                              quote_found(s));
}

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

void save_train_state(const std::string& path, const TrainState& s) {
  TOWERREC_CHECK(s.adam_m.size() == s.params.size() && s.adam_v.size() == s.params.size());
  TOWERREC_CHECK(s.best_params.empty() || s.best_params.size() == s.params.size());
  TOWERREC_CHECK(s.average.empty() || s.average.size() == s.params.size());
  json history = json::array();
  for (const EpochMetrics& e : s.history) {
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", number(e.train_loss)},
                       {"val_loss", number(e.val_loss)},
                       {"seconds", number(e.seconds)},
                       {"rows_per_sec", number(e.rows_per_sec)}});
    if (!std::isnan(e.val_recall)) history.back()["val_recall"] = number(e.val_recall);
  }
  const json header = {{"config_hash", hex(s.config_hash)},
                       {"epochs_done", s.epochs_done},
                       {"finished", s.finished},
                       {"stopped_early", s.stopped_early},
                       {"best_epoch", s.best_epoch},
                       {"best_val_loss", number(s.best_val_loss)},
                       {"adam_steps", s.adam_steps},
                       {"rng", s.rng},
                       {"history", history}};
  // Every piece's size up front: the buffer is several MB and must not grow (and copy) mid-write.
  const size_t floats =
      s.params.size() * 3 + s.best_params.size() + s.average.size() + s.order.size();
  FramedWriter file(kStateFormat, header.dump(), floats * sizeof(float) + 4 * sizeof(uint64_t));
  std::string& out = file.bytes();
  append_pod<uint64_t>(out, s.params.size());
  for (const std::vector<float>* v : {&s.params, &s.adam_m, &s.adam_v})
    out.append(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
  append_vector(out, s.best_params);
  append_vector(out, s.average);
  append_vector(out, s.order);
  file.commit(path);
}

TrainState load_train_state(const std::string& path) {
  // Sizes are checked as they are read (a file cut short fails at the piece it lacks), then the
  // hash over everything before it (an altered byte), before any header field is trusted.
  FramedReader file(path, kStateFormat);
  ByteCursor& in = file.payload();
  const uint64_t p_pos = in.pos();
  const uint64_t p = in.get<uint64_t>("parameter count");
  if (p > in.left() / (3 * sizeof(float)))
    in.fail_at(p_pos, "truncated: expected " + std::to_string(p) + " parameters, Adam moments (" +
                          std::to_string(3 * p * sizeof(float)) + " bytes), found " +
                          std::to_string(in.left()) + " bytes");
  TrainState s;
  for (std::vector<float>* v : {&s.params, &s.adam_m, &s.adam_v}) {
    v->resize(p);
    std::memcpy(v->data(), in.take(p * sizeof(float), "weights"), p * sizeof(float));
  }
  const uint64_t best_pos = in.pos();
  s.best_params = in.get_vector<float>("best weights", -1);
  if (!s.best_params.empty() && s.best_params.size() != p)
    in.fail_at(best_pos, "expected 0 or " + std::to_string(p) + " best weights, found " +
                             std::to_string(s.best_params.size()));
  const uint64_t average_pos = in.pos();
  s.average = in.get_vector<float>("averaged weights", -1);
  if (!s.average.empty() && s.average.size() != p)
    in.fail_at(average_pos, "expected 0 or " + std::to_string(p) + " averaged weights, found " +
                                std::to_string(s.average.size()));
  s.order = in.get_vector<int32_t>("shuffle order entries", -1);
  file.finish();

  try {
    const json h = json::parse(file.header());
    s.config_hash = std::stoull(h.at("config_hash").get<std::string>(), nullptr, 16);
    s.epochs_done = h.at("epochs_done").get<int64_t>();
    s.finished = h.at("finished").get<bool>();
    s.stopped_early = h.at("stopped_early").get<bool>();
    s.best_epoch = h.at("best_epoch").get<int64_t>();
    s.best_val_loss = number_of(h.at("best_val_loss"));
    s.adam_steps = h.at("adam_steps").get<int64_t>();
    s.rng = h.at("rng").get<std::string>();
    for (const json& e : h.at("history")) {
      EpochMetrics m;
      m.epoch = e.at("epoch").get<int64_t>();
      m.train_loss = number_of(e.at("train_loss"));
      m.val_loss = number_of(e.at("val_loss"));
      m.seconds = number_of(e.at("seconds"));
      m.rows_per_sec = number_of(e.at("rows_per_sec"));
      if (e.contains("val_recall")) m.val_recall = number_of(e.at("val_recall"));
      s.history.push_back(m);
    }
  } catch (const std::exception& e) {
    in.fail_at(kFrameHeaderStart, std::string("bad header: ") + e.what());
  }
  if (s.epochs_done < 0 || static_cast<size_t>(s.epochs_done) != s.history.size())
    in.fail_at(kFrameHeaderStart, "bad header: expected " + std::to_string(s.epochs_done) +
                                      " history entries (epochs_done), found " +
                                      std::to_string(s.history.size()));
  return s;
}

}  // namespace towerrec
