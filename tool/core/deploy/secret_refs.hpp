// The Secrets a platform needs that the platform does not make: deploy's preflight.
//
// Rendered objects refer to Secrets in two ways: a pod template's `secretKeyRef` (the object
// store's credentials Secret of services.external.objectStore.credentialsSecret, a kubernetesSecret
// source of spark.env) and the Spark settings that make Spark add one to the pods it creates
// itself (`spark.kubernetes.{driver,executor}.secretKeyRef.ENV=SECRET:KEY`, in spark-defaults.conf,
// kyuubi-defaults.conf or a container's arguments). A reference that is not `optional: true` to a
// Secret that is not among the objects being applied must already exist on the cluster with that
// key, or the pod never starts (CreateContainerConfigError) and Spark's executors neither.
//
// What is collected is names only: never a value (the preflight reads the keys of the live Secret,
// never prints what they hold). Pure, no I/O.
#pragma once

#include <string>
#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::deploy {

struct SecretNeed {
  std::string ns;
  std::string name;
  std::vector<std::string> keys;     // sorted, each once
  std::vector<std::string> used_by;  // "Deployment demo/demo-connect", in object order, each once
};

// The Secrets `objects` refer to (non-optional references only) and do not contain, sorted by
// namespace and name. An object without a namespace (a cluster-scoped one) names no Secret.
std::vector<SecretNeed> external_secrets(const std::vector<kube::Object>& objects);

// The command that creates `need` with kubectl: `kubectl create secret generic NAME -n NS
// --from-literal=KEY=... ...` (the values left as `...` for the user to fill in).
std::string create_command(const SecretNeed& need);

}  // namespace stackctl::deploy
