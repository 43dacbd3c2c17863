// stackctl render STACK: every file the platform needs (build contexts, manifests, config,
// Terraform), written atomically into one folder.
#include <set>

#include "adapters/fs.hpp"
#include "cli/app_output.hpp"
#include "cli/commands.hpp"
#include "cli/env_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "cli/stack_input.hpp"
#include "cli/vault_inputs.hpp"
#include "core/render/common.hpp"
#include "core/render/render.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::cli {

namespace {

namespace stdfs = std::filesystem;

struct RenderArgs {
  StackInput in;
  std::string out_dir;
  std::string templates_dir;
  std::string values_file;
  bool vault = false;
  bool list = false;
};

// Each problem once: targets share most of the stack, so they often report the same thing.
// Returns how many distinct errors were printed.
std::size_t print_unique(Context& ctx, const Diagnostics& diags) {
  std::set<std::string> seen;
  std::size_t errors = 0;
  for (const auto& d : diags.items()) {
    if (!seen.insert(format_diagnostic(d)).second) continue;
    print_diagnostic(ctx, ctx.err, d);
    if (d.severity == Severity::error) ++errors;
  }
  return errors;
}

bool names_unknown_target(const Diagnostics& diags) {
  for (const auto& d : diags.items())
    if (d.code == "E_UNKNOWN_TARGET") return true;
  return false;
}

// Anything but a previous render (or an empty folder) is refused: --out . must not wipe a project.
std::optional<std::string> foreign_entry(const stdfs::path& dir) {
  std::error_code ec;
  if (!stdfs::exists(dir, ec)) return std::nullopt;
  if (!stdfs::is_directory(dir, ec)) return dir.string() + " is not a directory";
  for (const auto& e : stdfs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name != "images" && name != "targets" && name != "terraform")
      return dir.string() + " holds " + name + ", so it is not the output of `stackctl render`";
  }
  return std::nullopt;
}

// With --target, the other targets' folders of a previous render are kept as they were.
std::expected<void, fs::Failure> carry_over_targets(const stdfs::path& out, const std::string& keep,
                                                    std::vector<fs::OutputFile>& files) {
  std::error_code ec;
  const stdfs::path targets = out / "targets";
  if (!stdfs::is_directory(targets, ec)) return {};
  for (stdfs::recursive_directory_iterator it(targets, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string rel = it->path().lexically_relative(out).generic_string();
    if (rel.starts_with("targets/" + keep + "/")) continue;
    auto data = fs::read_file(it->path());
    if (!data) return std::unexpected(data.error());
    files.push_back({rel, std::move(*data), it->status().permissions() & stdfs::perms::all});
  }
  if (ec)
    return std::unexpected(fs::Failure{"cannot read " + targets.string() + ": " + ec.message()});
  return {};
}

// "-" (the stack does not say) as null, anything else as itself.
nlohmann::json dash_null(const std::string& v) {
  return v == "-" ? nlohmann::json(nullptr) : nlohmann::json(v);
}

// The files, and each image's build context as data (docs/render.md, "JSON"): the reference the
// manifests and its Dockerfile name (repository:tag), what FROM resolves to, the parent image and
// the artifacts the context needs, so that scripts take them from data, never from the rendered
// Dockerfile, artifacts.txt or YAML.
nlohmann::json files_json(const render::Result& result, const std::string& out, bool written,
                          const model::Stack& stack, const Diagnostics& warnings) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : result.files) {
    nlohmann::json j = {{"path", f.path}, {"bytes", f.data.size()}};
    // A digest of a secret file would let anyone test guesses of its values: leave it out.
    j["sha256"] = f.secret ? nlohmann::json(nullptr) : nlohmann::json(render::sha256_hex(f.data));
    if (f.secret) j["secret"] = true;
    if (f.executable) j["executable"] = true;
    arr.push_back(std::move(j));
  }
  nlohmann::json images = nlohmann::json::array();
  for (const auto& image : stack.images) {
    nlohmann::json j = {{"name", image.name}, {"ref", render::image_ref(stack, image)}};
    for (const auto& c : result.images) {
      if (c.image != image.name) continue;
      nlohmann::json artifacts = nlohmann::json::array();
      for (const auto& a : c.artifacts)
        artifacts.push_back(
            {{"path", a.path}, {"url", dash_null(a.url)}, {"checksum", dash_null(a.checksum)}});
      j["context"] = "images/" + image.name;
      j["from"] = c.from;
      j["parent"] = c.parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.parent);
      j["artifacts"] = std::move(artifacts);
      j["labels"] = c.labels;
    }
    images.push_back(std::move(j));
  }
  // Client-mode applications: where their files are and the command, so an orchestrator's
  // scripts take them from data (docs/render.md, "JSON"; docs/applications.md, "Client mode").
  nlohmann::json apps = nlohmann::json::array();
  for (const auto& a : result.client_applications) {
    nlohmann::json env = nlohmann::json::array();
    for (const auto& [var, secret, key] : a.driver_env)
      env.push_back({{"env", var}, {"secret", secret}, {"key", key}});
    apps.push_back(
        {{"target", a.target},
         {"name", a.application},
         {"runsIn", a.runs_in},
         {"conf", a.conf},
         {"script", a.script},
         {"command", a.command},
         {"service", a.service.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.service)},
         {"driverHost",
          a.driver_host.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.driver_host)},
         {"driverEnv", std::move(env)}});
  }
  return {{"out", out},       {"written", written},   {"files", arr},
          {"images", images}, {"applications", apps}, {"diagnostics", to_json(warnings)}};
}

