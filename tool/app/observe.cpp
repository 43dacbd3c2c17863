#include "app/observe.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "app/deploy.hpp"
#include "core/doctor/log_rules.hpp"
#include "core/doctor/scrub.hpp"

namespace stackctl::app {

namespace {

using doctor::Snapshot;
using kube::Json;

struct Kind {
  kube::GroupVersionKind gvk;
  std::vector<Json> Snapshot::*into;  // nullptr: events
};

const std::vector<Kind>& namespaced_kinds() {
  static const std::vector<Kind> k = {
      {{"", "v1", "Pod"}, &Snapshot::pods},
      {{"", "v1", "Event"}, nullptr},
      {{"", "v1", "Service"}, &Snapshot::services},
      {{"", "v1", "Endpoints"}, &Snapshot::endpoints},
      {{"apps", "v1", "Deployment"}, &Snapshot::deployments},
      {{"apps", "v1", "ReplicaSet"}, &Snapshot::replica_sets},
      {{"apps", "v1", "StatefulSet"}, &Snapshot::stateful_sets},
      {{"", "v1", "PersistentVolumeClaim"}, &Snapshot::claims},
      {{"", "v1", "ConfigMap"}, &Snapshot::config_maps},
      {{"", "v1", "Secret"}, &Snapshot::secrets},
  };
  return k;
}

bool is_auth_failure(const kube::Failure& f) {
  return f.kind == kube::Failure::Kind::unauthorized ||
         (f.kind == kube::Failure::Kind::other && f.reason == "Config");
}

// What to do with a failed request: nullopt to go on (noted), else the observation's error.
std::optional<ObserveError> absorb(const kube::Failure& f, const std::string& what, Snapshot& s) {
  if (f.kind == kube::Failure::Kind::network || f.kind == kube::Failure::Kind::cancelled)
    return ObserveError{explain(f, what)};
  if (is_auth_failure(f)) {
    if (s.auth_error.empty()) s.auth_error = f.message.empty() ? explain(f, what) : f.message;
    return std::nullopt;
  }
  s.notes.push_back(what + ": " + (f.reason.empty() ? "failed" : f.reason) +
                    (f.http_status ? " (" + std::to_string(f.http_status) + ")" : "") +
                    (f.message.empty() ? "" : ": " + f.message));
  return std::nullopt;
}

// The list's items, moved out of it (a LIST of 10,000 events is megabytes: never copied).
Json items_of(Json&& list) {
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array())
    return Json::array();
  return std::move(list["items"]);
}

void keep(Snapshot& s, const Kind& k, Json items, Json& events) {
  for (auto& o : items) {
    if (k.gvk.kind == "Secret") o = doctor::secret_metadata(o);
    if (k.gvk.kind == "ConfigMap") o = doctor::config_map_metadata(o);
    // LIST items carry no kind/apiVersion: put them back so display() names them.
    if (!o.contains("kind")) o["kind"] = k.gvk.kind;
    if (!o.contains("apiVersion"))
      o["apiVersion"] = k.gvk.group.empty() ? k.gvk.version : k.gvk.group + "/" + k.gvk.version;
    if (k.into == nullptr)
      events["items"].push_back(std::move(o));
    else
      (s.*k.into).push_back(std::move(o));
  }
}

std::optional<ObserveError> list_kind(const Kind& k, const std::string& ns, kube::Client& client,
                                      Snapshot& s, Json& events) {
  const std::string what = k.gvk.kind + " in " + (ns.empty() ? "the cluster" : ns);
  auto r = client.resource_for(k.gvk);
  if (!r) return absorb(r.error(), what, s);
  auto list = client.list(*r, ns, {});
  if (!list) return absorb(list.error(), what, s);
  keep(s, k, items_of(std::move(*list)), events);
  return std::nullopt;
}

Json access_review(const std::string& subject, const std::string& ns, const std::string& sa_ns) {
  return {
      {"apiVersion", "authorization.k8s.io/v1"},
      {"kind", "SubjectAccessReview"},
      {"spec",
       {{"user", subject},
        {"groups", Json::array({"system:serviceaccounts", "system:serviceaccounts:" + sa_ns,
                                "system:authenticated"})},
        {"resourceAttributes", {{"namespace", ns}, {"verb", "create"}, {"resource", "pods"}}}}}};
}

// Whether the rules of a SelfSubjectRulesReview allow create on pods.
bool rules_allow(const Json& answer) {
  const Json rules = answer.contains("status")
                         ? answer["status"].value("resourceRules", Json::array())
                         : Json::array();
  auto has = [](const Json& list, const std::string& v) {
    if (!list.is_array()) return false;
    for (const auto& x : list)
      if (x == v || x == "*") return true;
    return false;
  };
  for (const auto& r : rules)
    if (has(r.value("verbs", Json::array()), "create") &&
        has(r.value("resources", Json::array()), "pods") &&
        has(r.value("apiGroups", Json::array({""})), ""))
      return true;
  return false;
}

std::optional<ObserveError> check_access(const ObserveRequest& req, const std::string& ns,
                                         kube::Client& client, Snapshot& s) {
  doctor::AccessCheck a{"system:serviceaccount:" + ns + ":" + req.service_account,
                        ns,
                        "create",
                        "pods",
                        std::nullopt,
                        "SubjectAccessReview",
                        "",
                        ""};
  auto r = client.resource_for({"authorization.k8s.io", "v1", "SubjectAccessReview"});
  std::optional<kube::Failure> failed;
  if (r) {
    auto answer = client.create(*r, "", access_review(a.subject, ns, ns));
    if (answer) {
      const Json st = answer->value("status", Json::object());
      a.allowed = st.value("allowed", false);
      a.reason = st.value("reason", "");
      s.access.push_back(std::move(a));
      return std::nullopt;
    }
    failed = answer.error();
  } else {
    failed = r.error();
  }
  if (failed->kind != kube::Failure::Kind::forbidden) {
    a.error = explain(*failed, "SubjectAccessReview");
    if (auto e = absorb(*failed, "SubjectAccessReview in " + ns, s)) return e;
    s.access.push_back(std::move(a));
    return std::nullopt;
  }
  // The user may not ask about others: ask what it may do itself.
  a.method = "SelfSubjectRulesReview";
  a.error = "stackctl's user may not post SubjectAccessReviews (" + failed->message +
            "); the spark ServiceAccount's permissions are unknown";
  auto rr = client.resource_for({"authorization.k8s.io", "v1", "SelfSubjectRulesReview"});
  if (rr) {
    auto answer = client.create(*rr, "",
                                {{"apiVersion", "authorization.k8s.io/v1"},
                                 {"kind", "SelfSubjectRulesReview"},
                                 {"spec", {{"namespace", ns}}}});
    if (answer)
      a.reason = std::string("stackctl's own user ") + (rules_allow(*answer) ? "may" : "may not") +
                 " create pods in " + ns;
  }
  s.notes.push_back("SubjectAccessReview in " + ns + ": " + a.error +
                    (a.reason.empty() ? "" : "; " + a.reason));
  s.access.push_back(std::move(a));
  return std::nullopt;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(doctor::scrub_line(line));
  }
  return out;
}

