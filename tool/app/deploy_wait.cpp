// Step 9 of deploy: wait for the workloads, explain what holds them up; and the messages of
// failed requests.
#include <algorithm>

#include "app/deploy_internal.hpp"

namespace stackctl::app {

namespace {

using kube::Json;
using kube::Object;
using State = deploy::Rollout::State;

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool selects(const Json& match_labels, const Json& pod) {
  if (!match_labels.is_object() || match_labels.empty()) return false;
  const Json labels =
      pod.contains("metadata") ? pod["metadata"].value("labels", Json::object()) : Json::object();
  for (const auto& [k, v] : match_labels.items())
    if (!labels.contains(k) || labels[k] != v) return false;
  return true;
}

bool owned_by(const Json& child, const std::string& uid) {
  if (!child.contains("metadata")) return false;
  for (const auto& ref : child["metadata"].value("ownerReferences", Json::array()))
    if (str(ref, "uid") == uid) return true;
  return false;
}

struct Observed {
  Json pods, events, replica_sets;
};

// One LIST each of the namespace's pods, events and ReplicaSets, shared by every workload.
std::expected<Observed, DeployError> observe(const std::string& ns, detail::Resources& resources,
                                             kube::Client& client) {
  Observed o;
  const std::vector<std::pair<kube::GroupVersionKind, Json*>> kinds = {
      {{"", "v1", "Pod"}, &o.pods},
      {{"", "v1", "Event"}, &o.events},
      {{"apps", "v1", "ReplicaSet"}, &o.replica_sets}};
  for (const auto& [gvk, into] : kinds) {
    auto r = resources.get(gvk);
    if (!r) return std::unexpected(r.error());
    auto list = client.list(*r, ns, {});
    if (!list)
      return std::unexpected(DeployError{
          DeployError::Kind::api, explain(list.error(), "the " + r->name + " in " + ns), {}});
    *into = std::move(*list);
  }
  return o;
}

doctor::Snapshot snapshot_of(const Json& workload, const Observed& o,
                             const std::map<std::string, std::vector<Json>>& events) {
  doctor::Snapshot s;
  s.workload = workload;
  s.events = events;
  const Json selector = workload.contains("spec") && workload["spec"].contains("selector")
                            ? workload["spec"]["selector"].value("matchLabels", Json::object())
                            : Json::object();
  for (const auto& p : o.pods.value("items", Json::array()))
    if (selects(selector, p)) s.pods.push_back(p);
  const std::string uid = workload["metadata"].value("uid", "");
  for (const auto& rs : o.replica_sets.value("items", Json::array()))
    if (owned_by(rs, uid)) s.replica_sets.push_back(rs);
  return s;
}

std::string seconds(std::chrono::milliseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

namespace detail {

std::expected<void, DeployError> wait_for(const DeployRequest& request,
                                          const std::vector<kube::Object>& applied,
                                          Resources& resources, kube::Client& client, Clock& clock,
                                          DeployProgress& progress, DeployResult& result) {
  std::vector<Object> workloads;
  for (const auto& o : applied)
    if (deploy::is_workload(o.gvk())) workloads.push_back(o);
  if (workloads.empty()) return {};
  std::vector<WorkloadProgress> states;
  for (const auto& w : workloads) states.push_back({w.display(), State::waiting, "waiting"});
  std::vector<Json> live(workloads.size());
  const auto deadline = clock.now() + request.timeout;
  bool timed_out = false;
  for (;;) {
    bool changed = false;
    for (std::size_t i = 0; i < workloads.size(); ++i) {
      if (states[i].state != State::waiting) continue;
      auto r = resources.get(workloads[i].gvk());
      if (!r) return std::unexpected(r.error());
      auto got = client.get(*r, workloads[i].namespace_name(), workloads[i].name());
      if (!got)
        return std::unexpected(DeployError{DeployError::Kind::api,
                                           explain(got.error(), workloads[i].display()), result});
      if (!*got) {
        states[i] = {workloads[i].display(), State::failed, "deleted while waiting for it"};
        changed = true;
        continue;
      }
      live[i] = **got;
      const auto status = deploy::rollout_status(live[i]);
      if (status.state != states[i].state || status.message != states[i].message) changed = true;
      states[i] = {workloads[i].display(), status.state, status.message};
    }
    if (changed) progress.workloads(states);
    const bool any_failed = std::any_of(states.begin(), states.end(),
                                        [](const auto& s) { return s.state == State::failed; });
    const bool all_done = std::all_of(states.begin(), states.end(),
                                      [](const auto& s) { return s.state == State::done; });
    if (all_done) break;
    if (any_failed) break;
    if (clock.now() >= deadline) {
      timed_out = true;
      break;
    }
    clock.sleep_for(std::min(request.poll, std::chrono::duration_cast<std::chrono::milliseconds>(
                                               deadline - clock.now())));
  }
  for (std::size_t i = 0; i < workloads.size(); ++i) result.workloads.push_back({states[i], {}});
  if (!timed_out && std::all_of(states.begin(), states.end(),
                                [](const auto& s) { return s.state == State::done; }))
    return {};

  auto observed = observe(request.ns, resources, client);
  if (!observed) {
    observed.error().result = result;
    return std::unexpected(observed.error());
  }
  const auto events = doctor::index_events(observed->events);
  std::string message;
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    auto& w = result.workloads[i];
    if (w.progress.state == State::done || live[i].is_null()) continue;
    w.findings = doctor::diagnose(snapshot_of(live[i], *observed, events));
    if (w.progress.state == State::waiting)
      w.progress.message =
          "not rolled out after " + seconds(request.timeout) + ": " + w.progress.message;
    message += (message.empty() ? "" : "\n") + w.progress.object + ": " + w.progress.message;
    if (w.findings.empty())
      message +=
          "\n  no failure seen in its pods, their events or its ReplicaSets: the pods may "
          "still be starting (large images pull slowly); try a longer --timeout, or "
          "`kubectl describe` them";
    for (const auto& f : w.findings)
      message += "\n  " + f.code + " " + f.object + ": " + f.title +
                 "\n    evidence: " + f.evidence + "\n    cause: " + f.cause +
                 "\n    fix: " + f.fix;
  }
  return std::unexpected(DeployError{DeployError::Kind::rollout, message, result});
}

}  // namespace detail

std::string explain(const kube::Failure& failure, const std::string& what, bool dry_run) {
  const Json causes = failure.status.is_object() && failure.status.contains("details")
                          ? failure.status["details"].value("causes", Json::array())
                          : Json::array();
  if (failure.kind != kube::Failure::Kind::conflict || failure.reason != "Conflict" ||
      causes.empty())
    return kube::describe(failure, what);  // the adapter's messages (403 names verb and user)
  std::string out = what + ": apply conflict (409): fields another field manager owns\n";
  for (const auto& c : causes) out += "  " + str(c, "field") + ": " + str(c, "message") + "\n";
  return out + "stackctl changed nothing on it" + (dry_run ? " (dry run)" : "") +
         "; to take these fields over rerun with --force-conflicts (the other manager may set "
         "them back: stop it first)";
}

}  // namespace stackctl::app
