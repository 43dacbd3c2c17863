// A read-side client of the OCI distribution API v2 (distribution-spec v1.1 "pull" and the
// Docker Registry HTTP API v2), over http::Client. No daemon, no local image store.
//
// Contract:
// - Scheme: https, except plain http for loopback registries (localhost, 127.0.0.0/8, ::1; Docker
//   treats them as insecure too), for Options::insecure_registries, and for every registry when
//   Options::insecure is set. Unlike Docker there is no https-then-http fallback: one scheme, so
//   an error names the one thing that was tried. TLS
//   settings (CA file) belong to the http::Client the caller passes in. A registry that is not
//   loopback and is reached over plain HTTP gets a warning on stderr naming it, once per client:
//   without TLS its credentials, tokens and images cross the network unprotected.
// - Auth: every request goes anonymous first. On 401 the WWW-Authenticate challenge decides:
//   Bearer -> GET realm?service=..&scope=.. (with Basic credentials when the CredentialLookup has
//   some), then retry with the token; Basic -> retry with the credentials. Tokens are cached per
//   registry and scope for the client's lifetime. Tokens and passwords are Secrets: never logged,
//   never in a Failure message.
// - Integrity: a manifest fetched by digest must hash to that digest; one fetched by tag must hash
//   to its Docker-Content-Digest header (when present); a blob must hash to its digest. A mismatch
//   is Failure::Kind::digest_mismatch, never a silently accepted body.
// - Indexes (OCI image index, Docker manifest list) resolve to Options::platform; attestation
//   entries (vnd.docker.reference.type=attestation-manifest) are never picked.
// - No uploads: pushing is the builder's job (buildah push); find_manifest is the cheap "does
//   this tag exist, and with which digest" the builder needs to skip unchanged images.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/registry_auth.hpp"
#include "core/image_ref.hpp"

namespace stackctl::registry {

inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";

struct Failure {
  enum class Kind {
    unreachable,      // connection refused, DNS, TLS, timeout: the http::Failure's message inside
    not_registry,     // GET /v2/ answered, but not as a registry API v2
    unauthorized,     // 401 after trying every credential we have
    denied,           // 403
    not_found,        // 404 for a manifest or blob (find_manifest turns this into nullopt)
    protocol,         // an unexpected status or a body that does not parse
    digest_mismatch,  // content does not hash to its digest
    no_platform,      // an index without a manifest for Options::platform
    unsupported,      // schema1 manifests, nested indexes, non-image artifacts
    auth_file,        // an auth file that cannot be read or parsed
  };
  Kind kind = Kind::protocol;
  std::string message;  // names the registry, the repository and what went wrong
  std::string hint;     // what the user can do; may be empty
};

const char* to_string(Failure::Kind kind);

struct Options {
  bool insecure = false;                         // plain HTTP for every registry
  std::string platform = "linux/amd64";          // os/architecture[/variant] picked from an index
  std::vector<std::string> insecure_registries;  // "host[:port]" reached over plain HTTP
};

// A manifest's address: what HEAD tells.
struct ManifestRef {
  std::string digest;      // "sha256:..."
  std::string media_type;  // Content-Type
  std::uint64_t size = 0;  // Content-Length, 0 when not sent
};

struct Manifest {
  std::string digest;      // verified
  std::string media_type;  // from the body's mediaType, else Content-Type
  std::string body;        // the exact bytes that hash to digest
};

// A layer of an image manifest (`layers[]`), bottom-most first as the manifest lists them.
struct LayerRef {
  std::string media_type;
  std::string digest;
  std::uint64_t size = 0;
};

struct ImageInfo {
  std::string name;             // ref.str() with the tag: "127.0.0.1:5000/demo/spark-base:t1"
  std::string digest;           // of what the tag points to (the index when multi-platform)
  std::string manifest_digest;  // of the image manifest for the platform (== digest if no index)
  std::string media_type;       // of the top-level manifest
  std::string config_digest;
  std::string os;
  std::string architecture;
  std::string variant;
  std::string created;                        // config "created", may be empty
  std::map<std::string, std::string> labels;  // config.config.Labels
  std::vector<LayerRef> layers;               // the platform manifest's layers[]
};

// Receives a streamed blob's bytes as they arrive; returning false ends the transfer.
using BlobSink = std::function<bool(std::string_view chunk)>;

class Client {
 public:
  // `http` must outlive the client.
  Client(http::Client& http, Options options, CredentialLookup credentials);

  // GET /v2/: success when the registry speaks API v2 (200, or 401 asking for auth).
  std::expected<void, Failure> ping(const ImageRef& ref);
  // HEAD of ref's manifest (tag or digest): nullopt when it does not exist.
  std::expected<std::optional<ManifestRef>, Failure> find_manifest(const ImageRef& ref);
  // GET of the manifest `reference` (a tag or digest) in ref's repository, verified.
  std::expected<Manifest, Failure> get_manifest(const ImageRef& ref, const std::string& reference);
  // GET of a blob by digest, following redirects, verified.
  std::expected<std::string, Failure> get_blob(const ImageRef& ref, const std::string& digest);
  // GET of a blob by digest, streamed into `sink` chunk by chunk (memory stays flat for a
  // multi-GB layer), following redirects. The bytes are hashed as they pass: a body that does
  // not hash to `digest`, or is longer than `max_bytes`, is a Failure (digest_mismatch,
  // protocol) after the sink has seen it, so a caller trusts what it derived only on success.
  // A sink that returns false ends the transfer; stream_blob then fails (Kind::protocol, "the
  // transfer was stopped") and the caller reports its own reason for stopping.
  std::expected<void, Failure> stream_blob(const ImageRef& ref, const std::string& digest,
                                           std::uint64_t max_bytes, const BlobSink& sink);
  // Manifest (resolving an index to the platform), then the config blob and its labels.
  std::expected<ImageInfo, Failure> inspect(const ImageRef& ref);

 private:
  std::expected<http::Response, Failure> send(const ImageRef& ref, http::Request request);
  std::expected<void, Failure> authenticate(const ImageRef& ref, const http::Response& challenge);
  std::expected<void, Failure> fetch_token(const ImageRef& ref, const Challenge& challenge,
                                           const std::optional<Credentials>& creds);
  std::expected<std::optional<Credentials>, Failure> credentials_for(const ImageRef& ref);
  std::string base_url(const ImageRef& ref) const;
  std::string scope_of(const ImageRef& ref) const;

  http::Client& http_;
  Options options_;
  CredentialLookup credentials_;
  std::map<std::string, Secret> authorization_;  // "host scope" or "host" -> header value
  std::map<std::string, bool> pinged_;           // api hosts known to speak v2
  std::set<std::string> warned_plain_;           // non-loopback hosts warned about plain HTTP
  std::map<std::string, std::string> identity_;  // api host -> "user U from FILE", for messages
};

// Lower-case hex of the digest of `data` with `algorithm` ("sha256" or "sha512").
std::string hash_hex(std::string_view algorithm, std::string_view data);
// True when `data` hashes to `digest` ("sha256:..." or "sha512:...").
bool matches_digest(std::string_view digest, std::string_view data);

// The manifest of `platform` ("linux/amd64", "linux/arm64/v8") in an index body; a Failure that
// lists the platforms the index has when none matches.
std::expected<std::string, Failure> pick_platform(std::string_view index_body,
                                                  std::string_view platform,
                                                  const std::string& what);

}  // namespace stackctl::registry
