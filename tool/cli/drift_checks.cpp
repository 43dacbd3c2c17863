#include "cli/drift_checks.hpp"

#include <sstream>

#include "adapters/git.hpp"
#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "app/drift.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/env_inputs.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "core/drift/checks.hpp"
#include "core/drift/files.hpp"
#include "core/image_ref.hpp"
#include "core/knowledge/check.hpp"
#include "core/plans/build_plan.hpp"

namespace stackctl::cli {

namespace {

namespace stdfs = std::filesystem;

std::string diagnostics_text(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags.items())
    if (d.severity == Severity::error) out += (out.empty() ? "" : "\n") + format_diagnostic(d);
  return out;
}

// Why the spark.env values could not be had: the located diagnostics and Vault's problems (these
// name addresses, paths and fields, never a value).
std::string env_failure_text(const EnvValuesFailure& failure) {
  std::string out = "the spark.env values could not be read";
  if (failure.diags.has_errors()) out += ":\n" + diagnostics_text(failure.diags);
  if (failure.vault)
    for (const auto& p : failure.vault->problems)
      out += "\n" + p.message + (p.hint.empty() ? "" : "\n  hint: " + p.hint);
  return out;
}

// What the stack renders now (every target, or --target's), or the render's problems.
std::expected<std::vector<render::File>, std::string> render_now(Context& ctx, const DriftArgs& a,
                                                                 DriftInputs& in) {
  if (!in.stack_files_error.empty()) return std::unexpected(in.stack_files_error);
  std::vector<const model::Stack*> all = {&in.base};
  render::Request request;
  request.base = &in.base;
  request.catalog = in.catalog;
  request.templates = &*in.templates;
  request.stack_files = in.stack_files;
  for (const auto& t : in.targets) {
    request.targets.push_back(&t);
    all.push_back(&t);
  }
  // The values `stackctl render` would be given (cli/env_inputs.hpp, shared with render and
  // deploy): --values or the file sources, and with --vault the Vault-sourced keys from Vault.
  std::unique_ptr<vault::Environment> vault_env;
  VaultDeps vault_deps;
  if (a.vault) {
    vault_env = vault::process_environment();
    vault_deps = real_vault_deps(*vault_env);
  }
  auto values = read_spark_env_values(
      ctx,
      {a.values_file, stdfs::path(a.stack_path).parent_path(), a.vault ? &vault_deps : nullptr},
      all);
  if (!values) return std::unexpected(env_failure_text(values.error()));
  request.env_values = std::move(*values);
  auto files = render::render_all(request);
  if (!files)
    return std::unexpected("the stack does not render:\n" + diagnostics_text(files.error()));
  return std::move(*files);
}

}  // namespace

std::vector<drift::Result> files_results(Context& ctx, const DriftArgs& a, DriftInputs& in) {
  const std::string dir =
      a.rendered_dir.empty() ? "rendered/" + in.base.metadata.name : a.rendered_dir;
  auto tree = git::read_tree(dir, a.against, git::WorkTree::include);
  if (!tree) return {drift::failed("files", dir, tree.error().message)};
  in.notes.push_back("files: " + dir + " as of " + tree->description);
  auto rendered = render_now(ctx, a, in);
  if (!rendered) return {drift::failed("files", dir, rendered.error())};
  drift::CommittedFiles committed{std::move(tree->files), std::move(tree->notes), tree->dir_in_repo,
                                  tree->description};
  drift::FilesRequest request{std::move(*rendered), &committed, &in.base, {}};
  if (!a.target.empty())
    for (const auto& t : in.base.targets)
      if (t.name != a.target) request.ignored_prefixes.push_back("targets/" + t.name + "/");
  return drift::compare_files(request);
}

std::vector<drift::Result> lock_results(const DriftInputs& in) {
  const std::string file = in.lock_path.string();
  if (!in.lock_error.empty()) return {drift::failed("lock", file, in.lock_error)};
  if (!in.lock) return drift::compare_lock(nullptr, {}, file);
  if (!in.stack_files_error.empty()) return {drift::failed("lock", file, in.stack_files_error)};
  render::Request request;
  request.base = &in.base;
  request.catalog = in.catalog;
  request.templates = &*in.templates;
  request.stack_files = in.stack_files;
  auto plans = plan::plan_images(request, *in.lock, false);
  if (!plans)
    return {drift::failed("lock", file,
                          "the images cannot be planned:\n" + diagnostics_text(plans.error()))};
  return drift::compare_lock(&*in.lock, drift::expected_lock(in.base, *in.lock, *plans), file);
}

