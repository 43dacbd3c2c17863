// app::build and app::lock in-process, over recording fakes (tests/unit/fakes/): what they
// decide (skip, build, conflict), what they call and in which order, and what they write, when
// everything works and when a child is interrupted, the store is broken or the registry fails
// mid-way. The builtin recipes render for real; no process, disk or network is touched.
#include <catch2/catch.hpp>

#include "adapters/builder.hpp"
#include "app/build.hpp"
#include "app/lock.hpp"
#include "core/stack/loader.hpp"
#include "fakes/fake_builder.hpp"
#include "fakes/fake_ports.hpp"
#include "fakes/fake_runner.hpp"
#include "fakes/memory_fs.hpp"
#include "registry_fake.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// SHA-512 of the empty string: a well-formed checksum for the fake artifact store to publish.
const std::string kSha512 =
    "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff831"
    "8d2877eec2f63b931bd47417a81a538327af927da3e";
const std::string kLock = "/stack/demo.stack.lock";
const std::string kWork = "/work/build";

model::Stack load(const std::string& text) {
  Diagnostics d;
  auto s = load_stack(text, {"demo.stack.yaml", "", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE_FALSE(d.has_errors());
  return *s;
}

std::string with_registry() {
  return test::with("images:\n", "registry:\n  url: registry.example.com/dp\nimages:\n");
}

// Everything one build or lock run needs, faked, with the stack's artifacts published.
struct World {
  explicit World(const std::string& text = test::kMinimalStack) : stack(load(text)) {
    for (const auto& a : lock::from_stack(stack, nullptr).artifacts)
      artifacts.published[a.url] = kSha512;
  }
  model::Stack stack;
  render::Templates templates = render::Templates::builtin();
  fakes::MemoryFs files;
  fakes::FakeArtifacts artifacts{files};
  fakes::FakeBuilder builder;
  fakes::FakeProgress progress;
  testing::FakeRegistry registry;

  app::BuildRequest request(bool push = false) {
    app::BuildRequest r;
    r.stack = &stack;
    r.templates = &templates;
    r.lock_path = kLock;
    r.work_dir = kWork;
    r.push = push;
    return r;
  }
  app::BuildPorts ports(http::Client* http = nullptr) {
    return {files, artifacts, builder, progress, http, registry::no_credentials()};
  }
  std::vector<std::string> actions(const std::vector<app::ImageRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.action + " " + r.image);
    return out;
  }
};

const std::string kBaseRef = "base:spark-3.5.7-r1";
const std::string kConnectRef = "connect:connect-3.5.7-r1";

// An http::Client that passes the first `healthy` requests to the fake registry, then fails
// every one as a refused connection: a registry that goes away in the middle of a run.
class DyingRegistry final : public http::Client {
 public:
  DyingRegistry(testing::FakeRegistry& inner, int healthy) : inner_(inner), left_(healthy) {}
  std::expected<http::Response, http::Failure> send(const http::Request& request) override {
    if (left_-- <= 0) inner_.down = true;
    return inner_.send(request);
  }
  std::expected<http::Response, http::Failure> download(const http::Request& request,
                                                        const std::filesystem::path& path,
                                                        const http::Progress& progress) override {
    return inner_.download(request, path, progress);
  }

 private:
  testing::FakeRegistry& inner_;
  int left_;
};

}  // namespace

