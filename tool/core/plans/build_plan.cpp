#include "core/plans/build_plan.hpp"

#include <algorithm>
#include <set>

#include "core/render/common.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::plan {

const char* to_string(Action a) {
  switch (a) {
    case Action::build:
      return "build";
    case Action::skip:
      return "skip";
    case Action::conflict:
      return "conflict";
  }
  return "build";
}

namespace {

// The artifacts a context asks for (render::ImageContext::artifacts), with "-" for an unknown URL
// or an unpinned checksum. An unpinned checksum is taken from the lock, matched by URL. Problems
// are reported against the image.
std::vector<ArtifactNeed> artifact_needs(const std::string& image,
                                         const std::vector<render::ContextArtifact>& listed,
                                         const lock::Lock& lock, const SourceLoc& at,
                                         Diagnostics& diags) {
  std::vector<ArtifactNeed> out;
  for (const auto& a : listed) {
    ArtifactNeed n{"", a.url, a.checksum == "-" ? "" : a.checksum, a.path};
    if (n.url == "-" || n.url.empty()) {
      diags.error("E_ARTIFACT", at, "artifacts",
                  "image \"" + image + "\" needs " + n.dest + ", and the stack gives no URL for it",
                  "add it under artifacts: in the stack (e.g. artifacts.kyuubi.url)");
      continue;
    }
    n.name = n.url.substr(n.url.find_last_of('/') + 1);
    for (const auto& la : lock.artifacts)
      if (la.url == n.url) {
        n.name = la.name;
        if (n.checksum.empty()) n.checksum = la.checksum;
      }
    out.push_back(std::move(n));
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

const render::ImageContext* context_of(const std::vector<render::ImageContext>& contexts,
                                       const std::string& image) {
  for (const auto& c : contexts)
    if (c.image == image) return &c;
  return nullptr;
}

}  // namespace

std::expected<std::vector<ImagePlan>, Diagnostics> plan_images(const render::Request& request,
                                                               const lock::Lock& lock,
                                                               bool require_checksums) {
  const model::Stack& stack = *request.base;
  // First the contexts as the stack alone determines them: a tag with {inputs} is a placeholder.
  render::Request first = request;
  first.image_tags.clear();
  auto contexts = render::render_contexts(first);
  if (!contexts) return std::unexpected(std::move(contexts.error()));
  Diagnostics diags;
  std::set<std::string> unpinned_reported;
  std::map<std::string, const ImagePlan*> by_name;
  std::vector<ImagePlan> plans;
  plans.reserve(stack.images.size());
  bool any_inputs_tag = false;
  for (const model::Image* img : stack.images_in_build_order()) {
    ImagePlan p;
    p.name = img->name;
    if (const auto* c = context_of(*contexts, img->name)) {
      p.files = c->files;
      p.artifacts =
          artifact_needs(img->name, c->artifacts, lock, stack.locs.at("artifacts"), diags);
    }
    for (const auto& n : p.artifacts)
      if (require_checksums && n.checksum.empty() && unpinned_reported.insert(n.name).second)
        diags.error("E_UNPINNED", stack.locs.at("artifacts"), "artifacts",
                    "artifact " + n.name + " has no checksum in the stack or the lock",
                    "run `stackctl lock` to resolve it, or pin it in the stack");
    std::string parent_digest;
    if (img->from.kind == model::ImageFrom::Kind::image) {
      p.parent = img->from.ref;
      const ImagePlan* parent = by_name.at(p.parent);
      p.base_ref = parent->ref;
      parent_digest = parent->inputs_digest;
    } else {
      p.base_ref = img->from.ref;
    }
    // The digest covers the placeholder contexts, so it does not depend on itself.
    p.inputs_digest = inputs_digest(p, parent_digest);
    p.repository = render::image_repository(stack, *img);
    const std::string path = "images[" + std::to_string(&*img - &stack.images[0]) + "].tag";
    p.tag = expand_tag(stack, *img, stack.locs.at(path), path, diags,
                       std::string_view(p.inputs_digest).substr(7, 12));
    p.ref = p.repository + ":" + p.tag;
    any_inputs_tag = any_inputs_tag || tag_has_inputs(*img);
    p.build_args = {{"BASE_IMAGE", p.base_ref}};
    p.labels = {{std::string(kInputsDigestLabel), p.inputs_digest}};
    plans.push_back(std::move(p));
    by_name[plans.back().name] = &plans.back();
  }
  if (diags.has_errors()) return std::unexpected(std::move(diags));
  // Then, when some tag was known only now, the contexts that are built: rendered again with the
  // final tags as data, so each Dockerfile names its own tag and its parent's exact reference.
  if (any_inputs_tag) {
    render::Request second = request;
    second.image_tags.clear();
    for (const auto& p : plans) second.image_tags[p.name] = p.tag;
    auto final_contexts = render::render_contexts(second);
    if (!final_contexts) return std::unexpected(std::move(final_contexts.error()));
    for (auto& p : plans)
      if (const auto* c = context_of(*final_contexts, p.name)) p.files = c->files;
  }
  return plans;
}

Decision decide(const ImagePlan& image, const Observed& observed) {
  if (!observed.exists) return {Action::build, "not built yet"};
  if (observed.inputs_digest == image.inputs_digest)
    return {Action::skip, "up to date (" + observed.where + ")"};
  const std::string what = observed.inputs_digest.empty()
                               ? "an image not built by stackctl"
                               : "other inputs (" + observed.inputs_digest.substr(0, 19) + ")";
  return {Action::conflict,
          image.ref + " already exists (" + observed.where + ") with " + what +
              "; pinned tags are never rebuilt different: bump metadata.revision, "
              "or put {inputs} in the tag template"};
}

}  // namespace stackctl::plan
