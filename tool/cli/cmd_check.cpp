// stackctl check STACK: version compatibility of everything the stack puts together.
#include <algorithm>

#include "cli/app_output.hpp"
#include "cli/check_cluster_cmd.hpp"
#include "cli/check_image_cmd.hpp"
#include "cli/commands.hpp"
#include "cli/env_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "cli/vault_inputs.hpp"
#include "core/knowledge/check.hpp"
#include "core/knowledge/check_app_files.hpp"
#include "core/knowledge/check_cluster.hpp"
#include "core/knowledge/check_image.hpp"
#include "core/stack/loader.hpp"

namespace stackctl::cli {

namespace {

nlohmann::json finding_json(const check::Finding& f) {
  nlohmann::json j = to_json(f.diag);
  nlohmann::json versions = nlohmann::json::object();
  for (const auto& [k, v] : f.versions) versions[k] = v;
  j["versions"] = versions;
  return j;
}

// Where check reads spark.env values from, as render does: --values FILE, --vault.
struct EnvOptions {
  std::string values_file;
  bool vault = false;
  bool any() const { return vault || !values_file.empty(); }
};

// spark.env values could not be read: the problems on stderr and, with --output json, the same
// as data on stdout. Returns the failure's exit code.
int env_values_failed(Context& ctx, const StackInput& in, const EnvValuesFailure& failure) {
  for (const auto& d : failure.diags.items()) print_diagnostic(ctx, ctx.err, d);
  if (failure.vault) print_vault_failure(ctx, *failure.vault);
  ctx.err << in.path << ": spark.env values could not be read; nothing was checked\n";
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json j = {
        {"file", in.path}, {"target", in.target}, {"diagnostics", to_json(failure.diags)}};
    if (failure.vault) j["error"] = to_json(to_app_error(*failure.vault));
    return print_json(ctx, std::move(j), failure.exit_code);
  }
  return failure.exit_code;
}

int run_check(Context& ctx, const StackInput& in, const EnvOptions& env_options,
              const ImageCheckOptions& image_options, const ClusterCheckOptions& cluster_options) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  LoadedStack loaded = load_stack_file(ctx, in, *catalog);
  if (loaded.exit_code != 0) return loaded.exit_code;
  if (!loaded.stack || loaded.diags.has_errors()) {
    // Version rules over an invalid stack would only add noise: show what makes it invalid,
    // exactly as `validate` does (every target's problems too, each at its position).
    if (auto text = read_stack_text(in.path))
      loaded.diags = validate_stack(*text, stack_display_name(in.path), catalog);
    if (ctx.options.output == OutputFormat::json) {
      return print_json(ctx,
                        {{"file", in.path},
                         {"target", in.target},
                         {"valid", false},
                         {"errors", loaded.diags.error_count()},
                         {"warnings", loaded.diags.warning_count()},
                         {"diagnostics", to_json(loaded.diags)}},
                        kFindings);
    }
    for (const auto& d : loaded.diags.items()) print_diagnostic(ctx, ctx.out, d);
    ctx.out << stack_display_name(in.path) << ": invalid ("
            << summary(loaded.diags.error_count(), loaded.diags.warning_count())
            << "); check judges valid stacks only\n";
    return kFindings;
  }
  // --values / --vault: the spark.env values, read once by the same code as render's, judged by
  // the core rules (SC028). Without them, SC023 names the settings that were not judged.
  std::optional<env_settings::ReadValues> env_values;
  if (env_options.any()) {
    std::unique_ptr<vault::Environment> env;
    VaultDeps deps;
    if (env_options.vault) {
      env = vault::process_environment();
      deps = real_vault_deps(*env);
    }
    auto read = read_spark_env_inputs(
        ctx,
        {env_options.values_file, std::filesystem::path(in.path).parent_path(),
         env_options.vault ? &deps : nullptr},
        {&*loaded.stack});
    if (!read) return env_values_failed(ctx, in, read.error());
    env_values = std::move(*read);
  }
  std::vector<check::Finding> findings =
      check::check_stack(*loaded.stack, *catalog, env_values ? &*env_values : nullptr);
  // Derivation notes (W_CATALOG_UNKNOWN) come from loading; they belong with the findings.
  std::vector<check::Finding> notes;
  for (const auto& d : loaded.diags.items()) notes.push_back({d, {}});
  findings.insert(findings.begin(), notes.begin(), notes.end());
  // --image: each image's labels against the stack (SI findings); unreadable images -> exit 4.
  // --image also reads the images the applications run (their local:// files: SC030).
  const ApplicationImages apps{in.path, cluster_options.lock_file};
  const ImagesResult images = check_images(ctx, *loaded.stack, image_options, nullptr,
                                           image_options.refs.empty() ? nullptr : &apps);
  if (images.exit_code == kInputError) return kInputError;
  if (images.exit_code == kUsage) return kUsage;
  for (const auto& r : images.images)
    findings.insert(findings.end(), r.findings.begin(), r.findings.end());
  // --cluster: the running platform (SL findings and its images' SI findings).
  ClusterResult cluster;
  if (cluster_options.enabled) {
    cluster = check_cluster(ctx, *loaded.stack, *catalog, in.path, cluster_options, image_options);
    if (cluster.exit_code != kOk) return cluster.exit_code;
    findings.insert(findings.end(), cluster.findings.begin(), cluster.findings.end());
  }
  const auto errors = static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const check::Finding& f) { return f.diag.severity == Severity::error; }));
  // Info findings (SC023: a setting check could not judge) are neither errors nor warnings.
  const auto warnings = static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const check::Finding& f) { return f.diag.severity == Severity::warning; }));
  const int rc = images.exit_code != kOk ? images.exit_code : errors == 0 ? kOk : kFindings;
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& f : findings) arr.push_back(finding_json(f));
    const auto& v = loaded.stack->versions;
    nlohmann::json j = {{"file", in.path},
                        {"target", in.target},
                        {"errors", errors},
                        {"warnings", warnings},
                        {"versions",
                         {{"spark", v.spark},
                          {"scala", v.scala},
                          {"java", v.java},
                          {"python", v.python},
                          {"hadoop", v.hadoop},
                          {"awsSdk", v.aws_sdk},
                          {"pyspark", v.pyspark}}},
                        {"findings", arr}};
    if (!image_options.refs.empty()) j["images"] = images_json(images);
    if (cluster_options.enabled)
      j["cluster"] = {{"server", cluster.server},
                      {"namespace", cluster.ns},
                      {"pods", cluster.pods},
                      {"images", cluster.images}};
    return print_json(ctx, std::move(j), rc);
  }
  {
    for (const auto& f : findings) print_diagnostic(ctx, ctx.out, f.diag);
    print_images_text(ctx, ctx.out, images);
    if (cluster_options.enabled)
      ctx.out << "cluster " << cluster.server << " namespace " << cluster.ns << ": " << cluster.pods
              << (cluster.pods == 1 ? " pod, " : " pods, ") << cluster.images.size()
              << " running image" << (cluster.images.size() == 1 ? "" : "s") << " of the stack\n";
    // Never "compatible" when part of what was asked could not be checked.
    const auto unread = static_cast<std::size_t>(std::count_if(
        images.images.begin(), images.images.end(), [](const ImageReport& r) { return !r.read; }));
    const std::string verdict =
        errors != 0   ? "incompatible"
        : unread != 0 ? "not checked: " + std::to_string(unread) + " of " +
                            std::to_string(images.images.size()) + " image" +
                            (images.images.size() == 1 ? "" : "s") + " could not be read"
                      : "compatible";
    ctx.out << stack_display_name(in.path)
            << (in.target.empty() ? "" : " (target " + in.target + ")") << ": " << verdict << " ("
            << summary(errors, warnings) << ")\n";
  }
  return rc;  // an image that could not be read: its exit code, before the findings
}

