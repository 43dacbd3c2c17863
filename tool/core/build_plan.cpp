#include "core/build_plan.hpp"

#include <algorithm>
#include <set>

#include "core/render/common.hpp"
#include "core/stack_loader.hpp"

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

// The artifacts a context asks for: its rendered artifacts.txt, "PATH URL CHECKSUM" per line
// ("-" for an unknown URL or an unpinned checksum). An unpinned checksum is taken from the lock,
// matched by URL. Problems are reported against the image.
std::vector<ArtifactNeed> artifact_needs(const std::string& image, const std::string& listing,
                                         const lock::Lock& lock, const SourceLoc& at,
                                         Diagnostics& diags) {
  std::vector<ArtifactNeed> out;
  std::size_t start = 0;
  while (start < listing.size()) {
    const auto end = std::min(listing.find('\n', start), listing.size());
    const std::string line = listing.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find(' ');
    const auto b = a == std::string::npos ? a : line.find(' ', a + 1);
    if (b == std::string::npos) {
      diags.error("E_ARTIFACT", at, "images",
                  "image \"" + image + "\": malformed artifacts.txt line \"" + line + "\"",
                  "each line is PATH URL CHECKSUM (see images/spark-base/artifacts.txt.mustache)");
      continue;
    }
    ArtifactNeed n{"", line.substr(a + 1, b - a - 1), line.substr(b + 1), line.substr(0, a)};
    if (n.url == "-") {
      diags.error("E_ARTIFACT", at, "artifacts",
                  "image \"" + image + "\" needs " + n.dest + ", and the stack gives no URL for it",
                  "add it under artifacts: in the stack (e.g. artifacts.kyuubi.url)");
      continue;
    }
    if (n.checksum == "-") n.checksum.clear();
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

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

// The reference render_all wrote for image `name`: {inputs} expanded to the placeholder.
std::string placeholder_ref(const model::Stack& stack, const std::string& name) {
  for (std::size_t i = 0; i < stack.images.size(); ++i) {
    const model::Image& img = stack.images[i];
    if (img.name != name) continue;
    if (!tag_has_inputs(img)) return {};
    const std::string path = "images[" + std::to_string(i) + "].tag";
    Diagnostics ignored;
    return render::image_repository(stack, img) + ":" +
           expand_tag(stack, img, stack.locs.at(path), path, ignored);
  }
  return {};
}

}  // namespace

std::expected<std::vector<ImagePlan>, Diagnostics> plan_images(
    const model::Stack& stack, const std::vector<render::File>& rendered, const lock::Lock& lock,
    bool require_checksums) {
  Diagnostics diags;
  std::set<std::string> unpinned_reported;
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
        if (copy.path == "artifacts.txt")
          p.artifacts =
              artifact_needs(img->name, copy.data, lock, stack.locs.at("artifacts"), diags);
        p.files.push_back(std::move(copy));
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
    p.inputs_digest = inputs_digest(p, parent_digest);
    p.repository = render::image_repository(stack, *img);
    const std::string path = "images[" + std::to_string(&*img - &stack.images[0]) + "].tag";
    p.tag = expand_tag(stack, *img, stack.locs.at(path), path, diags,
                       std::string_view(p.inputs_digest).substr(7, 12));
    p.ref = p.repository + ":" + p.tag;
    // The context was rendered before the digest existed: with {inputs} in a tag, the Dockerfile
    // names the tag (the `org.opencontainers.image.version` label, the Reference comment) and the
    // parent's reference (ARG BASE_IMAGE) with a placeholder. The digest above covers those
    // placeholders; the files built are given the real tags, so the image's labels say its tag.
    if (tag_has_inputs(*img) || !p.parent.empty()) {
      std::vector<std::pair<std::string, std::string>> subs;
      if (!p.parent.empty()) subs.emplace_back(placeholder_ref(stack, p.parent), p.base_ref);
      if (tag_has_inputs(*img)) {
        Diagnostics ignored;
        const std::string placeholder = expand_tag(stack, *img, stack.locs.at(path), path, ignored);
        subs.emplace_back(p.repository + ":" + placeholder, p.ref);
        subs.emplace_back(placeholder, p.tag);
      }
      for (auto& f : p.files)
        for (const auto& [from, to] : subs)
          if (!from.empty() && from != to) replace_all(f.data, from, to);
    }
    p.build_args = {{"BASE_IMAGE", p.base_ref}};
    p.labels = {{std::string(kInputsDigestLabel), p.inputs_digest}};
    // The rendered Dockerfile knows the tag only with {inputs} as a placeholder.
    if (tag_has_inputs(*img)) p.labels.emplace_back("org.opencontainers.image.version", p.tag);
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
  return {Action::conflict,
          image.ref + " already exists (" + observed.where + ") with " + what +
              "; pinned tags are never rebuilt different: bump metadata.revision, "
              "or put {inputs} in the tag template"};
}

}  // namespace stackctl::plan
