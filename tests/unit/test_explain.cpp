// The error catalogue (stacks/errors.yaml) and matching: every entry matches its real error texts,
// ordinary log lines match nothing, the catalogue's own mistakes are reported with positions, and
// large input is scanned in bounded time.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/explain/error_catalog.hpp"
#include "core/explain/match.hpp"
#include "core/explain/stack_fix.hpp"

using namespace stackctl;
using namespace stackctl::explain;

namespace {

const ErrorCatalog& cat() {
  return builtin_error_catalog();
}

std::vector<std::string> codes(const MatchResult& r) {
  std::vector<std::string> out;
  for (const auto& m : r.matches) out.push_back(m.entry->code);
  return out;
}

std::string first_code(std::string_view text) {
  const auto r = match_text(text, cat());
  return r.matches.empty() ? std::string("(none)") : r.matches.front().entry->code;
}

// A catalogue with one entry around `patterns` (YAML lines, indented 6).
std::string one_entry(const std::string& patterns, const std::string& extra = "") {
  return "errorsVersion: 1\n"
         "entries:\n"
         "  - code: X_TEST\n"
         "    title: a test entry\n"
         "    severity: error\n"
         "    patterns:\n" +
         patterns +
         "    cause: because\n"
         "    fix: do this\n"
         "    source: [\"facts/errors.md\"]\n"
         "    examples: [\"text\"]\n" +
         extra;
}

std::string diag_text(const std::expected<ErrorCatalog, Diagnostics>& r) {
  std::string s;
  if (!r)
    for (const auto& d : r.error().items()) s += format_diagnostic(d) + "\n";
  return s;
}

}  // namespace

TEST_CASE("the built-in error catalogue parses and every entry is complete", "[explain]") {
  REQUIRE(cat().entries.size() >= 30);
  for (const auto& e : cat().entries) {
    INFO(e.code);
    CHECK(!e.sources.empty());
    CHECK(!e.examples.empty());
    CHECK(!e.cause.empty());
    CHECK(!e.fix.empty());
    if (!e.stack_fix.empty()) CHECK(has_stack_fix(e.stack_fix));
  }
  for (const auto name : kStackFixes) CHECK(has_stack_fix(name));
}

TEST_CASE("every catalogue entry matches its real error texts, first", "[explain]") {
  // The examples are the error texts of the entry's sources (stacks/errors.yaml, `source:`).
  for (const auto& e : cat().entries) {
    for (const auto& ex : e.examples) {
      DYNAMIC_SECTION(e.code << ": " << ex.substr(0, 60)) {
        const auto r = match_text(ex, cat());
        REQUIRE(!r.matches.empty());
        CHECK(r.matches.front().entry->code == e.code);
      }
    }
  }
}

TEST_CASE("texts the catalogue must not match", "[explain]") {
  const char* texts[] = {
      "25/01/10 10:00:00 INFO SparkContext: Running Spark version 4.0.1",
      "INFO BlockManagerMasterEndpoint: Registering block manager 10.0.0.5:7079 with 2.2 GiB RAM",
      "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
      "java.io.FileNotFoundException: File file:/data/input.csv does not exist",
      "java.lang.ClassNotFoundException: com.example.udf.MyFunction",
      "psycopg2.OperationalError: connection to server at \"db\" (10.0.0.3), port 5432 failed: "
      "Connection refused",
      "WARN TaskSetManager: Lost task 0.0 in stage 1.0 (TID 3) (10.0.0.7 executor 1): "
      "java.lang.ArithmeticException: / by zero",
      "java.net.UnknownHostException: api.example.com",
      "spark-connect-0   1/1     Running   0          5m",
      "INFO Utils: Successfully started service 'SparkUI' on port 4040.",
      "INFO ExecutorPodsAllocator: Going to request 2 executors from Kubernetes.",
      "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name "
      "`x` cannot be resolved.",
  };
  for (const char* t : texts) {
    INFO(t);
    CHECK(codes(match_text(t, cat())).empty());
  }
}

TEST_CASE("a pasted Java stack trace: evidence is the line, quoted, with its number", "[explain]") {
  // apache/iceberg#3828 (trimmed): the error is on the third line of the paste.
  const std::string trace =
      "Py4JJavaError: An error occurred while calling o87.sql.\n"
      ": org.apache.spark.SparkException: Job aborted.\n"
      "\tCaused by: java.lang.NoSuchMethodError: "
      "org.apache.hadoop.util.SemaphoredDelegatingExecutor.<init>"
      "(Ljava/util/concurrent/ExecutorService;IZ)V\r\n"
      "\tat org.apache.hadoop.fs.s3a.S3AFileSystem.create(S3AFileSystem.java:772)\n";
  const auto r = match_text(trace, cat());
  REQUIRE(codes(r) == std::vector<std::string>{"X_S3A_HADOOP_MISMATCH"});
  CHECK(r.matches[0].line == 3);
  CHECK(r.matches[0].evidence.starts_with("Caused by: java.lang.NoSuchMethodError"));
  CHECK(r.lines_scanned == 4);
}

