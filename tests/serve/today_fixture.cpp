#include "today_fixture.h"

#include <filesystem>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "serve/torchscript_export.h"
#include "test_util.h"
#include "train/training_run.h"

namespace towerrec::test {
namespace {

namespace fs = std::filesystem;

// `Item 7 (1999)` -> `"Item 7, the ""cut"" (1999)"`: a title Python's csv module must unquote.
std::string hostile_movies(const std::string& movies) {
  std::istringstream in(movies);
  std::string line, out;
  std::getline(in, line);
  out = line + "\n";
  while (std::getline(in, line)) {
    const size_t a = line.find(','), b = line.rfind(',');
    const std::string title = line.substr(a + 1, b - a - 1);
    const size_t paren = title.rfind(" (");
    out += line.substr(0, a) + ",\"" + title.substr(0, paren) + ", the \"\"cut\"\"" +
           title.substr(paren) + "\"" + line.substr(b) + "\n";
  }
  return out;
}

std::string second_line(const std::string& text) {
  const size_t a = text.find('\n') + 1;
  return text.substr(a, text.find('\n', a) - a);
}

// The genres of the first catalogue item that has some.
std::string some_genres(const std::string& movies) {
  std::istringstream in(movies);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::string g = line.substr(line.rfind(',') + 1);
    if (g != "(no genres listed)" && !g.empty()) return g;
  }
  return "";
}

}  // namespace

std::string body_of(const std::string& text) { return text.substr(text.find('\n') + 1); }

const TodayRun& today_run() {
  static std::unique_ptr<TempDir> dir;
  static TodayRun run;
  if (dir) return run;
  dir = std::make_unique<TempDir>();
  run.run_dir = dir->file("run");
  run.towers_dir = dir->file("towers");
  run.today_dir = dir->file("today");
  const RunOptions o =
      load_run_options("", {"name=today", "out=" + run.run_dir, "data.synthetic.users=150",
                            "data.synthetic.items=400", "data.synthetic.ratings_per_user=20",
                            "features.watched_items=120", "features.item_ids=100",
                            "model.user_hidden=[16]", "model.item_hidden=[16]", "model.dim=8",
                            "train.epochs=2", "train.batch_size=64", "train.lr=0.003"});
  run_training(o, {});
  export_run_towers(run.run_dir, run.towers_dir);

  fs::create_directories(run.today_dir);
  const std::string data = run.run_dir + "/data/";
  const std::string movies = slurp(data + "movies.csv");
  const std::string genres = some_genres(movies);
  dir->write("today/movies.csv", hostile_movies(movies) +
                                     "401,\"New, \"\"Improved\"\" Item (2001)\"," + genres + "\n" +
                                     "402,Strange Item (2002),Anime\n");
  const std::string users = slurp(data + "users.csv");
  const std::string first_user = second_line(users);  // 1,AGE,GENDER,OCCUPATION
  const std::string rest = first_user.substr(first_user.find(','));
  dir->write("today/users.csv", users + "151" + rest + "\n152" + rest + "\n");
  dir->write("today/ratings.csv", slurp(data + "ratings.csv") +
                                      "151,1,4.0,1700000000\n151,2,5.0,1700000001\n"
                                      "151,3,4.5,1700000002\n151,401,4.0,1700000003\n");
  return run;
}

}  // namespace towerrec::test
