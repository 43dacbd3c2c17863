// The registry client against an in-memory registry (registry_fake.hpp): the pull exchange, auth
// challenges, digest verification, platform selection, and the messages of every failure.
#include <catch2/catch.hpp>
#include <sstream>

#include "adapters/registry.hpp"
#include "adapters/registry_auth.hpp"
#include "cli/check_image_cmd.hpp"
#include "cli/exit_codes.hpp"
#include "core/knowledge/check_image.hpp"
#include "core/stack/loader.hpp"
#include "registry_fake.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using registry::Failure;
using testing::FakeRegistry;

namespace {

const std::map<std::string, std::string> kLabels = {{"io.stackctl.versions.spark", "3.5.7"},
                                                    {"maintainer", "data-platform"}};

ImageRef ref_of(const std::string& text) {
  auto r = parse_image_ref(text);
  REQUIRE(r.has_value());
  return *r;
}

registry::CredentialLookup creds(const std::string& user, const std::string& pass) {
  return [user, pass](
             const ImageRef&) -> std::expected<std::optional<registry::Credentials>, std::string> {
    return registry::Credentials{user, Secret(pass), "test-auth.json"};
  };
}

std::string summary_of(const FakeRegistry& fake) {
  std::string s;
  for (const auto& r : fake.requests) s += r.method + " " + r.url + "\n";
  return s;
}

}  // namespace

TEST_CASE("registry: anonymous inspect reads labels and verifies digests", "[registry]") {
  FakeRegistry fake;
  const std::string digest = fake.put_image("dp/spark-base", kLabels, "t1");
  registry::Client client(fake, {}, registry::no_credentials());
  auto info = client.inspect(ref_of("registry.example.com/dp/spark-base:t1"));
  REQUIRE(info.has_value());
  CHECK(info->digest == digest);
  CHECK(info->manifest_digest == digest);
  CHECK(info->media_type == registry::kOciManifest);
  CHECK(info->labels == kLabels);
  CHECK(info->os == "linux");
  CHECK(info->architecture == "amd64");
  CHECK(info->name == "registry.example.com/dp/spark-base:t1");
  CHECK(summary_of(fake) ==
        "GET https://registry.example.com/v2/\n"
        "GET https://registry.example.com/v2/dp/spark-base/manifests/t1\n"
        "GET https://registry.example.com/v2/dp/spark-base/blobs/" +
            info->config_digest + "\n");
  const auto& accept = fake.requests[1].headers.at(0);
  CHECK(accept.name == "Accept");
  for (auto t : {registry::kOciIndex, registry::kOciManifest, registry::kDockerManifest,
                 registry::kDockerManifestList})
    CHECK_THAT(accept.value, Contains(std::string(t)));
}

TEST_CASE("registry: loopback and insecure registries use plain HTTP", "[registry]") {
  FakeRegistry fake;
  fake.scheme = "http";
  fake.host = "127.0.0.1:5000";
  fake.put_image("demo/app", kLabels, "t");
  registry::Client client(fake, {}, registry::no_credentials());
  REQUIRE(client.inspect(ref_of("127.0.0.1:5000/demo/app:t")).has_value());

  FakeRegistry lan;
  lan.scheme = "http";
  lan.host = "registry.lan:5000";
  lan.put_image("demo/app", kLabels, "t");
  registry::Client https_client(lan, {}, registry::no_credentials());
  auto refused = https_client.inspect(ref_of("registry.lan:5000/demo/app:t"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().kind == Failure::Kind::unreachable);
  CHECK_THAT(refused.error().hint, Contains("--registry-insecure"));
  registry::Client insecure(lan, {true, "linux/amd64", {}}, registry::no_credentials());
  CHECK(insecure.inspect(ref_of("registry.lan:5000/demo/app:t")).has_value());
  registry::Client listed(lan, {false, "linux/amd64", {"registry.lan:5000"}},
                          registry::no_credentials());
  CHECK(listed.inspect(ref_of("registry.lan:5000/demo/app:t")).has_value());
}

TEST_CASE("registry: fetching by digest verifies the bytes", "[registry]") {
  FakeRegistry fake;
  const std::string digest = fake.put_image("dp/app", kLabels);
  registry::Client client(fake, {}, registry::no_credentials());
  auto info = client.inspect(ref_of("registry.example.com/dp/app@" + digest));
  REQUIRE(info.has_value());
  CHECK(info->digest == digest);
}

TEST_CASE("registry: content that does not hash to its digest is refused", "[registry]") {
  FakeRegistry fake;
  const std::string digest = fake.put_image("dp/app", kLabels, "t");
  const std::string wrong = "sha256:" + std::string(64, '0');
  SECTION("manifest header") {
    fake.wrong_digest_header["/v2/dp/app/manifests/t"] = wrong;
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::digest_mismatch);
    CHECK_THAT(info.error().message, Contains("hash to " + digest + ", not " + wrong));
  }
  SECTION("config blob") {
    registry::Client probe(fake, {}, registry::no_credentials());
    const std::string config =
        probe.inspect(ref_of("registry.example.com/dp/app:t"))->config_digest;
    fake.corrupt_blob[config] = "{\"config\":{\"Labels\":{\"io.stackctl.versions.spark\":\"9\"}}}";
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::digest_mismatch);
    CHECK_THAT(info.error().message, Contains("blob " + config));
  }
}

