// A small trained synthetic run WITH bags (watched items, item ids) and its exported towers, plus
// "today's" copy of its data: every title rewritten to hold a comma and quotes, item 401 (new id,
// the genres of the first item that has some), item 402 (new id, a genre the run never saw: Anime),
// user 151 (new, rated items 1, 2, 3 and 401) and user 152 (new, in users.csv only: no ratings).
// Built once per test process in a temporary directory removed at exit.
#pragma once

#include <string>

namespace towerrec::test {

struct TodayRun {
  std::string run_dir;
  std::string towers_dir;
  std::string today_dir;
};

const TodayRun& today_run();

// Every line of a file but the first (the header).
std::string body_of(const std::string& text);

}  // namespace towerrec::test
