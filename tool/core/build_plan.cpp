#include "core/build_plan.hpp"

#include <algorithm>

#include "core/render/common.hpp"
#include "core/stack_loader.hpp"

namespace stackctl::plan {

const char* to_string(Action a) {
  switch (a) {
    case Action::build: return "build";
    case Action::skip: return "skip";
    case Action::conflict: return "conflict";
  }
  return "build";
}

namespace {

std::string last_segment(const std::string& url) {
  std::string u = url.substr(0, url.find_first_of("?#"));
  return u.substr(u.find_last_of('/') + 1);
}

std::vector<ArtifactNeed> artifact_needs(const model::Stack& stack, const lock::Lock& lock) {
  std::vector<ArtifactNeed> out;
  auto checksum_of = [&](const std::string& name, const std::optional<model::Checksum>& pinned) {
    if (pinned) return lock::checksum_text(*pinned);
    const lock::Artifact* a = lock.find_artifact(name);
    return a ? a->checksum : std::string{};
  };
  const auto& spark = stack.artifacts.spark;
  out.push_back({"spark", spark.url, checksum_of("spark", spark.checksum),
                 "artifacts/spark/" + last_segment(spark.url)});
  for (const auto& jar : stack.artifacts.jars) {
    const std::string url =
        jar.url.empty() ? stack.artifacts.mirror + "/" + jar.coordinate.repository_path() : jar.url;
    out.push_back({jar.coordinate.text(), url, checksum_of(jar.coordinate.text(), jar.checksum),
                   "artifacts/jars/" + jar.coordinate.file_name()});
  }
  return out;
}

std::string inputs_digest(const ImagePlan& p, const std::string& parent_digest) {
  std::vector<const render::File*> files;
  for (const auto& f : p.files) files.push_back(&f);
  std::sort(files.begin(), files.end(),
            [](const render::File* a, const render::File* b) { return a->path < b->path; });
  std::string h = "stackctl-inputs-v1\n";
  for (const auto* f : files)
    h += "file " + f->path + " " + std::to_string(f->data.size()) + " " +
         (f->executable ? "x" : "-") + "\n" + f->data + "\n";
  for (const auto& a : p.artifacts) h += "artifact " + a.name + " " + a.checksum + "\n";
  h += p.parent.empty() ? "base " + p.base_ref + "\n" : "parent " + parent_digest + "\n";
  return "sha256:" + render::sha256_hex(h);
}

}  // namespace

std::expected<std::vector<ImagePlan>, Diagnostics> plan_images(
    const model::Stack& stack, const std::vector<render::File>& rendered, const lock::Lock& lock,
    bool require_checksums) {
  Diagnostics diags;
  const auto needs = artifact_needs(stack, lock);
  if (require_checksums) {
    for (const auto& n : needs)
      if (n.checksum.empty())
        diags.error("E_UNPINNED", stack.locs.at("artifacts"), "artifacts",
                    "artifact " + n.name + " has no checksum in the stack or the lock",
                    "run `stackctl lock` to resolve it, or pin it in the stack");
  }
  std::map<std::string, const ImagePlan*> by_name;
  std::vector<ImagePlan> plans;
  plans.reserve(stack.images.size());
  for (const model::Image* img : stack.images_in_build_order()) {
    ImagePlan p;
    p.name = img->name;
    const std::string prefix = "images/" + img->name + "/";
    for (const auto& f : rendered)
      if (f.path.starts_with(prefix)) {
        render::File copy = f;
        copy.path = f.path.substr(prefix.size());
        p.files.push_back(std::move(copy));
      }
    std::string parent_digest;
    if (img->from.kind == model::ImageFrom::Kind::image) {
      p.parent = img->from.ref;
      const ImagePlan* parent = by_name.at(p.parent);
      p.base_ref = parent->ref;
      parent_digest = parent->inputs_digest;
    } else {
      p.base_ref = img->from.ref;
      p.artifacts = needs;
    }
    p.inputs_digest = inputs_digest(p, parent_digest);
    p.repository = render::image_repository(stack, *img);
    const std::string path = "images[" + std::to_string(&*img - &stack.images[0]) + "].tag";
    p.tag = expand_tag(stack, *img, stack.locs.at(path), path, diags,
                       std::string_view(p.inputs_digest).substr(7, 12));
    p.ref = p.repository + ":" + p.tag;
    p.build_args = {{"BASE_IMAGE", p.base_ref}};
    p.labels = {{std::string(kInputsDigestLabel), p.inputs_digest}};
    plans.push_back(std::move(p));
    by_name[plans.back().name] = &plans.back();
  }
  if (diags.has_errors()) return std::unexpected(std::move(diags));
  return plans;
}

Decision decide(const ImagePlan& image, const Observed& observed) {
  if (!observed.exists) return {Action::build, "not built yet"};
  if (observed.inputs_digest == image.inputs_digest)
    return {Action::skip, "up to date (" + observed.where + ")"};
  const std::string what = observed.inputs_digest.empty()
                               ? "an image not built by stackctl"
                               : "other inputs (" + observed.inputs_digest.substr(0, 19) + ")";
  return {Action::conflict, image.ref + " already exists (" + observed.where + ") with " + what +
                                "; pinned tags are never rebuilt different: bump metadata.revision, "
                                "or put {inputs} in the tag template"};
}

}  // namespace stackctl::plan
