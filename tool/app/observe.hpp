// `stackctl doctor`'s observation: one snapshot of the platform (core/doctor/rules.hpp Snapshot)
// read through the kube::Client port, with a bounded number of requests:
//   per namespace: one LIST each of pods, events, services, endpoints, deployments, replicasets,
//   statefulsets, persistentvolumeclaims, configmaps and secrets (reduced to metadata and key
//   names before anything keeps them: core/doctor/scrub.hpp); one SubjectAccessReview of the
//   spark ServiceAccount (create pods), and when stackctl's user may not post that, one
//   SelfSubjectRulesReview (what the user itself may do, recorded as such);
//   once: a LIST of nodes (a 403 is noted, not fatal);
//   with all_namespaces: one LIST per kind in all (the reviews still per namespace asked for);
//   per container that needs it (logs_to_read: crash-looping, failed, not ready): its log's last
//   lines, current and/or previous, scrubbed of credentials.
// Events are listed once per namespace and indexed by involvedObject.uid, never per object.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "adapters/kube.hpp"
#include "core/doctor/rules.hpp"

namespace stackctl::app {

struct ObserveRequest {
  std::vector<std::string> namespaces;    // each read with one LIST per kind
  std::string service_account = "spark";  // checked in each namespace
  int tail_lines = 50;
  std::string object_store_host;  // copied into the snapshot (D_S3_VIRTUAL_HOST)
  // kubectl's -A: one LIST per kind across the cluster instead of one per namespace. The spark
  // ServiceAccount is still reviewed in each of `namespaces` (the target's); the snapshot's
  // namespaces are then every namespace an object was read from, plus those.
  bool all_namespaces = false;
};

struct ObserveError {
  std::string message;  // names what was being read and why it failed
};

// A kind that cannot be read (403, not served) becomes a note in the snapshot; a 401 or an exec
// plugin failure becomes Snapshot::auth_error (the rules report it). Only an unreachable cluster
// (network) or an answer that is not a list fails the whole observation.
std::expected<doctor::Snapshot, ObserveError> observe(const ObserveRequest& request,
                                                      kube::Client& client);

}  // namespace stackctl::app
