// Splitting one fuzz input into several documents (HTTP bodies, a header, a file), so one target
// can answer a whole exchange from one input. Parts are separated by a line "--part--"; missing
// parts are empty. Seeds under corpus/<target>/ are written in this form (tests/fuzz/seeds.py).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stackctl::fuzz {

inline constexpr std::string_view kPartSeparator = "\n--part--\n";

inline std::vector<std::string> split_parts(const std::uint8_t* data, std::size_t size,
                                            std::size_t count) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() + 1 < count) {
    const auto at = rest.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + kPartSeparator.size());
  }
  parts.emplace_back(rest);
  parts.resize(count);
  return parts;
}

}  // namespace stackctl::fuzz
