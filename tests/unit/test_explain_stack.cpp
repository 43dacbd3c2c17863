// `explain --stack`: the change each error means for a stack, on the shipped stacks (where the
// stack is not the cause) and on fixtures with the broken versions (tests/fixtures/explain).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/explain/match.hpp"
#include "core/explain/stack_fix.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using namespace stackctl::explain;

namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

model::Stack load(const std::string& rel, const std::string& target = "") {
  Diagnostics diags;
  auto stack = load_stack(read(rel), {rel, target, &catalog::builtin_catalog()}, diags);
  INFO(test::dump(diags));
  REQUIRE(stack);
  REQUIRE(!diags.has_errors());
  return *stack;
}

model::Stack load_text(const std::string& text, const std::string& target = "") {
  Diagnostics diags;
  auto stack = load_stack(text, {"stack.yaml", target, &catalog::builtin_catalog()}, diags);
  INFO(test::dump(diags));
  REQUIRE(stack);
  REQUIRE(!diags.has_errors());
  return *stack;
}

StackAdvice advice_for(const std::string& text, const model::Stack& stack) {
  const auto r = match_text(text, builtin_error_catalog());
  REQUIRE(!r.matches.empty());
  auto a = advise(r.matches.front(), stack, catalog::builtin_catalog());
  REQUIRE(a);
  return *a;
}

std::string where(const StackItem& i) {
  return i.loc.file + ":" + std::to_string(i.loc.line) + ":" + std::to_string(i.loc.column);
}

const char* kResolveEnum = "java.lang.NoSuchMethodError: ...ConfigurationHelper.resolveEnum(...)";
const char* kPython =
    "[PYTHON_VERSION_MISMATCH] Python in worker has different version: 3.11 than that in "
    "driver: 3.10, PySpark cannot run with different minor versions.";

}  // namespace

TEST_CASE("hadoop-aws 3.4.2 on Spark 4.0.1: set the jar to 3.4.1, at its line", "[explain]") {
  const auto stack = load("tests/fixtures/explain/hadoop-aws-3.4.2.stack.yaml");
  const auto a = advice_for(kResolveEnum, stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(!a.changes.empty());
  CHECK(a.changes[0].code == "SC009");
  CHECK(a.changes[0].path == "artifacts.jars[0].maven");
  CHECK(where(a.changes[0]) == "tests/fixtures/explain/hadoop-aws-3.4.2.stack.yaml:29:14");
  CHECK_THAT(a.changes[0].message, Catch::Contains("hadoop-aws 3.4.2") && Catch::Contains("3.4.1"));
  CHECK(a.changes[0].fix == "set the jar to org.apache.hadoop:hadoop-aws:3.4.1");
  // Following the hadoop-aws fix, the SDK must follow too (SC011: 2.24.6 is 3.4.1's pin).
  bool sdk = false;
  for (const auto& c : a.changes)
    sdk = sdk || (c.code == "SC011" && c.path == "artifacts.jars[1].maven");
  CHECK(sdk);
}

TEST_CASE("the shipped spark-connect stack is not the cause of an S3A mismatch", "[explain]") {
  const auto stack = load("stacks/spark-connect.stack.yaml");
  const auto a = advice_for(kResolveEnum, stack);
  CHECK(a.verdict == Verdict::not_the_stack);
  CHECK(a.changes.empty());
  CHECK_THAT(a.note, Catch::Contains("equals Spark 4.0.1's Hadoop 3.4.1") &&
                         Catch::Contains("the stack is not the cause"));
  REQUIRE(!a.related.empty());
  CHECK(a.related[0].path == "artifacts.jars[0]");
}

TEST_CASE("S3A missing on a stack without hadoop-aws: add it with its SDK", "[explain]") {
  const auto stack =
      load_text(test::with("    - maven: org.apache.hadoop:hadoop-aws:3.3.4\n    - maven: "
                           "com.amazonaws:aws-java-sdk-bundle:1.12.262\n",
                           "    - maven: org.postgresql:postgresql:42.7.3\n"));
  const auto a = advice_for(
      "ClassNotFoundException: Class org.apache.hadoop.fs.s3a.S3AFileSystem not found", stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].path == "artifacts.jars");
  CHECK(a.changes[0].fix ==
        "add to artifacts.jars: - maven: org.apache.hadoop:hadoop-aws:3.3.4, and - maven: "
        "com.amazonaws:aws-java-sdk-bundle:1.12.262");
}