int write_output(Context& ctx, const RenderArgs& a, const std::string& out,
                 const std::vector<render::File>& files) {
  if (auto why = foreign_entry(out)) {
    ctx.err << "stackctl: refusing to replace " << out << ": " << *why
            << "\n  hint: choose an empty or new folder with --out\n";
    return kInputError;
  }
  std::vector<fs::OutputFile> output;
  for (const auto& f : files) output.push_back(output_file(f));
  if (!a.in.target.empty()) {
    if (auto kept = carry_over_targets(out, a.in.target, output); !kept) {
      ctx.err << "stackctl: " << kept.error().message << '\n';
      return kInputError;
    }
  }
  if (auto w = fs::replace_tree(out, output); !w) {
    ctx.err << "stackctl: " << w.error().message << "\n  nothing was changed in " << out << '\n';
    return kInputError;
  }
  return kOk;
}

// A file the stack names could not be read: its located diagnostics on stderr, and with
// --output json the same as data on stdout. Returns kInputError.
int unreadable_input(Context& ctx, const Diagnostics& problems) {
  print_unique(ctx, problems);
  if (ctx.options.output == OutputFormat::json)
    return print_json(ctx, {{"written", false}, {"diagnostics", to_json(problems)}}, kInputError);
  return kInputError;
}

// spark.env values could not be had: the problems on stderr and, with --output json, the same as
// data on stdout ({"out", "written": false, "diagnostics", and "error" when Vault was the cause}).
int env_values_failed(Context& ctx, const EnvValuesFailure& failure, const std::string& out) {
  print_unique(ctx, failure.diags);
  if (failure.vault) print_vault_failure(ctx, *failure.vault);
  ctx.err << "stackctl: nothing was rendered\n";
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json j = {{"out", out}, {"written", false}, {"diagnostics", to_json(failure.diags)}};
    if (failure.vault) j["error"] = to_json(to_app_error(*failure.vault));
    return print_json(ctx, std::move(j), failure.exit_code);
  }
  return failure.exit_code;
}

// Everything the renderer needs besides the stacks. Prints problems; returns an exit code.
int gather_inputs(Context& ctx, const RenderArgs& a, const std::vector<const model::Stack*>& all,
                  const std::string& out, render::Request& request,
                  std::optional<render::Templates>& templates) {
  auto t = load_templates(ctx, a.templates_dir);
  if (!t) return t.error();
  templates = std::move(*t);
  const stdfs::path stack_dir = stdfs::path(a.in.path).parent_path();
  std::unique_ptr<vault::Environment> env;
  VaultDeps deps;
  if (a.vault) {
    env = vault::process_environment();
    deps = real_vault_deps(*env);
  }
  auto values =
      read_spark_env_values(ctx, {a.values_file, stack_dir, a.vault ? &deps : nullptr}, all);
  if (!values) {
    if (values.error().exit_code == kInputError) return unreadable_input(ctx, values.error().diags);
    return env_values_failed(ctx, values.error(), out);
  }
  auto stack_files = read_stack_files(stack_dir, all);
  if (!stack_files) return unreadable_input(ctx, stack_files.error());
  request.env_values = std::move(*values);
  request.stack_files = std::move(*stack_files);
  return kOk;
}

