// The HTTP client and the artifact fetcher against a REAL HTTP server on loopback
// (tests/servers/mirror_server.py over a mirror tree made here): downloads, verification, the
// cache (hit after the server is gone), mismatches, 404, retries after 503s and dropped
// connections, offline mode, and checksum resolution from .sha1 and both .sha512 formats.
// Skipped, with a warning, only when python3 is not installed.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/fetcher.hpp"
#include "adapters/hashing.hpp"
#include "adapters/http.hpp"
#include "mirror_server.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
namespace stdfs = std::filesystem;

namespace {

void write(const stdfs::path& p, const std::string& data) {
  REQUIRE(p.is_absolute());
  stdfs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

std::string read(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Large contents are compared by digest: Catch would print megabytes on a failure.
std::string digest_of(const std::string& data) {
  return std::to_string(data.size()) + " bytes, sha1 " +
         hashing::hash_bytes(data, model::HashAlgorithm::sha1);
}

// `gpg --print-md SHA512 FILE` layout: "FILE: " then upper-case groups of 8, five per line,
// continuation lines indented to line up under the first group.
std::string gpg_print_md(const std::string& file, const std::string& hex) {
  std::string out = file + ":";
  const std::string indent(file.size() + 1, ' ');
  for (std::size_t i = 0; i < hex.size(); i += 8) {
    if (i > 0 && (i / 8) % 5 == 0) out += "\n" + indent;
    out += " ";
    for (char c : hex.substr(i, 8))
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out + "\n";
}

model::Checksum sha(model::HashAlgorithm a, const std::string& data) {
  return {a, hashing::hash_bytes(data, a)};
}

// The mirror tree every test serves: Maven jars with .sha1 (and one with .sha512 too) and two
// Spark-like tarballs whose .sha512 files use the two formats Apache has published.
struct Mirror {
  testing::TempDir dir;
  stdfs::path root = dir.path() / "www";
  std::string jar = "PK fake jar for the fetcher tests\n";
  std::string jar2 = "PK another fake jar, with a .sha512\n";
  std::string tarball = std::string(2 * 1024 * 1024 + 17, 'x') + "tail";  // > progress threshold
  std::string old_tarball = "an old-style tarball\n";
  const char* jar_path = "/maven2/org/example/demo/1.0/demo-1.0.jar";
  const char* jar2_path = "/maven2/org/example/both/2.0/both-2.0.jar";
  const char* tgz_path = "/dist/spark-9.9.9/spark-9.9.9-bin-hadoop3.tgz";
  const char* old_tgz_path = "/dist/spark-2.9.9/spark-2.9.9-bin-hadoop2.7.tgz";

  // The file under the served folder for a URL path ("/maven2/..."): never the absolute path.
  stdfs::path at(const std::string& url_path) const { return root / url_path.substr(1); }

  Mirror() {
    using model::HashAlgorithm;
    write(at(jar_path), jar);
    write(at(std::string(jar_path) + ".sha1"), hashing::hash_bytes(jar, HashAlgorithm::sha1));
    write(at(jar2_path), jar2);
    write(at(std::string(jar2_path) + ".sha1"), hashing::hash_bytes(jar2, HashAlgorithm::sha1));
    write(at(std::string(jar2_path) + ".sha512"),
          hashing::hash_bytes(jar2, HashAlgorithm::sha512) + "  both-2.0.jar\n");
    write(at(tgz_path), tarball);
    write(at(std::string(tgz_path) + ".sha512"),
          hashing::hash_bytes(tarball, HashAlgorithm::sha512) + "  spark-9.9.9-bin-hadoop3.tgz\n");
    write(at(old_tgz_path), old_tarball);
    write(at(std::string(old_tgz_path) + ".sha512"),
          gpg_print_md("spark-2.9.9-bin-hadoop2.7.tgz",
                       hashing::hash_bytes(old_tarball, HashAlgorithm::sha512)));
  }
  stdfs::path cache() const { return dir.path() / "cache"; }
};

std::optional<stdfs::path> python3_or_skip() {
  auto python = testing::find_on_path("python3");
  if (!python) WARN("python3 is not installed: the loopback HTTP tests are skipped");
  return python;
}

http::Options fast_retries(int retries = 3) {
  http::Options o;
  o.retries = retries;
  o.initial_backoff = std::chrono::milliseconds(5);
  o.connect_timeout = std::chrono::seconds(5);
  return o;
}

fetch::Options options(const stdfs::path& cache, fetch::Network network = fetch::Network::online) {
  fetch::Options o;
  o.cache_dir = cache;
  o.network = network;
  return o;
}

long requests_for(http::Client& client, const testing::MirrorServer& server,
                  const std::string& key) {
  auto r = client.send({"GET", server.url("/_stats"), {}, {}});
  REQUIRE(r);
  const auto stats = nlohmann::json::parse(r->body);
  return stats.contains(key) ? stats[key].get<long>() : 0;
}

bool cache_has_no_temp_files(const stdfs::path& cache) {
  std::error_code ec;
  return stdfs::is_empty(cache / "tmp", ec) || !stdfs::exists(cache / "tmp");
}

}  // namespace

TEST_CASE("redact_url removes userinfo and secret query values", "[http]") {
  CHECK(http::redact_url("https://user:pass@host/p?token=x") == "https://host/p?token=REDACTED");
  CHECK(http::redact_url("https://host:8443/v2/x?n=1&X-Amz-Signature=abc&b=2#frag") ==
        "https://host:8443/v2/x?n=1&X-Amz-Signature=REDACTED&b=2#frag");
  CHECK(http::redact_url("https://repo1.maven.org/maven2/a.jar") ==
        "https://repo1.maven.org/maven2/a.jar");
  CHECK(http::redact_url("http://tok@host") == "http://host");
  CHECK(http::redact_url("https://host/p@q") == "https://host/p@q");  // '@' in the path is kept
  CHECK(http::redact_url("https://host/p?access_token=s3cr3t") ==
        "https://host/p?access_token=REDACTED");
}

TEST_CASE("default cache folder follows XDG", "[fetcher]") {
  CHECK(fetch::default_cache_dir("/x/cache", "/home/u") ==
        stdfs::path("/x/cache/stackctl/artifacts"));
  CHECK(fetch::default_cache_dir(nullptr, "/home/u") ==
        stdfs::path("/home/u/.cache/stackctl/artifacts"));
  CHECK(fetch::default_cache_dir("relative", "/home/u") ==
        stdfs::path("/home/u/.cache/stackctl/artifacts"));
  CHECK(fetch::default_cache_dir("", "").empty());
}

TEST_CASE("Maven coordinates map to mirror URLs", "[fetcher]") {
  model::MavenCoordinate c{"org.apache.hadoop", "hadoop-aws", "3.4.1", ""};
  CHECK(fetch::maven_url("https://repo1.maven.org/maven2/", c) ==
        "https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-aws/3.4.1/hadoop-aws-3.4.1.jar");
  model::Artifacts artifacts;
  model::Jar jar{"aws", c, std::nullopt, ""};
  CHECK(fetch::jar_url(artifacts, jar) ==
        "https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-aws/3.4.1/hadoop-aws-3.4.1.jar");
  jar.url = "https://example.org/x.jar";
  CHECK(fetch::jar_url(artifacts, jar) == "https://example.org/x.jar");
  CHECK(fetch::file_name_of("https://h/a/b/c.tgz?x=1#f") == "c.tgz");
}

TEST_CASE("http client against a loopback server", "[http][loopback]") {
  auto python = python3_or_skip();
  if (!python) {
    SUCCEED("python3 absent");
    return;
  }
  Mirror m;
  testing::MirrorServer server(*python, m.root);
  auto client = http::make_curl_client(fast_retries());

  SECTION("a 404 is a response, not a failure") {
    auto r = client->send({"GET", server.url("/nothing/here"), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  SECTION("GET returns body, lower-cased headers and the effective URL") {
    auto r = client->send({"GET", server.url(m.jar_path), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == m.jar);
    CHECK(r->headers.at("content-length") == std::to_string(m.jar.size()));
    CHECK(r->effective_url == server.url(m.jar_path));
  }
  SECTION("503s are retried with backoff, then the body arrives") {
    auto r = client->send({"GET", server.url(std::string("/flaky/2/a") + m.jar_path), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == m.jar);
    CHECK(requests_for(*client, server, "flaky:a") == 3);
    CHECK(r->attempts == 3);
  }
  SECTION("when retries run out, the last 503 is returned as a response") {
    auto once = http::make_curl_client(fast_retries(1));
    auto r = once->send({"GET", server.url(std::string("/flaky/5/b") + m.jar_path), {}, {}});
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(requests_for(*client, server, "flaky:b") == 2);
    CHECK(r->attempts == 2);
    CHECK(http::attempts_note(*r) == " (after 2 attempts)");
  }
  SECTION("a connection closed without a response is retried") {
    auto r = client->send({"GET", server.url(std::string("/drop/1/c") + m.jar_path), {}, {}});
    REQUIRE(r);
    CHECK(r->body == m.jar);
  }
  SECTION("download streams to a file; a 404 leaves no file") {
    const auto file = m.dir.path() / "out.bin";
    auto r = client->download({"GET", server.url(m.tgz_path), {}, {}}, file, {});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.empty());
    CHECK(digest_of(read(file)) == digest_of(m.tarball));
    auto missing = client->download({"GET", server.url("/nope.tgz"), {}, {}}, file, {});
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK_FALSE(stdfs::exists(file));
  }
  SECTION("connection refused is a network failure naming the redacted URL, after retries") {
    const std::string url =
        "http://user:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/x?token=t0k";
    server.stop();
    auto r = http::make_curl_client(fast_retries(1))->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::network);
    CHECK_THAT(r.error().message,
               Contains("127.0.0.1") && Contains("token=REDACTED") && Contains("after 2 attempts"));
    CHECK_THAT(r.error().message, !Contains("hunter2") && !Contains("t0k"));
  }
}

TEST_CASE("fetcher: download, verify, cache, and use the cache without network",
          "[fetcher][loopback]") {
  auto python = python3_or_skip();
  if (!python) {
    SUCCEED("python3 absent");
    return;
  }
  Mirror m;
  auto server = std::make_unique<testing::MirrorServer>(*python, m.root);
  auto client = http::make_curl_client(fast_retries());
  fetch::Fetcher fetcher(*client, options(m.cache()));
  const fetch::Artifact jar{"org.example:demo:1.0", server->url(m.jar_path),
                            sha(model::HashAlgorithm::sha1, m.jar)};

  auto first = fetcher.fetch(jar);
  REQUIRE(first);
  CHECK_FALSE(first->from_cache);
  CHECK(first->origin == fetch::ChecksumOrigin::pinned);
  CHECK(first->path == m.cache() / "sha1" / jar.expected->hex);
  CHECK(read(first->path) == m.jar);
  CHECK(first->size == m.jar.size());
  CHECK(cache_has_no_temp_files(m.cache()));

  server->stop();  // from here on, any network use would fail
  auto second = fetcher.fetch(jar);
  REQUIRE(second);
  CHECK(second->from_cache);
  CHECK(second->path == first->path);

  SECTION("offline mode uses the cache too") {
    fetch::Fetcher offline(*client, options(m.cache(), fetch::Network::offline));
    auto hit = offline.fetch(jar);
    REQUIRE(hit);
    CHECK(hit->from_cache);
  }
  SECTION("a corrupted cache entry is not used") {
    write(first->path, "tampered");
    fetch::Fetcher offline(*client, options(m.cache(), fetch::Network::offline));
    auto miss = offline.fetch(jar);
    REQUIRE_FALSE(miss);
    CHECK(miss.error().kind == fetch::Failure::Kind::not_cached);
    CHECK_FALSE(stdfs::exists(first->path));
  }
  SECTION("place() hard-links the cached file into a build context, replacing what was there") {
    const auto dest = m.dir.path() / "context" / "jars" / "demo-1.0.jar";
    write(dest, "old");
    REQUIRE(fetch::place(first->path, dest));
    CHECK(read(dest) == m.jar);
    CHECK(stdfs::equivalent(dest, first->path));
    REQUIRE(fetch::place(first->path, dest));  // again: a no-op
    CHECK(stdfs::hard_link_count(first->path) == 2);
  }
}

TEST_CASE("fetcher: failures say what happened", "[fetcher][loopback]") {
  auto python = python3_or_skip();
  if (!python) {
    SUCCEED("python3 absent");
    return;
  }
  Mirror m;
  testing::MirrorServer server(*python, m.root);
  auto client = http::make_curl_client(fast_retries());
  fetch::Fetcher fetcher(*client, options(m.cache()));

  SECTION("a checksum mismatch shows both checksums and the URL, and leaves nothing in the cache") {
    const model::Checksum wrong{model::HashAlgorithm::sha256, std::string(64, 'a')};
    auto r = fetcher.fetch({"demo", server.url(m.jar_path), wrong});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::checksum_mismatch);
    CHECK_THAT(r.error().message,
               Contains("expected sha256:" + wrong.hex) &&
                   Contains("actual   sha256:" +
                            hashing::hash_bytes(m.jar, model::HashAlgorithm::sha256)) &&
                   Contains(server.url(m.jar_path)));
    CHECK_FALSE(stdfs::exists(m.cache() / "sha256" / wrong.hex));
    CHECK(cache_has_no_temp_files(m.cache()));
  }
  SECTION("404 says where it looked") {
    const std::string url = server.url("/maven2/org/example/demo/9.9/demo-9.9.jar");
    auto r = fetcher.fetch({"org.example:demo:9.9", url,
                            model::Checksum{model::HashAlgorithm::sha1, std::string(40, '0')}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::not_found);
    CHECK(r.error().message == "org.example:demo:9.9: not found at " + url +
                                   " (HTTP 404); check the version or the mirror");
    CHECK(cache_has_no_temp_files(m.cache()));
  }
  SECTION("404 while resolving: no checksum file either") {
    const std::string url = server.url("/maven2/org/example/demo/9.9/demo-9.9.jar");
    auto r = fetcher.fetch({"org.example:demo:9.9", url, std::nullopt});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::not_found);
    CHECK_THAT(r.error().message,
               Contains(url + ".sha1") && Contains("check the version or the mirror"));
  }
  SECTION("503s are retried, then the download is verified") {
    const model::Checksum c = sha(model::HashAlgorithm::sha1, m.jar);
    auto r = fetcher.fetch({"demo", server.url(std::string("/flaky/3/f") + m.jar_path), c});
    REQUIRE(r);
    CHECK(read(r->path) == m.jar);
    CHECK(requests_for(*client, server, "flaky:f") == 4);
  }
  SECTION("too many 503s fail with the status") {
    auto r = fetcher.fetch({"demo", server.url(std::string("/flaky/9/g") + m.jar_path),
                            sha(model::HashAlgorithm::sha1, m.jar)});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::network);
    CHECK_THAT(r.error().message, Contains("HTTP 503") && Contains(" attempts)"));
  }
  SECTION("offline, a cache miss names the artifact") {
    fetch::Fetcher offline(*client, options(m.cache(), fetch::Network::offline));
    auto r = offline.fetch(
        {"org.example:demo:1.0", server.url(m.jar_path), sha(model::HashAlgorithm::sha1, m.jar)});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::not_cached);
    CHECK_THAT(r.error().message, Contains("org.example:demo:1.0") && Contains("offline") &&
                                      Contains(m.cache().string()));
    auto unpinned = offline.fetch({"org.example:demo:1.0", server.url(m.jar_path), std::nullopt});
    REQUIRE_FALSE(unpinned);
    CHECK(unpinned.error().kind == fetch::Failure::Kind::unresolved);
    CHECK_THAT(unpinned.error().message, Contains("stackctl lock"));
    CHECK(requests_for(*client, server, m.jar_path) == 0);
  }
}

TEST_CASE("fetcher: checksums resolved from the published files", "[fetcher][loopback]") {
  auto python = python3_or_skip();
  if (!python) {
    SUCCEED("python3 absent");
    return;
  }
  Mirror m;
  testing::MirrorServer server(*python, m.root);
  auto client = http::make_curl_client(fast_retries());
  std::vector<fetch::ProgressEvent> events;
  fetch::Options o = options(m.cache());
  o.progress = [&](const fetch::ProgressEvent& e) { events.push_back(e); };
  o.progress_interval = std::chrono::milliseconds(0);
  fetch::Fetcher fetcher(*client, o);

  SECTION("Maven: .sha1 when that is all there is") {
    auto r = fetcher.fetch({"demo", server.url(m.jar_path), std::nullopt});
    REQUIRE(r);
    CHECK(r->origin == fetch::ChecksumOrigin::resolved_online);
    CHECK(r->checksum.algorithm == model::HashAlgorithm::sha1);
    CHECK(r->checksum.hex == hashing::hash_bytes(m.jar, model::HashAlgorithm::sha1));
    CHECK(r->checksum_url == server.url(std::string(m.jar_path) + ".sha1"));
    CHECK(events.empty());  // small file: no progress
  }
  SECTION("Maven: .sha512 preferred when published") {
    auto r = fetcher.resolve_checksum({"both", server.url(m.jar2_path), std::nullopt});
    REQUIRE(r);
    CHECK(r->checksum.algorithm == model::HashAlgorithm::sha512);
    CHECK(r->checksum.hex == hashing::hash_bytes(m.jar2, model::HashAlgorithm::sha512));
  }
  SECTION("Apache: sha512sum-style .sha512, with progress for a large download") {
    auto r = fetcher.fetch({"spark", server.url(m.tgz_path), std::nullopt});
    REQUIRE(r);
    CHECK(r->checksum.algorithm == model::HashAlgorithm::sha512);
    CHECK(r->checksum.hex == hashing::hash_bytes(m.tarball, model::HashAlgorithm::sha512));
    CHECK(digest_of(read(r->path)) == digest_of(m.tarball));
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().finished);
    CHECK(events.back().done == m.tarball.size());
    CHECK(events.back().total == m.tarball.size());
    CHECK(events.front().name == "spark");
  }
  SECTION("Apache: gpg --print-md style .sha512") {
    auto r = fetcher.fetch({"spark", server.url(m.old_tgz_path), std::nullopt});
    REQUIRE(r);
    CHECK(r->checksum.hex == hashing::hash_bytes(m.old_tarball, model::HashAlgorithm::sha512));
    CHECK(r->origin == fetch::ChecksumOrigin::resolved_online);
  }
  SECTION("a published checksum that does not match the file is a mismatch") {
    write(m.at(std::string(m.jar_path) + ".sha1"), std::string(40, 'b') + "\n");
    auto r = fetcher.fetch({"demo", server.url(m.jar_path), std::nullopt});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::checksum_mismatch);
    CHECK_THAT(r.error().message,
               Contains("sha1:" + std::string(40, 'b')) && Contains("published at"));
  }
  SECTION("an HTML page instead of a checksum is refused") {
    write(m.at(std::string(m.tgz_path) + ".sha512"), "<html><body>mirror list</body></html>\n");
    auto r = fetcher.fetch({"spark", server.url(m.tgz_path), std::nullopt});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == fetch::Failure::Kind::unresolved);
    CHECK_THAT(r.error().message, Contains("HTML"));
  }
}

