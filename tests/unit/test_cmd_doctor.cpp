// `stackctl doctor` in-process over saved snapshots: --from, the output formats, the summary
// line, --fail-on, the stack's ignore list and its validation, stack keys with file:line:column,
// and every code documented in docs/troubleshooting.md.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"
#include "core/doctor/snapshot_json.hpp"
#include "core/stack/loader.hpp"

using namespace stackctl;
using kube::Json;

namespace {

const std::string kSource = STACKCTL_SOURCE_DIR;

struct Run {
  int code;
  std::string out, err;
};

Run run_doctor(std::vector<std::string> args) {
  std::ostringstream out, err;
  args.insert(args.begin(), "doctor");
  const int code = cli::run(args, out, err);
  return {code, out.str(), err.str()};
}

std::string temp_dir() {
  auto d = std::filesystem::temp_directory_path() /
           ("stackctl-doctor-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::create_directories(d);
  return d.string();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A platform with one error (a Service selecting nothing), one warning (an evicted pod) and a
// log line whose fix is a stack key.
std::string staged(const std::string& dir) {
  doctor::Snapshot s;
  s.namespaces = {"spark"};
  s.services.push_back({{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", "legacy"}, {"namespace", "spark"}, {"uid", "u1"}}},
                        {"spec", {{"selector", {{"app", "gone"}}}}}});
  s.pods.push_back({{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", "exec-1"}, {"namespace", "spark"}, {"uid", "u2"}}},
                    {"status",
                     {{"phase", "Failed"},
                      {"reason", "Evicted"},
                      {"message", "The node was low on resource: ephemeral-storage."}}}});
  s.logs.push_back(
      {"spark", "exec-1", "executor", true, {"java.lang.OutOfMemoryError: Java heap space"}, ""});
  const std::string file = dir + "/snap.json";
  write(file, doctor::to_json(s).dump(2));
  return file;
}

std::string stack_with(const std::string& dir, const std::string& doctor_section) {
  std::ifstream in(kSource + "/stacks/spark-connect.stack.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string file = dir + "/stack.yaml";
  write(file, text.str() + doctor_section);
  return file;
}

}  // namespace

TEST_CASE("doctor --from: text grouped by severity, summary line, exit by --fail-on",
          "[doctor][cli]") {
  const auto dir = temp_dir();
  const auto snap = staged(dir);
  auto r = run_doctor({"--from", snap});
  CHECK(r.code == cli::kFindings);
  const auto e = r.out.find("error D_SERVICE_SELECTS_NOTHING");
  const auto w = r.out.find("warning D_EVICTED");
  CHECK(e != std::string::npos);
  CHECK(w != std::string::npos);
  CHECK(e < w);
  CHECK(r.out.find("  stack: spark.executor.memory\n") != std::string::npos);  // no stack given
  CHECK(r.out.ends_with("2 errors, 1 warning, 0 notes in 1 namespace\n"));
  CHECK(r.out.find("\033[") == std::string::npos);  // no colour off a TTY

  // With the stack: the key's position, and an accepted Service and OOM leave the warning.
  const auto stack = stack_with(dir,
                                "doctor:\n  ignore:\n    - code: D_SERVICE_SELECTS_NOTHING\n"
                                "      object: \"Service spark/legacy\"\n    - code: D_JAVA_OOM\n");
  r = run_doctor({stack, "--target", "minikube", "--from", snap});
  INFO(r.err);
  CHECK(r.code == cli::kOk);
  CHECK(r.out.ends_with("0 errors, 1 warning, 0 notes in 1 namespace (2 ignored)\n"));
  r = run_doctor({stack, "--target", "minikube", "--from", snap, "--fail-on", "warning"});
  CHECK(r.code == cli::kFindings);

  const auto plain = stack_with(dir, "");
  r = run_doctor({plain, "--target", "minikube", "--from", snap, "-o", "json"});
  const auto j = Json::parse(r.out);
  const auto& oom = j["findings"][2];
  CHECK(oom["code"] == "D_JAVA_OOM");
  CHECK(oom["stackKey"] == "spark.executor.memory");
  // The stack sets spark.executor.memory at this line (the key's own position).
  // The common location object, and the FILE:LINE:COLUMN string it was before (stackLocation).
  CHECK(oom["location"]["file"] == plain);
  CHECK(oom["location"]["line"].get<int>() > 0);
  const std::string location = oom["stackLocation"].get<std::string>();
  CHECK(location.starts_with(plain + ":" + std::to_string(oom["location"]["line"].get<int>())));
  CHECK(oom["message"] == oom["title"]);
  CHECK(j["ok"] == false);
  CHECK(j["summary"]["errors"] == 2);
  CHECK(r.err.find("2 errors, 1 warning") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("doctor: a target's overrides.doctor replaces the base ignore list for that target",
          "[doctor][cli]") {
  const auto dir = temp_dir();
  const auto snap = staged(dir);
  std::ifstream in(kSource + "/stacks/spark-connect.stack.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  // The minikube target accepts the Service selecting nothing; the base accepts the OOM only.
  const std::string at = "      services:\n        connect: {executors: 1}\n";
  REQUIRE(yaml.find(at) != std::string::npos);
  yaml.insert(yaml.find(at) + at.size(),
              "      doctor:\n        ignore:\n          - code: D_SERVICE_SELECTS_NOTHING\n"
              "            object: \"Service spark/legacy\"\n");
  const std::string stack = dir + "/stack.yaml";
  write(stack, yaml + "doctor:\n  ignore:\n    - code: D_JAVA_OOM\n");
  auto r = run_doctor({stack, "--target", "minikube", "--from", snap});
  INFO(r.err);
  CHECK(r.out.find("D_SERVICE_SELECTS_NOTHING") == std::string::npos);
  CHECK(r.out.find("error D_JAVA_OOM") != std::string::npos);  // replaced, not merged
  CHECK(r.out.ends_with("1 error, 1 warning, 0 notes in 1 namespace (1 ignored)\n"));
  r = run_doctor({stack, "--target", "eks", "--from", snap});  // no override: the base list
  CHECK(r.out.find("error D_SERVICE_SELECTS_NOTHING") != std::string::npos);
  CHECK(r.out.find("D_JAVA_OOM") == std::string::npos);
  CHECK(r.out.ends_with("1 error, 1 warning, 0 notes in 1 namespace (1 ignored)\n"));
  // A bad code in the override is located at the override's own line.
  yaml.replace(yaml.find("- code: D_SERVICE_SELECTS_NOTHING"),
               std::string("- code: D_SERVICE_SELECTS_NOTHING").size(), "- code: D_NOPE");
  write(stack, yaml);
  r = run_doctor({stack, "--target", "minikube", "--from", snap});
  CHECK(r.code == cli::kFindings);
  INFO(r.err);
  CHECK(r.err.find("stack.yaml:97:13: error: doctor.ignore[0].code: unknown doctor code") !=
        std::string::npos);  // the override's own key
  std::filesystem::remove_all(dir);
}

TEST_CASE("doctor -o junit: one test case per rule, failures for findings", "[doctor][cli]") {
  const auto dir = temp_dir();
  const auto r = run_doctor({"--from", staged(dir), "-o", "junit"});
  std::set<std::string> codes;
  for (const auto& rule : doctor::rules()) codes.insert(rule.code);
  CHECK(r.out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"));
  CHECK(r.out.find("tests=\"" + std::to_string(codes.size()) + "\" failures=\"3\"") !=
        std::string::npos);
  std::size_t cases = 0;
  for (auto p = r.out.find("<testcase "); p != std::string::npos;
       p = r.out.find("<testcase ", p + 1))
    ++cases;
  CHECK(cases == codes.size());
  CHECK(r.out.find("<testcase classname=\"stackctl.doctor\" name=\"D_IMAGE_PULL image cannot be "
                   "pulled\"/>") != std::string::npos);
  CHECK(r.out.find("<failure type=\"warning\" message=\"Pod spark/exec-1\">") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("doctor: bad input is refused with its reason", "[doctor][cli]") {
  const auto dir = temp_dir();
  auto r = run_doctor({});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err.find("doctor needs STACK and --target (or --from FILE") != std::string::npos);
  r = run_doctor({"--from", dir + "/missing.json"});
  CHECK(r.code == cli::kInputError);
  write(dir + "/list.json", "{\"kind\": \"PodList\", \"items\": []}");
  r = run_doctor({"--from", dir + "/list.json"});
  CHECK(r.code == cli::kInputError);
  CHECK(r.err.find("list.json: not a doctor snapshot (kind is \"PodList\"") != std::string::npos);
  write(dir + "/bad.json", "{");
  r = run_doctor({"--from", dir + "/bad.json"});
  CHECK(r.err.find("bad.json: not JSON") != std::string::npos);
  r = run_doctor({"--from", staged(dir), "-o", "xml"});
  CHECK(r.code == cli::kUsage);
  std::filesystem::remove_all(dir);
}

TEST_CASE("doctor.ignore in the stack file is validated", "[doctor][cli]") {
  const auto dir = temp_dir();
  const auto stack = stack_with(dir,
                                "doctor:\n  ignore:\n    - code: D_NOPE\n"
                                "    - code: D_EVICTED\n      object: legacy\n      why: x\n");
  std::ifstream in(stack);
  std::stringstream text;
  text << in.rdbuf();
  const auto diags = validate_stack(text.str(), stack, nullptr);
  std::vector<std::string> messages;
  for (const auto& d : diags.items()) messages.push_back(d.path + ": " + d.message);
  CHECK(std::find(messages.begin(), messages.end(),
                  "doctor.ignore[0].code: unknown doctor code \"D_NOPE\"") != messages.end());
  CHECK(std::find(messages.begin(), messages.end(),
                  "doctor.ignore[1].object: object \"legacy\" names no kind") != messages.end());
  bool unknown_key = false;
  for (const auto& m : messages) unknown_key = unknown_key || m.starts_with("doctor.ignore[1].why");
  CHECK(unknown_key);
  const auto r = run_doctor({stack, "--target", "minikube", "--from", staged(dir)});
  CHECK(r.code == cli::kFindings);
  CHECK(r.err.find("unknown doctor code \"D_NOPE\"") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("every doctor code is documented in docs/troubleshooting.md", "[doctor][cli]") {
  std::ifstream in(kSource + "/docs/troubleshooting.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& rule : doctor::rules()) {
    INFO(rule.code);
    CHECK(text.str().find("| `" + rule.code + "` |") != std::string::npos);
  }
}

TEST_CASE("doctor: a refused credential (D_CLUSTER_AUTH) exits 4, an external refusal",
          "[doctor][cli]") {
  const auto dir = temp_dir();
  doctor::Snapshot s;
  s.namespaces = {"spark"};
  s.auth_error = "Unauthorized";
  const std::string snap = dir + "/refused.json";
  write(snap, doctor::to_json(s).dump(2));
  auto r = run_doctor({"--from", snap});
  CHECK(r.code == cli::kExternalError);
  CHECK(r.out.find("error D_CLUSTER_AUTH") != std::string::npos);  // still explained
  r = run_doctor({"--from", snap, "-o", "json"});
  CHECK(r.code == cli::kExternalError);
  CHECK(Json::parse(r.out)["findings"][0]["code"] == "D_CLUSTER_AUTH");

  // Accepted in the stack's ignore list, it no longer counts: exit 0.
  const auto stack = stack_with(dir, "doctor:\n  ignore:\n    - code: D_CLUSTER_AUTH\n");
  r = run_doctor({stack, "--target", "minikube", "--from", snap});
  INFO(r.err);
  CHECK(r.code == cli::kOk);

  // Other error findings alone stay 1.
  r = run_doctor({"--from", staged(dir)});
  CHECK(r.code == cli::kFindings);
  std::filesystem::remove_all(dir);
}