TEST_CASE("registry: an index resolves to the platform", "[registry]") {
  FakeRegistry fake;
  const std::string amd = fake.put_image("dp/app", {{"arch", "amd64"}}, {}, "amd64");
  const std::string arm = fake.put_image("dp/app", {{"arch", "arm64"}}, {}, "arm64");
  const std::string index = fake.put_index(
      "dp/app", {{amd, "attestation"}, {arm, "linux/arm64"}, {amd, "linux/amd64"}}, "multi");
  registry::Client client(fake, {}, registry::no_credentials());
  auto info = client.inspect(ref_of("registry.example.com/dp/app:multi"));
  REQUIRE(info.has_value());
  CHECK(info->digest == index);
  CHECK(info->manifest_digest == amd);
  CHECK(info->labels.at("arch") == "amd64");

  registry::Client arm_client(fake, {false, "linux/arm64", {}}, registry::no_credentials());
  CHECK(arm_client.inspect(ref_of("registry.example.com/dp/app:multi"))->labels.at("arch") ==
        "arm64");

  registry::Client s390(fake, {false, "linux/s390x", {}}, registry::no_credentials());
  auto none = s390.inspect(ref_of("registry.example.com/dp/app:multi"));
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().kind == Failure::Kind::no_platform);
  CHECK_THAT(none.error().message,
             Contains("no image for platform linux/s390x; it has linux/arm64, linux/amd64"));
  CHECK_THAT(none.error().hint, Contains("--platform"));
}

TEST_CASE("registry: bearer token auth", "[registry]") {
  FakeRegistry fake;
  fake.auth = FakeRegistry::Auth::bearer;
  fake.put_image("dp/app", kLabels, "t");
  SECTION("credentials get a token, the token is reused") {
    registry::Client client(fake, {}, creds("alice", "s3cret-pass"));
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE(info.has_value());
    CHECK(summary_of(fake) ==
          "GET https://registry.example.com/v2/\n"
          "GET https://registry.example.com/v2/dp/app/manifests/t\n"
          "GET "
          "https://registry.example.com/"
          "token?service=fake-registry&scope=repository%3Adp%2Fapp%3Apull\n"
          "GET https://registry.example.com/v2/dp/app/manifests/t\n"
          "GET https://registry.example.com/v2/dp/app/blobs/" +
              info->config_digest + "\n");
    CHECK(fake.authorization(1).empty());  // anonymous first
    CHECK(fake.authorization(2) == fake.basic());
    CHECK(fake.authorization(3) == "Bearer TOKEN-abc123");
    CHECK(fake.authorization(4) == "Bearer TOKEN-abc123");
  }
  SECTION("wrong password: the message names the user and the file, never the password") {
    registry::Client client(fake, {}, creds("alice", "wrong-pass"));
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::unauthorized);
    CHECK_THAT(info.error().message,
               Contains("refused the credentials of user alice from test-auth.json"));
    CHECK_THAT(info.error().message + info.error().hint, !Contains("wrong-pass"));
  }
  SECTION("no credentials") {
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::unauthorized);
    CHECK_THAT(info.error().message, Contains("refused anonymous access"));
    CHECK_THAT(info.error().hint, Contains("skopeo login registry.example.com"));
  }
}

