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
#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::doctor {

// What was read from the cluster, read once: no rule does I/O.
struct Snapshot {
  kube::Json workload;                   // the Deployment or StatefulSet (null when none)
  std::vector<kube::Json> pods;          // the workload's pods
  std::vector<kube::Json> replica_sets;  // a Deployment's ReplicaSets
  // Events of the namespace by involvedObject.uid (index_events of one LIST).
  std::map<std::string, std::vector<kube::Json>> events;
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

}  // namespace stackctl::doctor
