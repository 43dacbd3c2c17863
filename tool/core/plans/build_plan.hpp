// The build plan: which images to build, in which order, from which inputs, under which tags,
// and whether each is already built. Pure: the caller renders the contexts, resolves checksums
// (stack.lock) and observes what exists (local store, registry); this decides.
//
// Inputs digest: SHA-256 over everything that goes into an image: each context file (path and
// bytes, sorted by path), each artifact's name and checksum, the external base reference (for a
// root image) or the parent's inputs digest. Equal digests mean equal inputs; the image carries
// it as the label io.stackctl.inputs-digest, so "already built" is checked by content, not name.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diag.hpp"
#include "core/plans/lock.hpp"
#include "core/render/render.hpp"
#include "core/stack/model.hpp"

namespace stackctl::plan {

inline constexpr std::string_view kInputsDigestLabel = "io.stackctl.inputs-digest";

struct ArtifactNeed {
  std::string name;  // "spark" or a jar coordinate, as in the lock
  std::string url;
  std::string checksum;  // "sha512:<hex>" from the stack or the lock; "" when unresolved
  std::string dest;  // path inside the build context: artifacts/spark/<file>, artifacts/jars/<file>
};

struct ImagePlan {
  std::string name;
  std::string parent;    // another image of the stack, or "" for an external base
  std::string base_ref;  // what FROM resolves to (external ref, or the parent's `ref`)
  std::string repository;
  std::string tag;
  std::string ref;                  // repository:tag
  std::string inputs_digest;        // "sha256:<hex>"
  std::vector<render::File> files;  // the rendered context, paths relative to the context
  std::vector<ArtifactNeed> artifacts;
  std::vector<std::pair<std::string, std::string>> build_args;  // BASE_IMAGE, ...
  std::vector<std::pair<std::string, std::string>> labels;      // the inputs digest label
};

// Plans every image of `request.base` in build order. The contexts come from render (the images/
// part of render_all, render::render_contexts) with their artifact lists as data; a checksum the
// stack does not pin comes from the lock, matched by URL. A tag with {inputs} is known only from
// the inputs digest, which covers the context rendered with a placeholder tag; the contexts in
// the plans are then rendered again with every final tag given as data (Request::image_tags).
// Problems (a render error, an artifact without a URL, one with no checksum when
// `require_checksums`, a tag that does not expand) are all reported.
std::expected<std::vector<ImagePlan>, Diagnostics> plan_images(const render::Request& request,
                                                               const lock::Lock& lock,
                                                               bool require_checksums);

enum class Action { build, skip, conflict };
const char* to_string(Action a);

struct Decision {
  Action action = Action::build;
  std::string reason;  // "not built yet", "inputs changed: ...", "up to date (local)"
};

// What is known about a reference: absent, or present with its inputs-digest label ("" when the
// image has no such label, i.e. it was not built by stackctl).
struct Observed {
  bool exists = false;
  std::string inputs_digest;
  std::string where;  // "local" or "registry"
};

// Decides one image. The inputs digest chains through parents, so a changed parent changes every
// descendant's digest: dependents rebuild, unrelated images do not. An existing tag with other
// inputs is a conflict: pinned tags are never silently rebuilt different.
Decision decide(const ImagePlan& image, const Observed& observed);

}  // namespace stackctl::plan
