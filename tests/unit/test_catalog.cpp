// The version catalog: the embedded stacks/catalog.yaml parses and cites a source everywhere, the
// lookups answer what `check` asks, and every malformed catalog is reported with its position.
#include <catch2/catch.hpp>

#include "core/knowledge/catalog.hpp"
#include "core/resources.hpp"

using namespace stackctl;
using catalog::parse_catalog;

namespace {

// Line numbers matter: tests assert positions in this text.
const std::string kSmallCatalog = R"(catalogVersion: 1
sparkLines:
  - line: "3.5"
    hadoop: "3.3.4"
    scala: ["2.12", "2.13"]
    scalaDefault: "2.12"
    java: ["8", "11", "17"]
    pythonMin: "3.8"
    pythonMax: "3.11"
    releases:
      - version: "3.5.7"
        source: "facts/checksums.md"
    source: "facts/versions.md"
hadoopSdks:
  - hadoop: "3.3.4"
    group: com.amazonaws
    artifact: aws-java-sdk-bundle
    version: "1.12.262"
    source: "facts/versions.md"
checksums:
  - artifact: org.apache.hadoop:hadoop-aws:3.3.4
    algorithm: sha1
    hex: a65839fbf1869f81a1632e09f415e586922e4f80
    source: "facts/checksums.md"
)";

std::string replaced(const std::string& from, const std::string& to,
                     std::string text = kSmallCatalog) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test text lacks: " + from);
  text.replace(pos, from.size(), to);
  return text;
}

// The diagnostics of a catalog that must fail to parse.
Diagnostics errors_of(const std::string& text) {
  auto result = parse_catalog(text, "cat.yaml");
  REQUIRE_FALSE(result.has_value());
  return result.error();
}

const Diagnostic& only(const Diagnostics& d, const std::string& code) {
  const Diagnostic* found = nullptr;
  for (const auto& item : d.items())
    if (item.code == code) found = &item;
  INFO(code);
  REQUIRE(found != nullptr);
  return *found;
}

Version v(const char* text) {
  return *Version::parse(text);
}

std::vector<std::string> lines(std::initializer_list<const char*> items) {
  return {items.begin(), items.end()};
}

using Kind = catalog::RuntimeFit::Kind;

// What the embedded catalog's runtime tables say of group:artifact:version.
catalog::RuntimeFit fit(const char* group, const char* artifact, const char* version) {
  return catalog::builtin_catalog().runtime_fit(group, artifact, v(version));
}

// A runtime row appended to kSmallCatalog, for the parser's checks on runtimeLines.
std::string with_runtime_row(const std::string& row) {
  return replaced("checksums:",
                  "runtimeLines:\n  - group: org.apache.iceberg\n"
                  "    artifacts: [\"iceberg-spark-runtime-{spark}\"]\n"
                  "    name: Apache Iceberg\n" +
                      row + "    source: \"x\"\nchecksums:");
}

}  // namespace

TEST_CASE("the embedded catalog parses and every entry cites a source", "[catalog]") {
  const auto text = resources::find("stacks/catalog.yaml");
  REQUIRE(text.has_value());
  auto parsed = parse_catalog(*text, "stacks/catalog.yaml");
  if (!parsed) {
    for (const auto& d : parsed.error().items()) UNSCOPED_INFO(format_diagnostic(d));
  }
  REQUIRE(parsed.has_value());
  const catalog::Catalog& c = *parsed;
  CHECK(c.spark_lines.size() >= 5);
  CHECK(c.hadoop_sdks.size() >= 8);
  CHECK(c.checksums.size() >= 40);
  for (const auto& l : c.spark_lines) CHECK_FALSE(l.source.empty());
  for (const auto& s : c.hadoop_sdks) CHECK_FALSE(s.source.empty());
  for (const auto& s : c.checksums) CHECK_FALSE(s.source.empty());
  // builtin_catalog() is the same data.
  CHECK(catalog::builtin_catalog().spark_lines.size() == c.spark_lines.size());
  CHECK(catalog::builtin_catalog().checksums.size() == c.checksums.size());
}

