// The Vault client (vault.hpp). Wire formats: shared/facts/vault-terraform-eks.md; behaviour
// copied from the vault CLI is cited where it is used.
#include "adapters/vault.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/fs.hpp"

namespace stackctl::vault {

namespace {

using nlohmann::json;

// Path segments percent-encoded; '/' separates them; a query the client made ("?version=3") is
// kept as it is. No secret ever goes in a path or a query.
std::string encode_path(const std::string& path_and_query) {
  const auto q = path_and_query.find('?');
  const std::string path = path_and_query.substr(0, q);
  std::string out;
  for (std::size_t start = 0;;) {
    const auto slash = path.find('/', start);
    out += http::url_escape(std::string_view(path).substr(start, slash - start));
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  if (q != std::string::npos) out += path_and_query.substr(q);
  return out;
}

json parse_body(const std::string& body) {
  return json::parse(body, nullptr, /*allow_exceptions=*/false);
}

// {"errors":["..."]} joined with "; ". Older servers wrap one error as "1 error occurred:\n\t* x".
std::string errors_of(const json& body) {
  std::string out;
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array()) return out;
  for (const auto& e : body["errors"]) {
    if (!e.is_string()) continue;
    std::string text = e.get<std::string>();
    for (auto& c : text)
      if (c == '\n' || c == '\t') c = ' ';
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

std::string trim_credential(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// A credential from a file or an environment variable, named in failures by where it is.
std::expected<Secret, Failure> read_credential(const model::CredentialRef& ref, const char* what,
                                               const Environment& env) {
  if (!ref.env.empty()) {
    auto v = env.get(ref.env);
    if (!v)
      return std::unexpected(
          Failure{Failure::Kind::config,
                  std::string(what) + ": environment variable " + ref.env + " is not set",
                  "export " + ref.env + " before running stackctl"});
    return Secret(trim_credential(*v));
  }
  auto text = fs::read_file(ref.file);
  if (!text)
    return std::unexpected(
        Failure{Failure::Kind::config, std::string(what) + ": " + text.error().message, ""});
  if (trim_credential(*text).empty())
    return std::unexpected(
        Failure{Failure::Kind::config, std::string(what) + ": " + ref.file + " is empty", ""});
  return Secret(trim_credential(*text));
}

}  // namespace

std::string KvRef::shown() const {
  return mount + "/" + path + (version > 0 ? " version " + std::to_string(version) : "");
}

Client::Client(http::Client& http, Config config, Sleep sleep)
    : http_(http), config_(std::move(config)), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  token_ = config_.token;
  if (token_) scrub_.push_back(*token_);
  // Every run that turns verification off says so, as the vault CLI does not: the token and the
  // secrets then go to whoever answers at the address.
  if (config_.http.insecure_skip_verify)
    spdlog::warn(
        "TLS verification of Vault at {} is off ({}): its certificate is not checked, so the "
        "token and the secrets read are not protected from whoever answers there",
        http::redact_url(config_.address),
        config_.skip_verify_origin.empty() ? "VAULT_SKIP_VERIFY" : config_.skip_verify_origin);
}

Client::~Client() {
  if (!minted_) return;
  if (auto r = revoke(); !r)
    spdlog::warn("could not revoke the Vault token stackctl minted: {}", r.error().message);
}

std::string Client::scrub(std::string text) const {
  for (const auto& s : scrub_) {
    const std::string& v = s.reveal();
    if (v.size() < 4) continue;
    for (auto pos = text.find(v); pos != std::string::npos; pos = text.find(v))
      text.replace(pos, v.size(), "<redacted>");
  }
  return text;
}

// One request with the vault API client's retry policy (api/client.go DefaultRetryPolicy:
// retryablehttp's, which retries connection errors, 429 ("429 Too Many Requests is recoverable",
// go-retryablehttp client.go baseRetryPolicy) and 5xx but 501, plus 412), waiting
// min_retry_wait, growing linearly, capped at max_retry_wait, or longer when the answer carries
// Retry-After (seconds, capped at http.max_backoff: docs/network.md). One difference from the
// vault CLI: a POST (a login, which mints a token and may use up a secret_id; revoke-self) is
// repeated only when nothing of it reached Vault (http::Failure::unsent). Once it may have been
// acted on, repeating it would mint a second token that nobody revokes, so a dropped or failed
// POST is reported instead.
std::expected<http::Response, Failure> Client::send(const std::string& method,
                                                    const std::string& path,
                                                    const std::string& body, bool authenticated) {
  http::Request req;
  req.method = method;
  req.url = config_.address + "/v1/" + encode_path(path);
  req.body = body;
  req.headers.push_back({"X-Vault-Request", "true"});
  if (!config_.namespace_name.empty())
    req.headers.push_back({"X-Vault-Namespace", config_.namespace_name});
  if (authenticated && token_) req.headers.push_back({"X-Vault-Token", token_->reveal()});
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  const std::string shown = method + " " + config_.address + "/v1/" + path;
  for (int attempt = 0;; ++attempt) {
    auto r = http_.send(req);
    bool retry = false;
    std::string why;
    if (!r) {
      if (r.error().kind == http::Failure::Kind::tls) {
        const std::string hint =
            config_.ca_origin.empty()
                ? "pass the CA that signed Vault's certificate: VAULT_CACERT=FILE (PEM) or "
                  "VAULT_CAPATH=DIR; VAULT_SKIP_VERIFY=true only against a test server"
                : "the CA given (" + config_.ca_origin +
                      ") did not verify Vault's certificate: pass the CA that signed it";
        return std::unexpected(Failure{Failure::Kind::tls,
                                       "TLS verification of Vault at " + config_.address +
                                           " failed: " + scrub(r.error().message),
                                       hint});
      }
      retry = (r.error().kind == http::Failure::Kind::network ||
               r.error().kind == http::Failure::Kind::timeout) &&
              (method != "POST" || r.error().unsent);
      why = scrub(r.error().message);
      if (!retry || attempt >= config_.max_retries)
        return std::unexpected(Failure{
            Failure::Kind::network,
            "cannot reach Vault at " + config_.address + ": " + why +
                (attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""),
            "check VAULT_ADDR (or the stack's vault.address) and that Vault is up"});
    } else {
      spdlog::debug("Vault {} -> HTTP {}", shown, r->status);
      retry = method != "POST" &&
              (r->status == 412 || r->status == 429 || (r->status >= 500 && r->status != 501));
      if (!retry || attempt >= config_.max_retries) return std::move(*r);
      why = "HTTP " + std::to_string(r->status);
    }
    auto wait = config_.min_retry_wait * (attempt + 1);
    wait = std::min(wait, std::max(config_.max_retry_wait, config_.min_retry_wait));
    if (r) {
      const auto it = r->headers.find("retry-after");
      if (it != r->headers.end() && !it->second.empty() && it->second.size() <= 5 &&
          std::ranges::all_of(it->second, [](unsigned char c) { return std::isdigit(c) != 0; }))
        wait = std::max(
            wait, std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(it->second)),
                                                      config_.http.max_backoff));
    }
    spdlog::warn("Vault {}: {}; retrying in {} ms ({}/{})", shown, why, wait.count(), attempt + 1,
                 config_.max_retries);
    sleep_(wait);
  }
}

Failure Client::failure_of(const http::Response& r, const std::string& method,
                           const std::string& path) {
  const std::string errors = scrub(errors_of(parse_body(r.body)));
  const std::string what = method + " /v1/" + path;
  const std::string said = errors.empty() ? "" : ": " + errors;
  if (r.status == 503 && errors.find("sealed") != std::string::npos)
    return {Failure::Kind::sealed,
            "Vault at " + config_.address + " is sealed (HTTP 503 to " + what + said + ")",
            "unseal it (vault operator unseal) or point VAULT_ADDR at an unsealed node, then run "
            "again"};
  if (r.status == 501)
    return {Failure::Kind::uninitialised,
            "Vault at " + config_.address + " is not initialized (HTTP 501 to " + what + said + ")",
            "initialise and unseal it first (vault operator init, vault operator unseal)"};
  if (r.status == 403) return {Failure::Kind::denied, "Vault denied " + what + said, ""};
  return {Failure::Kind::protocol,
          "Vault at " + config_.address + " answered HTTP " + std::to_string(r.status) + " to " +
              what + said,
          ""};
}

std::expected<void, Failure> Client::finish_login(const http::Response& r,
                                                  const std::string& what) {
  const json body = parse_body(r.body);
  const json* auth = body.is_object() && body.contains("auth") ? &body["auth"] : nullptr;
  if (auth == nullptr || !auth->is_object() || !auth->contains("client_token") ||
      !(*auth)["client_token"].is_string())
    return std::unexpected(
        Failure{Failure::Kind::protocol, what + ": the answer has no auth.client_token", ""});
  token_ = Secret((*auth)["client_token"].get<std::string>());
  scrub_.push_back(*token_);
  minted_ = true;
  policies_.clear();
  if (auth->contains("token_policies") && (*auth)["token_policies"].is_array())
    for (const auto& p : (*auth)["token_policies"])
      if (p.is_string()) policies_.push_back(p.get<std::string>());
  spdlog::debug("Vault {}: logged in (token policies: {})", what, fmt::join(policies_, ", "));
  return {};
}

std::expected<void, Failure> Client::login(const model::VaultAuth& auth, const Environment& env) {
  if (auth.method == model::VaultAuthMethod::token) {
    if (!token_)
      return std::unexpected(Failure{
          Failure::Kind::config,
          "no Vault token: VAULT_TOKEN is not set and there is no ~/.vault-token",
          "export VAULT_TOKEN, run `vault login` (it writes ~/.vault-token), or log in with "
          "AppRole or Kubernetes (vault.auth.method in the stack)"});
    auto r = send("GET", "auth/token/lookup-self", "", true);
    if (!r) return std::unexpected(r.error());
    if (r->status == 403)
      return std::unexpected(Failure{Failure::Kind::login,
                                     "Vault refused the token from " + config_.token_origin +
                                         " (permission denied to GET /v1/auth/token/lookup-self)",
                                     "it is invalid, expired or revoked, or belongs to another "
                                     "namespace: get a new one (vault login)"});
    if (r->status != 200) return std::unexpected(failure_of(*r, "GET", "auth/token/lookup-self"));
    const json body = parse_body(r->body);
    if (body.contains("data") && body["data"].is_object() && body["data"].contains("policies") &&
        body["data"]["policies"].is_array())
      for (const auto& p : body["data"]["policies"])
        if (p.is_string()) policies_.push_back(p.get<std::string>());
    return {};
  }
  const std::string login_path = "auth/" + auth.mount + "/login";
  json request;
  std::string what;
  if (auth.method == model::VaultAuthMethod::approle) {
    auto role_id = read_credential(auth.role_id, "AppRole role_id", env);
    if (!role_id) return std::unexpected(role_id.error());
    auto secret_id = read_credential(auth.secret_id, "AppRole secret_id", env);
    if (!secret_id) return std::unexpected(secret_id.error());
    scrub_.push_back(*role_id);
    scrub_.push_back(*secret_id);
    request = {{"role_id", role_id->reveal()}, {"secret_id", secret_id->reveal()}};
    what = "AppRole login at " + login_path;
  } else {
    model::CredentialRef file{auth.token_file, ""};
    auto jwt = read_credential(file, "Kubernetes service account token", env);
    if (!jwt) return std::unexpected(jwt.error());
    scrub_.push_back(*jwt);
    request = {{"role", auth.role}, {"jwt", jwt->reveal()}};
    what = "Kubernetes login at " + login_path + " as role \"" + auth.role + "\"";
  }
  auto r = send("POST", login_path, request.dump(), false);
  if (!r) return std::unexpected(r.error());
  if (r->status == 400 || r->status == 401 || r->status == 403) {
    const std::string errors = scrub(errors_of(parse_body(r->body)));
    return std::unexpected(Failure{
        Failure::Kind::login,
        "Vault refused the " + what + " (HTTP " + std::to_string(r->status) +
            (errors.empty() ? "" : ": " + errors) + ")",
        auth.method == model::VaultAuthMethod::approle
            ? "check role_id and secret_id (a secret_id may have expired or used up its uses) "
              "and the auth mount (vault.auth.mount)"
            : "check that the role exists on auth/" + auth.mount +
                  ", that it binds this service account and namespace, and the token file"});
  }
  if (r->status != 200) return std::unexpected(failure_of(*r, "POST", login_path));
  return finish_login(*r, what);
}

std::expected<void, Failure> Client::revoke() {
  if (!minted_) return {};
  auto r = send("POST", "auth/token/revoke-self", "", true);
  if (!r) return std::unexpected(r.error());
  if (r->status != 204 && r->status != 200)
    return std::unexpected(failure_of(*r, "POST", "auth/token/revoke-self"));
  minted_ = false;
  token_.reset();
  spdlog::debug("Vault: revoked the token stackctl minted");
  return {};
}

}  // namespace stackctl::vault
