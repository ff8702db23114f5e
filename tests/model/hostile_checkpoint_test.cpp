// Hostile model.ckpt files: one section per row, each a valid checkpoint mutated one way and the
// exact "file: byte N: ..." error of TwoTowerModel::load. Sizes declared by a corrupt header are
// checked against the file before any weights are allocated.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/options.h"
#include "hostile_case.h"
#include "model/two_tower_model.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_checkpoint {

using nlohmann::json;

// user 3 -> 4 -> 2, item 2 -> 2: 12 + 4 + 8 + 2 + 4 + 2 = 32 floats.
constexpr uint64_t kFloats = 32;

struct Ckpt {
  std::string bytes;
  uint32_t header_len = 0;
  uint64_t count_pos() const { return 16 + header_len; }
  uint64_t data_pos() const { return count_pos() + 8; }
  uint64_t hash_pos() const { return data_pos() + kFloats * 4; }
  json header() const { return json::parse(bytes.substr(16, header_len)); }
  // The same file with another header (the rest unchanged).
  std::string with_header(const std::string& text) const {
    std::string out = bytes.substr(0, 12);
    const auto n = static_cast<uint32_t>(text.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    return out + text + bytes.substr(count_pos());
  }
  std::string with_header(const std::function<void(json&)>& edit) const {
    json h = header();
    edit(h);
    return with_header(h.dump());
  }
};

const Ckpt& valid() {
  static Ckpt c;
  if (c.bytes.empty()) {
    ModelOptions opts;
    opts.user_hidden = {4};
    opts.item_hidden = {};
    opts.dim = 2;
    TempDir dir;
    TwoTowerModel(3, 2, opts, 7).save(dir.file("m.ckpt"), json{{"epoch", 1}});
    c.bytes = slurp(dir.file("m.ckpt"));
    std::memcpy(&c.header_len, c.bytes.data() + 12, 4);
    REQUIRE(c.bytes.size() == c.hash_pos() + 8);
  }
  return c;
}

struct CkptCase {
  std::string name;
  std::function<std::string(const Ckpt&)> bytes;     // kMakeDir: a directory
  std::function<std::string(const Ckpt&)> expected;  // message prefix after "m.ckpt: "
};

std::function<std::string(const Ckpt&)> text(std::string s) {
  return [s](const Ckpt&) { return s; };
}

void run(const CkptCase& c) {
  const Ckpt& ok = valid();
  TempDir dir;
  write_case_files(dir, {{"m.ckpt", c.bytes(ok)}});
  const std::string want = c.expected(ok);
  check_message(error_of([&] { TwoTowerModel::load(dir.file("m.ckpt")); }), dir.path(),
                want.find("{dir}") == std::string::npos ? "m.ckpt: " + want : want);
}

const bool registered = register_sections<CkptCase>(
    "hostile checkpoint: corrupt model.ckpt files, one section per case", "[model][hostile]",
    {
        {"zero-length file", text(""),
         text("byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower checkpoint), found \"\"")},
        {"wrong magic (an .npy file)", text("\x93NUMPY\x01\x00" + std::string(100, ' ')),
         text("byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower checkpoint), found "
              "\"\\x93NUMPY\\x01 \"")},
        {"truncated inside the version", text("TWOTOWER\x01"),
         text("byte 8: truncated: expected 4 bytes of format version, found 1")},
        {"unsupported version",
         [](const Ckpt& c) { return c.bytes.substr(0, 8) + "\x03" + c.bytes.substr(9); },
         text("byte 8: expected format version 2 (this build's), found 3")},
        {"an older version",
         [](const Ckpt& c) { return c.bytes.substr(0, 8) + "\x01" + c.bytes.substr(9); },
         text("byte 8: format version 1 is from an older towerrec (this build reads version 2): "
              "re-train the model (towerrec train)")},
        {"header length beyond the file",
         [](const Ckpt& c) {
           return c.bytes.substr(0, 12) + "\xff\xff\xff\x7f" + c.bytes.substr(16);
         },
         [](const Ckpt& c) {
           return "byte 16: truncated: expected 2147483647 bytes of header JSON, found " +
                  std::to_string(c.bytes.size() - 16);
         }},
        {"header not JSON", [](const Ckpt& c) { return c.with_header("{\"user_in\": 3,,}"); },
         text("byte 30: bad header JSON: [json.exception.parse_error.101] parse error at line 1, "
              "column 15")},
        {"header not an object", [](const Ckpt& c) { return c.with_header("[1, 2]"); },
         text("byte 16: bad header: expected a JSON object")},
        {"header missing user_in",
         [](const Ckpt& c) { return c.with_header([](json& h) { h.erase("user_in"); }); },
         text("byte 16: bad header: [json.exception.out_of_range.403] key 'user_in' not found")},
        {"user_in of the wrong type",
         [](const Ckpt& c) { return c.with_header([](json& h) { h["user_in"] = "three"; }); },
         text("byte 16: bad header: [json.exception.type_error.302] type must be number, but is "
              "string")},
        {"user_in negative",
         [](const Ckpt& c) { return c.with_header([](json& h) { h["user_in"] = -3; }); },
         text("byte 16: bad header: two-tower model: user features: expected a size >= 1, got -3")},
        {"user_in huge (must not allocate terabytes)",
         [](const Ckpt& c) { return c.with_header([](json& h) { h["user_in"] = 1000000000000; }); },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.count_pos() + 12) +  // 12 more digits in the header
                  ": expected 4000000000020 floats (the sum of the tensor sizes), found 32";
         }},
        {"user_in huge with a matching float count (must not allocate terabytes)",
         [](const Ckpt& c) {
           std::string b = c.with_header([](json& h) { h["user_in"] = 1000000000000; });
           const uint64_t count = 4000000000020;
           b.replace(c.count_pos() + 12, 8, reinterpret_cast<const char*>(&count), 8);
           return b;
         },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.count_pos() + 20) +
                  ": truncated: expected 16000000000080 bytes of weights, found 136";
         }},
        {"hidden sizes overflowing 64 bits",
         [](const Ckpt& c) {
           return c.with_header([](json& h) {
             h["model"]["user_hidden"] = {10000000000LL, 10000000000LL};
           });
         },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.count_pos() + 22) +  // a longer header
                  ": expected more than 2^64 floats (the sum of the tensor sizes), found 32";
         }},
        {"tensor list renamed",
         [](const Ckpt& c) {
           return c.with_header([](json& h) { h["tensors"][0]["name"] = "user.0.w"; });
         },
         text("byte 16: tensor 0: expected user.0.weight [4, 3] (from the header's model options), "
              "found user.0.w [4, 3]")},
        {"tensor shape not integers",
         [](const Ckpt& c) {
           return c.with_header([](json& h) { h["tensors"][1]["shape"] = {"a"}; });
         },
         text(
             "byte 16: tensor 1: expected user.0.bias [4] (from the header's model options), found "
             "user.0.bias \"[\\\"a\\\"]\"")},
        {"tensor missing",
         [](const Ckpt& c) { return c.with_header([](json& h) { h["tensors"].erase(5); }); },
         text(
             "byte 16: tensor 5: expected item.0.bias [2] (from the header's model options), found "
             "no more tensors")},
        {"float count differs",
         [](const Ckpt& c) {
           std::string b = c.bytes;
           b[c.count_pos()] = 33;
           return b;
         },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.count_pos()) +
                  ": expected 32 floats (the sum of the tensor sizes), found 33";
         }},
        {"truncated weights", [](const Ckpt& c) { return c.bytes.substr(0, c.data_pos() + 50); },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.data_pos()) +
                  ": truncated: expected 128 bytes of weights, found 50";
         }},
        {"truncated hash", [](const Ckpt& c) { return c.bytes.substr(0, c.bytes.size() - 3); },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.hash_pos()) +
                  ": truncated: expected 8 bytes of hash, found 5";
         }},
        {"weights corrupted",
         [](const Ckpt& c) {
           std::string b = c.bytes;
           b[c.data_pos() + 17] ^= 0x40;
           return b;
         },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.hash_pos()) +
                  ": expected the FNV-1a hash of the preceding bytes: the file is corrupt";
         }},
        {"trailing bytes", [](const Ckpt& c) { return c.bytes + "abc"; },
         [](const Ckpt& c) {
           return "byte " + std::to_string(c.bytes.size()) +
                  ": expected the end of the file, found 3 more bytes";
         }},
        {"10 MB of garbage", text(ten_megabytes('\xff')),
         text("byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower checkpoint), found "
              "\"\\xff\\xff")},
        {"a directory where the file was expected", text(kMakeDir),
         text("cannot read {dir}/m.ckpt: it is a directory, expected a file")},
    },
    run);

}  // namespace towerrec::test::hostile_checkpoint
