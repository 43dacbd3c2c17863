#include "core/drift/output.hpp"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/codec/codec.hpp"

namespace stackctl::drift {

namespace {

using nlohmann::ordered_json;

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::clean:
      return "clean";
    case Outcome::drifted:
      return "drifted";
    case Outcome::could_not_check:
      return "could_not_check";
  }
  return "could_not_check";
}

std::string where(const Result& r) {
  if (!r.location || r.location->file.empty()) return "";
  std::string s = r.location->file;
  if (r.location->line > 0) s += ":" + std::to_string(r.location->line);
  if (r.location->line > 0 && r.location->column > 0) s += ":" + std::to_string(r.location->column);
  return s;
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  while (!out.empty() && (out.back() == ' ')) out.pop_back();
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

struct Counts {
  int passed = 0, drifted = 0, advisory = 0, skipped = 0, error = 0;
  int total() const { return passed + drifted + advisory + skipped + error; }
};

Counts count(const std::vector<Result>& results, const std::string& check) {
  Counts c;
  for (const auto& r : results) {
    if (!check.empty() && r.check != check) continue;
    switch (r.status) {
      case Status::passed:
        ++c.passed;
        break;
      case Status::drifted:
        ++(r.severity == Severity::advisory ? c.advisory : c.drifted);
        break;
      case Status::skipped:
        ++c.skipped;
        break;
      case Status::error:
        ++c.error;
        break;
    }
  }
  return c;
}

std::string status_word(const Result& r) {
  if (r.status == Status::drifted && r.severity == Severity::advisory) return "advisory";
  return to_string(r.status);
}

}  // namespace

std::string to_text(const Report& report, bool verbose) {
  std::string out;
  for (const auto& n : report.notes) out += n + "\n";
  for (const auto& check : report.checks) {
    const Counts c = count(report.results, check);
    out += check + ": " + std::to_string(c.passed) + " passed, " + std::to_string(c.drifted) +
           " drifted";
    if (c.advisory > 0) out += ", " + std::to_string(c.advisory) + " advisory";
    if (c.skipped > 0) out += ", " + std::to_string(c.skipped) + " skipped";
    if (c.error > 0) out += ", " + std::to_string(c.error) + " could not be checked";
    out += "\n";
    for (const auto& r : report.results) {
      if (r.check != check || (r.status == Status::passed && !verbose)) continue;
      out += "  " + status_word(r) + "  " + r.item;
      if (!r.summary.empty()) out += ": " + r.summary;
      const std::string at = where(r);
      if (!at.empty()) out += "  (" + at + ")";
      if (!r.stack_key.empty() && r.check == "files") out += "  [from " + r.stack_key + "]";
      out += "\n";
      if (!r.evidence.empty() && r.status != Status::passed) out += indent(r.evidence, "      ");
    }
  }
  const Counts all = count(report.results, "");
  const Outcome o = outcome(report.results);
  out += std::string("drift: ") + outcome_name(o) + " (" + std::to_string(all.drifted) +
         " drifted, " + std::to_string(all.advisory) + " advisory, " + std::to_string(all.error) +
         " could not be checked, " + std::to_string(all.passed) + " passed, " +
         std::to_string(all.skipped) + " skipped)\n";
  return out;
}

std::string to_json(const Report& report) {
  ordered_json results = ordered_json::array();
  for (const auto& r : report.results) {
    ordered_json j = {{"check", r.check},
                      {"item", r.item},
                      {"status", to_string(r.status)},
                      {"severity", to_string(r.severity)},
                      {"summary", r.summary},
                      {"evidence", r.evidence}};
    if (r.location)
      j["location"] = {
          {"file", r.location->file}, {"line", r.location->line}, {"column", r.location->column}};
    else
      j["location"] = nullptr;
    j["stack_key"] = r.stack_key;
    results.push_back(std::move(j));
  }
  ordered_json counts = ordered_json::object();
  for (const auto& check : report.checks) {
    const Counts c = count(report.results, check);
    counts[check] = {{"passed", c.passed},
                     {"drifted", c.drifted},
                     {"advisory", c.advisory},
                     {"skipped", c.skipped},
                     {"error", c.error}};
  }
  ordered_json j = {{"stack", report.stack},   {"outcome", outcome_name(outcome(report.results))},
                    {"checks", report.checks}, {"notes", report.notes},
                    {"counts", counts},        {"results", results}};
  return j.dump(2) + "\n";
}

