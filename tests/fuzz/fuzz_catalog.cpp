// catalog::parse_catalog (tool/core/knowledge/catalog.hpp) on arbitrary bytes, then the lookups
// check and lock make on a catalog that parsed.
// Invariants: never throws or crashes; a refused catalog has at least one error diagnostic, each
// with a message; lookups on a parsed catalog are safe for any version.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/knowledge/catalog.hpp"
#include "fuzz_check.hpp"

using namespace stackctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto cat = catalog::parse_catalog(text, "catalog.yaml");
  if (!cat) {
    FUZZ_CHECK(cat.error().has_errors(), "a refused catalog has an error");
    for (const auto& d : cat.error().items()) FUZZ_CHECK(!d.message.empty(), "errors say why");
    return 0;
  }
  for (std::string_view v : {"3.5.1", "4.0.0", "3.3", "2.4.8", "3.2.0", "0", "99.99.99"}) {
    const auto version = Version::parse(v);
    FUZZ_CHECK(version.has_value(), "test versions parse");
    (void)cat->spark_line(*version);
    (void)cat->knows_release(*version);
    (void)cat->sdk_for_hadoop(*version);
    (void)cat->runtime_line("io.delta", "delta-spark", *version);
  }
  for (const auto& line : cat->spark_lines) FUZZ_CHECK(!line.source.empty(), "rows cite a source");
  for (const auto& c : cat->checksums) (void)cat->checksums_for(c.artifact);
  (void)cat->has_runtime_table("io.delta", "delta-spark");
  return 0;
}
