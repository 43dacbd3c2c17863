#include "core/drift/result.hpp"

#include <algorithm>

namespace stackctl::drift {

const char* to_string(Status s) {
  switch (s) {
    case Status::passed:
      return "passed";
    case Status::drifted:
      return "drifted";
    case Status::skipped:
      return "skipped";
    case Status::error:
      return "error";
  }
  return "error";
}

const char* to_string(Severity s) {
  return s == Severity::advisory ? "advisory" : "error";
}

bool known_check(const std::string& name) {
  return std::ranges::any_of(kChecks, [&](const char* c) { return name == c; });
}

std::vector<std::string> selected_checks(const std::vector<std::string>& only,
                                         const std::vector<std::string>& skip, bool cluster) {
  std::vector<std::string> out;
  for (const char* c : kChecks) {
    const std::string name = c;
    const bool named = std::ranges::find(only, name) != only.end();
    if (!only.empty() && !named && !(name == "cluster" && cluster)) continue;
    if (only.empty() && name == "cluster" && !cluster) continue;
    if (std::ranges::find(skip, name) != skip.end()) continue;
    out.push_back(name);
  }
  return out;
}

Outcome outcome(const std::vector<Result>& results) {
  bool error = false;
  for (const auto& r : results) {
    if (r.status == Status::drifted && r.severity == Severity::error) return Outcome::drifted;
    if (r.status == Status::error) error = true;
  }
  return error ? Outcome::could_not_check : Outcome::clean;
}

Result skipped(const std::string& check, const std::string& why) {
  return {check, "-", Status::skipped, Severity::error, why, "", std::nullopt, ""};
}

Result failed(const std::string& check, const std::string& item, const std::string& why) {
  return {check, item, Status::error, Severity::error, "could not check", why, std::nullopt, ""};
}

}  // namespace stackctl::drift
