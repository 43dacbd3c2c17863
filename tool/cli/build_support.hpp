// What `stackctl build` reads and makes before app::build runs: builder selection from flags,
// the templates and conda files rendering needs, and the default work folder.
#pragma once

#include <CLI/CLI.hpp>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/builder.hpp"
#include "cli/context.hpp"
#include "core/render/render.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct BuilderFlags {
  std::string backend;          // --builder: buildah|podman|docker; empty: detect
  std::string storage_driver;   // --storage-driver (buildah/podman)
  std::string storage_root;     // --storage-root
  std::string storage_runroot;  // --storage-runroot
};
void add_builder_flags(CLI::App& sub, BuilderFlags& flags);
// Prints why no builder could be made and returns nullopt.
std::optional<std::unique_ptr<builder::Builder>> make_builder_from_flags(Context& ctx,
                                                                         proc::Runner& runner,
                                                                         const BuilderFlags& flags);

struct RenderInputs {
  render::Templates templates;                     // built in, overridden by --templates
  std::map<std::string, std::string> stack_files;  // conda environment files the stack names
};
// The templates (built-in recipes, overridden by `templates_dir`) and the conda environment files
// read relative to the stack file. Error: an exit code, after printing the problems.
std::expected<RenderInputs, int> read_render_inputs(Context& ctx, const model::Stack& stack,
                                                    const std::string& stack_path,
                                                    const std::string& templates_dir);

// $XDG_CACHE_HOME/stackctl/build/<stack name> (else ~/.cache/...).
std::filesystem::path default_work_dir(const model::Stack& stack);

}  // namespace stackctl::cli
