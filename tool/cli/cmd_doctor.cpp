// stackctl doctor STACK --target T: one snapshot of the running platform (app/observe.hpp), the
// diagnosis rules over it (core/doctor), findings grouped by root cause with evidence, cause, fix
// and the stack key to change. --save/--from write and replay a snapshot (no secret values).
#include <algorithm>

#include "adapters/fs.hpp"
#include "app/observe.hpp"
#include "cli/check_cluster_cmd.hpp"
#include "cli/commands.hpp"
#include "cli/doctor_output.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/kube_connect.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/doctor/namespaces.hpp"
#include "core/doctor/snapshot_json.hpp"
#include "core/knowledge/check_cluster.hpp"
#include "core/knowledge/check_image.hpp"

namespace stackctl::cli {

namespace {

struct DoctorArgs {
  StackInput in;
  KubeFlags kube;
  std::string save;
  std::string from;
  std::string output;  // "" = the global -o
  std::string fail_on = "error";
  int tail_lines = 50;
  bool all_namespaces = false;  // -A
  bool alignment = true;        // --no-alignment turns it off
  std::string lock_file;        // --lock
  ImageCheckOptions images;     // --registry-insecure, --registry-ca-file
};

struct StackPart {
  std::optional<model::Stack> stack;
  std::vector<doctor::Ignore> ignore;
};

std::expected<StackPart, int> load(Context& ctx, const DoctorArgs& a) {
  StackPart p;
  if (a.in.path.empty()) return p;
  auto loaded = load_valid_stack(ctx, a.in, "diagnosed");
  if (!loaded) return std::unexpected(loaded.error());
  p.ignore = loaded->doctor.ignore;  // the target's, when its overrides set doctor
  p.stack = std::move(*loaded);
  return p;
}

std::expected<doctor::Snapshot, int> read_saved(Context& ctx, const std::string& file) {
  auto text = fs::read_file(file);
  if (!text) {
    ctx.err << "stackctl: " << text.error().message << '\n';
    return std::unexpected(kInputError);
  }
  kube::Json j;
  try {
    j = kube::Json::parse(*text);
  } catch (const std::exception& e) {
    ctx.err << "stackctl: " << file << ": not JSON: " << e.what() << '\n';
    return std::unexpected(kInputError);
  }
  auto s = doctor::snapshot_from_json(j);
  if (!s) {
    ctx.err << "stackctl: " << file << ": " << s.error() << '\n';
    return std::unexpected(kInputError);
  }
  return std::move(*s);
}

std::expected<doctor::Snapshot, int> read_live(Context& ctx, const DoctorArgs& a,
                                               const model::Stack& stack) {
  const model::Target* target = stack.find_target(a.in.target);
  KubeFlags flags = a.kube;
  if (flags.context.empty() && target) flags.context = target->context;
  auto client = connect(ctx, flags);  // a KubeSession (cli/kube_connect.hpp)
  if (!client) return std::unexpected(client.error());
  app::ObserveRequest req;
  // -n: that namespace alone (kubectl's habit); else the platform: the target's namespace and
  // those of the in-cluster systems the stack names (core/doctor/namespaces.hpp).
  req.namespaces =
      !a.kube.ns.empty() ? std::vector<std::string>{a.kube.ns} : doctor::platform_namespaces(stack);
  if (req.namespaces.empty()) req.namespaces = {client->client->default_namespace()};
  if (req.namespaces.front().empty()) req.namespaces.front() = "default";
  req.all_namespaces = a.all_namespaces;
  req.tail_lines = a.tail_lines;
  req.object_store_host = doctor::url_host(stack.services.external.object_store.endpoint);
  std::string names;
  for (const auto& ns : req.namespaces) names += (names.empty() ? "" : ", ") + ns;
  ctx.err << "reading "
          << (a.all_namespaces
                  ? "all namespaces (the spark ServiceAccount in " + names + ")"
                  : (req.namespaces.size() == 1 ? "namespace " : "namespaces ") + names)
          << " on " << client->client->server() << '\n';
  auto s = app::observe(req, *client->client);
  if (!s) {
    ctx.err << "stackctl: " << s.error().message << '\n';
    return std::unexpected(kExternalError);
  }
  return std::move(*s);
}

// check --cluster's finding as a doctor finding: the rule's title, the stack key to change.
doctor::Finding from_check(const check::Finding& c, const std::string& ns) {
  doctor::Finding f;
  f.code = c.diag.code;
  f.title = c.diag.code;
  for (const auto& r : check_cluster::kRules)
    if (r.code == c.diag.code) f.title = std::string(r.title);
  for (const auto& r : check_image::kRules)
    if (r.code == c.diag.code) f.title = std::string(r.title);
  f.severity = c.diag.severity == Severity::error     ? doctor::Severity::error
               : c.diag.severity == Severity::warning ? doctor::Severity::warning
                                                      : doctor::Severity::info;
  f.object = "Namespace " + ns;
  f.evidence = c.diag.message;
  f.cause = f.title;
  f.fix = c.diag.hint;
  f.stack_key = c.diag.path;
  return f;
}

// The platform against the stack (check --cluster's rules, SL and SI codes) over the pods the
// snapshot holds; 0, or the exit code of what could not be read.
// The snapshot's pods of the target namespace are moved into the comparison: the report is made.
int align(Context& ctx, const DoctorArgs& a, const model::Stack& stack, doctor::Snapshot& snapshot,
          doctor::Report& report, const std::vector<doctor::Ignore>& ignore) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  ClusterCheckOptions options;
  options.enabled = true;
  options.kube = a.kube;
  options.lock_file = a.lock_file;
  const auto result =
      check_cluster(ctx, stack, *catalog, a.in.path, options, a.images, &snapshot.pods);
  if (result.exit_code != 0) {
    ctx.err << "stackctl doctor: the platform could not be compared with the stack (exit "
            << result.exit_code << "); the findings above are the snapshot's alone\n";
    return result.exit_code;
  }
  std::vector<doctor::Finding> extra;
  for (const auto& c : result.findings) extra.push_back(from_check(c, result.ns));
  doctor::add(report, std::move(extra), ignore);
  return 0;
}

int run_doctor(Context& ctx, const DoctorArgs& a) {
  // doctor's own -o: a failure before the report still gets its JSON document (json_output.hpp).
  if (!a.output.empty())
    ctx.options.output = a.output == "json" ? OutputFormat::json : OutputFormat::text;
  if (a.from.empty() && (a.in.path.empty() || a.in.target.empty())) {
    ctx.err << "stackctl: doctor needs STACK and --target (or --from FILE to diagnose a saved "
               "snapshot)\nRun `stackctl doctor --help` for usage.\n";
    return kUsage;
  }
  auto part = load(ctx, a);
  if (!part) return part.error();
  auto snapshot = a.from.empty() ? read_live(ctx, a, *part->stack) : read_saved(ctx, a.from);
  if (!snapshot) return snapshot.error();
  if (!a.save.empty()) {
    if (auto w = fs::write_atomic(a.save, doctor::to_json(*snapshot).dump(2) + "\n",
                                  std::filesystem::perms(0600));
        !w) {
      ctx.err << "stackctl: " << w.error().message << '\n';
      return kInputError;
    }
    ctx.err << "saved the snapshot to " << a.save << '\n';
  }
  auto report = doctor::report(*snapshot, part->ignore);
  const model::Stack* stack = part->stack ? &*part->stack : nullptr;
  // A saved snapshot has no live images or ConfigMap data to compare: alignment needs the cluster.
  const int aligned = a.alignment && a.from.empty() && stack != nullptr
                          ? align(ctx, a, *stack, *snapshot, report, part->ignore)
                          : 0;
  Locate locate = [stack](const std::string& key) -> SourceLoc {
    return stack == nullptr ? SourceLoc{} : stack->locs.at(key);
  };
  const std::string format = !a.output.empty()                          ? a.output
                             : ctx.options.output == OutputFormat::json ? "json"
                                                                        : "text";
  const bool fail = report.errors > 0 || (a.fail_on == "warning" && report.warnings > 0);
  // The cluster refusing stackctl's credentials (a 401, a failing exec plugin) is an external
  // refusal, exit 4 as for deploy; the finding D_CLUSTER_AUTH is still printed to explain it. It
  // wins over the alignment's own exit code: that comparison could not read the cluster either.
  const bool refused = std::ranges::any_of(
      report.findings, [](const doctor::Finding& f) { return f.code == "D_CLUSTER_AUTH"; });
  const int rc = refused ? kExternalError : aligned != 0 ? aligned : fail ? kFindings : kOk;
  if (format == "json")
    print_json(ctx, doctor_json(report, snapshot->namespaces, locate), rc);
  else if (format == "junit")
    ctx.out << doctor_junit(report, locate);
  else
    print_doctor_text(ctx, report, snapshot->namespaces.size(), locate);
  if (format != "text") ctx.err << doctor::summary(report, snapshot->namespaces.size()) << '\n';
  return rc;
}

}  // namespace