TEST_CASE("app build: nothing built yet builds parents first, places artifacts, writes the lock") {
  World w;
  auto r = w.ports();
  auto result = app::build(w.request(), r);
  REQUIRE(result);
  CHECK(w.actions(result->images) == std::vector<std::string>{"build base", "build connect"});
  CHECK(result->lock_written);
  // Observe everything first, then build in graph order.
  CHECK(w.builder.calls() == std::vector<std::string>{"labels " + kBaseRef, "labels " + kConnectRef,
                                                      "build " + kBaseRef, "build " + kConnectRef});
  // Unpinned artifacts were resolved before planning and placed, verified, in base's context.
  const auto artifacts = w.artifacts.calls();
  REQUIRE(artifacts.size() == 6);
  CHECK(artifacts[0] == "resolve spark");
  CHECK_THAT(artifacts[3],
             StartsWith("place spark " + kSha512 + " -> " + kWork +
                        "/contexts/base/artifacts/spark/spark-3.5.7-bin-hadoop3.tgz"));
  // Each context is written whole, then the lock, last.
  const auto writes = w.files.writes();
  REQUIRE_FALSE(writes.empty());
  CHECK(writes.front() == "tree " + kWork + "/contexts/base");
  CHECK(writes.back() == "write " + kLock);
  CHECK(std::count(writes.begin(), writes.end(), "tree " + kWork + "/contexts/connect") == 1);
  CHECK(w.files.files.contains(kWork + "/contexts/base/Dockerfile"));
  CHECK(w.files.files.at(kWork + "/contexts/base/entrypoint.sh").mode ==
        std::filesystem::perms(0755));
  const std::string& lock_text = w.files.files.at(kLock).data;
  CHECK_THAT(lock_text, Contains(kBaseRef));
  CHECK_THAT(lock_text, Contains(result->images[0].inputs_digest));
  // The builder got the inputs digest as a label and the parent's exact reference.
  REQUIRE(w.builder.builds.size() == 2);
  CHECK(w.builder.builds[1].build_args.front() ==
        std::pair<std::string, std::string>{"BASE_IMAGE", kBaseRef});
  CHECK(w.builder.builds[0].labels.front().second == result->images[0].inputs_digest);
}

TEST_CASE("app build: a second run skips both images and leaves the lock alone") {
  World w;
  auto r = w.ports();
  REQUIRE(app::build(w.request(), r));
  const std::string lock_before = w.files.files.at(kLock).data;
  const auto writes_before = w.files.writes().size();
  const auto builds_before = w.builder.builds.size();

  auto again = app::build(w.request(), r);
  REQUIRE(again);
  CHECK(w.actions(again->images) == std::vector<std::string>{"skip base", "skip connect"});
  CHECK(again->images[0].reason == "up to date (local)");
  CHECK_FALSE(again->lock_written);
  CHECK(w.builder.builds.size() == builds_before);
  CHECK(w.files.writes().size() == writes_before);  // no context, no lock
  CHECK(w.files.files.at(kLock).data == lock_before);
}

TEST_CASE("app build: a pinned tag with other inputs is a conflict; nothing runs or is written") {
  World w;
  w.builder.store[kBaseRef] = {{"io.stackctl.inputs-digest", "sha256:0123456789abcdef0123"}};
  auto r = w.ports();
  auto result = app::build(w.request(), r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::findings);
  CHECK_THAT(result.error().error.message, Contains("refusing to overwrite pinned tags"));
  CHECK(w.actions(result.error().images) ==
        std::vector<std::string>{"conflict base", "build connect"});
  CHECK_THAT(result.error().images[0].reason, Contains("already exists (local) with other inputs"));
  CHECK(w.builder.builds.empty());
  CHECK(w.files.writes().empty());
}

TEST_CASE("app build: a dry run decides and builds nothing") {
  World w;
  auto request = w.request();
  request.dry_run = true;
  auto r = w.ports();
  auto result = app::build(request, r);
  REQUIRE(result);
  CHECK(result->dry_run);
  CHECK(w.actions(result->images) == std::vector<std::string>{"build base", "build connect"});
  CHECK(w.builder.builds.empty());
  CHECK(w.files.writes().empty());
}

TEST_CASE("app build: a dry run's rows carry the plan as data (parent, FROM, tag, artifacts)") {
  World w;
  auto request = w.request();
  request.dry_run = true;
  auto r = w.ports();
  auto result = app::build(request, r);
  REQUIRE(result);
  REQUIRE(result->images.size() == 2);
  const auto& base = result->images[0];
  const auto& connect = result->images[1];
  CHECK(base.parent.empty());
  CHECK(base.tag == "spark-3.5.7-r1");
  CHECK(connect.parent == "base");
  CHECK(connect.base_ref == kBaseRef);
  CHECK(connect.artifacts.empty());
  REQUIRE_FALSE(base.artifacts.empty());
  CHECK(base.artifacts[0].name == "spark");
  CHECK(base.artifacts[0].dest == "artifacts/spark/spark-3.5.7-bin-hadoop3.tgz");
  CHECK(base.artifacts[0].checksum == kSha512);  // resolved before planning
}