std::string to_junit(const Report& report) {
  const Counts all = count(report.results, "");
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"stackctl drift\" tests=\"" + std::to_string(all.total()) +
         "\" failures=\"" + std::to_string(all.drifted) + "\" errors=\"" +
         std::to_string(all.error) + "\" skipped=\"" + std::to_string(all.skipped) + "\">\n";
  for (const auto& check : report.checks) {
    const Counts c = count(report.results, check);
    out += "  <testsuite name=\"" + codec::xml_escape("drift." + check) + "\" tests=\"" +
           std::to_string(c.total()) + "\" failures=\"" + std::to_string(c.drifted) +
           "\" errors=\"" + std::to_string(c.error) + "\" skipped=\"" + std::to_string(c.skipped) +
           "\" time=\"0\">\n";
    for (const auto& r : report.results) {
      if (r.check != check) continue;
      out += "    <testcase classname=\"" + codec::xml_escape("drift." + check) + "\" name=\"" +
             codec::xml_escape(r.item) + "\"";
      const std::string at = where(r);
      if (r.location && !r.location->file.empty())
        out += " file=\"" + codec::xml_escape(r.location->file) + "\"";
      if (r.location && r.location->line > 0)
        out += " line=\"" + std::to_string(r.location->line) + "\"";
      out += " time=\"0\"";
      const std::string body = codec::xml_escape(r.evidence + (at.empty() ? "" : "\nat " + at));
      switch (r.status) {
        case Status::passed:
          out += "/>\n";
          break;
        case Status::drifted:
          if (r.severity == Severity::advisory)
            out += ">\n      <system-out>advisory: " + codec::xml_escape(r.summary) + "\n" + body +
                   "</system-out>\n    </testcase>\n";
          else
            out += ">\n      <failure type=\"drifted\" message=\"" + codec::xml_escape(r.summary) +
                   "\">" + body + "</failure>\n    </testcase>\n";
          break;
        case Status::skipped:
          out += ">\n      <skipped message=\"" + codec::xml_escape(r.summary + ": " + r.evidence) +
                 "\"/>\n    </testcase>\n";
          break;
        case Status::error:
          out += ">\n      <error type=\"could-not-check\" message=\"" +
                 codec::xml_escape(r.summary) + "\">" + body + "</error>\n    </testcase>\n";
          break;
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

namespace {

// A relative path as a URI reference (RFC 3986 §4.2): bytes outside unreserved, sub-delims, "@"
// and "/" percent-encoded, ":" too (in a first segment it would read as a scheme). SARIF's
// artifactLocation.uri is a URI reference, and a path may hold spaces or non-ASCII letters.
std::string uri_path(const std::string& path) {
  static constexpr std::string_view keep = "-._~!$&'()*+,;=@/";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 && c < 0x80) {
      out += ch;
    } else if (keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

// The schema's own id (SARIF 2.1.0 Plus Errata 01, the OASIS Standard; tests/sarif/README.md).
// SARIF's helpUri and informationUri must be absolute URIs (schema format "uri"): the project has
// no published address to give, so each rule's `help` names the docs page as text instead.
constexpr const char* kSarifSchema =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

}  // namespace

std::string to_sarif(const Report& report, const std::string& tool_version) {
  ordered_json rules = ordered_json::array();
  std::map<std::string, int> index;
  for (const auto& check : report.checks) {
    index[check] = static_cast<int>(rules.size());
    rules.push_back({{"id", "drift/" + check},
                     {"name", "drift-" + check},
                     {"shortDescription", {{"text", "stackctl drift: " + check}}},
                     {"help", {{"text", "See docs/drift.md, section \"" + check + "\"."}}}});
  }
  ordered_json results = ordered_json::array();
  ordered_json notifications = ordered_json::array();
  for (const auto& r : report.results) {
    if (r.status == Status::error) {
      notifications.push_back({{"level", "error"},
                               {"message", {{"text", r.check + ": " + r.item + ": " + r.evidence}}},
                               // The rule being evaluated when it failed (SARIF §3.58.5); a
                               // `descriptor` would name a notification descriptor.
                               {"associatedRule", {{"id", "drift/" + r.check}}}});
      continue;
    }
    if (r.status != Status::drifted) continue;
    std::string text = r.item + ": " + r.summary;
    if (!r.evidence.empty()) text += "\n" + r.evidence;
    ordered_json res = {{"ruleId", "drift/" + r.check},
                        {"ruleIndex", index.count(r.check) ? index[r.check] : 0},
                        {"level", r.severity == Severity::advisory ? "warning" : "error"},
                        {"message", {{"text", text}}}};
    if (r.location && !r.location->file.empty()) {
      ordered_json phys = {{"artifactLocation", {{"uri", uri_path(r.location->file)}}}};
      if (r.location->line > 0) {
        phys["region"] = {{"startLine", r.location->line}};
        if (r.location->column > 0) phys["region"]["startColumn"] = r.location->column;
      }
      res["locations"] = ordered_json::array({{{"physicalLocation", phys}}});
    }
    results.push_back(std::move(res));
  }
  ordered_json invocation = {{"executionSuccessful", notifications.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  ordered_json log = {
      {"$schema", kSarifSchema},
      {"version", "2.1.0"},
      {"runs",
       ordered_json::array(
           {{{"tool",
              {{"driver", {{"name", "stackctl"}, {"version", tool_version}, {"rules", rules}}}}},
             {"invocations", ordered_json::array({invocation})},
             {"results", results}}})}};
  return log.dump(2) + "\n";
}

namespace {

std::string escape_data(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_property(const std::string& s) {
  std::string out;
  for (char c : escape_data(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string to_github_commands(const Report& report) {
  std::string out;
  for (const auto& r : report.results) {
    if (r.status != Status::drifted && r.status != Status::error) continue;
    const bool advisory = r.status == Status::drifted && r.severity == Severity::advisory;
    std::string props;
    if (r.location && !r.location->file.empty()) {
      props += "file=" + escape_property(r.location->file);
      if (r.location->line > 0) props += ",line=" + std::to_string(r.location->line);
      if (r.location->line > 0 && r.location->column > 0)
        props += ",col=" + std::to_string(r.location->column);
      props += ",";
    }
    props += "title=" + escape_property("drift " + r.check + ": " + r.item);
    std::string message = r.summary;
    if (!r.evidence.empty()) message += "\n" + r.evidence;
    out += std::string(advisory ? "::warning " : "::error ") + props + "::" + escape_data(message) +
           "\n";
  }
  return out;
}

}  // namespace stackctl::drift
