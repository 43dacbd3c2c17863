// `stackctl drift`: the result of every check as data. Each check (files, lock, registry, catalog,
// cluster) compares what the stack says now with something committed or running, and gives one
// Result per item it looked at. The comparisons (files.hpp, checks.hpp) and the outputs
// (output.hpp) are pure: the CLI and tool/app/drift gather the observations and print.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/diag.hpp"

namespace stackctl::drift {

enum class Status {
  passed,   // the item matches the stack
  drifted,  // it does not: `evidence` says how
  skipped,  // the check does not apply to this item (`evidence` says why)
  error,    // the check could not be made (registry down, not a git repository): `evidence` why
};
const char* to_string(Status s);

// How much a drifted item matters. Advisory results (catalog: a newer patch release exists) are
// reported but do not make `drift` fail.
enum class Severity { error, advisory };
const char* to_string(Severity s);

struct Result {
  std::string check;  // "files", "lock", "registry", "catalog", "cluster"
  std::string item;   // what was compared: a file path, an image, "Deployment ns/name", ...
  Status status = Status::passed;
  Severity severity = Severity::error;
  std::string summary;   // one line: "modified", "tag moved", "3.5.9 supersedes 3.5.5"
  std::string evidence;  // the detail: a unified diff, both digests, the catalog entry cited
  // Where a reader fixes it: the stack file's key, or the rendered file's line; unknown: nullopt.
  std::optional<SourceLoc> location;
  // The stack key the item comes from when known ("images[1]"), for the reader; may be empty.
  std::string stack_key;
};

// The checks `drift` knows, in the order they run and are reported.
inline constexpr const char* kChecks[] = {"files", "lock", "registry", "catalog", "cluster"};
bool known_check(const std::string& name);

// Which checks run: every check but cluster by default, `only` when given, minus `skip`; cluster
// only when asked for (`cluster` true, or named in `only`). Unknown names are refused by the CLI
// with known_check before this is called.
std::vector<std::string> selected_checks(const std::vector<std::string>& only,
                                         const std::vector<std::string>& skip, bool cluster);

// The outcome of a run, for the exit code: drifted when any non-advisory result drifted, else
// could_not_check when any result is an error, else clean.
enum class Outcome { clean, drifted, could_not_check };
Outcome outcome(const std::vector<Result>& results);

// A result for a check that did not run at all (`--skip`, or nothing to compare with).
Result skipped(const std::string& check, const std::string& why);
// A result for a check that could not be made.
Result failed(const std::string& check, const std::string& item, const std::string& why);

}  // namespace stackctl::drift
