// `stackctl deploy`'s executor: puts rendered objects on a cluster through the kube::Client port,
// pruned with an ApplySet (core/deploy/applyset.hpp), then waits for the workloads and explains a
// failed or slow rollout with the doctor rules (core/doctor/rules.hpp).
//
// Steps, in this order; each is safe to interrupt and a rerun converges:
//   0 preflight (with check_secrets): every Secret the objects refer to and do not contain (the
//     object store's credentials Secret, kubernetesSecret sources of spark.env) exists with the
//     keys named; otherwise refused before anything is applied, with the kubectl command to run;
//     and (not for a dry run) no object carries an unresolved Terraform output placeholder
//   1 discovery of every kind (and of the kinds the parent lists from an earlier deploy)
//   2 the Namespace: created when missing, applied when stackctl manages it, else left as it is
//   3 the parent Secret read; a parent of another tool is refused
//   4 widen the parent (old ∪ new group-kinds), only when that changes it
//   5 LIST each group-kind of the widened parent per namespace, by part-of label (one LIST each)
//   6 server-side apply of every object in apply order (fieldManager stackctl, Strict validation),
//     wave by wave: a wave is the consecutive objects of one kind (apply order groups them), and
//     its members are sent `parallel` at a time; a wave starts when the one before has finished
//   7 prune: DELETE (Background) each listed member not applied in 6 (only with prune)
//   8 narrow the parent to the new group-kinds (only with prune)
//   9 wait: poll each Deployment/StatefulSet until `kubectl rollout status` would say done;
//     on failure or at the deadline, one LIST of pods, events and ReplicaSets of the namespace and
//     the doctor rules over them
// dry_run: 6 with dryRun=All and nothing written (no 4, 7, 8, 9); the plan comes from the
// server's answers. diff: the same, plus a unified diff per object of live vs intended.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "app/ports.hpp"
#include "core/deploy/rollout.hpp"
#include "core/doctor/rules.hpp"
#include "core/kube/object.hpp"

namespace stackctl::app {

// Time comes through app::Clock (app/ports.hpp), so tests wait without waiting.

struct WorkloadProgress {
  std::string object;  // "Deployment demo/demo-connect"
  deploy::Rollout::State state = deploy::Rollout::State::waiting;
  std::string message;  // kubectl's rollout status line
};

// Where deploy tells what it is doing (the CLI prints it on stderr).
class DeployProgress {
 public:
  virtual ~DeployProgress() = default;
  virtual void step(const std::string& line) = 0;
  // The state of every workload, each time one changes.
  virtual void workloads(const std::vector<WorkloadProgress>& all) = 0;
};

struct DeployRequest {
  std::string stack;                  // metadata.name: names the ApplySet parent
  std::string ns;                     // the target namespace
  std::vector<kube::Object> objects;  // as rendered, the Namespace included
  bool dry_run = false;
  bool diff = false;
  bool prune = true;
  bool force_conflicts = false;
  bool wait = true;
  // Step 0. drift's cluster check turns it off: it compares, and a missing Secret is not drift.
  bool check_secrets = true;
  // Requests in flight at once while applying one wave (step 6); 1: one after another.
  int parallel = 8;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds poll{std::chrono::seconds(2)};
  std::string tooling = std::string("stackctl/") + STACKCTL_VERSION;
};

enum class Action { create, update, unchanged, prune, skipped };
std::string to_string(Action a);

struct ObjectResult {
  std::string object;      // "Deployment demo/demo-connect"
  std::string group_kind;  // "Deployment.apps"
  Action action = Action::unchanged;
  std::string note;  // why skipped, or what a dry run could not ask the server
  std::string diff;  // with `diff`: unified diff of live vs intended ("" when equal)
};

struct WorkloadResult {
  WorkloadProgress progress;
  std::vector<doctor::Finding> findings;  // for a failed or unfinished rollout
};

struct DeployResult {
  std::string applyset_id;
  std::vector<ObjectResult> objects;  // in the order acted on; prunes last
  std::vector<WorkloadResult> workloads;
};

struct DeployError {
  enum class Kind {
    refused,   // a parent of another tool, a foreign Secret where ours should be, or a Secret
               // the objects need that is not on the cluster (step 0)
    conflict,  // 409: another field manager owns fields (see --force-conflicts)
    api,       // the cluster refused or failed (message from the Status)
    rollout,   // a workload failed or did not finish by the deadline (findings in `result`)
  };
  Kind kind = Kind::api;
  std::string message;
  DeployResult result;  // what was done before the error
};

std::expected<DeployResult, DeployError> deploy(const DeployRequest& request, kube::Client& client,
                                                Clock& clock, DeployProgress& progress);

// The message for a failed request on `what`: the Status' reason and message and what to do; a
// 409 field-manager conflict names each field and its manager.
std::string explain(const kube::Failure& failure, const std::string& what, bool dry_run = false);

}  // namespace stackctl::app
