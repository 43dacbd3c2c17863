// `stackctl check STACK --target T --cluster`: does the running platform agree with the stack?
// Pure: the caller reads the pods and ConfigMaps of the target's namespaces through the kube port
// (app/check_cluster.hpp), renders the target's objects as `deploy` would apply them now (images
// by the digest stack.lock records), and reads the labels of the running images through the
// registry client; this judges them.
//
// The labels of each running image of the stack are also judged by check --image's own rules
// (SI001-SI006, check_image.hpp): the same codes where they apply. The codes here are what only a
// running platform shows (SL = stack vs live; stable, never renumbered or reused):
//   SL001 error    a container of a workload stackctl renders runs another image than the one
//                  the stack and stack.lock say (spec image, or the digest in status imageID)
//   SL002 error    a ConfigMap stackctl renders (spark-defaults, Kyuubi's conf) is missing or a
//                  key of its .conf files differs from what the stack renders now
//   SL003 error    the Connect server's image says Spark X, a running notebook image's PySpark
//                  is Y (io.stackctl.versions.* labels)
//   SL004 error    the running images of the stack (Connect server, drivers, executors,
//                  notebooks) carry more than one Python major.minor
//   SL005 warning  the labels of a running image could not be read (registry down, private,
//                  not built by stackctl): the label rules could not judge it
// Not judged: the Spark version a server reports at run time (that needs an exec or a Spark
// Connect client; only the image labels are read), and pods stackctl does not render (executors
// a driver creates are judged by their labels only, SL004).
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/knowledge/check.hpp"
#include "core/kube/object.hpp"
#include "core/rules/rule.hpp"
#include "core/stack/model.hpp"

namespace stackctl::check_cluster {

inline constexpr std::array<rules::Spec, 5> kRules{{
    {"SL001", "a running container's image is not the one the stack and stack.lock say",
     Severity::error,
     "pods' spec.containers[].image and status.containerStatuses[].imageID, the rendered "
     "workloads (stack.lock digests)"},
    {"SL002", "a rendered ConfigMap differs on the cluster", Severity::error,
     "the live ConfigMaps' data, what render makes of the stack now (spark-defaults.conf, "
     "kyuubi-defaults.conf)"},
    {"SL003", "the Connect server's Spark differs from a running notebook's PySpark",
     Severity::error,
     "io.stackctl.versions.spark of the Connect server's running image, "
     "io.stackctl.versions.pyspark of each running notebook image"},
    {"SL004", "running images carry more than one Python major.minor", Severity::error,
     "io.stackctl.versions.python of every running image of the stack"},
    {"SL005", "a running image's labels could not be read", Severity::warning,
     "the registry's answer for each running image of the stack"},
}};
static_assert(rules::codes_well_formed(kRules, "SL"), "SL codes: SL + 3 digits, each once");

// What was read from the cluster.
struct Live {
  std::vector<kube::Json> pods;
  std::vector<kube::Json> config_maps;  // with their data (ConfigMaps hold no secrets)
};

// One running image and what its registry said.
struct ImageLabels {
  bool read = false;
  std::string error;  // why not, when !read
  std::map<std::string, std::string> labels;
};

// The images running on `live`'s pods that are images of the stack (their repository is one of
// the stack's), each once, in pod order.
std::vector<std::string> running_stack_images(const model::Stack& stack, const Live& live);

// SL001-SL005 over the platform. `intended`: the target's rendered objects; `labels`: by image
// reference as the pods name it (running_stack_images). Order: by code, then pod order.
std::vector<check::Finding> check_cluster(const model::Stack& stack,
                                          const std::vector<kube::Object>& intended,
                                          const Live& live,
                                          const std::map<std::string, ImageLabels>& labels);

}  // namespace stackctl::check_cluster
