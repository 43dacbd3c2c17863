// Rendering: a stack plus templates gives every file the platform needs, in memory.
//
// No I/O here: the CLI reads the stack, the user's template folder, the spark.env values and any
// conda environment files, passes their contents in a Request, and writes the returned files
// atomically. The same Request always gives the same bytes (no clocks, no maps in hash order).
//
// Output layout (paths of File, relative to the output folder):
//   images/<image>/Dockerfile, images/<image>/<recipe files>   one build context per image
//   targets/<target>/kubernetes/NN-<kind>-<name>.yaml           manifests, in apply order
//   targets/<target>/spark-defaults.conf
//   targets/<target>/spark.env                                  mode 0600 (secret = true)
//   targets/<target>/terraform/*.tf                             root module for the target
//   terraform/modules/<module>/*.tf                             the static modules it calls
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/model.hpp"
#include "core/secret.hpp"

namespace stackctl::render {

struct File {
  std::string path;
  std::string data;
  bool secret = false;      // written 0600 and never printed
  bool executable = false;  // written 0755 (entrypoints)
};

// Template texts by name. Names are project-relative paths: "templates/kubernetes/...",
// "images/spark-base/Dockerfile.mustache", "terraform/modules/eks/main.tf".
class Templates {
 public:
  // Every file embedded in the binary (templates/, images/, terraform/modules/).
  static Templates builtin();

  // A user folder's files replace built-in ones with the same name, and may add new recipe files.
  void override_with(const std::map<std::string, std::string>& files);

  const std::string* find(std::string_view name) const;
  // Names under a prefix ("images/spark-base/"), sorted.
  std::vector<std::string> names_under(std::string_view prefix) const;
  // Which names came from the user's folder (for `render --explain`-style listings).
  bool overridden(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> texts_;
  std::map<std::string, bool, std::less<>> overridden_;
};

struct Request {
  const model::Stack* base = nullptr;        // the stack without target overrides
  std::vector<const model::Stack*> targets;  // one loaded stack per target to render
  const catalog::Catalog* catalog = nullptr;
  const Templates* templates = nullptr;
  // spark.env values by key name (EnvKey::key) for keys whose source is `file` or `vault`.
  std::map<std::string, Secret> env_values;
  // Contents of files the stack names (conda environment files), by the path written in the stack.
  std::map<std::string, std::string> stack_files;
};

// Renders everything. Every problem (a template that uses an unknown variable, a required
// spark.env key without a value, a missing template) is reported; files are returned only when
// there are none.
std::expected<std::vector<File>, Diagnostics> render_all(const Request& request);

}  // namespace stackctl::render