TEST_CASE("Python 3.10 on the notebook image but 3.11 on spark-base", "[explain]") {
  const auto stack = load("tests/fixtures/explain/notebook-python-3.10.stack.yaml");
  const auto a = advice_for(kPython, stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(!a.changes.empty());
  CHECK(a.changes[0].code == "SC005");
  CHECK(a.changes[0].path == "images[2].pythonVersion");
  CHECK(where(a.changes[0]) == "tests/fixtures/explain/notebook-python-3.10.stack.yaml:50:20");
  CHECK_THAT(a.changes[0].message, Catch::Contains("3.10") && Catch::Contains("3.11"));

  const auto shipped = load("stacks/spark-connect.stack.yaml");
  const auto b = advice_for(kPython, shipped);
  CHECK(b.verdict == Verdict::not_the_stack);
  CHECK_THAT(b.note, Catch::Contains("uses 3.11") &&
                         Catch::Contains("The driver' Python 3.10 is none of the stack's"));
}

TEST_CASE("client newer than the Connect server: versions.pyspark", "[explain]") {
  const auto stack = load("tests/fixtures/explain/pyspark-newer.stack.yaml");
  const auto a = advice_for(
      "details = \"Method not found: spark.connect.SparkConnectService/ReleaseSession\"", stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(!a.changes.empty());
  CHECK(a.changes[0].path == "versions.pyspark");
  CHECK(a.changes[0].loc.line == 15);

  const auto b =
      advice_for("details = \"Method not found: spark.connect.SparkConnectService/ReleaseSession\"",
                 load("stacks/spark-connect.stack.yaml"));
  CHECK(b.verdict == Verdict::not_the_stack);
}

TEST_CASE("MinIO virtual-host addressing: pathStyleAccess", "[explain]") {
  const char* text = "java.net.UnknownHostException: warehouse.minio.default.svc.cluster.local";
  const auto a = advice_for(text, load("tests/fixtures/explain/minio-virtual-host.stack.yaml"));
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].fix == "set services.external.objectStore.pathStyleAccess: true");
  CHECK_THAT(a.changes[0].message, Catch::Contains("(warehouse.)"));
  const auto b = advice_for(text, load("stacks/spark-connect.stack.yaml"));
  CHECK(b.verdict == Verdict::not_the_stack);
}

TEST_CASE("Java: classes for 17 on a stack that says 11", "[explain]") {
  const auto stack = load_text(test::with("  java: \"17\"", "  java: \"11\""));
  const auto a = advice_for(
      "java.lang.UnsupportedClassVersionError: Main has been compiled by a more recent version of "
      "the Java Runtime (class file version 61.0), this version of the Java Runtime only "
      "recognizes class file versions up to 55.0",
      stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].path == "versions.java");
  CHECK(a.changes[0].fix == "set versions.java to \"17\" (a Java the Spark line supports)");
  CHECK(a.changes[0].loc.line == 8);
}

TEST_CASE("RBAC: the default ServiceAccount, or another namespace", "[explain]") {
  const auto stack = load("stacks/spark-connect.stack.yaml", "minikube");
  auto a = advice_for(
      "pods is forbidden: User \"system:serviceaccount:spark:default\" cannot "
      "create resource \"pods\" in API group \"\" in the namespace \"spark\"",
      stack);
  CHECK(a.verdict == Verdict::not_the_stack);
  CHECK_THAT(a.note, Catch::Contains("default ServiceAccount, not spark"));
  a = advice_for(
      "pods is forbidden: User \"system:serviceaccount:analytics:spark\" cannot "
      "create resource \"pods\" in API group \"\" in the namespace \"analytics\"",
      stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].path == "targets[0].namespace");
}

