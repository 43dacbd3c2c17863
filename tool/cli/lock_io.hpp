// Reading and writing stack.lock beside a stack file, and resolving artifact checksums for it.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "adapters/fetcher.hpp"
#include "cli/context.hpp"
#include "core/lock.hpp"

namespace stackctl::cli {

// stacks/x.stack.yaml -> stacks/x.stack.lock (or --lock FILE when given).
std::filesystem::path lock_path_for(const std::string& stack_file,
                                    const std::string& explicit_path);

struct ExistingLock {
  std::optional<lock::Lock> lock;  // nullopt: no lock file yet
  int exit_code = 0;               // kInputError when it exists but cannot be read or parsed
};
ExistingLock read_lock(Context& ctx, const std::filesystem::path& path);

// Fills every empty artifact checksum from the upstream's published checksum file. Reports each
// resolution on stderr ("resolved ... from URL (not pinned)"). Returns false after printing what
// could not be resolved.
bool resolve_checksums(Context& ctx, fetch::Fetcher& fetcher, lock::Lock& lock);

// Where artifacts are cached and whether the network may be used, from the shared flags.
struct FetchFlags {
  std::string cache_dir;  // --cache-dir; default: $XDG_CACHE_HOME/stackctl/artifacts
  bool offline = false;   // --offline
};
void add_fetch_flags(CLI::App& sub, FetchFlags& flags);
fetch::Options fetch_options(Context& ctx, const FetchFlags& flags);

}  // namespace stackctl::cli
