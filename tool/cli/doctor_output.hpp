// `stackctl doctor`'s output: text grouped by severity (colour only when ctx.options.color),
// JSON, and JUnit XML with one test case per rule (a failure per finding of severity warning or
// error; notes under system-out), so CI systems show each rule as a passing or failing test.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/context.hpp"
#include "core/doctor/report.hpp"

namespace stackctl::cli {

// Where a finding's stack key is in the stack file; an empty file when unknown (no stack, no key).
using Locate = std::function<SourceLoc(const std::string& stack_key)>;

void print_doctor_text(Context& ctx, const doctor::Report& r, std::size_t namespaces,
                       const Locate& locate);
// One diagnosis finding as JSON: the common item (code, severity, message = the rule's title,
// location null, fix) plus title, object, evidence, cause (doctor's, deploy's and submit's output
// share it; doctor adds its own fields and the location).
nlohmann::json finding_json(const doctor::Finding& f);
nlohmann::json doctor_json(const doctor::Report& r, const std::vector<std::string>& namespaces,
                           const Locate& locate);
std::string doctor_junit(const doctor::Report& r, const Locate& locate);

}  // namespace stackctl::cli
