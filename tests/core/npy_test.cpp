#include "core/npy.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

std::string npy_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Runs /usr/bin/python3 with `code`; returns its stdout, or "" (and sets ok=false) on failure.
std::string python(const std::string& code, bool& ok) {
  const std::string cmd = "/usr/bin/python3 -c '" + code + "' 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    ok = false;
    return "";
  }
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ok = ::pclose(p) == 0;
  return out;
}

bool python_has_numpy() {
  bool ok = false;
  python("import numpy", ok);
  return ok;
}

}  // namespace

TEST_CASE("npy: float matrix written in chunks reads back", "[core]") {
  TempDir dir;
  const std::string path = dir.file("v.npy");
  std::vector<float> values(7 * 3);
  for (size_t i = 0; i < values.size(); ++i) values[i] = 0.5f * static_cast<float>(i) - 3.0f;
  NpyWriter w(path, NpyDtype::kFloat32, 7, 3);
  w.append(values.data(), 4);
  CHECK_FALSE(std::filesystem::exists(path));  // nothing visible before commit
  w.append(values.data() + 12, 3);
  w.commit();

  const NpyHeader h = read_npy_header(path);
  CHECK(h.dtype == NpyDtype::kFloat32);
  CHECK(h.shape == std::vector<int64_t>{7, 3});
  CHECK(h.data_offset % 64 == 0);
  const NpyMatrix<float> m = read_npy_f32(path);
  CHECK(m.rows == 7);
  CHECK(m.cols == 3);
  CHECK(m.data == values);

  // Streaming reads in uneven chunks.
  NpyReader r(path);
  std::vector<float> got(21);
  CHECK(r.read(got.data(), 5) == 5);
  CHECK(r.read(got.data() + 15, 5) == 2);
  CHECK(r.read(got.data(), 5) == 0);
  CHECK(got == values);
}

TEST_CASE("npy: integer arrays, 1-D and empty arrays round-trip", "[core]") {
  TempDir dir;
  const std::vector<int64_t> big = {0, -1, int64_t{1} << 40, 7, 8, 9};
  write_npy(dir.file("i8.npy"), big.data(), 3, 2);
  NpyMatrix<int64_t> m = read_npy_i64(dir.file("i8.npy"));
  CHECK(m.rows == 3);
  CHECK(m.cols == 2);
  CHECK(m.data == big);

  const std::vector<int32_t> small = {5, -6, 7};
  write_npy(dir.file("i4.npy"), small.data(), 3, -1);  // 1-D
  CHECK(read_npy_header(dir.file("i4.npy")).shape == std::vector<int64_t>{3});
  m = read_npy_i64(dir.file("i4.npy"));  // widened
  CHECK(m.rows == 3);
  CHECK(m.cols == 1);
  CHECK(m.data == std::vector<int64_t>{5, -6, 7});

  write_npy(dir.file("empty.npy"), static_cast<const float*>(nullptr), 0, 32);
  const NpyMatrix<float> e = read_npy_f32(dir.file("empty.npy"));
  CHECK(e.rows == 0);
  CHECK(e.cols == 32);
}

