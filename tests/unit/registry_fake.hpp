// An in-memory OCI registry behind the http::Client interface, for registry client tests: it
// serves /v2/, manifests (GET and HEAD) and blobs the way distribution 2.8 does (Content-Type,
// Docker-Content-Digest, {"errors": [...]} bodies), optionally behind Basic or Bearer auth with a
// token endpoint, and records every request so a test reads like the exchange it checks.
// Faithful to the wire format in the distribution spec (spec.md "Pulling manifests", "Token
// Authentication Specification"); what it fakes beyond that is written next to it below.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "adapters/registry_auth.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::testing {

class FakeRegistry final : public http::Client {
 public:
  enum class Auth { none, basic, bearer };

  struct Stored {
    std::string media_type;
    std::string body;
  };

  std::string host = "registry.example.com";  // requests to any other host fail as unreachable
  std::string scheme = "https";
  Auth auth = Auth::none;
  std::string user = "alice";
  std::string password = "s3cret-pass";
  std::string token = "TOKEN-abc123";  // what the token endpoint hands out
  bool down = false;                   // every request fails like a refused connection
  bool v2 = true;                      // false: /v2/ answers 404 (not a registry)
  bool send_digest_header = true;
  std::map<std::string, std::string> wrong_digest_header;  // manifest path -> header to send
  std::map<std::string, std::string> corrupt_blob;         // digest -> bytes served instead

  std::vector<http::Request> requests;

