#include "core/deploy/rollout.hpp"

namespace stackctl::deploy {

namespace {

using kube::Json;

std::int64_t int_at(const Json& j, const char* object, const char* key, std::int64_t fallback) {
  const auto o = j.find(object);
  if (o == j.end() || !o->is_object()) return fallback;
  const auto v = o->find(key);
  return v != o->end() && v->is_number_integer() ? v->get<std::int64_t>() : fallback;
}

std::int64_t generation(const Json& j) {
  return int_at(j, "metadata", "generation", 0);
}

std::string str(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* condition(const Json& live, const std::string& type) {
  const auto status = live.find("status");
  if (status == live.end() || !status->contains("conditions")) return nullptr;
  for (const auto& c : (*status)["conditions"])
    if (c.is_object() && str(c, "type") == type) return &c;
  return nullptr;
}

std::string quoted(const std::string& name) {
  return "\"" + name + "\"";
}

Rollout deployment(const Json& d) {
  const std::string name = quoted(kube::Object{d}.name());
  if (generation(d) > int_at(d, "status", "observedGeneration", 0))
    return {Rollout::State::waiting, "Waiting for deployment spec update to be observed..."};
  if (const Json* c = condition(d, "Progressing");
      c != nullptr && str(*c, "reason") == "ProgressDeadlineExceeded")
    return {Rollout::State::failed, "deployment " + name + " exceeded its progress deadline"};
  // spec.replicas is defaulted to 1 by the server; an absent value means 1.
  const auto want = int_at(d, "spec", "replicas", 1);
  const auto updated = int_at(d, "status", "updatedReplicas", 0);
  const auto replicas = int_at(d, "status", "replicas", 0);
  const auto available = int_at(d, "status", "availableReplicas", 0);
  if (updated < want)
    return {Rollout::State::waiting,
            "Waiting for deployment " + name + " rollout to finish: " + std::to_string(updated) +
                " out of " + std::to_string(want) + " new replicas have been updated..."};
  if (replicas > updated)
    return {Rollout::State::waiting, "Waiting for deployment " + name + " rollout to finish: " +
                                         std::to_string(replicas - updated) +
                                         " old replicas are pending termination..."};
  if (available < updated)
    return {Rollout::State::waiting,
            "Waiting for deployment " + name + " rollout to finish: " + std::to_string(available) +
                " of " + std::to_string(updated) + " updated replicas are available..."};
  return {Rollout::State::done, "deployment " + name + " successfully rolled out"};
}

Rollout statefulset(const Json& s) {
  const Json& spec = s.contains("spec") ? s["spec"] : Json::object();
  const Json strategy = spec.value("updateStrategy", Json::object());
  const std::string type = strategy.value("type", std::string("RollingUpdate"));
  if (type != "RollingUpdate")
    return {Rollout::State::failed,
            "rollout status is only available for RollingUpdate strategy type"};
  const auto observed = int_at(s, "status", "observedGeneration", 0);
  if (observed == 0 || generation(s) > observed)
    return {Rollout::State::waiting, "Waiting for statefulset spec update to be observed..."};
  const auto want = int_at(s, "spec", "replicas", 1);
  const auto ready = int_at(s, "status", "readyReplicas", 0);
  if (ready < want)
    return {Rollout::State::waiting,
            "Waiting for " + std::to_string(want - ready) + " pods to be ready..."};
  const Json rolling = strategy.value("rollingUpdate", Json::object());
  if (rolling.contains("partition") && rolling["partition"].is_number_integer()) {
    const auto partition = rolling["partition"].get<std::int64_t>();
    const auto updated = int_at(s, "status", "updatedReplicas", 0);
    if (updated < want - partition)
      return {Rollout::State::waiting,
              "Waiting for partitioned roll out to finish: " + std::to_string(updated) +
                  " out of " + std::to_string(want - partition) + " new pods have been updated..."};
    return {Rollout::State::done, "partitioned roll out complete: " + std::to_string(updated) +
                                      " new pods have been updated..."};
  }
  const Json& status = s.contains("status") ? s["status"] : Json::object();
  const std::string update = str(status, "updateRevision");
  const std::string current = str(status, "currentRevision");
  if (update != current)
    return {Rollout::State::waiting, "waiting for statefulset rolling update to complete " +
                                         std::to_string(int_at(s, "status", "updatedReplicas", 0)) +
                                         " pods at revision " + update + "..."};
  return {Rollout::State::done, "statefulset rolling update complete " + std::to_string(ready) +
                                    " pods at revision " + current + "..."};
}

}  // namespace

bool is_workload(const kube::GroupVersionKind& gvk) {
  return gvk.group == "apps" && (gvk.kind == "Deployment" || gvk.kind == "StatefulSet");
}

Rollout rollout_status(const kube::Json& live) {
  const kube::Object o{live};
  if (!is_workload(o.gvk())) return {Rollout::State::done, o.display() + " has no rollout"};
  return o.kind() == "Deployment" ? deployment(live) : statefulset(live);
}

}  // namespace stackctl::deploy
