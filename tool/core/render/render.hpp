// Rendering: a stack plus templates gives every file the platform needs, in memory.
//
// No I/O here: the CLI reads the stack, the user's template folder, the spark.env values and any
// conda environment files, passes their contents in a Request, and writes the returned files
// atomically. The same Request always gives the same bytes (no clocks, no maps in hash order).
//
// Output layout (paths of File, relative to the output folder):
//   images/<image>/Dockerfile, images/<image>/<recipe files>   one build context per image
//   targets/<target>/kubernetes/NN-<kind>-<name>.yaml           manifests, in apply order
//                                                               (also as objects: Manifest)
//   targets/<target>/spark-defaults.conf
//   targets/<target>/spark.env                                  mode 0600 (secret = true)
//   targets/<target>/applications/<app>.conf, <app>.submit.sh   client-mode drivers (0755 script)
//   targets/<target>/terraform/*.tf                             root module for the target
//   terraform/modules/<module>/*.tf                             the static modules it calls
#pragma once

#include <array>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/kube/object.hpp"
#include "core/plans/lock.hpp"
#include "core/secret.hpp"
#include "core/stack/model.hpp"

namespace kainjow::mustache {
template <typename string_type>
class basic_data;
}  // namespace kainjow::mustache

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

// Sees every template expansion as render makes it, for bench/dump_views.cpp (which hands the same
// views to a second mustache renderer to compare against). stackctl itself never sets one.
// Both calls happen during render, while the view and anything it refers to are alive.
class ExpansionObserver {
 public:
  virtual ~ExpansionObserver() = default;
  // Template `tmpl` expanded with `view` into `text`: the expansion as kainjow gave it, before
  // any post-processing.
  virtual void expanded(std::string_view tmpl,
                        const kainjow::mustache::basic_data<std::string>& view,
                        const std::string& text) = 0;
  // The last expansion became the File at `path` after `post`: "" (as expanded),
  // "tidy_blank_lines" (at most one blank line in a row, no trailing blank lines: images/ and
  // Terraform) or "drop_empty_lines" (every empty line removed: Kubernetes manifests).
  virtual void written(std::string_view path, std::string_view post) = 0;
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

  // Values known only after render's inputs were written, given by the caller as data. Each is
  // put into the view before its template is expanded: nothing is substituted in rendered text.
  //
  // The image to run, by stack image name (model::Image::name): a full reference such as
  // "registry.example.com/dp/spark-connect@sha256:<hex>" from stack.lock (lock_image_refs). Every
  // container of a workload running that image uses it. Images not named here run the stack's
  // own tag (image_ref in common.hpp), as a plain `render` writes. A name that is not an image of
  // the stack, or a reference that does not parse, is an E_VALUE error.
  std::map<std::string, std::string> image_refs;
  // The IAM role of the spark ServiceAccount (IRSA), by target name: the `spark_role_arn` output
  // of that target's Terraform root module. Only EKS targets carry the annotation; an ARN given
  // for another target, or one that does not start with "arn:", is an E_VALUE error. Without it
  // the annotation keeps kSparkRoleArnPlaceholder and the Manifest lists it in `unresolved`.
  std::map<std::string, std::string> spark_role_arns;
  // Final image tags by image name, for tags known only after a first render (a tag with
  // {inputs} is the digest of the context rendered with a placeholder, core/plans/build_plan.hpp).
  // Build contexts use these for the image's own tag and reference and for its parent's
  // reference; an image not named here gets its tag expanded as usual (the placeholder).
  std::map<std::string, std::string> image_tags;
  // Told about every expansion and the file it became (bench/dump_views.cpp); null: nobody.
  ExpansionObserver* observer = nullptr;
};

// One file a build context needs under artifacts/, as data: each entry the recipe's
// artifacts.txt template writes the path of (docs/images.md).
struct ContextArtifact {
  std::string path;      // relative to the context: "artifacts/jars/hadoop-aws-3.4.1.jar"
  std::string file;      // the file name alone
  std::string url;       // where the fetcher gets it; "-" when the stack does not say
  std::string checksum;  // "sha512:<hex>", or "-" when the stack pins none
};

