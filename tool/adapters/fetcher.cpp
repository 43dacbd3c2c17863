#include "adapters/fetcher.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <vector>

#include "adapters/fs.hpp"
#include "adapters/hashing.hpp"
#include "core/knowledge/published_checksum.hpp"

namespace stackctl::fetch {

namespace stdfs = std::filesystem;

namespace {

// Temporary downloads older than this were left by a killed process and are swept away.
constexpr auto kStaleTemp = std::chrono::hours(24);

std::string tagged(const model::Checksum& c) {
  return std::string(model::to_string(c.algorithm)) + ":" + c.hex;
}

Failure failure(Failure::Kind kind, std::string message) {
  return {kind, std::move(message)};
}

bool is_maven_file(const std::string& url) {
  const std::string name = file_name_of(url);
  for (const char* ext : {".jar", ".pom", ".war", ".aar"})
    if (name.ends_with(ext)) return true;
  return false;
}

// The checksum files to try, most preferred first.
std::vector<model::HashAlgorithm> checksum_files(const Artifact& a) {
  using model::HashAlgorithm;
  ChecksumSource source = a.source;
  if (source == ChecksumSource::automatic)
    source = is_maven_file(a.url) ? ChecksumSource::maven : ChecksumSource::apache;
  if (source == ChecksumSource::maven)
    return {HashAlgorithm::sha512, HashAlgorithm::sha256, HashAlgorithm::sha1};
  return {HashAlgorithm::sha512};
}

// Mirrors on object storage answer 403 rather than 404 for a missing key.
bool is_missing(long status) {
  return status == 404 || status == 410 || status == 403;
}
bool is_ok(long status) {
  return status >= 200 && status < 300;
}

// Removes a file when it goes out of scope, unless released: no half download survives a failure.
class TempFile {
 public:
  explicit TempFile(stdfs::path p) : path_(std::move(p)) {}
  ~TempFile() {
    std::error_code ec;
    if (!path_.empty()) stdfs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const stdfs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  stdfs::path path_;
};

// Turns curl's frequent progress calls into a few events (see ProgressEvent).
class Throttle {
 public:
  Throttle(const Options& o, std::string name) : options_(o), name_(std::move(name)) {}

