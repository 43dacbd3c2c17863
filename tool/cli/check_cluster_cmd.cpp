// check --cluster: read the platform, render what deploy would apply now, judge (pure core).
#include "cli/check_cluster_cmd.hpp"

#include "adapters/fs.hpp"
#include "app/build.hpp"
#include "app/check_cluster.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/lock_io.hpp"
#include "cli/stack_input.hpp"
#include "core/knowledge/check_cluster.hpp"

namespace stackctl::cli {

void add_cluster_options(CLI::App& sub, ClusterCheckOptions& options) {
  sub.add_flag("--cluster", options.enabled,
               "Also check the running platform of --target: its pods' images against "
               "stack.lock, the rendered ConfigMaps against the cluster's, the running images' "
               "labels (Spark, PySpark, Python) against the stack and each other");
  sub.add_option("--kubeconfig", options.kube.kubeconfig,
                 "With --cluster: kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)");
  sub.add_option("--context", options.kube.context,
                 "With --cluster: kubeconfig context (default: the target's `context`)");
  sub.add_option("-n,--namespace", options.kube.ns,
                 "With --cluster: the namespace the platform runs in (default: the target's)");
  sub.add_option("--lock", options.lock_file,
                 "With --cluster or --image: the lock file (default: STACK with .lock)");
}

namespace {

// The lock, or an empty one when there is none (then images are judged by the stack's tags).
std::expected<lock::Lock, int> lock_for(Context& ctx, const std::string& stack_path,
                                        const std::string& lock_file) {
  const auto path = lock_path_for(stack_path, lock_file);
  auto existing = app::read_lock(fs::disk(), path);
  if (!existing) {
    ctx.err << "stackctl: " << existing.error().message << '\n';
    return std::unexpected(kInputError);
  }
  if (*existing) return std::move(**existing);
  ctx.err << "stackctl check: " << path.string()
          << " does not exist: running images are compared with the stack's tags, not digests\n";
  return lock::Lock{};
}

std::map<std::string, check_cluster::ImageLabels> labels_of(const ImagesResult& images) {
  std::map<std::string, check_cluster::ImageLabels> out;
  for (const auto& r : images.images) out[r.ref] = {r.read, r.error, r.labels};
  return out;
}

}  // namespace

ClusterResult check_cluster(Context& ctx, const model::Stack& loaded,
                            const catalog::Catalog& catalog, const std::string& stack_path,
                            const ClusterCheckOptions& options,
                            const ImageCheckOptions& image_options, std::vector<kube::Json>* pods) {
  ClusterResult result;
  if (loaded.target.empty() || loaded.find_target(loaded.target) == nullptr) {
    ctx.err << "stackctl check: --cluster needs --target (the target whose platform to read)\n";
    result.exit_code = kUsage;
    return result;
  }
  model::Stack stack = loaded;
  // -n overrides the target's namespace (kubectl's habit), for reading and for rendering.
  if (!options.kube.ns.empty())
    for (auto& t : stack.targets)
      if (t.name == stack.target) t.namespace_name = options.kube.ns;
  const model::Target& target = *stack.find_target(stack.target);
  result.ns = target.namespace_name;

  LoadedStack base = load_stack_file(ctx, {stack_path, ""}, catalog);
  if (base.exit_code != 0 || !base.stack) {
    result.exit_code = base.exit_code != 0 ? base.exit_code : kFindings;
    return result;
  }
  auto lock = lock_for(ctx, stack_path, options.lock_file);
  if (!lock) {
    result.exit_code = lock.error();
    return result;
  }
  DeployInputs inputs;
  inputs.lock = &*lock;
  inputs.delivery = stack.image_delivery(target);
  inputs.pins = Pins::optional;
  auto intended = rendered_objects(ctx, *base.stack, stack, catalog, stack_path, inputs);
  if (!intended) {
    result.exit_code = intended.error();
    return result;
  }

  KubeFlags flags = options.kube;
  if (flags.context.empty()) flags.context = target.context;
  flags.ns = target.namespace_name;
  auto session = connect(ctx, flags);
  if (!session) {
    result.exit_code = session.error();
    return result;
  }
  result.server = session->client->server();
  ctx.err << "reading namespace " << result.ns << " on " << result.server << '\n';
  auto live = app::read_cluster({result.ns}, *session->client, pods);
  if (!live) {
    ctx.err << "stackctl: " << live.error().message << '\n';
    result.exit_code = kExternalError;
    return result;
  }
  result.pods = live->pods.size();
  result.images = check_cluster::running_stack_images(stack, *live);

  // The running images' labels through check --image's reader: its SI findings come along.
  ImageCheckOptions read = image_options;
  read.refs = result.images;
  const ImagesResult images = check_images(ctx, stack, read);
  if (images.exit_code == kUsage) {
    result.exit_code = kUsage;
    return result;
  }
  result.findings = check_cluster::check_cluster(stack, *intended, *live, labels_of(images));
  for (const auto& r : images.images)
    result.findings.insert(result.findings.end(), r.findings.begin(), r.findings.end());
  return result;
}

}  // namespace stackctl::cli
