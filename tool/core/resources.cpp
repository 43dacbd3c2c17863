#include "core/resources.hpp"

namespace stackctl::resources {

std::optional<std::string_view> find(std::string_view path) {
  for (const auto& r : all())
    if (r.path == path) return r.data;
  return std::nullopt;
}

}  // namespace stackctl::resources
