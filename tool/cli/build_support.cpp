#include "cli/build_support.hpp"

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>

#include "adapters/fs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/render_inputs.hpp"
#include "core/published_checksum.hpp"
#include "core/render/render.hpp"

namespace stackctl::cli {

void add_builder_flags(CLI::App& sub, BuilderFlags& flags) {
  sub.add_option("--builder", flags.backend, "buildah, podman or docker (default: the first found)")
      ->check(CLI::IsMember({"buildah", "podman", "docker"}));
  sub.add_option("--storage-driver", flags.storage_driver,
                 "buildah/podman storage driver, e.g. vfs (works as root without overlay)");
  sub.add_option("--storage-root", flags.storage_root, "buildah/podman image store folder");
  sub.add_option("--storage-runroot", flags.storage_runroot, "buildah/podman run-state folder");
}

std::optional<std::unique_ptr<builder::Builder>> make_builder_from_flags(
    Context& ctx, proc::Runner& runner, const BuilderFlags& flags) {
  std::optional<builder::Backend> backend = flags.backend.empty()
                                                ? builder::detect_backend(runner)
                                                : builder::parse_backend(flags.backend);
  if (!backend) {
    ctx.err << "stackctl: no image builder found: install buildah (apt-get install buildah), "
               "podman, or docker with a running daemon, or pass --builder\n";
    return std::nullopt;
  }
  if (!proc::find_executable(builder::to_string(*backend))) {
    ctx.err << "stackctl: " << builder::to_string(*backend) << " is not installed\n";
    return std::nullopt;
  }
  return builder::make_builder(
      *backend, runner,
      {flags.storage_driver, flags.storage_root, flags.storage_runroot, "chroot"});
}

std::expected<std::vector<render::File>, int> render_images_for_build(
    Context& ctx, const model::Stack& stack, const std::string& stack_path,
    const std::string& templates_dir) {
  auto templates = load_templates(ctx, templates_dir);
  if (!templates) return std::unexpected(templates.error());
  auto stack_files = read_stack_files(ctx, stack, stack_path);
  if (!stack_files) return std::unexpected(stack_files.error());
  render::Request request;
  request.base = &stack;
  request.templates = &*templates;
  request.stack_files = std::move(*stack_files);
  auto files = render::render_all(request);
  if (!files) {
    for (const auto& d : files.error().items()) print_diagnostic(ctx, ctx.err, d);
    return std::unexpected(static_cast<int>(kFindings));
  }
  std::vector<render::File> images;
  for (auto& f : *files)
    if (f.path.starts_with("images/")) images.push_back(std::move(f));
  return images;
}

std::filesystem::path default_work_dir(const model::Stack& stack) {
  // Beside the artifact cache (XDG rules live in the fetcher): <cache>/stackctl/build/<stack>.
  const auto artifacts = fetch::default_cache_dir();
  const auto base = artifacts.empty() ? std::filesystem::temp_directory_path() / "stackctl"
                                      : artifacts.parent_path();
  return base / "build" / stack.metadata.name;
}

namespace {

// Writes the context (rendered files + verified artifacts) for one image.
std::expected<std::filesystem::path, std::string> prepare_context(
    fetch::Fetcher& fetcher, const plan::ImagePlan& image, const std::filesystem::path& work) {
  const auto dir = work / "contexts" / image.name;
  std::vector<fs::OutputFile> files;
  for (const auto& f : image.files) files.push_back(output_file(f));
  if (auto w = fs::replace_tree(dir, files); !w) return std::unexpected(w.error().message);
  for (const auto& a : image.artifacts) {
    std::optional<model::Checksum> want;
    if (!a.checksum.empty()) {
      auto parsed = published_checksum::parse_tagged(a.checksum);
      if (!parsed) return std::unexpected(a.name + ": " + parsed.error());
      want = *parsed;
    }
    auto got = fetcher.fetch({a.name, a.url, want, fetch::ChecksumSource::automatic});
    if (!got) return std::unexpected(got.error().message);
    std::error_code ec;
    std::filesystem::create_directories((dir / a.dest).parent_path(), ec);
    if (auto placed = fetch::place(got->path, dir / a.dest); !placed)
      return std::unexpected(placed.error().message);
  }
  return dir;
}

class Summary {
 public:
  Summary(std::ostream& err, std::mutex& mu)
      : err_(err), mu_(mu), start_(std::chrono::steady_clock::now()) {}
  void line(const std::string& image, std::string_view text) {
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_)
            .count();
    std::lock_guard lock(mu_);
    err_ << "[" << image << " " << secs << "s] " << text << '\n' << std::flush;
  }
  void raw(const std::string& text) {
    std::lock_guard lock(mu_);
    err_ << text << std::flush;
  }

