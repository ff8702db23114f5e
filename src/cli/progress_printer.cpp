#include "cli/progress_printer.h"

#include <unistd.h>

namespace towerrec::cli {

ProgressPrinter::ProgressPrinter(bool quiet) : quiet_(quiet), tty_(::isatty(2) != 0) {}

ProgressPrinter::~ProgressPrinter() { finish(); }

ProgressFn ProgressPrinter::fn() {
  return [this](const Progress& p) { print(p); };
}

void ProgressPrinter::finish() {
  if (pending_newline_) std::fputc('\n', stderr);
  pending_newline_ = false;
}

void ProgressPrinter::print(const Progress& p) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool new_stage = p.stage != stage_;
  if (new_stage) {
    finish();
    stage_ = p.stage;
    stage_start_ = now;
  }
  const bool done = p.total > 0 && p.done >= p.total;
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (!new_stage && !done && since_print < (tty_ ? 0.2 : 5.0)) return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - stage_start_).count();
  const double rate = elapsed > 0 ? p.done / elapsed : 0;
  char line[512];
  if (p.total > 0) {
    const double pct = 100.0 * p.done / p.total;
    const double eta = rate > 0 ? (p.total - p.done) / rate : 0;
    std::snprintf(line, sizeof line, "%s: %llu/%llu %s (%.0f%%) %.0f %s/s ETA %.0fs %s",
                  p.stage.c_str(), (unsigned long long)p.done, (unsigned long long)p.total,
                  p.unit.c_str(), pct, rate, p.unit.c_str(), eta, p.extra.c_str());
  } else {
    std::snprintf(line, sizeof line, "%s: %llu %s %.0f %s/s %s", p.stage.c_str(),
                  (unsigned long long)p.done, p.unit.c_str(), rate, p.unit.c_str(),
                  p.extra.c_str());
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line);
    pending_newline_ = !done;
    if (done) std::fputc('\n', stderr);
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

}  // namespace towerrec::cli
