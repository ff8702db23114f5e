// The item catalogue of MovieLens-style data: movie ids in catalogue order, titles, years and
// genres. Shared by the MovieLens readers (movies.csv, movies.dat, u.item) and the content lab
// (content_movie_list.csv).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace towerrec {

struct Dataset;
class DelimitedReader;

// 1995 for "Toy Story (1995)" (trailing spaces ignored); 0 when the title does not end in "(YYYY)".
int32_t year_from_title(std::string_view title);

// Adds one catalogue item to data.items and data.item_meta. `genres` is '|'-separated ("" and
// "(no genres listed)" mean none); unknown genre names are appended to item_meta.genre_names.
// Throws through `r` (the current record) on a repeated id or a 65th genre.
void add_catalogue_item(Dataset& data, const DelimitedReader& r, int64_t id, std::string title,
                        int32_t year, std::string_view genres);

// Sets bit `genre` of item `index`, registering the name when new; throws through `r` past 64
// genres.
int genre_bit(Dataset& data, const DelimitedReader& r, std::string_view name);

// Reads a "movieId,title,genres" CSV (MovieLens movies.csv, the content lab's
// content_movie_list.csv) into data.items / data.item_meta, in file order.
void read_movies_csv(const std::string& path, Dataset& data);

}  // namespace towerrec
