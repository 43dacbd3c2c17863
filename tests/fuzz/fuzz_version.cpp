// Version::parse on arbitrary text (tool/core/knowledge/version.hpp).
// Invariants: parse never throws or crashes; a parsed version keeps its text, re-parses from it
// to an equal version, and compares consistently with itself and with a second parsed version.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/knowledge/version.hpp"
#include "fuzz_check.hpp"

using stackctl::Version;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A newline splits the input into two versions to compare.
  const auto nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  const std::string_view second = nl == std::string_view::npos ? "" : text.substr(nl + 1);
  const auto a = Version::parse(first);
  const auto b = Version::parse(second);
  if (a) {
    FUZZ_CHECK(a->text() == first, "a version keeps its text");
    FUZZ_CHECK(a->size() >= 1, "a version has a part");
    for (int p : a->parts()) FUZZ_CHECK(p >= 0, "parts are non-negative");
    const auto again = Version::parse(a->text());
    FUZZ_CHECK(again && *again == *a, "a version re-parses from its text to an equal version");
    FUZZ_CHECK((*a <=> *a) == 0, "a version equals itself");
    FUZZ_CHECK(a->starts_with(*a), "a version starts with itself");
    FUZZ_CHECK(Version::parse(a->line()).has_value(), "line() parses");
  }
  if (a && b) {
    const auto ab = *a <=> *b;
    const auto ba = *b <=> *a;
    FUZZ_CHECK((ab < 0) == (ba > 0) && (ab == 0) == (ba == 0), "comparison is antisymmetric");
    FUZZ_CHECK(a->same_prefix(*b, 2) == b->same_prefix(*a, 2), "same_prefix is symmetric");
  }
  return 0;
}
