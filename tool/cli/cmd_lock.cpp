// stackctl lock STACK: resolve versions and artifact checksums, write stack.lock. Wiring only:
// app::lock (app/lock.hpp) does the work over the real ports made here.
#include "adapters/fetcher.hpp"
#include "adapters/fs.hpp"
#include "adapters/http.hpp"
#include "app/lock.hpp"
#include "cli/app_output.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"

namespace stackctl::cli {

namespace {

struct LockArgs {
  StackInput in;
  FetchFlags fetch;
  std::string lock_file;
  bool frozen = false;
};

int run_lock(Context& ctx, const LockArgs& args) {
  const catalog::Catalog* catalog = active_catalog(ctx);
  if (catalog == nullptr) return kInputError;
  LoadedStack loaded = load_stack_file(ctx, args.in, *catalog);
  if (loaded.exit_code != 0) return loaded.exit_code;
  if (!loaded.stack || loaded.diags.has_errors()) {
    for (const auto& d : loaded.diags.items()) print_diagnostic(ctx, ctx.err, d);
    return kFindings;
  }
  auto client = http::make_curl_client({});
  fetch::Fetcher fetcher(*client, fetch_options(ctx, args.fetch));
  auto artifacts = app::fetcher_artifacts(fetcher);
  auto progress = app::stream_progress(ctx.err, ctx.err_mutex, app::steady_clock());
  app::LockRequest request{&*loaded.stack, lock_path_for(args.in.path, args.lock_file),
                           args.frozen};
  auto result = app::lock(request, {fs::disk(), *artifacts, *progress});
  const bool json = ctx.options.output == OutputFormat::json;
  if (!result) {
    const int rc = print_error(ctx, result.error());
    if (result.error().kind == app::Error::Kind::drift)
      ctx.err << "run `stackctl lock " << args.in.path << "` and commit the lock file\n";
    if (json)
      print_json(
          ctx, {{"error", to_json(result.error())}, {"diagnostics", to_json(result.error().diags)}},
          rc);
    return rc;
  }
  if (json) {
    // The lock as written, plus the envelope's ok and (empty) diagnostics.
    nlohmann::json doc = nlohmann::json::parse(lock::serialize(result->lock));
    doc["diagnostics"] = nlohmann::json::array();
    return print_json(ctx, std::move(doc), kOk);
  } else {
    for (const auto& a : result->lock.artifacts)
      ctx.out << a.name << "  " << (a.checksum.empty() ? "(unresolved)" : a.checksum) << "  "
              << a.origin << '\n';
  }
  return kOk;
}

}  // namespace

Command lock_command() {
  return {"lock", "Resolve versions and artifact checksums and write stack.lock",
          "  stackctl lock stacks/spark-connect.stack.yaml\n"
          "  stackctl lock stacks/spark-connect.stack.yaml --frozen   # CI: fail if not current\n",
          [](CLI::App& sub) -> Runner {
            auto args = std::make_shared<LockArgs>();
            add_stack_argument(sub, args->in);
            add_fetch_flags(sub, args->fetch);
            sub.add_option("--lock", args->lock_file,
                           "The lock file (default: beside the stack, .yaml replaced by .lock)");
            sub.add_flag("--frozen", args->frozen,
                         "Change nothing; exit 5 when the lock is missing or not current");
            return [args](Context& ctx) { return run_lock(ctx, *args); };
          }};
}

}  // namespace stackctl::cli