// One image's build context as data: the files render_all writes under images/<image>/ (paths
// here relative to the context) and the artifacts the build must place there.
struct ImageContext {
  std::string image;
  std::vector<File> files;
  std::vector<ContextArtifact> artifacts;
  std::string ref;     // repository:tag, as the context's Dockerfile names it ("# Reference:")
  std::string from;    // what FROM resolves to (the BASE_IMAGE build argument's default)
  std::string parent;  // the stack's image it is built FROM, or "" for an external base
  // The labels its Dockerfile sets, unquoted (besides org.opencontainers.image.created and
  // .source, which are the build arguments CREATED and SOURCE).
  std::map<std::string, std::string> labels;
};

// One Kubernetes object of a target, as render made it: `text` is the expansion of its template
// (the bytes of the File at `path`), `object` is that same YAML as a JSON tree, built inside
// render when the template is expanded. Nothing reads `text` back later: deploy, diff, drift and
// doctor use `object`.
struct Manifest {
  std::string path;  // "targets/<target>/kubernetes/NN-<kind>-<name>.yaml"
  std::string tmpl;  // the template it came from ("templates/kubernetes/service.yaml.mustache")
  kube::Object object;
  std::string text;
  bool secret = false;  // a Secret: holds spark.env values in clear; never print `text` or `object`
  // Values the object still carries as placeholders because the Request did not give them
  // ("spark_role_arn"). Deploy must refuse a manifest whose list is not empty.
  std::vector<std::string> unresolved;
};

// A client-mode application of one target, as render wrote it (docs/applications.md, "Client
// mode"; `render --list -o json` prints these).
struct ClientApplication {
  std::string target;
  std::string application;
  std::string runs_in;               // "cluster" or "outside" (model::DriverPlace)
  std::string conf;                  // "targets/<target>/applications/<app>.conf"
  std::string script;                // "targets/<target>/applications/<app>.submit.sh"
  std::vector<std::string> command;  // the command the script runs, with `conf` as the file
  std::string service;               // the headless Service of a driver in the cluster; "" outside
  std::string driver_host;  // spark.driver.host; "" when the stack gives none (check: SC029)
  // The driver's environment from Secrets (variable, Secret, key): never a value.
  std::vector<std::array<std::string, 3>> driver_env;
};

struct Result {
  std::vector<File> files;  // sorted by path
  // By target name; each list in apply order (the order of the NN- prefixes of their paths).
  std::map<std::string, std::vector<Manifest>> manifests;
  // Each build context as data, in the stack's order of images: its ref, FROM and artifacts, so
  // that callers never read them back from the rendered Dockerfile or artifacts.txt. `files` is
  // empty here: the context's files are in `files` above, under images/<image>/.
  std::vector<ImageContext> images;
  // Per target (in the order rendered), each client-mode application in the stack's order.
  std::vector<ClientApplication> client_applications;
};

// Renders everything. Every problem (a template that uses an unknown variable, a required
// spark.env key without a value, a missing template, a Kubernetes template that does not expand
// to one object) is reported; a result is returned only when there are none.
std::expected<Result, Diagnostics> render(const Request& request);

// render(request).files: what `stackctl render` writes.
std::expected<std::vector<File>, Diagnostics> render_all(const Request& request);

// The references stack.lock pins, for Request::image_refs: "<repository>@<digest>" for every
// image the lock records a pushed digest for (the repository of its `ref`, the tag dropped).
// Images without a digest are left out, so they run their tag.
std::map<std::string, std::string> lock_image_refs(const lock::Lock& lock);

// The build contexts alone (the images/ part of render_all), one per image of request.base in
// the stack's order, with their artifacts as data.
std::expected<std::vector<ImageContext>, Diagnostics> render_contexts(const Request& request);

}  // namespace stackctl::render
