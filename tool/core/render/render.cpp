#include "core/render/render.hpp"

#include <algorithm>

#include "core/image_ref.hpp"
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

namespace {

// Request::image_refs and Request::spark_role_arns name images and targets of the stack; the
// per-target checks (an ARN for a target that has no IRSA) are render_manifests'.
void check_late_values(const Request& request, Diagnostics& diags) {
  const model::Stack& base = *request.base;
  for (const auto& [image, ref] : request.image_refs) {
    if (base.find_image(image) == nullptr)
      diags.error(
          "E_VALUE", base.locs.at("images"), "images",
          "an image reference was given for \"" + image + "\", which is not an image of this stack",
          "the lock or the caller names images the stack no longer has: run `stackctl "
          "lock` again");
    if (auto parsed = parse_image_ref(ref); !parsed)
      diags.error(
          "E_VALUE", base.locs.at("images"), "images",
          "the image reference given for \"" + image + "\" is invalid: " + parsed.error().message,
          parsed.error().hint);
  }
  for (const auto& [target, arn] : request.spark_role_arns) {
    const bool rendered = std::any_of(request.targets.begin(), request.targets.end(),
                                      [&](const model::Stack* s) { return s->target == target; });
    if (!rendered)
      diags.error("E_VALUE", base.locs.at("targets"), "targets",
                  "a spark role ARN was given for target \"" + target +
                      "\", which is not a target being rendered");
  }
}

}  // namespace

std::expected<Result, Diagnostics> render(const Request& request) {
  detail::Output out;
  out.observer = request.observer;
  check_late_values(request, out.diags);
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
  // The NN- prefix of a manifest's file name is its apply rank, so path order is apply order.
  for (auto& [target, list] : out.manifests)
    std::stable_sort(list.begin(), list.end(),
                     [](const Manifest& a, const Manifest& b) { return a.path < b.path; });
  return Result{std::move(out.files), std::move(out.manifests), std::move(out.images),
                std::move(out.client_applications)};
}

std::expected<std::vector<File>, Diagnostics> render_all(const Request& request) {
  auto result = render(request);
  if (!result) return std::unexpected(std::move(result.error()));
  return std::move(result->files);
}

std::map<std::string, std::string> lock_image_refs(const lock::Lock& lock) {
  std::map<std::string, std::string> refs;
  for (const auto& image : lock.images) {
    if (image.digest.empty()) continue;
    // `ref` is repository:tag as render wrote it; a ':' after the last '/' starts the tag (one
    // before it is a registry's port).
    const auto slash = image.ref.rfind('/');
    const auto colon = image.ref.rfind(':');
    const bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
    refs[image.name] = (tagged ? image.ref.substr(0, colon) : image.ref) + "@" + image.digest;
  }
  return refs;
}

}  // namespace stackctl::render
