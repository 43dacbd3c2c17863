// Image references: Docker's normalisation and every kind of bad reference with its message.
// Expected values follow distribution/reference's normalize_test.go and reference_test.go.
#include <catch2/catch.hpp>

#include "core/image_ref.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

ImageRef ok(std::string_view text) {
  auto r = parse_image_ref(text);
  if (!r) FAIL(r.error().message);
  return *r;
}

std::string error_of(std::string_view text) {
  auto r = parse_image_ref(text);
  REQUIRE_FALSE(r.has_value());
  CHECK_FALSE(r.error().hint.empty());
  return r.error().message;
}

const std::string kDigest =
    "sha256:4b1e3b3a5b0f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";

}  // namespace

TEST_CASE("image ref: Docker Hub short names get docker.io and library/", "[image_ref]") {
  const auto r = ok("debian");
  CHECK(r.registry == "docker.io");
  CHECK(r.repository == "library/debian");
  CHECK(r.tag == "latest");
  CHECK(r.digest.empty());
  CHECK(r.api_host() == "registry-1.docker.io");
  CHECK(r.str() == "docker.io/library/debian:latest");
  CHECK(ok("debian:bookworm-slim").str() == "docker.io/library/debian:bookworm-slim");
  CHECK(ok("apache/spark:4.0.1").repository == "apache/spark");
  CHECK(ok("docker.io/debian").repository == "library/debian");
  CHECK(ok("index.docker.io/library/debian:12").str() == "docker.io/library/debian:12");
}

TEST_CASE("image ref: registries, ports and loopback", "[image_ref]") {
  const auto r = ok("registry.example.com/data-platform/spark-base:spark-4.0.1-uc-0.3.1-fix-v4");
  CHECK(r.registry == "registry.example.com");
  CHECK(r.repository == "data-platform/spark-base");
  CHECK(r.tag == "spark-4.0.1-uc-0.3.1-fix-v4");
  CHECK(r.short_name() == "spark-base");
  CHECK_FALSE(r.is_loopback());
  CHECK(r.api_host() == "registry.example.com");

  const auto local = ok("localhost:5000/demo/app:t1");
  CHECK(local.registry == "localhost:5000");
  CHECK(local.host_name() == "localhost");
  CHECK(local.is_loopback());
  CHECK(ok("localhost/app").registry == "localhost");
  CHECK(ok("127.0.0.1:41234/x/y").is_loopback());
  CHECK(ok("127.0.0.1:41234/x/y").tag == "latest");
  CHECK(ok("[::1]:5000/x").host_name() == "::1");
  CHECK(ok("[::1]:5000/x").is_loopback());
  // A first component without '.', ':' or "localhost" is a Docker Hub namespace.
  CHECK(ok("myhost/app").registry == "docker.io");
  CHECK(ok("myhost/app").repository == "myhost/app");
  // Upper case in the first component makes it a registry (repositories cannot have it).
  CHECK(ok("MyHost/app").registry == "MyHost");
}

TEST_CASE("image ref: digests pin the content", "[image_ref]") {
  const auto d = ok("quay.io/org/img@" + kDigest);
  CHECK(d.tag.empty());
  CHECK(d.digest == kDigest);
  CHECK(d.reference() == kDigest);
  CHECK(d.str() == "quay.io/org/img@" + kDigest);
  const auto both = ok("quay.io/org/img:v1@" + kDigest);
  CHECK(both.tag == "v1");
  CHECK(both.reference() == kDigest);
  CHECK(is_sha256_digest(kDigest));
  CHECK_FALSE(is_sha256_digest("sha256:abc"));
}

TEST_CASE("image ref: separators in repository names", "[image_ref]") {
  CHECK(ok("a/b_c/d__e/f-g/h---i/j.k").repository == "a/b_c/d__e/f-g/h---i/j.k");
}

TEST_CASE("image ref: bad references say what is wrong", "[image_ref]") {
  CHECK_THAT(error_of(""), Contains("empty"));
  CHECK_THAT(error_of("https://registry.example.com/app:1"), Contains("no scheme"));
  CHECK_THAT(error_of("Debian:12"), Contains("must be lower case"));
  CHECK_THAT(error_of("registry.example.com/Team/app"),
             Contains("\"Team/app\" must be lower case"));
  CHECK_THAT(error_of("app:"), Contains("tag \"\""));
  CHECK_THAT(error_of("app:-bad"), Contains("tag \"-bad\""));
  CHECK_THAT(error_of("app:" + std::string(129, 'a')), Contains("tag"));
  CHECK_THAT(error_of("app@sha256:abc"), Contains("exactly 64 lower-case hex digits"));
  CHECK_THAT(error_of("app@md5:d41d8cd98f00b204e9800998ecf8427e"), Contains("not sha256"));
  CHECK_THAT(error_of("app@" + std::string("sha256:") + std::string(64, 'A')),
             Contains("lower-case"));
  CHECK_THAT(error_of("a//b"), Contains("separated by"));
  CHECK_THAT(error_of("a/b-"), Contains("separated by"));
  CHECK_THAT(error_of("-a"), Contains("separated by"));
  CHECK_THAT(error_of("bad_host:5000:x/app"), Contains("registry \"bad_host:5000:x\""));
  CHECK_THAT(error_of("my app"), Contains("white space"));
  CHECK_THAT(error_of(std::string(64, 'a')), Contains("image ID"));
  CHECK_THAT(error_of("r.io/" + std::string(260, 'a')), Contains("longer than 255"));
}
