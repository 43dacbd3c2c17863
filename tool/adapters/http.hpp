// HTTP over libcurl: the one place stackctl talks HTTP(S) (artifact mirrors, OCI registries,
// Vault, the Kubernetes API). Small on purpose: a request in, a response or a Failure out.
//
// Contract:
// - TLS is verified by default (system CA bundle, or Options::ca_file / ca_data);
// `insecure_skip_verify`
//   exists for loopback tests and kubeconfig's insecure-skip-tls-verify, and is logged as a warning
//   by callers. `tls_server_name` verifies the server's certificate against that name instead of
//   the URL's host (kubeconfig's tls-server-name); the Host header stays the URL's.
// - Retries (docs/network.md): transient failures (connection refused or reset, a dropped
//   connection, a timeout or stall, a body cut short of its Content-Length or last chunk, HTTP
//   429/502/503/504, and any other 5xx that carries Retry-After, as client-go's checkWait does)
//   are retried with exponential backoff up to Options::retries, but only for requests that are
//   safe to repeat: GET, HEAD, PUT, DELETE, OPTIONS, and any request marked Idempotent::yes
//   (server-side apply's PATCH). A POST or a plain PATCH is never repeated once it may have
//   reached the server, not even by libcurl's own silent resend on a reused connection (such a
//   request always gets a fresh connection); a connection that was refused, or cut during the
//   TLS handshake (nothing was sent), is retried for every method. Retry-After (seconds) is
//   honoured, capped at Options::max_backoff. A streamed request is not retried once data was
//   passed to its callback. Other HTTP statuses are returned as responses, not failures:
//   callers decide what a 404 means. make_curl_client applies the STACKCTL_HTTP_* environment
//   (with_environment below).
// - Cancellation: a transfer (and a backoff wait) ends within about a second when stackctl was
//   interrupted (proc::interrupted()) or the request's `cancel` flag is set; the Failure's kind is
//   `cancelled`.
// - URLs are shown redacted (user:password@ and query values of known secret names removed) in
//   every Failure message and log line; header values of Authorization / X-Vault-Token are never
//   logged.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.hpp"

namespace stackctl::http {

struct Header {
  std::string name;
  std::string value;
};

// Whether a request may be sent twice. by_method: GET, HEAD, PUT, DELETE and OPTIONS are; POST and
// PATCH are not. yes: the caller knows repeating it is harmless (server-side apply).
enum class Idempotent { by_method, yes };

// Receives a streamed body chunk by chunk (a watch). Returning false ends the transfer early; that
// is not a failure: send() returns the response (status, headers) with an empty body.
using DataSink = std::function<bool(std::string_view chunk)>;

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  Idempotent idempotent = Idempotent::by_method;
  // Whole-transfer deadline for this request; 0 = Options::timeout.
  std::chrono::milliseconds timeout{0};
  // When set, a successful (2xx) body goes here instead of Response::body, and the stall timeout
  // (under 1 byte/s for a minute) is off: a quiet watch is not a dead one. Error bodies are still
  // collected into Response::body so callers can decode them.
  DataSink on_data{};
  // Set from another thread to end the transfer (and any backoff wait) within about a second.
  const std::atomic<bool>* cancel = nullptr;
};

struct Response {
  long status = 0;
  // Lower-cased names; repeated headers are joined with ", " (except WWW-Authenticate, kept first).
  std::map<std::string, std::string> headers;
  std::string body;           // empty when the body went to a file
  std::string effective_url;  // after redirects
  // Requests it took: 1, or more when transient answers (429, 503, ...) were retried; a status
  // that is still one of those after the last retry is then the server's last answer.
  int attempts = 1;
};

// " (after N attempts)" when the response took more than one request, else "": for messages that
// report a status a client gave up retrying on.
std::string attempts_note(const Response& response);

