// The libcurl client's request semantics against a real loopback server
// (tests/servers/mirror_server.py): which requests are repeated, Retry-After, streamed bodies,
// cancellation, per-request timeouts, TLS material from memory, tls-server-name and proxies.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "adapters/http.hpp"
#include "mirror_server.hpp"

namespace stdfs = std::filesystem;
using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

using Clock = std::chrono::steady_clock;

std::optional<stdfs::path> python3_or_skip() {
  auto python = testing::find_on_path("python3");
  if (!python) WARN("python3 is not installed: the loopback HTTP tests are skipped");
  return python;
}

http::Options fast(int retries = 3) {
  http::Options o;
  o.retries = retries;
  o.initial_backoff = std::chrono::milliseconds(5);
  o.connect_timeout = std::chrono::seconds(5);
  return o;
}

long count(http::Client& client, const testing::MirrorServer& server, const std::string& key) {
  auto r = client.send({"GET", server.url("/_stats"), {}, {}});
  REQUIRE(r);
  const auto stats = nlohmann::json::parse(r->body);
  return stats.contains(key) ? stats[key].get<long>() : 0;
}

std::string slurp(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Served {
  testing::TempDir dir;
  stdfs::path root = dir.path() / "root";
  Served() {
    stdfs::create_directories(root);
    std::ofstream(root / "x") << "x-body";
  }
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("http: only requests safe to repeat are retried", "[http][loopback]") {
  auto python = python3_or_skip();
  if (!python) return;
  Served s;
  testing::MirrorServer server(*python, s.root);
  auto client = http::make_curl_client(fast());

  SECTION("a POST that got a 503 is not sent again") {
    auto r = client->send({"POST", server.url("/flaky/1/p/x"), {}, "{}"});
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(count(*client, server, "flaky:p") == 1);
  }
  SECTION("a POST the caller marks idempotent is") {
    http::Request req{"POST", server.url("/flaky/1/pi/x"), {}, "{}"};
    req.idempotent = http::Idempotent::yes;
    auto r = client->send(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "POST {}");
    CHECK(count(*client, server, "flaky:pi") == 2);
  }
  SECTION("a plain PATCH is not; server-side apply's PATCH (marked) is") {
    auto plain = client->send({"PATCH", server.url("/flaky/1/pa/x"), {}, "{}"});
    REQUIRE(plain);
    CHECK(plain->status == 503);
    CHECK(count(*client, server, "flaky:pa") == 1);
    http::Request apply{"PATCH", server.url("/flaky/1/ssa/x"), {}, "{\"a\":1}"};
    apply.idempotent = http::Idempotent::yes;
    auto r = client->send(apply);
    REQUIRE(r);
    CHECK(r->body == "PATCH {\"a\":1}");
    CHECK(count(*client, server, "flaky:ssa") == 2);
  }
  SECTION("PUT and DELETE are") {
    auto put = client->send({"PUT", server.url("/flaky/2/put/x"), {}, "b"});
    REQUIRE(put);
    CHECK(put->body == "PUT b");
    CHECK(count(*client, server, "flaky:put") == 3);
    auto del = client->send({"DELETE", server.url("/flaky/1/del/x"), {}, {}});
    REQUIRE(del);
    CHECK(del->status == 200);
    CHECK(count(*client, server, "flaky:del") == 2);
  }
  SECTION("a POST whose connection was refused is tried again (nothing was sent)") {
    const std::string url = server.url("/x");
    server.stop();
    auto r = http::make_curl_client(fast(1))->send({"POST", url, {}, "{}"});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("after 2 attempts"));
  }
  SECTION("a POST dropped after it was sent is not") {
    auto r = client->send({"POST", server.url("/drop/1/pd/x"), {}, "{}"});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, !Contains("attempts"));
    CHECK(count(*client, server, "drop:pd") == 1);
  }
  SECTION("429 waits as long as Retry-After says") {
    const auto start = Clock::now();
    auto r = client->send({"GET", server.url("/busy/1/ra/x"), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "x-body");
    CHECK(seconds_since(start) >= 0.95);  // the backoff alone would be 5 ms
    CHECK(count(*client, server, "busy:ra") == 2);
  }
}

// A loopback listener that closes every connection as soon as it accepts it: to an https client,
// a TLS handshake cut short (a load balancer or proxy dropping the connection).
class ClosingListener {
 public:
  ClosingListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t n = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // the listener was shut down
        ++accepted;
        ::close(c);
      }
    });
  }
  ~ClosingListener() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/x"; }
  std::atomic<int> accepted{0};

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_CASE("http: a connection cut during the TLS handshake is tried again, for any method",
          "[http][loopback]") {
  ClosingListener listener;
  auto r = http::make_curl_client(fast(2))->send({"POST", listener.url(), {}, "{}"});
  REQUIRE_FALSE(r);
  // The network cut it, not a certificate: a network failure (Vault's client retries those and
  // not TLS ones), with nothing sent.
  CHECK(r.error().kind == http::Failure::Kind::network);
  CHECK(r.error().unsent);
  CHECK_THAT(r.error().message, Contains("connection dropped during the TLS handshake") &&
                                    Contains("after 3 attempts"));
  CHECK(listener.accepted == 3);  // nothing was sent, so even a POST may be repeated
}

