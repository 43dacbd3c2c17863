// `stackctl check STACK --image REF`: does a built image carry what the stack says? Pure: the
// caller reads the image's labels from the registry (adapters/registry.hpp) and passes them in.
//
// The labels are the contract in core/contracts/image_labels.hpp.
//
// A label equals the stack's value when the texts are equal, or when the label is a longer
// version of the stack's (label "3.11.9" for python "3.11", "17.0.12" for java "17").
//
// Codes (SI = stackctl image; stable, never renumbered or reused):
//   SI001 warning  the image has no io.stackctl.* label: not built by stackctl, or built before
//                  stackctl labelled its images; nothing can be compared
//   SI002 error    an io.stackctl.versions.* label differs from the stack
//   SI003 error    org.opencontainers.image.version differs from the tag the stack gives the image
//   SI004 warning  an io.stackctl.versions.* label is missing while others are present
//   SI005 warning  io.stackctl.stack names another stack
//   SI006 warning  the image is none of the stack's images (io.stackctl.image unknown, or the
//                  repository's last component matches no image name): image-specific values
//                  (javaVersion, pythonVersion, tag) are compared with the stack-wide ones
// Reading the image (registry down, unauthorized, digest mismatch) is not a finding: the CLI
// reports it as an external failure (exit 4).
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/contracts/image_labels.hpp"
#include "core/knowledge/check.hpp"
#include "core/rules/rule.hpp"
#include "core/stack/model.hpp"

namespace stackctl::check_image {

using image_labels::kLabelImage;
using image_labels::kLabelOciVersion;
using image_labels::kLabelPrefix;
using image_labels::kLabelStack;
using image_labels::kVersionLabels;
using image_labels::VersionLabel;

// The code table (the rows above, in the shape of core/rules/rule.hpp). The findings are made by
// one procedure (check_image.cpp), not yet by a list of independent rules: it names each code
// through rules::declared, so a code missing here does not compile, and takes the severity from
// here.
inline constexpr std::array<rules::Spec, 6> kRules{{
    {"SI001", "image has no stackctl labels (not built by stackctl, or predates labels)",
     Severity::warning, "the image's labels (io.stackctl.*)"},
    {"SI002", "image version label differs from the stack", Severity::error,
     "the image's io.stackctl.versions.* labels, versions, images[].javaVersion, "
     "images[].pythonVersion"},
    {"SI003", "image org.opencontainers.image.version differs from the stack's tag",
     Severity::error, "the image's org.opencontainers.image.version label, images[].tag, versions"},
    {"SI004", "image lacks a stackctl version label", Severity::warning,
     "the image's io.stackctl.versions.* labels, versions, images[].python"},
    {"SI005", "image built from another stack", Severity::warning,
     "the image's io.stackctl.stack label, metadata.name"},
    {"SI006", "image is none of the stack's images", Severity::warning,
     "the image's io.stackctl.image label, the image's repository name, images[].name"},
}};
static_assert(rules::codes_well_formed(kRules, "SI"), "SI codes: SI + 3 digits, each once");

struct Subject {
  std::string ref;         // as the user wrote it; every message names it
  std::string short_name;  // last repository component ("spark-base"): finds the stack image
  std::map<std::string, std::string> labels;  // config.config.Labels
};

// Compares `subject`'s labels with `stack` (as loaded for one target). Order is stable: SI001
// alone, or SI005, SI006, then one finding per version label in kVersionLabels order, then SI003.
// No finding means the image matches.
std::vector<check::Finding> check_image(const model::Stack& stack, const Subject& subject);

// The labels `stackctl build` writes on `image` (the table above), for the builder and for tests.
std::map<std::string, std::string> expected_labels(const model::Stack& stack,
                                                   const model::Image& image);

}  // namespace stackctl::check_image
