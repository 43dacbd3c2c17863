#include "core/doctor/rules.hpp"

#include <optional>

namespace stackctl::doctor {

namespace {

using kube::Json;

const Json& empty() {
  static const Json e = Json::object();
  return e;
}

const Json& at(const Json& j, const char* key) {
  if (!j.is_object()) return empty();
  const auto it = j.find(key);
  return it != j.end() ? *it : empty();
}

std::string str(const Json& j, const char* key) {
  const Json& v = at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::string quote(const std::string& s) {
  return "\"" + s + "\"";
}

bool contains(const std::string& s, std::string_view needle) {
  return s.find(needle) != std::string::npos;
}

// The text between `prefix` and the next '"' in `s` ("secret \"x\" not found" -> x).
std::optional<std::string> quoted_after(const std::string& s, std::string_view prefix) {
  const auto p = s.find(prefix);
  if (p == std::string::npos) return std::nullopt;
  const auto start = p + prefix.size();
  const auto end = s.find('"', start);
  if (end == std::string::npos) return std::nullopt;
  return s.substr(start, end - start);
}

std::string pod_name(const Json& pod) {
  const kube::Object o{pod};
  return "Pod " + o.namespace_name() + "/" + o.name();
}

const std::vector<Json>& events_of(const Snapshot& s, const Json& object) {
  static const std::vector<Json> none;
  const auto it = s.events.find(str(at(object, "metadata"), "uid"));
  return it != s.events.end() ? it->second : none;
}

// Every container status of a pod (init containers first) with the pod.
struct Container {
  const Json* pod;
  const Json* status;
  std::string where() const { return pod_name(*pod) + " container " + str(*status, "name"); }
};

std::vector<Container> containers(const Snapshot& s) {
  std::vector<Container> out;
  for (const auto& pod : s.pods)
    for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
      const Json& list = at(at(pod, "status"), key);
      if (list.is_array())
        for (const auto& c : list) out.push_back({&pod, &c});
    }
  return out;
}

std::string waiting_reason(const Json& cs) {
  return str(at(at(cs, "state"), "waiting"), "reason");
}

std::string waiting_evidence(const Json& cs) {
  const Json& w = at(at(cs, "state"), "waiting");
  const std::string message = str(w, "message");
  return "state.waiting.reason " + str(w, "reason") +
         (message.empty() ? "" : ": " + quote(message));
}

const Json& last_terminated(const Json& cs) {
  return at(at(cs, "lastState"), "terminated");
}

// Events of `pod` with `reason`, newest last as the server lists them.
std::vector<const Json*> pod_events(const Snapshot& s, const Json& pod, const std::string& reason) {
  std::vector<const Json*> out;
  for (const auto& e : events_of(s, pod))
    if (str(e, "reason") == reason) out.push_back(&e);
  return out;
}

bool is_pending(const Json& pod) {
  return str(at(pod, "status"), "phase") == "Pending";
}

// The scheduler's words on a pending pod: every FailedScheduling event, newest last, then the
// PodScheduled=False condition's message.
std::vector<std::string> scheduling_messages(const Snapshot& s, const Json& pod) {
  std::vector<std::string> out;
  for (const auto* e : pod_events(s, pod, "FailedScheduling")) out.push_back(str(*e, "message"));
  const Json& conditions = at(at(pod, "status"), "conditions");
  if (conditions.is_array())
    for (const auto& c : conditions)
      if (str(c, "type") == "PodScheduled" && str(c, "status") == "False" &&
          !str(c, "message").empty())
        out.push_back(str(c, "message"));
  return out;
}

std::vector<Finding> image_pull(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : containers(s)) {
    const std::string reason = waiting_reason(*c.status);
    if (reason != "ErrImagePull" && reason != "ImagePullBackOff" && reason != "InvalidImageName" &&
        reason != "ErrImageNeverPull")
      continue;
    const std::string image = str(*c.status, "image");
    out.push_back({"D_IMAGE_PULL", "image cannot be pulled", Severity::error, c.where(),
                   waiting_evidence(*c.status) + "; image " + quote(image),
                   "the node cannot pull " + image +
                       ": the tag or digest is not in the registry the cluster pulls from, the "
                       "registry needs a pull secret, or (minikube) the image was never loaded",
                   "check that the image exists (`stackctl build --push`, `skopeo inspect "
                   "docker://" +
                       image +
                       "`); on minikube run `minikube image load` with it; give the pods "
                       "imagePullSecrets for a private registry"});
  }
  return out;
}

std::vector<Finding> container_config(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : containers(s)) {
    if (waiting_reason(*c.status) != "CreateContainerConfigError") continue;
    const std::string message = str(at(at(*c.status, "state"), "waiting"), "message");
    std::string cause = "the kubelet cannot build the container's environment or mounts";
    std::string fix = "read the message and create what it names before the workload";
    if (auto secret = quoted_after(message, "secret \"");
        secret && contains(message, "not found")) {
      cause = "Secret " + *secret + " does not exist in the namespace";
      fix = "create Secret " + *secret +
            " (the stack's spark.env Secret comes from `stackctl deploy` with its values, or from "
            "Terraform with manage_spark_env_secret; a kubernetesSecret source must exist first)";
    } else if (contains(message, "couldn't find key ")) {
      const auto p = message.find("couldn't find key ") + 18;
      const std::string key = message.substr(p, message.find(' ', p) - p);
      cause = "a Secret the pod reads lacks the key " + key;
      fix = "add key " + key + " to that Secret, or mark the spark.env key `required: false`";
    }
    out.push_back({"D_CONFIG_MISSING", "container configuration refers to something missing",
                   Severity::error, c.where(), waiting_evidence(*c.status), cause, fix});
  }
  return out;
}

