// The lock, registry and catalog checks, as pure comparisons over what the caller observed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/drift/result.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check.hpp"
#include "core/plans/build_plan.hpp"
#include "core/plans/lock.hpp"
#include "core/stack/model.hpp"

namespace stackctl::drift {

// --- lock -----------------------------------------------------------------------------------
// The lock the stack would have now: versions and artifacts as lock::from_stack makes them, and
// each planned image's reference and inputs digest (keeping the locked digest where both are
// unchanged), which is what `build --frozen` compares before it builds anything.
lock::Lock expected_lock(const model::Stack& stack, const lock::Lock& locked,
                         const std::vector<plan::ImagePlan>& plans);

// One Result per lock::differences line (drifted, located at the lock file), or one passed
// result when there are none. `locked` null: the stack has no lock (drifted: `build --frozen`
// refuses that too).
std::vector<Result> compare_lock(const lock::Lock* locked, const lock::Lock& expected,
                                 const std::string& lock_file);

// --- registry -------------------------------------------------------------------------------
// What the registry answered for one locked image's tag.
struct TagObservation {
  std::string image;  // stack image name
  std::string ref;    // the locked repository:tag
  std::string locked_digest;
  std::optional<std::string> observed_digest;  // nullopt: the tag does not exist (404)
  std::string error;                           // not empty: the registry could not be asked
};

// passed when the tag still points at the locked digest; drifted when it moved or was deleted;
// error when it could not be asked. Images the lock has no digest for are skipped by the caller
// (registry_skips) and never asked about.
Result compare_tag(const TagObservation& seen, const std::string& lock_file);

// The locked images the registry check does not ask about: no digest recorded (never pushed).
std::vector<Result> registry_skips(const lock::Lock& locked);

// --- catalog --------------------------------------------------------------------------------
// Advisory results from what the catalog records: versions.spark superseded by a later release
// of the same line that the catalog lists (citing the line's entry and its source). One passed
// result when the pinned release is the latest the catalog lists; skipped when the catalog does
// not know the line or the version does not parse.
std::vector<Result> compare_catalog(const model::Stack& stack, const catalog::Catalog& catalog,
                                    const std::string& catalog_file);

// Known-broken combinations: the findings of `stackctl check` (its SC rules judge the stack's
// versions against the catalog's lines and SDK pins) of severity error, each as an advisory
// drifted result citing the rule and located at the stack key to change. Warnings are left to
// `check`. No finding: one passed result.
std::vector<Result> known_broken(const std::vector<check::Finding>& findings);

}  // namespace stackctl::drift
