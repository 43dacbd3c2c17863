// stackctl build STACK: verified artifacts, the image graph on a real builder, push, stack.lock.
//
// Parse, plan, execute: the plan (core/build_plan.hpp) says what each image is made of and under
// which tag; observing the local store (and the registry with --push) decides build or skip;
// only then does anything run. The lock is written once, at the end, and only when every step
// succeeded: a failed build or an unreachable registry leaves it exactly as it was.

#include "adapters/builder.hpp"
#include "adapters/fetcher.hpp"
#include "adapters/fs.hpp"
#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "cli/build_support.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/lock_io.hpp"
#include "cli/output.hpp"
#include "cli/stack_input.hpp"
#include "core/build_plan.hpp"
#include "core/image_ref.hpp"

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

struct Row {
  const plan::ImagePlan* image;
  plan::Decision decision;
  std::string digest;  // pushed or found in the registry
};

// What exists already: the local store first, then the registry when pushing. `digest` is the
// registry's manifest digest when the image was found there (and only there).
struct Seen {
  plan::Observed observed;
  std::string digest;
};

std::expected<Seen, std::string> observe(builder::Builder& b, registry::Client* reg,
                                         const plan::ImagePlan& p) {
  auto local = b.labels(p.ref);
  if (!local) return std::unexpected(local.error().message);
  if (*local) {
    auto it = (*local)->find(std::string(plan::kInputsDigestLabel));
    return Seen{{true, it == (*local)->end() ? "" : it->second, "local"}, ""};
  }
  if (reg == nullptr) return Seen{};
  auto ref = parse_image_ref(p.ref);
  if (!ref) return std::unexpected(ref.error().message);
  auto info = reg->inspect(*ref);
  if (!info) {
    if (info.error().kind == registry::Failure::Kind::not_found) return Seen{};
    return std::unexpected(info.error().message);
  }
  auto it = info->labels.find(std::string(plan::kInputsDigestLabel));
  return Seen{{true, it == info->labels.end() ? "" : it->second, "registry"}, info->digest};
}

// The lock's image entries for these rows. An image keeps the digest the old lock recorded when
// nothing about it changed (same reference, same inputs) and it was not pushed in this run.
std::vector<lock::Image> lock_images(const std::vector<Row>& rows, const lock::Lock* old_lock) {
  std::vector<lock::Image> out;
  for (const auto& r : rows) {
    const lock::Image* old = old_lock ? old_lock->find_image(r.image->name) : nullptr;
    std::string digest = r.digest;
    if (digest.empty() && old && old->ref == r.image->ref &&
        old->inputs_digest == r.image->inputs_digest)
      digest = old->digest;
    out.push_back({r.image->name, r.image->ref, r.image->inputs_digest, digest});
  }
  return out;
}