TEST_CASE("captures fill the message", "[explain]") {
  auto r = match_text(
      "pyspark.errors.exceptions.base.PySparkRuntimeError: [PYTHON_VERSION_MISMATCH] Python in "
      "worker has different version: 3.10 than that in driver: 3.11, PySpark cannot run with "
      "different minor versions.",
      cat());
  REQUIRE(r.matches.size() == 1);
  CHECK(r.matches[0].captures.at("worker") == "3.10");
  CHECK(r.matches[0].captures.at("driver") == "3.11");
  CHECK(r.matches[0].message == "Python 3.10 on the workers but 3.11 on the driver");

  r = match_text(
      "Error: A JNI error has occurred\njava.lang.UnsupportedClassVersionError: "
      "org/apache/spark/launcher/Main has been compiled by a more recent version of the Java "
      "Runtime (class file version 61.0), this version of the Java Runtime only recognizes class "
      "file versions up to 52.0",
      cat());
  REQUIRE(r.matches.size() == 1);
  CHECK(r.matches[0].message ==
        "classes need Java 17 (class file 61.0) but the JVM is Java 8 (up to 52.0)");

  r = match_text(
      "pods is forbidden: User \"system:serviceaccount:spark:default\" cannot create "
      "resource \"pods\" in API group \"\" in the namespace \"spark\"",
      cat());
  REQUIRE(r.matches.size() == 1);
  CHECK(r.matches[0].message == "ServiceAccount default in namespace spark may not create pods");
}

TEST_CASE("a message whose capture did not participate falls back to the title", "[explain]") {
  const auto r = match_text("status = StatusCode.UNAVAILABLE", cat());
  REQUIRE(r.matches.size() == 1);
  CHECK(r.matches[0].message == r.matches[0].entry->title);
}

TEST_CASE("several errors in one log: each once, the most specific first", "[explain]") {
  const std::string log =
      "status = StatusCode.UNAVAILABLE\n"
      "java.lang.OutOfMemoryError: Java heap space\n"
      "java.lang.OutOfMemoryError: Java heap space\n"
      "Exception: Python in worker has different version 3.10 than that in driver 3.11, "
      "PySpark cannot run with different minor versions.\n";
  const auto r = match_text(log, cat());
  CHECK(codes(r) ==
        std::vector<std::string>{"X_PYTHON_MISMATCH", "X_JVM_HEAP_OOM", "X_CONNECT_UNAVAILABLE"});
  CHECK(r.matches[1].line == 2);
}

TEST_CASE("near: the Guava clash counts only under S3A", "[explain]") {
  const std::string guava =
      "java.lang.NoSuchMethodError: 'void com.google.common.base.Preconditions.checkArgument("
      "boolean, java.lang.String, java.lang.Object, java.lang.Object)'";
  CHECK(first_code(guava) == "(none)");
  CHECK(first_code(guava + "\n\tat org.matsim.core.Foo.bar(Foo.java:1)") == "(none)");
  CHECK(first_code(guava +
                   "\n\tat org.apache.hadoop.fs.s3a.S3AUtils.lookupPassword(S3AUtils.java:816)") ==
        "X_S3A_GUAVA");
}

TEST_CASE("Connection refused counts for Spark Connect only on 15002", "[explain]") {
  CHECK(first_code("ipv4:10.0.0.1:15002: Failed to connect to remote host: Connection refused") ==
        "X_CONNECT_UNAVAILABLE");
  CHECK(first_code("ipv4:10.0.0.1:5432: Failed to connect to remote host: Connection refused") ==
        "(none)");
}

TEST_CASE("large input is scanned in bounded time and says it was cut", "[explain]") {
  std::string big;
  big.reserve(12'000'000);
  for (int i = 0; i < 150000; ++i)
    big += "25/01/10 10:00:00 INFO Executor: Finished task 1.0 in stage 2.0\n";
  big += "java.lang.OutOfMemoryError: Java heap space\n";  // beyond kMaxLines: not read
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = match_text(big, cat());
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  CHECK(r.truncated);
  CHECK(r.lines_scanned == kMaxLines);
  CHECK(r.matches.empty());
  WARN("150,000 lines (" << big.size() / 1000000 << " MB) matched in " << ms << " ms");
  CHECK(ms < 20000);  // Debug build, shared machine; the figure printed is what matters

  // One 5 MB line (a minified blob): only its first kMaxLineBytes bytes are read.
  std::string blob(5'000'000, 'a');
  blob.replace(100, 25, "java.lang.OutOfMemoryError");
  blob += "StatusCode.UNAVAILABLE";  // beyond the first 4 KiB of the line
  const auto r2 = match_text(blob, cat());
  CHECK(r2.truncated);
  CHECK(codes(r2) == std::vector<std::string>{"X_JVM_HEAP_OOM"});
  CHECK(r2.matches[0].evidence.size() <= kEvidenceChars + 3);
}

