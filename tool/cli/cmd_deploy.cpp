// stackctl deploy STACK --target T: the target's rendered objects onto its cluster with
// server-side apply, pruned with an ApplySet, waited on with progress (app/deploy.hpp).
#include <unistd.h>

#include <charconv>

#include "adapters/fs.hpp"
#include "app/build.hpp"
#include "app/deploy.hpp"
#include "app/images.hpp"
#include "cli/app_output.hpp"
#include "cli/build_support.hpp"
#include "cli/commands.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/deploy_progress.hpp"
#include "cli/doctor_output.hpp"
#include "cli/env_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/kube_connect.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/render/common.hpp"

namespace stackctl::cli {

namespace {

struct DeployArgs {
  StackInput in;
  KubeFlags kube;
  BuilderFlags builder;  // minikube-load targets: the store the images are exported from
  std::string work_dir;
  std::string archive_format = "docker-archive";
  std::string lock_file;
  std::string terraform_outputs;
  std::string values_file;
  bool vault = false;
  std::string timeout = "5m";
  bool dry_run = false;
  bool diff = false;
  bool prune = true;
  bool force_conflicts = false;
  bool no_wait = false;
  int parallel = 8;
};

// "90", "90s", "5m", "1h" -> milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  long long n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  if (unit.empty() || unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

struct Prepared {
  app::DeployRequest request;
  KubeFlags kube;
  std::optional<app::LoadRequest> load;  // a minikube-load target: what to load before applying
};

// A minikube-load target's images: the lock entry of every image the objects run (by the tag
// the stack gives it). An image the lock has no current entry for is refused: not built.
std::expected<std::vector<app::ImageToLoad>, int> images_to_load(
    Context& ctx, const model::Stack& stack, const lock::Lock& lock,
    const std::vector<kube::Object>& objects, const std::string& build_hint) {
  std::vector<app::ImageToLoad> out;
  std::vector<std::string> missing;
  for (const auto& ref : images_run(objects)) {
    const lock::Image* entry = nullptr;
    for (const auto& i : lock.images) {
      const model::Image* image = stack.find_image(i.name);
      if (image != nullptr && i.ref == ref && render::image_ref(stack, *image) == ref) entry = &i;
    }
    if (entry == nullptr) {
      missing.push_back(ref);
      continue;
    }
    out.push_back({entry->name, entry->ref, entry->inputs_digest});
  }
  if (missing.empty()) return out;
  ctx.err << "stackctl: images are not built (stack.lock has no entry for the tag the stack gives "
             "them):\n";
  for (const auto& m : missing) ctx.err << "  " << m << '\n';
  ctx.err << "  run `" << build_hint << "` first, then deploy again\n";
  return std::unexpected(kFindings);
}

// Everything from the disk and the stack, checked before any request goes out.
std::expected<Prepared, int> prepare(Context& ctx, const DeployArgs& a) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return std::unexpected(kInputError);
  LoadedStack base = load_stack_file(ctx, {a.in.path, ""}, *catalog);
  if (base.exit_code != 0) return std::unexpected(base.exit_code);
  LoadedStack loaded = load_stack_file(ctx, a.in, *catalog);
  for (const auto& d : loaded.diags.items()) {
    print_diagnostic(ctx, ctx.err, d);
    if (d.code == "E_UNKNOWN_TARGET") return std::unexpected(kUsage);
  }
  if (!base.stack || !loaded.stack || loaded.diags.has_errors() || base.diags.has_errors()) {
    ctx.err << stack_display_name(a.in.path)
            << ": invalid stack; nothing was deployed (see `stackctl validate " << a.in.path
            << "`)\n";
    return std::unexpected(kFindings);
  }
  model::Stack& stack = *loaded.stack;
  const model::Target* target = stack.find_target(a.in.target);
  if (target == nullptr) return std::unexpected(kUsage);
  const bool eks = target->kind == model::TargetKind::eks;
  // -n and --context override what the target names (kubectl's habit).
  Prepared p;
  p.kube = a.kube;
  if (p.kube.context.empty()) p.kube.context = target->context;
  if (!a.kube.ns.empty())
    for (auto& t : stack.targets)
      if (t.name == a.in.target) t.namespace_name = a.kube.ns;
  p.kube.ns = stack.find_target(a.in.target)->namespace_name;