TEST_CASE("the embedded catalog holds the facts' pairings", "[catalog]") {
  const auto& c = catalog::builtin_catalog();
  const catalog::SparkLine* l40 = c.spark_line(v("4.0.1"));
  REQUIRE(l40 != nullptr);
  CHECK(l40->hadoop == "3.4.1");
  CHECK(l40->scala == std::vector<std::string>{"2.13"});
  CHECK(l40->java == std::vector<std::string>{"17", "21"});
  CHECK(l40->python_min == "3.9");
  CHECK(l40->python_max.empty());
  CHECK(c.spark_line(v("3.3.0"))->confidence == catalog::Confidence::medium);
  CHECK(c.spark_line(v("4.2.0"))->confidence == catalog::Confidence::low);
  CHECK(c.spark_line(v("3.5.7"))->confidence == catalog::Confidence::high);
  CHECK(c.spark_line(v("2.4.8")) == nullptr);
  CHECK(c.knows_release(v("3.5.7")));
  CHECK_FALSE(c.knows_release(v("3.5.99")));
  CHECK(c.sdk_for_hadoop(v("3.4.1"))->version == "2.24.6");
  CHECK(c.sdk_for_hadoop(v("3.4.1"))->group == "software.amazon.awssdk");
  CHECK(c.sdk_for_hadoop(v("3.3.4"))->artifact == "aws-java-sdk-bundle");
  CHECK(c.sdk_for_hadoop(v("3.2.4"))->version == "1.11.901");  // the 3.2 line entry
  CHECK(c.sdk_for_hadoop(v("3.3.5")) == nullptr);              // the facts give no pin
  const auto sums = c.checksums_for("spark-4.0.1-bin-hadoop3.tgz");
  REQUIRE(sums.size() == 2);
  CHECK(sums[0]->checksum.algorithm == model::HashAlgorithm::sha512);
  CHECK(sums[0]->checksum.hex.starts_with("9198602c6b931b46"));
  CHECK(sums[1]->checksum.algorithm == model::HashAlgorithm::sha256);
  CHECK(c.checksums_for("org.apache.hadoop:hadoop-aws:3.4.1").empty());  // not found upstream
}

TEST_CASE("the embedded catalog pairs Delta lines exactly as Delta's table does", "[catalog]") {
  const auto& c = catalog::builtin_catalog();
  for (const auto& r : c.runtime_lines) CHECK_FALSE(r.source.empty());
  CHECK(c.has_runtime_table("io.delta", "delta-spark"));
  CHECK(c.has_runtime_table("io.delta", "delta-core"));
  CHECK_FALSE(c.has_runtime_table("io.delta", "delta-storage"));
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.2.1"))->spark == lines({"3.5"}));
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.3.2"))->spark == lines({"3.5"}));
  CHECK(c.runtime_line("io.delta", "delta-spark", v("4.0.0"))->spark == lines({"4.0"}));
  CHECK(c.runtime_line("io.delta", "delta-core", v("2.4.0"))->spark == lines({"3.4"}));
  CHECK(c.runtime_line("io.delta", "delta-core", v("2.0.2"))->spark == lines({"3.2"}));
  CHECK(c.runtime_line("io.delta", "delta-core", v("1.0.1"))->spark == lines({"3.1"}));
  // Neighbours of listed lines are not known.
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.4.0")) == nullptr);
  CHECK(c.runtime_line("io.delta", "delta-spark", v("4.1.0")) == nullptr);
  CHECK(c.runtime_line("io.delta", "delta-core", v("0.6.1")) == nullptr);
}

// Iceberg names the Spark line in the artifact; its lifecycle table (site/docs/
// multi-engine-support.md) gives the Iceberg releases that publish each line's runtime.
TEST_CASE("the embedded catalog holds Iceberg's lifecycle table per Spark line", "[catalog]") {
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-3.5", "1.8.1").kind == Kind::pairs);
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-4.0", "1.10.0").kind == Kind::pairs);
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-4.1", "1.11.0").kind == Kind::pairs);
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-3.4", "1.11.0").kind == Kind::pairs);
  // Before the first release for the line, and after the last of an end-of-life line.
  auto f = fit("org.apache.iceberg", "iceberg-spark-runtime-4.0", "1.9.2");
  CHECK(f.kind == Kind::not_published);
  CHECK(f.named_line == "4.0");
  CHECK(f.row->since == "1.10.0");
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-3.3", "1.9.0").kind ==
        Kind::not_published);
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-3.4", "1.12.0").kind ==
        Kind::not_published);
  // A maintained line after the newest release the page names is unknown, not assumed.
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-3.5", "1.12.0").kind == Kind::unlisted);
  // A Spark line the table lacks is unknown; other Iceberg artifacts are not runtimes here.
  CHECK(fit("org.apache.iceberg", "iceberg-spark-runtime-4.2", "1.11.0").kind == Kind::unlisted);
  CHECK(fit("org.apache.iceberg", "iceberg-aws-bundle", "1.11.0").kind == Kind::none);
  CHECK_FALSE(catalog::builtin_catalog().has_runtime_table("org.apache.iceberg", "iceberg-core"));
}

