// Where stack.lock is (beside the stack file), and the artifact-fetching flags lock and build
// share. Reading, resolving and writing the lock is app::lock / app::build (tool/app).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "adapters/fetcher.hpp"
#include "cli/context.hpp"

namespace stackctl::cli {

// stacks/x.stack.yaml -> stacks/x.stack.lock (or --lock FILE when given).
std::filesystem::path lock_path_for(const std::string& stack_file,
                                    const std::string& explicit_path);

// Where artifacts are cached and whether the network may be used, from the shared flags.
struct FetchFlags {
  std::string cache_dir;  // --cache-dir; default: $XDG_CACHE_HOME/stackctl/artifacts
  bool offline = false;   // --offline
};
void add_fetch_flags(CLI::App& sub, FetchFlags& flags);
fetch::Options fetch_options(Context& ctx, const FetchFlags& flags);

}  // namespace stackctl::cli
