// The outputs of `stackctl drift`, as pure functions of the results: text for people, JSON for
// scripts, JUnit XML and SARIF 2.1.0 for CI systems, and GitHub Actions workflow commands
// (annotations on the pull request) when run under GitHub Actions.
#pragma once

#include <string>
#include <vector>

#include "core/drift/result.hpp"

namespace stackctl::drift {

struct Report {
  std::string stack;                // the stack file as given
  std::vector<std::string> checks;  // the checks that ran, in order
  std::vector<Result> results;
  // What was read, for the reader: "files: rendered/demo at HEAD (1a2b3c4) + work tree".
  std::vector<std::string> notes;
};

// Every result not passed, with its evidence indented; passed ones counted per check; a summary
// line last. `verbose` lists passed results too.
std::string to_text(const Report& report, bool verbose);

// {"stack", "outcome": clean|drifted|could_not_check, "checks", "counts", "results": [...]}.
std::string to_json(const Report& report);

// JUnit XML (the Ant/Jenkins junit.xsd shape GitLab and most CI read): one <testsuite> per check,
// one <testcase> per item; drifted -> <failure>, error -> <error>, skipped -> <skipped>. Advisory
// drift is a passing test case with the finding in <system-out>, as it does not fail the run.
std::string to_junit(const Report& report);

// A SARIF 2.1.0 log: one run, tool.driver "stackctl" with one rule per check ("drift/files", ...),
// one result per drifted item (level error, or warning when advisory) located at its file, line
// and column when known; checks that could not be made are toolExecutionNotifications of the
// invocation. Locations are used as given: the caller makes them relative to the repository.
std::string to_sarif(const Report& report, const std::string& tool_version);

// GitHub Actions workflow commands: "::error file=F,line=L,col=C,title=T::message" per drifted
// result ("::warning" when advisory), "::error title=...::" for checks that could not be made.
// Property values escape % \r \n : , and the message % \r \n, as the runner expects.
std::string to_github_commands(const Report& report);

}  // namespace stackctl::drift
