// The stack loader and validation (tool/core/stack/loader.hpp) with the built-in catalog: what
// `stackctl validate` runs on a stack file, on arbitrary bytes.
// Invariants: never throws or crashes; every problem is a diagnostic with a code, a message and
// the file's name; a stack that validates without errors loads for its base and every target.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/knowledge/catalog.hpp"
#include "core/stack/loader.hpp"
#include "fuzz_check.hpp"

using namespace stackctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const catalog::Catalog& cat = catalog::builtin_catalog();
  const Diagnostics diags = validate_stack(text, "fuzz.stack.yaml", &cat);
  for (const auto& d : diags.items()) {
    FUZZ_CHECK(!d.code.empty(), "a diagnostic has a code");
    FUZZ_CHECK(!d.message.empty(), "a diagnostic has a message");
    FUZZ_CHECK(d.loc.file.empty() || d.loc.file == "fuzz.stack.yaml",
               "a diagnostic names the stack file");
    (void)format_diagnostic(d);
  }
  if (!diags.has_errors()) {
    Diagnostics again;
    LoadOptions options{"fuzz.stack.yaml", "", &cat};
    const auto stack = load_stack(text, options, again);
    FUZZ_CHECK(stack.has_value(), "a valid stack loads");
    FUZZ_CHECK(!again.has_errors(), "a valid stack loads without errors");
    for (const auto& target : stack->targets) {
      Diagnostics t;
      LoadOptions o{"fuzz.stack.yaml", target.name, &cat};
      FUZZ_CHECK(load_stack(text, o, t).has_value() && !t.has_errors(),
                 "every target of a valid stack loads");
    }
  }
  return 0;
}