TEST_CASE("strip_named_groups", "[explain]") {
  auto r = strip_named_groups(R"(a (?<v>\d+) (?:x|y) (z) [(] \( (?<w>q))");
  REQUIRE(r);
  CHECK(r->first == R"(a (\d+) (?:x|y) (z) [(] \( (q))");
  CHECK(r->second == std::vector<std::string>{"v", "", "w"});
  CHECK(strip_named_groups("(?<1x>a)").error() == "\"1x\" is not a group name");
  CHECK(strip_named_groups("(?<a>b)(?<a>c)").error() == "the group name \"a\" is used twice");
  CHECK(strip_named_groups("(?<abc").error() == "unterminated group name");
}

TEST_CASE("error catalogue mistakes are reported with their position", "[explain]") {
  SECTION("a regex that does not compile") {
    const auto r = parse_error_catalog(one_entry("      - contains: \"x\"\n        regex: 'a(b'\n"),
                                       "errors.yaml");
    REQUIRE(!r);
    CHECK_THAT(diag_text(r),
               Catch::Contains("errors.yaml:8:16: error: entries[0].patterns[0].regex: "
                               "the regex does not compile"));
  }
  SECTION("a bad group name") {
    const auto r = parse_error_catalog(
        one_entry("      - contains: \"x\"\n        regex: '(?<9>b)'\n"), "errors.yaml");
    CHECK_THAT(diag_text(r), Catch::Contains("\"9\" is not a group name [E_ERRORS_REGEX]"));
  }
  SECTION("a message naming a capture no pattern has") {
    const auto r = parse_error_catalog(
        one_entry("      - contains: \"x\"\n", "    message: \"version {v}\"\n"), "errors.yaml");
    CHECK_THAT(diag_text(r), Catch::Contains("errors.yaml:12:14: error: entries[0].message: the "
                                             "message uses {v} but no pattern captures it"));
  }
  SECTION("no source, no examples, unknown stackFix, unknown key, bad code") {
    const std::string text =
        "errorsVersion: 1\n"
        "entries:\n"
        "  - code: x_lower\n"
        "    title: t\n"
        "    severity: error\n"
        "    patterns: [{contains: a}]\n"
        "    cause: c\n"
        "    fix: f\n"
        "    stackFix: hadoopaws\n"
        "    sorce: typo\n";
    const auto r = parse_error_catalog(text, "errors.yaml");
    const std::string d = diag_text(r);
    CHECK_THAT(d, Catch::Contains("errors.yaml:3:11: error: entries[0].code: code \"x_lower\" is "
                                  "not X_ followed by upper-case words"));
    CHECK_THAT(d, Catch::Contains("errors.yaml:3:5: error: entries[0]: entry has no `source`"));
    CHECK_THAT(d, Catch::Contains("entry has no `examples`"));
    CHECK_THAT(d, Catch::Contains("errors.yaml:9:15: error: entries[0].stackFix: unknown "
                                  "stackFix \"hadoopaws\""));
    CHECK_THAT(d, Catch::Contains("did you mean \"hadoop_aws\"?"));
    CHECK_THAT(d, Catch::Contains("errors.yaml:10:5: error: entries[0].sorce: unknown key"));
  }
  SECTION("a duplicate code") {
    std::string text = one_entry("      - contains: \"x\"\n");
    text += text.substr(text.find("  - code"));
    const auto r = parse_error_catalog(text, "errors.yaml");
    CHECK_THAT(diag_text(r), Catch::Contains("errors.yaml:12:11: error: entries[1].code: code "
                                             "X_TEST is used by an earlier entry"));
  }
  SECTION("a well-formed entry parses") {
    const auto r =
        parse_error_catalog(one_entry("      - contains: \"x\"\n        regex: 'x (?<v>\\d+)'\n",
                                      "    message: \"v{v}\"\n"),
                            "errors.yaml");
    REQUIRE(r);
    CHECK(r->entries[0].patterns[0].capture_names == std::vector<std::string>{"v"});
  }
}

TEST_CASE("docs/explain.md documents every code of the catalogue, and no other", "[explain]") {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/docs/explain.md");
  std::ostringstream s;
  s << in.rdbuf();
  const std::string doc = s.str();
  std::set<std::string> documented;
  for (auto at = doc.find("\n### X_"); at != std::string::npos; at = doc.find("\n### X_", at + 1))
    documented.insert(doc.substr(at + 5, doc.find('\n', at + 1) - at - 5));
  std::set<std::string> known;
  for (const auto& e : cat().entries) known.insert(e.code);
  CHECK(documented == known);
}
