// Internal to rendering build contexts (images.cpp, images_view.cpp): which recipe builds an
// image, what its context holds besides the recipe, and the view its templates see.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/render/parts.hpp"

namespace stackctl::render::detail {

// The recipe folders stackctl ships (images/<recipe>/), in the order roles are tried.
inline constexpr const char* kRecipeSparkBase = "spark-base";

// The recipe that builds `image`, or nullopt with the reason in `why`:
//  - `recipe` when images/<recipe>/Dockerfile.mustache exists (built in or overridden);
//  - when `recipe` was left to its default (the image's name) and no such recipe exists: the
//    recipe of the one role the image plays (Connect server -> spark-connect, notebooks ->
//    notebook, Kyuubi -> kyuubi, history server -> history-server), else spark-base for an image
//    built FROM an external image. Two roles, or none on an image FROM another, is an error.
std::optional<std::string> resolve_recipe(const model::Stack& stack, const model::Image& image,
                                          const Templates& templates, std::string& why);

// artifacts/spark/<the URL's last path segment>. `file` is empty when the URL has no file name.
ContextArtifact spark_artifact(const model::Stack& stack);
// artifacts/jars/<MavenCoordinate::file_name()>, from the jar's URL or the Maven mirror.
std::vector<ContextArtifact> jar_artifacts(const model::Stack& stack);
// The Kyuubi binary distribution: artifacts/kyuubi/<the URL's last path segment> from
// artifacts.kyuubi; when the stack names none, artifacts/kyuubi/kyuubi-bin.tgz with URL and
// checksum "-" (the build then asks for artifacts.kyuubi.url).
ContextArtifact kyuubi_artifact(const model::Stack& stack);

// The conda environment file of `env` as placed in the context (conda/<name>.yml): the file the
// stack names, verbatim, or one written from its package list (with python=<version> and pip
// added when absent). nullopt: the stack names a file the request does not carry.
std::optional<std::string> conda_env_text(const Request& request, const model::CondaEnv& env,
                                          const std::string& python_version);

// Where images[].files puts a file of the stack's folder in the build context: files/<from>, the
// stack's own relative path (validated: no "..", no absolute path, COPY-safe characters).
std::string context_file_path(const model::ImageFile& file);
// The JSON-form arguments of the file's COPY: ["files/<from>", "<to>"], each a JSON string.
std::string copy_arguments(const model::ImageFile& file);

// Records which artifacts a template wrote the path of, in order, each once.
struct ArtifactUses {
  std::vector<ContextArtifact> used;
  void add(const ContextArtifact& a) {
    for (const auto& u : used)
      if (u.path == a.path) return;
    used.push_back(a);
  }
};

// The tag of `image` in its build context: Request::image_tags when it names the image, else the
// expanded tag (with the {inputs} placeholder).
std::string context_tag(const Request& request, const model::Image& image);

// The labels `image`'s Dockerfile sets (LABEL key="value", before the build-args CREATED and
// SOURCE), unquoted: check_image::expected_labels plus the OCI ones. `final_tag`: the image's tag
// is known (Request::image_tags), not a placeholder; it replaces the placeholder
// check_image::expected_labels writes for a tag with {inputs}.
std::map<std::string, std::string> image_labels(const model::Stack& stack,
                                                const model::Image& image, const std::string& tag,
                                                bool final_tag);

// The view of `image`'s recipe templates: every key the built-in templates use is defined for
// every recipe (false or empty where it does not apply), so any template may use any of them.
// docs/images.md lists the keys. Partials are added by the caller. With `uses`, each artifact's
// `path` is a lambda that records the artifact in `uses` when a template expands it (the view
// artifacts.txt is rendered with); the text is the same.
Data image_view(const Request& request, const model::Image& image, const std::string& recipe,
                ArtifactUses* uses = nullptr);

}  // namespace stackctl::render::detail