struct Failure {
  enum class Kind { network, timeout, tls, io, cancelled };
  Kind kind = Kind::network;
  std::string
      message;  // names the redacted URL, what happened (timed out, dropped, ...) and the cause
  // Nothing of the request reached the server (the connection was refused, or cut during the TLS
  // handshake): repeating it cannot do anything twice, whatever its method.
  bool unsent = false;
};

// Called during transfers with bytes done and total (total 0 when unknown).
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct Options {
  int retries = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::seconds connect_timeout{15};
  std::chrono::seconds timeout{0};  // whole transfer; 0 = none (large downloads)
  // A transfer that moves under 1 byte/s for this long is a timeout (a stall), even without a
  // deadline; streamed requests (Request::on_data) are exempt. 0 = no stall timeout.
  std::chrono::seconds stall_timeout{60};
  // No backoff wait is longer than this, whatever Retry-After or the doubling says.
  std::chrono::milliseconds max_backoff{30'000};
  // A connection that could not be made (refused, no route to the host) is retried at most this
  // many times (never more than `retries`), each wait at most connect_max_backoff; -1: as any
  // other transient failure. A connect timeout, a reset or a cut after connecting, and 429/5xx
  // keep `retries` and max_backoff.
  int connect_retries = -1;
  std::chrono::milliseconds connect_max_backoff{1'000};
  std::string ca_file;           // PEM bundle; empty = system default
  std::string client_cert_file;  // PEM, for mutual TLS (Kubernetes, Vault)
  std::string client_key_file;
  bool insecure_skip_verify = false;
  bool follow_redirects = true;
  // TLS material from memory (kubeconfig's *-data fields, an exec plugin's answer), PEM. Each
  // takes precedence over its *_file counterpart.
  std::string ca_data;
  std::string client_cert_data;
  Secret client_key_data;
  // Verify the server certificate against this name instead of the URL's host ("" = the host).
  std::string tls_server_name;
  // http://, https:// or socks5:// proxy for every request ("" = none; curl's *_proxy environment
  // variables are not read unless this is empty: curl's default).
  std::string proxy_url;
};

class Client {
 public:
  virtual ~Client() = default;
  // Performs the request, keeping the body in memory.
  virtual std::expected<Response, Failure> send(const Request& request) = 0;
  // Performs a GET, streaming the body into `path` (created or truncated). The file is removed
  // when the transfer fails. The response's body is empty.
  virtual std::expected<Response, Failure> download(const Request& request,
                                                    const std::filesystem::path& path,
                                                    const Progress& progress) = 0;
};

// The libcurl client, with the STACKCTL_HTTP_* environment applied (with_environment).
std::unique_ptr<Client> make_curl_client(Options options);

// Looks up an environment variable (nullopt when unset).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// `options` with the environment's overrides, so every client (mirrors, registries, Kubernetes,
// Vault) follows them without a flag per command (docs/network.md):
//   STACKCTL_HTTP_RETRIES          retries after the first attempt (0..100), for clients that
//                                  retry at all (Options::retries > 0; Vault retries in its own
//                                  client, by VAULT_MAX_RETRIES)
//   STACKCTL_HTTP_BACKOFF_MS       the first backoff wait (1..600000), doubled per retry
//   STACKCTL_HTTP_MAX_WAIT         cap of any wait, Retry-After included, seconds (0..3600)
//   STACKCTL_HTTP_CONNECT_TIMEOUT  TCP connect and TLS handshake, seconds (1..3600)
//   STACKCTL_HTTP_STALL_TIMEOUT    seconds under 1 byte/s before a transfer is a timeout (0..3600)
// A malformed value is ignored with a warning naming the variable, the value and the range.
Options with_environment(Options options, const EnvLookup& lookup);

// `s` percent-encoded for a URL's query value or path segment: every byte but RFC 3986's
// unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX, upper-case hex. libcurl's
// curl_easy_escape, which ignores its handle argument since 7.82.0 (bookworm has 7.88.1).
std::string url_escape(std::string_view s);

// "https://user:pass@host/p?token=x" -> "https://host/p?token=REDACTED".
std::string redact_url(const std::string& url);

}  // namespace stackctl::http