void print_plan(Context& ctx, const std::vector<Row>& rows, bool json) {
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows)
      arr.push_back({{"image", r.image->name},
                     {"ref", r.image->ref},
                     {"action", plan::to_string(r.decision.action)},
                     {"reason", r.decision.reason},
                     {"inputsDigest", r.image->inputs_digest},
                     {"digest", r.digest}});
    ctx.out << nlohmann::json{{"images", arr}}.dump(2) << '\n';
    return;
  }
  for (const auto& r : rows)
    ctx.out << plan::to_string(r.decision.action) << "  " << r.image->name << "  " << r.image->ref
            << "  (" << r.decision.reason << ")" << (r.digest.empty() ? "" : "  " + r.digest)
            << '\n';
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
  // Mistakes in the command line are reported before anything is downloaded.
  std::vector<std::pair<std::string, std::string>> build_args;
  for (const auto& kv : args.build_args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      ctx.err << "stackctl: --build-arg " << kv << ": expected KEY=VALUE\n";
      return kUsage;
    }
    build_args.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (args.push && stack.registry.url.empty()) {
    ctx.err << "stackctl: --push needs `registry.url` in the stack\n";
    return kFindings;
  }
  const auto lock_path = lock_path_for(args.in.path, args.lock_file);
  ExistingLock existing = read_lock(ctx, lock_path);
  if (existing.exit_code != 0) return existing.exit_code;
  lock::Lock next = lock::from_stack(stack, existing.lock ? &*existing.lock : nullptr);

  auto http_client = http::make_curl_client({});
  fetch::Fetcher fetcher(*http_client, fetch_options(ctx, args.fetch));
  if (!args.frozen && !args.fetch.offline && !resolve_checksums(ctx, fetcher, next))
    return kExternalError;

  auto rendered = render_images_for_build(ctx, stack, args.in.path, args.templates_dir);
  if (!rendered) return rendered.error();
  auto plans = plan::plan_images(stack, *rendered, next, args.frozen || args.fetch.offline);
  if (!plans) {
    for (const auto& d : plans.error().items()) print_diagnostic(ctx, ctx.err, d);
    return kFindings;
  }

  for (auto& p : *plans)
    p.build_args.insert(p.build_args.end(), build_args.begin(), build_args.end());

  auto runner = proc::make_runner();
  auto b = make_builder_from_flags(ctx, *runner, args.builder);
  if (!b) return kExternalError;
  std::unique_ptr<registry::Client> reg;
  if (args.push) {
    registry::Options options;
    options.insecure = stack.registry.insecure;
    reg = std::make_unique<registry::Client>(*http_client, options,
                                             registry::auth_files_lookup(registry::process_env()));
  }

  // Observe and decide every image before anything runs.
  std::vector<Row> rows;
  bool conflict = false;
  for (const auto& p : *plans) {
    auto seen = observe(**b, reg.get(), p);
    if (!seen) {
      ctx.err << "stackctl: cannot tell whether " << p.ref << " exists: " << seen.error() << '\n';
      return kExternalError;
    }
    const plan::Decision decision = plan::decide(p, seen->observed);
    // Skipped because the registry has it: its digest is known and there is nothing to push.
    rows.push_back({&p, decision, decision.action == plan::Action::skip ? seen->digest : ""});
    conflict = conflict || rows.back().decision.action == plan::Action::conflict;
  }
  if (args.dry_run || conflict) {
    print_plan(ctx, rows, ctx.options.output == OutputFormat::json);
    if (conflict) ctx.err << "stackctl: refusing to overwrite pinned tags (see `conflict` above)\n";
    return conflict ? kFindings : kOk;
  }

  if (args.frozen) {
    // Nothing is pushed yet, so this is the lock the build would write if every image's
    // reference and inputs stay as locked.
    lock::Lock planned = next;
    planned.images = lock_images(rows, existing.lock ? &*existing.lock : nullptr);
    const auto diffs = existing.lock ? lock::differences(*existing.lock, planned)
                                     : std::vector<std::string>{"no lock file"};
    if (!diffs.empty()) {
      ctx.err << "stackctl: " << lock_path.string() << " would change (--frozen):\n";
      for (const auto& d : diffs) ctx.err << "  " << d << '\n';
      return kDrift;
    }
  }

  const auto work =
      args.work_dir.empty() ? default_work_dir(stack) : std::filesystem::path(args.work_dir);
  if (int rc = execute_builds(ctx, fetcher, **b, rows_to_jobs(rows), work, args.jobs); rc != 0)
    return rc;

  if (args.push) {
    for (auto& r : rows) {
      if (!r.digest.empty()) continue;  // up to date in the registry (and maybe not local)
      auto pushed = push_image(ctx, **b, *r.image, !stack.registry.insecure, work);
      if (!pushed) {
        // The builder's last lines say what it tried; the registry client says why in one line
        // ("cannot reach registry ...: is the registry running?") when the registry is the cause.
        if (auto ref = parse_image_ref(r.image->ref); ref)
          if (auto probe = reg->find_manifest(*ref); !probe)
            ctx.err << "stackctl: cannot push " << r.image->ref << ": " << probe.error().message
                    << '\n';
        return kExternalError;
      }
      r.digest = *pushed;
    }
  }

  next.images = lock_images(rows, existing.lock ? &*existing.lock : nullptr);
  print_plan(ctx, rows, ctx.options.output == OutputFormat::json);
  if (!existing.lock || !(*existing.lock == next)) {
    if (auto w = fs::write_atomic(lock_path, lock::serialize(next)); !w) {
      ctx.err << "stackctl: " << w.error().message << '\n';
      return kInputError;
    }
    ctx.err << "wrote " << lock_path.string() << '\n';
  }
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
