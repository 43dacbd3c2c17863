// `stackctl drift` on the command line, in-process: usage errors and what a run outside git says.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"

using namespace stackctl;

namespace {

struct Ran {
  int rc;
  std::string out, err;
};

Ran drift(std::vector<std::string> args) {
  args.insert(args.begin(), "drift");
  std::ostringstream out, err;
  const int rc = cli::run(args, out, err);
  return {rc, out.str(), err.str()};
}

const std::string kStack =
    std::string(STACKCTL_SOURCE_DIR) + "/tests/fixtures/registry/demo.stack.yaml";

}  // namespace

TEST_CASE("drift: an unknown check is a usage error naming the checks", "[drift][cli]") {
  auto r = drift({kStack, "--only", "files,regsitry"});
  CHECK(r.rc == cli::kUsage);
  CHECK(r.err ==
        "stackctl: unknown check \"regsitry\"; the checks are files, lock, registry, catalog, "
        "cluster\n");
  CHECK(drift({kStack, "--skip", "nope"}).rc == cli::kUsage);
}

TEST_CASE("drift: an unknown output format or target is a usage error", "[drift][cli]") {
  auto r = drift({kStack, "--output", "xml"});
  CHECK(r.rc == cli::kUsage);
  CHECK(r.err.find("--output") != std::string::npos);
  auto t = drift({kStack, "--target", "nope", "--only", "catalog"});
  CHECK(t.rc == cli::kUsage);
  CHECK(t.err.find("has no target \"nope\"") != std::string::npos);
}

TEST_CASE("drift: --cluster without --target could not be checked (exit 8)", "[drift][cli]") {
  auto r = drift({kStack, "--only", "cluster", "--output", "json"});
  CHECK(r.rc == cli::kNotChecked);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["outcome"] == "could_not_check");
  CHECK(j["results"][0]["evidence"] == "--cluster needs --target: which cluster to compare");
}

TEST_CASE("drift: a rendered folder outside any git repository could not be checked",
          "[drift][cli]") {
  const auto dir = std::filesystem::temp_directory_path() / "stackctl-drift-no-git";
  std::filesystem::create_directories(dir);
  auto r = drift({kStack, "--only", "files", "--rendered", dir.string(), "--output", "json"});
  std::filesystem::remove_all(dir);
  // The temp folder is in no git work tree (true on CI and this project's machines).
  REQUIRE(r.rc == cli::kNotChecked);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["results"][0]["evidence"].get<std::string>().find("is not in a git repository") !=
        std::string::npos);
}

TEST_CASE("drift: catalog only runs offline and is clean for the fixture", "[drift][cli]") {
  auto r = drift({kStack, "--only", "catalog"});
  CHECK(r.rc == cli::kOk);
  CHECK(r.out.find("catalog: ") == 0);
  CHECK(r.out.find("drift: clean") != std::string::npos);
}
