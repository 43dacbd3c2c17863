// stackctl drift STACK: for CI, whether anything derived from the stack no longer matches it —
// the committed rendered files, stack.lock, the registry's tags, the catalog's newer releases and,
// with --cluster, the live objects. docs/drift.md is the user's side of this.
#include <cstdlib>

#include "adapters/fs.hpp"
#include "adapters/git.hpp"
#include "app/build.hpp"
#include "cli/commands.hpp"
#include "cli/drift_checks.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "cli/stack_input.hpp"
#include "core/drift/output.hpp"

namespace stackctl::cli {

namespace {

namespace stdfs = std::filesystem;

// Loads the stack (base and targets), the lock and the render inputs; an exit code when the
// stack itself is unusable (that is not drift: validate says why).
std::expected<int, int> load_inputs(Context& ctx, const DriftArgs& a, DriftInputs& in) {
  in.catalog = active_catalog(ctx);
  if (in.catalog == nullptr) return std::unexpected(kInputError);
  LoadedStack base = load_stack_file(ctx, {a.stack_path, ""}, *in.catalog);
  if (base.exit_code != 0) return std::unexpected(base.exit_code);
  if (!base.stack || base.diags.has_errors()) {
    for (const auto& d : base.diags.items()) print_diagnostic(ctx, ctx.err, d);
    ctx.err << stack_display_name(a.stack_path)
            << ": invalid stack; nothing was compared (see `stackctl validate " << a.stack_path
            << "`)\n";
    return std::unexpected(kFindings);
  }
  in.base = std::move(*base.stack);
  std::vector<std::string> names;
  if (!a.target.empty()) {
    if (in.base.find_target(a.target) == nullptr) {
      ctx.err << "stackctl: " << a.stack_path << " has no target \"" << a.target << "\"\n";
      return std::unexpected(kUsage);
    }
    names.push_back(a.target);
  } else {
    for (const auto& t : in.base.targets) names.push_back(t.name);
  }
  for (const auto& name : names) {
    LoadedStack t = load_stack_file(ctx, {a.stack_path, name}, *in.catalog);
    if (!t.stack || t.diags.has_errors()) {
      for (const auto& d : t.diags.items()) print_diagnostic(ctx, ctx.err, d);
      return std::unexpected(kFindings);
    }
    in.targets.push_back(std::move(*t.stack));
  }
  in.lock_path = lock_path_for(a.stack_path, a.lock_file);
  if (auto l = app::read_lock(fs::disk(), in.lock_path); !l)
    in.lock_error = l.error().message;
  else if (*l)
    in.lock = std::move(**l);
  auto templates = load_templates(ctx, a.templates_dir);
  if (!templates) return std::unexpected(templates.error());
  in.templates = std::move(*templates);
  auto files = read_stack_files(stdfs::path(a.stack_path).parent_path(), {&in.base});
  if (!files) {
    for (const auto& d : files.error().items())
      in.stack_files_error += (in.stack_files_error.empty() ? "" : "\n") + format_diagnostic(d);
  } else {
    in.stack_files = std::move(*files);
  }
  return kOk;
}

// Locations as paths from the repository's top, so code scanning and workflow annotations point
// at the file in the pull request.
void relative_to_top(std::vector<drift::Result>& results, const std::string& stack_path) {
  auto top = git::work_tree_top(stdfs::path(stack_path).parent_path().empty()
                                    ? stdfs::path(".")
                                    : stdfs::path(stack_path).parent_path());
  if (!top) return;
  for (auto& r : results) {
    if (!r.location || r.location->file.empty() || r.check == "files") continue;
    std::error_code ec;
    const stdfs::path abs = stdfs::weakly_canonical(stdfs::absolute(r.location->file, ec), ec);
    const stdfs::path rel = abs.lexically_relative(*top);
    if (!rel.empty() && !rel.native().starts_with("..")) r.location->file = rel.generic_string();
  }
}

// drift's JSON report (core/drift/output.cpp) with the common item fields on each result: the
// code is SARIF's ruleId ("drift/files"), the message the result's summary, no fix of its own.
nlohmann::ordered_json json_report(const drift::Report& report) {
  auto doc = nlohmann::ordered_json::parse(drift::to_json(report));
  auto& results = doc["results"];
  for (std::size_t i = 0; i < report.results.size() && i < results.size(); ++i) {
    const drift::Result& r = report.results[i];
    set_item_fields(results[i], "drift/" + r.check, drift::to_string(r.severity), r.summary,
                    r.location.value_or(SourceLoc{}), "");
  }
  return doc;
}

int run_drift(Context& ctx, const DriftArgs& a) {
  // drift's own -o: a failure before the report still gets its JSON document (json_output.hpp).
  if (!a.output.empty())
    ctx.options.output = a.output == "json" ? OutputFormat::json : OutputFormat::text;
  for (const auto* list : {&a.only, &a.skip})
    for (const auto& c : *list)
      if (!drift::known_check(c)) {
        ctx.err << "stackctl: unknown check \"" << c
                << "\"; the checks are files, lock, registry, catalog, cluster\n";
        return kUsage;
      }
  DriftInputs in;
  if (auto loaded = load_inputs(ctx, a, in); !loaded) return loaded.error();

  drift::Report report{a.stack_path, drift::selected_checks(a.only, a.skip, a.cluster), {}, {}};
  for (const auto& check : report.checks) {
    if (ctx.options.verbosity > 0) ctx.err << "drift: checking " << check << '\n';
    std::vector<drift::Result> r;
    if (check == "files") r = files_results(ctx, a, in);
    if (check == "lock") r = lock_results(in);
    if (check == "registry") r = registry_results(a, in);
    if (check == "catalog") r = catalog_results(ctx, in);
    if (check == "cluster") r = cluster_results(ctx, a, in);
    report.results.insert(report.results.end(), r.begin(), r.end());
  }
  relative_to_top(report.results, a.stack_path);
  report.notes = in.notes;

  std::string format = a.output;
  if (format.empty()) format = ctx.options.output == OutputFormat::json ? "json" : "text";
  const int rc = drift::outcome(report.results) == drift::Outcome::clean     ? kOk
                 : drift::outcome(report.results) == drift::Outcome::drifted ? kDrift
                                                                             : kNotChecked;
  if (format == "json")
    print_json_ordered(ctx, json_report(report), rc);
  else if (format == "junit")
    ctx.out << drift::to_junit(report);
  else if (format == "sarif")
    ctx.out << drift::to_sarif(report, STACKCTL_VERSION);
  else
    ctx.out << drift::to_text(report, ctx.options.verbosity > 0);
  // Under GitHub Actions, annotations for the pull request. On stderr, so stdout stays the report
  // (the runner reads workflow commands from both streams).
  if (const char* gha = std::getenv("GITHUB_ACTIONS"); gha != nullptr && std::string(gha) == "true")
    ctx.err << drift::to_github_commands(report);

  return rc;
}

}  // namespace

Command drift_command() {
  return {
      "drift",
      "For CI: fail when rendered files, stack.lock, registry tags or the cluster no longer match "
      "the stack",
      "  stackctl drift stacks/spark-connect.stack.yaml\n"
      "  stackctl drift stacks/spark-connect.stack.yaml --only files,lock\n"
      "  stackctl drift stacks/spark-connect.stack.yaml --against origin/main --skip registry\n"
      "  stackctl drift stacks/spark-connect.stack.yaml --output sarif > drift.sarif\n"
      "  stackctl drift stacks/spark-connect.stack.yaml --output junit > drift-junit.xml\n"
      "  stackctl drift stacks/spark-connect.stack.yaml --target minikube --cluster\n"
      "  stackctl drift stacks/kyuubi-sql.stack.yaml --only files --vault\n"
      "  stackctl drift stacks/kyuubi-sql.stack.yaml --target eks --cluster --vault \\\n"
      "      --terraform-outputs outputs.json\n"
      "\nChecks: files (the rendered tree committed in git, read from --against without a "
      "checkout,\nplus uncommitted changes), lock (stack.lock is current), registry (each locked "
      "tag still points\nat its digest), catalog (advisory: a later patch release, known-broken "
      "combinations), cluster\n(--cluster: live objects, pruned members, running images, "
      "spark.env checksum).\nUnder GitHub Actions (GITHUB_ACTIONS=true) each finding is also an "
      "annotation (on stderr).\nExit codes: 0 nothing drifted (advisories allowed), 5 something "
      "drifted, 8 a check could not be\nmade (and nothing drifted), 1 invalid stack, 2 usage, 3 "
      "unreadable stack or templates.\nSee docs/drift.md.\n",
      [](CLI::App& sub) -> Runner {
        auto a = std::make_shared<DriftArgs>();
        sub.add_option("STACK", a->stack_path,
                       "The stack file (YAML); - reads it from standard input")
            ->required();
        sub.add_option("-t,--target", a->target,
                       "Only this target (default: every target; --cluster needs one)");
        sub.add_option("--against", a->against,
                       "The git revision holding the committed rendered files (default HEAD; "
                       "at HEAD the work tree's uncommitted changes count too)");
        sub.add_option("--only", a->only, "Run only these checks (comma-separated)")
            ->delimiter(',');
        sub.add_option("--skip", a->skip, "Do not run these checks (comma-separated)")
            ->delimiter(',');
        sub.add_option("-o,--output", a->output, "Report format: text, json, junit or sarif")
            ->check(CLI::IsMember({"text", "json", "junit", "sarif"}));
        sub.add_flag("--cluster", a->cluster,
                     "Also compare the target's live objects (read-only server-side dry run)");
        sub.add_option("--rendered", a->rendered_dir,
                       "Where the rendered files are committed (default rendered/<stack name>, "
                       "as `stackctl render` writes them)");
        sub.add_option("--lock", a->lock_file, "The lock file (default: beside the stack)");
        sub.add_option("--values", a->values_file,
                       "spark.env values, as for `stackctl render` (needed to render spark.env "
                       "and the Secret's checksum)");
        auto* vault_flag = sub.add_flag(
            "--vault", a->vault,
            "Read the Vault-sourced spark.env keys from Vault, as render --vault does (VAULT_ADDR, "
            "VAULT_TOKEN, ...; docs/vault.md): the files check renders spark.env and the Secret "
            "with them, the cluster check finds a value changed since the last deploy");
        sub.add_option("--terraform-outputs", a->terraform_outputs,
                       "With --cluster on an eks target: `terraform output -json` of the target's "
                       "root module, as for deploy (without it the cluster check is skipped)");
        if (auto* values = sub.get_option_no_throw("--values")) vault_flag->excludes(values);
        sub.add_option("--templates", a->templates_dir,
                       "Template folder overriding the built-in ones, as for `stackctl render`");
        sub.add_option("--parallel", a->parallel,
                       "Registry requests at once (default 8; 1: one after another)")
            ->check(CLI::Range(1, 64));
        sub.add_flag("--registry-insecure", a->registry_insecure, "Plain HTTP for every registry");
        sub.add_option("--registry-ca-file", a->registry_ca_file,
                       "PEM bundle for a registry's private CA");
        sub.add_option("--kubeconfig", a->kube.kubeconfig, "kubeconfig file (else KUBECONFIG)");
        sub.add_option("--context", a->kube.context, "kubeconfig context (else the target's)");
        sub.add_option("-n,--namespace", a->kube.ns, "Namespace (else the target's)");
        return [a](Context& ctx) { return run_drift(ctx, *a); };
      }};
}

}  // namespace stackctl::cli