TEST_CASE("Connect: a client on the wrong port; the shipped image is not daemonized", "[explain]") {
  const auto stack =
      load_text(test::with("    image: connect\n", "    image: connect\n    port: 15003\n"));
  auto a = advice_for("ipv4:10.0.0.1:15002: Failed to connect to remote host: Connection refused",
                      stack);
  CHECK(a.verdict == Verdict::stack_is_cause);
  REQUIRE(a.changes.size() == 1);
  CHECK(a.changes[0].path == "services.connect.port");

  const auto shipped = load("stacks/spark-connect.stack.yaml");
  a = advice_for(
      "starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to "
      "/opt/spark/logs/x.out",
      shipped);
  CHECK(a.verdict == Verdict::not_the_stack);
  CHECK_THAT(a.note, Catch::Contains("SPARK_NO_DAEMONIZE=true"));
}

TEST_CASE("quoted values: memory overhead, executor resources, metastore", "[explain]") {
  const auto stack = load("stacks/spark-connect.stack.yaml", "minikube");
  auto a = advice_for("Reason: OOMKilled", stack);
  CHECK(a.verdict == Verdict::undetermined);
  REQUIRE(!a.related.empty());
  CHECK_THAT(a.related[0].message, Catch::Contains("memoryOverhead is unset"));
  a = advice_for("0/1 nodes are available: 1 Insufficient memory.", stack);
  CHECK_THAT(a.note, Catch::Contains("1 executors of 1g + overhead, 1 cores each on minikube") &&
                         Catch::Contains("minikube with more"));
  a = advice_for("AnalysisException: Table or view not found: sales.orders", stack);
  CHECK(a.verdict == Verdict::undetermined);
  CHECK_THAT(a.note, Catch::Contains("thrift://hive-metastore:9083"));
  const auto no_metastore = load_text(test::kMinimalStack);
  a = advice_for("AnalysisException: Table or view not found: sales.orders", no_metastore);
  CHECK(a.verdict == Verdict::stack_is_cause);
  CHECK(a.changes[0].fix == "set services.external.metastore: thrift://HOST:9083");
}

TEST_CASE("an entry without stackFix gives no advice", "[explain]") {
  const auto r = match_text(
      "java.lang.ClassNotFoundException: org.apache.spark.sql.connect.SparkConnectPlugin",
      builtin_error_catalog());
  REQUIRE(r.matches.size() == 1);
  CHECK(!advise(r.matches[0], load("stacks/spark-connect.stack.yaml"), catalog::builtin_catalog()));
}

TEST_CASE("the shipped stacks, every target: version errors are not the stack's doing",
          "[explain]") {
  // The shipped stacks check clean (tests "shipped: check ..."), so every version-based answer
  // must say the stack is not the cause; the other answers must run and point into the file.
  const std::vector<std::string> version_fixes = {"hadoop_aws", "aws_sdk", "python",
                                                  "pyspark",    "scala",   "java"};
  for (const std::string name : {"spark-connect", "kyuubi-sql", "custom-app"}) {
    const std::string rel = "stacks/" + name + ".stack.yaml";
    std::vector<std::string> targets{""};
    for (const auto& t : load(rel).targets) targets.push_back(t.name);
    for (const auto& target : targets) {
      const auto stack = load(rel, target);
      for (const auto& e : builtin_error_catalog().entries) {
        if (e.stack_fix.empty()) continue;
        DYNAMIC_SECTION(name << " [" << target << "] " << e.code) {
          const auto a = advice_for(e.examples.front(), stack);
          const bool version = std::find(version_fixes.begin(), version_fixes.end(), e.stack_fix) !=
                               version_fixes.end();
          if (version) {
            INFO(a.note);
            CHECK(a.verdict == Verdict::not_the_stack);
            CHECK(a.changes.empty());
          }
          if (a.changes.empty()) CHECK(!a.note.empty());
          for (const auto& i : a.changes) CHECK(i.loc.file == rel);
          for (const auto& i : a.related) CHECK(i.loc.file == rel);
        }
      }
    }
  }
}
