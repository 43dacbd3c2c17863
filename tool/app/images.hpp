// Images reaching the cluster (targets[].images, docs/deploy.md "Images"): for a minikube-load
// target, `stackctl deploy` puts every image the target runs onto the minikube node before it
// applies anything. (For a push target the transfer is `stackctl build --push`, which records the
// digests deploy then runs; a none target gets its images some other way.)
//
// For each image, in order, and nothing for the next one before this one is done:
//  1. the builder's local store must have the image's reference (the tag the stack and the lock
//     give it) carrying the lock's inputs digest (label io.stackctl.inputs-digest): what the lock
//     pins is what is loaded; anything else is refused with the build command to run;
//  2. the builder writes it to <work_dir>/archives/<image>.tar (docker-archive by default,
//     naming the reference, so the node's runtime knows the image by that tag);
//  3. `minikube -p <profile> image load <file>` loads it; the archive is removed afterwards.
// Every image is checked (1) before any is exported, so a refusal loads nothing.
// dry_run: 1 only; the result says "would load".
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/builder.hpp"
#include "adapters/process.hpp"
#include "app/error.hpp"
#include "app/ports.hpp"

namespace stackctl::app {

struct ImageToLoad {
  std::string name;           // the stack's image name ("spark-connect")
  std::string ref;            // its reference as the lock records it (repository:tag)
  std::string inputs_digest;  // the lock's inputs digest for it
};

struct LoadRequest {
  std::vector<ImageToLoad> images;
  std::string profile = "minikube";  // minikube's profile: the target's kubeconfig context
  std::filesystem::path work_dir;    // archives/ and logs/ go here
  builder::ArchiveFormat format = builder::ArchiveFormat::docker;
  bool dry_run = false;
  std::string build_hint;  // "stackctl build STACK --push", named in refusals
};

struct LoadedImage {
  std::string name;
  std::string ref;
  std::string action;  // "loaded", "would load"
};

// Error kinds: findings (an image missing from the store or built from other inputs: build it),
// external (minikube not installed, an export or a load that failed; the tool's last lines in
// details).
std::expected<std::vector<LoadedImage>, Error> load_into_minikube(const LoadRequest& request,
                                                                  builder::Builder& builder,
                                                                  proc::Runner& runner,
                                                                  Progress& progress);

}  // namespace stackctl::app
