// `stackctl explain` end to end in-process: text and JSON output, stdin, exit codes, --list.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli_run.hpp"

using namespace stackctl;

namespace {

using Run = test::CliRun;

Run run(const std::vector<std::string>& args) {
  return test::run_cli(args);
}

// `explain` wired to `stdin_text` as its standard input (cli::run reads the process's stdin).
Run run_stdin(const std::string& stdin_text, std::vector<std::string> args, bool json = false) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  CLI::App app{"test"};
  const cli::Command cmd = cli::explain_command(in);
  CLI::App* sub = app.add_subcommand(cmd.name, cmd.synopsis);
  cli::Runner runner = cmd.setup(*sub);
  args.insert(args.begin(), "explain");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  cli::Context ctx{cli::GlobalOptions{}, out, err};
  if (json) ctx.options.output = cli::OutputFormat::json;
  const int code = runner(ctx);
  return {code, out.str(), err.str()};
}

std::string src(const std::string& rel) {
  return std::string(STACKCTL_SOURCE_DIR) + "/" + rel;
}

}  // namespace

TEST_CASE("explain TEXT: cause, fix, evidence and source; exit 0", "[explain][cli]") {
  const auto r = run({"explain", "java.lang.ClassNotFoundException:", "Class",
                      "org.apache.hadoop.fs.s3a.S3AFileSystem", "not", "found"});
  CHECK(r.code == cli::kOk);
  CHECK_THAT(r.out, Catch::StartsWith("X_S3A_MISSING (error): hadoop-aws is not on the classpath\n"
                                      "  evidence: line 1: java.lang.ClassNotFoundException: Class "
                                      "org.apache.hadoop.fs.s3a.S3AFileSystem not found\n"
                                      "  cause: s3a:// needs the hadoop-aws jar"));
  CHECK_THAT(r.out, Catch::Contains(
                        "  source: https://github.com/CoorpAcademy/docker-pyspark/issues/13,"));
  CHECK_THAT(r.out, Catch::EndsWith("1 known error matched (1 line scanned)\n"));
  CHECK(r.err.empty());
}

TEST_CASE("explain: unknown text says so and exits 6", "[explain][cli]") {
  const auto r = run({"explain", "INFO SparkContext: Running Spark version 4.0.1"});
  CHECK(r.code == cli::kNoMatch);
  CHECK(r.code == 6);
  CHECK(r.out ==
        "no known error matched (1 line scanned); `stackctl explain --list` shows what "
        "is known\n");
}

TEST_CASE("explain -: reads a pasted log from stdin", "[explain][cli]") {
  const std::string log =
      "25/01/10 10:00:00 INFO SparkContext: Running Spark version 4.0.1\n"
      "Traceback (most recent call last):\n"
      "pyspark.errors.exceptions.base.PySparkRuntimeError: [PYTHON_VERSION_MISMATCH] Python in "
      "worker has different version: 3.10 than that in driver: 3.11, PySpark cannot run with "
      "different minor versions.\n";
  const auto r = run_stdin(log, {"-"});
  CHECK(r.code == cli::kOk);
  CHECK_THAT(r.out, Catch::StartsWith("X_PYTHON_MISMATCH (error): Python 3.10 on the workers but "
                                      "3.11 on the driver\n  evidence: line 3: "));
  CHECK_THAT(r.out, Catch::EndsWith("1 known error matched (3 lines scanned)\n"));
  CHECK(run_stdin("nothing to see\n", {"-"}).code == cli::kNoMatch);
}

TEST_CASE("explain --stack: the change with file:line:column", "[explain][cli]") {
  const std::string fixture = src("tests/fixtures/explain/hadoop-aws-3.4.2.stack.yaml");
  const auto r = run({"explain", "--stack", fixture,
                      "java.lang.NoSuchMethodError:", "...ConfigurationHelper.resolveEnum(...)"});
  CHECK(r.code == cli::kOk);
  CHECK_THAT(r.out,
             Catch::Contains("  change: " + fixture +
                             ":29:14: artifacts.jars[0].maven: hadoop-aws 3.4.2 does not match "));
  CHECK_THAT(r.out, Catch::Contains("[SC009]\n          set the jar to "
                                    "org.apache.hadoop:hadoop-aws:3.4.1\n"));
  const auto ok = run({"explain", "--stack", src("stacks/spark-connect.stack.yaml"), "--target",
                       "minikube", "...ConfigurationHelper.resolveEnum NoSuchMethodError"});
  CHECK(ok.code == cli::kNoMatch);
  // "NoSuchMethodError" must come before the method name on the line, so this does not match.
  CHECK_THAT(ok.out, Catch::Contains("no known error matched"));
  const auto shipped =
      run({"explain", "--stack", src("stacks/spark-connect.stack.yaml"), "--target", "minikube",
           "java.lang.NoSuchMethodError: ...ConfigurationHelper.resolveEnum(...)"});
  CHECK_THAT(shipped.out, Catch::Contains("  not the stack: the stack's hadoop-aws equals Spark "
                                          "4.0.1's Hadoop 3.4.1"));
}

