// The YAML side of config/yaml_config: a visitor that reads an options struct (anything with
// visit(), see config/field.h) from a YAML node, and the --set override. Private to yaml_config.cpp
// and the config tests, so yaml-cpp's headers stay out of every other file.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/field.h"
#include "config/options.h"
#include "core/error.h"

namespace towerrec {

// Applies "a.b.c=value" to a YAML tree (creating maps as needed); records the origin of the key.
void apply_override(YAML::Node& root, const std::string& assignment,
                    std::map<std::string, std::string>& origins);

namespace detail {

template <class T, class = void>
struct has_visit : std::false_type {};
template <class T>
struct has_visit<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<int&>()))>>
    : std::true_type {};

// Visits a struct's fields against a YAML map node.
class YamlLoader {
 public:
  YamlLoader(const YAML::Node& node, std::string file, std::string prefix,
             const std::map<std::string, std::string>* origins)
      : node_(node), file_(std::move(file)), prefix_(std::move(prefix)), origins_(origins) {}

  template <class T>
  void field(const char* key, T& out, const char* /*doc*/, const Check& check = Check::any()) {
    seen_.insert(key);
    if (!node_.IsMap()) return;
    YAML::Node n = node_[key];
    if (!n.IsDefined() || n.IsNull()) return;
    read_value(n, prefix_ + key, out, check);
  }

  template <class T>
  void section(const char* key, T& out, const char* /*doc*/) {
    seen_.insert(key);
    if (!node_.IsMap()) return;
    YAML::Node n = node_[key];
    if (!n.IsDefined() || n.IsNull()) return;
    const std::string path = prefix_ + key;
    if (!n.IsMap()) fail(n, path, "a mapping of keys", "a " + kind_of(n));
    YamlLoader sub(n, file_, path + ".", origins_);
    out.visit(sub);
    sub.reject_unknown();
  }

  // Every key present in the node but never visited is an error.
  void reject_unknown() const;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& expected,
                         const std::string& found) const;

 private:
  static std::string kind_of(const YAML::Node& n);
  std::string scalar_of(const YAML::Node& n) const;

  void read_value(const YAML::Node& n, const std::string& path, std::string& out, const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, bool& out, const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, double& out, const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, int64_t& out, const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, uint64_t& out, const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, std::vector<int64_t>& out,
                  const Check& c);
  void read_value(const YAML::Node& n, const std::string& path, std::vector<std::string>& out,
                  const Check& c);
  // An enum-valued option: one of its names (config/option_enum.h).
  template <class E, std::enable_if_t<is_option_enum<E>::value, int> = 0>
  void read_value(const YAML::Node& n, const std::string& path, E& out, const Check&) {
    std::string name;
    read_value(n, path, name, Check::one_of(enum_names<E>()));
    parse_enum(name, out);
  }

  YAML::Node node_;
  std::string file_;
  std::string prefix_;
  const std::map<std::string, std::string>* origins_;
  std::set<std::string> seen_;
};

}  // namespace detail

// Loads any options struct from a YAML node (the root of `file`).
template <class T>
void load_options(const YAML::Node& root, const std::string& file, T& out,
                  const std::map<std::string, std::string>* origins = nullptr) {
  detail::YamlLoader loader(root, file, "", origins);
  if (root.IsDefined() && !root.IsNull() && !root.IsMap())
    loader.fail(root, "(top level)", "a mapping of keys", "not a mapping");
  out.visit(loader);
  loader.reject_unknown();
}

}  // namespace towerrec