TEST_CASE("the embedded catalog holds Hudi's Spark support matrix per Hudi line", "[catalog]") {
  CHECK(fit("org.apache.hudi", "hudi-spark3.5-bundle", "0.15.0").kind == Kind::pairs);
  CHECK(fit("org.apache.hudi", "hudi-spark4.0-bundle", "1.1.0").kind == Kind::pairs);
  auto f = fit("org.apache.hudi", "hudi-spark3.5-bundle", "0.14.1");
  CHECK(f.kind == Kind::not_published);
  CHECK(f.row->spark == lines({"3.4", "3.3", "3.2", "3.1", "3.0"}));
  CHECK(fit("org.apache.hudi", "hudi-spark4.0-bundle", "1.0.2").kind == Kind::not_published);
  CHECK(fit("org.apache.hudi", "hudi-spark3.2-bundle", "1.0.0").kind == Kind::not_published);
  // Hudi lines the cited table does not list are unknown.
  CHECK(fit("org.apache.hudi", "hudi-spark3.3-bundle", "0.13.1").kind == Kind::unlisted);
  CHECK(fit("org.apache.hudi", "hudi-spark3.5-bundle", "1.2.0").kind == Kind::unlisted);
  // hudi-spark3-bundle is the "default build": its Spark line comes from the table.
  f = fit("org.apache.hudi", "hudi-spark3-bundle", "0.14.0");
  CHECK(f.kind == Kind::pairs);
  CHECK(f.named_line.empty());
  CHECK(f.row->spark == lines({"3.4"}));
}

TEST_CASE("the embedded catalog holds Unity Catalog's per-Spark-line connectors", "[catalog]") {
  CHECK(fit("io.unitycatalog", "unitycatalog-spark_4.0", "0.5.0").kind == Kind::pairs);
  CHECK(fit("io.unitycatalog", "unitycatalog-spark_4.1", "0.6.0").kind == Kind::pairs);
  CHECK(fit("io.unitycatalog", "unitycatalog-spark_4.1", "0.4.0").kind == Kind::not_published);
  CHECK(fit("io.unitycatalog", "unitycatalog-spark_4.2", "0.6.0").kind == Kind::unlisted);
  // The older name without a Spark line has no source that pairs it: no row, no verdict.
  CHECK(fit("io.unitycatalog", "unitycatalog-spark", "0.3.1").kind == Kind::none);
}

TEST_CASE("the embedded catalog cites Spark's documentation for the Java lists it has read",
          "[catalog]") {
  const auto& c = catalog::builtin_catalog();
  for (const char* line : {"3.3.0", "3.4.0", "3.5.0"}) {
    INFO(line);
    CHECK_THAT(c.spark_line(v(line))->java_source, Catch::Matchers::Contains("Spark runs on Java"));
  }
  // Not read for 4.x yet: no citation rather than a guessed one.
  CHECK(c.spark_line(v("4.0.0"))->java_source.empty());
}