TEST_CASE("app build --frozen --dry-run: a lock that would change is drift, nothing built") {
  World w;
  auto r = w.ports();
  REQUIRE(app::build(w.request(), r));  // writes the lock
  auto& lock_text = w.files.files.at(kLock).data;
  const auto at = lock_text.find(kBaseRef);
  REQUIRE(at != std::string::npos);
  lock_text.replace(at, kBaseRef.size(), "base:locked-elsewhere");
  const auto builds = w.builder.builds.size();
  const auto writes = w.files.writes().size();
  auto request = w.request();
  request.dry_run = true;
  request.frozen = true;
  auto result = app::build(request, r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::drift);
  CHECK_THAT(result.error().error.message, Contains("would change (--frozen)"));
  CHECK(w.builder.builds.size() == builds);
  CHECK(w.files.writes().size() == writes);
}

TEST_CASE("app build: a broken store is an error, not an empty store") {
  World w;
  w.builder.broken_store =
      "buildah cannot inspect base:spark-3.5.7-r1 (exit 125): mkdir "
      "/var/lib/containers/storage: permission denied";
  auto r = w.ports();
  auto result = app::build(w.request(), r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(result.error().error.message,
             Contains("cannot tell whether " + kBaseRef + " exists: buildah cannot inspect"));
  CHECK(w.builder.calls() == std::vector<std::string>{"labels " + kBaseRef});
  CHECK(w.files.writes().empty());
}

TEST_CASE("app build: a failed parent stops the child and keeps the lock as it was") {
  World w;
  // No lock yet: the failure must not create one.
  w.builder.failing_builds.insert(kBaseRef);
  auto r = w.ports();
  auto result = app::build(w.request(), r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(result.error().error.message, Contains("buildah build of " + kBaseRef + " failed"));
  const auto calls = w.builder.calls();
  CHECK(std::find(calls.begin(), calls.end(), "build " + kConnectRef) == calls.end());
  CHECK_FALSE(w.files.files.contains(kLock));
}

TEST_CASE("app build: an interrupted child ends the build with the runner's reason, no lock") {
  // The real buildah command lines over a fake runner: inspects say "image not known" (absent),
  // the first build reports what the real runner reports when stackctl got SIGTERM.
  World w;
  fakes::FakeRunner runner;
  runner.answer = [](const proc::Command& c) -> std::expected<proc::Result, proc::Failure> {
    if (c.argv.size() > 1 && c.argv[1] == "inspect")
      return fakes::exited(125, "",
                           "Error: importing settings: " + c.argv.back() + ": image not known\n");
    return std::unexpected(proc::Failure{"buildah stopped: stackctl was interrupted (Terminated)"});
  };
  auto b = builder::make_builder(builder::Backend::buildah, runner, {});
  app::BuildPorts ports{w.files, w.artifacts, *b, w.progress, nullptr, {}};
  auto result = app::build(w.request(), ports);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(result.error().error.message, Contains("stackctl was interrupted (Terminated)"));
  const auto lines = runner.lines();
  REQUIRE(lines.size() == 3);  // two inspects, one build; the child never started
  CHECK(lines[0] == "buildah inspect --type image " + kBaseRef);
  CHECK(lines[1] == "buildah inspect --type image " + kConnectRef);
  CHECK_THAT(lines[2], StartsWith("buildah build --isolation chroot --layers -f " + kWork +
                                  "/contexts/base/Dockerfile -t " + kBaseRef));
  CHECK_FALSE(w.files.files.contains(kLock));
}

TEST_CASE(
    "app build --push: images the registry has are skipped with its digest; the rest pushed") {
  World w(with_registry());
  const std::string base = "registry.example.com/dp/base:spark-3.5.7-r1";
  const std::string connect = "registry.example.com/dp/connect:connect-3.5.7-r1";
  // First run: nothing anywhere; both are built and pushed, parents first.
  auto ports = w.ports(&w.registry);
  auto first = app::build(w.request(true), ports);
  REQUIRE(first);
  CHECK(w.actions(first->images) == std::vector<std::string>{"build base", "build connect"});
  CHECK(first->images[0].digest == fakes::FakeBuilder::digest_of(base));
  const auto calls = w.builder.calls();
  REQUIRE(calls.size() == 6);
  CHECK(calls[4] == "push " + base);
  CHECK(calls[5] == "push " + connect);
  CHECK_THAT(w.files.files.at(kLock).data, Contains(fakes::FakeBuilder::digest_of(connect)));

  // The registry has base (with these inputs) and the local store is empty: base skips with the
  // registry's digest and is not pushed again; connect is built and pushed.
  World w2(with_registry());
  const std::string digest = w2.registry.put_image(
      "dp/base", {{"io.stackctl.inputs-digest", first->images[0].inputs_digest}}, "spark-3.5.7-r1");
  auto ports2 = w2.ports(&w2.registry);
  auto second = app::build(w2.request(true), ports2);
  REQUIRE(second);
  CHECK(w2.actions(second->images) == std::vector<std::string>{"skip base", "build connect"});
  CHECK(second->images[0].reason == "up to date (registry)");
  CHECK(second->images[0].digest == digest);
  CHECK(w2.builder.calls().back() == "push " + connect);
  const auto c2 = w2.builder.calls();
  CHECK(std::find(c2.begin(), c2.end(), "push " + base) == c2.end());
}

TEST_CASE("app build --push: a registry that fails mid-way stops before anything is built") {
  World w(with_registry());
  // /v2/ and base's manifest answer; then the registry is gone.
  DyingRegistry http(w.registry, 2);
  auto ports = w.ports(&http);
  auto result = app::build(w.request(true), ports);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(
      result.error().error.message,
      Contains("cannot tell whether registry.example.com/dp/connect:connect-3.5.7-r1 exists"));
  CHECK(w.actions(result.error().images) == std::vector<std::string>{"build base"});
  CHECK(w.builder.builds.empty());
  CHECK(w.files.writes().empty());
}

TEST_CASE("app build --push: a push that fails leaves the lock as it was") {
  World w(with_registry());
  const std::string connect = "registry.example.com/dp/connect:connect-3.5.7-r1";
  w.builder.failing_pushes.insert(connect);
  auto ports = w.ports(&w.registry);
  auto result = app::build(w.request(true), ports);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(result.error().error.message, Contains("cannot push " + connect));
  CHECK(result.error().error.details ==
        std::vector<std::string>{"push of " + connect + " failed (exit 125)"});
  CHECK(w.builder.calls().back() == "push " + connect);
  CHECK_FALSE(w.files.files.contains(kLock));
}

TEST_CASE("app build: mistakes in the request are reported before anything is read") {
  World w;
  auto request = w.request(true);
  request.build_args = {"NOEQUALS"};
  auto r = w.ports(&w.registry);
  auto result = app::build(request, r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::usage);
  CHECK(result.error().error.message == "--build-arg NOEQUALS: expected KEY=VALUE");
  request.build_args.clear();
  result = app::build(request, r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.message == "--push needs `registry.url` in the stack");
  CHECK(w.files.calls().empty());
  CHECK(w.artifacts.calls().empty());
}

TEST_CASE("app build: a lock that cannot be written is an input error after the build") {
  World w;
  w.files.failing_writes.insert(kLock);
  auto r = w.ports();
  auto result = app::build(w.request(), r);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::input);
  CHECK_THAT(result.error().error.message, Contains("cannot write " + kLock));
}

TEST_CASE("app lock: resolves unpinned checksums, writes once, then is current") {
  World w;
  app::LockRequest request{&w.stack, kLock, false};
  auto result = app::lock(request, {w.files, w.artifacts, w.progress});
  REQUIRE(result);
  CHECK(result->status == app::LockResult::Status::written);
  CHECK(w.files.writes() == std::vector<std::string>{"write " + kLock});
  for (const auto& a : result->lock.artifacts) {
    CHECK(a.checksum == kSha512);
    CHECK(a.origin == "resolved");
  }
  CHECK_THAT(w.progress.lines().front(), StartsWith("resolved spark " + kSha512 + " from "));
  auto again = app::lock(request, {w.files, w.artifacts, w.progress});
  REQUIRE(again);
  CHECK(again->status == app::LockResult::Status::current);
  CHECK(w.files.writes().size() == 1);
  CHECK(w.progress.lines().back() == kLock + " is current");
}

TEST_CASE("app lock: a checksum that cannot be resolved writes nothing and names each artifact") {
  World w;
  w.artifacts.published.clear();
  app::LockRequest request{&w.stack, kLock, false};
  auto result = app::lock(request, {w.files, w.artifacts, w.progress});
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == app::Error::Kind::external);
  CHECK(result.error().message == "3 artifact checksums could not be resolved");
  REQUIRE(result.error().details.size() == 3);
  CHECK_THAT(result.error().details[0], StartsWith("cannot resolve a checksum for spark: "));
  CHECK(w.files.writes().empty());
}

