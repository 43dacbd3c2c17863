// Connecting to a cluster as kubectl would: --kubeconfig, KUBECONFIG, --context, -n
// (adapters/kube_config.hpp resolves them; docs/deploy.md#connecting-to-a-cluster).
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "adapters/kube.hpp"
#include "adapters/process.hpp"
#include "cli/context.hpp"

namespace stackctl::cli {

struct KubeFlags {
  std::string kubeconfig;  // --kubeconfig (else KUBECONFIG, else ~/.kube/config)
  std::string context;     // --context (else the stack target's context, else current-context)
  std::string ns;          // -n/--namespace (else the stack target's namespace)
};

// The client and what it borrows (the process runner for exec credential plugins).
struct KubeSession {
  std::unique_ptr<proc::Runner> runner;
  std::unique_ptr<kube::Client> client;
};

// The session for `flags`, or an exit code after printing why not (kExternalError).
std::expected<KubeSession, int> connect(Context& ctx, const KubeFlags& flags);

}  // namespace stackctl::cli
