#include "cli/output.hpp"

#include "cli/json_output.hpp"
#include "core/text.hpp"

namespace stackctl::cli {

nlohmann::json to_json(const Diagnostic& d) {
  // JSON escapes control characters itself; bytes that are not UTF-8 it refuses (with an
  // exception), so they are spelled out.
  nlohmann::json j = {{"severity", to_string(d.severity)},
                      {"code", d.code},
                      {"path", utf8_safe(d.path)},
                      {"message", utf8_safe(d.message)}};
  j["file"] = utf8_safe(d.loc.file);
  j["line"] = d.loc.line;
  j["column"] = d.loc.column;
  if (!d.hint.empty()) j["hint"] = utf8_safe(d.hint);
  // The common item fields (json_output.hpp); path, file, line, column and hint stay as published.
  set_item_fields(j, d.code, to_string(d.severity), d.message, d.loc, d.hint);
  return j;
}

nlohmann::json to_json(const Diagnostics& diags) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : diags.items()) arr.push_back(to_json(d));
  return arr;
}

void print_diagnostic(Context& ctx, std::ostream& os, const Diagnostic& d) {
  if (&os == &ctx.err) {
    const std::lock_guard hold(ctx.err_mutex);
    ctx.reported.add(d);
  }
  std::string text = format_diagnostic(d);
  if (&os == &ctx.err ? ctx.options.err_color : ctx.options.color) {
    const std::string word = to_string(d.severity);
    const char* colour = d.severity == Severity::error     ? "\033[1;31m"
                         : d.severity == Severity::warning ? "\033[1;35m"
                                                           : "\033[1;36m";
    if (auto pos = text.find(word + ": "); pos != std::string::npos)
      text.replace(pos, word.size(), colour + word + "\033[0m");
  }
  os << text << '\n';
}

std::string summary(std::size_t errors, std::size_t warnings) {
  auto plural = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  return plural(errors, "error") + ", " + plural(warnings, "warning");
}

}  // namespace stackctl::cli