std::vector<drift::Result> registry_results(const DriftArgs& a, const DriftInputs& in) {
  const std::string file = in.lock_path.string();
  if (!in.lock_error.empty()) return {drift::failed("registry", file, in.lock_error)};
  if (!in.lock)
    return {drift::skipped("registry", "no lock file at " + file + ": no digests to compare")};
  registry::Options options{a.registry_insecure || in.base.registry.insecure, "linux/amd64", {}};
  if (in.base.registry.insecure && !in.base.registry.url.empty())
    options.insecure_registries.push_back(
        in.base.registry.url.substr(0, in.base.registry.url.find('/')));
  const auto credentials = registry::auth_files_lookup(registry::process_env());
  // One client per request: registry::Client caches tokens and is not shared across threads.
  app::TagLookup lookup =
      [&](const std::string& ref) -> std::expected<std::optional<std::string>, std::string> {
    auto parsed = parse_image_ref(ref);
    if (!parsed) return std::unexpected(parsed.error().message);
    http::Options o;
    o.retries = 2;
    o.timeout = std::chrono::seconds(60);
    o.ca_file = a.registry_ca_file;
    auto http = http::make_curl_client(std::move(o));
    registry::Client client(*http, options, credentials);
    auto found = client.find_manifest(*parsed);
    if (!found) return std::unexpected(found.error().message);
    if (!*found) return std::optional<std::string>();
    return std::optional<std::string>((*found)->digest);
  };
  return app::registry_check(*in.lock, file, lookup, a.parallel);
}

std::vector<drift::Result> catalog_results(Context& ctx, const DriftInputs& in) {
  const std::string file =
      ctx.options.catalog_file.empty() ? "stacks/catalog.yaml" : ctx.options.catalog_file;
  auto out = drift::compare_catalog(in.base, *in.catalog, file);
  auto broken = drift::known_broken(check::check_stack(in.base, *in.catalog));
  out.insert(out.end(), broken.begin(), broken.end());
  return out;
}

std::vector<drift::Result> cluster_results(Context& ctx, const DriftArgs& a,
                                           const DriftInputs& in) {
  if (a.target.empty())
    return {drift::failed("cluster", "-", "--cluster needs --target: which cluster to compare")};
  if (!in.lock_error.empty()) return {drift::failed("cluster", "-", in.lock_error)};
  if (!in.lock)
    return {drift::failed("cluster", "-",
                          "no lock file at " + in.lock_path.string() +
                              ": the intended objects run the digests it records")};
  model::Stack stack = in.targets.front();
  if (!a.kube.ns.empty())
    for (auto& t : stack.targets)
      if (t.name == a.target) t.namespace_name = a.kube.ns;
  const model::Target* target = stack.find_target(a.target);
  // What deploy applied on an eks target holds Terraform's outputs (the IRSA role ARN): without
  // them the intended objects are not what deploy applied, so nothing is compared (not a drift).
  TerraformOutputs outputs;
  if (!a.terraform_outputs.empty()) {
    auto read = read_terraform_outputs(ctx, a.terraform_outputs);
    if (!read) return {drift::failed("cluster", "-", "--terraform-outputs (see above)")};
    outputs = *read;
  } else if (target->kind == model::TargetKind::eks) {
    return {drift::skipped(
        "cluster", "target " + a.target +
                       " is an eks target: the objects deploy applied hold Terraform's outputs "
                       "(the IRSA role ARN), so nothing was compared; pass --terraform-outputs "
                       "(`terraform output -json` of the target's root module)")};
  }
  KubeFlags kube = a.kube;
  if (kube.context.empty()) kube.context = target->context;
  kube.ns = target->namespace_name;
  // Problems rendering or connecting are printed by the helpers; the result says where to look.
  // --vault: the Secret's checksum from the values Vault holds now, so a value changed since the
  // last deploy shows as a changed checksum/secret on the pod templates that read it.
  std::unique_ptr<vault::Environment> vault_env;
  VaultDeps vault_deps;
  if (a.vault) {
    vault_env = vault::process_environment();
    vault_deps = real_vault_deps(*vault_env);
  }
  DeployInputs inputs;
  inputs.lock = &*in.lock;
  inputs.delivery = stack.image_delivery(*target);
  inputs.values_file = a.values_file;
  inputs.build_hint = "stackctl build " + a.stack_path + " --push";
  inputs.vault = a.vault ? &vault_deps : nullptr;
  inputs.spark_role_arn = outputs.spark_role_arn;
  auto objects = rendered_objects(ctx, in.base, stack, *in.catalog, a.stack_path, inputs);
  if (!objects)
    return {drift::failed("cluster", "-", "the intended objects could not be made (see above)")};
  leave_out_terraform_owned(*objects, outputs);
  auto session = connect(ctx, kube);
  if (!session) return {drift::failed("cluster", "-", "cannot connect to the cluster (see above)")};
  app::ClusterRequest request;
  request.deploy.stack = stack.metadata.name;
  request.deploy.ns = kube.ns;
  request.deploy.objects = std::move(*objects);
  request.lock = &*in.lock;
  return app::cluster_check(request, *session->client);
}

}  // namespace stackctl::cli
