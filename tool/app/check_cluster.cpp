#include "app/check_cluster.hpp"

#include "app/deploy.hpp"

namespace stackctl::app {

std::expected<check_cluster::Live, ClusterReadError> read_cluster(
    const std::vector<std::string>& namespaces, kube::Client& client) {
  check_cluster::Live live;
  const std::pair<const char*, std::vector<kube::Json>*> kinds[] = {
      {"Pod", &live.pods}, {"ConfigMap", &live.config_maps}};
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