// "a, b (c, d), e" -> {"a", "b (c, d)", "e"}: a Spec's reads, split at the commas outside
// parentheses.
std::vector<std::string> reads_list(std::string_view reads) {
  std::vector<std::string> out;
  std::string item;
  int depth = 0;
  for (const char c : reads) {
    if (c == ',' && depth == 0) {
      out.push_back(item);
      item.clear();
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != ' ' || !item.empty()) item += c;
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

int list_rules(Context& ctx) {
  // The stack rules (SC, with SC030 of --image), the image-label rules of --image (SI) and the
  // cluster rules (SL), in one table.
  std::vector<rules::Spec> specs(check::kRules.begin(), check::kRules.end());
  specs.insert(specs.end(), check_app_files::kRules.begin(), check_app_files::kRules.end());
  specs.insert(specs.end(), check_image::kRules.begin(), check_image::kRules.end());
  specs.insert(specs.end(), check_cluster::kRules.begin(), check_cluster::kRules.end());
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : specs)
      arr.push_back(nlohmann::json{{"code", std::string(r.code)},
                                   {"severity", to_string(r.severity)},
                                   {"title", std::string(r.title)},
                                   {"reads", reads_list(r.reads)}});
    ctx.out << arr.dump(2) << '\n';
  } else {
    for (const auto& r : specs) {
      const std::string severity = to_string(r.severity);
      ctx.out << r.code << "  " << severity << std::string(9 - severity.size(), ' ') << r.title
              << "\n       reads: " << r.reads << '\n';
    }
  }
  return kOk;
}

}  // namespace

