// The builders' command lines and how their answers are read, over a fake runner: in particular
// that only the builder's own "no such image" texts mean absent (sources in builder.cpp).
#include <catch2/catch.hpp>

#include "adapters/builder.hpp"
#include "fakes/fake_runner.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

std::expected<std::optional<std::map<std::string, std::string>>, builder::Failure> inspect(
    builder::Backend backend, proc::Result answer, fakes::FakeRunner& runner) {
  runner.answer = [answer](const proc::Command&) { return answer; };
  auto b = builder::make_builder(backend, runner, {"vfs", "/s/root", "/s/run", "chroot"});
  return b->labels("localhost/x:1");
}

}  // namespace

TEST_CASE("builder: inspect of an image that is not there is absent, for each builder's text") {
  struct Case {
    builder::Backend backend;
    std::string err;
  };
  // What buildah 1.28.2 and podman 4.3.1 print here for a missing image (exit 125), and the
  // docker daemon's ErrImageDoesNotExist text as the docker CLI prints it (exit 1).
  const std::vector<Case> cases = {
      {builder::Backend::buildah, "Error: importing settings: localhost/x:1: image not known\n"},
      {builder::Backend::podman, "Error: inspecting object: localhost/x:1: image not known\n"},
      {builder::Backend::podman, "Error: localhost/x:1: no such image\n"},
      {builder::Backend::docker, "Error response from daemon: No such image: localhost/x:1\n"},
  };
  for (const auto& c : cases) {
    fakes::FakeRunner runner;
    auto r = inspect(c.backend,
                     fakes::exited(c.backend == builder::Backend::docker ? 1 : 125,
                                   c.backend == builder::Backend::buildah ? "" : "[]\n", c.err),
                     runner);
    INFO(c.err);
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
  }
}

TEST_CASE(
    "builder: an inspect that fails for another reason is an error with the builder's words") {
  fakes::FakeRunner runner;
  auto r = inspect(builder::Backend::buildah,
                   fakes::exited(125, "", "Error: mkdir /s/root: permission denied\n"), runner);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "buildah cannot inspect localhost/x:1 (exit 125): Error: mkdir /s/root: permission denied");
  CHECK(runner.lines() == std::vector<std::string>{"buildah --storage-driver vfs --root /s/root "
                                                   "--runroot /s/run inspect --type image "
                                                   "localhost/x:1"});

  fakes::FakeRunner docker;
  auto stopped = inspect(builder::Backend::docker,
                         fakes::exited(1, "",
                                       "Cannot connect to the Docker daemon at "
                                       "unix:///var/run/docker.sock. Is the docker daemon "
                                       "running?\n"),
                         docker);
  REQUIRE_FALSE(stopped);
  CHECK_THAT(stopped.error().message, Contains("Is the docker daemon running?"));
  CHECK(docker.lines() == std::vector<std::string>{"docker image inspect localhost/x:1"});
}

TEST_CASE("builder: inspect reads labels from buildah's and docker's output shapes") {
  fakes::FakeRunner runner;
  auto b = inspect(
      builder::Backend::buildah,
      // buildah 1.28.2's shape: "Config" is the config as a JSON text, beside OCIv1.
      fakes::exited(
          0, R"({"Config": "{\"config\":{}}", "OCIv1": {"config": {"Labels": {"a": "1"}}}})"),
      runner);
  REQUIRE(b);
  REQUIRE(b->has_value());
  CHECK((**b).at("a") == "1");
  fakes::FakeRunner drunner;
  auto d = inspect(builder::Backend::docker,
                   fakes::exited(0, R"([{"Config": {"Labels": {"b": "2"}}}])"), drunner);
  REQUIRE(d);
  REQUIRE(d->has_value());
  CHECK((**d).at("b") == "2");
}

namespace {

// podman 4.3.1's `image inspect` element as seen here, cut to what is read.
std::string podman_element(const std::string& ref, const std::string& label) {
  return R"({"RepoTags": [")" + ref +
         R"("], "Config": {"Labels": {"io.stackctl.inputs-digest": ")" + label + R"("}}})";
}

}  // namespace

