// Enum-valued options. Each enum lists its YAML names once, in an EnumNames specialisation beside
// it (index = value); the loader, the resolved-config writer, the docs and the checkpoint's copy
// of the options read and write the names through these helpers, so code compares enumerators,
// never strings.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

namespace towerrec {

// Specialise with `static constexpr const char* kNames[] = {...};` in enumerator order.
template <class E>
struct EnumNames;

template <class E, class = void>
struct is_option_enum : std::false_type {};
template <class E>
struct is_option_enum<E, std::void_t<decltype(EnumNames<E>::kNames)>> : std::true_type {};

// The YAML name of `e`.
template <class E>
const char* enum_name(E e) {
  return EnumNames<E>::kNames[static_cast<size_t>(e)];
}

// Every name, in enumerator order (the loader's "expected one of: ...").
template <class E>
std::vector<std::string> enum_names() {
  return {std::begin(EnumNames<E>::kNames), std::end(EnumNames<E>::kNames)};
}

// Sets `out` to the enumerator named `name`; false (and `out` unchanged) for an unknown name.
template <class E>
bool parse_enum(const std::string& name, E& out) {
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < std::size(names); ++i)
    if (name == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}

}  // namespace towerrec
