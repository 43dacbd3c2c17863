// stackctl lock STACK: resolve versions and artifact checksums, write stack.lock.
#include "adapters/fetcher.hpp"
#include "adapters/fs.hpp"
#include "adapters/http.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
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
  const auto path = lock_path_for(args.in.path, args.lock_file);
  ExistingLock existing = read_lock(ctx, path);
  if (existing.exit_code != 0) return existing.exit_code;
  lock::Lock next = lock::from_stack(*loaded.stack, existing.lock ? &*existing.lock : nullptr);

  auto client = http::make_curl_client({});
  fetch::Fetcher fetcher(*client, fetch_options(ctx, args.fetch));
  if (!args.frozen && !resolve_checksums(ctx, fetcher, next)) return kExternalError;

  if (args.frozen) {
    const auto diffs = existing.lock ? lock::differences(*existing.lock, next)
                                     : std::vector<std::string>{"no lock file at " + path.string()};
    if (!diffs.empty()) {
      ctx.err << "stackctl: " << path.string() << " is not current (--frozen):\n";
      for (const auto& d : diffs) ctx.err << "  " << d << '\n';
      ctx.err << "run `stackctl lock " << args.in.path << "` and commit the lock file\n";
      return kDrift;
    }
  } else if (!existing.lock || !(*existing.lock == next)) {
    if (auto w = fs::write_atomic(path, lock::serialize(next)); !w) {
      ctx.err << "stackctl: " << w.error().message << '\n';
      return kInputError;
    }
    ctx.err << "wrote " << path.string() << '\n';
  } else {
    ctx.err << path.string() << " is current\n";
  }
  if (ctx.options.output == OutputFormat::json) {
    ctx.out << lock::serialize(next);
  } else {
    for (const auto& a : next.artifacts)
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
