// Connecting to a cluster as kubectl would: --kubeconfig, KUBECONFIG, --context, -n.
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "adapters/kube.hpp"
#include "cli/context.hpp"

namespace stackctl::cli {

struct KubeFlags {
  std::string kubeconfig;  // --kubeconfig (else KUBECONFIG, else ~/.kube/config)
  std::string context;     // --context (else the stack target's context, else current-context)
  std::string ns;          // -n/--namespace (else the stack target's namespace)
};

// The client for `flags`, or an exit code after printing why not (kExternalError).
std::expected<std::unique_ptr<kube::Client>, int> connect(Context& ctx, const KubeFlags& flags);

}  // namespace stackctl::cli
