// `stackctl check STACK --image REF [--image REF...]`: reads each image's config through the
// registry API (no daemon) and judges its labels against the stack
// (core/knowledge/check_image.hpp). cmd_check.cpp declares the options with add_image_options and
// folds the results into its own findings and output; docs/registry.md is the user's side of this.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "cli/context.hpp"
#include "core/knowledge/check.hpp"
#include "core/knowledge/check_app_files.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct ImageCheckOptions {
  std::vector<std::string> refs;         // --image, repeatable
  bool registry_insecure = false;        // --registry-insecure: plain HTTP for every registry
  std::string registry_ca_file;          // --registry-ca-file: PEM bundle for a private CA
  std::string platform = "linux/amd64";  // --platform: picked from multi-platform images
};

// Declares --image, --registry-insecure, --registry-ca-file and --platform on `sub`.
void add_image_options(CLI::App& sub, ImageCheckOptions& options);

struct ImageReport {
  std::string ref;              // as given on the command line
  std::string name;             // normalised, "docker.io/library/debian:bookworm"
  bool read = false;            // false: the image could not be read (error printed on ctx.err)
  std::string error;            // why not, when !read
  std::string digest;           // of what the tag points to (an index for multi-platform images)
  std::string manifest_digest;  // of the platform's image manifest
  std::string config_digest;
  std::string platform;  // "linux/amd64"
  std::map<std::string, std::string> labels;
  std::vector<check::Finding> findings;  // SI00x and SC030; empty when the image matches
  std::vector<registry::LayerRef> layers;
  // The image one or more applications run (not given with --image, or also given): their
  // local:// files looked up in its layers.
  std::vector<std::string> applications;
  std::vector<check_app_files::Checked> files;
  int layers_read = 0;
  std::uint64_t layer_bytes = 0;  // compressed layer bytes fetched
};

struct ImagesResult {
  std::vector<ImageReport> images;  // in command-line order
  // kOk; kUsage when a reference does not parse; kExternalError when an image could not be read
  // (registry down, unauthorized, not found, digest mismatch). Findings do not change it.
  int exit_code = 0;
};

// Where the images the stack's applications run are found: stack.lock's digests (the lock at
// `lock_file`, else the one beside `stack_path`, when it exists), else the stack's tags.
struct ApplicationImages {
  std::string stack_path;
  std::string lock_file;  // --lock; "" = beside the stack
};

// Reads and judges every options.refs image; problems reading one are printed on ctx.err and do
// not stop the others. With `apps` (and at least one --image: only then does check read a
// registry), also reads the image of every application with local:// files, judges its labels
// like a --image one (Python, PySpark: SI rules), and looks its files up in its layers (SC030).
// `http` is the client to use (tests pass a fake); nullptr makes a libcurl client from the
// options.
ImagesResult check_images(Context& ctx, const model::Stack& stack, const ImageCheckOptions& options,
                          http::Client* http = nullptr, const ApplicationImages* apps = nullptr);

// {"ref", "name", "read", "digest", "manifestDigest", "configDigest", "platform", "labels",
// "applications", "files", "layersRead", "layerBytes"} per image, for `check --output json`
// under "images".
nlohmann::json images_json(const ImagesResult& result);

// One line per image read: "image REF: DIGEST (platform, N labels)".
void print_images_text(Context& ctx, std::ostream& os, const ImagesResult& result);

}  // namespace stackctl::cli
