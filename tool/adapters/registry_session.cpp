// The registry client's transport: scheme choice, the /v2/ probe, and the auth flow every request
// goes through (anonymous, then the WWW-Authenticate challenge: Bearer token or Basic). See
// registry.hpp for the contract; content (manifests, blobs, digests) is in registry.cpp.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "adapters/registry.hpp"
#include "adapters/registry_detail.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::registry {

using detail::fail;
using detail::header;
using detail::Json;
using detail::registry_error;

Client::Client(http::Client& http, Options options, CredentialLookup credentials)
    : http_(http), options_(std::move(options)), credentials_(std::move(credentials)) {}

std::string Client::base_url(const ImageRef& ref) const {
  const bool plain = options_.insecure || ref.is_loopback() ||
                     std::ranges::find(options_.insecure_registries, ref.registry) !=
                         options_.insecure_registries.end();
  return (plain ? "http://" : "https://") + ref.api_host();
}

std::string Client::scope_of(const ImageRef& ref) const {
  return "repository:" + ref.repository + ":pull";
}

std::expected<void, Failure> Client::ping(const ImageRef& ref) {
  if (pinged_.contains(ref.api_host())) return {};
  const std::string url = base_url(ref) + "/v2/";
  if (url.starts_with("http://") && !ref.is_loopback() &&
      warned_plain_.insert(ref.api_host()).second)
    spdlog::warn(
        "registry {} is reached over plain HTTP (--registry-insecure or the stack's "
        "registry.insecure): no TLS, so its credentials, tokens and images are not protected "
        "in transit",
        ref.registry);
  auto r = http_.send({"GET", url, {}, {}});
  if (!r) {
    std::string hint = "is the registry running, and is " + ref.registry + " its address?";
    if (url.starts_with("https://"))
      hint += r.error().kind == http::Failure::Kind::tls
                  ? " For a private CA pass --registry-ca-file FILE; for a registry without TLS, "
                    "--registry-insecure"
                  : " For a registry without TLS, pass --registry-insecure";
    return fail(Failure::Kind::unreachable,
                "cannot reach registry " + ref.registry + ": " + r.error().message, hint);
  }
  if (r->status == 200 || r->status == 401) {
    pinged_[ref.api_host()] = true;
    return {};
  }
  // A 429 or 5xx (after the retries the HTTP client makes) says the registry (or a proxy before it)
  // is failing or overloaded, not that it is something else than a registry.
  if (r->status == 429 || r->status >= 500)
    return fail(Failure::Kind::unreachable,
                "registry " + ref.registry + " answered HTTP " + std::to_string(r->status) +
                    " to GET " + http::redact_url(url),
                "the registry, or a proxy in front of it, is failing or overloaded: try again "
                "later");
  return fail(Failure::Kind::not_registry,
              ref.registry + " does not serve the registry API v2: GET " + http::redact_url(url) +
                  " answered HTTP " + std::to_string(r->status),
              "check the registry address (host[:port]) in the image reference");
}

std::expected<std::optional<Credentials>, Failure> Client::credentials_for(const ImageRef& ref) {
  auto found = credentials_(ref);
  if (!found)
    return fail(Failure::Kind::auth_file, "cannot read registry credentials: " + found.error(),
                "fix or remove that auth file");
  return *found;
}

