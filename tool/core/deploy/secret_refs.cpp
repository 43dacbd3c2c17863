#include "core/deploy/secret_refs.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <utility>

namespace stackctl::deploy {

namespace {

using kube::Json;

struct Found {
  std::set<std::string> keys;
  std::vector<std::string> used_by;
};

using Needs = std::map<std::pair<std::string, std::string>, Found>;  // (ns, name)

bool optional(const Json& ref) {
  return ref.is_object() && ref.value("optional", false);
}

std::string text(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

void add(Needs& needs, const std::string& ns, const std::string& name, const std::string& key,
         const std::string& by) {
  if (name.empty()) return;
  Found& f = needs[{ns, name}];
  if (!key.empty()) f.keys.insert(key);
  if (std::find(f.used_by.begin(), f.used_by.end(), by) == f.used_by.end()) f.used_by.push_back(by);
}

// Spark's own references (docs: running-on-kubernetes, "Secret Management"): the setting
// spark.kubernetes.{driver,executor}.secretKeyRef.ENV with the value SECRET:KEY, as a properties
// line (key, blank or '=', value with ':' escaped as "\:") or a --conf argument.
void scan_text(Needs& needs, const std::string& s, const std::string& ns, const std::string& by) {
  if (s.find("secretKeyRef.") == std::string::npos) return;
  static const std::regex re(
      R"(spark\.kubernetes\.(?:driver|executor)\.secretKeyRef\.[A-Za-z0-9_.\-]+[ \t]*[= \t][ \t]*([a-z0-9.\-]+)\\?:([A-Za-z0-9_.\-]+))");
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it)
    add(needs, ns, (*it)[1].str(), (*it)[2].str(), by);
}

// Every reference in `j`, wherever it stands (containers, init containers, envFrom, volumes, and
// the text of ConfigMaps and arguments).
void scan(Needs& needs, const Json& j, const std::string& ns, const std::string& by) {
  if (j.is_string()) return scan_text(needs, j.get<std::string>(), ns, by);
  if (j.is_array()) {
    for (const auto& e : j) scan(needs, e, ns, by);
    return;
  }
  if (!j.is_object()) return;
  for (const auto& [k, v] : j.items()) {
    if (k == "secretKeyRef" && !optional(v)) {
      add(needs, ns, text(v, "name"), text(v, "key"), by);
    } else if (k == "secretRef" && !optional(v)) {  // envFrom: the whole Secret, no key named
      add(needs, ns, text(v, "name"), "", by);
    } else if (k == "secret" && v.is_object() && v.contains("secretName") && !optional(v)) {
      add(needs, ns, text(v, "secretName"), "", by);
      for (const auto& item : v.value("items", Json::array()))
        add(needs, ns, text(v, "secretName"), text(item, "key"), by);
    } else {
      scan(needs, v, ns, by);
    }
  }
}

}  // namespace

std::vector<SecretNeed> external_secrets(const std::vector<kube::Object>& objects) {
  std::set<std::pair<std::string, std::string>> made;
  for (const auto& o : objects)
    if (o.kind() == "Secret" && o.gvk().group.empty()) made.insert({o.namespace_name(), o.name()});
  Needs needs;
  for (const auto& o : objects) {
    if (o.namespace_name().empty() || o.kind() == "Secret") continue;
    scan(needs, o.body, o.namespace_name(), o.display());
  }
  std::vector<SecretNeed> out;
  for (auto& [id, f] : needs) {
    if (made.contains(id)) continue;
    out.push_back({id.first, id.second, {f.keys.begin(), f.keys.end()}, std::move(f.used_by)});
  }
  return out;
}

std::string create_command(const SecretNeed& need) {
  std::string cmd = "kubectl create secret generic " + need.name + " -n " + need.ns;
  for (const auto& k : need.keys) cmd += " --from-literal=" + k + "=...";
  return cmd;
}

}  // namespace stackctl::deploy
