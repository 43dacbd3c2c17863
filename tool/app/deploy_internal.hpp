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

// Step 9: waits for every workload in `applied` and fills result.workloads.
std::expected<void, DeployError> wait_for(const DeployRequest& request,
                                          const std::vector<kube::Object>& applied,
                                          Resources& resources, kube::Client& client, Clock& clock,
                                          DeployProgress& progress, DeployResult& result);

}  // namespace stackctl::app::detail
