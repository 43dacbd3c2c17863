// The HTTP client and the fetcher through tests/servers/fault_proxy.py in front of a real loopback
// mirror (tests/servers/mirror_server.py): each fault the proxy injects, once as a transient fault
// a bounded retry rides out and once as a persistent one that must end in a clear failure within
// a bounded time; requests that are not safe to repeat sent exactly once (the proxy's log counts
// them); Retry-After honoured and capped; and no partial download left in the cache. Skipped,
// with a warning, only when python3 is not installed.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>

#include "adapters/fetcher.hpp"
#include "adapters/hashing.hpp"
#include "adapters/http.hpp"
#include "fault_proxy.hpp"
#include "mirror_server.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kFile = "/dist/demo-1.0.tgz";

struct Site {
  testing::TempDir dir;
  stdfs::path root = dir.path() / "www";
  std::string body = std::string(200'000, 'z') + "end";
  Site() {
    stdfs::create_directories(root / "dist");
    std::ofstream(root / "dist" / "demo-1.0.tgz", std::ios::binary) << body;
    std::ofstream(root / "dist" / "demo-1.0.tgz.sha512")
        << hashing::hash_bytes(body, model::HashAlgorithm::sha512) << "  demo-1.0.tgz\n";
  }
};

http::Options quick(int retries = 3) {
  http::Options o;
  o.retries = retries;
  o.initial_backoff = std::chrono::milliseconds(20);
  o.connect_timeout = std::chrono::seconds(2);
  o.stall_timeout = std::chrono::seconds(1);
  return o;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every regular file under `dir` (a cache that must hold nothing after a failure).
std::vector<std::string> files_under(const stdfs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) out.push_back(it->path().string());
  return out;
}

// The setting of every case here: python3, a Site and the loopback mirror serving it; for the
// fetcher, an empty cache beside it.
struct Mirrored {
  stdfs::path python;
  Site site;
  testing::MirrorServer mirror;
  stdfs::path cache = site.dir.path() / "cache";

  explicit Mirrored(stdfs::path py) : python(std::move(py)), mirror(python, site.root) {}
  // fault_proxy.py with `args` in front of the mirror.
  testing::FaultProxy proxy(const std::vector<std::string>& args) const {
    return {python, mirror.url(), args};
  }
  fetch::Options options() const {
    fetch::Options fo;
    fo.cache_dir = cache;
    return fo;
  }
  model::Checksum want() const {
    return {model::HashAlgorithm::sha512,
            hashing::hash_bytes(site.body, model::HashAlgorithm::sha512)};
  }
};

// The setting, or null with a warning when python3 is not installed: the case is then skipped.
std::unique_ptr<Mirrored> mirrored() {
  auto python = testing::find_on_path("python3");
  if (!python) {
    WARN("python3 is not installed: the fault tests are skipped");
    return nullptr;
  }
  return std::make_unique<Mirrored>(*python);
}

}  // namespace

TEST_CASE("fault proxy: a GET rides out each transient fault with a bounded retry",
          "[http][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  const auto fault = GENERATE(as<std::string>{}, "drop-connect", "stall-connect", "drop-request",
                              "drop-response", "stall-response", "stall-body", "truncate-length",
                              "truncate-chunked", "429", "502", "503-retry-after", "503");
  INFO("fault " << fault);
  // Two faults, then clean traffic: the third attempt (of four allowed) gets the file.
  auto proxy = m->proxy({"--fault", fault + "=1", "--limit", "2", "--stall-seconds", "20"});
  auto client = http::make_curl_client(quick());
  const auto start = Clock::now();
  auto r = client->send({"GET", proxy.url(kFile), {}, {}});
  const double took = seconds_since(start);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.size() == m->site.body.size());
  CHECK(r->body == m->site.body);
  const auto log = proxy.log();
  REQUIRE(log.size() == 3);
  CHECK(log[0].fault == fault);
  CHECK(log[1].fault == fault);
  CHECK(log[2].fault == "none");
  if (fault == "429" || fault == "503-retry-after")
    CHECK(took >= 2.0);  // Retry-After: 1 honoured twice (the doubling backoff is shorter)
  // A stall in the middle of a body is seen later than the stall timeout: libcurl judges the speed
  // over the last seconds, and the half body sent before the stall keeps it up (about 7 s with a
  // 1 s stall timeout, measured here).
  CHECK(took < (fault == "stall-body" ? 25.0 : 10.0));
}

