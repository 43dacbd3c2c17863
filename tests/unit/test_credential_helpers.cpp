// Docker credential helpers (credHelpers, credsStore) in auth files: the docker-credential-*
// protocol driven through proc::Runner (here a recording fake; tests/integration/registry_auth.sh
// runs a real helper script against a real registry), the order within a file, one run per
// registry, and secrets that never reach a message.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "adapters/fs.hpp"
#include "adapters/registry_auth.hpp"
#include "fakes/fake_runner.hpp"

using namespace stackctl;

namespace {

ImageRef ref_of(const std::string& text) {
  auto r = parse_image_ref(text);
  REQUIRE(r);
  return *r;
}

// A HOME with ~/.docker/config.json holding `config`.
struct DockerHome {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("stackctl-credhelper-" + fs::random_suffix());
  explicit DockerHome(const std::string& config) {
    std::filesystem::create_directories(dir / ".docker");
    std::ofstream(dir / ".docker/config.json") << config;
  }
  ~DockerHome() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  registry::Env env() const {
    return [d = dir.string()](std::string_view name) -> std::optional<std::string> {
      if (name == "HOME") return d;
      return std::nullopt;
    };
  }
};

const std::string kAnswer =
    R"({"ServerURL":"reg.test:5000","Username":"robot","Secret":"s3cret-helper-pw"})";

}  // namespace

TEST_CASE("credential helper: `get` with the server URL on stdin, JSON on stdout", "[registry]") {
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command&) { return fakes::exited(0, kAnswer + "\n"); };
  auto creds = registry::run_credential_helper(runner, "test", "reg.test:5000", "credHelpers in c");
  REQUIRE(creds);
  REQUIRE(*creds);
  CHECK((*creds)->username == "robot");
  CHECK((*creds)->password.reveal() == "s3cret-helper-pw");
  CHECK((*creds)->source == "docker-credential-test (credHelpers in c)");
  REQUIRE(runner.commands.size() == 1);
  CHECK(runner.lines() == std::vector<std::string>{"docker-credential-test get"});
  CHECK(runner.commands[0].stdin_data == "reg.test:5000");
}

TEST_CASE("credential helper: not found, failures and answers outside the protocol", "[registry]") {
  fakes::FakeRunner runner;
  SECTION("the protocol's not-found text is no credentials, not an error") {
    runner.answer = [](const proc::Command&) {
      return fakes::exited(1, "credentials not found in native keychain\n");
    };
    auto creds = registry::run_credential_helper(runner, "test", "reg.test", "credsStore in c");
    REQUIRE(creds);
    CHECK_FALSE(*creds);
  }
  SECTION("another failure says which helper, where it is configured, and its words") {
    runner.answer = [](const proc::Command&) { return fakes::exited(1, "keychain locked\n"); };
    auto creds = registry::run_credential_helper(runner, "test", "reg.test", "credsStore in c");
    REQUIRE_FALSE(creds);
    CHECK(creds.error() ==
          "credential helper docker-credential-test (credsStore in c) failed for reg.test "
          "(exit 1): keychain locked");
  }
  SECTION("a helper that is not installed") {
    runner.answer = [](const proc::Command&) -> std::expected<proc::Result, proc::Failure> {
      return std::unexpected(proc::Failure{"docker-credential-test: not found in PATH"});
    };
    auto creds = registry::run_credential_helper(runner, "test", "reg.test", "credHelpers in c");
    REQUIRE_FALSE(creds);
    CHECK(creds.error().find("cannot run credential helper docker-credential-test (credHelpers "
                             "in c): docker-credential-test: not found in PATH") == 0);
  }
  SECTION("not JSON, and no secret in the message") {
    runner.answer = [](const proc::Command&) { return fakes::exited(0, "s3cret-helper-pw"); };
    auto creds = registry::run_credential_helper(runner, "test", "reg.test", "c");
    REQUIRE_FALSE(creds);
    CHECK(creds.error().find("with something other than") != std::string::npos);
    CHECK(creds.error().find("s3cret") == std::string::npos);
  }
  SECTION("an identity token (Username <token>) is refused, without the token") {
    runner.answer = [](const proc::Command&) {
      return fakes::exited(0, R"({"ServerURL":"r","Username":"<token>","Secret":"refresh-tok"})");
    };
    auto creds = registry::run_credential_helper(runner, "test", "reg.test", "c");
    REQUIRE_FALSE(creds);
    CHECK(creds.error().find("identity token") != std::string::npos);
    CHECK(creds.error().find("refresh-tok") == std::string::npos);
  }
}

TEST_CASE("auth files: credHelpers for the registry, then credsStore, then auths; one run each",
          "[registry]") {
  const std::string auth = "dXNlcjpmaWxlLXB3";  // user:file-pw
  DockerHome home(R"({"credHelpers": {"reg.test:5000": "ecr-login"}, "credsStore": "store",
                      "auths": {"reg.test:5000": {"auth": ")" +
                  auth + R"("}, "other.test": {"auth": ")" + auth + R"("}}})");
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command& c) {
    if (c.argv[0] == "docker-credential-ecr-login") return fakes::exited(0, kAnswer);
    return fakes::exited(1, "credentials not found in native keychain");
  };
  auto lookup = registry::auth_files_lookup(home.env(), &runner);

  auto a = lookup(ref_of("reg.test:5000/dp/spark-base:1"));
  REQUIRE(a);
  REQUIRE(*a);
  CHECK((*a)->username == "robot");
  CHECK((*a)->source.find("docker-credential-ecr-login (credHelpers in ") == 0);
  // Asked again (a second image, a second challenge): the helper's answer is reused.
  auto again = lookup(ref_of("reg.test:5000/dp/spark-connect:1"));
  REQUIRE(again);
  REQUIRE(*again);
  CHECK(runner.lines() == std::vector<std::string>{"docker-credential-ecr-login get"});

  // other.test: no credHelpers entry; credsStore has nothing; the auths entry answers.
  auto b = lookup(ref_of("other.test/x:1"));
  REQUIRE(b);
  REQUIRE(*b);
  CHECK((*b)->username == "user");
  CHECK((*b)->password.reveal() == "file-pw");
  CHECK(runner.lines() ==
        std::vector<std::string>{"docker-credential-ecr-login get", "docker-credential-store get"});
  CHECK(runner.commands[1].stdin_data == "other.test");
}

TEST_CASE("auth files: Docker Hub is asked about by its index URL", "[registry]") {
  CHECK(registry::helper_server_url(ref_of("debian:12")) == "https://index.docker.io/v1/");
  CHECK(registry::helper_server_url(ref_of("127.0.0.1:5000/a:1")) == "127.0.0.1:5000");
  DockerHome home(R"({"credsStore": "desktop"})");
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command&) {
    return fakes::exited(1, "credentials not found in native keychain");
  };
  auto found = registry::auth_files_lookup(home.env(), &runner)(ref_of("debian:12"));
  REQUIRE(found);
  CHECK_FALSE(*found);
  REQUIRE(runner.commands.size() == 1);
  CHECK(runner.commands[0].stdin_data == "https://index.docker.io/v1/");
}

TEST_CASE("auth files: without a runner, helpers are not run and the auths entry is used",
          "[registry]") {
  DockerHome home(R"({"credsStore": "store", "auths": {"r.test": {"auth": "dTpw"}}})");
  auto found = registry::auth_files_lookup(home.env())(ref_of("r.test/x:1"));
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->username == "u");
}