TEST_CASE("app lock --frozen: a missing or stale lock is drift, and nothing is resolved") {
  World w;
  app::LockRequest request{&w.stack, kLock, true};
  auto missing = app::lock(request, {w.files, w.artifacts, w.progress});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == app::Error::Kind::drift);
  CHECK(missing.error().details == std::vector<std::string>{"no lock file at " + kLock});
  CHECK(w.artifacts.calls().empty());
  w.files.files[kLock] = {"not: [a lock", std::filesystem::perms(0644)};
  auto broken = app::lock(request, {w.files, w.artifacts, w.progress});
  REQUIRE_FALSE(broken);
  CHECK(broken.error().kind == app::Error::Kind::input);
  CHECK_FALSE(broken.error().diags.items().empty());
  CHECK(w.files.writes().empty());
}

TEST_CASE("app build --push: the credentials stackctl finds are what the builder pushes with") {
  World w(with_registry());
  const std::string base = "registry.example.com/dp/base:spark-3.5.7-r1";
  auto ports = w.ports(&w.registry);
  int lookups = 0;
  ports.credentials =
      [&](const ImageRef& ref) -> std::expected<std::optional<registry::Credentials>, std::string> {
    ++lookups;
    CHECK(ref.registry == "registry.example.com");
    return registry::Credentials{"robot", Secret("helper-pw"), "docker-credential-test (c)"};
  };
  auto result = app::build(w.request(true), ports);
  REQUIRE(result);
  const auto calls = w.builder.calls();
  CHECK(std::find(calls.begin(), calls.end(), "push " + base + " as robot@registry.example.com") !=
        calls.end());
  CHECK(w.builder.pushed_with_password == std::vector<std::string>{"helper-pw", "helper-pw"});
  CHECK(lookups >= 2);
  for (const auto& line : w.progress.lines()) CHECK_THAT(line, !Contains("helper-pw"));
  CHECK_THAT(w.progress.lines(), Catch::Matchers::VectorContains(
                                     "pushing " + base + " as robot (docker-credential-test (c))"));
}

TEST_CASE("app build --push: a credential lookup that fails stops before the push") {
  World w(with_registry());
  auto ports = w.ports(&w.registry);
  ports.credentials =
      [](const ImageRef&) -> std::expected<std::optional<registry::Credentials>, std::string> {
    return std::unexpected(std::string("credential helper docker-credential-x failed"));
  };
  auto result = app::build(w.request(true), ports);
  REQUIRE_FALSE(result);
  CHECK(result.error().error.kind == app::Error::Kind::external);
  CHECK_THAT(result.error().error.message, StartsWith("cannot find credentials to push "));
  CHECK(result.error().error.details ==
        std::vector<std::string>{"credential helper docker-credential-x failed"});
  CHECK_FALSE(w.files.files.contains(kLock));
}
