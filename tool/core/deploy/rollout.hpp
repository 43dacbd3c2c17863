// Whether a Deployment or StatefulSet has rolled out, decided exactly as `kubectl rollout status`
// does (kubectl's DeploymentStatusViewer and StatefulSetStatusViewer; facts in docs/deploy.md),
// with kubectl's messages.
#pragma once

#include <string>

#include "core/kube/object.hpp"

namespace stackctl::deploy {

struct Rollout {
  enum class State { waiting, done, failed };
  State state = State::waiting;
  std::string message;  // "Waiting for deployment \"x\" rollout to finish: 0 of 1 updated ..."
};

// Deployment:
//   generation > status.observedGeneration         -> waiting (spec update not observed)
//   Progressing reason ProgressDeadlineExceeded    -> failed
//   updatedReplicas < spec.replicas                -> waiting
//   status.replicas > updatedReplicas              -> waiting (old replicas terminating)
//   availableReplicas < updatedReplicas            -> waiting
//   else                                           -> done
// StatefulSet (RollingUpdate; OnDelete cannot be waited on: failed):
//   observedGeneration 0 or < generation -> waiting; readyReplicas < spec.replicas -> waiting;
//   with a partition: updatedReplicas < replicas - partition -> waiting, else done;
//   updateRevision != currentRevision -> waiting; else done.
// Other kinds are done at once (nothing to wait for).
Rollout rollout_status(const kube::Json& live);

// True for the kinds rollout_status waits on.
bool is_workload(const kube::GroupVersionKind& gvk);

}  // namespace stackctl::deploy
