// Rules as values, shared by every command that judges something and reports coded findings:
// `check` (facts derived from a stack file and the catalog) now, `doctor` (facts observed in a
// cluster) next. Pure: a rule reads facts and returns findings; it does no I/O and keeps no state.
//
// The contract:
// - A rule is a row: its Spec (code, title, usual severity, what it reads) and a run function.
//   A list of rules is the table users see (docs, `--list-rules`) and the code that runs.
// - One rule, one code. A rule never writes a code or a severity itself: it hands a finding to
//   its Report, which stamps the rule's own code and severity on it. So a finding can only carry
//   a code the table declares, and a mistyped code cannot exist (there is no string to mistype).
// - Facts are derived once, before any rule runs, into a Facts struct; a rule reads only Facts.
//   Rules are independent of each other and of their order: running a list in any order gives the
//   same findings (run() returns them grouped by rule in the list's order, so output is stable).
// - A rule may report a milder severity than its usual one (e.g. a warning when the data it
//   compares with is unsure), never a harsher one: the table's severity is the worst a user sees.
// - A finding type opts in by a free function found by argument-dependent lookup:
//     void stamp(Finding& f, std::string_view code, Severity severity);
//   which writes the code and severity wherever that type keeps them.
// - Codes are stable: never renumbered or reused; a retired rule keeps its row.
// tests/unit/test_rules.cpp runs a list with a doctor-shaped finding (object, evidence, cause,
// fix).
#pragma once

#include <array>
#include <cassert>
#include <span>
#include <string_view>
#include <vector>

#include "core/diag.hpp"

namespace stackctl::rules {

// What a rule is, without how it runs: one row of the table.
struct Spec {
  std::string_view code;   // stable, e.g. "SC001"
  std::string_view title;  // one line, as in the docs' table
  Severity severity;       // the usual (and worst) severity of its findings
  std::string_view reads;  // what it reads, comma-separated: "versions.java, catalog (java)"
};

// True when `milder` is `usual` or less severe (error > warning > info).
constexpr bool no_harsher(Severity milder, Severity usual) {
  return static_cast<int>(milder) >= static_cast<int>(usual);
}

// Where one rule's run function puts its findings. Made by run() for each rule in turn.
template <class Finding>
class Report {
 public:
  Report(const Spec& spec, std::vector<Finding>& out) : spec_(spec), out_(out) {}

  // Adds `f` with the rule's code and usual severity.
  void add(Finding f) { add(std::move(f), spec_.severity); }

  // Adds `f` with the rule's code and `severity`, which must be no harsher than the usual one.
  void add(Finding f, Severity severity) {
    assert(no_harsher(severity, spec_.severity) && "a rule may soften its severity, not raise it");
    stamp(f, spec_.code, severity);
    out_.push_back(std::move(f));
  }

 private:
  const Spec& spec_;
  std::vector<Finding>& out_;
};

template <class Facts, class Finding>
struct Rule : Spec {
  // Pure: reads `facts`, adds zero or more findings to the report. No I/O, no state.
  void (*run)(const Facts& facts, Report<Finding>& report);
};

// Runs every rule of `rules` over `facts`. Findings come grouped by rule, in the order of `rules`,
// and within a rule in the order it added them. No finding means every rule passed.
template <class Facts, class Finding>
std::vector<Finding> run(std::span<const Rule<Facts, Finding>> rules, const Facts& facts) {
  std::vector<Finding> out;
  for (const auto& rule : rules) {
    Report<Finding> report(rule, out);
    rule.run(facts, report);
  }
  return out;
}

// Compile-time checks of a table, for static_assert next to it.

// Every code is `prefix` and three digits, and no code appears twice.
template <class Row, std::size_t N>
constexpr bool codes_well_formed(const std::array<Row, N>& table, std::string_view prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    const std::string_view c = table[i].code;
    if (!c.starts_with(prefix) || c.size() != prefix.size() + 3) return false;
    for (const char d : c.substr(prefix.size()))
      if (d < '0' || d > '9') return false;
    for (std::size_t j = 0; j < i; ++j)
      if (table[j].code == c) return false;
  }
  return true;
}

// Every row has a title and says what it reads, and every Rule has a run function.
template <class Row, std::size_t N>
constexpr bool rows_complete(const std::array<Row, N>& table) {
  for (const auto& row : table) {
    if (row.title.empty() || row.reads.empty()) return false;
    if constexpr (requires(const Row& x) { x.run; })
      if (row.run == nullptr) return false;
  }
  return true;
}

// The row of `code` in `table`, checked at compile time: naming a code the table lacks does not
// compile. For code that reports a table's codes without being a Rule list (see check_image).
template <class Row, std::size_t N>
consteval const Row& declared(const std::array<Row, N>& table, std::string_view code) {
  for (const auto& row : table)
    if (row.code == code) return row;
  throw "code not declared in the table";  // not a constant expression: a compile error
}

// The row of `code`, or nullptr (for codes that arrive at run time, e.g. from the command line).
template <class Row, std::size_t N>
constexpr const Row* find(const std::array<Row, N>& table, std::string_view code) {
  for (const auto& row : table)
    if (row.code == code) return &row;
  return nullptr;
}

}  // namespace stackctl::rules