Command doctor_command() {
  return {
      "doctor",
      "Diagnose the running platform: findings with codes, evidence, cause, fix and stack key",
      "  stackctl doctor stacks/spark-connect.stack.yaml --target minikube\n"
      "  stackctl doctor stacks/spark-connect.stack.yaml --target eks --context prod -n spark\n"
      "  stackctl doctor stacks/spark-connect.stack.yaml --target minikube -A\n"
      "  stackctl doctor stacks/spark-connect.stack.yaml --target minikube --save snap.json\n"
      "  stackctl doctor --from snap.json                   # offline, e.g. from a bug report\n"
      "  stackctl doctor my.stack.yaml --target minikube --no-alignment   # the snapshot's rules "
      "only\n"
      "  stackctl doctor my.stack.yaml --target minikube -o junit > doctor.xml\n"
      "  stackctl doctor my.stack.yaml --target minikube --fail-on warning -o json | jq .summary\n"
      "\nAccepted findings go in the stack file: doctor: {ignore: [{code: D_EVICTED, object: \"Pod "
      "demo/x\"}]}.\n"
      "Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage,\n"
      "3 a file could not be read or written (--from, --save, --lock), 4 the cluster could not be\n"
      "reached or refused stackctl's credentials (the finding D_CLUSTER_AUTH is printed).\n"
      "Codes: docs/troubleshooting.md.\n",
      [](CLI::App& sub) -> Runner {
        auto a = std::make_shared<DoctorArgs>();
        sub.add_option("STACK", a->in.path,
                       "The stack file (gives the namespace, the ignore list "
                       "and the stack keys of fixes)");
        sub.add_option("-t,--target", a->in.target, "The target whose platform to diagnose");
        sub.add_option("--kubeconfig", a->kube.kubeconfig,
                       "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)");
        sub.add_option(
            "--context", a->kube.context,
            "kubeconfig context (default: the target's `context`, else the current one)");
        sub.add_option("-n,--namespace", a->kube.ns,
                       "Read this namespace only (default: the target's `namespace` and the "
                       "namespaces of the in-cluster metastore and object store the stack names)");
        sub.add_flag("-A,--all-namespaces", a->all_namespaces,
                     "Read every namespace (one LIST per kind across the cluster); the spark "
                     "ServiceAccount is reviewed in the target's namespace");
        sub.add_option("--save", a->save,
                       "Write the snapshot as JSON (Secrets as key names only, log lines "
                       "scrubbed of credentials)");
        sub.add_option("--from", a->from, "Diagnose a snapshot --save wrote; contact no cluster");
        sub.add_option("-o,--output", a->output, "Output format: text, json or junit")
            ->check(CLI::IsMember({"text", "json", "junit"}));
        sub.add_option("--fail-on", a->fail_on,
                       "Lowest severity that makes the exit code 1: error or warning")
            ->check(CLI::IsMember({"error", "warning"}))
            ->capture_default_str();
        sub.add_option("--tail", a->tail_lines, "Log lines read per container that needs them")
            ->check(CLI::Range(1, 10000))
            ->capture_default_str();
        sub.add_flag("--alignment,!--no-alignment", a->alignment,
                     "Also compare the platform with the stack, as `check --cluster` does (SL and "
                     "SI codes: locked images, rendered ConfigMaps, Spark/PySpark and Python "
                     "agree); default on, needs the cluster (not with --from)");
        sub.add_option("--lock", a->lock_file, "The lock file (default: STACK with .lock)");
        sub.add_flag("--registry-insecure", a->images.registry_insecure,
                     "Alignment: read the running images' labels over plain HTTP");
        sub.add_option("--registry-ca-file", a->images.registry_ca_file,
                       "Alignment: PEM bundle of a private registry's CA");
        return [a](Context& ctx) { return run_doctor(ctx, *a); };
      }};
}

}  // namespace stackctl::cli