  const model::ImageDelivery delivery = stack.image_delivery(*target);
  const bool load = delivery == model::ImageDelivery::minikube_load;
  // `build` has no --target (it builds and pushes the base stack's images, to the base stack's
  // registry), so the hint names none. Not done: a target that overrides `registry` gets no build
  // of its own that pushes there.
  const std::string build_hint = delivery == model::ImageDelivery::push
                                     ? "stackctl build " + a.in.path + " --push"
                                     : "stackctl build " + a.in.path;
  const auto lock_path = lock_path_for(a.in.path, a.lock_file);
  auto existing = app::read_lock(fs::disk(), lock_path);
  if (!existing) {
    ctx.err << "stackctl: " << existing.error().message << '\n';
    return std::unexpected(kInputError);
  }
  if (!*existing) {
    ctx.err << "stackctl: " << lock_path.string()
            << " does not exist: deploy runs images pinned by the digests it records\n  run `"
            << build_hint << "` first\n";
    return std::unexpected(kFindings);
  }
  const auto stale = lock::differences(**existing, lock::from_stack(stack, &**existing));
  if (!stale.empty()) {
    ctx.err << "stackctl: " << lock_path.string() << " is stale (the stack changed since):\n";
    for (const auto& s : stale) ctx.err << "  " << s << '\n';
    ctx.err << "  run `" << build_hint << "` to rebuild, push and relock\n";
    return std::unexpected(kFindings);
  }

  TerraformOutputs outputs;
  if (!a.terraform_outputs.empty()) {
    auto read = read_terraform_outputs(ctx, a.terraform_outputs);
    if (!read) return std::unexpected(read.error());
    outputs = *read;
  } else if (eks) {
    ctx.err << "stackctl: " << terraform_outputs_needed(a.in.target) << '\n';
    return std::unexpected(kUsage);
  }

  std::unique_ptr<vault::Environment> vault_env;
  VaultDeps vault_deps;
  if (a.vault) {
    vault_env = vault::process_environment();
    vault_deps = real_vault_deps(*vault_env);
  }
  DeployInputs inputs{&**existing,   delivery,   outputs.spark_role_arn,
                      a.values_file, build_hint, a.vault ? &vault_deps : nullptr,
                      Pins::required};
  auto objects = rendered_objects(ctx, *base.stack, stack, *catalog, a.in.path, inputs);
  if (!objects) return std::unexpected(objects.error());
  leave_out_terraform_owned(*objects, outputs);

  if (load) {
    auto images = images_to_load(ctx, stack, **existing, *objects, build_hint);
    if (!images) return std::unexpected(images.error());
    app::LoadRequest l;
    l.images = std::move(*images);
    l.profile = p.kube.context.empty() ? "minikube" : p.kube.context;
    l.work_dir = a.work_dir.empty() ? default_work_dir(stack) : std::filesystem::path(a.work_dir);
    l.format = a.archive_format == "oci-archive" ? builder::ArchiveFormat::oci
                                                 : builder::ArchiveFormat::docker;
    l.dry_run = a.dry_run || a.diff;
    l.build_hint = build_hint;
    p.load = std::move(l);
  }

  auto timeout = parse_duration(a.timeout);
  if (!timeout) {
    ctx.err << "stackctl: --timeout " << a.timeout << ": expected seconds (90, 90s), minutes (5m) "
            << "or hours (1h)\n";
    return std::unexpected(kUsage);
  }
  auto& r = p.request;
  r.stack = stack.metadata.name;
  r.ns = p.kube.ns;
  r.objects = std::move(*objects);
  r.dry_run = a.dry_run || a.diff;
  r.diff = a.diff;
  r.prune = a.prune;
  r.force_conflicts = a.force_conflicts;
  r.wait = !a.no_wait;
  r.parallel = a.parallel;
  r.timeout = *timeout;
  return p;
}

nlohmann::json result_json(const app::DeployResult& r, const app::DeployRequest& req) {
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : r.objects) {
    nlohmann::json j = {
        {"object", o.object}, {"groupKind", o.group_kind}, {"action", app::to_string(o.action)}};
    if (!o.note.empty()) j["note"] = o.note;
    if (req.diff) j["diff"] = o.diff;
    objects.push_back(std::move(j));
  }
  nlohmann::json workloads = nlohmann::json::array();
  nlohmann::json all_findings = nlohmann::json::array();  // every workload's, for the envelope
  for (const auto& w : r.workloads) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : w.findings) findings.push_back(finding_json(f));
    for (const auto& f : findings) all_findings.push_back(f);
    const char* state = w.progress.state == deploy::Rollout::State::done     ? "done"
                        : w.progress.state == deploy::Rollout::State::failed ? "failed"
                                                                             : "waiting";
    workloads.push_back({{"object", w.progress.object},
                         {"state", state},
                         {"message", w.progress.message},
                         {"findings", findings}});
  }
  return {{"namespace", req.ns}, {"applyset", r.applyset_id}, {"dryRun", req.dry_run},
          {"objects", objects},  {"workloads", workloads},    {"findings", all_findings}};
}

