// The execute half of `stackctl build`: builder selection, build contexts, parallel builds with a
// live summary on stderr, pushes. cmd_build.cpp plans and decides; this runs.
#pragma once

#include <CLI/CLI.hpp>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/builder.hpp"
#include "adapters/fetcher.hpp"
#include "cli/context.hpp"
#include "core/build_plan.hpp"
#include "core/model.hpp"

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

// The images/ part of render_all for `stack` (built-in recipes, overridden by `templates_dir`),
// with conda environment files read relative to the stack file. Error: an exit code, after
// printing the problems.
std::expected<std::vector<render::File>, int> render_images_for_build(
    Context& ctx, const model::Stack& stack, const std::string& stack_path,
    const std::string& templates_dir);

// $XDG_CACHE_HOME/stackctl/build/<stack name> (else ~/.cache/...).
std::filesystem::path default_work_dir(const model::Stack& stack);

struct Job {
  const plan::ImagePlan* image;
  bool build = false;  // false: skipped (up to date), still a finished parent for others
};
template <class Rows>
std::vector<Job> rows_to_jobs(const Rows& rows) {
  std::vector<Job> jobs;
  for (const auto& r : rows) jobs.push_back({r.image, r.decision.action == plan::Action::build});
  return jobs;
}

// Builds every job with build == true, parents before children, up to `parallel` at once. Each
// image's log goes to <work>/logs/<image>.log; stderr shows "[image] STEP i/n: ... (12s)". Stops
// starting new builds after the first failure. Returns 0 or an exit code.
int execute_builds(Context& ctx, fetch::Fetcher& fetcher, builder::Builder& builder,
                   const std::vector<Job>& jobs, const std::filesystem::path& work, int parallel);

// Pushes one image to its own reference; the registry's manifest digest, or nullopt after
// printing why.
std::optional<std::string> push_image(Context& ctx, builder::Builder& builder,
                                      const plan::ImagePlan& image, bool tls_verify,
                                      const std::filesystem::path& work);

}  // namespace stackctl::cli
