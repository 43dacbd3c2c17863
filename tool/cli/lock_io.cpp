#include "cli/lock_io.hpp"

#include <CLI/CLI.hpp>
#include <mutex>

#include "adapters/fs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

namespace stackctl::cli {

std::filesystem::path lock_path_for(const std::string& stack_file,
                                    const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  std::filesystem::path p(stack_file);
  const auto ext = p.extension();
  if (ext == ".yaml" || ext == ".yml") p.replace_extension();
  p += ".lock";
  return p;
}

ExistingLock read_lock(Context& ctx, const std::filesystem::path& path) {
  ExistingLock result;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return result;
  auto text = fs::read_file(path);
  if (!text) {
    ctx.err << "stackctl: " << text.error().message << '\n';
    result.exit_code = kInputError;
    return result;
  }
  auto parsed = lock::parse(*text, path.string());
  if (!parsed) {
    print_diagnostic(ctx, ctx.err, parsed.error());
    result.exit_code = kInputError;
    return result;
  }
  result.lock = std::move(*parsed);
  return result;
}

bool resolve_checksums(Context& ctx, fetch::Fetcher& fetcher, lock::Lock& lock) {
  bool ok = true;
  for (auto& a : lock.artifacts) {
    if (!a.checksum.empty()) continue;
    auto r =
        fetcher.resolve_checksum({a.name, a.url, std::nullopt, fetch::ChecksumSource::automatic});
    if (!r) {
      ctx.err << "stackctl: cannot resolve a checksum for " << a.name << ": " << r.error().message
              << '\n';
      ok = false;
      continue;
    }
    a.checksum = lock::checksum_text(r->checksum);
    a.origin = "resolved";
    ctx.err << "resolved " << a.name << " " << a.checksum << " from " << r->checksum_url
            << " (read online, not pinned in the stack)\n";
  }
  return ok;
}

void add_fetch_flags(CLI::App& sub, FetchFlags& flags) {
  sub.add_option("--cache-dir", flags.cache_dir,
                 "Artifact cache (default $XDG_CACHE_HOME/stackctl/artifacts)");
  sub.add_flag("--offline", flags.offline, "Use the artifact cache only; never the network");
}

fetch::Options fetch_options(Context& ctx, const FetchFlags& flags) {
  fetch::Options o;
  o.cache_dir =
      flags.cache_dir.empty() ? fetch::default_cache_dir() : std::filesystem::path(flags.cache_dir);
  o.network = flags.offline ? fetch::Network::offline : fetch::Network::online;
  std::ostream* err = &ctx.err;
  std::mutex* mu = &ctx.err_mutex;
  o.progress = [err, mu](const fetch::ProgressEvent& e) {
    const auto mib = [](std::uint64_t b) { return std::to_string(b / (1024 * 1024)); };
    std::lock_guard lock(*mu);
    *err << "  downloading " << e.name << ": " << mib(e.done) << " MiB";
    if (e.total) *err << " of " << mib(e.total) << " MiB";
    *err << (e.finished ? " done\n" : "\r") << std::flush;
  };
  return o;
}

}  // namespace stackctl::cli
