// The pure parts of the cluster check (the rest is deploy's dry run, tool/app/drift.hpp).
#pragma once

#include <optional>
#include <vector>

#include "core/drift/result.hpp"
#include "core/kube/object.hpp"
#include "core/plans/lock.hpp"

namespace stackctl::drift {

// The annotation on pod templates that hashes the rendered spark.env keys and values
// (render/manifests.cpp): when it differs, a value changed since the pods were made.
inline constexpr const char* kSecretChecksum = "checksum/secret";

// For each container (and init container) of each pod whose image is of a repository the lock
// has an image for: passed when it runs the locked digest (the status' imageID when the kubelet
// reported one, else the digest in the spec's image), drifted when it runs another digest or a
// bare tag. Containers of other images are not the stack's and are left out.
std::vector<Result> compare_pod_images(const kube::Json& pods, const lock::Lock& locked);

// The pod template's checksum/secret of the live workload against the rendered one; nullopt when
// the rendered object has none (no spark.env Secret) or the live object does not exist (the dry
// run reports that). Neither checksum is shown: a hash of secret values lets anyone test guesses.
std::optional<Result> compare_values_checksum(const kube::Object& intended,
                                              const std::optional<kube::Json>& live);

}  // namespace stackctl::drift
