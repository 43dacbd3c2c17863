// Files built into the binary (catalog, templates, image recipes, Terraform modules), so a built
// stackctl works from any directory. Paths are relative to the project root
// ("stacks/catalog.yaml").
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/diag.hpp"

namespace stackctl::resources {

struct Resource {
  std::string_view path;
  std::string_view data;
};

// Every embedded file, sorted by path.
std::span<const Resource> all();

// One file's bytes, or nullopt.
std::optional<std::string_view> find(std::string_view path);

// A build defect, not a user error (embedded data is part of the binary and is tested): prints
// "stackctl: internal error: the embedded <what> is broken:" and `details` on stderr, aborts.
[[noreturn]] void broken_builtin(std::string_view what, const std::string& details);

// The embedded file `path` parsed by `parse(text, path)` (an expected<T, Diagnostics>); a missing
// or unparsable one is broken_builtin(what, ...) with every diagnostic.
template <class Parse>
auto parse_builtin(std::string_view path, std::string_view what, Parse parse) {
  const auto text = find(path);
  if (!text) broken_builtin(what, std::string(path) + " is not embedded in this binary\n");
  auto parsed = parse(*text, std::string(path));
  if (!parsed) {
    std::string details;
    for (const auto& d : parsed.error().items()) details += format_diagnostic(d) + "\n";
    broken_builtin(what, details);
  }
  return std::move(*parsed);
}

}  // namespace stackctl::resources
