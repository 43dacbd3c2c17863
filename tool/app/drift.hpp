// `stackctl drift`'s observations of the world, over ports: the registry (one request per locked
// image, in parallel) and the cluster (deploy's server-side dry run and diff, the pods' images,
// the spark.env checksum on pod templates). The comparisons themselves are core/drift.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "app/deploy.hpp"
#include "core/drift/checks.hpp"
#include "core/drift/result.hpp"
#include "core/kube/object.hpp"
#include "core/plans/lock.hpp"

namespace stackctl::app {

// Asks a registry where `ref` (repository:tag) points: its manifest digest, nullopt when the tag
// does not exist, or an error message. Called from several threads at once: each call must be
// independent (the CLI makes one registry client per call).
using TagLookup =
    std::function<std::expected<std::optional<std::string>, std::string>(const std::string& ref)>;

// One lookup per locked image with a digest, `parallel` at a time (1: one after another), and the
// results in the lock's image order (skips for images without a digest first).
std::vector<drift::Result> registry_check(const lock::Lock& locked, const std::string& lock_file,
                                          const TagLookup& lookup, int parallel);

struct ClusterRequest {
  DeployRequest deploy;  // the objects as deploy would apply them; dry_run/diff/wait are set here
  const lock::Lock* lock = nullptr;
};

// The cluster check, read-only:
//  - deploy's dry run with diff (app::deploy, dryRun=All, no wait, force-conflicts so a field a
//    kubectl edit took over shows as a difference instead of a 409): an object to update is drifted
//    (evidence: deploy's masked diff of live vs intended), one to create is missing, an ApplySet
//    member the stack no longer renders (prune) is drifted, unchanged ones pass;
//  - every pod of the namespace: containers whose image belongs to a locked repository but whose
//    running digest (status imageID, else the spec's @digest) is not the locked digest;
//  - every rendered Deployment/StatefulSet: the live pod template's checksum/secret annotation
//    against the rendered one (a spark.env value changed since the last deploy; values not shown).
// A refused or failed request is one error result naming what could not be read.
std::vector<drift::Result> cluster_check(const ClusterRequest& request, kube::Client& client);

}  // namespace stackctl::app
