#include "cli/lock_io.hpp"

#include <CLI/CLI.hpp>
#include <mutex>

namespace stackctl::cli {

std::filesystem::path lock_path_for(const std::string& stack_file,
                                    const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (stack_file == "-") return "stack.lock";  // a stack read from standard input
  std::filesystem::path p(stack_file);
  const auto ext = p.extension();
  if (ext == ".yaml" || ext == ".yml") p.replace_extension();
  p += ".lock";
  return p;
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
