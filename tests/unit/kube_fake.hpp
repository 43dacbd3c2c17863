// A recording, in-memory kube::Client for tests: objects keyed by resource, namespace and name;
// server-side apply that bumps resourceVersion (and generation, on a spec change) only when the
// object changes; LIST with equality label selectors; injected 409 field-manager conflicts and
// injected failures of the n-th matching request. Every request is logged as
// "VERB Kind ns/name" (LIST: "LIST Kind ns ?selector"), so a test reads like the traffic.
//
// Safe to call from several threads (deploy applies a wave's members concurrently): one lock
// around each request, so the log and the store stay consistent; the order of concurrent
// requests in the log is the order they took the lock. For the concurrency bound it counts the
// APPLYs of `hold_kind` in flight, and can hold the first ones (see hold_first).
//
// What it does not model (the integration tests on the real apiserver cover those): field
// ownership beyond the injected conflicts (apply replaces the whole content), defaulting,
// validation, admission, finalizers, watches. POST stores what it is given (reviews excepted).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "app/deploy.hpp"
#include "core/deploy/diff.hpp"

namespace stackctl::testing {

inline kube::Failure make_failure(kube::Failure::Kind kind, int http, std::string reason,
                                  std::string message, kube::Json status = {}) {
  kube::Failure f;
  f.kind = kind;
  f.http_status = http;
  f.reason = std::move(reason);
  f.message = std::move(message);
  f.status = std::move(status);
  return f;
}

class KubeFake final : public kube::Client {
 public:
  using Json = kube::Json;

