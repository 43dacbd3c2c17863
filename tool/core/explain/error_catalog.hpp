// The error catalogue of `stackctl explain`: known error texts, each with a stable code, its
// cause, its fix, the source it was read from and, where the fix is a stack change, the name of
// the computation that finds that change (core/explain/stack_fix.hpp). The catalogue is data
// (stacks/errors.yaml, embedded in the binary at build time); docs/explain.md lists the codes.
#pragma once

#include <array>
#include <expected>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"

namespace stackctl::explain {

// The stack-aware computations an entry may name in `stackFix:` (see stack_fix.hpp).
inline constexpr std::array<std::string_view, 16> kStackFixes{"hadoop_aws",
                                                              "aws_sdk",
                                                              "python",
                                                              "pyspark",
                                                              "scala",
                                                              "java",
                                                              "memory",
                                                              "memory_overhead",
                                                              "executor_resources",
                                                              "images",
                                                              "metastore",
                                                              "kyuubi",
                                                              "connect_server",
                                                              "rbac",
                                                              "object_store",
                                                              "eks"};

// One way an entry recognises a line. The line must contain `contains` (a literal, the cheap
// pre-filter); when `regex` is set it must also match the line, and its named captures become
// the match's captures; when `near` is set, that literal must be on the line or one of the
// kNearLines lines after it (the stack frame under an exception, for instance).
struct Pattern {
  std::string contains;
  std::string regex_text;                  // as written, with (?<name>...) groups; "" when none
  std::regex regex;                        // compiled from regex_text with the names removed
  std::vector<std::string> capture_names;  // name of group i+1; "" for an unnamed group
  std::string near;
  SourceLoc loc;
};

struct Entry {
  std::string code;   // "X_S3A_MISSING"
  std::string title;  // one line
  Severity severity = Severity::error;
  std::string message;  // may use {capture}; "" means the title
  std::vector<Pattern> patterns;
  std::string cause;
  std::string fix;
  std::vector<std::string> stack_keys;  // the stack keys the fix concerns, for people and JSON
  std::string stack_fix;                // one of kStackFixes, "" when the stack has no say
  std::vector<std::string> sources;     // URLs of public threads, or facts-sheet references
  std::vector<std::string> examples;    // real error texts the entry must match (tested)
  SourceLoc loc;
};

class ErrorCatalog {
 public:
  std::vector<Entry> entries;  // in file order

  const Entry* find(std::string_view code) const;
};

// Parses the catalogue YAML. Every problem (a missing key, a malformed code or a duplicate one, a
// regex that does not compile, a message naming a capture no pattern has, an entry without a
// source or without an example, an unknown stackFix) is reported with its position; the
// catalogue is returned only when there are none.
std::expected<ErrorCatalog, Diagnostics> parse_error_catalog(std::string_view yaml_text,
                                                             const std::string& file);

// The catalogue embedded in this binary (stacks/errors.yaml at build time). Parsed once.
const ErrorCatalog& builtin_error_catalog();

// Translates an ECMAScript regex with named groups, which std::regex does not support, into one
// without names: "(?<v>\d+)" becomes "(\d+)" and "v" is recorded as the name of that group.
// Escapes, character classes and non-capturing groups are kept as written. Returns the error
// text for a malformed name or a duplicate one.
std::expected<std::pair<std::string, std::vector<std::string>>, std::string> strip_named_groups(
    std::string_view pattern);

}  // namespace stackctl::explain