TEST_CASE("catalog: runtime rows are per runtime line or per Spark line, never both", "[catalog]") {
  const auto good = parse_catalog(
      with_runtime_row("    spark: \"3.4\"\n    since: \"1.3.0\"\n    until: \"1.11.0\"\n"
                       "    ended: true\n"),
      "cat.yaml");
  REQUIRE(good.has_value());
  CHECK(good->runtime_lines[0].ended);
  CHECK(good->runtime_lines[0].releases() == "1.3.0 to 1.11.0");

  auto d =
      errors_of(with_runtime_row("    spark: \"3.4\"\n    line: \"1.3\"\n    since: \"1.3.0\"\n"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "a runtime line has `line` or `since`, not both");
  d = errors_of(with_runtime_row("    spark: \"3.4\"\n"));
  CHECK(only(d, "E_CATALOG_KEY").message == "missing required key \"line\" (or \"since\")");
  d = errors_of(with_runtime_row("    spark: \"3.4\"\n    line: \"1.3\"\n    until: \"1.4.0\"\n"));
  CHECK(only(d, "E_CATALOG_KEY").message == "`until` needs `since`");
  d = errors_of(with_runtime_row("    spark: \"3.4\"\n    since: \"1.3.0\"\n    ended: true\n"));
  CHECK(only(d, "E_CATALOG_KEY").message == "`ended` needs `until`");
  d = errors_of(
      with_runtime_row("    spark: \"3.4\"\n    since: \"1.3.0\"\n    until: \"1.2.0\"\n"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "until 1.2.0 is older than since 1.3.0");
  d = errors_of(with_runtime_row(
      "    spark: \"3.4\"\n    since: \"1.3.0\"\n    until: \"1.4.0\"\n    ended: maybe\n"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "\"maybe\" is not true or false");
  d = errors_of(with_runtime_row("    spark: [\"3.4\", \"3.x\"]\n    since: \"1.3.0\"\n"));
  CHECK(only(d, "E_CATALOG_VERSION").message ==
        "\"3.x\" is not a valid version here (expected 2 dotted numbers)");
  d = errors_of(replaced("[\"iceberg-spark-runtime-{spark}\"]", "[\"a-{spark}-{spark}\"]",
                         with_runtime_row("    spark: \"3.4\"\n    since: \"1.3.0\"\n")));
  CHECK(only(d, "E_CATALOG_VALUE").message == "\"a-{spark}-{spark}\" has {spark} more than once");
  // Two rows for the same Spark line and first release are one row too many.
  d = errors_of(with_runtime_row(
      "    spark: \"3.4\"\n    since: \"1.3.0\"\n    source: \"x\"\n"
      "  - group: org.apache.iceberg\n    artifacts: [\"iceberg-spark-runtime-{spark}\"]\n"
      "    name: Apache Iceberg\n    spark: \"3.4\"\n    since: \"1.3.0\"\n"));
  CHECK(only(d, "E_CATALOG_DUPLICATE").message ==
        "duplicate runtime line org.apache.iceberg:iceberg-spark-runtime-{spark} 1.3.0 3.4");
}

TEST_CASE("a small catalog parses into its fields", "[catalog]") {
  auto parsed = parse_catalog(kSmallCatalog, "cat.yaml");
  REQUIRE(parsed.has_value());
  const auto& l = parsed->spark_lines.at(0);
  CHECK(l.line == "3.5");
  CHECK(l.scala_default == "2.12");
  CHECK(l.python_max == "3.11");
  CHECK(l.releases == std::vector<std::string>{"3.5.7"});
  CHECK(l.confidence == catalog::Confidence::high);
  CHECK(parsed->checksums.at(0).checksum.algorithm == model::HashAlgorithm::sha1);
}

TEST_CASE("catalog: malformed YAML is reported at the parser's position", "[catalog]") {
  const auto d = errors_of(replaced("    hadoop: \"3.3.4\"\n", "    hadoop: [\"3.3.4\"\n"));
  const auto& e = only(d, "E_YAML");
  CHECK(e.loc.file == "cat.yaml");
  CHECK(e.loc.line > 0);
}

TEST_CASE("catalog: a missing key is reported at its entry", "[catalog]") {
  const auto d = errors_of(replaced("    hadoop: \"3.3.4\"\n", ""));
  const auto& e = only(d, "E_CATALOG_KEY");
  CHECK(e.message == "missing required key \"hadoop\"");
  CHECK(e.path == "sparkLines[0].hadoop");
  CHECK(e.loc.line == 3);
  CHECK(e.loc.column == 5);
}

TEST_CASE("catalog: a malformed version is reported at its value", "[catalog]") {
  const auto d = errors_of(replaced("pythonMin: \"3.8\"", "pythonMin: \"3.x\""));
  const auto& e = only(d, "E_CATALOG_VERSION");
  CHECK(e.message == "\"3.x\" is not a valid version here (expected 2 dotted numbers)");
  CHECK(e.path == "sparkLines[0].pythonMin");
  CHECK(e.loc.line == 8);
  CHECK(e.loc.column == 16);
}

TEST_CASE("catalog: a version in a list is checked item by item", "[catalog]") {
  const auto d = errors_of(replaced(R"(java: ["8", "11", "17"])", R"(java: ["8", "11", "17.x"])"));
  const auto& e = only(d, "E_CATALOG_VERSION");
  CHECK(e.path == "sparkLines[0].java[2]");
  CHECK(e.loc.line == 7);
}

TEST_CASE("catalog: an entry without a source is an error", "[catalog]") {
  const auto d =
      errors_of(replaced("    version: \"1.12.262\"\n    source: \"facts/versions.md\"\n",
                         "    version: \"1.12.262\"\n"));
  const auto& e = only(d, "E_CATALOG_SOURCE");
  CHECK(e.message == "entry has no source");
  CHECK(e.path == "hadoopSdks[0]");
  CHECK(e.loc.line == 15);
  CHECK(e.hint.find("source:") != std::string::npos);
}

TEST_CASE("catalog: a release without a source, and an empty source, are errors", "[catalog]") {
  auto d = errors_of(replaced("        source: \"facts/checksums.md\"\n", ""));
  CHECK(only(d, "E_CATALOG_SOURCE").path == "sparkLines[0].releases[0]");
  d = errors_of(
      replaced("    source: \"facts/versions.md\"\nhadoopSdks", "    source: \"\"\nhadoopSdks"));
  CHECK(only(d, "E_CATALOG_SOURCE").path == "sparkLines[0]");
}

TEST_CASE("catalog: unknown keys get a did-you-mean", "[catalog]") {
  const auto d = errors_of(replaced("scalaDefault:", "scalaDefualt:"));
  const auto& e = only(d, "E_CATALOG_UNKNOWN_KEY");
  CHECK(e.message == "unknown key \"scalaDefualt\"");
  CHECK(e.hint == "did you mean \"scalaDefault\"?");
  CHECK(e.loc.line == 6);
  CHECK(e.loc.column == 5);
}

TEST_CASE("catalog: checksums must be well-formed", "[catalog]") {
  auto d = errors_of(replaced("a65839fbf1869f81a1632e09f415e586922e4f80", "a65839fb"));
  auto e = only(d, "E_CATALOG_VALUE");
  CHECK(e.message == "a sha1 checksum is 40 lower-case hexadecimal digits; this is 8 characters");
  CHECK(e.loc.line == 23);
  d = errors_of(replaced("algorithm: sha1", "algorithm: md5"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "\"md5\" is not a checksum algorithm");
  d = errors_of(replaced("a65839fbf1869f81a1632e09f415e586922e4f80",
                         "A65839FBF1869F81A1632E09F415E586922E4F80"));
  CHECK(only(d, "E_CATALOG_VALUE").message.ends_with("and not all lower-case hexadecimal"));
}

TEST_CASE("catalog: cross-field checks", "[catalog]") {
  auto d = errors_of(replaced("version: \"3.5.7\"", "version: \"3.4.3\""));
  CHECK(only(d, "E_CATALOG_VALUE").message == "release 3.4.3 is not on the 3.5 line");
  d = errors_of(replaced("scalaDefault: \"2.12\"", "scalaDefault: \"2.11\""));
  CHECK(only(d, "E_CATALOG_VALUE").message == "scalaDefault 2.11 is not in this line's scala list");
  d = errors_of(replaced("catalogVersion: 1", "catalogVersion: 2"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "unsupported catalogVersion 2");
  d = errors_of(
      replaced("    pythonMax: \"3.11\"\n", "    pythonMax: \"3.11\"\n    confidence: sure\n"));
  CHECK(only(d, "E_CATALOG_VALUE").message == "\"sure\" is not a confidence");
}

TEST_CASE("catalog: duplicate lines are reported", "[catalog]") {
  const std::string twice =
      replaced("hadoopSdks:",
               "  - line: \"3.5\"\n    hadoop: \"3.3.4\"\n    scala: [\"2.12\"]\n"
               "    scalaDefault: \"2.12\"\n    java: [\"17\"]\n    pythonMin: \"3.8\"\n"
               "    releases: []\n    source: \"x\"\nhadoopSdks:");
  const auto d = errors_of(twice);
  const auto& e = only(d, "E_CATALOG_DUPLICATE");
  CHECK(e.message == "duplicate Spark line 3.5");
  CHECK(e.path == "sparkLines[1]");
  CHECK(e.loc.line == 14);
}

TEST_CASE("catalog: every problem is reported in one run", "[catalog]") {
  std::string text = replaced("    hadoop: \"3.3.4\"\n", "");
  text = replaced("pythonMin: \"3.8\"", "pythonMin: \"three\"", text);
  text = replaced("algorithm: sha1", "algorithm: md5", text);
  const auto d = errors_of(text);
  CHECK(d.error_count() == 3);
}

TEST_CASE("catalog: wrong types and an empty document", "[catalog]") {
  auto d = errors_of(replaced("sparkLines:\n", "sparkLines: 3\nx:\n"));
  CHECK(only(d, "E_CATALOG_TYPE").message == "expected a list");
  d = errors_of("");
  CHECK(only(d, "E_CATALOG_TYPE").message == "expected a mapping here");
}
