#include "app/check_cluster.hpp"

#include <algorithm>

#include "app/deploy.hpp"

namespace stackctl::app {

std::expected<check_cluster::Live, ClusterReadError> read_cluster(
    const std::vector<std::string>& namespaces, kube::Client& client,
    std::vector<kube::Json>* pods) {
  check_cluster::Live live;
  std::vector<std::pair<const char*, std::vector<kube::Json>*>> kinds;
  if (pods == nullptr) {
    kinds.emplace_back("Pod", &live.pods);
  } else {
    for (auto& pod : *pods) {
      const kube::Json* ns = pod.contains("metadata") ? &pod["metadata"] : nullptr;
      if (ns != nullptr && ns->contains("namespace") &&
          std::find(namespaces.begin(), namespaces.end(), (*ns)["namespace"].get<std::string>()) !=
              namespaces.end()) {
        live.pods.push_back(std::move(pod));
        live.pods.back()["kind"] = "Pod";  // as the LIST below would give them
        live.pods.back()["apiVersion"] = "v1";
      }
    }
  }
  kinds.emplace_back("ConfigMap", &live.config_maps);
  for (const auto& ns : namespaces) {
    for (const auto& [kind, into] : kinds) {
      const std::string what = std::string(kind) + " in " + ns;
      auto r = client.resource_for({"", "v1", kind});
      if (!r) return std::unexpected(ClusterReadError{explain(r.error(), what)});
      auto list = client.list(*r, ns, {});
      if (!list) return std::unexpected(ClusterReadError{explain(list.error(), what)});
      if (!list->contains("items") || !(*list)["items"].is_array()) continue;
      for (auto& o : (*list)["items"]) {
        // LIST items carry no kind/apiVersion: put them back so display() names them.
        o["kind"] = kind;
        o["apiVersion"] = "v1";
        into->push_back(std::move(o));
      }
    }
  }
  return live;
}

}  // namespace stackctl::app