TEST_CASE("registry: basic auth", "[registry]") {
  FakeRegistry fake;
  fake.auth = FakeRegistry::Auth::basic;
  fake.put_image("dp/app", kLabels, "t");
  registry::Client client(fake, {}, creds("alice", "s3cret-pass"));
  REQUIRE(client.inspect(ref_of("registry.example.com/dp/app:t")).has_value());
  CHECK(fake.authorization(fake.requests.size() - 1) == fake.basic());

  registry::Client anonymous(fake, {}, registry::no_credentials());
  auto info = anonymous.inspect(ref_of("registry.example.com/dp/app:t"));
  REQUIRE_FALSE(info.has_value());
  CHECK(info.error().kind == Failure::Kind::unauthorized);
  CHECK_THAT(info.error().message, Contains("no credentials for it were found"));
  CHECK_THAT(info.error().hint, Contains("REGISTRY_AUTH_FILE"));

  registry::Client wrong(fake, {}, creds("alice", "nope"));
  auto refused = wrong.inspect(ref_of("registry.example.com/dp/app:t"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().kind == Failure::Kind::unauthorized);
  CHECK_THAT(
      refused.error().message,
      Contains(
          "refused access to dp/app for user alice from test-auth.json (HTTP 401: UNAUTHORIZED"));
  CHECK_THAT(refused.error().message + refused.error().hint, !Contains("nope"));
}

TEST_CASE("registry: find_manifest tells whether a tag exists", "[registry]") {
  FakeRegistry fake;
  const std::string digest = fake.put_image("dp/app", kLabels, "t");
  registry::Client client(fake, {}, registry::no_credentials());
  auto found = client.find_manifest(ref_of("registry.example.com/dp/app:t"));
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  CHECK((*found)->digest == digest);
  CHECK((*found)->media_type == registry::kOciManifest);
  CHECK(fake.requests.back().method == "HEAD");
  auto missing = client.find_manifest(ref_of("registry.example.com/dp/app:nope"));
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->has_value());
  // No digest header on HEAD: GET and hash.
  fake.send_digest_header = false;
  auto hashed = client.find_manifest(ref_of("registry.example.com/dp/app:t"));
  REQUIRE(hashed.has_value());
  CHECK((*hashed)->digest == digest);
}

TEST_CASE("registry: failures say what and where", "[registry]") {
  FakeRegistry fake;
  fake.put_image("dp/app", kLabels, "t");
  SECTION("down") {
    fake.down = true;
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::unreachable);
    CHECK_THAT(info.error().message, Contains("cannot reach registry registry.example.com"));
    CHECK_THAT(info.error().message, Contains("Connection refused"));
    CHECK_THAT(info.error().hint, Contains("is the registry running"));
  }
  SECTION("not a registry") {
    fake.v2 = false;
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:t"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::not_registry);
    CHECK_THAT(info.error().message, Contains("does not serve the registry API v2"));
  }
  SECTION("unknown tag") {
    registry::Client client(fake, {}, registry::no_credentials());
    auto info = client.inspect(ref_of("registry.example.com/dp/app:missing"));
    REQUIRE_FALSE(info.has_value());
    CHECK(info.error().kind == Failure::Kind::not_found);
    CHECK_THAT(info.error().message, Contains("manifest missing in registry.example.com/dp/app: "
                                              "HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)"));
    CHECK_THAT(info.error().hint,
               Contains("skopeo list-tags docker://registry.example.com/dp/app"));
  }
}

TEST_CASE("registry auth: WWW-Authenticate challenges", "[registry]") {
  auto c = registry::parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].params.at("realm") == "https://auth.docker.io/token");
  CHECK(c[0].params.at("service") == "registry.docker.io");
  CHECK(c[0].params.at("scope") == "repository:library/debian:pull");
  c = registry::parse_www_authenticate(R"(Basic realm="Registry \"Realm\"", charset="UTF-8")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].params.at("realm") == "Registry \"Realm\"");
  CHECK(c[0].params.at("charset") == "UTF-8");
  c = registry::parse_www_authenticate(R"(Basic realm="a", Bearer realm="https://t/x",service=s)");
  REQUIRE(c.size() == 2);
  CHECK(c[1].scheme == "bearer");
  CHECK(c[1].params.at("service") == "s");
  CHECK(registry::parse_www_authenticate("").empty());
}