std::optional<ObserveError> read_logs(const ObserveRequest& req, kube::Client& client,
                                      Snapshot& s) {
  for (const auto& pod : s.pods) {
    const kube::Object o{pod};
    for (const auto& want : doctor::logs_to_read(pod)) {
      doctor::ContainerLog log{o.namespace_name(), o.name(), want.container, want.previous, {}, ""};
      auto text = client.logs(log.ns, log.pod, log.container, log.previous, req.tail_lines);
      if (text) {
        log.lines = split_lines(*text);
      } else {
        if (text.error().kind == kube::Failure::Kind::network)
          return ObserveError{explain(text.error(), "logs of Pod " + log.ns + "/" + log.pod)};
        log.error =
            (text.error().http_status ? std::to_string(text.error().http_status) + " " : "") +
            (text.error().message.empty() ? text.error().reason : text.error().message);
      }
      s.logs.push_back(std::move(log));
    }
  }
  return std::nullopt;
}

// Every namespace an object of the snapshot was read from, after the ones asked for.
void add_namespaces_read(Snapshot& s, const Json& events) {
  std::set<std::string> seen(s.namespaces.begin(), s.namespaces.end());
  auto add = [&](const Json& o) {
    const std::string ns = kube::Object{o}.namespace_name();
    if (!ns.empty() && seen.insert(ns).second) s.namespaces.push_back(ns);
  };
  const auto first = s.namespaces.size();
  for (const auto* kind : {&s.pods, &s.services, &s.endpoints, &s.deployments, &s.replica_sets,
                           &s.stateful_sets, &s.claims, &s.config_maps, &s.secrets})
    for (const auto& o : *kind) add(o);
  for (const auto& o : events["items"]) add(o);
  std::sort(s.namespaces.begin() + static_cast<std::ptrdiff_t>(first), s.namespaces.end());
}

}  // namespace

std::expected<Snapshot, ObserveError> observe(const ObserveRequest& request, kube::Client& client) {
  Snapshot s;
  s.namespaces = request.namespaces;
  s.object_store_host = request.object_store_host;
  Json events = {{"items", Json::array()}};
  // "" lists a kind across namespaces (kube::Client::list).
  const std::vector<std::string> scopes =
      request.all_namespaces ? std::vector<std::string>{""} : request.namespaces;
  for (const auto& ns : scopes) {
    for (const auto& k : namespaced_kinds()) {
      if (auto e = list_kind(k, ns, client, s, events)) return std::unexpected(*e);
      if (!s.auth_error.empty()) return s;  // every further request would be refused too
    }
  }
  for (const auto& ns : request.namespaces)
    if (auto e = check_access(request, ns, client, s)) return std::unexpected(*e);
  if (request.all_namespaces) add_namespaces_read(s, events);
  static const Kind nodes{{"", "v1", "Node"}, &Snapshot::nodes};
  if (auto e = list_kind(nodes, "", client, s, events)) return std::unexpected(*e);
  s.events = doctor::index_events(events);
  if (auto e = read_logs(request, client, s)) return std::unexpected(*e);
  return s;
}

}  // namespace stackctl::app