void print_text(Context& ctx, const app::DeployResult& r, const app::DeployRequest& req) {
  for (const auto& o : r.objects) {
    if (req.diff) {
      ctx.out << o.diff;
      continue;
    }
    ctx.out << app::to_string(o.action) << "  " << o.object
            << (o.note.empty() ? "" : "  (" + o.note + ")") << '\n';
  }
}

int run_deploy(Context& ctx, const DeployArgs& a) {
  auto prepared = prepare(ctx, a);
  if (!prepared) return prepared.error();
  auto client = connect(ctx, prepared->kube);
  if (!client) return client.error();
  std::vector<app::LoadedImage> loaded;
  if (prepared->load) {
    // Before anything is applied: the pods of this deploy run what was just loaded.
    auto runner = proc::make_runner();
    auto b = make_builder_from_flags(ctx, *runner, a.builder);
    if (!b) return kExternalError;
    auto notes = app::stream_progress(ctx.err, ctx.err_mutex, app::steady_clock());
    auto done = app::load_into_minikube(*prepared->load, **b, *runner, *notes);
    if (!done) {
      const int rc = print_error(ctx, done.error());
      if (ctx.options.output == OutputFormat::json)
        print_json(ctx,
                   {{"error", to_json(done.error())}, {"diagnostics", to_json(done.error().diags)}},
                   rc);
      return rc;
    }
    loaded = std::move(*done);
    for (const auto& l : loaded)
      if (l.action != "loaded") ctx.err << l.action << "  " << l.ref << " (minikube)\n";
  }
  StderrProgress progress(ctx.err, ::isatty(STDERR_FILENO) == 1);
  const auto& req = prepared->request;
  auto result = app::deploy(req, *client->client, app::steady_clock(), progress);
  const app::DeployResult& r = result ? *result : result.error().result;
  const int rc = result                                                   ? kOk
                 : result.error().kind == app::DeployError::Kind::rollout ? kRolloutFailed
                                                                          : kExternalError;
  if (ctx.options.output == OutputFormat::json) {
    auto j = result_json(r, req);
    if (prepared->load) {
      nlohmann::json images = nlohmann::json::array();
      for (const auto& l : loaded)
        images.push_back({{"image", l.name}, {"ref", l.ref}, {"action", l.action}});
      j["images"] = std::move(images);
    }
    if (!result) j["error"] = result.error().message;
    print_json(ctx, std::move(j), rc);
  } else {
    print_text(ctx, r, req);
  }
  if (!result) {
    ctx.err << "stackctl: " << result.error().message << '\n';
    return rc;
  }
  if (!req.dry_run)
    ctx.err << "deployed " << r.objects.size() << " objects to namespace " << req.ns
            << (req.wait ? "; every workload rolled out" : "") << '\n';
  return kOk;
}

}  // namespace

