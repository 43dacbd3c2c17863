// Diagnosis rules over an observed snapshot of one workload: its pods, their events and their
// container states. `deploy` runs them when a rollout fails or times out, `doctor` over the whole
// platform; both print the findings in rule order (the first one is the top cause).
//
// Each rule is a value with a stable code (documented in docs/doctor-codes.md; never renumbered
// or reused), so users can grep, exclude and look up findings. Sources of the signals: the
// failure catalogue in docs/deploy.md (kubelet and scheduler reasons and messages).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::doctor {

// A SubjectAccessReview (or SelfSubjectRulesReview) answer: may `subject` `verb` `resource` in
// `ns`? `allowed` is unset when the question could not be asked (then `error` says why).
struct AccessCheck {
  std::string subject;  // "system:serviceaccount:demo:spark"
  std::string ns;
  std::string verb;      // "create"
  std::string resource;  // "pods"
  std::optional<bool> allowed;
  std::string method;  // "SubjectAccessReview" | "SelfSubjectRulesReview"
  std::string reason;  // the review's status.reason (or what the rules review showed)
  std::string error;   // why it could not be asked
};

// The last lines of one container's log, already scrubbed of credentials (core/doctor/scrub.hpp).
struct ContainerLog {
  std::string ns;
  std::string pod;
  std::string container;
  bool previous = false;  // the last terminated container's log
  std::vector<std::string> lines;
  std::string error;  // the logs call failed (no kubelet: 500 and similar); lines then empty
};

// What was read from the cluster, read once: no rule does I/O. `deploy` fills the first four
// fields for one workload; `doctor` (app/observe.hpp) fills the platform fields for every
// namespace of the stack and leaves `workload` null.
struct Snapshot {
  kube::Json workload;                   // the Deployment or StatefulSet (null when none)
  std::vector<kube::Json> pods;          // the workload's pods (doctor: every pod)
  std::vector<kube::Json> replica_sets;  // a Deployment's ReplicaSets (doctor: every one)
  // Events of the namespace by involvedObject.uid (index_events of one LIST).
  std::map<std::string, std::vector<kube::Json>> events;

  // The platform (doctor).
  std::vector<std::string> namespaces;
  std::vector<kube::Json> deployments;
  std::vector<kube::Json> stateful_sets;
  std::vector<kube::Json> services;
  std::vector<kube::Json> endpoints;
  std::vector<kube::Json> claims;       // PersistentVolumeClaims
  std::vector<kube::Json> config_maps;  // metadata only
  std::vector<kube::Json> secrets;      // metadata and the key names of data; never values
  std::vector<kube::Json> nodes;        // empty when not permitted (see `notes`)
  std::vector<AccessCheck> access;
  std::vector<ContainerLog> logs;
  // What could not be read and why ("nodes: forbidden ..."): reported, never fatal.
  std::vector<std::string> notes;
  // A request the cluster refused for the user's credentials (401, exec plugin failure).
  std::string auth_error;
  // From the stack, so rules can tell the object store's host from a driver's.
  std::string object_store_host;  // "minio.default.svc.cluster.local" ("" when none)
};

// One LIST of events (an EventList) indexed by involvedObject.uid.
std::map<std::string, std::vector<kube::Json>> index_events(const kube::Json& event_list);

enum class Severity { info, warning, error };
std::string to_string(Severity s);

struct Finding {
  std::string code;   // "D_IMAGE_PULL"
  std::string title;  // the rule's title
  Severity severity = Severity::error;
  std::string object;    // "Pod demo/demo-connect-5d8f-abc12 container connect"
  std::string evidence;  // what the cluster said, quoted: "waiting: ImagePullBackOff: Back-off ..."
  std::string cause;     // why, in the user's terms
  std::string fix;       // what to do
  // The objects of one root cause (grouped: one missing Secret, five pods). Empty: `object`.
  std::vector<std::string> objects = {};
  // Where the fix is a stack change: the stack key path ("spark.executor.memoryOverhead"),
  // resolved to file:line:column by the caller through the model's Locations.
  std::string stack_key = {};
};

struct Rule {
  std::string code;
  std::string title;
  Severity severity = Severity::error;
  std::function<std::vector<Finding>(const Snapshot&)> run;
};

// Every rule, in priority order.
const std::vector<Rule>& rules();

// Every rule's findings over `snapshot`, in rule order.
std::vector<Finding> diagnose(const Snapshot& snapshot);

// The rules over a whole platform (core/doctor/platform_rules.cpp, log_rules.cpp): services,
// endpoints, claims, evictions, RBAC answers, workloads' conditions and pods' log lines. They
// find nothing in deploy's one-workload snapshot except the pod-state and log ones.
std::vector<Rule> platform_rules();

}  // namespace stackctl::doctor
