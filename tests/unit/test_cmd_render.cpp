// `stackctl render` end to end in-process: bad inputs give a clear message and leave a previous
// output folder byte for byte as it was.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"
#include "cli_run.hpp"
#include "stack_text.hpp"

namespace stdfs = std::filesystem;
using namespace stackctl;

namespace {

struct TempDir {
  stdfs::path path;
  TempDir() {
    std::random_device rd;
    path = stdfs::temp_directory_path() /
           ("stackctl-render-test-" + std::to_string(rd()) + std::to_string(rd()));
    stdfs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

void write(const stdfs::path& p, const std::string& text) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string read(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file under `dir` with its bytes and permissions.
std::map<std::string, std::pair<std::string, stdfs::perms>> snapshot(const stdfs::path& dir) {
  std::map<std::string, std::pair<std::string, stdfs::perms>> out;
  for (const auto& e : stdfs::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out[e.path().lexically_relative(dir).generic_string()] = {read(e.path()),
                                                                e.status().permissions()};
  return out;
}

using Run = test::CliRun;

Run run(const std::vector<std::string>& args) {
  return test::run_cli(args);
}

const std::string kStack = test::kMinimalStack + R"(sparkEnv:
  sources:
    - name: local
      file: demo.values.yaml
  keys:
    - name: API_TOKEN
      from: local
      key: api_token
    - name: DB_PASSWORD
      from: local
      key: db_password
)";

constexpr const char* kTokenValue = "fake-token-value-for-tests";
constexpr const char* kPasswordValue = "fake-password-for-tests";

// A stack folder with a complete values file, rendered once into <dir>/out.
struct Rendered {
  TempDir tmp;
  stdfs::path stack = tmp.path / "demo.stack.yaml";
  stdfs::path out = tmp.path / "out";
  Rendered() {
    write(stack, kStack);
    write(tmp.path / "demo.values.yaml",
          std::string("api_token: ") + kTokenValue + "\ndb_password: " + kPasswordValue + "\n");
    const Run r = run({"render", stack.string(), "--out", out.string()});
    INFO(r.err);
    REQUIRE(r.code == cli::kOk);
  }
};

}  // namespace

TEST_CASE("render writes every target's config, spark.env with mode 0600") {
  Rendered r;
  const stdfs::path env = r.out / "targets/minikube/spark.env";
  REQUIRE(stdfs::exists(env));
  CHECK((stdfs::status(env).permissions() & stdfs::perms::all) == stdfs::perms(0600));
  CHECK(read(env).find(std::string("API_TOKEN='") + kTokenValue + "'") != std::string::npos);
  CHECK(stdfs::exists(r.out / "targets/minikube/spark-defaults.conf"));
  // Rendering again with the same inputs changes nothing.
  const auto before = snapshot(r.out);
  const Run again = run({"render", r.stack.string(), "--out", r.out.string()});
  CHECK(again.code == cli::kOk);
  CHECK(again.err.find("rendered ") != std::string::npos);
  CHECK(snapshot(r.out) == before);
}

TEST_CASE("render: a template with an unknown variable fails and leaves the output as it was") {
  Rendered r;
  const auto before = snapshot(r.out);
  const stdfs::path mine = r.tmp.path / "my-templates";
  write(mine / "templates/config/spark-defaults.conf.mustache", "{{no_such_variable}}\n");
  const Run run1 =
      run({"render", r.stack.string(), "--out", r.out.string(), "--templates", mine.string()});
  CHECK(run1.code == cli::kFindings);
  CHECK(run1.err.find("E_TEMPLATE") != std::string::npos);
  CHECK(run1.err.find("no_such_variable") != std::string::npos);
  CHECK(run1.err.find("templates/config/spark-defaults.conf.mustache") != std::string::npos);
  CHECK(run1.err.find("nothing was written") != std::string::npos);
  CHECK(snapshot(r.out) == before);
}

TEST_CASE("render: a missing spark.env value fails, names the key, shows no value") {
  Rendered r;
  const auto before = snapshot(r.out);
  write(r.tmp.path / "demo.values.yaml", std::string("api_token: ") + kTokenValue + "\n");
  const Run run1 = run({"render", r.stack.string(), "--out", r.out.string()});
  CHECK(run1.code == cli::kFindings);
  CHECK(run1.err.find("E_SECRET_MISSING") != std::string::npos);
  CHECK(run1.err.find("DB_PASSWORD") != std::string::npos);
  CHECK(run1.err.find("db_password") != std::string::npos);
  CHECK(run1.err.find("demo.values.yaml") != std::string::npos);
  CHECK(run1.err.find(kTokenValue) == std::string::npos);
  CHECK(run1.out.find(kTokenValue) == std::string::npos);
  CHECK(snapshot(r.out) == before);
}

TEST_CASE("render: an output folder that cannot be created is an input error") {
  Rendered r;
  const auto before = snapshot(r.out);
  const stdfs::path blocker = r.tmp.path / "a-regular-file";
  write(blocker, "not a folder\n");
  const Run run1 = run({"render", r.stack.string(), "--out", (blocker / "out").string()});
  CHECK(run1.code == cli::kInputError);
  CHECK(run1.err.find("a-regular-file") != std::string::npos);
  CHECK(read(blocker) == "not a folder\n");
  CHECK(snapshot(r.out) == before);
}

TEST_CASE("render refuses to replace a folder that is not a previous render") {
  TempDir tmp;
  write(tmp.path / "demo.stack.yaml", kStack);
  write(tmp.path / "demo.values.yaml", "api_token: a\ndb_password: b\n");
  write(tmp.path / "project/README.md", "mine\n");
  const Run r = run({"render", (tmp.path / "demo.stack.yaml").string(), "--out",
                     (tmp.path / "project").string()});
  CHECK(r.code == cli::kInputError);
  CHECK(r.err.find("README.md") != std::string::npos);
  CHECK(read(tmp.path / "project/README.md") == "mine\n");
}

TEST_CASE("render: a values file with a wrong type is reported with its position") {
  TempDir tmp;
  write(tmp.path / "demo.stack.yaml", kStack);
  write(tmp.path / "v.yaml", "api_token: [not, a, string]\ndb_password: ok-value-hidden\n");
  const Run r = run({"render", (tmp.path / "demo.stack.yaml").string(), "--values",
                     (tmp.path / "v.yaml").string(), "--list"});
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("v.yaml:1:12") != std::string::npos);
  CHECK(r.err.find("api_token") != std::string::npos);
  CHECK(r.err.find("ok-value-hidden") == std::string::npos);
}

TEST_CASE("render --list prints paths and writes nothing; JSON never digests secrets") {
  TempDir tmp;
  write(tmp.path / "demo.stack.yaml", kStack);
  write(tmp.path / "v.yaml", "api_token: a\ndb_password: b\n");
  const std::string stack = (tmp.path / "demo.stack.yaml").string();
  const stdfs::path out = tmp.path / "out";
  const Run text = run({"render", stack, "--values", (tmp.path / "v.yaml").string(), "--list",
                        "--out", out.string()});
  CHECK(text.code == cli::kOk);
  CHECK(text.out.find("targets/minikube/spark.env\n") != std::string::npos);
  CHECK_FALSE(stdfs::exists(out));
  const Run json = run(
      {"--output", "json", "render", stack, "--values", (tmp.path / "v.yaml").string(), "--list"});
  REQUIRE(json.code == cli::kOk);
  const auto j = nlohmann::json::parse(json.out);
  bool saw_env = false;
  for (const auto& f : j["files"]) {
    if (f["path"] == "targets/minikube/spark.env") {
      saw_env = true;
      CHECK(f["secret"] == true);
    }
    if (f.value("secret", false)) {
      CHECK(f["sha256"].is_null());
    } else {
      CHECK(f["sha256"].get<std::string>().size() == 64);
    }
  }
  CHECK(saw_env);
}

TEST_CASE("render --target keeps the other targets of a previous render") {
  TempDir tmp;
  std::string stack_text = test::with("targets:\n", R"(targets:
  - name: other
    kind: minikube
    namespace: other
)",
                                      kStack);
  write(tmp.path / "demo.stack.yaml", stack_text);
  write(tmp.path / "demo.values.yaml", "api_token: a\ndb_password: b\n");
  const std::string stack = (tmp.path / "demo.stack.yaml").string();
  const stdfs::path out = tmp.path / "out";
  REQUIRE(run({"render", stack, "--out", out.string()}).code == cli::kOk);
  const std::string other = read(out / "targets/other/spark-defaults.conf");
  REQUIRE_FALSE(other.empty());
  write(tmp.path / "demo.values.yaml", "api_token: changed\ndb_password: b\n");
  REQUIRE(run({"render", stack, "--target", "minikube", "--out", out.string()}).code == cli::kOk);
  CHECK(read(out / "targets/other/spark-defaults.conf") == other);
  CHECK(read(out / "targets/other/spark.env").find("'a'") != std::string::npos);
  CHECK(read(out / "targets/minikube/spark.env").find("'changed'") != std::string::npos);
  CHECK((stdfs::status(out / "targets/other/spark.env").permissions() & stdfs::perms::all) ==
        stdfs::perms(0600));
}

TEST_CASE("render --target with an unknown name is a usage error with a suggestion") {
  TempDir tmp;
  write(tmp.path / "demo.stack.yaml", kStack);
  const Run r =
      run({"render", (tmp.path / "demo.stack.yaml").string(), "--target", "minikub", "--list"});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("E_UNKNOWN_TARGET") != std::string::npos);
  CHECK(r.err.find("did you mean \"minikube\"") != std::string::npos);
}
