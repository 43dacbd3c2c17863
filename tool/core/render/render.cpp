#include "core/render/render.hpp"

#include <algorithm>

#include "core/render/parts.hpp"
#include "core/resources.hpp"

namespace stackctl::render {

Templates Templates::builtin() {
  Templates t;
  for (const auto& r : resources::all()) {
    const std::string_view p = r.path;
    if (p.starts_with("templates/") || p.starts_with("images/") ||
        p.starts_with("terraform/modules/")) {
      t.texts_.emplace(std::string(p), std::string(r.data));
    }
  }
  return t;
}

void Templates::override_with(const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) {
    texts_[name] = text;
    overridden_[name] = true;
  }
}

const std::string* Templates::find(std::string_view name) const {
  auto it = texts_.find(name);
  return it == texts_.end() ? nullptr : &it->second;
}

std::vector<std::string> Templates::names_under(std::string_view prefix) const {
  std::vector<std::string> out;
  for (auto it = texts_.lower_bound(prefix); it != texts_.end() && it->first.starts_with(prefix);
       ++it)
    out.push_back(it->first);
  return out;
}

bool Templates::overridden(std::string_view name) const {
  return overridden_.contains(name);
}

std::expected<std::vector<File>, Diagnostics> render_all(const Request& request) {
  detail::Output out;
  detail::render_images(request, out);
  detail::render_terraform_modules(request, out);
  for (const model::Stack* stack : request.targets) {
    detail::render_config(request, *stack, out);
    detail::render_manifests(request, *stack, out);
    detail::render_terraform(request, *stack, out);
  }
  if (out.diags.has_errors()) return std::unexpected(std::move(out.diags));
  std::sort(out.files.begin(), out.files.end(),
            [](const File& a, const File& b) { return a.path < b.path; });
  return std::move(out.files);
}

}  // namespace stackctl::render