Command deploy_command() {
  return {
      "deploy",
      "Apply a target's objects to its cluster (server-side apply), prune with an ApplySet, wait",
      "  stackctl deploy stacks/spark-connect.stack.yaml --target minikube\n"
      "  stackctl deploy stacks/spark-connect.stack.yaml --target minikube --dry-run\n"
      "  stackctl deploy stacks/spark-connect.stack.yaml --target minikube --diff\n"
      "  stackctl deploy stacks/kyuubi-sql.stack.yaml --target eks \\\n"
      "      --terraform-outputs outputs.json --context prod -n sql --timeout 10m\n"
      "  stackctl deploy my.stack.yaml --target minikube --no-wait -o json | jq '.objects[]'\n"
      "  VAULT_ADDR=https://vault:8200 stackctl deploy stacks/kyuubi-sql.stack.yaml \\\n"
      "      --target minikube --vault   # spark.env and its Secret from Vault\n"
      "  stackctl deploy my.stack.yaml --target local   # a target with `images: minikube-load`\n"
      "\nImages run by the digest stack.lock records (`stackctl build --push` writes it); a\n"
      "target with `images: minikube-load` loads them into minikube first (builder flags).\n"
      "Exit codes: 0 deployed (and rolled out), 1 the stack or lock is not ready to deploy,\n"
      "2 usage (also: an eks target without --terraform-outputs), 3 a file could not be read,\n"
      "4 the cluster or Vault refused or failed (conflict, forbidden, unreachable, sealed),\n"
      "7 applied but a workload did not roll out (the cause is printed). See docs/deploy.md\n"
      "and, for --vault, docs/vault.md.\n",
      [](CLI::App& sub) -> Runner {
        auto a = std::make_shared<DeployArgs>();
        add_stack_argument(sub, a->in);
        sub.add_option("-t,--target", a->in.target, "The target to deploy (minikube, eks, ...)")
            ->required();
        sub.add_option("--kubeconfig", a->kube.kubeconfig,
                       "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)");
        sub.add_option(
            "--context", a->kube.context,
            "kubeconfig context (default: the target's `context`, else the current one)");
        sub.add_option("-n,--namespace", a->kube.ns,
                       "Namespace (default: the target's `namespace`)");
        sub.add_flag("--dry-run", a->dry_run,
                     "Print the plan (create/update/unchanged/prune per object) from a server-side "
                     "dry run; change nothing");
        sub.add_flag("--diff", a->diff,
                     "Print a unified diff of live against intended objects (Secret values "
                     "masked); change nothing");
        sub.add_flag("--prune,!--no-prune", a->prune,
                     "Delete objects of this stack's ApplySet that it no longer renders (default: "
                     "on)");
        sub.add_flag("--force-conflicts", a->force_conflicts,
                     "Take over fields another field manager owns (409 conflicts)");
        sub.add_option("--timeout", a->timeout, "How long to wait for the rollout (90s, 5m, 1h)")
            ->capture_default_str();
        sub.add_flag("--no-wait", a->no_wait, "Do not wait for the workloads to roll out");
        sub.add_option("--parallel", a->parallel,
                       "Applies in flight at once within one kind (default 8; 1: one after "
                       "another). Kinds still go one after another, in apply order")
            ->check(CLI::Range(1, 64));
        sub.add_option("--terraform-outputs", a->terraform_outputs,
                       "`terraform output -json` of the target's root module (required on eks "
                       "targets: the spark ServiceAccount's IAM role ARN)");
        sub.add_option("--lock", a->lock_file, "The lock file (default: STACK with .lock)");
        sub.add_option("--values", a->values_file,
                       "spark.env values (YAML key: value), as for `stackctl render`");
        auto* vault_flag = sub.add_flag(
            "--vault", a->vault,
            "Read the Vault-sourced spark.env keys from Vault, as `stackctl render --vault` "
            "does (VAULT_ADDR, VAULT_TOKEN, ...; docs/vault.md)");
        if (auto* values = sub.get_option_no_throw("--values")) vault_flag->excludes(values);
        add_builder_flags(sub, a->builder);
        sub.add_option("--work-dir", a->work_dir,
                       "minikube-load targets: where image archives and load logs go (default "
                       "$XDG_CACHE_HOME/stackctl/build/<stack>)");
        sub.add_option("--archive-format", a->archive_format,
                       "minikube-load targets: the archive the builder writes for `minikube image "
                       "load`")
            ->check(CLI::IsMember({"docker-archive", "oci-archive"}))
            ->capture_default_str();
        return [a](Context& ctx) { return run_deploy(ctx, *a); };
      }};
}

}  // namespace stackctl::cli
