// Where the Kubernetes API is and how to authenticate, as kubectl finds it: the kubeconfig files
// (read here, parsed and merged by core/kube/kubeconfig), in-cluster service-account config, and
// the credentials a request carries (static token, token file, client certificate, exec plugin).
//
// Resolution order (kubectl's): --kubeconfig (one file; KUBECONFIG is then ignored), else every
// file of KUBECONFIG (':'-separated, missing ones skipped, merged first-wins), else ~/.kube/config;
// when none of those exist and KUBERNETES_SERVICE_HOST is set, the in-cluster config.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "adapters/http.hpp"
#include "adapters/kube.hpp"
#include "adapters/process.hpp"
#include "core/kube/kubeconfig.hpp"

namespace stackctl::kube {

struct ConnectOptions {
  std::string kubeconfig;      // --kubeconfig: exactly this file
  std::string context;         // --context
  std::string namespace_name;  // -n/--namespace
};

// What resolution reads from the machine, so tests can hand it a made-up one.
struct Host {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // The file's bytes, or nullopt when it does not exist or cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
  // Writes a file atomically, creating its folder; false on failure (caches only: never fatal).
  std::function<bool(const std::string& path, const std::string& data)> write_file;
  // The full path of a program in PATH, or nullopt.
  std::function<std::optional<std::string>(const std::string& name)> find_executable;
  std::function<std::chrono::system_clock::time_point()> now;
};

// The real machine: process environment, files, PATH, system clock.
Host real_host();

// The service account's files in a pod.
inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct Connection {
  std::string source;  // "kubeconfig /home/u/.kube/config, context kind-dev" or "in-cluster"
  std::string context;
  std::string server;  // without a trailing '/'
  std::string namespace_name;
  std::string user;    // the kubeconfig user's name, or "system:serviceaccount (in-cluster)"
  http::Options http;  // TLS trust, static client certificate, tls-server-name, proxy
  config::Cluster cluster;
  config::User auth;  // token, tokenFile (re-read at every use), exec
};

// Resolves the connection. A config error (malformed file, unknown context, unreadable
// certificate) is a Failure of kind `other` whose message is the located diagnostic.
std::expected<Connection, Failure> resolve_connection(const ConnectOptions& options,
                                                      const Host& host);

// What a request presents: a bearer token and/or a client certificate from an exec plugin.
struct Presented {
  Secret bearer;
  std::string client_cert_pem;
  Secret client_key_pem;
};

// The credentials of one connection. Not thread-safe (one per client, used from one thread).
class Credentials {
 public:
  Credentials(Connection connection, proc::Runner& runner, Host host);

  // The token (static, or re-read from tokenFile / the service-account token), or the exec
  // plugin's answer: run on first use and cached until its expirationTimestamp.
  std::expected<Presented, Failure> current();
  // After a 401: forgets the exec plugin's answer so that the next current() runs it again.
  // false when nothing can change (no exec plugin): the 401 stands.
  bool forget();
  // How many times the exec plugin ran (for tests and debug logs).
  int exec_runs() const { return exec_runs_; }

 private:
  std::expected<Presented, Failure> run_exec();

  Connection connection_;
  proc::Runner& runner_;
  Host host_;
  std::optional<Presented> cached_;
  std::optional<std::chrono::system_clock::time_point> expires_;
  int exec_runs_ = 0;
};

// "2026-12-01T12:00:00Z" (RFC 3339, optional fraction, Z or +hh:mm) -> time point.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

}  // namespace stackctl::kube
