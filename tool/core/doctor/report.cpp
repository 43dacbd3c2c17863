#include "core/doctor/report.hpp"

#include <algorithm>
#include <set>

namespace stackctl::doctor {

namespace {

std::vector<std::string> objects_of(const Finding& f) {
  return f.objects.empty() ? std::vector<std::string>{f.object} : f.objects;
}

bool names(const std::string& object, const std::string& pattern) {
  return object == pattern || (object.starts_with(pattern) && object.size() > pattern.size() &&
                               object[pattern.size()] == ' ');
}

// Codes that a more specific code on the same object explains.
const std::vector<std::pair<std::string, std::vector<std::string>>>& hides() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> h = {
      {"D_CONNECT_DAEMONIZED", {"D_EXITED_ZERO", "D_CRASH_LOOP"}},
      {"D_DRIVER_RBAC", {"D_CRASH_LOOP"}},
      {"D_DRIVER_POD_NAME", {"D_CRASH_LOOP"}},
      {"D_METASTORE_UNREACHABLE", {"D_CRASH_LOOP", "D_TABLE_NOT_FOUND"}},
  };
  return h;
}

void set_object(Finding& f) {
  if (f.objects.size() <= 1) return;
  f.object = f.objects.front() + " and " + std::to_string(f.objects.size() - 1) + " more";
}

}  // namespace

std::vector<Finding> group(std::vector<Finding> findings) {
  std::set<std::pair<std::string, std::string>> hidden;  // (code, object)
  for (const auto& f : findings)
    for (const auto& [code, generic] : hides())
      if (f.code == code)
        for (const auto& g : generic)
          for (const auto& o : objects_of(f)) hidden.insert({g, o});
  std::vector<Finding> out;
  for (auto& f : findings) {
    if (hidden.contains({f.code, f.object})) continue;
    auto same = std::find_if(out.begin(), out.end(), [&](const Finding& g) {
      return g.code == f.code && g.cause == f.cause && g.fix == f.fix;
    });
    if (same == out.end()) {
      f.objects = objects_of(f);
      out.push_back(std::move(f));
      continue;
    }
    for (const auto& o : objects_of(f))
      if (std::find(same->objects.begin(), same->objects.end(), o) == same->objects.end())
        same->objects.push_back(o);
  }
  for (auto& f : out) set_object(f);
  return out;
}

void add(Report& r, std::vector<Finding> extra, const std::vector<Ignore>& ignore) {
  for (auto& f : extra) {
    if (f.objects.empty()) f.objects = {f.object};
    std::vector<std::string> kept;
    for (const auto& o : f.objects) {
      const bool accepted = std::any_of(ignore.begin(), ignore.end(), [&](const Ignore& i) {
        return i.code == f.code && (i.object.empty() || names(o, i.object));
      });
      if (accepted)
        ++r.ignored;
      else
        kept.push_back(o);
    }
    if (kept.empty()) continue;
    if (kept.size() != f.objects.size()) {
      f.objects = kept;
      f.object = kept.front();
      set_object(f);
    }
    switch (f.severity) {
      case Severity::error:
        ++r.errors;
        break;
      case Severity::warning:
        ++r.warnings;
        break;
      case Severity::info:
        ++r.infos;
        break;
    }
    r.findings.push_back(std::move(f));
  }
}

Report report(const Snapshot& snapshot, const std::vector<Ignore>& ignore) {
  Report r;
  add(r, group(diagnose(snapshot)), ignore);
  return r;
}

std::string summary(const Report& r, std::size_t namespaces) {
  auto n = [](std::size_t k, const char* one, const char* many) {
    return std::to_string(k) + " " + (k == 1 ? one : many);
  };
  std::string s = n(r.errors, "error", "errors") + ", " + n(r.warnings, "warning", "warnings") +
                  ", " + n(r.infos, "note", "notes") + " in " +
                  n(namespaces, "namespace", "namespaces");
  if (r.ignored > 0) s += " (" + std::to_string(r.ignored) + " ignored)";
  return s;
}

}  // namespace stackctl::doctor
