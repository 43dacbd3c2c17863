// `stackctl check STACK --target T --cluster`: the running platform against the stack. Reads the
// target namespace's pods and ConfigMaps (app/check_cluster.hpp), renders the target's objects
// as deploy would apply them now (cli/deploy_inputs.hpp, images by stack.lock's digests), reads
// the labels of the running images of the stack through the registry client (check --image's
// reader, so they are also judged by its SI rules), and judges the whole
// (core/knowledge/check_cluster.hpp, SL codes). cmd_check.cpp folds the findings into its own.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/check_image_cmd.hpp"
#include "cli/context.hpp"
#include "cli/kube_connect.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct ClusterCheckOptions {
  bool enabled = false;   // --cluster
  KubeFlags kube;         // --kubeconfig, --context, -n
  std::string lock_file;  // --lock (default: STACK with .lock)
};

// Declares --cluster, --kubeconfig, --context, -n and --lock on `sub`.
void add_cluster_options(CLI::App& sub, ClusterCheckOptions& options);

struct ClusterResult {
  std::vector<check::Finding> findings;  // SL00x, then the running images' SI00x
  std::string server;
  std::string ns;
  std::size_t pods = 0;
  std::vector<std::string> images;  // the running images of the stack
  // kOk; kUsage (no --target); kInputError (the lock cannot be read); kFindings (render
  // failed); kExternalError (the cluster could not be read). Findings do not change it.
  int exit_code = 0;
};

// `stack` is loaded for options' target; `stack_path` is the file it came from. `pods`: the pods
// already read (doctor's snapshot; those of the target's namespace are moved out of it), else
// listed here.
ClusterResult check_cluster(Context& ctx, const model::Stack& stack,
                            const catalog::Catalog& catalog, const std::string& stack_path,
                            const ClusterCheckOptions& options,
                            const ImageCheckOptions& image_options,
                            std::vector<kube::Json>* pods = nullptr);

}  // namespace stackctl::cli
