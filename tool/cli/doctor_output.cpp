#include "cli/doctor_output.hpp"

#include <set>

#include "cli/json_output.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::cli {

namespace {

using doctor::Finding;
using doctor::Severity;

const char* colour_of(Severity s) {
  return s == Severity::error ? "\033[1;31m" : s == Severity::warning ? "\033[1;35m" : "\033[1;36m";
}

std::string severity_word(Severity s) {
  return s == Severity::info ? "note" : doctor::to_string(s);
}

std::string block(const Finding& f, const Locate& locate) {
  std::string b =
      "  evidence: " + f.evidence + "\n  cause: " + f.cause + "\n  fix: " + f.fix + "\n";
  if (!f.stack_key.empty()) {
    const std::string where = locate ? location_text(locate(f.stack_key)) : "";
    b += "  stack: " + (where.empty() ? f.stack_key : where + " (" + f.stack_key + ")") + "\n";
  }
  return b;
}

}  // namespace

void print_doctor_text(Context& ctx, const doctor::Report& r, std::size_t namespaces,
                       const Locate& locate) {
  for (const Severity sev : {Severity::error, Severity::warning, Severity::info}) {
    for (const auto& f : r.findings) {
      if (f.severity != sev) continue;
      const std::string word = severity_word(sev);
      ctx.out << (ctx.options.color ? colour_of(sev) + word + "\033[0m" : word) << " " << f.code
              << ": " << f.title << "\n";
      if (f.objects.size() > 1) {
        ctx.out << "  objects (" << f.objects.size() << "):\n";
        for (const auto& o : f.objects) ctx.out << "    " << o << "\n";
      } else {
        ctx.out << "  object: " << f.object << "\n";
      }
      ctx.out << block(f, locate) << "\n";
    }
  }
  ctx.out << (r.findings.empty() ? "no findings: " : "") << doctor::summary(r, namespaces) << "\n";
}

nlohmann::json finding_json(const doctor::Finding& f) {
  nlohmann::json j = {
      {"title", f.title}, {"object", f.object}, {"evidence", f.evidence}, {"cause", f.cause}};
  set_item_fields(j, f.code, doctor::to_string(f.severity), f.title, {}, f.fix);
  return j;
}

nlohmann::json doctor_json(const doctor::Report& r, const std::vector<std::string>& namespaces,
                           const Locate& locate) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json j = finding_json(f);
    j["objects"] = f.objects;
    if (!f.stack_key.empty()) {
      j["stackKey"] = f.stack_key;
      // The common location object; "stackLocation" keeps the "FILE:LINE:COLUMN" string that
      // `location` was before the output had one vocabulary (docs/json-output.md).
      if (locate) {
        const SourceLoc loc = locate(f.stack_key);
        j["location"] = location_json(loc);
        j["stackLocation"] = location_text(loc);
      }
    }
    findings.push_back(std::move(j));
  }
  return {{"namespaces", namespaces},
          {"findings", findings},
          {"summary",
           {{"errors", r.errors},
            {"warnings", r.warnings},
            {"notes", r.infos},
            {"ignored", r.ignored}}}};
}

std::string doctor_junit(const doctor::Report& r, const Locate& locate) {
  std::vector<std::pair<std::string, std::string>> rules;  // code, title: one per code
  std::set<std::string> seen;
  for (const auto& rule : doctor::rules())
    if (seen.insert(rule.code).second) rules.emplace_back(rule.code, rule.title);
  std::size_t failures = 0;
  std::string cases;
  for (const auto& [code, title] : rules) {
    std::string body;
    for (const auto& f : r.findings) {
      if (f.code != code) continue;
      const std::string text = "object: " + f.object + "\n" + block(f, locate);
      if (f.severity == Severity::info) {
        body += "      <system-out>" + codec::xml_escape(text) + "</system-out>\n";
      } else {
        ++failures;
        body += "      <failure type=\"" + doctor::to_string(f.severity) + "\" message=\"" +
                codec::xml_escape(f.object) + "\">" + codec::xml_escape(text) + "</failure>\n";
      }
    }
    cases += "    <testcase classname=\"stackctl.doctor\" name=\"" + code + " " +
             codec::xml_escape(title) + "\"" +
             (body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n");
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite "
         "name=\"stackctl doctor\" tests=\"" +
         std::to_string(rules.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n" +
         cases + "  </testsuite>\n</testsuites>\n";
}

}  // namespace stackctl::cli
