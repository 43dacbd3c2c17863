#include "app/drift.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/drift/cluster.hpp"

namespace stackctl::app {

std::vector<drift::Result> registry_check(const lock::Lock& locked, const std::string& lock_file,
                                          const TagLookup& lookup, int parallel) {
  std::vector<drift::Result> out = drift::registry_skips(locked);
  std::vector<drift::TagObservation> seen;
  for (const auto& i : locked.images)
    if (!i.digest.empty()) seen.push_back({i.name, i.ref, i.digest, std::nullopt, ""});
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < seen.size(); i = next++) {
      auto got = lookup(seen[i].ref);
      if (got)
        seen[i].observed_digest = *got;
      else
        seen[i].error = got.error();
    }
  };
  const std::size_t n = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(parallel, 1)), 1,
                                                std::max<std::size_t>(seen.size(), 1));
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (const auto& s : seen) out.push_back(drift::compare_tag(s, lock_file));
  return out;
}

namespace {

class NoProgress : public DeployProgress {
 public:
  void step(const std::string&) override {}
  void workloads(const std::vector<WorkloadProgress>&) override {}
};

std::vector<drift::Result> from_dry_run(const DeployResult& r) {
  std::vector<drift::Result> out;
  for (const auto& o : r.objects) {
    drift::Result res{"cluster",     o.object, drift::Status::passed, drift::Severity::error,
                      "as intended", "",       std::nullopt,          ""};
    switch (o.action) {
      case Action::unchanged:
        break;
      case Action::update:
        res.status = drift::Status::drifted;
        res.summary =
            "live object differs from the stack" + (o.note.empty() ? "" : " (" + o.note + ")");
        res.evidence = o.diff;
        break;
      case Action::create:
        res.status = drift::Status::drifted;
        res.summary = "missing on the cluster" + (o.note.empty() ? "" : " (" + o.note + ")");
        res.evidence = o.diff;
        break;
      case Action::prune:
        res.status = drift::Status::drifted;
        res.summary = "in the ApplySet but no longer rendered by the stack";
        res.evidence = "`stackctl deploy` (which prunes) would delete it\n" + o.diff;
        break;
      case Action::skipped:
        res.status = drift::Status::skipped;
        res.summary = o.note;
        break;
    }
    out.push_back(std::move(res));
  }
  return out;
}

drift::Result request_failed(const std::string& what, const kube::Failure& f) {
  return drift::failed("cluster", what, kube::describe(f, what));
}

}  // namespace

std::vector<drift::Result> cluster_check(const ClusterRequest& request, kube::Client& client) {
  DeployRequest d = request.deploy;
  d.dry_run = true;
  d.diff = true;
  d.wait = false;
  d.prune = true;
  // A field someone changed with kubectl edit/patch is now theirs: without force the dry-run
  // apply would be a 409 instead of showing the change. Nothing is stored either way (dryRun=All).
  d.force_conflicts = true;
  d.check_secrets = false;  // drift compares; a missing Secret is deploy's and doctor's to report
  NoProgress progress;
  auto dry = deploy(d, client, steady_clock(), progress);
  if (!dry) return {drift::failed("cluster", "server-side dry run", dry.error().message)};
  std::vector<drift::Result> out = from_dry_run(*dry);

  // Pods: one LIST of the namespace.
  auto pods_r = client.resource_for({"", "v1", "Pod"});
  if (!pods_r) {
    out.push_back(request_failed("pods in " + d.ns, pods_r.error()));
  } else if (auto pods = client.list(*pods_r, d.ns, {}); !pods) {
    out.push_back(request_failed("pods in " + d.ns, pods.error()));
  } else if (request.lock != nullptr) {
    auto images =
        drift::compare_pod_images(pods->value("items", kube::Json::array()), *request.lock);
    out.insert(out.end(), images.begin(), images.end());
  }

  // spark.env checksum: one GET per rendered workload.
  for (const auto& o : d.objects) {
    if (o.kind() != "Deployment" && o.kind() != "StatefulSet") continue;
    auto r = client.resource_for(o.gvk());
    if (!r) {
      out.push_back(request_failed(o.display(), r.error()));
      continue;
    }
    auto live = client.get(*r, o.namespace_name(), o.name());
    if (!live) {
      out.push_back(request_failed(o.display(), live.error()));
      continue;
    }
    if (auto res = drift::compare_values_checksum(o, *live)) out.push_back(std::move(*res));
  }
  return out;
}

}  // namespace stackctl::app
