# Fallback data for scripts/bench_ingest when `towerrec generate` is unavailable: writes
# dir/movies.csv (items movies) and dir/ratings.csv (users x per_user ratings, grouped by user, random
# items, half-star ratings, increasing timestamps). Usage:
#   awk -v users=160000 -v items=60000 -v per_user=156.25 -v dir=/tmp/x -f bench_ingest_data.awk
BEGIN {
  srand(11)
  movies = dir "/movies.csv"
  print "movieId,title,genres" > movies
  for (i = 1; i <= items; i++) printf "%d,Item %d (%d),Drama|Comedy\n", i, i, 1950 + i % 70 > movies
  ratings = dir "/ratings.csv"
  print "userId,movieId,rating,timestamp" > ratings
  ts = 946684800
  for (u = 1; u <= users; u++) {
    n = int(per_user + rand())
    for (k = 0; k < n; k++) {
      printf "%d,%d,%.1f,%d\n", u, 1 + int(rand() * items), 0.5 * (1 + int(rand() * 10)), ts++ > ratings
    }
  }
}