  KubeFake() {
    auto add = [this](std::string g, std::string k, std::string plural, bool namespaced) {
      kinds_.push_back({std::move(g), "v1", std::move(k), std::move(plural), namespaced});
    };
    add("", "Namespace", "namespaces", false);
    add("", "ServiceAccount", "serviceaccounts", true);
    add("", "ConfigMap", "configmaps", true);
    add("", "Secret", "secrets", true);
    add("", "Service", "services", true);
    add("", "Pod", "pods", true);
    add("", "Event", "events", true);
    add("", "PersistentVolumeClaim", "persistentvolumeclaims", true);
    add("apps", "Deployment", "deployments", true);
    add("apps", "StatefulSet", "statefulsets", true);
    add("apps", "ReplicaSet", "replicasets", true);
    add("rbac.authorization.k8s.io", "Role", "roles", true);
    add("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true);
    add("", "Endpoints", "endpoints", true);
    add("", "Node", "nodes", false);
    kinds_.push_back({"batch", "v1", "Job", "jobs", true});
    add("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false);
    add("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false);
  }

  // The server serves `r` too (a CRD installed): discovery finds it.
  void serve(kube::Resource r) {
    const std::lock_guard lock(mutex_);
    kinds_.push_back(std::move(r));
  }

  std::vector<std::string> requests;
  // Called on every stored (not dry-run) apply with the stored object: a test rolls workloads
  // out here, as controllers would.
  std::function<void(Json&)> on_apply;
  // The answer to a POST (reviews); unset: the body back.
  std::function<Json(const kube::Resource&, const Json&)> on_create;
  // Log text by "ns/pod/container" plus "/previous" for the previous container's.
  std::map<std::string, std::string> log_text;

  // Concurrency: APPLYs of this kind are counted while in flight (max_in_flight: the most at
  // once). After hold_first(n) the next n of them wait until n + 1 are in flight, or 1 s: a
  // client that keeps at most n in flight waits the second and shows max_in_flight == n whatever
  // the machine's load; one that sends more shows n + 1.
  std::string hold_kind = "Deployment";
  std::atomic<int> max_in_flight{0};
  void hold_first(int n) {
    const std::lock_guard lock(mutex_);
    hold_ = n;
    arrivals_ = 0;
    max_in_flight = 0;
  }

  // The `nth` request (1-based) whose log line starts with `prefix` fails with `failure`.
  void fail_at(std::string prefix, int nth, kube::Failure failure) {
    faults_.push_back({std::move(prefix), nth, std::move(failure)});
  }
  void fail_at(std::string prefix, int nth = 1) {
    fail_at(
        std::move(prefix), nth,
        make_failure(kube::Failure::Kind::network, 0, "", "connection reset by peer (injected)"));
  }
  // Another field manager owns `field` of the object: applies without force get a 409. Taking
  // the field was a write, so the stored object gets a new resourceVersion and stackctl's
  // managedFields entry changes, as on a server.
  void own_field(const std::string& kind, const std::string& ns, const std::string& name,
                 const std::string& manager, const std::string& field) {
    conflicts_[key(kind, ns, name)].push_back({manager, field});
    edit_owned(kind, ns, name);  // the field leaves stackctl's managedFields entry
  }
  // Someone else wrote the object without touching stackctl's fields (a controller's status
  // update, another manager's own field): a new resourceVersion, content as it was.
  void touch(const std::string& kind, const std::string& ns, const std::string& name) {
    if (auto it = store_.find(key(kind, ns, name)); it != store_.end())
      it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
  }

  // Someone else changed a field stackctl owns with an update (`kubectl edit`, `kubectl scale`):
  // a new resourceVersion, and the server takes that field out of stackctl's managedFields entry
  // (here: the entry's fieldsV1 changes), content as it was.
  void edit_owned(const std::string& kind, const std::string& ns, const std::string& name) {
    const auto it = store_.find(key(kind, ns, name));
    if (it == store_.end()) return;
    auto& meta = it->second["metadata"];
    meta["resourceVersion"] = std::to_string(++rv_);
    for (auto& m : meta["managedFields"])
      if (m.value("manager", "") == "stackctl") m["fieldsV1"] = {{"taken", rv_}};
  }

  // Direct access to the store (pods, events, objects made by "someone else").
  void put(Json object) {
    const kube::Object o{object};
    auto& meta = object["metadata"];
    if (!meta.contains("uid")) meta["uid"] = "uid-" + std::to_string(++uids_);
    if (!meta.contains("resourceVersion")) meta["resourceVersion"] = std::to_string(++rv_);
    store_[key(o.kind(), o.namespace_name(), o.name())] = std::move(object);
  }
  std::optional<Json> find(const std::string& kind, const std::string& ns,
                           const std::string& name) const {
    const auto it = store_.find(key(kind, ns, name));
    if (it == store_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> names(const std::string& kind) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : store_)
      if (kube::Object{v}.kind() == kind) out.push_back(kube::Object{v}.display());
    return out;
  }
  // Every object but pods and events, as "Kind ns/name@resourceVersion".
  std::vector<std::string> snapshot() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : store_) {
      const kube::Object o{v};
      if (o.kind() == "Pod" || o.kind() == "Event") continue;
      out.push_back(o.display() + "@" + v["metadata"].value("resourceVersion", ""));
    }
    return out;
  }
  std::size_t count(const std::string& verb) const {
    std::size_t n = 0;
    for (const auto& r : requests) n += r.starts_with(verb + " ") ? 1 : 0;
    return n;
  }

  std::string server() const override { return "https://fake.invalid"; }
  std::string user() const override { return "tester"; }
  std::string default_namespace() const override { return ""; }

  std::expected<kube::Resource, kube::Failure> resource_for(
      const kube::GroupVersionKind& gvk) override {
    const std::lock_guard lock(mutex_);
    for (const auto& r : kinds_)
      if (r.group == gvk.group && r.kind == gvk.kind &&
          (gvk.version.empty() || gvk.version == r.version))
        return r;
    return std::unexpected(
        make_failure(kube::Failure::Kind::not_found, 404, "NotFound", "no kind " + gvk.kind));
  }

  std::expected<std::optional<Json>, kube::Failure> get(const kube::Resource& r,
                                                        const std::string& ns,
                                                        const std::string& name) override {
    const std::lock_guard lock(mutex_);
    if (auto f = record("GET " + r.kind + " " + where(ns, name))) return std::unexpected(*f);
    return find(r.kind, ns, name);
  }

  std::expected<Json, kube::Failure> list(const kube::Resource& r, const std::string& ns,
                                          const kube::ListOptions& options) override {
    const std::lock_guard lock(mutex_);
    const std::string sel = options.label_selector;
    if (auto f = record("LIST " + r.kind + " " + ns + (sel.empty() ? "" : " ?" + sel)))
      return std::unexpected(*f);
    Json items = Json::array();
    for (const auto& [k, v] : store_) {
      const kube::Object o{v};
      if (o.kind() != r.kind || (!ns.empty() && o.namespace_name() != ns)) continue;
      if (selects(sel, o.labels())) items.push_back(v);
    }
    return Json{{"kind", r.kind + "List"}, {"items", items}};
  }

  std::expected<Json, kube::Failure> apply(const kube::Resource& r, const kube::Object& object,
                                           const kube::ApplyOptions& options) override {
    if (r.kind != hold_kind) {
      const std::lock_guard lock(mutex_);
      return apply_locked(r, object, options);
    }
    std::unique_lock lock(mutex_);
    const int now = ++in_flight_;
    if (now > max_in_flight) max_in_flight = now;
    held_.notify_all();
    if (++arrivals_ <= hold_)
      held_.wait_for(lock, std::chrono::seconds(1), [&] { return in_flight_ > hold_; });
    auto answer = apply_locked(r, object, options);
    --in_flight_;
    return answer;
  }

  std::expected<Json, kube::Failure> apply_locked(const kube::Resource& r,
                                                  const kube::Object& object,
                                                  const kube::ApplyOptions& options) {
    const std::string k = key(object.kind(), object.namespace_name(), object.name());
    if (auto f = record(std::string(options.dry_run ? "DRYRUN " : "APPLY ") + r.kind + " " +
                        where(object.namespace_name(), object.name())))
      return std::unexpected(*f);
    if (auto c = conflicts_.find(k); c != conflicts_.end() && !c->second.empty()) {
      if (!options.force) return std::unexpected(conflict(c->second, r));
      if (!options.dry_run) conflicts_.erase(c);
    }
    if (r.namespaced && !store_.contains(key("Namespace", "", object.namespace_name())))
      return std::unexpected(
          make_failure(kube::Failure::Kind::not_found, 404, "NotFound",
                       "namespaces \"" + object.namespace_name() + "\" not found"));
    Json next = object.body;
    const auto it = store_.find(k);
    if (it == store_.end()) {
      auto& meta = next["metadata"];
      meta["uid"] = options.dry_run ? "dry-run" : "uid-" + std::to_string(++uids_);
      meta["resourceVersion"] = options.dry_run ? "0" : std::to_string(++rv_);
      meta["generation"] = 1;
      meta["managedFields"] = Json::array({{{"manager", "stackctl"}, {"operation", "Apply"}}});
    } else {
      const Json& old = it->second;
      for (const char* f :
           {"uid", "resourceVersion", "generation", "managedFields", "creationTimestamp"})
        if (old["metadata"].contains(f)) next["metadata"][f] = old["metadata"][f];
      // After the metadata: inserting a key moves the ordered map's entries (and `meta`).
      if (old.contains("status")) next["status"] = old["status"];
      auto& meta = next["metadata"];
      bool ours = false;
      for (const auto& m : meta.value("managedFields", Json::array()))
        ours = ours || m.value("manager", "") == "stackctl";
      if (!ours) meta["managedFields"].push_back({{"manager", "stackctl"}, {"operation", "Apply"}});
      if (deploy::same_content(old, next) && ours) return old;  // no change: same resourceVersion
      if (!options.dry_run) {
        meta["resourceVersion"] = std::to_string(++rv_);
        if (old.value("spec", Json()) != next.value("spec", Json()))
          meta["generation"] = old["metadata"].value("generation", 1) + 1;
      }
    }
    if (options.dry_run) return next;
    if (on_apply) on_apply(next);
    store_[k] = next;
    return next;
  }

  std::expected<void, kube::Failure> remove(const kube::Resource& r, const std::string& ns,
                                            const std::string& name) override {
    const std::lock_guard lock(mutex_);
    if (auto f = record("DELETE " + r.kind + " " + where(ns, name))) return std::unexpected(*f);
    store_.erase(key(r.kind, ns, name));
    return {};
  }

  std::expected<Json, kube::Failure> create(const kube::Resource& r, const std::string& ns,
                                            const Json& body) override {
    const std::lock_guard lock(mutex_);
    if (auto f = record("CREATE " + r.kind + " " + ns)) return std::unexpected(*f);
    if (on_create) return on_create(r, body);
    if (r.group == "authorization.k8s.io") return body;  // reviews: answered, never stored
    // Other kinds are stored, as a POST does; an existing name is 409 AlreadyExists.
    const kube::Object o{body};
    if (store_.contains(key(o.kind(), ns, o.name())))
      return std::unexpected(make_failure(kube::Failure::Kind::conflict, 409, "AlreadyExists",
                                          r.name + " \"" + o.name() + "\" already exists"));
    put(body);
    return *find(o.kind(), ns, o.name());
  }

  std::expected<std::string, kube::Failure> logs(const std::string& ns, const std::string& pod,
                                                 const std::string& container, bool previous,
                                                 int) override {
    const std::lock_guard lock(mutex_);
    if (auto f =
            record("LOGS Pod " + where(ns, pod) + " " + container + (previous ? " previous" : "")))
      return std::unexpected(*f);
    const auto it = log_text.find(ns + "/" + pod + "/" + container + (previous ? "/previous" : ""));
    return it != log_text.end() ? it->second : std::string();
  }

 private:
  struct Fault {
    std::string prefix;
    int nth;
    kube::Failure failure;
    int seen = 0;
  };
  struct Owned {
    std::string manager, field;
  };

  static std::string key(const std::string& kind, const std::string& ns, const std::string& name) {
    return kind + "/" + ns + "/" + name;
  }
  static std::string where(const std::string& ns, const std::string& name) {
    return ns.empty() ? name : ns + "/" + name;
  }
  // "a=b,c=d": every pair must be a label with that value.
  static bool selects(const std::string& selector, const Json& labels) {
    std::size_t start = 0;
    while (start < selector.size()) {
      auto comma = selector.find(',', start);
      if (comma == std::string::npos) comma = selector.size();
      const std::string term = selector.substr(start, comma - start);
      const auto eq = term.find('=');
      const std::string k = term.substr(0, eq), v = term.substr(eq + 1);
      if (!labels.contains(k) || labels[k] != v) return false;
      start = comma + 1;
    }
    return true;
  }
  std::optional<kube::Failure> record(std::string line) {
    requests.push_back(line);
    for (auto& f : faults_)
      if (line.starts_with(f.prefix) && ++f.seen == f.nth) return f.failure;
    return std::nullopt;
  }
  static kube::Failure conflict(const std::vector<Owned>& owned, const kube::Resource& r) {
    Json causes = Json::array();
    for (const auto& o : owned)
      causes.push_back({{"type", "FieldManagerConflict"},
                        {"message", "conflict with \"" + o.manager + "\" using " +
                                        (r.group.empty() ? r.version : r.group + "/" + r.version)},
                        {"field", o.field}});
    Json status = {{"kind", "Status"},
                   {"status", "Failure"},
                   {"reason", "Conflict"},
                   {"code", 409},
                   {"message", "Apply failed with 1 conflict"},
                   {"details", {{"causes", causes}}}};
    return make_failure(kube::Failure::Kind::conflict, 409, "Conflict",
                        "Apply failed with 1 conflict", status);
  }

  std::vector<kube::Resource> kinds_;
  std::map<std::string, Json> store_;
  std::map<std::string, std::vector<Owned>> conflicts_;
  std::vector<Fault> faults_;
  int rv_ = 100;
  int uids_ = 0;
  std::mutex mutex_;
  std::condition_variable held_;
  int in_flight_ = 0;  // under mutex_
  int arrivals_ = 0;   // under mutex_
  int hold_ = 0;       // under mutex_
};

// Time that passes only when someone sleeps.
class FakeDeployClock final : public app::Clock {
 public:
  std::chrono::steady_clock::time_point now() override { return t_; }
  void sleep_for(std::chrono::milliseconds d) override {
    t_ += d;
    slept += d;
  }
  std::chrono::milliseconds slept{0};

 private:
  std::chrono::steady_clock::time_point t_{};
};

class RecordingProgress final : public app::DeployProgress {
 public:
  std::vector<std::string> lines;
  void step(const std::string& line) override { lines.push_back(line); }
  void workloads(const std::vector<app::WorkloadProgress>& all) override {
    for (const auto& w : all) lines.push_back(w.object + ": " + w.message);
  }
};

}  // namespace stackctl::testing
