#include "core/knowledge/version.hpp"

#include <charconv>

namespace stackctl {

std::optional<Version> Version::parse(std::string_view text) {
  Version v;
  v.text_ = std::string(text);
  std::size_t i = 0;
  while (true) {
    int value = 0;
    const char* begin = text.data() + i;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc{} || ptr == begin || value < 0) return std::nullopt;
    v.parts_.push_back(value);
    i = static_cast<std::size_t>(ptr - text.data());
    if (i == text.size()) break;
    if (text[i] == '.') {
      ++i;
      continue;
    }
    if (text[i] == '-' || text[i] == '+') {
      v.suffix_ = std::string(text.substr(i));
      if (v.suffix_.size() == 1) return std::nullopt;
      break;
    }
    return std::nullopt;
  }
  return v;
}

std::string Version::line() const {
  return std::to_string(major()) + "." + std::to_string(minor());
}

bool Version::same_prefix(const Version& other, std::size_t n) const {
  for (std::size_t i = 0; i < n; ++i)
    if (part(i) != other.part(i)) return false;
  return true;
}

bool Version::starts_with(const Version& prefix) const {
  if (prefix.size() > size()) return false;
  return same_prefix(prefix, prefix.size());
}

std::strong_ordering Version::operator<=>(const Version& other) const {
  const std::size_t n = std::max(size(), other.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (auto c = part(i) <=> other.part(i); c != 0) return c;
  }
  if (suffix_.empty() != other.suffix_.empty())
    return suffix_.empty() ? std::strong_ordering::greater : std::strong_ordering::less;
  return suffix_.compare(other.suffix_) <=> 0;
}

}  // namespace stackctl
