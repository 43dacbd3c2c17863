// The one JSON vocabulary (cli/json_output.hpp, docs/json-output.md): the item fields, the
// envelope's ok, and the failure document a command gets when it fails without one of its own.
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli_run.hpp"

using namespace stackctl;
using nlohmann::json;

namespace {

using Run = test::CliRun;

Run run(const std::vector<std::string>& args) {
  return test::run_cli(args);
}

const std::string kSource = STACKCTL_SOURCE_DIR;
const std::string kStack = kSource + "/stacks/spark-connect.stack.yaml";
const std::string kBad = kSource + "/tests/fixtures/bad/spark-env-unknown-source.yaml";

}  // namespace

TEST_CASE("json items: code, severity, message, location and fix, other fields kept") {
  json item = {{"title", "kept"}};
  cli::set_item_fields(item, "SC001", "error", "PySpark 3.5 against Spark 4.0",
                       SourceLoc{"s.yaml", 3, 7}, "");
  CHECK(item["title"] == "kept");
  CHECK(item["code"] == "SC001");
  CHECK(item["severity"] == "error");
  CHECK(item["message"] == "PySpark 3.5 against Spark 4.0");
  CHECK(item["location"] == json{{"file", "s.yaml"}, {"line", 3}, {"column", 7}});
  CHECK(item["fix"].is_null());
  cli::set_item_fields(item, "SC001", "warning", "m", SourceLoc{}, "pin pyspark");
  CHECK(item["location"].is_null());
  CHECK(item["fix"] == "pin pyspark");
  CHECK(cli::location_text({"s.yaml", 3, 7}) == "s.yaml:3:7");
  CHECK(cli::location_text({"s.yaml", 0, 0}) == "s.yaml");
}

TEST_CASE("json items: a diagnostic keeps its published fields and gains the common ones") {
  Diagnostic d{Severity::warning, "W_X", {"s.yaml", 2, 4}, "a.b", "msg", "do this"};
  const json j = cli::to_json(d);
  CHECK(j["path"] == "a.b");
  CHECK(j["file"] == "s.yaml");
  CHECK(j["line"] == 2);
  CHECK(j["hint"] == "do this");
  CHECK(j["fix"] == "do this");
  CHECK(j["location"]["column"] == 4);
  CHECK(j["severity"] == "warning");
}

TEST_CASE("json envelope: ok is true exactly when the exit code is 0") {
  const Run good = run({"validate", kStack, "-o", "json"});
  CHECK(good.code == cli::kOk);
  CHECK(json::parse(good.out)["ok"] == true);
  const Run bad = run({"validate", kBad, "-o", "json"});
  CHECK(bad.code == cli::kFindings);
  const json j = json::parse(bad.out);
  CHECK(j["ok"] == false);
  CHECK(j["diagnostics"][0].contains("fix"));
}

TEST_CASE("json envelope: a command that fails without a document gets the failure document") {
  // render on an invalid stack printed its diagnostics on stderr only, stdout empty.
  const Run r = run({"render", kBad, "-o", "json", "--list"});
  CHECK(r.code == cli::kFindings);
  const json j = json::parse(r.out);
  CHECK(j["ok"] == false);
  CHECK(!j["diagnostics"].empty());
  CHECK(j["diagnostics"][0]["location"]["file"] == kBad);

  // An unreadable stack: no command-specific document, the Recorder's from stderr.
  const Run missing = run({"lock", "/nonexistent/s.yaml", "-o", "json"});
  CHECK(missing.code == cli::kInputError);
  const json m = json::parse(missing.out);
  CHECK(m["ok"] == false);
  CHECK(m["exitCode"] == cli::kInputError);
  CHECK(m["error"]["kind"] == "input");
  CHECK(m["error"]["message"].get<std::string>().find("/nonexistent/s.yaml") != std::string::npos);
  CHECK(missing.err.find("/nonexistent/s.yaml") != std::string::npos);  // stderr unchanged
}

TEST_CASE("json envelope: a usage error under -o json is a document too, text mode unchanged") {
  const Run r = run({"render", kStack, "-o", "json", "--bogus"});
  CHECK(r.code == cli::kUsage);
  const json j = json::parse(r.out);
  CHECK(j["error"]["kind"] == "usage");
  CHECK(j["error"]["message"].get<std::string>().find("--bogus") != std::string::npos);
  const Run text = run({"render", kStack, "--bogus"});
  CHECK(text.out.empty());
  const Run unknown = run({"rendr", "-o", "json"});
  CHECK(json::parse(unknown.out)["ok"] == false);
}

TEST_CASE("json envelope: a failed document is never followed by a second one") {
  const Run r = run({"check", kBad, "-o", "json"});
  CHECK(r.code == cli::kFindings);
  CHECK_NOTHROW(json::parse(r.out));  // one document: parse fails on trailing text
  CHECK(json::parse(r.out)["valid"] == false);
}
