// What `stackctl check --cluster` reads from a cluster (core/knowledge/check_cluster.hpp judges
// it): per namespace one LIST of pods and one LIST of ConfigMaps, through the kube::Client port.
// ConfigMaps keep their data (they hold no secrets; Secrets are never read here).
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "core/knowledge/check_cluster.hpp"

namespace stackctl::app {

struct ClusterReadError {
  std::string message;  // names what was being read and why it failed, and what to do
};

// Any failure (unreachable, 401, 403, not served) is an error: a check that could not read the
// pods or ConfigMaps would judge nothing and pass.
// `pods`: given, they are taken as read (doctor's snapshot has them: those of `namespaces` are
// moved out of it, not copied) and only the ConfigMaps are listed.
std::expected<check_cluster::Live, ClusterReadError> read_cluster(
    const std::vector<std::string>& namespaces, kube::Client& client,
    std::vector<kube::Json>* pods = nullptr);

}  // namespace stackctl::app
