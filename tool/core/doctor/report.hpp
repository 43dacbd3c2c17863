// From the rules' findings to what doctor reports: one finding per root cause, accepted findings
// (the stack's doctor.ignore) left out, counted by severity.
#pragma once

#include <string>
#include <vector>

#include "core/doctor/rules.hpp"
#include "core/stack/model.hpp"

namespace stackctl::doctor {

// Findings of one root cause merged: the same code, cause and fix (one missing Secret that keeps
// five pods from starting is one finding naming five pods in `objects`, the first one's
// evidence quoted). A more specific finding hides the generic one on the same container
// (D_CONNECT_DAEMONIZED hides D_EXITED_ZERO and D_CRASH_LOOP there). Order: the rules' order.
std::vector<Finding> group(std::vector<Finding> findings);

// An accepted finding: `code` and, when not empty, an object it names ("Service demo/legacy";
// a finding's object matches when it equals it or starts with it followed by a space, so
// "Pod demo/x" covers every container of that pod).
// The stack's doctor.ignore entries (model::Stack::doctor, after the target's overrides).
using Ignore = model::AcceptedFinding;

struct Report {
  std::vector<Finding> findings;  // grouped, ignored ones removed
  std::size_t ignored = 0;        // objects left out by the ignore list
  std::size_t errors = 0, warnings = 0, infos = 0;
};

// diagnose + group + ignore.
Report report(const Snapshot& snapshot, const std::vector<Ignore>& ignore);

// Findings from beyond the snapshot's rules (doctor's alignment with the stack: check --cluster's
// SL and SI codes) added after the report's own, with the same ignore list and counts.
void add(Report& r, std::vector<Finding> extra, const std::vector<Ignore>& ignore);

// "2 errors, 1 warning, 0 info in 3 namespaces (1 ignored)".
std::string summary(const Report& r, std::size_t namespaces);

}  // namespace stackctl::doctor