int run_render(Context& ctx, const RenderArgs& a) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  auto text = read_stack_text(a.in.path);
  if (!text) {
    ctx.err << "stackctl: " << text.error() << '\n';
    return kInputError;
  }
  Diagnostics parse_diags;
  auto root = doc::parse(*text, stack_display_name(a.in.path), parse_diags);
  if (!root) parse_diags.add(root.error());
  RenderStacks stacks =
      root ? load_render_stacks(*root, a.in.path, a.in.target, *catalog) : RenderStacks{};
  stacks.diags.append(parse_diags);
  stacks.diags.sort();
  if (names_unknown_target(stacks.diags)) {
    print_unique(ctx, stacks.diags);
    // --target names no target: a command-line mistake, not a stack problem
    if (ctx.options.output == OutputFormat::json)
      return print_json(ctx, {{"written", false}, {"diagnostics", to_json(stacks.diags)}}, kUsage);
    return kUsage;
  }
  if (!root || !stacks.base || stacks.diags.has_errors()) {
    print_unique(ctx, stacks.diags);
    ctx.err << stack_display_name(a.in.path)
            << ": invalid stack; nothing was rendered (see `stackctl validate " << a.in.path
            << "`)\n";
    if (ctx.options.output == OutputFormat::json)
      return print_json(ctx, {{"written", false}, {"diagnostics", to_json(stacks.diags)}},
                        kFindings);
    return kFindings;
  }
  print_unique(ctx, stacks.diags);  // warnings only
  render::Request request = stacks.request(catalog);
  const std::vector<const model::Stack*> all = stacks.all();
  const std::string out = a.out_dir.empty() ? "rendered/" + stacks.base->metadata.name : a.out_dir;
  std::optional<render::Templates> templates;
  if (int rc = gather_inputs(ctx, a, all, out, request, templates); rc != kOk) return rc;
  request.templates = &*templates;
  auto rendered = render::render(request);
  if (!rendered) {
    rendered.error().sort();
    const std::size_t errors = print_unique(ctx, rendered.error());
    ctx.err << "stackctl: render failed (" << errors << (errors == 1 ? " error" : " errors")
            << "); nothing was written" << (a.list ? "" : ", " + out + " is unchanged") << '\n';
    if (ctx.options.output == OutputFormat::json)
      return print_json(
          ctx, {{"out", out}, {"written", false}, {"diagnostics", to_json(rendered.error())}},
          kFindings);
    return kFindings;
  }
  const std::vector<render::File>* files = &rendered->files;
  if (a.list) {
    if (ctx.options.output == OutputFormat::json)
      return print_json(ctx, files_json(*rendered, out, false, *stacks.base, stacks.diags), kOk);
    else
      for (const auto& f : *files) ctx.out << f.path << '\n';
    return kOk;
  }
  if (int rc = write_output(ctx, a, out, *files); rc != kOk) return rc;
  ctx.err << "rendered " << files->size() << " files into " << out << '\n';
  if (ctx.options.output == OutputFormat::json)
    return print_json(ctx, files_json(*rendered, out, true, *stacks.base, stacks.diags), kOk);
  return kOk;
}

}  // namespace

Command render_command() {
  return {
      "render",
      "Render build contexts, Kubernetes manifests, spark-defaults.conf, spark.env and Terraform",
      "  stackctl render stacks/spark-connect.stack.yaml\n"
      "  stackctl render stacks/spark-connect.stack.yaml --target minikube --out out/minikube\n"
      "  stackctl render stacks/kyuubi-sql.stack.yaml --values secrets/kyuubi.values.yaml\n"
      "  VAULT_ADDR=https://vault:8200 stackctl render stacks/kyuubi-sql.stack.yaml --vault\n"
      "  stackctl render my.stack.yaml --templates my-templates/   # your templates win\n"
      "  stackctl render my.stack.yaml --list --output json | jq '.files[].path'\n"
      "  stackctl render my.stack.yaml --list -o json | jq '.applications[].command'  # client "
      "mode\n"
      "\nThe output folder is replaced as a whole, atomically: a failed render or write leaves "
      "it as it was.\nExit codes: 0 rendered, 1 the stack or a template has errors (or a "
      "spark.env value is missing or not a valid Spark setting),\n2 usage (or an unusable "
      "VAULT_* setting), 3 a file could not be read or the output could not be written,\n4 "
      "Vault failed or refused (see docs/vault.md).\n",
      [](CLI::App& sub) -> Runner {
        auto a = std::make_shared<RenderArgs>();
        add_stack_argument(sub, a->in);
        sub.add_option("-t,--target", a->in.target,
                       "Render only this target (default: every target); the other targets' "
                       "folders of a previous render are kept");
        sub.add_option("--out", a->out_dir, "Output folder (default: rendered/<stack name>)");
        sub.add_option("--templates", a->templates_dir,
                       "A folder laid out like the project (templates/, images/, "
                       "terraform/modules/) whose files replace the built-in ones");
        sub.add_option("--values", a->values_file,
                       "spark.env values: a YAML mapping of key: value (default: each `file` "
                       "source's file, relative to the stack file)");
        auto* vault_flag = sub.add_flag(
            "--vault", a->vault,
            "Read the Vault-sourced spark.env keys from Vault (VAULT_ADDR, VAULT_TOKEN, ... as "
            "for the vault CLI; the stack's `vault:` block says how to log in)");
        if (auto* values = sub.get_option_no_throw("--values")) vault_flag->excludes(values);
        sub.add_flag("--list", a->list, "Print the files that would be written; write nothing");
        return [a](Context& ctx) { return run_render(ctx, *a); };
      }};
}

}  // namespace stackctl::cli
