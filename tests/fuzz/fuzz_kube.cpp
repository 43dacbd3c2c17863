// The Kubernetes client's handling of what servers, kubeconfig files and exec plugins send
// (tool/adapters/kube_client.cpp, kube_config.cpp, tool/core/kube/kubeconfig.cpp), against a
// scripted apiserver: the fuzz input is the answers, nothing goes to the network or to a process.
//
// Input: parts separated by "\n--part--\n" (fuzz_parts.hpp):
//   0  a kubeconfig file (parsed alone, then used to make a second client)
//   1  discovery: the body of every GET of /api, /api/v1, /apis/G and /apis/G/V
//   2  an object or list: the answer to every other request (GET, LIST, apply, create, a log)
//   3  an error: the answer to every request about the namespace "x" (GET, apply, delete); its
//      length picks the status (400..503), the text is the body (a Status)
//   4  a discovery cache file, what the client reads back from its cache folder
//   5  an exec plugin's standard output (ExecCredential)
// Invariants: no exception escapes and nothing crashes; every Failure has a kind and a message or
// an HTTP status, and describe() of it says something.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/kube_client.hpp"
#include "core/kube/kubeconfig.hpp"
#include "fuzz_check.hpp"
#include "fuzz_http.hpp"
#include "fuzz_parts.hpp"

using namespace stackctl;
using namespace stackctl::kube;

namespace {

constexpr const char* kConfig = R"(clusters:
- name: c
  cluster: {server: "https://k8s.fuzz:6443"}
users:
- name: u
  user: {token: fuzz-token}
contexts:
- name: x
  context: {cluster: c, user: u, namespace: demo}
current-context: x
)";

class ScriptedServer final : public fuzz::ScriptedHttp {
 public:
  explicit ScriptedServer(const std::vector<std::string>& parts) : parts_(parts) {}

 private:
  http::Response answer(const http::Request& r) override {
    const std::string path = fuzz::path_of(r.url);
    const bool discovery = path.find("/namespaces/") == std::string::npos &&
                           (path == "/api" || path == "/api/v1" || path.starts_with("/apis")) &&
                           std::count(path.begin(), path.end(), '/') <= 3;
    if (path.find("/namespaces/x") == std::string::npos) {
      if (r.method == "GET" && discovery) return http::Response{200, {}, parts_[1], r.url};
      return http::Response{200, {}, parts_[2], r.url};
    }
    static constexpr long kStatuses[] = {400, 401, 403, 404, 409, 410, 422, 429, 500, 503};
    return http::Response{fuzz::status_for(parts_[3], kStatuses), {}, parts_[3], r.url};
  }

  const std::vector<std::string>& parts_;
};

// What make_http hands out: every client the kube client makes talks to the one scripted server.
class ForwardingClient final : public http::Client {
 public:
  explicit ForwardingClient(http::Client& to) : to_(to) {}
  std::expected<http::Response, http::Failure> send(const http::Request& r) override {
    return to_.send(r);
  }
  std::expected<http::Response, http::Failure> download(const http::Request& r,
                                                        const std::filesystem::path& p,
                                                        const http::Progress& g) override {
    return to_.download(r, p, g);
  }

 private:
  http::Client& to_;
};

class ScriptedPlugin final : public proc::Runner {
 public:
  explicit ScriptedPlugin(const std::string& out) : out_(out) {}
  std::expected<proc::Result, proc::Failure> run(const proc::Command&) override {
    return proc::Result{0, out_, ""};
  }

 private:
  const std::string& out_;
};

void check_failure(const Failure& f) {
  FUZZ_CHECK(!f.message.empty() || f.http_status != 0, "a failure says what happened");
  FUZZ_CHECK(!describe(f, "Deployment demo/web").empty(), "describe() says something");
}

void exercise(Client& client) {
  const Resource namespaces{"", "v1", "Namespace", "namespaces", false};
  for (const GroupVersionKind& gvk :
       {GroupVersionKind{"apps", "v1", "Deployment"}, GroupVersionKind{"", "v1", "Pod"},
        GroupVersionKind{"apps", "", "Deployment"}}) {
    const auto r = client.resource_for(gvk);
    if (!r) {
      check_failure(r.error());
      continue;
    }
    if (const auto got = client.get(*r, "demo", "web"); !got) check_failure(got.error());
    if (const auto l = client.list(*r, "demo", {"app=web", ""}); !l) check_failure(l.error());
    const Object web{
        Json{{"apiVersion", r->group.empty() ? r->version : r->group + "/" + r->version},
             {"kind", gvk.kind},
             {"metadata", {{"name", "web"}, {"namespace", "demo"}}}}};
    if (const auto a = client.apply(*r, web, {}); !a) check_failure(a.error());
  }
  const Resource reviews{"authorization.k8s.io", "v1", "SelfSubjectRulesReview",
                         "selfsubjectrulesreviews", false};
  if (const auto c = client.create(reviews, "", Json{{"spec", {{"namespace", "demo"}}}}); !c)
    check_failure(c.error());
  if (const auto got = client.get(namespaces, "", "x"); !got) check_failure(got.error());
  const Object ns{Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "x"}}}}};
  if (const auto a = client.apply(namespaces, ns, {}); !a) check_failure(a.error());
  if (const auto d = client.remove(namespaces, "", "x"); !d) check_failure(d.error());
  if (const auto l = client.logs("demo", "web-0", "main", false, 10); !l) check_failure(l.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split_parts(data, size, 6);
  {
    const auto config = kube::config::parse({"/k/fuzz", parts[0]});
    if (!config)
      for (const auto& d : config.error().items()) FUZZ_CHECK(!d.message.empty(), "errors say why");
  }
  ScriptedServer server(parts);
  ScriptedPlugin plugin(parts[5]);
  for (const std::string file : {"/k/config", "/k/fuzz"}) {
    ClientPorts ports;
    ports.make_http = [&](const http::Options&) -> std::unique_ptr<http::Client> {
      return std::make_unique<ForwardingClient>(server);
    };
    ports.runner = &plugin;
    ports.host.getenv = [](const std::string&) { return std::optional<std::string>{}; };
    ports.host.read_file = [&](const std::string& f) -> std::optional<std::string> {
      if (f == "/k/config") return std::string(kConfig);
      if (f == "/k/fuzz") return parts[0];
      if (f.starts_with("/cache/")) return parts[4];
      return std::nullopt;
    };
    ports.host.write_file = [](const std::string&, const std::string&) { return true; };
    ports.host.find_executable = [](const std::string& n) -> std::optional<std::string> {
      return "/usr/bin/" + n;
    };
    ports.host.now = [] { return std::chrono::system_clock::from_time_t(1796126400); };
    ClientOptions options;
    options.connect = {file, "", ""};
    options.cache_dir = "/cache";
    options.http.retries = 0;
    auto client = make_client(options, std::move(ports));
    if (!client) {
      check_failure(client.error());
      continue;
    }
    exercise(**client);
  }
  return 0;
}
