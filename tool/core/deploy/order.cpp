#include "core/deploy/order.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace stackctl::deploy {

namespace {

struct Rank {
  std::string_view group;
  std::string_view kind;
  int rank;
};

constexpr std::array<Rank, 11> kRanks = {{
    {"", "Namespace", 0},
    // Before anything else that may be an instance of it.
    {"apiextensions.k8s.io", "CustomResourceDefinition", 5},
    {"", "ServiceAccount", 10},
    {"rbac.authorization.k8s.io", "Role", 20},
    {"rbac.authorization.k8s.io", "RoleBinding", 21},
    {"", "ConfigMap", 30},
    {"", "Secret", 31},
    {"", "Service", 40},
    {"apps", "Deployment", 50},
    {"apps", "StatefulSet", 51},
    {"", "PersistentVolumeClaim", 35},
}};

constexpr int kOthers = 90;

}  // namespace

int apply_rank(const kube::GroupVersionKind& gvk) {
  for (const auto& r : kRanks)
    if (r.group == gvk.group && r.kind == gvk.kind) return r.rank;
  return kOthers;
}

std::vector<kube::Object> in_apply_order(std::vector<kube::Object> objects) {
  std::stable_sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
    return apply_rank(a.gvk()) < apply_rank(b.gvk());
  });
  return objects;
}

}  // namespace stackctl::deploy
