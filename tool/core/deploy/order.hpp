// The order deploy applies objects in, so that what an object refers to exists first (facts:
// Namespace, CustomResourceDefinition, ServiceAccount, Role/RoleBinding, ConfigMap/Secret, Service,
// Deployment/StatefulSet, then anything else). render's NN- file prefixes follow the same order
// (docs/kubernetes.md).
#pragma once

#include <vector>

#include "core/kube/object.hpp"

namespace stackctl::deploy {

// Rank of a kind in the apply order: lower first. Kinds not listed rank last.
int apply_rank(const kube::GroupVersionKind& gvk);

// `objects` sorted by apply_rank; objects of equal rank keep their relative order (stable), so
// render's order decides within a kind.
std::vector<kube::Object> in_apply_order(std::vector<kube::Object> objects);

}  // namespace stackctl::deploy
