// The compatibility rules of `stackctl check`: what in a stack's versions and jars will fail at
// run time, found from the stack file and the version catalog alone. Pure functions, no I/O.
//
// Every rule has a stable code (SC001...), listed in kRules so that docs and `check --list-rules`
// print the same table. A finding points at the stack-file key to change (file:line:column from
// stack.locs) and its hint says what to write there. Rules never guess: when the catalog does not
// know a Spark line, the rules that need it are skipped with a warning (SC017).
//
// Severity: kRules gives each rule's usual severity. A rule whose catalog data is marked unsure
// (catalog::Confidence: medium for a line's bundled Hadoop, low for all of a line's data) reports
// a warning instead of an error, and says so in the message.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/knowledge/catalog.hpp"
#include "core/diag.hpp"
#include "core/model.hpp"

namespace stackctl::check {

struct Rule {
  std::string_view code;
  std::string_view title;
  Severity severity;
};

// The rule table. Codes are stable: never renumber or reuse one; retire a rule by leaving its row.
inline constexpr std::array<Rule, 21> kRules{{
    {"SC001", "PySpark client on a different Spark line than the server", Severity::error},
    {"SC002", "PySpark client newer than the Spark server", Severity::error},
    {"SC003", "PySpark client older than the Spark server", Severity::warning},
    {"SC004", "Python outside the Spark line's supported range", Severity::error},
    {"SC005", "Python major.minor differs between images that run Python", Severity::error},
    {"SC006", "Java not supported by the Spark line", Severity::error},
    {"SC007", "Scala version not built for the Spark line", Severity::error},
    {"SC008", "Hadoop differs from the Hadoop bundled with Spark", Severity::error},
    {"SC009", "hadoop-aws differs from Spark's Hadoop", Severity::error},
    {"SC010", "hadoop-aws missing while the stack uses S3", Severity::error},
    {"SC011", "AWS SDK jar version differs from the one hadoop-aws pins", Severity::error},
    {"SC012", "AWS SDK jar of the wrong family for hadoop-aws (v1 vs v2)", Severity::error},
    {"SC013", "versions.awsSdk differs from the SDK hadoop-aws pins", Severity::error},
    {"SC014", "AWS SDK jar missing beside hadoop-aws", Severity::error},
    {"SC015", "jar's Scala suffix differs from versions.scala", Severity::error},
    {"SC016", "jar built for a different Spark line", Severity::error},
    {"SC017", "Spark line unknown to the catalog", Severity::warning},
    {"SC018", "Spark release unknown to the catalog", Severity::warning},
    {"SC019", "no AWS SDK pin in the catalog for the Hadoop version", Severity::warning},
    {"SC020", "version that does not parse", Severity::error},
    {"SC021", "org.apache.spark jar version differs from Spark", Severity::error},
}};

// The row for `code`, or nullptr.
const Rule* find_rule(std::string_view code);

struct Finding {
  // code, severity, loc (from stack.locs.at(path)), path (the stack-file key), message, and hint:
  // the fix, i.e. what to change in the stack file.
  Diagnostic diag;
  // The versions involved, e.g. {"spark", "4.0.1"}, {"pyspark", "4.1.0"}: for JSON output and for
  // tests; the message already names them.
  std::vector<std::pair<std::string, std::string>> versions;
};

// Runs every rule over `stack` (as loaded for one target). The order is stable: rule by rule as
// the rules run, within a rule in the stack's order (images, jars). No finding means it passed.
std::vector<Finding> check_stack(const model::Stack& stack, const catalog::Catalog& catalog);

}  // namespace stackctl::check