 private:
  std::ostream& err_;
  std::mutex& mu_;  // the Context's: download progress writes to the same stream
  std::chrono::steady_clock::time_point start_;
};

bool build_one(fetch::Fetcher& fetcher, builder::Builder& b, const plan::ImagePlan& p,
               const std::filesystem::path& work, Summary& summary) {
  summary.line(p.name, "preparing context");
  auto dir = prepare_context(fetcher, p, work);
  if (!dir) {
    summary.line(p.name, "failed: " + dir.error());
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(work / "logs", ec);
  const auto log = work / "logs" / (p.name + ".log");
  std::filesystem::remove(log, ec);
  builder::BuildSpec spec{
      *dir, "Dockerfile", p.ref, p.build_args, p.labels, log, [&](std::string_view l) {
        if (l.starts_with("STEP ")) summary.line(p.name, l.substr(0, 100));
      }};
  summary.line(p.name, "building " + p.ref + " (log: " + log.string() + ")");
  auto r = b.build(spec);
  if (!r) {
    summary.raw("stackctl: " + r.error().message);
    return false;
  }
  summary.line(p.name, "built " + p.ref);
  return true;
}

}  // namespace

int execute_builds(Context& ctx, fetch::Fetcher& fetcher, builder::Builder& builder,
                   const std::vector<Job>& jobs, const std::filesystem::path& work, int parallel) {
  Summary summary(ctx.err, ctx.err_mutex);
  std::set<std::string> done;
  for (const auto& j : jobs)
    if (!j.build) done.insert(j.image->name);
  std::vector<const Job*> pending;
  for (const auto& j : jobs)
    if (j.build) pending.push_back(&j);
  while (!pending.empty()) {
    // A wave: every pending image whose parent is finished, at most `parallel` of them.
    std::vector<const Job*> wave, rest;
    for (const Job* j : pending) {
      const bool ready = j->image->parent.empty() || done.contains(j->image->parent);
      (ready && wave.size() < static_cast<std::size_t>(parallel) ? wave : rest).push_back(j);
    }
    if (wave.empty()) {
      ctx.err << "stackctl: internal error: no buildable image (parent never built)\n";
      return kInternal;
    }
    std::vector<std::future<bool>> results;
    for (const Job* j : wave)
      results.push_back(std::async(std::launch::async, [&, j] {
        return build_one(fetcher, builder, *j->image, work, summary);
      }));
    bool ok = true;
    for (std::size_t i = 0; i < wave.size(); ++i) {
      if (results[i].get()) {
        done.insert(wave[i]->image->name);
      } else {
        ok = false;
      }
    }
    if (!ok) return kExternalError;
    pending = rest;
  }
  return kOk;
}

std::optional<std::string> push_image(Context& ctx, builder::Builder& builder,
                                      const plan::ImagePlan& image, bool tls_verify,
                                      const std::filesystem::path& work) {
  std::error_code ec;
  std::filesystem::create_directories(work / "logs", ec);
  const auto log = work / "logs" / (image.name + ".push.log");
  ctx.err << "pushing " << image.ref << '\n';
  auto digest = builder.push(image.ref, image.ref, tls_verify, log);
  if (!digest) {
    ctx.err << "stackctl: " << digest.error().message;
    return std::nullopt;
  }
  ctx.err << "pushed " << image.ref << "@" << *digest << '\n';
  return *digest;
}

}  // namespace stackctl::cli
