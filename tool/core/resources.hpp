// Files built into the binary (catalog, templates, image recipes, Terraform modules), so a built
// stackctl works from any directory. Paths are relative to the project root
// ("stacks/catalog.yaml").
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace stackctl::resources {

struct Resource {
  std::string_view path;
  std::string_view data;
};

// Every embedded file, sorted by path.
std::span<const Resource> all();

// One file's bytes, or nullopt.
std::optional<std::string_view> find(std::string_view path);

}  // namespace stackctl::resources
