// stackctl build STACK: wiring only. The stack, the templates and the conda files are read here;
// the real ports (disk, curl, the fetcher, the builder, the registry's auth files, stderr
// progress) are made once and passed to app::build (app/build.hpp), which plans, decides, builds,
// pushes and writes the lock.

#include "adapters/builder.hpp"
#include "adapters/fetcher.hpp"
#include "adapters/fs.hpp"
#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "app/build.hpp"
#include "cli/app_output.hpp"
#include "cli/build_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"

namespace stackctl::cli {

namespace {

struct BuildArgs {
  StackInput in;
  FetchFlags fetch;
  BuilderFlags builder;
  std::string lock_file;
  std::string templates_dir;
  std::string work_dir;
  bool push = false;
  bool dry_run = false;
  bool frozen = false;
  int jobs = 2;
  std::vector<std::string> build_args;  // --build-arg KEY=VALUE, passed to every image
};

void print_plan(Context& ctx, const std::vector<app::ImageRow>& rows, const app::Error* error,
                int exit_code) {
  if (ctx.options.output == OutputFormat::json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json artifacts = nlohmann::json::array();
      for (const auto& a : r.artifacts)
        artifacts.push_back({{"name", a.name},
                             {"path", a.dest},
                             {"url", a.url},
                             {"checksum", a.checksum.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(a.checksum)}});
      arr.push_back(
          {{"image", r.image},
           {"ref", r.ref},
           {"tag", r.tag},
           {"parent", r.parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.parent)},
           {"baseRef", r.base_ref},
           {"artifacts", std::move(artifacts)},
           {"action", r.action},
           {"reason", r.reason},
           {"inputsDigest", r.inputs_digest},
           {"digest", r.digest}});
    }
    nlohmann::json doc{{"images", arr},
                       {"diagnostics", error ? to_json(error->diags) : nlohmann::json::array()}};
    if (error) doc["error"] = to_json(*error);
    print_json(ctx, std::move(doc), exit_code);
    return;
  }
  for (const auto& r : rows)
    ctx.out << r.action << "  " << r.image << "  " << r.ref << "  (" << r.reason << ")"
            << (r.digest.empty() ? "" : "  " + r.digest) << '\n';
}

int run_build(Context& ctx, const BuildArgs& args) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  LoadedStack loaded = load_stack_file(ctx, args.in, *catalog);
  if (loaded.exit_code != 0) return loaded.exit_code;
  if (!loaded.stack || loaded.diags.has_errors()) {
    for (const auto& d : loaded.diags.items()) print_diagnostic(ctx, ctx.err, d);
    return kFindings;
  }
  const model::Stack& stack = *loaded.stack;
  auto inputs = read_render_inputs(ctx, stack, args.in.path, args.templates_dir);
  if (!inputs) return inputs.error();

  // The real ports, made once.
  auto http_client = http::make_curl_client({});
  fetch::Fetcher fetcher(*http_client, fetch_options(ctx, args.fetch));
  auto artifacts = app::fetcher_artifacts(fetcher);
  auto progress = app::stream_progress(ctx.err, ctx.err_mutex, app::steady_clock());
  auto runner = proc::make_runner();
  auto b = make_builder_from_flags(ctx, *runner, args.builder);
  if (!b) return kExternalError;
  app::BuildPorts ports{fs::disk(), *artifacts, **b, *progress, nullptr, {}};
  if (args.push) {
    ports.registry_http = http_client.get();
    ports.credentials = registry::auth_files_lookup(registry::process_env(), runner.get());
  }

  app::BuildRequest request;
  request.stack = &stack;
  request.templates = &inputs->templates;
  request.stack_files = std::move(inputs->stack_files);
  request.lock_path = lock_path_for(args.in.path, args.lock_file);
  request.work_dir =
      args.work_dir.empty() ? default_work_dir(stack) : std::filesystem::path(args.work_dir);
  request.push = args.push;
  request.dry_run = args.dry_run;
  request.frozen = args.frozen;
  request.offline = args.fetch.offline;
  request.jobs = args.jobs;
  request.build_args = args.build_args;

  auto result = app::build(request, ports);
  if (!result) {
    const app::Error& e = result.error().error;
    // A conflict shows the plan that has it; other failures show the plan only in JSON.
    const bool show_plan = e.kind == app::Error::Kind::findings && !result.error().images.empty();
    if (show_plan || ctx.options.output == OutputFormat::json)
      print_plan(ctx, result.error().images, &e, exit_code_of(e.kind));
    return print_error(ctx, e);
  }
  print_plan(ctx, result->images, nullptr, kOk);
  return kOk;
}

}  // namespace

Command build_command() {
  return {"build",
          "Build the stack's images with a real builder, push them, record them in the lock",
          "  stackctl build stacks/spark-connect.stack.yaml --dry-run\n"
          "  stackctl build stacks/spark-connect.stack.yaml --push\n"
          "  stackctl build examples/quickstart/quickstart.stack.yaml --offline --builder buildah\n"
          "  stackctl build stacks/spark-connect.stack.yaml --frozen --push   # CI\n",
          [](CLI::App& sub) -> Runner {
            auto args = std::make_shared<BuildArgs>();
            add_stack_argument(sub, args->in);
            add_fetch_flags(sub, args->fetch);
            add_builder_flags(sub, args->builder);
            sub.add_option("--lock", args->lock_file, "The lock file (default: beside the stack)");
            sub.add_option("--templates", args->templates_dir,
                           "A folder whose images/ files override the built-in recipes");
            sub.add_option("--work-dir", args->work_dir,
                           "Where build contexts and logs go (default "
                           "$XDG_CACHE_HOME/stackctl/build/<stack>, beside the artifact cache)");
            sub.add_flag("--push", args->push, "Push every image to the stack's registry");
            sub.add_flag("--dry-run", args->dry_run,
                         "Print the plan (build, skip, why); build nothing");
            sub.add_flag("--frozen", args->frozen,
                         "Refuse unpinned artifacts and any change to the lock (for CI)");
            sub.add_option("--build-arg", args->build_args,
                           "KEY=VALUE passed to every image's build (repeatable), e.g. "
                           "PYPI_INDEX_URL=http://127.0.0.1:8080/simple")
                ->allow_extra_args(false);
            sub.add_option("-j,--jobs", args->jobs, "Images built at once (default 2)")
                ->check(CLI::Range(1, 16));
            return [args](Context& ctx) { return run_build(ctx, *args); };
          }};
}

}  // namespace stackctl::cli
