// The registry client's response handling (tool/adapters/registry*.cpp) against a scripted
// registry: the fuzz input is the registry's answers, nothing goes to the network.
//
// Input: parts separated by "\n--part--\n" (fuzz_parts.hpp):
//   0  the manifest served for the tag (an image manifest or an index)
//   1  a second manifest, served when its digest is asked for (an index's child)
//   2  a blob, served when its digest is asked for (the image config)
//   3  a WWW-Authenticate challenge; when not empty, requests without Authorization get a 401
//   4  the token server's answer, and the JSON of an auth file (credentials_in_auth_json)
// "@D1@" and "@D2@" in parts 0 and 1 become the sha256 digests of parts 1 and 2, so an index can
// name its child and a manifest its config (the client verifies every digest).
// Invariants: no exception escapes and nothing crashes; every failure has a message; an inspected
// image's digests are sha256 digests of bytes that were served; a blob streamed (stream_blob, the
// config and the manifest's layers, up to as many bytes as part 0 has) hashes to its digest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/registry.hpp"
#include "adapters/registry_auth.hpp"
#include "adapters/registry_detail.hpp"
#include "fuzz_check.hpp"
#include "fuzz_http.hpp"
#include "fuzz_parts.hpp"

using namespace stackctl;

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::string digest_of(const std::string& body) {
  return "sha256:" + registry::hash_hex("sha256", body);
}

class ScriptedRegistry final : public fuzz::ScriptedHttp {
 public:
  explicit ScriptedRegistry(std::vector<std::string> parts) : parts_(std::move(parts)) {
    replace_all(parts_[1], "@D2@", digest_of(parts_[2]));
    replace_all(parts_[0], "@D2@", digest_of(parts_[2]));
    replace_all(parts_[0], "@D1@", digest_of(parts_[1]));
    for (int i = 0; i < 3; ++i) digests_.push_back(digest_of(parts_[static_cast<std::size_t>(i)]));
  }

  std::expected<http::Response, http::Failure> download(const http::Request& r,
                                                        const std::filesystem::path&,
                                                        const http::Progress&) override {
    return std::unexpected(http::Failure{http::Failure::Kind::io, "no downloads: " + r.url});
  }

  const std::vector<std::string>& parts() const { return parts_; }

 private:
  http::Response answer(const http::Request& r) override {
    const std::string host = "https://reg.fuzz";
    if (!r.url.starts_with(host + "/v2/"))  // the token server
      return http::Response{200, {{"content-type", "application/json"}}, parts_[4], r.url};
    bool authorized = false;
    for (const auto& h : r.headers) authorized = authorized || h.name == "Authorization";
    if (!parts_[3].empty() && !authorized)
      return http::Response{401, {{"www-authenticate", parts_[3]}}, "", r.url};
    const std::string path = r.url.substr(host.size());
    if (path == "/v2/") return http::Response{200, {}, "{}", r.url};
    const auto served = [&](std::size_t i) {
      http::Response resp{200, {{"docker-content-digest", digests_[i]}}, parts_[i], r.url};
      if (r.method == "HEAD") resp.body.clear();
      return resp;
    };
    if (path.ends_with("/manifests/t")) return served(0);
    for (std::size_t i = 0; i < 3; ++i)
      if (path.ends_with("/" + digests_[i])) return served(i);
    return http::Response{
        404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})", r.url};
  }

  std::vector<std::string> parts_;
  std::vector<std::string> digests_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto ref = parse_image_ref("reg.fuzz/dp/spark-base:t");
  FUZZ_CHECK(ref.has_value(), "the test reference parses");
  ScriptedRegistry http(fuzz::split_parts(data, size, 5));
  const auto& parts = http.parts();
  {
    registry::Client client(http, {}, registry::no_credentials());
    const auto info = client.inspect(*ref);
    if (info) {
      FUZZ_CHECK(is_sha256_digest(info->digest), "the image digest is a sha256 digest");
      FUZZ_CHECK(registry::matches_digest(info->config_digest, parts[2]),
                 "the config read is the blob served");
    } else {
      FUZZ_CHECK(!info.error().message.empty(), "a failed inspect says why");
    }
    // Blobs stream through the request's sink: the config blob, with a limit the input picks,
    // and each layer the manifest names (served when its digest is that of a part, else 404).
    std::vector<std::string> blobs{digest_of(parts[2])};
    if (info)
      for (const auto& layer : info->layers) blobs.push_back(layer.digest);
    for (const auto& digest : blobs) {
      std::string streamed;
      const auto got =
          client.stream_blob(*ref, digest, parts[0].size(), [&](std::string_view chunk) {
            streamed += chunk;
            return true;
          });
      if (got)
        FUZZ_CHECK(registry::matches_digest(digest, streamed), "a streamed blob is its digest's");
      else
        FUZZ_CHECK(!got.error().message.empty(), "a failed blob read says why");
    }
    const auto found = client.find_manifest(*ref);
    if (!found) FUZZ_CHECK(!found.error().message.empty(), "a failed lookup says why");
  }
  const auto child = registry::pick_platform(parts[0], "linux/arm64/v8", "fuzz index");
  if (!child) FUZZ_CHECK(!child.error().message.empty(), "no platform says why");
  for (const auto& c : registry::parse_www_authenticate(parts[3]))
    FUZZ_CHECK(!c.scheme.empty(), "a challenge has a scheme");
  const auto creds = registry::credentials_in_auth_json(parts[4], "auth.json", *ref);
  if (!creds) FUZZ_CHECK(!creds.error().empty(), "a broken auth file says why");
  (void)registry::detail::registry_error(parts[0]);
  return 0;
}