Command check_command() {
  return {
      "check", "Check version compatibility: PySpark vs Spark, Python, Java, Hadoop, SDK, Scala",
      "  stackctl check stacks/spark-connect.stack.yaml\n"
      "  stackctl check stacks/spark-connect.stack.yaml --target minikube --output json\n"
      "  stackctl check stacks/spark-connect.stack.yaml \\\n"
      "      --image registry.example.com/data-platform/spark-base:spark-4.0.1-uc-0.3.1-fix-v4\n"
      "  stackctl check stacks/spark-connect.stack.yaml --target minikube --cluster\n"
      "  stackctl check stacks/spark-connect.stack.yaml --target eks --cluster --context prod "
      "-o json\n"
      "  stackctl check stacks/kyuubi-sql.stack.yaml --values secrets/kyuubi.values.yaml\n"
      "  VAULT_ADDR=https://vault:8200 stackctl check stacks/kyuubi-sql.stack.yaml --vault\n"
      "  stackctl check --list-rules\n"
      "  stackctl check --list-rules --output json\n",
      [](CLI::App& sub) -> Runner {
        auto in = std::make_shared<StackInput>();
        auto list = std::make_shared<bool>(false);
        auto images = std::make_shared<ImageCheckOptions>();
        sub.add_option("STACK", in->path, "The stack file (YAML)");
        add_target_option(sub, *in);
        auto env = std::make_shared<EnvOptions>();
        auto* values = sub.add_option(
            "--values", env->values_file,
            "Judge the Spark settings among these spark.env values (a YAML mapping of key: "
            "value, as for render); without it or --vault they are not judged (SC023)");
        sub.add_flag("--vault", env->vault,
                     "Read the Vault-sourced spark.env keys from Vault (VAULT_ADDR, VAULT_TOKEN, "
                     "... as for render --vault) and judge the Spark settings among them (SC028)")
            ->excludes(values);
        sub.add_flag("--list-rules", *list,
                     "Print every rule: code, usual severity, title and what it reads");
        add_image_options(sub, *images);
        auto cluster = std::make_shared<ClusterCheckOptions>();
        add_cluster_options(sub, *cluster);
        return [in, list, images, cluster, env](Context& ctx) {
          if (*list) return list_rules(ctx);
          if (in->path.empty()) {
            ctx.err << "stackctl check: STACK is required (or --list-rules)\n";
            return static_cast<int>(kUsage);
          }
          return run_check(ctx, *in, *env, *images, *cluster);
        };
      }};
}

}  // namespace stackctl::cli