TEST_CASE("explain -o json: the shape of a match", "[explain][cli]") {
  const std::string fixture = src("tests/fixtures/explain/notebook-python-3.10.stack.yaml");
  const auto r = run({"explain", "-o", "json", "--stack", fixture,
                      "Python in worker has different version 3.10 than that in driver 3.11"});
  REQUIRE(r.code == cli::kOk);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["matched"] == 1);
  CHECK(j["lines_scanned"] == 1);
  CHECK(j["truncated"] == false);
  CHECK(j["stack"] == fixture);
  const auto& m = j["matches"][0];
  CHECK(m["code"] == "X_PYTHON_MISMATCH");
  CHECK(m["severity"] == "error");
  CHECK(m["message"] == "Python 3.10 on the workers but 3.11 on the driver");
  CHECK(m["evidence"]["line"] == 1);
  CHECK(m["captures"]["worker"] == "3.10");
  CHECK(m["cause"].is_string());
  CHECK(m["fix"].is_string());
  CHECK(m["source"][0] == "https://github.com/gettyimages/docker-spark/issues/58");
  CHECK(m["location"]["file"] == fixture);
  CHECK(m["location"]["line"] == 50);
  CHECK(m["stack"]["verdict"] == "stack-is-cause");
  CHECK(m["stack"]["changes"][0]["code"] == "SC005");
  CHECK(m["stack"]["changes"][0]["path"] == "images[2].pythonVersion");

  const auto none = run({"explain", "-o", "json", "all good"});
  CHECK(none.code == cli::kNoMatch);
  const auto jn = nlohmann::json::parse(none.out);
  CHECK(jn["matched"] == 0);
  CHECK(jn["matches"].empty());
  CHECK(jn["stack"].is_null());

  const auto no_stack = nlohmann::json::parse(run({"explain", "-o", "json", "OOMKilled"}).out);
  CHECK(no_stack["matches"][0]["stack"].is_null());
  CHECK(no_stack["matches"][0]["location"].is_null());
}

TEST_CASE("explain --list: the catalogue, as text and JSON", "[explain][cli]") {
  const auto r = run({"explain", "--list"});
  CHECK(r.code == cli::kOk);
  CHECK_THAT(r.out, Catch::StartsWith("X_S3A_MISSING                   error    hadoop-aws is not "
                                      "on the classpath\n"));
  const auto j = nlohmann::json::parse(run({"explain", "--list", "-o", "json"}).out);
  REQUIRE(j.size() >= 30);
  CHECK(j[0]["code"] == "X_S3A_MISSING");
  CHECK(j[0]["patterns"][0]["contains"] ==
        "Class org.apache.hadoop.fs.s3a.S3AFileSystem not found");
  CHECK(j[0]["stack_fix"] == "hadoop_aws");
}

TEST_CASE("explain: usage errors exit 2, an unreadable stack exits 3", "[explain][cli]") {
  auto r = run({"explain"});
  CHECK(r.code == cli::kUsage);
  CHECK_THAT(r.err, Catch::Contains("give the error text, or - to read it from stdin"));
  r = run({"explain", "--target", "minikube", "OOMKilled"});
  CHECK(r.code == cli::kUsage);
  CHECK(r.err == "stackctl explain: --target needs --stack FILE\n");
  r = run({"explain", "--stack", "/nonexistent/stack.yaml", "OOMKilled"});
  CHECK(r.code == cli::kInputError);
  CHECK_THAT(r.err, Catch::Contains("/nonexistent/stack.yaml"));
  r = run({"explain", "--stack", src("stacks/spark-connect.stack.yaml"), "--target", "nope",
           "OOMKilled"});
  CHECK(r.code == cli::kInputError);
  CHECK_THAT(r.err, Catch::Contains("invalid stack"));
  r = run({"explain", "--help"});
  CHECK(r.code == cli::kOk);
  CHECK_THAT(r.out, Catch::Contains("kubectl logs spark-connect-0 | stackctl explain -"));
}
