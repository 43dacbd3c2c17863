#include "cli/kube_connect.hpp"

#include "cli/exit_codes.hpp"

namespace stackctl::cli {

// NOT DONE: the real kube::Client (kubeconfig, auth, discovery over http::Client) is another
// branch's work (make_client in adapters/kube_client.cpp). Until it is on main this refuses
// plainly instead of pretending to reach a cluster; the deploy logic behind it is tested against
// the recording fake (tests/unit/kube_fake.hpp).
std::expected<std::unique_ptr<kube::Client>, int> connect(Context& ctx, const KubeFlags& flags) {
  (void)flags;
  ctx.err << "stackctl: this build has no Kubernetes client yet (adapters/kube_client.cpp is "
             "not built in); nothing was sent to a cluster\n";
  return std::unexpected(kExternalError);
}

}  // namespace stackctl::cli
