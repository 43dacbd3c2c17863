// Internal to deploy*.cpp: the pieces of the executor shared between the apply and wait halves.
#pragma once

#include <map>

#include "app/deploy.hpp"

namespace stackctl::app::detail {

// Discovery, cached per run (the real client also caches per server).
class Resources {
 public:
  explicit Resources(kube::Client& client) : client_(client) {}
  std::expected<kube::Resource, DeployError> get(const kube::GroupVersionKind& gvk);

 private:
  kube::Client& client_;
  std::map<kube::GroupVersionKind, kube::Resource> cache_;
};

// Step 0: every Secret the objects refer to and do not contain (core/deploy/secret_refs.hpp) is
// on the cluster with every key they name. Reads only the key names of live Secrets; the error
// (Kind::refused) names what is missing and the kubectl command that makes it.
std::expected<void, DeployError> check_secrets(const DeployRequest& request, Resources& resources,
                                               kube::Client& client);

// Step 0 too, before any request: no object carries a Terraform output placeholder (the IRSA
// role ARN render leaves unresolved without the outputs); the CLI refuses it earlier with the
// flag to pass, this keeps it off the cluster whoever calls deploy. Not for a dry run.
std::expected<void, DeployError> check_placeholders(const DeployRequest& request);

// Step 9: waits for every workload in `applied` and fills result.workloads.
std::expected<void, DeployError> wait_for(const DeployRequest& request,
                                          const std::vector<kube::Object>& applied,
                                          Resources& resources, kube::Client& client, Clock& clock,
                                          DeployProgress& progress, DeployResult& result);

}  // namespace stackctl::app::detail
