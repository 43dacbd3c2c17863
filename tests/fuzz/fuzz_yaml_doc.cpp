// doc::parse and doc::parse_all (tool/core/stack/doc.hpp): yaml-cpp's parser and the tree that
// keeps positions, on arbitrary bytes.
// Invariants: never throws or crashes (no yaml-cpp exception escapes); malformed YAML is an error
// value naming the file; every diagnostic has a code and a message; merge() of a tree with itself
// does not crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/stack/doc.hpp"
#include "fuzz_check.hpp"

using namespace stackctl;

namespace {

void check_diags(const Diagnostics& diags) {
  for (const auto& d : diags.items()) {
    FUZZ_CHECK(!d.code.empty(), "a diagnostic has a code");
    FUZZ_CHECK(!d.message.empty(), "a diagnostic has a message");
    FUZZ_CHECK(d.loc.file == "fuzz.yaml", "a diagnostic names the file");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    Diagnostics diags;
    const auto node = doc::parse(text, "fuzz.yaml", diags);
    check_diags(diags);
    if (node) {
      const doc::Node merged = doc::merge(*node, *node);
      FUZZ_CHECK(merged.kind == node->kind, "merging a tree with itself keeps its kind");
    } else {
      FUZZ_CHECK(!node.error().message.empty(), "a YAML error says why");
      FUZZ_CHECK(node.error().loc.file == "fuzz.yaml", "a YAML error names the file");
    }
  }
  {
    Diagnostics diags;
    const auto nodes = doc::parse_all(text, "fuzz.yaml", diags);
    check_diags(diags);
    if (!nodes) FUZZ_CHECK(!nodes.error().message.empty(), "a YAML error says why");
  }
  return 0;
}
