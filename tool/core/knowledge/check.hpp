// The compatibility rules of `stackctl check`: what in a stack's versions and jars will fail at
// run time, found from the stack file and the version catalog alone. Pure functions, no I/O.
//
// The rules are a list (kRules), in the shape of core/rules/rule.hpp: each row is a code, title,
// usual severity, what it reads, and a pure function from the derived facts (check_facts.hpp) to
// findings. The same table is what docs/check.md documents (a unit test holds them equal) and what
// `check --list-rules` prints. A finding points at the stack-file key to change (file:line:column
// from stack.locs) and its hint says what to write there. Rules never guess: when the catalog does
// not know a Spark line, the rules that need it find nothing, and SC017 says so.
//
// Severity: kRules gives each rule's usual severity. A rule whose catalog data is marked unsure
// (catalog::Confidence: medium for a line's bundled Hadoop, low for all of a line's data) reports
// a warning instead of an error, and says so in the message.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check_facts.hpp"
#include "core/rules/rule.hpp"
#include "core/stack/model.hpp"

namespace stackctl::check {

struct Finding {
  // code, severity, loc (from stack.locs.at(path)), path (the stack-file key), message, and hint:
  // the fix, i.e. what to change in the stack file.
  Diagnostic diag;
  // The versions involved, e.g. {"spark", "4.0.1"}, {"pyspark", "4.1.0"}: for JSON output and for
  // tests; the message already names them.
  std::vector<std::pair<std::string, std::string>> versions;
};

// How rules::Report gives a finding its rule's code and severity.
void stamp(Finding& f, std::string_view code, Severity severity);

using Rule = rules::Rule<Facts, Finding>;

// The rule table, in code order. Codes are stable: never renumber or reuse one; retire a rule by
// leaving its row (with a run function that finds nothing).
extern const std::array<Rule, 32> kRules;

// The row for `code`, or nullptr.
const rules::Spec* find_rule(std::string_view code);

// Runs `rules` (kRules, or a reordering of it) over facts derived from `stack`. Findings come
// grouped by rule in the order of `rules`, within a rule in the stack's order (images, jars).
// `env_values`: the spark.env values read for check (values files, Vault), or nullptr.
std::vector<Finding> run_rules(std::span<const Rule> rules, const model::Stack& stack,
                               const catalog::Catalog& catalog,
                               const env_settings::ReadValues* env_values = nullptr);

// Runs every rule of kRules over `stack` (as loaded for one target), in code order. No finding
// means it passed. With `env_values`, the Spark settings among them are judged (SC028).
std::vector<Finding> check_stack(const model::Stack& stack, const catalog::Catalog& catalog,
                                 const env_settings::ReadValues* env_values = nullptr);

}  // namespace stackctl::check