std::vector<Finding> mount_missing(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& pod : s.pods)
    for (const auto* e : pod_events(s, pod, "FailedMount")) {
      const std::string message = str(*e, "message");
      auto cm = quoted_after(message, "configmap \"");
      auto secret = quoted_after(message, "secret \"");
      if (!cm && !secret) continue;
      const std::string what = cm ? "ConfigMap " + *cm : "Secret " + *secret;
      out.push_back({"D_MOUNT_MISSING", "a mounted ConfigMap or Secret does not exist",
                     Severity::error, pod_name(pod), "event FailedMount: " + quote(message),
                     what + " is mounted by the pod but does not exist in its namespace",
                     "apply " + what +
                         " before the workload (`stackctl deploy` orders "
                         "ConfigMaps and Secrets first; check its name)"});
    }
  return out;
}

bool mentions_any(const std::string& message, const std::vector<std::string_view>& needles) {
  for (const auto n : needles)
    if (contains(message, n)) return true;
  return false;
}

// Pending pods with a scheduling message that contains one of `needles` (the newest such
// message is quoted); with no needles, pods none of whose messages a specific rule names.
template <class Make>
std::vector<Finding> pending_with(const Snapshot& s, const std::vector<std::string_view>& needles,
                                  Make make) {
  static const std::vector<std::string_view> specific = {"Insufficient cpu", "Insufficient memory",
                                                         "unbound immediate PersistentVolumeClaims",
                                                         "unbound PersistentVolumeClaims"};
  std::vector<Finding> out;
  for (const auto& pod : s.pods) {
    if (!is_pending(pod)) continue;
    const auto messages = scheduling_messages(s, pod);
    if (messages.empty()) continue;
    if (needles.empty()) {
      bool named = false;
      for (const auto& m : messages) named = named || mentions_any(m, specific);
      if (!named) out.push_back(make(pod, messages.back()));
      continue;
    }
    for (auto m = messages.rbegin(); m != messages.rend(); ++m)
      if (mentions_any(*m, needles)) {
        out.push_back(make(pod, *m));
        break;
      }
  }
  return out;
}

std::vector<Finding> insufficient_resources(const Snapshot& s) {
  return pending_with(
      s, {"Insufficient cpu", "Insufficient memory"}, [](const Json& pod, const std::string& m) {
        const std::string what =
            contains(m, "Insufficient cpu") && contains(m, "Insufficient memory") ? "cpu and memory"
            : contains(m, "Insufficient cpu")                                     ? "cpu"
                                                                                  : "memory";
        return Finding{
            "D_INSUFFICIENT_RESOURCES",
            "pod does not fit on any node",
            Severity::error,
            pod_name(pod),
            "FailedScheduling: " + quote(m),
            "the pod requests more " + what +
                " than any node has free (Spark pods request memory + overhead)",
            "lower the stack's spark.driver/executor memory or cores for this target, give "
            "minikube more (`minikube start --cpus N --memory M`), or add nodes"};
      });
}

