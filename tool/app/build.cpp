#include "app/build.hpp"

#include <future>
#include <memory>
#include <set>

#include "adapters/registry.hpp"
#include "core/image_ref.hpp"
#include "core/plans/build_plan.hpp"

namespace stackctl::app {

const char* to_string(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::findings:
      return "findings";
    case Error::Kind::usage:
      return "usage";
    case Error::Kind::input:
      return "input";
    case Error::Kind::external:
      return "external";
    case Error::Kind::drift:
      return "drift";
    case Error::Kind::internal:
      return "internal";
  }
  return "internal";
}

std::expected<std::optional<lock::Lock>, Error> read_lock(fs::Filesystem& files,
                                                          const std::filesystem::path& path) {
  if (!files.exists(path)) return std::optional<lock::Lock>{};
  auto text = files.read_file(path);
  if (!text) return std::unexpected(Error{Error::Kind::input, text.error().message, {}, {}});
  auto parsed = lock::parse(*text, path.string());
  if (!parsed) {
    Error e{Error::Kind::input, "cannot read " + path.string(), {}, {}};
    e.diags.add(parsed.error());
    return std::unexpected(std::move(e));
  }
  return std::optional<lock::Lock>(std::move(*parsed));
}

std::expected<void, Error> resolve_checksums(Artifacts& artifacts, Progress& progress,
                                             lock::Lock& lock) {
  Error e{Error::Kind::external, "", {}, {}};
  for (auto& a : lock.artifacts) {
    if (!a.checksum.empty()) continue;
    auto r = artifacts.resolve(a.name, a.url);
    if (!r) {
      e.details.push_back("cannot resolve a checksum for " + a.name + ": " + r.error());
      continue;
    }
    a.checksum = r->checksum;
    a.origin = "resolved";
    progress.note("resolved " + a.name + " " + a.checksum + " from " + r->from +
                  " (read online, not pinned in the stack)");
  }
  if (e.details.empty()) return {};
  e.message = e.details.size() == 1
                  ? e.details.front()
                  : std::to_string(e.details.size()) + " artifact checksums could not be resolved";
  if (e.details.size() == 1) e.details.clear();
  return std::unexpected(std::move(e));
}

