#include "eval/html_report.h"

#include <catch2/catch.hpp>

using namespace towerrec;

TEST_CASE("html report: half-star histogram bins and clamps", "[eval]") {
  const auto h = half_star_histogram({0.5f, 0.7f, 1.0f, 4.9f, 5.0f, 7.0f, -1.0f}, 0.5, 5.0);
  REQUIRE(h.size() == 10);
  CHECK(h[0] == 3);  // 0.5, 0.7 (nearer 0.5 than 1.0), -1 (clamped)
  CHECK(h[1] == 1);  // 1.0
  CHECK(h[9] == 3);  // 4.9, 5.0, 7 (clamped)
}

TEST_CASE("html report: self-contained page with table, bars, curves and distributions", "[eval]") {
  ReportInput in;
  in.title = "t <&> x";
  in.summary = "summary";
  in.table.k = 10;
  ComparisonRow a;
  a.model = "two_tower";
  a.test_rmse = 0.9;
  a.test_mae = 0.7;
  a.recall_at_k = 0.1;
  a.ndcg_at_k = 0.2;
  a.train_seconds = 3.5;
  ComparisonRow b;
  b.model = "global_mean";
  b.test_rmse = 1.1;
  b.test_mae = 0.95;
  in.table.rows = {a, b};
  ReportModel m;
  m.name = "two_tower";
  m.loss_label = "MSE";
  m.train_loss = {"train", {1, 2, 3}, {0.3, 0.2, 0.1}};
  m.val_loss = {"validation", {1, 2, 3}, {0.35, 0.25, 0.2}};
  m.predicted = {3.5f, 4.0f};
  m.actual = {3.0f, 4.5f};
  in.models = {m};
  const std::string html = render_html_report(in);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("t &lt;&amp;&gt; x") != std::string::npos);
  CHECK(html.find("<td>two_tower</td><td>0.9000</td><td>0.7000</td><td>0.1000</td><td>0.2000</td>"
                  "<td>3.50</td>") != std::string::npos);
  CHECK(html.find("<td>global_mean</td><td>1.1000</td><td>0.9500</td><td>&mdash;</td>") !=
        std::string::npos);
  CHECK(html.find("two_tower: training and validation") != std::string::npos);
  CHECK(html.find("two_tower: rating distribution") != std::string::npos);
  CHECK(html.find("<polyline") != std::string::npos);
  // No scripts and no network: the only URL is the SVG namespace.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  size_t pos = 0, urls = 0, svgs = 0;
  while ((pos = html.find("http://", pos)) != std::string::npos) {
    ++urls;
    if (html.compare(pos, 26, "http://www.w3.org/2000/svg") == 0) ++svgs;
    ++pos;
  }
  CHECK(urls == svgs);
}

TEST_CASE("html report: beyond accuracy, accuracy against popularity, CF panels", "[eval]") {
  ReportInput in;
  in.title = "t";
  in.table.k = 10;
  ComparisonRow a;
  a.model = "cf";
  a.recall_at_k = 0.2;
  a.coverage = 0.25;
  a.gini = 0.5;
  a.avg_popularity = 40;
  a.novelty = 8.25;
  a.diversity = 0.6;
  a.diversity_vectors = "item vectors";
  ComparisonRow e;
  e.model = "ease";
  e.note = "skipped: 30000 items > eval.ease_max_items (20000)";
  in.table.rows = {a, e};
  ReportModel m;
  m.name = "cf";
  m.loss_label = "cost J";
  m.val_label = "RMSE (stars)";
  m.train_loss = {"train", {1, 2}, {6.5e6, 3.25e6}};
  m.val_loss = {"validation", {1, 2}, {0.95, 0.9}};
  in.models = {m};
  const std::string html = render_html_report(in);
  CHECK_THAT(html, Catch::Contains("<td>cf</td><td>0.2500</td><td>0.5000</td><td>40.0</td>"
                                   "<td>8.250</td><td>0.6000 (item vectors)</td>"));
  CHECK_THAT(html, Catch::Contains("<p>ease: skipped: 30000 items &gt; eval.ease_max_items "
                                   "(20000)</p>"));
  CHECK_THAT(html, Catch::Contains("Accuracy against popularity bias"));
  CHECK_THAT(html, Catch::Contains("<circle"));
  // J and validation RMSE each get a panel; J in millions, in plain digits.
  CHECK_THAT(html, Catch::Contains("cf: training</text>"));
  CHECK_THAT(html, Catch::Contains("cf: validation</text>"));
  CHECK_THAT(html, Catch::Contains("cost J (millions)"));
  CHECK(html.find("e+0") == std::string::npos);
}

TEST_CASE("svg chart: plain-number tick labels", "[eval]") {
  CHECK(plain_number(6520) == "6,520");
  CHECK(plain_number(1234567.4) == "1,234,567");
  CHECK(plain_number(-2500) == "-2,500");
  CHECK(plain_number(0.5) == "0.5");
  CHECK(plain_number(12.3456) == "12.346");
  CHECK(plain_number(0.00123) == "0.00123");
  CHECK(plain_number(0) == "0");
  CHECK(plain_number(999.9999) == "1000");
}

TEST_CASE("svg chart: ticks at round steps", "[eval]") {
  CHECK(nice_ticks(1, 4) == std::vector<double>{1, 2, 3, 4});
  CHECK(nice_ticks(1, 10) == std::vector<double>{2, 4, 6, 8, 10});
  const std::vector<double> t = nice_ticks(0, 0.229);
  REQUIRE(t.size() == 5);
  CHECK(t[1] == Approx(0.05));
  CHECK(t[4] == Approx(0.2));
  CHECK(nice_ticks(31195, 50997) == std::vector<double>{35000, 40000, 45000, 50000});
  CHECK(nice_ticks(3, 3) == std::vector<double>{3});
}
