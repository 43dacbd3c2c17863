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
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.2.1"))->spark == "3.5");
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.3.2"))->spark == "3.5");
  CHECK(c.runtime_line("io.delta", "delta-spark", v("4.0.0"))->spark == "4.0");
  CHECK(c.runtime_line("io.delta", "delta-core", v("2.4.0"))->spark == "3.4");
  CHECK(c.runtime_line("io.delta", "delta-core", v("2.0.2"))->spark == "3.2");
  CHECK(c.runtime_line("io.delta", "delta-core", v("1.0.1"))->spark == "3.1");
  // Neighbours of listed lines are not known.
  CHECK(c.runtime_line("io.delta", "delta-spark", v("3.4.0")) == nullptr);
  CHECK(c.runtime_line("io.delta", "delta-spark", v("4.1.0")) == nullptr);
  CHECK(c.runtime_line("io.delta", "delta-core", v("0.6.1")) == nullptr);
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