  // Stores a blob, returns its digest.
  std::string put_blob(const std::string& repo, const std::string& bytes) {
    const std::string d = "sha256:" + registry::hash_hex("sha256", bytes);
    blobs_[repo + "@" + d] = bytes;
    return d;
  }
  // Stores a manifest under its digest and, when given, a tag; returns its digest.
  std::string put_manifest(const std::string& repo, const std::string& media_type,
                           const std::string& body, const std::string& tag = {}) {
    const std::string d = "sha256:" + registry::hash_hex("sha256", body);
    manifests_[repo + "@" + d] = {media_type, body};
    if (!tag.empty()) manifests_[repo + ":" + tag] = {media_type, body};
    return d;
  }
  // A config with `labels`, its OCI manifest (tagged `tag`); returns the manifest digest.
  std::string put_image(const std::string& repo, const std::map<std::string, std::string>& labels,
                        const std::string& tag = {}, const std::string& arch = "amd64") {
    nlohmann::json config = {
        {"architecture", arch},
        {"os", "linux"},
        {"config", {{"Labels", labels}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
    const std::string config_bytes = config.dump();
    const std::string cd = put_blob(repo, config_bytes);
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", registry::kOciManifest},
                               {"config",
                                {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                 {"digest", cd},
                                 {"size", config_bytes.size()}}},
                               {"layers", nlohmann::json::array()}};
    return put_manifest(repo, std::string(registry::kOciManifest), manifest.dump(), tag);
  }
  // An index over (digest, os/arch) entries, tagged `tag`.
  std::string put_index(const std::string& repo,
                        const std::vector<std::pair<std::string, std::string>>& entries,
                        const std::string& tag) {
    nlohmann::json manifests = nlohmann::json::array();
    for (const auto& [digest, platform] : entries) {
      const auto slash = platform.find('/');
      nlohmann::json e = {{"mediaType", registry::kOciManifest}, {"digest", digest}, {"size", 1}};
      if (platform == "attestation") {
        e["annotations"] = {{"vnd.docker.reference.type", "attestation-manifest"}};
        e["platform"] = {{"os", "unknown"}, {"architecture", "unknown"}};
      } else {
        e["platform"] = {{"os", platform.substr(0, slash)},
                         {"architecture", platform.substr(slash + 1)}};
      }
      manifests.push_back(e);
    }
    const nlohmann::json index = {
        {"schemaVersion", 2}, {"mediaType", registry::kOciIndex}, {"manifests", manifests}};
    return put_manifest(repo, std::string(registry::kOciIndex), index.dump(), tag);
  }

  // A streamed request (on_data) gets a 2xx body in chunks of `chunk_size`, as libcurl hands
  // them over, and an empty Response::body; error bodies stay in the Response (http.hpp).
  std::size_t chunk_size = 1000;
  std::expected<http::Response, http::Failure> send(const http::Request& r) override {
    auto out = serve(r);
    if (!out || !r.on_data || out->status / 100 != 2) return out;
    for (std::size_t i = 0; i < out->body.size(); i += chunk_size)
      if (!r.on_data(std::string_view(out->body).substr(i, chunk_size))) break;
    out->body.clear();
    return out;
  }

  std::expected<http::Response, http::Failure> serve(const http::Request& r) {
    requests.push_back(r);
    const std::string prefix = scheme + "://" + host;
    if (down || !r.url.starts_with(prefix))
      return std::unexpected(
          http::Failure{http::Failure::Kind::network,
                        r.method + " " + r.url + ": Failed to connect: Connection refused"});
    std::string path = r.url.substr(prefix.size());
    std::string query;
    if (const auto q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path.resize(q);
    }
    if (path == "/token") return token_endpoint(r, query);
    if (path == "/v2/") {
      if (!v2) return respond(404, "text/plain", "404 page not found");
      if (!authorized(r)) return challenge("");
      return respond(200, "application/json", "{}");
    }
    return api(r, path);
  }

  std::expected<http::Response, http::Failure> download(const http::Request&,
                                                        const std::filesystem::path&,
                                                        const http::Progress&) override {
    return std::unexpected(
        http::Failure{http::Failure::Kind::io, "not used by the registry client"});
  }

  // The Authorization header of request i, or "".
  std::string authorization(std::size_t i) const {
    for (const auto& h : requests.at(i).headers)
      if (h.name == "Authorization") return h.value;
    return {};
  }
  std::string basic() const { return "Basic " + codec::base64_encode(user + ":" + password); }

 private:
  static http::Response respond(long status, const std::string& type, std::string body) {
    http::Response out;
    out.status = status;
    out.headers["content-type"] = type;
    out.body = std::move(body);
    return out;
  }

  static http::Response error(long status, const std::string& code, const std::string& message) {
    return respond(status, "application/json",
                   nlohmann::json{{"errors", {{{"code", code}, {"message", message}}}}}.dump());
  }

  bool authorized(const http::Request& r) const {
    if (auth == Auth::none) return true;
    std::string got;
    for (const auto& h : r.headers)
      if (h.name == "Authorization") got = h.value;
    return auth == Auth::basic ? got == basic() : got == "Bearer " + token;
  }

  http::Response challenge(const std::string& repo) const {
    http::Response out = error(401, "UNAUTHORIZED", "authentication required");
    if (auth == Auth::basic) {
      out.headers["www-authenticate"] = "Basic realm=\"Registry Realm\"";
    } else {
      std::string c =
          "Bearer realm=\"" + scheme + "://" + host + "/token\",service=\"fake-registry\"";
      if (!repo.empty()) c += ",scope=\"repository:" + repo + ":pull\"";
      out.headers["www-authenticate"] = c;
    }
    return out;
  }

  // Bearer tokens go to whoever presents the right Basic credentials (and to nobody else).
  http::Response token_endpoint(const http::Request& r, const std::string& query) {
    last_token_query = query;
    for (const auto& h : r.headers)
      if (h.name == "Authorization" && h.value == basic())
        return respond(200, "application/json", nlohmann::json{{"token", token}}.dump());
    return error(401, "UNAUTHORIZED", "invalid credentials");
  }

  http::Response api(const http::Request& r, const std::string& path) {
    const auto m = path.find("/manifests/");
    const auto b = path.find("/blobs/");
    const bool is_manifest = m != std::string::npos;
    if (!is_manifest && b == std::string::npos) return error(404, "NOT_FOUND", "no route");
    const std::string repo = path.substr(4, (is_manifest ? m : b) - 4);
    if (!authorized(r)) return challenge(repo);
    const std::string ref = path.substr(is_manifest ? m + 11 : b + 7);
    const std::string key =
        repo + (ref.find(':') != std::string::npos && ref.starts_with("sha") ? "@" : ":") + ref;
    if (!is_manifest) {
      const auto it = blobs_.find(key);
      if (it == blobs_.end()) return error(404, "BLOB_UNKNOWN", "blob unknown to registry");
      const auto bad = corrupt_blob.find(ref);
      return respond(200, "application/octet-stream",
                     bad != corrupt_blob.end() ? bad->second : it->second);
    }
    const auto it = manifests_.find(key);
    if (it == manifests_.end()) return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    http::Response out =
        respond(200, it->second.media_type, r.method == "HEAD" ? "" : it->second.body);
    if (send_digest_header) {
      const auto wrong = wrong_digest_header.find(path);
      out.headers["docker-content-digest"] =
          wrong != wrong_digest_header.end()
              ? wrong->second
              : "sha256:" + registry::hash_hex("sha256", it->second.body);
    }
    return out;
  }

  std::map<std::string, std::string> blobs_;
  std::map<std::string, Stored> manifests_;

 public:
  std::string last_token_query;
};

}  // namespace stackctl::testing
