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
  auto b = inspect(builder::Backend::buildah,
                   fakes::exited(0, R"({"OCIv1": {"config": {"Labels": {"a": "1"}}}})"), runner);
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