TEST_CASE("http: streamed bodies, cancellation and per-request timeouts", "[http][loopback]") {
  auto python = python3_or_skip();
  if (!python) return;
  Served s;
  testing::MirrorServer server(*python, s.root);
  auto client = http::make_curl_client(fast());

  SECTION("chunks reach the sink as they arrive; the body stays empty") {
    std::string seen;
    http::Request req{"GET", server.url("/stream/4/20"), {}, {}};
    req.on_data = [&](std::string_view chunk) {
      seen += chunk;
      return true;
    };
    auto r = client->send(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.empty());
    CHECK(seen == "line 0\nline 1\nline 2\nline 3\n");
  }
  SECTION("a sink that returns false ends the transfer, and that is not a failure") {
    int chunks = 0;
    http::Request req{"GET", server.url("/stream/100/100"), {}, {}};
    req.on_data = [&](std::string_view) { return ++chunks < 2; };
    const auto start = Clock::now();
    auto r = client->send(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(chunks == 2);
    CHECK(seconds_since(start) < 3);
  }
  SECTION("error bodies of a streamed request are kept for the caller") {
    http::Request req{"GET", server.url("/missing"), {}, {}};
    bool called = false;
    req.on_data = [&](std::string_view) { return called = true; };
    auto r = client->send(req);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK_FALSE(called);
    CHECK_FALSE(r->body.empty());
  }
  SECTION("a cancel flag ends a quiet stream within about a second") {
    std::atomic<bool> cancel{false};
    http::Request req{"GET", server.url("/stream/100/200"), {}, {}};
    req.on_data = [](std::string_view) { return true; };
    req.cancel = &cancel;
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      cancel = true;
    });
    const auto start = Clock::now();
    auto r = client->send(req);
    stopper.join();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::cancelled);
    CHECK(seconds_since(start) < 2.5);  // the stream alone lasts 20 s
  }
  SECTION("a cancelled request waiting to retry stops waiting") {
    std::atomic<bool> cancel{false};
    http::Request req{"GET", server.url("/busy/5/cw/x"), {}, {}};
    req.cancel = &cancel;
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      cancel = true;
    });
    const auto start = Clock::now();
    auto r = client->send(req);
    stopper.join();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::cancelled);
    CHECK(seconds_since(start) < 0.9);  // Retry-After asked for 1 s per attempt
  }
  SECTION("a per-request timeout overrides the client's (none)") {
    http::Request req{"GET", server.url("/stream/100/100"), {}, {}};
    req.timeout = std::chrono::milliseconds(400);
    const auto start = Clock::now();
    auto r = http::make_curl_client(fast(0))->send(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::timeout);
    CHECK(seconds_since(start) < 3);
  }
  SECTION("proxy_url sends every request through the proxy") {
    auto o = fast(0);
    o.proxy_url = server.url();  // the mirror answers absolute-URI requests itself
    auto r =
        http::make_curl_client(o)->send({"GET", "http://stackctl-proxy-test.invalid/x", {}, {}});
    REQUIRE(r);
    CHECK(count(*client, server, "http://stackctl-proxy-test.invalid/x") == 1);
  }
}

TEST_CASE("http: TLS material from memory and tls_server_name", "[http][loopback]") {
  auto python = python3_or_skip();
  auto openssl = testing::find_on_path("openssl");
  if (!python || !openssl) {
    if (!openssl) WARN("openssl is not installed: the TLS test is skipped");
    return;
  }
  Served s;
  const auto cert = s.dir.path() / "cert.pem";
  const auto key = s.dir.path() / "key.pem";
  // A certificate for the name "kubernetes" only: not for 127.0.0.1, which the URL names.
  REQUIRE(testing::run_program({openssl->string(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-days", "1", "-subj", "/CN=kubernetes", "-addext",
                                "subjectAltName=DNS:kubernetes", "-keyout", key.string(), "-out",
                                cert.string()}) == 0);
  testing::MirrorServer server(*python, s.root,
                               {"--tls-cert", cert.string(), "--tls-key", key.string()});
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/x";
  auto o = fast(0);
  o.ca_data = slurp(cert);

  SECTION("the CA from memory is trusted, but the name must match") {
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::tls);
  }
  SECTION("tls_server_name verifies against that name and keeps the URL") {
    o.tls_server_name = "kubernetes";
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE(r);
    CHECK(r->body == "x-body");
    CHECK(r->effective_url == url);
  }
  SECTION("a tls_server_name the certificate does not name fails") {
    o.tls_server_name = "other.example";
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::tls);
  }
  SECTION("without the CA, the system store does not trust it") {
    o.ca_data.clear();
    o.tls_server_name = "kubernetes";
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::tls);
  }
}
