#include "cli/json_output.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/text.hpp"

namespace stackctl::cli {

nlohmann::json location_json(const SourceLoc& loc) {
  if (loc.file.empty()) return nullptr;
  return {{"file", utf8_safe(loc.file)}, {"line", loc.line}, {"column", loc.column}};
}

std::string location_text(const SourceLoc& loc) {
  if (!loc.known()) return loc.file;
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

template <class Json>
void set_item_fields(Json& item, const std::string& code, const std::string& severity,
                     const std::string& message, const SourceLoc& location,
                     const std::string& fix) {
  item["code"] = code;
  item["severity"] = severity;
  item["message"] = utf8_safe(message);
  item["location"] = Json(location_json(location));
  item["fix"] = fix.empty() ? Json(nullptr) : Json(utf8_safe(fix));
}
template void set_item_fields(nlohmann::json&, const std::string&, const std::string&,
                              const std::string&, const SourceLoc&, const std::string&);
template void set_item_fields(nlohmann::ordered_json&, const std::string&, const std::string&,
                              const std::string&, const SourceLoc&, const std::string&);

const char* exit_kind(int exit_code) {
  switch (exit_code) {
    case kOk:
      return "ok";
    case kFindings:
      return "findings";
    case kUsage:
      return "usage";
    case kInputError:
      return "input";
    case kExternalError:
      return "external";
    case kDrift:
      return "drift";
    case kNoMatch:
      return "no-match";
    case kRolloutFailed:
      return "rollout";
    case kNotChecked:
      return "not-checked";
    case kStillRunning:
      return "still-running";
    default:
      return "internal";
  }
}

namespace {

template <class Json>
int print_document(Context& ctx, Json doc, int exit_code) {
  doc["ok"] = exit_code == kOk;
  ctx.out << doc.dump(2) << '\n';
  return exit_code;
}

// Without the terminal's colour codes: a JSON reader wants the words.
std::string without_ansi(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && (s[i] < '@' || s[i] > '~')) ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace

int print_json(Context& ctx, nlohmann::json doc, int exit_code) {
  return print_document(ctx, std::move(doc), exit_code);
}
int print_json_ordered(Context& ctx, nlohmann::ordered_json doc, int exit_code) {
  return print_document(ctx, std::move(doc), exit_code);
}

nlohmann::json failure_json(int exit_code, const std::string& message,
                            const std::vector<std::string>& details, const Diagnostics& diags) {
  nlohmann::json safe_details = nlohmann::json::array();
  for (const auto& d : details) safe_details.push_back(utf8_safe(d));
  return {{"ok", false},
          {"exitCode", exit_code},
          {"error",
           {{"kind", exit_kind(exit_code)},
            {"message", utf8_safe(message)},
            {"details", safe_details},
            {"diagnostics", to_json(diags)}}},
          {"diagnostics", to_json(diags)}};
}

int Recorder::Tee::overflow(int c) {
  if (c == traits_type::eof()) return traits_type::not_eof(c);
  const char ch = static_cast<char>(c);
  return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
}

std::streamsize Recorder::Tee::xsputn(const char* s, std::streamsize n) {
  if (n > 0) written = true;
  // What stderr said is kept for the failure document, up to a bound (a long build's progress
  // must not grow without end; the message is in the last lines only when the first are few).
  constexpr std::size_t kKeep = 64 * 1024;
  if (copy != nullptr && copy->size() < kKeep)
    copy->append(s, std::min(static_cast<std::size_t>(n), kKeep - copy->size()));
  target->write(s, n);
  return target->good() ? n : 0;
}

Recorder::Recorder(std::ostream& out, std::ostream& err)
    : real_out_(out), out_stream_(&out_buf_), err_stream_(&err_buf_) {
  out_buf_.target = &out;
  err_buf_.target = &err;
  err_buf_.copy = &err_text_;
}

Recorder::~Recorder() {
  out_stream_.flush();
  err_stream_.flush();
}

void Recorder::finish(bool json, int exit_code, const Diagnostics& reported) {
  out_stream_.flush();
  if (!json || exit_code == kOk || out_buf_.written) return;
  // The lines of the diagnostics are in the items already; the rest is what the command said.
  std::set<std::string> diag_lines;
  for (const auto& d : reported.items()) {
    std::istringstream block(format_diagnostic(d));
    for (std::string line; std::getline(block, line);) diag_lines.insert(line);
  }
  std::string message;
  std::vector<std::string> details;
  std::istringstream lines(without_ansi(err_text_));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || diag_lines.contains(line)) continue;
    if (message.empty() && line.starts_with("stackctl")) {
      const auto colon = line.find(": ");
      message = colon == std::string::npos ? line : line.substr(colon + 2);
      continue;
    }
    details.push_back(line);
  }
  if (message.empty() && !details.empty()) {
    message = details.front();
    details.erase(details.begin());
  }
  if (message.empty()) message = "failed with exit code " + std::to_string(exit_code);
  real_out_ << failure_json(exit_code, message, details, reported).dump(2) << '\n';
}

}  // namespace stackctl::cli
