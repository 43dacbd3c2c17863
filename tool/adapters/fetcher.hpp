// The artifact fetcher: downloads Spark tarballs and Maven jars into a content-addressed cache,
// verifying each against a checksum. `build` gets files from here; `lock` gets checksums.
//
// Guarantees (docs/fetcher.md):
// - Nothing unverified is returned: when a checksum is expected (pinned in the stack or the lock)
//   the file matches it; when none is, the fetcher first resolves one from the upstream's published
//   checksum file and verifies against that.
// - The cache never holds a half or wrong file: downloads go to <cache>/tmp/, are verified, then
//   renamed to <cache>/<algorithm>/<hex>. A mismatch deletes the download.
// - A cache hit is hashed again before use (a corrupted entry is deleted and, online, fetched
//   again), and needs no network.
// - Offline, only the cache is used; a miss is an error naming the artifact.
// - URLs in messages are redacted (http::redact_url).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "adapters/http.hpp"
#include "core/stack/model.hpp"

namespace stackctl::fetch {

enum class Network { online, offline };

// Where published checksums live beside an artifact.
enum class ChecksumSource {
  automatic,  // by the URL: .jar/.pom/.war/.aar -> maven, anything else -> apache
  maven,      // <url>.sha512, else <url>.sha256, else <url>.sha1 (.sha1 is always published)
  apache,     // <url>.sha512 (sha512sum or `gpg --print-md` format)
};

struct Artifact {
  std::string
      name;  // shown in messages and progress: "spark", "org.apache.hadoop:hadoop-aws:3.4.1"
  std::string url;
  std::optional<model::Checksum> expected;  // pinned (stack or lock); absent: resolve online
  ChecksumSource source = ChecksumSource::automatic;
};

enum class ChecksumOrigin {
  pinned,           // given by the caller (the stack file or stack.lock)
  resolved_online,  // read from the upstream's published checksum file, not pinned by anyone
};
const char* to_string(ChecksumOrigin o);  // "pinned", "resolved"

struct Fetched {
  std::filesystem::path path;  // the verified file in the cache; do not modify it
  model::Checksum checksum;    // what it was verified against
  ChecksumOrigin origin = ChecksumOrigin::pinned;
  std::string checksum_url;  // resolved_online: the published file it came from (redacted)
  bool from_cache = false;   // true: no download of the artifact itself was needed
  std::uint64_t size = 0;
};

struct Resolved {
  model::Checksum checksum;
  std::string checksum_url;  // redacted
};

struct Failure {
  enum class Kind {
    not_found,          // HTTP 404 for the artifact or for every checksum file tried
    checksum_mismatch,  // the download is not what the checksum says (both are in the message)
    not_cached,         // offline and not in the cache
    unresolved,         // no checksum given and none could be resolved (offline, bad file)
    network,            // transport failure or an unexpected HTTP status
    io,                 // the cache or the destination could not be written
  };
  Kind kind = Kind::network;
  std::string message;  // names the artifact and the redacted URL
};

// Download progress of one artifact, for the CLI to draw on stderr. Throttled: sent at most every
// Options::progress_interval, only for downloads of at least Options::progress_min_bytes (or of
// unknown size once that many bytes arrived), and once more with `finished` at the end.
struct ProgressEvent {
  std::string name;  // owned: events may be kept after the download
  std::uint64_t done = 0;
  std::uint64_t total = 0;  // 0 when the server sent no length
  bool finished = false;
};
using Progress = std::function<void(const ProgressEvent&)>;

struct Options {
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
  Network network = Network::online;
  Progress progress;
  std::uint64_t progress_min_bytes = 1024 * 1024;
  std::chrono::milliseconds progress_interval{200};
};

// $XDG_CACHE_HOME/stackctl/artifacts, else $HOME/.cache/stackctl/artifacts (XDG base directory
// spec: a relative XDG_CACHE_HOME is ignored). Empty when neither is usable.
std::filesystem::path default_cache_dir(const char* xdg_cache_home, const char* home);
std::filesystem::path default_cache_dir();  // from the environment

// mirror + "/" + coordinate.repository_path(), with one slash between them.
std::string maven_url(const std::string& mirror, const model::MavenCoordinate& coordinate);
// The jar's explicit URL, else maven_url(artifacts.mirror, jar.coordinate).
std::string jar_url(const model::Artifacts& artifacts, const model::Jar& jar);
// The last path segment of a URL, without query or fragment ("hadoop-aws-3.4.1.jar").
std::string file_name_of(const std::string& url);

class Fetcher {
 public:
  // `client` must outlive the fetcher. The cache folder is created on first use.
  Fetcher(http::Client& client, Options options);

  // The verified artifact, from the cache or downloaded into it. See the guarantees above.
  std::expected<Fetched, Failure> fetch(const Artifact& artifact);

  // The checksum the upstream publishes beside `artifact.url` (no download of the artifact).
  // Online only: offline it fails with Kind::unresolved.
  std::expected<Resolved, Failure> resolve_checksum(const Artifact& artifact);

  // The cached, verified file for `checksum`, if any (no network).
  std::optional<std::filesystem::path> cached(const model::Checksum& checksum);

  const std::filesystem::path& cache_dir() const { return options_.cache_dir; }

 private:
  std::expected<Fetched, Failure> download(const Artifact& artifact, const model::Checksum& want,
                                           ChecksumOrigin origin, const std::string& checksum_url);
  std::filesystem::path entry_path(const model::Checksum& checksum) const;

  http::Client& client_;
  Options options_;
};

// Puts a fetched file at `destination` (e.g. a build context's jars/x.jar): a hard link when the
// cache and the destination share a filesystem, else a copy written beside `destination` and
// renamed into place. An existing destination is replaced. Failure: Kind::io naming both paths.
std::expected<void, Failure> place(const std::filesystem::path& cached,
                                   const std::filesystem::path& destination);

}  // namespace stackctl::fetch
