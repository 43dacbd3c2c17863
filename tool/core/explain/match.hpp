// Matching pasted text (one line, a log, a Java stack trace) against the error catalogue.
//
// Bounded work: the text is split into lines; at most kMaxLines lines are scanned and of each
// line only its first kMaxLineBytes bytes, so a pasted multi-megabyte log or a minified one-line
// blob cannot make matching slow. A pattern's literal `contains` is found first (a plain
// substring search); its regex runs only on lines that hold the literal, and only on those
// kMaxLineBytes bytes, which also bounds std::regex's backtracking and recursion.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/explain/error_catalog.hpp"

namespace stackctl::explain {

inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::size_t kMaxLines = 100000;
inline constexpr std::size_t kNearLines = 5;
inline constexpr std::size_t kEvidenceChars = 300;  // evidence quoted up to this many characters

struct Match {
  const Entry* entry = nullptr;
  std::size_t line = 0;         // 1-based line of the evidence in the input
  std::string evidence;         // that line, trimmed, cut to kEvidenceChars
  std::size_t specificity = 0;  // characters the pattern matched (regex match or literal)
  std::map<std::string, std::string> captures;  // named captures, plus derived values
  std::string message;  // the entry's message with captures filled in (the title if it cannot be)
};

struct MatchResult {
  std::vector<Match> matches;  // most specific first, then catalogue order
  std::size_t lines_scanned = 0;
  bool truncated = false;  // lines beyond kMaxLines or bytes beyond kMaxLineBytes were not read
};

// Every entry that matches `text`, once each, with the first line that matched as evidence.
// Order: the longest matched span first (a regex naming a method and its class beats a bare
// exception name), ties in catalogue order. Derived captures: for a capture named <x>Class that
// holds a Java class-file major version, <x>Java is the Java release (version - 44).
MatchResult match_text(std::string_view text, const ErrorCatalog& catalog);

}  // namespace stackctl::explain
