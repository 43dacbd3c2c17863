// app::load_into_minikube over a recording builder and runner: what is checked before anything is
// exported, the order of export and load, refusals that name the build to run, a dry run, and
// minikube missing. (tests/integration/minikube_load.sh runs it with buildah and a fake minikube
// script that checks each archive with skopeo.)
#include <catch2/catch.hpp>
#include <filesystem>

#include "adapters/fs.hpp"
#include "app/images.hpp"
#include "fakes/fake_builder.hpp"
#include "fakes/fake_ports.hpp"
#include "fakes/fake_runner.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

const std::string kBase = "registry.test/dp/base:spark-3.5.7-r1";
const std::string kConnect = "registry.test/dp/connect:connect-3.5.7-r1";

struct World {
  fakes::FakeBuilder builder;
  fakes::FakeRunner runner;
  fakes::FakeProgress progress;
  std::filesystem::path work =
      std::filesystem::temp_directory_path() / ("stackctl-load-" + fs::random_suffix());
  World() {
    builder.store[kBase] = {{"io.stackctl.inputs-digest", "sha256:aaa"}};
    builder.store[kConnect] = {{"io.stackctl.inputs-digest", "sha256:ccc"}};
  }
  ~World() {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  app::LoadRequest request() const {
    app::LoadRequest r;
    r.images = {{"base", kBase, "sha256:aaa"}, {"connect", kConnect, "sha256:ccc"}};
    r.profile = "dev";
    r.work_dir = work;
    r.build_hint = "stackctl build s.yaml --target local";
    return r;
  }
  auto load(const app::LoadRequest& r) {
    return app::load_into_minikube(r, builder, runner, progress);
  }
};

}  // namespace

TEST_CASE("minikube-load: every image checked, then exported and loaded one by one") {
  World w;
  auto r = w.load(w.request());
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].action == "loaded");
  CHECK(w.builder.calls() ==
        std::vector<std::string>{"labels " + kBase, "labels " + kConnect,
                                 "export " + kBase + " docker base.tar",
                                 "export " + kConnect + " docker connect.tar"});
  const std::string archives = (w.work / "archives").string();
  CHECK(w.runner.lines() ==
        std::vector<std::string>{"minikube version",
                                 "minikube -p dev image load " + archives + "/base.tar",
                                 "minikube -p dev image load " + archives + "/connect.tar"});
  CHECK(w.runner.commands[1].log_file == w.work / "logs" / "base.load.log");
  // Each archive was written, then removed once minikube had it.
  CHECK(w.builder.exported.size() == 2);
  CHECK_FALSE(std::filesystem::exists(w.work / "archives" / "base.tar"));
  CHECK_FALSE(std::filesystem::exists(w.work / "archives" / "connect.tar"));
}

TEST_CASE("minikube-load: an oci-archive when asked") {
  World w;
  auto req = w.request();
  req.format = builder::ArchiveFormat::oci;
  REQUIRE(w.load(req));
  CHECK(w.builder.calls()[2] == "export " + kBase + " oci base.tar");
}

TEST_CASE("minikube-load: an image not in the store, or built from other inputs, loads nothing") {
  World w;
  SECTION("not in the store") {
    w.builder.store.erase(kConnect);
    auto r = w.load(w.request());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == app::Error::Kind::findings);
    CHECK(r.error().message ==
          kConnect + " is not in the buildah store, so it cannot be loaded into minikube");
    CHECK(r.error().details ==
          std::vector<std::string>{
              "run `stackctl build s.yaml --target local` to build it, then deploy again"});
  }
  SECTION("other inputs than the lock's") {
    w.builder.store[kBase]["io.stackctl.inputs-digest"] = "sha256:old";
    auto r = w.load(w.request());
    REQUIRE_FALSE(r);
    CHECK(r.error().message == kBase +
                                   " in the buildah store was built from other inputs than "
                                   "stack.lock records (io.stackctl.inputs-digest sha256:old, "
                                   "lock sha256:aaa)");
  }
  CHECK(w.runner.commands.empty());
  for (const auto& c : w.builder.calls()) CHECK_THAT(c, !Contains("export"));
}

TEST_CASE("minikube-load: a dry run checks the store and loads nothing") {
  World w;
  auto req = w.request();
  req.dry_run = true;
  auto r = w.load(req);
  REQUIRE(r);
  CHECK((*r)[1].action == "would load");
  CHECK(w.runner.commands.empty());
  CHECK(w.builder.exported.empty());
}

TEST_CASE("minikube-load: minikube missing or failing is a clear external error") {
  World w;
  SECTION("not installed") {
    w.runner.answer = [](const proc::Command&) -> std::expected<proc::Result, proc::Failure> {
      return std::unexpected(proc::Failure{"minikube: not found in PATH"});
    };
    auto r = w.load(w.request());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == app::Error::Kind::external);
    CHECK(r.error().message ==
          "this target loads its images into minikube (`images: minikube-load`), but minikube "
          "cannot be run: minikube: not found in PATH");
    CHECK(w.builder.exported.empty());
  }
  SECTION("a load that fails names the image and asks whether minikube runs") {
    w.runner.answer = [](const proc::Command& c) {
      return fakes::exited(c.argv.size() > 1 && c.argv[1] == "-p" ? 80 : 0);
    };
    auto r = w.load(w.request());
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message,
               Contains("minikube image load of " + kBase + " failed (exit 80)"));
    CHECK(r.error().details.back() == "is minikube running (`minikube -p dev status`)?");
    // Stopped at the first image; its archive removed.
    CHECK(w.runner.commands.size() == 2);
    CHECK_FALSE(std::filesystem::exists(w.work / "archives" / "base.tar"));
  }
}
