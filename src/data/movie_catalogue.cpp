#include "data/movie_catalogue.h"

#include <limits>

#include "core/error.h"
#include "data/dataset.h"
#include "data/delimited_reader.h"
#include "data/mapped_file.h"

namespace towerrec {

int32_t year_from_title(std::string_view title) {
  while (!title.empty() && (title.back() == ' ' || title.back() == '\t')) title.remove_suffix(1);
  if (title.size() < 6 || title.back() != ')' || title[title.size() - 6] != '(') return 0;
  int32_t year = 0;
  for (size_t i = title.size() - 5; i < title.size() - 1; ++i) {
    if (title[i] < '0' || title[i] > '9') return 0;
    year = year * 10 + (title[i] - '0');
  }
  return year;
}

int genre_bit(Dataset& data, const DelimitedReader& r, std::string_view name) {
  auto& names = data.item_meta.genre_names;
  for (size_t g = 0; g < names.size(); ++g) {
    if (names[g] == name) return static_cast<int>(g);
  }
  if (names.size() == 64) {
    r.fail("too many genres: at most 64 are supported, found a 65th, " +
           quote_found(std::string(name)));
  }
  names.emplace_back(name);
  return static_cast<int>(names.size() - 1);
}

void add_catalogue_item(Dataset& data, const DelimitedReader& r, int64_t id, std::string title,
                        int32_t year, std::string_view genres) {
  if (data.items.find(id) >= 0) {
    r.fail("movie id " + std::to_string(id) + " appears twice in the catalogue (each id once)");
  }
  data.items.add(id);
  uint64_t mask = 0;
  if (!genres.empty() && genres != "(no genres listed)") {
    size_t start = 0;
    for (;;) {
      const size_t bar = genres.find('|', start);
      const std::string_view g =
          genres.substr(start, bar == std::string_view::npos ? bar : bar - start);
      if (g.empty()) r.fail("empty genre name in " + quote_found(std::string(genres)));
      mask |= uint64_t{1} << genre_bit(data, r, g);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
  }
  data.item_meta.title.push_back(std::move(title));
  data.item_meta.year.push_back(year);
  data.item_meta.genres.push_back(mask);
}

void read_movies_csv(const std::string& path, Dataset& data) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected the header \"movieId,title,genres\"");
  DelimitedReader r(path, file.text(), ",", true);
  r.next();
  r.expect_header({"movieId", "title", "genres"});
  const size_t lines = DelimitedReader::count_lines(file.text());
  data.items.reserve(lines);
  data.item_meta.title.reserve(lines);
  while (r.next()) {
    r.expect_fields(3, "movieId,title,genres");
    const int64_t id = r.integer(0, "movieId", 0, std::numeric_limits<int32_t>::max());
    std::string title(r.utf8(1, "title"));
    const int32_t year = year_from_title(title);
    add_catalogue_item(data, r, id, std::move(title), year, r.utf8(2, "genres"));
  }
}

}  // namespace towerrec
