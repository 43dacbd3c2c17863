// A Vault (and OpenBao) client for reading spark.env values from KV secrets, with the vault CLI's
// environment and habits (docs/vault.md). It talks HTTP through http::Client only.
//
// Contract:
// - Configuration comes from an Environment (a port: tests pass a map) and the stack's `vault:`
//   block; the environment wins, as flags and variables win over defaults for the vault CLI.
//   OpenBao's BAO_* names are read before the VAULT_* ones.
// - Every request carries X-Vault-Request: true, X-Vault-Namespace when a namespace is set and
//   X-Vault-Token once there is a token. Responses 412 and 5xx except 501 are retried up to
//   Config::max_retries times (the vault API client's DefaultRetryPolicy), network failures too;
//   TLS verification failures never are.
// - Tokens, secret_ids, JWTs and secret values are Secrets: they never appear in a Failure, a log
//   line or a URL. Messages the server sends back are scrubbed of them before they are shown.
// - A token the Client minted by logging in is revoked (auth/token/revoke-self) by revoke(), or
//   by the destructor when revoke() was not called. A token given by the user is never revoked.
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "core/secret.hpp"
#include "core/stack/model.hpp"

namespace stackctl::vault {

// The process environment, behind a port so tests give a map. An empty value counts as unset, as
// in the vault API client (`if v := os.Getenv(...); v != ""`).
class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::optional<std::string> get(const std::string& name) const = 0;
};

std::unique_ptr<Environment> process_environment();

class MapEnvironment final : public Environment {
 public:
  MapEnvironment(std::initializer_list<std::pair<const std::string, std::string>> vars)
      : vars_(vars) {}
  std::optional<std::string> get(const std::string& name) const override {
    auto it = vars_.find(name);
    if (it == vars_.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string> vars_;
};

struct Failure {
  enum class Kind {
    config,         // the environment or a credential file is unusable
    tls,            // certificate verification (or another TLS problem)
    network,        // unreachable, timeout
    sealed,         // 503 "Vault is sealed"
    uninitialised,  // 501
    denied,         // 403
    login,          // a login was refused
    missing_path,   // no secret at that path
    missing_key,    // the secret has no such field
    deleted,        // KV v2: the version read is deleted (soft, can be undeleted)
    destroyed,      // KV v2: the version read is destroyed (gone for good)
    protocol,       // any other answer
  };
  Kind kind = Kind::protocol;
  std::string message;  // one line, names the address or path; never a secret
  std::string hint;     // what to do about it; may be empty
};

struct Config {
  std::string address = "https://127.0.0.1:8200";  // no trailing slash
  std::string namespace_name;
  std::optional<Secret> token;  // VAULT_TOKEN, else ~/.vault-token
  std::string token_origin;     // "VAULT_TOKEN" or the token file's path, for messages
  std::string ca_origin;        // "VAULT_CACERT=/x.pem", "VAULT_CACERT_BYTES", "VAULT_CAPATH=/dir"
  std::string skip_verify_origin;  // "VAULT_SKIP_VERIFY" (or BAO_) when it turned verification off
  http::Options http;              // TLS files and timeouts; retries stay 0 (Vault's policy here)
  int max_retries = 2;
  std::chrono::milliseconds min_retry_wait{1000};  // the vault API client's defaults
  std::chrono::milliseconds max_retry_wait{1500};
};

// Reads VAULT_ADDR, VAULT_TOKEN (or $HOME/.vault-token), VAULT_NAMESPACE, VAULT_CACERT,
// VAULT_CACERT_BYTES, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_SKIP_VERIFY,
// VAULT_TLS_SERVER_NAME, VAULT_CLIENT_TIMEOUT and VAULT_MAX_RETRIES (each BAO_* first). Malformed
// values are a Failure of kind config naming the variable (never its value when it is a secret).
std::expected<Config, Failure> read_config(const Environment& env, const model::Vault& stack);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; anything else: nullopt.
std::optional<bool> parse_go_bool(const std::string& text);

// Vault's parseutil.ParseDurationSecond for VAULT_CLIENT_TIMEOUT: a bare number is seconds, else
// a Go duration made of number+unit parts (ms, s, m, h). nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration_second(const std::string& text);

struct KvRef {
  std::string mount;          // without slashes at either end
  std::string path;           // under the mount
  int kv_version = 0;         // 1 or 2 when the stack says; 0: detect (sys/internal/ui/mounts)
  int version = 0;            // KV v2 version to read; 0: latest
  std::string shown() const;  // "secret/spark/kyuubi-sql" (+ " version 3" when pinned)
};

struct KvSecret {
  std::map<std::string, Secret> data;
  int kv_version = 1;
  int version = 0;  // KV v2: the version read; v1: 0
};

class Client {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  // `http` must outlive the Client. `sleep` waits between retries (tests pass a recorder).
  Client(http::Client& http, Config config, Sleep sleep = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Gets a token as `auth` says. token: the configured token, checked with lookup-self.
  // approle / kubernetes: a login on the auth mount; the token is minted and later revoked.
  // Credential files and variables are read through `env` and the file system.
  std::expected<void, Failure> login(const model::VaultAuth& auth, const Environment& env);

  // Reads one secret: detects the mount's KV version when the ref does not say, then reads the
  // latest or the pinned version. Non-string values are a protocol Failure.
  std::expected<KvSecret, Failure> read(const KvRef& ref);

  // Revokes a minted token (no-op for a token the user gave, or when already revoked).
  std::expected<void, Failure> revoke();

  bool minted() const { return minted_; }
  const std::vector<std::string>& policies() const { return policies_; }

 private:
  struct Sent;
  std::expected<http::Response, Failure> send(const std::string& method, const std::string& path,
                                              const std::string& body, bool authenticated);
  Failure failure_of(const http::Response& r, const std::string& method, const std::string& path);
  // A 403 on a read of `api`: the token's policies and the rule that grants `needs` there.
  Failure read_denied(const http::Response& r, const std::string& api, const std::string& needs);
  std::string scrub(std::string text) const;
  std::expected<int, Failure> kv_version(const KvRef& ref);
  std::expected<KvSecret, Failure> read_v2(const KvRef& ref);
  std::expected<KvSecret, Failure> read_v1(const KvRef& ref);
  std::expected<void, Failure> finish_login(const http::Response& r, const std::string& what);

  http::Client& http_;
  Config config_;
  Sleep sleep_;
  std::optional<Secret> token_;
  bool minted_ = false;
  std::vector<std::string> policies_;
  std::vector<Secret> scrub_;  // every credential seen: never shown, even if the server echoes it
  std::map<std::string, int> kv_versions_;  // by mount
};

}  // namespace stackctl::vault