TEST_CASE("http client verifies TLS", "[http][loopback]") {
  auto python = python3_or_skip();
  auto openssl = testing::find_on_path("openssl");
  if (!python || !openssl) {
    if (!openssl) WARN("openssl is not installed: the TLS test is skipped");
    SUCCEED("python3 or openssl absent");
    return;
  }
  Mirror m;
  const auto cert = m.dir.path() / "cert.pem";
  const auto key = m.dir.path() / "key.pem";
  REQUIRE(testing::run_program({openssl->string(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                "subjectAltName=IP:127.0.0.1", "-keyout", key.string(), "-out",
                                cert.string()}) == 0);
  testing::MirrorServer server(*python, m.root,
                               {"--tls-cert", cert.string(), "--tls-key", key.string()});
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + m.jar_path;

  SECTION("an unknown certificate authority is a TLS failure, not retried") {
    auto r = http::make_curl_client(fast_retries())->send({"GET", url, {}, {}});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == http::Failure::Kind::tls);
    CHECK_THAT(r.error().message, Contains(url) && !Contains("attempts"));
  }
  SECTION("the CA file given in the options is trusted") {
    auto o = fast_retries();
    o.ca_file = cert.string();
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE(r);
    CHECK(r->body == m.jar);
  }
  SECTION("insecure_skip_verify skips verification") {
    auto o = fast_retries();
    o.insecure_skip_verify = true;
    auto r = http::make_curl_client(o)->send({"GET", url, {}, {}});
    REQUIRE(r);
    CHECK(r->status == 200);
  }
}