  void update(std::uint64_t done, std::uint64_t total) {
    done_ = done;
    total_ = total;
    if (!options_.progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (!started_) {
      if ((total != 0 ? total : done) < options_.progress_min_bytes) return;
      started_ = true;
    } else if (now - last_ < options_.progress_interval) {
      return;
    }
    last_ = now;
    options_.progress({name_, done, total, false});
  }
  void finish() {
    if (started_) options_.progress({name_, done_, total_, true});
  }

 private:
  const Options& options_;
  std::string name_;
  bool started_ = false;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t done_ = 0;
  std::uint64_t total_ = 0;
};

void sweep_stale_temps(const stdfs::path& dir) {
  std::error_code ec;
  const auto now = stdfs::file_time_type::clock::now();
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    std::error_code e;
    const auto when = entry.last_write_time(e);
    if (!e && now - when > kStaleTemp) stdfs::remove(entry.path(), e);
  }
}

}  // namespace

const char* to_string(ChecksumOrigin o) {
  return o == ChecksumOrigin::pinned ? "pinned" : "resolved";
}

stdfs::path default_cache_dir(const char* xdg_cache_home, const char* home) {
  if (xdg_cache_home != nullptr && xdg_cache_home[0] == '/')
    return stdfs::path(xdg_cache_home) / "stackctl" / "artifacts";
  if (home != nullptr && home[0] != '\0')
    return stdfs::path(home) / ".cache" / "stackctl" / "artifacts";
  return {};
}

stdfs::path default_cache_dir() {
  return default_cache_dir(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"));
}

std::string maven_url(const std::string& mirror, const model::MavenCoordinate& coordinate) {
  std::string base = mirror;
  while (base.ends_with('/')) base.pop_back();
  return base + "/" + coordinate.repository_path();
}

std::string jar_url(const model::Artifacts& artifacts, const model::Jar& jar) {
  return jar.url.empty() ? maven_url(artifacts.mirror, jar.coordinate) : jar.url;
}

std::string file_name_of(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Fetcher::Fetcher(http::Client& client, Options options)
    : client_(client), options_(std::move(options)) {
  if (options_.cache_dir.empty()) options_.cache_dir = default_cache_dir();
}

stdfs::path Fetcher::entry_path(const model::Checksum& checksum) const {
  return options_.cache_dir / model::to_string(checksum.algorithm) / checksum.hex;
}

// Every hit is hashed again: sha1/sha256 of a jar takes milliseconds and sha512 of a 400 MB
// Spark tarball about a second, which is small next to an image build and catches a cache
// corrupted by a disk error or a hand edit.
std::optional<stdfs::path> Fetcher::cached(const model::Checksum& checksum) {
  const stdfs::path path = entry_path(checksum);
  std::error_code ec;
  if (options_.cache_dir.empty() || !stdfs::is_regular_file(path, ec)) return std::nullopt;
  auto actual = hashing::hash_file(path, checksum.algorithm);
  if (actual && *actual == checksum.hex) return path;
  spdlog::warn("cache entry {} does not match its checksum; removing it", path.string());
  stdfs::remove(path, ec);
  return std::nullopt;
}

std::expected<Fetched, Failure> Fetcher::fetch(const Artifact& a) {
  const std::string shown = http::redact_url(a.url);
  auto hit = [&](const stdfs::path& p, const model::Checksum& c, ChecksumOrigin origin,
                 std::string checksum_url) {
    std::error_code ec;
    const auto size = stdfs::file_size(p, ec);
    spdlog::debug("{}: cache hit {}", a.name, p.string());
    return Fetched{p, c, origin, std::move(checksum_url), true, ec ? 0 : size};
  };
  if (a.expected) {
    if (auto p = cached(*a.expected)) return hit(*p, *a.expected, ChecksumOrigin::pinned, "");
    if (options_.network == Network::offline)
      return std::unexpected(failure(Failure::Kind::not_cached,
                                     a.name + " (" + tagged(*a.expected) +
                                         ") is not in the cache " + options_.cache_dir.string() +
                                         " and offline mode forbids downloading it from " + shown +
                                         "; run once online to fill the cache"));
    return download(a, *a.expected, ChecksumOrigin::pinned, "");
  }
  if (options_.network == Network::offline)
    return std::unexpected(failure(
        Failure::Kind::unresolved,
        a.name + " has no pinned checksum, and offline mode cannot read the published one beside " +
            shown + "; run `stackctl lock` online once to record it in stack.lock"));
  auto resolved = resolve_checksum(a);
  if (!resolved) return std::unexpected(resolved.error());
  if (auto p = cached(resolved->checksum))
    return hit(*p, resolved->checksum, ChecksumOrigin::resolved_online, resolved->checksum_url);
  return download(a, resolved->checksum, ChecksumOrigin::resolved_online, resolved->checksum_url);
}

std::expected<Resolved, Failure> Fetcher::resolve_checksum(const Artifact& a) {
  const std::string shown = http::redact_url(a.url);
  if (options_.network == Network::offline)
    return std::unexpected(failure(Failure::Kind::unresolved,
                                   "cannot resolve the checksum of " + a.name + " offline"));
  std::string tried;
  for (const auto algorithm : checksum_files(a)) {
    const std::string url = a.url + "." + model::to_string(algorithm);
    auto response = client_.send({"GET", url, {}, {}});
    if (!response)
      return std::unexpected(failure(
          Failure::Kind::network,
          "cannot read the published checksum of " + a.name + ": " + response.error().message));
    if (is_missing(response->status)) {
      tried += (tried.empty() ? "" : ", ") + http::redact_url(url);
      continue;
    }
    if (!is_ok(response->status))
      return std::unexpected(
          failure(Failure::Kind::network, "HTTP " + std::to_string(response->status) + " from " +
                                              http::redact_url(url) + " (checksum of " + a.name +
                                              ")" + http::attempts_note(*response)));
    auto hex = published_checksum::parse(response->body, algorithm, file_name_of(a.url));
    if (!hex)
      return std::unexpected(
          failure(Failure::Kind::unresolved, "the published checksum of " + a.name + " at " +
                                                 http::redact_url(url) +
                                                 " cannot be used: " + hex.error()));
    return Resolved{{algorithm, *hex}, http::redact_url(url)};
  }
  return std::unexpected(
      failure(Failure::Kind::not_found,
              a.name + ": no published checksum beside " + shown + " (not found: " + tried +
                  "); check the version or the mirror, or pin a checksum in the stack"));
}

std::expected<Fetched, Failure> Fetcher::download(const Artifact& a, const model::Checksum& want,
                                                  ChecksumOrigin origin,
                                                  const std::string& checksum_url) {
  const std::string shown = http::redact_url(a.url);
  const stdfs::path final_path = entry_path(want);
  const stdfs::path temp_dir = options_.cache_dir / "tmp";
  std::error_code ec;
  if (options_.cache_dir.empty())
    return std::unexpected(
        failure(Failure::Kind::io, "no cache folder: set XDG_CACHE_HOME or HOME"));
  stdfs::create_directories(temp_dir, ec);
  if (!ec) stdfs::create_directories(final_path.parent_path(), ec);
  if (ec)
    return std::unexpected(failure(
        Failure::Kind::io,
        "cannot create the cache folder " + options_.cache_dir.string() + ": " + ec.message()));
  sweep_stale_temps(temp_dir);

  TempFile temp(temp_dir / (file_name_of(a.url) + "." + fs::random_suffix() + ".part"));
  Throttle throttle(options_, a.name);
  spdlog::info("downloading {} from {}", a.name, shown);
  auto response = client_.download(
      {"GET", a.url, {}, {}}, temp.path(),
      [&](std::uint64_t done, std::uint64_t total) { throttle.update(done, total); });
  throttle.finish();
  if (!response)
    return std::unexpected(failure(response.error().kind == http::Failure::Kind::io
                                       ? Failure::Kind::io
                                       : Failure::Kind::network,
                                   "cannot download " + a.name + ": " + response.error().message));
  if (response->status == 404 || response->status == 410)
    return std::unexpected(
        failure(Failure::Kind::not_found, a.name + ": not found at " + shown + " (HTTP " +
                                              std::to_string(response->status) +
                                              "); check the version or the mirror"));
  if (!is_ok(response->status))
    return std::unexpected(failure(Failure::Kind::network, "cannot download " + a.name + ": HTTP " +
                                                               std::to_string(response->status) +
                                                               " from " + shown +
                                                               http::attempts_note(*response)));

  auto actual = hashing::hash_file(temp.path(), want.algorithm);
  if (!actual) return std::unexpected(failure(Failure::Kind::io, actual.error().message));
  if (*actual != want.hex)
    return std::unexpected(failure(
        Failure::Kind::checksum_mismatch,
        "checksum mismatch for " + a.name + " downloaded from " + shown + ":\n  expected " +
            tagged(want) +
            (origin == ChecksumOrigin::resolved_online ? " (published at " + checksum_url + ")"
                                                       : "") +
            "\n  actual   " + std::string(model::to_string(want.algorithm)) + ":" + *actual +
            "\nThe download was deleted. If the expected checksum is right, the mirror serves a "
            "different file."));

  const auto size = stdfs::file_size(temp.path(), ec);
  stdfs::rename(temp.path(), final_path, ec);
  if (ec)
    return std::unexpected(failure(
        Failure::Kind::io,
        "cannot move " + a.name + " into the cache " + final_path.string() + ": " + ec.message()));
  temp.release();
  return Fetched{final_path, want, origin, checksum_url, false, size};
}

std::expected<void, Failure> place(const stdfs::path& cached, const stdfs::path& destination) {
  std::error_code ec;
  if (stdfs::equivalent(cached, destination, ec)) return {};  // already this very file
  stdfs::create_directories(destination.parent_path(), ec);
  const auto io_failure = [&](const std::string& what) {
    return std::unexpected(failure(Failure::Kind::io, "cannot place " + cached.string() + " at " +
                                                          destination.string() + ": " + what));
  };
  if (ec) return io_failure(ec.message());
  TempFile temp(destination.parent_path() /
                ("." + destination.filename().string() + ".tmp-" + fs::random_suffix()));
  stdfs::create_hard_link(cached, temp.path(), ec);
  if (ec) {  // another filesystem, or links not allowed: copy
    ec.clear();
    stdfs::copy_file(cached, temp.path(), ec);
    if (!ec) stdfs::permissions(temp.path(), stdfs::perms(0644), ec);
    if (ec) return io_failure(ec.message());
  }
  stdfs::rename(temp.path(), destination, ec);
  if (ec) return io_failure(ec.message());
  temp.release();
  return {};
}

}  // namespace stackctl::fetch