namespace {

struct Row {
  const plan::ImagePlan* image;
  plan::Decision decision;
  std::string digest;  // pushed or found in the registry
};

std::vector<ImageRow> to_rows(const std::vector<Row>& rows) {
  std::vector<ImageRow> out;
  for (const auto& r : rows)
    out.push_back({r.image->name, r.image->ref, plan::to_string(r.decision.action),
                   r.decision.reason, r.image->inputs_digest, r.digest, r.image->tag,
                   r.image->parent, r.image->base_ref, r.image->artifacts});
  return out;
}

BuildFailure failure(Error::Kind kind, std::string message, const std::vector<Row>& rows = {}) {
  return {Error{kind, std::move(message), {}, {}}, to_rows(rows)};
}

// What exists already: the local store first, then the registry when pushing. `digest` is the
// registry's manifest digest when the image was found there (and only there).
struct Seen {
  plan::Observed observed;
  std::string digest;
};

// `local`: what the store said of p.ref (builder::Builder::labels_of, asked once for all images).
std::expected<Seen, std::string> observe(const builder::Builder::LabelsByRef& local,
                                         registry::Client* reg, const plan::ImagePlan& p) {
  if (auto found = local.find(p.ref); found != local.end() && found->second) {
    auto it = found->second->find(std::string(plan::kInputsDigestLabel));
    return Seen{{true, it == found->second->end() ? "" : it->second, "local"}, ""};
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

std::expected<std::vector<std::pair<std::string, std::string>>, Error> parse_build_args(
    const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : args) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return std::unexpected(
          Error{Error::Kind::usage, "--build-arg " + kv + ": expected KEY=VALUE", {}, {}});
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

fs::OutputFile output_file(const render::File& f) {
  const auto mode = f.secret       ? std::filesystem::perms(0600)
                    : f.executable ? std::filesystem::perms(0755)
                                   : std::filesystem::perms(0644);
  return {f.path, f.data, mode};
}

// Writes the context (rendered files + verified artifacts) for one image.
std::expected<std::filesystem::path, std::string> prepare_context(
    const BuildPorts& ports, const plan::ImagePlan& image, const std::filesystem::path& work) {
  const auto dir = work / "contexts" / image.name;
  std::vector<fs::OutputFile> files;
  for (const auto& f : image.files) files.push_back(output_file(f));
  if (auto w = ports.files.replace_tree(dir, files); !w) return std::unexpected(w.error().message);
  for (const auto& a : image.artifacts)
    if (auto placed = ports.artifacts.place(a, dir / a.dest); !placed)
      return std::unexpected(placed.error());
  return dir;
}

// Builds one image; "" on success, else why not.
std::string build_one(const BuildPorts& ports, const plan::ImagePlan& p,
                      const std::filesystem::path& work) {
  ports.progress.image(p.name, "preparing context");
  auto dir = prepare_context(ports, p, work);
  if (!dir) {
    ports.progress.image(p.name, "failed: " + dir.error());
    return p.name + ": " + dir.error();
  }
  const auto log = work / "logs" / (p.name + ".log");
  if (auto c = ports.files.create_directories(work / "logs"); !c) return c.error().message;
  if (auto r = ports.files.remove_file(log); !r) return r.error().message;
  builder::BuildSpec spec{
      *dir, "Dockerfile", p.ref, p.build_args, p.labels, log, [&](std::string_view l) {
        if (l.starts_with("STEP ")) ports.progress.image(p.name, l.substr(0, 100));
      }};
  ports.progress.image(p.name, "building " + p.ref + " (log: " + log.string() + ")");
  auto r = ports.builder.build(spec);
  if (!r) {
    ports.progress.image(p.name, "failed");
    return r.error().message;
  }
  ports.progress.image(p.name, "built " + p.ref);
  return {};
}

// Builds every row decided `build`, parents before children, up to `parallel` at once. Stops
// starting new builds after the first failure.
std::expected<void, Error> execute_builds(const BuildPorts& ports, const std::vector<Row>& rows,
                                          const std::filesystem::path& work, int parallel) {
  std::set<std::string> done;
  std::vector<const Row*> pending;
  for (const auto& r : rows) {
    if (r.decision.action == plan::Action::build) {
      pending.push_back(&r);
    } else {
      done.insert(r.image->name);
    }
  }
  while (!pending.empty()) {
    // A wave: every pending image whose parent is finished, at most `parallel` of them.
    std::vector<const Row*> wave, rest;
    for (const Row* r : pending) {
      const bool ready = r->image->parent.empty() || done.contains(r->image->parent);
      (ready && wave.size() < static_cast<std::size_t>(parallel) ? wave : rest).push_back(r);
    }
    if (wave.empty())
      return std::unexpected(
          Error{Error::Kind::internal, "no buildable image (parent never built)", {}, {}});
    std::vector<std::future<std::string>> results;
    for (const Row* r : wave)
      results.push_back(
          std::async(std::launch::async, [&, r] { return build_one(ports, *r->image, work); }));
    std::vector<std::string> failed;
    for (std::size_t i = 0; i < wave.size(); ++i) {
      std::string why = results[i].get();
      if (why.empty()) {
        done.insert(wave[i]->image->name);
      } else {
        failed.push_back(std::move(why));
      }
    }
    if (!failed.empty()) {
      Error e{Error::Kind::external, failed.front(), {}, {}};
      if (failed.size() > 1) e.details.assign(failed.begin() + 1, failed.end());
      return std::unexpected(std::move(e));
    }
    pending = rest;
  }
  return {};
}

struct FoundAuth {
  std::string registry;
  std::string username;
  Secret password;
  std::string source;
};

// The credentials the lookup finds for `ref`'s registry; nullopt when it finds none.
std::expected<std::optional<FoundAuth>, Error> push_auth(const BuildPorts& ports,
                                                         const std::string& ref) {
  if (!ports.credentials) return std::optional<FoundAuth>{};
  auto parsed = parse_image_ref(ref);
  if (!parsed) return std::unexpected(Error{Error::Kind::internal, parsed.error().message, {}, {}});
  auto found = ports.credentials(*parsed);
  if (!found)
    return std::unexpected(Error{
        Error::Kind::external, "cannot find credentials to push " + ref, {found.error()}, {}});
  if (!*found) return std::optional<FoundAuth>{};
  return FoundAuth{parsed->registry, (*found)->username, (*found)->password, (*found)->source};
}

// Pushes every row the registry does not have yet; records the digests.
std::expected<void, Error> push_all(const BuildPorts& ports, registry::Client& reg, bool tls_verify,
                                    std::vector<Row>& rows, const std::filesystem::path& work) {
  if (auto c = ports.files.create_directories(work / "logs"); !c)
    return std::unexpected(Error{Error::Kind::input, c.error().message, {}, {}});
  for (auto& r : rows) {
    if (!r.digest.empty()) continue;  // up to date in the registry (and maybe not local)
    const auto log = work / "logs" / (r.image->name + ".push.log");
    // The credentials stackctl found (auth files, credential helpers) go to the builder, so the
    // push authenticates exactly as the observation did; none found: the builder's own lookup.
    auto auth = push_auth(ports, r.image->ref);
    if (!auth) return std::unexpected(auth.error());
    ports.progress.note("pushing " + r.image->ref +
                        (*auth ? " as " + (*auth)->username + " (" + (*auth)->source + ")" : ""));
    std::optional<builder::PushAuth> given;
    if (*auth) given = builder::PushAuth{(*auth)->registry, (*auth)->username, (*auth)->password};
    auto pushed =
        ports.builder.push(r.image->ref, r.image->ref, tls_verify, log, given ? &*given : nullptr);
    if (!pushed) {
      Error e{Error::Kind::external, "cannot push " + r.image->ref, {pushed.error().message}, {}};
      // The builder's last lines say what it tried; the registry client says why in one line
      // ("cannot reach registry ...: is the registry running?") when the registry is the cause.
      if (auto ref = parse_image_ref(r.image->ref); ref)
        if (auto probe = reg.find_manifest(*ref); !probe) e.message += ": " + probe.error().message;
      return std::unexpected(std::move(e));
    }
    ports.progress.note("pushed " + r.image->ref + "@" + *pushed);
    r.digest = *pushed;
  }
  return {};
}

}  // namespace

std::expected<BuildResult, BuildFailure> build(const BuildRequest& request,
                                               const BuildPorts& ports) {
  const model::Stack& stack = *request.stack;
  // Mistakes in the request are reported before anything is read or downloaded.
  auto build_args = parse_build_args(request.build_args);
  if (!build_args) return std::unexpected(BuildFailure{build_args.error(), {}});
  if (request.push && stack.registry.url.empty())
    return std::unexpected(
        failure(Error::Kind::findings, "--push needs `registry.url` in the stack"));
  if (request.push && ports.registry_http == nullptr)
    return std::unexpected(failure(Error::Kind::internal, "--push without a registry client"));

  auto existing = read_lock(ports.files, request.lock_path);
  if (!existing) return std::unexpected(BuildFailure{existing.error(), {}});
  const lock::Lock* old_lock = *existing ? &**existing : nullptr;
  lock::Lock next = lock::from_stack(stack, old_lock);
  if (!request.frozen && !request.offline)
    if (auto r = resolve_checksums(ports.artifacts, ports.progress, next); !r)
      return std::unexpected(BuildFailure{r.error(), {}});

  render::Request render_request;
  render_request.base = &stack;
  render_request.templates = request.templates;
  render_request.stack_files = request.stack_files;
  auto plans = plan::plan_images(render_request, next, request.frozen || request.offline);
  if (!plans) {
    Error e{Error::Kind::findings, "the build cannot be planned", {}, std::move(plans.error())};
    return std::unexpected(BuildFailure{std::move(e), {}});
  }
  for (auto& p : *plans)
    p.build_args.insert(p.build_args.end(), build_args->begin(), build_args->end());

  std::unique_ptr<registry::Client> reg;
  if (request.push) {
    registry::Options options;
    options.insecure = stack.registry.insecure;
    reg = std::make_unique<registry::Client>(*ports.registry_http, options, ports.credentials);
  }

  // Observe and decide every image before anything runs: the local store is asked about all of
  // them at once (one builder call where the builder takes several images).
  std::vector<std::string> refs;
  for (const auto& p : *plans) refs.push_back(p.ref);
  auto local = ports.builder.labels_of(refs);
  if (!local) {
    std::string which;
    for (const auto& r : local.error().refs) which += (which.empty() ? "" : ", ") + r;
    return std::unexpected(failure(Error::Kind::external,
                                   "cannot tell whether " + which +
                                       (local.error().refs.size() == 1 ? " exists: " : " exist: ") +
                                       local.error().failure.message));
  }
  std::vector<Row> rows;
  bool conflict = false;
  for (const auto& p : *plans) {
    auto seen = observe(*local, reg.get(), p);
    if (!seen)
      return std::unexpected(failure(Error::Kind::external,
                                     "cannot tell whether " + p.ref + " exists: " + seen.error(),
                                     rows));
    const plan::Decision decision = plan::decide(p, seen->observed);
    // Skipped because the registry has it: its digest is known and there is nothing to push.
    rows.push_back({&p, decision, decision.action == plan::Action::skip ? seen->digest : ""});
    conflict = conflict || decision.action == plan::Action::conflict;
  }
  if (conflict)
    return std::unexpected(failure(
        Error::Kind::findings, "refusing to overwrite pinned tags (see `conflict` above)", rows));
  // --frozen is judged before --dry-run returns: `build --frozen --dry-run` says whether a frozen
  // build would refuse, without building anything.
  if (request.frozen) {
    // Nothing is pushed yet, so this is the lock the build would write if every image's
    // reference and inputs stay as locked.
    lock::Lock planned = next;
    planned.images = lock_images(rows, old_lock);
    const auto diffs =
        old_lock ? lock::differences(*old_lock, planned) : std::vector<std::string>{"no lock file"};
    if (!diffs.empty()) {
      Error e{
          Error::Kind::drift, request.lock_path.string() + " would change (--frozen)", diffs, {}};
      return std::unexpected(BuildFailure{std::move(e), to_rows(rows)});
    }
  }
  if (request.dry_run) return BuildResult{to_rows(rows), true, false};

  if (auto built = execute_builds(ports, rows, request.work_dir, request.jobs); !built)
    return std::unexpected(BuildFailure{built.error(), to_rows(rows)});
  if (request.push)
    if (auto pushed = push_all(ports, *reg, !stack.registry.insecure, rows, request.work_dir);
        !pushed)
      return std::unexpected(BuildFailure{pushed.error(), to_rows(rows)});

  next.images = lock_images(rows, old_lock);
  BuildResult result{to_rows(rows), false, false};
  if (!old_lock || !(*old_lock == next)) {
    if (auto w = ports.files.write_atomic(request.lock_path, lock::serialize(next),
                                          std::filesystem::perms(0644));
        !w)
      return std::unexpected(failure(Error::Kind::input, w.error().message, rows));
    ports.progress.note("wrote " + request.lock_path.string());
    result.lock_written = true;
  }
  return result;
}

}  // namespace stackctl::app
