// HTTP over libcurl: the one place stackctl talks HTTP(S) (artifact mirrors, OCI registries,
// Vault, the Kubernetes API). Small on purpose: a request in, a response or a Failure out.
//
// Contract:
// - TLS is verified by default (system CA bundle, or Options::ca_file); `insecure_skip_verify`
//   exists for loopback tests and is logged as a warning by callers.
// - Transient failures (connection refused/reset, timeouts, HTTP 429/502/503/504) are retried with
//   exponential backoff up to Options::retries; other HTTP statuses are returned as responses, not
//   failures: callers decide what a 404 means.
// - URLs are shown redacted (user:password@ and query values of known secret names removed) in
//   every Failure message and log line; header values of Authorization / X-Vault-Token are never
//   logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace stackctl::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
};

struct Response {
  long status = 0;
  // Lower-cased names; repeated headers are joined with ", " (except WWW-Authenticate, kept first).
  std::map<std::string, std::string> headers;
  std::string body;           // empty when the body went to a file
  std::string effective_url;  // after redirects
};

struct Failure {
  enum class Kind { network, timeout, tls, io, cancelled };
  Kind kind = Kind::network;
  std::string message;  // names the redacted URL and the cause
};

// Called during transfers with bytes done and total (total 0 when unknown).
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct Options {
  int retries = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::seconds connect_timeout{15};
  std::chrono::seconds timeout{0};  // whole transfer; 0 = none (large downloads)
  std::string ca_file;              // PEM bundle; empty = system default
  std::string client_cert_file;     // PEM, for mutual TLS (Kubernetes, Vault)
  std::string client_key_file;
  bool insecure_skip_verify = false;
  bool follow_redirects = true;
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

// The libcurl client.
std::unique_ptr<Client> make_curl_client(Options options);

// "https://user:pass@host/p?token=x" -> "https://host/p?token=REDACTED".
std::string redact_url(const std::string& url);

}  // namespace stackctl::http
