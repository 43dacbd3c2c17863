// Internal to rendering: the pieces render_all() puts together. One file each:
//   template.cpp   strict mustache expansion
//   common.cpp     values several outputs share (image refs, spark-defaults, sizes, quoting)
//   images.cpp     build contexts (Dockerfiles and recipe files) per image
//   manifests.cpp  Kubernetes manifests per target
//   config.cpp     spark-defaults.conf and spark.env per target
//   terraform.cpp  Terraform root modules per target and the static modules
#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <string_view>

#include "core/render/render.hpp"

namespace stackctl::render::detail {

using Data = kainjow::mustache::data;

struct Output {
  std::vector<File> files;
  std::map<std::string, std::vector<Manifest>> manifests;  // by target, in emit order
  std::vector<ImageContext> images;                        // Result::images (no files)
  std::vector<ClientApplication> client_applications;      // Result::client_applications
  Diagnostics diags;
  ExpansionObserver* observer = nullptr;  // Request::observer
};

// Tells the observer (if any) that the last expansion became the file at `path` after `post`
// (ExpansionObserver::written).
inline void note_written(Output& out, std::string_view path, std::string_view post) {
  if (out.observer != nullptr) out.observer->written(path, post);
}

// Expands template `name` with `view`, strictly: every name the template looks up must exist in
// the view (views define every key, with false or an empty list for what is absent). A missing
// template, a syntax error or an unknown variable is reported as E_TEMPLATE naming the template
// and the variable; the result is then "".
std::string expand(const Templates& templates, std::string_view name, const Data& view,
                   Output& out);

void render_images(const Request& request, Output& out);
void render_manifests(const Request& request, const model::Stack& stack, Output& out);
void render_config(const Request& request, const model::Stack& stack, Output& out);
void render_terraform(const Request& request, const model::Stack& stack, Output& out);
// The static modules under terraform/modules, once for all targets.
void render_terraform_modules(const Request& request, Output& out);

}  // namespace stackctl::render::detail
