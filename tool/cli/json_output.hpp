// The one JSON vocabulary of `--output json` (docs/json-output.md, schema in docs/schema/):
// every document is an object with `ok`; problems are items with `code`, `severity`, `message`,
// `location` and `fix`; a command that fails still prints one document. Commands build their
// own fields and go through these helpers for the shared ones, so no command spells them itself.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/context.hpp"
#include "core/diag.hpp"

namespace stackctl::cli {

// {"file", "line", "column"} (line and column 0 when unknown), or null when there is no file.
nlohmann::json location_json(const SourceLoc& loc);
// "file:line:column", "file" when the line is unknown, "" when there is no file.
std::string location_text(const SourceLoc& loc);

// Sets the common item fields on `item` (other fields are kept): code, severity (error, warning
// or info; drift's results keep their published error or advisory), message, location
// (location_json) and fix (null when empty). For nlohmann::json and nlohmann::ordered_json.
template <class Json>
void set_item_fields(Json& item, const std::string& code, const std::string& severity,
                     const std::string& message, const SourceLoc& location, const std::string& fix);

// The exit code's name in `error.kind`: findings, usage, input, external, drift, no-match,
// rollout, not-checked, still-running, internal.
const char* exit_kind(int exit_code);

// Prints `doc` (an object) on stdout as the command's one document, with "ok": true exactly when
// `exit_code` is 0, and returns exit_code.
int print_json(Context& ctx, nlohmann::json doc, int exit_code);
// drift keeps its field order (its report is an ordered_json in core).
int print_json_ordered(Context& ctx, nlohmann::ordered_json doc, int exit_code);

// The document of a command that failed before it had anything of its own to say: ok false,
// error {kind, message, details, diagnostics}, and the same diagnostics at the top.
nlohmann::json failure_json(int exit_code, const std::string& message,
                            const std::vector<std::string>& details, const Diagnostics& diags);

// Under `--output json`, a run that fails without printing its document still prints one:
// `run` (app.cpp) wraps the command's streams in a Recorder, and after the command returns,
// when nothing reached stdout, prints failure_json of what the command said on stderr (its
// "stackctl: ..." lines as message and details, every diagnostic it printed as an item).
class Recorder {
 public:
  Recorder(std::ostream& out, std::ostream& err);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  std::ostream& out() { return out_stream_; }
  std::ostream& err() { return err_stream_; }
  bool wrote_stdout() const { return out_buf_.written; }
  // Prints the failure document on the real stdout when json and nothing was written there.
  void finish(bool json, int exit_code, const Diagnostics& reported);

 private:
  struct Tee : std::streambuf {
    std::ostream* target = nullptr;
    std::string* copy = nullptr;  // when set, everything written is also kept here
    bool written = false;
    int overflow(int c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
  };
  std::ostream& real_out_;
  std::string err_text_;
  Tee out_buf_, err_buf_;
  std::ostream out_stream_, err_stream_;
};

}  // namespace stackctl::cli