TEST_CASE("registry auth: auth files", "[registry]") {
  const std::map<std::string, std::string> env = {{"REGISTRY_AUTH_FILE", "/a/auth.json"},
                                                  {"XDG_RUNTIME_DIR", "/run/user/0"},
                                                  {"HOME", "/home/u"}};
  const registry::Env lookup = [&](std::string_view n) -> std::optional<std::string> {
    const auto it = env.find(std::string(n));
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  const auto paths = registry::auth_file_paths(lookup);
  REQUIRE(paths.size() == 4);
  CHECK(paths[0] == "/a/auth.json");
  CHECK(paths[1] == "/run/user/0/containers/auth.json");
  CHECK(paths[2] == "/home/u/.config/containers/auth.json");
  CHECK(paths[3] == "/home/u/.docker/config.json");

  const std::string docker =
      R"({"auths": {"https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcmV0"},
                                           "reg.io": {"auth": "Ym9iOmh1bnRlcjI="},
                                           "reg.io/team": {"auth": "dGVhbTp0ZWFtcGFzcw=="}}})";
  auto hub = registry::credentials_in_auth_json(docker, "cfg", ref_of("debian:12"));
  REQUIRE(hub.has_value());
  REQUIRE(hub->has_value());
  CHECK((*hub)->username == "alice");
  CHECK((*hub)->password.reveal() == "s3cret");
  CHECK((*hub)->source == "cfg");
  auto team = registry::credentials_in_auth_json(docker, "cfg", ref_of("reg.io/team/app:1"));
  CHECK((*team)->username == "team");  // the most specific key wins
  auto other = registry::credentials_in_auth_json(docker, "cfg", ref_of("reg.io/other/app:1"));
  CHECK((*other)->username == "bob");
  auto none = registry::credentials_in_auth_json(docker, "cfg", ref_of("quay.io/x/y"));
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  auto broken = registry::credentials_in_auth_json(
      R"({"auths": {"reg.io": {"auth": "bm9jb2xvbg=="}}})", "cfg", ref_of("reg.io/a"));
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error() == "cfg: auths.reg.io.auth is not base64 of \"user:password\"");
  CHECK_FALSE(registry::credentials_in_auth_json("{", "cfg", ref_of("reg.io/a")).has_value());
  // A Secret never prints.
  std::ostringstream os;
  os << (*hub)->password;
  CHECK(os.str() == "<redacted>");
}

TEST_CASE("check --image: reads images through the client and judges them", "[registry]") {
  Diagnostics diags;
  auto stack = load_stack(test::kMinimalStack, {"demo.stack.yaml", "", nullptr}, diags);
  REQUIRE(stack.has_value());
  FakeRegistry fake;
  auto labels = check_image::expected_labels(*stack, *stack->find_image("base"));
  fake.put_image("demo/base", labels, "good");
  labels["io.stackctl.versions.spark"] = "3.5.1";
  fake.put_image("demo/base", labels, "bad");
  std::ostringstream out, err;
  cli::Context ctx{{}, out, err};
  cli::ImageCheckOptions opts;
  opts.refs = {"registry.example.com/demo/base:good", "registry.example.com/demo/base:bad"};
  auto result = cli::check_images(ctx, *stack, opts, &fake);
  CHECK(result.exit_code == cli::kOk);
  REQUIRE(result.images.size() == 2);
  CHECK(result.images[0].findings.empty());
  REQUIRE(result.images[1].findings.size() == 1);
  CHECK(result.images[1].findings[0].diag.code == "SI002");
  cli::print_images_text(ctx, out, result);
  CHECK_THAT(out.str(), Contains("image registry.example.com/demo/base:good: sha256:"));
  // 7 labels: no catalog here, so scala, hadoop and awsSdk are not derived and not labelled.
  CHECK_THAT(out.str(), Contains("(linux/amd64, 7 labels): matches the stack"));
  CHECK_THAT(out.str(), Contains("(linux/amd64, 7 labels): 1 error, 0 warnings"));
  CHECK(cli::images_json(result)[1]["labels"]["io.stackctl.versions.spark"] == "3.5.1");

  opts.platform = "amd64";
  CHECK(cli::check_images(ctx, *stack, opts, &fake).exit_code == cli::kUsage);
  CHECK_THAT(err.str(), Contains("--platform \"amd64\" is not OS/ARCH[/VARIANT]"));
  opts.platform = "linux/arm64/v8";  // valid; a single-platform image is read whatever it says
  CHECK(cli::check_images(ctx, *stack, opts, &fake).exit_code == cli::kOk);
  opts.platform = "linux/amd64";
  opts.refs = {"Bad Ref"};
  CHECK(cli::check_images(ctx, *stack, opts, &fake).exit_code == cli::kUsage);
  CHECK_THAT(err.str(), Contains("invalid image reference \"Bad Ref\""));
  fake.down = true;
  opts.refs = {"registry.example.com/demo/base:good"};
  auto down = cli::check_images(ctx, *stack, opts, &fake);
  CHECK(down.exit_code == cli::kExternalError);
  CHECK_FALSE(down.images.at(0).read);
  CHECK_THAT(err.str(),
             Contains("image registry.example.com/demo/base:good: cannot reach registry"));
}