TEST_CASE("fault proxy: a persistent fault ends a GET within a bound, saying what happened",
          "[http][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  struct Case {
    std::string fault, said;
  };
  const auto c = GENERATE(
      Case{"drop-connect", "connection dropped"}, Case{"stall-connect", "timed out"},
      Case{"drop-request", "connection dropped without an answer"},
      Case{"drop-response", "connection dropped without an answer"},
      Case{"stall-response", "timed out"}, Case{"stall-body", "timed out"},
      Case{"truncate-length", "body truncated"}, Case{"truncate-chunked", "body truncated"});
  INFO("fault " << c.fault);
  auto proxy = m->proxy({"--fault", c.fault + "=1", "--stall-seconds", "20"});
  auto client = http::make_curl_client(quick(2));
  const auto start = Clock::now();
  auto r = client->send({"GET", proxy.url(kFile), {}, {}});
  const double took = seconds_since(start);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Contains("GET http://127.0.0.1:" + std::to_string(proxy.port())) &&
                                    Contains(c.said) && Contains("(after 3 attempts)"));
  CHECK(proxy.log().size() == 3);  // 1 + 2 retries, then no more
  // Three 1 s stalls at most, plus short backoffs; a stall mid-body about 7 s each (see above).
  CHECK(took < (c.fault == "stall-body" ? 35.0 : 8.0));
}