std::vector<Finding> unbound_claims(const Snapshot& s) {
  return pending_with(
      s, {"unbound immediate PersistentVolumeClaims", "unbound PersistentVolumeClaims"},
      [](const Json& pod, const std::string& m) {
        return Finding{"D_UNBOUND_PVC",
                       "pod waits for a PersistentVolumeClaim",
                       Severity::error,
                       pod_name(pod),
                       "FailedScheduling: " + quote(m),
                       "a claim of the pod is not bound: no StorageClass provisions it "
                       "(often: the cluster has no default StorageClass)",
                       "`kubectl get pvc,storageclass`: mark a StorageClass default or name "
                       "one in the claim"};
      });
}

std::vector<Finding> unschedulable(const Snapshot& s) {
  return pending_with(s, {}, [](const Json& pod, const std::string& m) {
    return Finding{"D_UNSCHEDULABLE",
                   "pod cannot be scheduled",
                   Severity::error,
                   pod_name(pod),
                   "FailedScheduling: " + quote(m),
                   "the scheduler finds no node for the pod",
                   "read the scheduler's reasons above: taints, node selectors, affinity, or no "
                   "Ready node at all (`kubectl get nodes`)"};
  });
}

std::string terminated_evidence(const Json& t) {
  std::string e = "lastState.terminated.reason " + str(t, "reason");
  const Json& code = at(t, "exitCode");
  if (code.is_number_integer()) e += " exitCode " + std::to_string(code.get<int>());
  return e;
}

std::vector<Finding> oom_killed(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : containers(s)) {
    const Json& t = last_terminated(*c.status);
    const Json& now = at(at(*c.status, "state"), "terminated");
    const Json& hit = str(t, "reason") == "OOMKilled" ? t : now;
    if (str(hit, "reason") != "OOMKilled") continue;
    const std::string waiting = waiting_reason(*c.status);
    out.push_back({"D_OOMKILLED", "container killed for using more memory than its limit",
                   Severity::error, c.where(),
                   (waiting.empty() ? "" : "state.waiting.reason " + waiting + "; ") +
                       terminated_evidence(hit),
                   "the JVM (heap + off-heap) outgrew the container's memory limit",
                   "raise the pod's memory: spark.driver.memoryOverhead / "
                   "spark.executor.memoryOverhead (or memory) in the stack"});
  }
  return out;
}

std::vector<Finding> daemonized(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : containers(s)) {
    if (waiting_reason(*c.status) != "CrashLoopBackOff") continue;
    const Json& t = last_terminated(*c.status);
    if (!at(t, "exitCode").is_number_integer() || at(t, "exitCode").get<int>() != 0) continue;
    out.push_back({"D_EXITED_ZERO", "container exits successfully and is restarted",
                   Severity::error, c.where(),
                   waiting_evidence(*c.status) + "; " + terminated_evidence(t),
                   "the main process returns at once: a server started in the background "
                   "(start-connect-server.sh daemonizes unless SPARK_NO_DAEMONIZE is set)",
                   "run the server in the foreground: SPARK_NO_DAEMONIZE=true or spark-submit "
                   "--class org.apache.spark.sql.connect.service.SparkConnectServer"});
  }
  return out;
}

std::vector<Finding> crash_loop(const Snapshot& s) {
  std::vector<Finding> out;
  for (const auto& c : containers(s)) {
    if (waiting_reason(*c.status) != "CrashLoopBackOff") continue;
    const Json& t = last_terminated(*c.status);
    if (str(t, "reason") == "OOMKilled") continue;  // D_OOMKILLED
    if (at(t, "exitCode").is_number_integer() && at(t, "exitCode").get<int>() == 0) continue;
    out.push_back({"D_CRASH_LOOP", "container keeps crashing", Severity::error, c.where(),
                   waiting_evidence(*c.status) + (t.empty() ? "" : "; " + terminated_evidence(t)),
                   "the container's process fails at start",
                   "read its log: `kubectl logs --previous " + kube::Object{*c.pod}.name() +
                       " -c " + str(*c.status, "name") + "`"});
  }
  return out;
}

const Json* condition(const Json& object, const std::string& type) {
  const Json& conditions = at(at(object, "status"), "conditions");
  if (!conditions.is_array()) return nullptr;
  for (const auto& c : conditions)
    if (str(c, "type") == type) return &c;
  return nullptr;
}

