#include "cli/kube_connect.hpp"

#include "adapters/kube_client.hpp"
#include "cli/exit_codes.hpp"

namespace stackctl::cli {

std::expected<KubeSession, int> connect(Context& ctx, const KubeFlags& flags) {
  KubeSession s;
  s.runner = proc::make_runner();
  kube::ClientOptions options;
  options.connect = {flags.kubeconfig, flags.context, flags.ns};
  auto client = kube::make_client(options, kube::real_ports(*s.runner));
  if (!client) {
    ctx.err << "stackctl: " << kube::describe(client.error(), "connecting to the cluster") << '\n';
    return std::unexpected(kExternalError);
  }
  s.client = std::move(*client);
  return s;
}

}  // namespace stackctl::cli
