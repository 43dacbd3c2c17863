#include "core/resources.hpp"

#include <cstdio>
#include <cstdlib>

namespace stackctl::resources {

std::optional<std::string_view> find(std::string_view path) {
  for (const auto& r : all())
    if (r.path == path) return r.data;
  return std::nullopt;
}

void broken_builtin(std::string_view what, const std::string& details) {
  const std::string message =
      "stackctl: internal error: the embedded " + std::string(what) + " is broken:\n" + details;
  std::fputs(message.c_str(), stderr);
  std::abort();
}

}  // namespace stackctl::resources