std::vector<Finding> replica_failure(const Snapshot& s) {
  std::vector<Finding> out;
  std::vector<const Json*> owners;
  if (!s.workload.is_null()) owners.push_back(&s.workload);
  for (const auto& d : s.deployments) owners.push_back(&d);
  for (const auto& rs : s.replica_sets) owners.push_back(&rs);
  for (const auto& ss : s.stateful_sets) owners.push_back(&ss);
  for (const Json* o : owners) {
    const Json* c = condition(*o, "ReplicaFailure");
    std::string evidence;
    if (c != nullptr && str(*c, "status") == "True") {
      evidence = "condition ReplicaFailure " + str(*c, "reason") + ": " + quote(str(*c, "message"));
    } else {
      // The controller records each refused create as a Warning event FailedCreate on the
      // ReplicaSet (or StatefulSet) before, or without, setting the condition (catalogue 7).
      const Json* newest = nullptr;
      for (const auto& e : events_of(s, *o))
        if (str(e, "type") == "Warning" && str(e, "reason") == "FailedCreate" &&
            (newest == nullptr || str(e, "lastTimestamp") >= str(*newest, "lastTimestamp")))
          newest = &e;
      if (newest == nullptr) continue;
      evidence = "event FailedCreate: " + quote(str(*newest, "message"));
    }
    out.push_back({"D_REPLICA_FAILURE", "pods cannot be created", Severity::error,
                   kube::Object{*o}.display(), evidence,
                   "the API server refused the workload's pods (quota, admission, a missing "
                   "ServiceAccount)",
                   "fix what the message names; `stackctl deploy` applies the ServiceAccount "
                   "before the workloads"});
  }
  return out;
}

std::vector<Finding> progress_deadline(const Snapshot& s) {
  std::vector<const Json*> workloads;
  if (!s.workload.is_null()) workloads.push_back(&s.workload);
  for (const auto& d : s.deployments) workloads.push_back(&d);
  std::vector<Finding> out;
  for (const Json* w : workloads) {
    const Json* c = condition(*w, "Progressing");
    if (c == nullptr || str(*c, "reason") != "ProgressDeadlineExceeded") continue;
    out.push_back({"D_PROGRESS_DEADLINE", "rollout exceeded its progress deadline", Severity::error,
                   kube::Object{*w}.display(),
                   "condition Progressing ProgressDeadlineExceeded: " + quote(str(*c, "message")),
                   "new pods did not become available within spec.progressDeadlineSeconds",
                   "the pod findings above name why; without any, check readiness probes"});
  }
  return out;
}

}  // namespace

std::map<std::string, std::vector<Json>> index_events(const Json& event_list) {
  std::map<std::string, std::vector<Json>> out;
  const Json& items = at(event_list, "items");
  if (!items.is_array()) return out;
  for (const auto& e : items) {
    const std::string uid = str(at(e, "involvedObject"), "uid");
    if (!uid.empty()) out[uid].push_back(e);
  }
  return out;
}

std::string to_string(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      break;
  }
  return "error";
}

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {"D_IMAGE_PULL", "image cannot be pulled", Severity::error, image_pull},
      {"D_CONFIG_MISSING", "container configuration refers to something missing", Severity::error,
       container_config},
      {"D_MOUNT_MISSING", "a mounted ConfigMap or Secret does not exist", Severity::error,
       mount_missing},
      {"D_INSUFFICIENT_RESOURCES", "pod does not fit on any node", Severity::error,
       insufficient_resources},
      {"D_UNBOUND_PVC", "pod waits for a PersistentVolumeClaim", Severity::error, unbound_claims},
      {"D_UNSCHEDULABLE", "pod cannot be scheduled", Severity::error, unschedulable},
      {"D_OOMKILLED", "container killed for using more memory than its limit", Severity::error,
       oom_killed},
      {"D_EXITED_ZERO", "container exits successfully and is restarted", Severity::error,
       daemonized},
      {"D_CRASH_LOOP", "container keeps crashing", Severity::error, crash_loop},
      {"D_REPLICA_FAILURE", "pods cannot be created", Severity::error, replica_failure},
      {"D_PROGRESS_DEADLINE", "rollout exceeded its progress deadline", Severity::error,
       progress_deadline},
  };
  static const std::vector<Rule> with_platform = [] {
    std::vector<Rule> v = all;
    for (auto& r : platform_rules()) v.push_back(std::move(r));
    return v;
  }();
  return with_platform;
}

std::vector<Finding> diagnose(const Snapshot& snapshot) {
  std::vector<Finding> out;
  for (const auto& rule : rules()) {
    auto found = rule.run(snapshot);
    out.insert(out.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  }
  return out;
}

}  // namespace stackctl::doctor
