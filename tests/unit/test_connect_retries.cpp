// The HTTP client's separate budget for connections that could not be made (Options::
// connect_retries, docs/network.md): a refused connection is retried that many times with short
// waits, while failures after a connection (a drop at accept, a 503) keep the full `retries`; and
// the Kubernetes client, whose shipped policy it is, gives up on an apiserver that refuses
// connections within about 1.5 s instead of minutes. The refused port is a real loopback socket
// that is bound but not listening; the other faults come from tests/servers/fault_proxy.py.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "adapters/http.hpp"
#include "adapters/kube_client.hpp"
#include "fault_proxy.hpp"
#include "mirror_server.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using Clock = std::chrono::steady_clock;

namespace {

// A loopback port that refuses connections for as long as this lives: bound, never listening, so
// no other test can take it in the meantime.
class RefusedPort {
 public:
  RefusedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~RefusedPort() { ::close(fd_); }
  RefusedPort(const RefusedPort&) = delete;
  RefusedPort& operator=(const RefusedPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("connect retries: a refused connection has its own small budget and short waits",
          "[http][faults][loopback]") {
  RefusedPort closed;
  const std::string url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/x";
  http::Options o;
  o.retries = 10;
  o.initial_backoff = std::chrono::milliseconds(200);
  o.max_backoff = std::chrono::seconds(30);

  SECTION("connect_retries 2: three attempts, waits capped by connect_max_backoff") {
    o.connect_retries = 2;
    o.connect_max_backoff = std::chrono::milliseconds(300);
    const auto start = Clock::now();
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    const double took = seconds_since(start);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("cannot connect") && Contains("(after 3 attempts)"));
    CHECK(took >= 0.45);  // waited 200 ms, then 300 ms (the doubling's 400 capped)
    CHECK(took < 3.0);
  }
  SECTION("never more than `retries`") {
    o.retries = 1;
    o.connect_retries = 5;
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("(after 2 attempts)"));
  }
  SECTION("connect_retries -1 (the default): as any transient failure, all `retries`") {
    o.initial_backoff = std::chrono::milliseconds(10);
    o.max_backoff = std::chrono::milliseconds(20);
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("(after 11 attempts)"));
  }
}

TEST_CASE("connect retries: failures after a connection keep the full retry budget",
          "[http][faults][loopback]") {
  auto python = testing::find_on_path("python3");
  if (!python) {
    WARN("python3 is not installed: the fault tests are skipped");
    return;
  }
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "www");
  std::ofstream(dir.path() / "www" / "f.txt") << "body";
  testing::MirrorServer mirror(*python, dir.path() / "www");
  http::Options o;
  o.retries = 3;
  o.initial_backoff = std::chrono::milliseconds(20);
  o.connect_timeout = std::chrono::seconds(2);
  o.connect_retries = 0;  // no retry at all for a refused connection
  const auto fault = GENERATE(as<std::string>{}, "drop-connect", "503");
  INFO("fault " << fault);
  testing::FaultProxy proxy(*python, mirror.url(), {"--fault", fault + "=1"});
  auto r = http::make_curl_client(o)->send({"GET", proxy.url("/f.txt"), {}, {}});
  CHECK(proxy.log().size() == 4);  // 1 + 3 retries: the connection was made each time
  if (fault == "503") {
    REQUIRE(r);
    CHECK(r->status == 503);
  } else {
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("(after 4 attempts)"));
  }
}

TEST_CASE("connect retries: the Kubernetes client gives up on a refused apiserver within seconds",
          "[kube][faults][loopback]") {
  RefusedPort closed;
  const std::string kubeconfig = R"(apiVersion: v1
kind: Config
clusters:
- name: down
  cluster: {server: "http://127.0.0.1:)" +
                                 std::to_string(closed.port()) +
                                 R"("}
users:
- name: u
  user: {token: not-sent-anywhere}
contexts:
- name: down
  context: {cluster: down, user: u, namespace: demo}
current-context: down
)";
  kube::ClientPorts p;
  p.make_http = [](const http::Options& o) { return http::make_curl_client(o); };
  p.host.getenv = [](const std::string&) { return std::optional<std::string>{}; };
  p.host.read_file = [&](const std::string& f) -> std::optional<std::string> {
    if (f == "/k/config") return kubeconfig;
    return std::nullopt;
  };
  p.host.write_file = [](const std::string&, const std::string&) { return true; };
  p.host.find_executable = [](const std::string&) { return std::optional<std::string>{}; };
  p.host.now = [] { return std::chrono::system_clock::now(); };
  kube::ClientOptions options;  // the shipped retry policy
  options.connect = {"/k/config", "", ""};
  options.cache_dir = "-";
  auto client = kube::make_client(options, std::move(p));
  REQUIRE(client);
  const auto start = Clock::now();
  auto r = (*client)->get(kube::Resource{"", "v1", "Namespace", "namespaces", false}, "", "demo");
  const double took = seconds_since(start);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Contains("(after 3 attempts)"));
  // Waits of 500 ms and 1 s; before, 10 retries with waits doubling to 30 s took about 2.5 min.
  CHECK(took >= 1.4);
  CHECK(took < 5.0);
}