TEST_CASE("fault proxy: 5xx and 429 answers are retried only when transient",
          "[http][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  auto client = http::make_curl_client(quick(2));

  SECTION("a 500 without Retry-After is an answer: returned at once") {
    auto proxy = m->proxy({"--fault", "500=1"});
    auto r = client->send({"GET", proxy.url(kFile), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(proxy.log().size() == 1);
  }
  SECTION("persistent 503s: the last one is returned after the bounded retries") {
    auto proxy = m->proxy({"--fault", "503=1"});
    auto r = client->send({"GET", proxy.url(kFile), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(proxy.log().size() == 3);
  }
  SECTION("Retry-After is capped by max_backoff") {
    auto proxy = m->proxy({"--fault", "429=1", "--limit", "1", "--retry-after", "100"});
    auto o = quick(2);
    o.max_backoff = std::chrono::seconds(1);
    const auto start = Clock::now();
    auto r = http::make_curl_client(o)->send({"GET", proxy.url(kFile), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(seconds_since(start) < 5.0);
  }
}

TEST_CASE("fault proxy: a request that is not safe to repeat is sent once",
          "[http][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  auto client = http::make_curl_client(quick(3));

  SECTION("a POST dropped after the server acted, on a kept-alive connection, is not re-sent") {
    // The GET leaves a connection to reuse: libcurl itself re-sends any request on a reused
    // connection that closes before answering, unless the request gets a fresh connection.
    auto proxy = m->proxy({"--match", "^POST ", "--fault", "drop-response=1"});
    auto warm = client->send({"GET", proxy.url(kFile), {}, {}});
    REQUIRE(warm);
    http::Request post{"POST", proxy.url("/create"), {}, "{\"kind\": \"Job\"}"};
    auto r = client->send(post);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("POST http://127.0.0.1:") &&
                                      Contains("connection dropped without an answer"));
    CHECK(proxy.count("POST") == 1);
  }
  SECTION("a POST answered 503 is returned, not repeated") {
    auto proxy = m->proxy({"--match", "^POST ", "--fault", "503=1"});
    auto r = client->send({"POST", proxy.url("/create"), {}, "x"});
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(proxy.count("POST") == 1);
  }
  SECTION("a plain PATCH is not repeated; one marked idempotent (server-side apply) is") {
    auto proxy = m->proxy({"--match", "^PATCH ", "--fault", "drop-response=1", "--limit", "1"});
    auto plain = client->send({"PATCH", proxy.url("/a"), {}, "x"});
    REQUIRE_FALSE(plain);
    CHECK(proxy.count("PATCH") == 1);
    http::Request apply{"PATCH", proxy.url("/a"), {}, "x"};
    apply.idempotent = http::Idempotent::yes;
    auto again = m->proxy({"--match", "^PATCH ", "--fault", "drop-response=1", "--limit", "1"});
    apply.url = again.url("/a");
    auto r = client->send(apply);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(again.count("PATCH") == 2);
  }
  SECTION("a POST whose connection was refused (nothing sent) is tried again") {
    auto proxy = m->proxy({});
    const std::string url = proxy.url("/create");
    proxy.stop();
    auto r = http::make_curl_client(quick(1))->send({"POST", url, {}, "x"});
    REQUIRE_FALSE(r);
    CHECK(r.error().unsent);
    CHECK_THAT(r.error().message, Contains("cannot connect") && Contains("(after 2 attempts)"));
  }
}

TEST_CASE("fault proxy: the fetcher rides out transient truncations and stalls",
          "[fetcher][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  auto proxy =
      m->proxy({"--seed", "3", "--fault", "truncate-length=0.3", "--fault", "stall-body=0.2",
                "--fault", "truncate-chunked=0.2", "--limit", "3", "--stall-seconds", "20"});
  auto client = http::make_curl_client(quick(4));
  fetch::Fetcher fetcher(*client, m->options());
  auto r = fetcher.fetch({"demo", proxy.url(kFile), std::nullopt});  // the checksum read online too
  REQUIRE(r);
  CHECK(r->checksum.hex == m->want().hex);
  std::ifstream in(r->path, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == m->site.body);
  CHECK(files_under(m->cache) == std::vector<std::string>{r->path.string()});
  long faults = 0;
  for (const auto& e : proxy.log()) faults += e.fault != "none" ? 1 : 0;
  CHECK(faults >= 1);  // the seed makes at least one of them happen in this traffic
}

TEST_CASE("fault proxy: a download cut or stalled for good fails and leaves the cache empty",
          "[fetcher][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  const auto fault = GENERATE(as<std::string>{}, "truncate-length", "truncate-chunked",
                              "stall-body", "drop-response");
  INFO("fault " << fault);
  auto proxy = m->proxy({"--match", "tgz$", "--fault", fault + "=1", "--stall-seconds", "20"});
  auto client = http::make_curl_client(quick(1));
  fetch::Fetcher fetcher(*client, m->options());
  auto r = fetcher.fetch({"demo", proxy.url(kFile), m->want()});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == fetch::Failure::Kind::network);
  CHECK_THAT(r.error().message, Contains("cannot download demo: GET " + proxy.url(kFile)) &&
                                    Contains(fault == "stall-body"      ? "timed out"
                                             : fault == "drop-response" ? "connection dropped"
                                                                        : "body truncated") &&
                                    Contains("(after 2 attempts)"));
  CHECK(files_under(m->cache).empty());
}

TEST_CASE("fault proxy: a published checksum answered 500 fails naming status and URL",
          "[fetcher][faults][loopback]") {
  auto m = mirrored();
  if (!m) return;
  auto proxy = m->proxy({"--match", "sha512$", "--fault", "500=1"});
  auto client = http::make_curl_client(quick(1));
  fetch::Fetcher fetcher(*client, m->options());
  auto r = fetcher.fetch({"demo", proxy.url(kFile), std::nullopt});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "HTTP 500 from " + proxy.url(kFile) + ".sha512 (checksum of demo)");
  CHECK(files_under(m->cache).empty());
  CHECK(proxy.log().size() == 1);  // a 500 without Retry-After is not retried
}

TEST_CASE("http::with_environment: the STACKCTL_HTTP_* overrides", "[http]") {
  std::map<std::string, std::string> env;
  const http::EnvLookup lookup = [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  const http::Options none = http::with_environment({}, lookup);
  CHECK(none.retries == 3);
  CHECK(none.stall_timeout == std::chrono::seconds(60));
  CHECK(none.max_backoff == std::chrono::seconds(30));

  env = {{"STACKCTL_HTTP_RETRIES", "7"},
         {"STACKCTL_HTTP_BACKOFF_MS", "50"},
         {"STACKCTL_HTTP_MAX_WAIT", "2"},
         {"STACKCTL_HTTP_CONNECT_TIMEOUT", "3"},
         {"STACKCTL_HTTP_STALL_TIMEOUT", "4"}};
  const http::Options set = http::with_environment({}, lookup);
  CHECK(set.retries == 7);
  CHECK(set.initial_backoff == std::chrono::milliseconds(50));
  CHECK(set.max_backoff == std::chrono::seconds(2));
  CHECK(set.connect_timeout == std::chrono::seconds(3));
  CHECK(set.stall_timeout == std::chrono::seconds(4));

  http::Options vault;  // a client that does not retry at this layer stays so
  vault.retries = 0;
  CHECK(http::with_environment(vault, lookup).retries == 0);

  env = {{"STACKCTL_HTTP_RETRIES", "lots"},
         {"STACKCTL_HTTP_STALL_TIMEOUT", "-1"},
         {"STACKCTL_HTTP_BACKOFF_MS", "0"}};
  const http::Options bad = http::with_environment({}, lookup);
  CHECK(bad.retries == 3);
  CHECK(bad.stall_timeout == std::chrono::seconds(60));
  CHECK(bad.initial_backoff == std::chrono::milliseconds(500));
}