std::expected<void, Failure> Client::fetch_token(const ImageRef& ref, const Challenge& challenge,
                                                 const std::optional<Credentials>& creds) {
  const auto realm = challenge.params.find("realm");
  if (realm == challenge.params.end() ||
      !(realm->second.starts_with("https://") || realm->second.starts_with("http://")))
    return fail(Failure::Kind::protocol,
                ref.registry + " asked for a Bearer token without an http(s) realm");
  std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
  if (auto s = challenge.params.find("service"); s != challenge.params.end())
    url += "service=" + http::url_escape(s->second) + "&";
  const auto sc = challenge.params.find("scope");
  url += "scope=" + http::url_escape(sc != challenge.params.end() ? sc->second : scope_of(ref));
  http::Request req{"GET", url, {}, {}};
  if (creds)
    req.headers.push_back(
        {"Authorization",
         "Basic " + codec::base64_encode(creds->username + ":" + creds->password.reveal())});
  auto r = http_.send(req);
  const std::string shown = http::redact_url(url);
  if (!r)
    return fail(Failure::Kind::unreachable,
                "cannot reach the token server of " + ref.registry + ": " + r.error().message);
  if (r->status == 401 || r->status == 403)
    return fail(Failure::Kind::unauthorized,
                "the token server of " + ref.registry + " (" + shown + ") refused " +
                    (creds ? "the credentials of user " + creds->username + " from " + creds->source
                           : std::string("anonymous access")) +
                    " (HTTP " + std::to_string(r->status) + ")",
                creds ? "log in again (skopeo login " + ref.registry + ")"
                      : "log in first: skopeo login " + ref.registry +
                            " (or set REGISTRY_AUTH_FILE to an auth.json with its credentials)");
  const auto j = Json::parse(r->body, nullptr, false);
  std::string token;
  if (r->status == 200 && j.is_object()) {
    if (j.contains("token") && j["token"].is_string())
      token = j["token"].get<std::string>();
    else if (j.contains("access_token") && j["access_token"].is_string())
      token = j["access_token"].get<std::string>();
  }
  if (token.empty())
    return fail(Failure::Kind::protocol, "the token server of " + ref.registry + " (" + shown +
                                             ") answered HTTP " + std::to_string(r->status) +
                                             " without a token");
  authorization_[ref.api_host() + " " + scope_of(ref)] = Secret("Bearer " + token);
  return {};
}

std::expected<void, Failure> Client::authenticate(const ImageRef& ref,
                                                  const http::Response& response) {
  const auto challenges = parse_www_authenticate(header(response, "www-authenticate"));
  const Challenge* bearer = nullptr;
  const Challenge* basic = nullptr;
  for (const auto& c : challenges) {
    if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
    if (c.scheme == "basic" && basic == nullptr) basic = &c;
  }
  auto creds = credentials_for(ref);
  if (!creds) return std::unexpected(creds.error());
  if (*creds)
    identity_[ref.api_host()] = "user " + (*creds)->username + " from " + (*creds)->source;
  if (bearer != nullptr) return fetch_token(ref, *bearer, *creds);
  if (basic != nullptr && *creds) {
    authorization_[ref.api_host()] = Secret(
        "Basic " + codec::base64_encode((*creds)->username + ":" + (*creds)->password.reveal()));
    return {};
  }
  return fail(Failure::Kind::unauthorized,
              ref.registry + " requires authentication for " + ref.repository +
                  (basic != nullptr ? " and no credentials for it were found"
                                    : " without a Bearer or Basic challenge stackctl can answer"),
              "log in: skopeo login " + ref.registry +
                  " (stackctl reads REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, "
                  "~/.config/containers/auth.json, ~/.docker/config.json)");
}

std::expected<http::Response, Failure> Client::send(const ImageRef& ref, http::Request request) {
  if (auto p = ping(ref); !p) return std::unexpected(p.error());
  const std::size_t plain_headers = request.headers.size();
  for (int attempt = 0; attempt < 2; ++attempt) {
    request.headers.resize(plain_headers);
    auto it = authorization_.find(ref.api_host() + " " + scope_of(ref));
    if (it == authorization_.end()) it = authorization_.find(ref.api_host());
    if (it != authorization_.end())
      request.headers.push_back({"Authorization", it->second.reveal()});
    auto r = http_.send(request);
    spdlog::debug("registry: {} {} -> {}", request.method, http::redact_url(request.url),
                  r ? std::to_string(r->status) : r.error().message);
    if (!r)
      return fail(Failure::Kind::unreachable,
                  "cannot reach registry " + ref.registry + ": " + r.error().message);
    if (r->status != 401) return std::move(*r);
    if (attempt == 1) {  // re-authenticated once already (a cached token may have expired)
      const auto who = identity_.find(ref.api_host());
      return fail(
          Failure::Kind::unauthorized,
          ref.registry + " refused access to " + ref.repository +
              (who != identity_.end() ? " for " + who->second : std::string()) + " (HTTP 401" +
              (registry_error(r->body).empty() ? "" : ": " + registry_error(r->body)) + ")",
          "check the credentials for " + ref.registry + " (skopeo login " + ref.registry + ")");
    }
    if (auto a = authenticate(ref, *r); !a) return std::unexpected(a.error());
  }
  return fail(Failure::Kind::unauthorized, ref.registry + " refused access to " + ref.repository);
}

}  // namespace stackctl::registry
