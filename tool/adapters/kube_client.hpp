// The real kube::Client (kube.hpp) over http::Client: paths, discovery with a disk cache,
// server-side apply, Status errors, credentials with exec plugins re-run once on a 401.
//
// Discovery: GET /api/v1 or /apis/{group}/{version} (the APIResourceList) the first time a kind
// of that group version is asked for; kept in memory and on disk under
// <cache_dir>/<server host_port>/<group>_<version>.json for 6 hours, the TTL and layout of
// kubectl's discovery cache (kubernetes/cli-runtime pkg/genericclioptions/config_flags.go:
// ~/.kube/cache/discovery/<host>, time.Duration(6*time.Hour)). A kind missing from a cached
// list refreshes that list once from the server. No aggregated discovery.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http.hpp"
#include "adapters/kube.hpp"
#include "adapters/kube_config.hpp"
#include "adapters/process.hpp"

namespace stackctl::kube {

struct ClientOptions {
  ConnectOptions connect;
  // Discovery cache folder; "" = $XDG_CACHE_HOME/stackctl/discovery (else ~/.cache/...);
  // "-" = memory only.
  std::string cache_dir;
  // Retries, timeouts; TLS fields are filled from the connection. 10 retries: client-go's
  // default for a 429 or 5xx with Retry-After (rest/request.go NewRequest, maxRetries: 10, in the
  // v1.20.2 tree tests/k8s builds), so a throttling apiserver is ridden out as kubectl rides it.
  // A refused connection (no apiserver listening, no route) is tried 2 more times within about
  // 1.5 s (waits 500 ms, 1 s), not 10 times over minutes: kubectl fails at once there, and
  // doctor or deploy against a down cluster should say so quickly (docs/network.md).
  http::Options http = [] {
    http::Options o;
    o.retries = 10;
    o.connect_retries = 2;
    o.connect_max_backoff = std::chrono::milliseconds(1'000);
    return o;
  }();
};

// The ports the client uses: a factory of HTTP clients (a new one when an exec plugin hands out
// a client certificate), the process runner for exec plugins, and the machine.
struct ClientPorts {
  std::function<std::unique_ptr<http::Client>(const http::Options&)> make_http;
  proc::Runner* runner = nullptr;
  Host host;
};

// The real ports: libcurl, fork/exec, the process environment and files.
ClientPorts real_ports(proc::Runner& runner);

// Resolves the connection (kube_config.hpp) and returns a client for it. Failure (kind other,
// reason "Config") when the configuration is unusable; nothing is sent before the first call.
std::expected<std::unique_ptr<Client>, Failure> make_client(const ClientOptions& options,
                                                            ClientPorts ports);

// "/apis/apps/v1/namespaces/demo/deployments/web" ("" name: the collection).
std::string object_path(const Resource& r, const std::string& ns, const std::string& name);

// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string query_escape(const std::string& value);

}  // namespace stackctl::kube
