#include "core/doctor/snapshot_json.hpp"

#include "core/doctor/scrub.hpp"

namespace stackctl::doctor {

namespace {

using kube::Json;

constexpr int kVersion = 1;

struct Field {
  const char* key;
  std::vector<Json> Snapshot::*member;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      {"pods", &Snapshot::pods},
      {"replicaSets", &Snapshot::replica_sets},
      {"deployments", &Snapshot::deployments},
      {"statefulSets", &Snapshot::stateful_sets},
      {"services", &Snapshot::services},
      {"endpoints", &Snapshot::endpoints},
      {"persistentVolumeClaims", &Snapshot::claims},
      {"configMaps", &Snapshot::config_maps},
      {"secrets", &Snapshot::secrets},
      {"nodes", &Snapshot::nodes},
  };
  return f;
}

std::string text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

Json to_json(const Snapshot& s) {
  Json j = {{"kind", "DoctorSnapshot"}, {"version", kVersion}, {"namespaces", s.namespaces}};
  for (const auto& f : fields()) j[f.key] = s.*f.member;
  j["secrets"] = Json::array();
  for (const auto& secret : s.secrets) j["secrets"].push_back(secret_metadata(secret));
  Json events = Json::array();
  for (const auto& [uid, list] : s.events)
    for (const auto& e : list) events.push_back(e);
  j["events"] = std::move(events);
  Json access = Json::array();
  for (const auto& a : s.access) {
    Json x = {{"subject", a.subject},   {"namespace", a.ns},  {"verb", a.verb},
              {"resource", a.resource}, {"method", a.method}, {"reason", a.reason},
              {"error", a.error},       {"allowed", nullptr}};
    if (a.allowed) x["allowed"] = *a.allowed;
    access.push_back(std::move(x));
  }
  j["access"] = std::move(access);
  Json logs = Json::array();
  for (const auto& l : s.logs) {
    Json lines = Json::array();
    for (const auto& line : l.lines) lines.push_back(scrub_line(line));
    logs.push_back({{"namespace", l.ns},
                    {"pod", l.pod},
                    {"container", l.container},
                    {"previous", l.previous},
                    {"lines", std::move(lines)},
                    {"error", l.error}});
  }
  j["logs"] = std::move(logs);
  j["notes"] = s.notes;
  j["authError"] = s.auth_error;
  j["objectStoreHost"] = s.object_store_host;
  return j;
}

std::expected<Snapshot, std::string> snapshot_from_json(const Json& j) {
  if (!j.is_object() || text(j, "kind") != "DoctorSnapshot")
    return std::unexpected("not a doctor snapshot (kind is \"" +
                           (j.is_object() ? text(j, "kind") : std::string()) +
                           "\", expected \"DoctorSnapshot\" as `stackctl doctor --save` writes)");
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() > kVersion)
    return std::unexpected(
        "snapshot version " + (j.contains("version") ? j["version"].dump() : "(none)") +
        " is not one this stackctl reads (it reads version " + std::to_string(kVersion) + ")");
  Snapshot s;
  for (const auto& n : j.value("namespaces", Json::array()))
    if (n.is_string()) s.namespaces.push_back(n.get<std::string>());
  for (const auto& f : fields()) {
    const Json list = j.value(f.key, Json::array());
    if (!list.is_array()) return std::unexpected(std::string(f.key) + " is not a list");
    for (const auto& o : list) (s.*f.member).push_back(o);
  }
  for (auto& secret : s.secrets) secret = secret_metadata(secret);
  Json events = {{"items", j.value("events", Json::array())}};
  s.events = index_events(events);
  for (const auto& a : j.value("access", Json::array())) {
    AccessCheck c{text(a, "subject"), text(a, "namespace"), text(a, "verb"),   text(a, "resource"),
                  std::nullopt,       text(a, "method"),    text(a, "reason"), text(a, "error")};
    if (a.contains("allowed") && a["allowed"].is_boolean()) c.allowed = a["allowed"].get<bool>();
    s.access.push_back(std::move(c));
  }
  for (const auto& l : j.value("logs", Json::array())) {
    ContainerLog log{
        text(l, "namespace"), text(l, "pod"), text(l, "container"), l.value("previous", false), {},
        text(l, "error")};
    for (const auto& line : l.value("lines", Json::array()))
      if (line.is_string()) log.lines.push_back(scrub_line(line.get<std::string>()));
    s.logs.push_back(std::move(log));
  }
  for (const auto& n : j.value("notes", Json::array()))
    if (n.is_string()) s.notes.push_back(n.get<std::string>());
  s.auth_error = text(j, "authError");
  s.object_store_host = text(j, "objectStoreHost");
  return s;
}

}  // namespace stackctl::doctor