TEST_CASE("builder: podman is asked about every image in one inspect call") {
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command&) {
    return fakes::exited(0, "[" + podman_element("localhost/a:1", "sha256:a") + "," +
                                podman_element("localhost/b:2", "sha256:b") + "]");
  };
  auto b =
      builder::make_builder(builder::Backend::podman, runner, {"vfs", "/s/r", "/s/u", "chroot"});
  auto l = b->labels_of({"localhost/a:1", "localhost/b:2", "localhost/a:1"});
  REQUIRE(l);
  CHECK(runner.lines() ==
        std::vector<std::string>{"podman --storage-driver vfs --root /s/r --runroot /s/u image "
                                 "inspect localhost/a:1 localhost/b:2"});
  REQUIRE(l->size() == 2);
  CHECK(l->at("localhost/a:1")->at("io.stackctl.inputs-digest") == "sha256:a");
  CHECK(l->at("localhost/b:2")->at("io.stackctl.inputs-digest") == "sha256:b");
}

TEST_CASE("builder: one missing image makes podman's call fail, then each is asked alone") {
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command& c) {
    const std::string& last = c.argv.back();
    const bool batch = c.argv[c.argv.size() - 2] != "inspect";
    if (batch || last == "localhost/gone:1")
      // podman 4.3.1 here: the present ones on stdout, the missing one named, exit 125.
      return fakes::exited(125, batch ? "[" + podman_element("localhost/a:1", "x") + "]" : "[]",
                           "Error: inspecting object: localhost/gone:1: image not known\n");
    return fakes::exited(0, "[" + podman_element(last, "x") + "]");
  };
  auto b =
      builder::make_builder(builder::Backend::podman, runner, {"vfs", "/s/r", "/s/u", "chroot"});
  auto l = b->labels_of({"localhost/a:1", "localhost/gone:1"});
  REQUIRE(l);
  CHECK(runner.lines().size() == 3);  // the batch, then one inspect each
  CHECK(l->at("localhost/a:1").has_value());
  CHECK_FALSE(l->at("localhost/gone:1").has_value());
}

TEST_CASE("builder: an answer that does not name its images is not trusted: each is asked alone") {
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command&) {
    return fakes::exited(0, "[" + podman_element("localhost/other:1", "x") + "," +
                                podman_element("localhost/b:2", "y") + "]");
  };
  auto b = builder::make_builder(builder::Backend::docker, runner, {});
  auto l = b->labels_of({"localhost/a:1", "localhost/b:2"});
  REQUIRE(l);
  CHECK(runner.lines() ==
        std::vector<std::string>{"docker image inspect localhost/a:1 localhost/b:2",
                                 "docker image inspect localhost/a:1",
                                 "docker image inspect localhost/b:2"});
}

TEST_CASE("builder: buildah inspects one image per call; a failure names the images") {
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command&) {
    return fakes::exited(0, R"({"OCIv1": {"config": {"Labels": {"a": "1"}}}})");
  };
  auto b =
      builder::make_builder(builder::Backend::buildah, runner, {"vfs", "/s/r", "/s/u", "chroot"});
  auto l = b->labels_of({"localhost/a:1", "localhost/b:2"});
  REQUIRE(l);
  CHECK(runner.lines().size() == 2);
  CHECK(l->at("localhost/b:2")->at("a") == "1");

  fakes::FakeRunner daemon;
  daemon.answer = [](const proc::Command&) {
    return fakes::exited(1, "",
                         "Cannot connect to the Docker daemon. Is the docker daemon running?\n");
  };
  auto d = builder::make_builder(builder::Backend::docker, daemon, {});
  auto failed = d->labels_of({"localhost/a:1", "localhost/b:2"});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().refs == std::vector<std::string>{"localhost/a:1", "localhost/b:2"});
  CHECK_THAT(failed.error().failure.message,
             Contains("docker cannot inspect the images (exit 1): Cannot connect"));
  CHECK(daemon.lines().size() == 1);
}
