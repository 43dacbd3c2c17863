// `stackctl build` as library code: plan, observe, decide, build, push, lock. Every effect goes
// through a port passed in (BuildPorts), so tests run it in-process over fakes
// (tests/unit/test_app_build.cpp) and the CLI (cli/cmd_build.cpp) only wires the real ones.
//
// Order of work, and what is guaranteed:
//  1. The existing lock is read (ports.files); unpinned artifacts are resolved (ports.artifacts)
//     unless frozen or offline.
//  2. Render and plan (core, pure). Plan problems are Error::Kind::findings with diagnostics.
//  3. Observe every image (ports.builder.labels, then the registry when pushing) and decide
//     build / skip / conflict for all of them before anything runs. An observation that fails
//     (a broken store, a registry that errors) is Error::Kind::external, never "absent".
//     A conflict is Error::Kind::findings; dry_run stops here with the plan as the result.
//  4. frozen: the lock the build would write must equal the existing one (Error::Kind::drift).
//  5. Build (parents first, up to `jobs` at once), then push what the registry lacks.
//  6. The lock is written (ports.files.write_atomic) once, at the end, only when every step
//     succeeded and it changed: a failure anywhere leaves it exactly as it was.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/builder.hpp"
#include "adapters/fs.hpp"
#include "adapters/http.hpp"
#include "adapters/registry_auth.hpp"
#include "app/error.hpp"
#include "app/ports.hpp"
#include "core/plans/build_plan.hpp"
#include "core/plans/lock.hpp"
#include "core/render/render.hpp"
#include "core/stack/model.hpp"

namespace stackctl::app {

struct BuildRequest {
  const model::Stack* stack = nullptr;  // loaded and valid
  const render::Templates* templates = nullptr;
  std::map<std::string, std::string> stack_files;  // conda environment files, by stack path
  std::filesystem::path lock_path;
  std::filesystem::path work_dir;  // contexts/<image>/ and logs/<image>.log go here
  bool push = false;
  bool dry_run = false;
  bool frozen = false;   // refuse unpinned artifacts and any change to the lock
  bool offline = false;  // resolve no checksums online (the artifact store is told separately)
  int jobs = 2;
  std::vector<std::string> build_args;  // KEY=VALUE, passed to every image
};

struct BuildPorts {
  fs::Filesystem& files;
  Artifacts& artifacts;
  builder::Builder& builder;
  Progress& progress;
  // The registry's HTTP side, for `push` (observing what the registry has); nullptr when not
  // pushing. The registry client itself is made here, with the stack's registry options.
  http::Client* registry_http = nullptr;
  registry::CredentialLookup credentials{};
};

struct ImageRow {
  std::string image;
  std::string ref;
  std::string action;  // "build", "skip", "conflict"
  std::string reason;
  std::string inputs_digest;
  std::string digest;  // pushed, or found in the registry; "" otherwise
  // The plan as data (docs/build.md, "JSON"), so that scripts never read it back from text:
  std::string tag;                            // the tag of `ref`, {inputs} expanded
  std::string parent;                         // the stack's image it is built FROM, or ""
  std::string base_ref;                       // what FROM resolves to (BASE_IMAGE)
  std::vector<plan::ArtifactNeed> artifacts;  // what the context needs, with URL and checksum
};

struct BuildResult {
  std::vector<ImageRow> images;  // in build order
  bool dry_run = false;          // the plan only; nothing was built
  bool lock_written = false;
};

struct BuildFailure {
  Error error;
  std::vector<ImageRow> images;  // the plan as far as it was decided (conflicts are shown)
};

std::expected<BuildResult, BuildFailure> build(const BuildRequest& request,
                                               const BuildPorts& ports);

// Reads the lock at `path` through `files`: nullopt when there is none. Error: Kind::input.
std::expected<std::optional<lock::Lock>, Error> read_lock(fs::Filesystem& files,
                                                          const std::filesystem::path& path);

// Fills every empty artifact checksum of `lock` from the upstream's published checksum file,
// noting each on `progress`. Error (Kind::external): every artifact that could not be resolved.
std::expected<void, Error> resolve_checksums(Artifacts& artifacts, Progress& progress,
                                             lock::Lock& lock);

}  // namespace stackctl::app