TEST_CASE("npy: a writer that did not get all rows leaves no file", "[core]") {
  TempDir dir;
  const std::string path = dir.file("short.npy");
  const float v[4] = {1, 2, 3, 4};
  {
    NpyWriter w(path, NpyDtype::kFloat32, 3, 2);
    w.append(v, 2);
    CHECK(npy_error([&] { w.commit(); }) == "cannot write " + path + ": expected 3 rows, got 2");
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(std::filesystem::is_empty(dir.path()));  // no temp file left behind either
}

TEST_CASE("npy: truncated, foreign and unsupported files throw FormatError with the byte",
          "[core]") {
  TempDir dir;
  const std::vector<float> v(10, 1.0f);
  write_npy(dir.file("ok.npy"), v.data(), 5, 2);
  std::string bytes = test::slurp(dir.file("ok.npy"));
  REQUIRE(bytes.size() == 128 + 40);

  const std::string cut = dir.write("cut.npy", bytes.substr(0, bytes.size() - 3));
  CHECK(npy_error([&] { read_npy_f32(cut); }) ==
        cut + ": byte 165: expected 40 data bytes for shape (5, 2) of <f4, found 37 (truncated?)");
  const std::string hdr = dir.write("hdr.npy", bytes.substr(0, 50));
  CHECK(npy_error([&] { read_npy_f32(hdr); }) ==
        hdr + ": byte 50: expected a header of 118 bytes, found end of file (truncated?)");
  const std::string tiny = dir.write("tiny.npy", bytes.substr(0, 7));
  CHECK(npy_error([&] { read_npy_f32(tiny); }) ==
        tiny + ": byte 7: expected a complete .npy preamble, found end of file");
  const std::string csv = dir.write("x.npy", "user,item,rating\n1,2,3\n");
  CHECK(npy_error([&] { read_npy_f32(csv); }) ==
        csv + ": byte 0: expected the .npy magic \"\\x93NUMPY\", found \"user,item,\"");

  std::string f8 = bytes;
  f8.replace(f8.find("<f4"), 3, "<f8");
  const std::string f8p = dir.write("f8.npy", f8);
  CHECK(npy_error([&] { read_npy_f32(f8p); }) ==
        f8p + ": byte 20: expected dtype '<f4', '<i8' or '<i4', found \"<f8\"");
  std::string fortran = bytes;
  fortran.replace(fortran.find("False"), 5, "True ");
  const std::string fp = dir.write("f.npy", fortran);
  CHECK(npy_error([&] { read_npy_f32(fp); }) ==
        fp + ": byte 44: expected C order (fortran_order: False), found Fortran order");

  std::vector<int64_t> ints = {1, 2};
  write_npy(dir.file("ints.npy"), ints.data(), 2, 1);
  CHECK(npy_error([&] { read_npy_f32(dir.file("ints.npy")); }) ==
        dir.file("ints.npy") + ": byte 0: expected dtype '<f4', found '<i8'");
  CHECK(npy_error([&] { read_npy_i64(dir.file("ok.npy")); }) ==
        dir.file("ok.npy") + ": byte 0: expected dtype '<i8' or '<i4', found '<f4'");
}

TEST_CASE("npy: numpy reads what we write and we read what numpy writes", "[core]") {
  if (!python_has_numpy()) {
    WARN("/usr/bin/python3 with numpy not found; skipping the numpy interop check");
    return;
  }
  TempDir dir;
  std::vector<float> v(300 * 5);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.25f;
  write_npy(dir.file("a.npy"), v.data(), 300, 5);
  const std::vector<int64_t> ids = {3, 1, 4};
  write_npy(dir.file("b.npy"), ids.data(), 3, -1);
  bool ok = false;
  const std::string out =
      python("import numpy as np; a = np.load(\"" + dir.file("a.npy") + "\"); b = np.load(\"" +
                 dir.file("b.npy") +
                 "\"); print(a.shape, a.dtype, float(a[299, 4]), float(a.sum()), b.shape, b.dtype, "
                 "b.tolist()); "
                 "np.save(\"" +
                 dir.file("c.npy") +
                 "\", np.arange(12, dtype=np.float32).reshape(4, 3) / 4); "
                 "np.save(\"" +
                 dir.file("d.npy") + "\", np.array([[7], [-9]], dtype=np.int32))",
             ok);
  REQUIRE(ok);
  CHECK(out == "(300, 5) float32 374.75 281062.5 (3,) int64 [3, 1, 4]\n");

  const NpyMatrix<float> c = read_npy_f32(dir.file("c.npy"));
  CHECK(c.rows == 4);
  CHECK(c.cols == 3);
  CHECK(c.data[11] == 2.75f);
  const NpyMatrix<int64_t> d = read_npy_i64(dir.file("d.npy"));
  CHECK(d.data == std::vector<int64_t>{7, -9});
}

TEST_CASE("npy: ids sidecar", "[core]") {
  TempDir dir;
  CHECK(ids_path_for("out/items.npy") == "out/items.ids");
  CHECK(ids_path_for("out/items") == "out/items.ids");
  const std::string path = dir.file("items.ids");
  write_ids(path, {"42", "Toy Story (1995)", "x"});
  CHECK(test::slurp(path) == "42\nToy Story (1995)\nx\n");
  CHECK(read_ids(path, 3) == std::vector<std::string>{"42", "Toy Story (1995)", "x"});
  CHECK(npy_error([&] { read_ids(path, 4); }) ==
        path + ":0: expected 4 ids (one per row of the matrix), found 3");
  CHECK(npy_error([&] {
          write_ids(dir.file("bad.ids"), {"a", "b\nc"});
        }) == "cannot write " + dir.file("bad.ids") +
                  ": id 1: expected a non-empty id without tabs or newlines, got \"b\\x0ac\"");
  const std::string gap = dir.write("gap.ids", "a\n\nb\n");
  CHECK(npy_error([&] { read_ids(gap); }) == gap + ":2: expected an id, got an empty line");
  CHECK(read_ids(dir.write("crlf.ids", "a\r\nb")) == std::vector<std::string>{"a", "b"});
}
