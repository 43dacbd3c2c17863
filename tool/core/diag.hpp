// Diagnostics: every problem stackctl reports about a user's input, with where it is and what to
// do.
#pragma once

#include <string>
#include <vector>

namespace stackctl {

// A position in a source file. line and column are 1-based; 0 means "unknown".
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
};

enum class Severity { error, warning, info };

const char* to_string(Severity s);

// One finding. `code` is stable (documented in docs/); `path` is the key path in the stack
// document (e.g. "images[1].from.image"); `hint` says what to do, may be empty.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;
  SourceLoc loc;
  std::string path;
  std::string message;
  std::string hint;
};

// An ordered collection of diagnostics. Validation appends every problem it finds, then the caller
// decides whether to stop.
class Diagnostics {
 public:
  void error(std::string code, SourceLoc loc, std::string path, std::string message,
             std::string hint = {});
  void warning(std::string code, SourceLoc loc, std::string path, std::string message,
               std::string hint = {});
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

  // Orders by file, line, column, then insertion order: output is stable across runs.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

// "file:line:col: error: path: message [CODE]\n  hint: ..." (gcc style, one finding per block).
std::string format_diagnostic(const Diagnostic& d);

// Closest candidate by edit distance, or "" when nothing is close enough to be a plausible typo.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace stackctl
