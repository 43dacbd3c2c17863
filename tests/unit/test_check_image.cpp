// check --image, the pure part: an image's labels against the stack. Every SI code has a case
// that passes and one that fails, with the message and the fix asserted.
#include <catch2/catch.hpp>

#include "core/knowledge/check_image.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using check::Finding;
using Labels = std::map<std::string, std::string>;

namespace {

model::Stack load(const std::string& text = test::kMinimalStack) {
  Diagnostics diags;
  auto stack = load_stack(text, {"demo.stack.yaml", "", nullptr}, diags);
  if (!stack || diags.has_errors()) FAIL(test::dump(diags));
  // What the catalog would derive for Spark 3.5.7 (fixed here: no catalog in these tests).
  stack->versions.scala = "2.12";
  stack->versions.hadoop = "3.3.4";
  stack->versions.aws_sdk = "1.12.262";
  return *stack;
}

std::vector<Finding> judge(const model::Stack& stack, const Labels& labels,
                           const std::string& name = "base") {
  return check_image::check_image(stack, {"reg.local/demo/" + name + ":t", name, labels});
}

Labels labels_of(const model::Stack& stack, const std::string& image) {
  return check_image::expected_labels(stack, *stack.find_image(image));
}

std::string codes(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs) s += (s.empty() ? "" : " ") + f.diag.code;
  return s;
}

}  // namespace

TEST_CASE("check image: the labels stackctl writes", "[check_image]") {
  const auto stack = load();
  const Labels base = labels_of(stack, "base");
  CHECK(base == Labels{{"io.stackctl.stack", "demo"},
                       {"io.stackctl.image", "base"},
                       {"io.stackctl.versions.spark", "3.5.7"},
                       {"io.stackctl.versions.scala", "2.12"},
                       {"io.stackctl.versions.java", "17"},
                       {"io.stackctl.versions.python", "3.11"},
                       {"io.stackctl.versions.hadoop", "3.3.4"},
                       {"io.stackctl.versions.aws-sdk", "1.12.262"},
                       {"io.stackctl.versions.pyspark", "3.5.7"},
                       {"org.opencontainers.image.version", "spark-3.5.7-r1"}});
  // The connect image runs no Python: no python/pyspark labels.
  const Labels connect = labels_of(stack, "connect");
  CHECK_FALSE(connect.contains("io.stackctl.versions.python"));
  CHECK(connect.at("org.opencontainers.image.version") == "connect-3.5.7-r1");
}

TEST_CASE("check image: an image built from the stack matches", "[check_image]") {
  const auto stack = load();
  CHECK(judge(stack, labels_of(stack, "base")).empty());
  CHECK(judge(stack, labels_of(stack, "connect"), "connect").empty());
  // Longer versions in the image match the stack's shorter ones.
  Labels longer = labels_of(stack, "base");
  longer["io.stackctl.versions.python"] = "3.11.9";
  longer["io.stackctl.versions.java"] = "17.0.12";
  CHECK(judge(stack, longer).empty());
}

TEST_CASE("check image: SI001 an image without stackctl labels", "[check_image]") {
  const auto stack = load();
  const auto fs = judge(stack, {{"org.opencontainers.image.version", "12"}, {"maintainer", "x"}});
  REQUIRE(codes(fs) == "SI001");
  CHECK(fs[0].diag.severity == Severity::warning);
  CHECK_THAT(fs[0].diag.message, Contains("reg.local/demo/base:t"));
  CHECK_THAT(fs[0].diag.message, Contains("not built by stackctl"));
  CHECK_THAT(fs[0].diag.message, Contains("before stackctl labelled"));
  CHECK_THAT(fs[0].diag.hint, Contains("stackctl build demo.stack.yaml --push"));
  CHECK(codes(judge(stack, {})) == "SI001");
}

TEST_CASE("check image: SI002 a version label that differs", "[check_image]") {
  const auto stack = load();
  Labels l = labels_of(stack, "base");
  l["io.stackctl.versions.spark"] = "3.5.1";
  const auto fs = judge(stack, l);
  REQUIRE(codes(fs) == "SI002");
  const auto& d = fs[0].diag;
  CHECK(d.severity == Severity::error);
  CHECK(d.path == "versions.spark");
  CHECK(d.loc.file == "demo.stack.yaml");
  CHECK(d.loc.line == 7);
  CHECK(d.message ==
        "image reg.local/demo/base:t has label io.stackctl.versions.spark \"3.5.1\" but the stack "
        "has versions.spark \"3.5.7\"");
  CHECK_THAT(d.hint, Contains("stackctl build demo.stack.yaml --push"));
  CHECK_THAT(d.hint, Contains("set versions.spark: \"3.5.1\""));
  CHECK(fs[0].versions == std::vector<std::pair<std::string, std::string>>{
                              {"image.spark", "3.5.1"}, {"stack.spark", "3.5.7"}});

  l = labels_of(stack, "base");
  l["io.stackctl.versions.aws-sdk"] = "2.24.6";
  l["io.stackctl.versions.pyspark"] = "4.0.1";
  const auto two = judge(stack, l);
  REQUIRE(codes(two) == "SI002 SI002");
  CHECK(two[0].diag.path == "versions.awsSdk");
  CHECK(two[1].diag.path == "versions.pyspark");
  // "3.1" is not a longer form of "3.11".
  l = labels_of(stack, "base");
  l["io.stackctl.versions.python"] = "3.1";
  CHECK(codes(judge(stack, l)) == "SI002");
}

TEST_CASE("check image: SI002 on an image's own Java points at its override", "[check_image]") {
  const auto stack =
      load(test::with("    python: true\n", "    python: true\n    javaVersion: \"21\"\n"));
  Labels l = labels_of(stack, "base");
  CHECK(l.at("io.stackctl.versions.java") == "21");
  l["io.stackctl.versions.java"] = "17";
  const auto fs = judge(stack, l);
  REQUIRE(codes(fs) == "SI002");
  CHECK(fs[0].diag.path == "images[0].javaVersion");
  CHECK_THAT(fs[0].diag.message, Contains("images[0].javaVersion \"21\""));
}

TEST_CASE("check image: SI003 the OCI version label against the tag", "[check_image]") {
  const auto stack = load();
  Labels l = labels_of(stack, "base");
  l["org.opencontainers.image.version"] = "spark-3.5.7-r0";
  const auto fs = judge(stack, l);
  REQUIRE(codes(fs) == "SI003");
  CHECK(fs[0].diag.path == "images[0].tag");
  CHECK_THAT(fs[0].diag.message,
             Contains("\"spark-3.5.7-r0\" but the stack tags it \"spark-3.5.7-r1\""));
  CHECK_THAT(fs[0].diag.hint, Contains("metadata.revision"));
  // No OCI version label: nothing to compare.
  l.erase("org.opencontainers.image.version");
  CHECK(judge(stack, l).empty());
}

TEST_CASE("check image: SI004 a missing version label", "[check_image]") {
  const auto stack = load();
  Labels l = labels_of(stack, "base");
  l.erase("io.stackctl.versions.hadoop");
  const auto fs = judge(stack, l);
  REQUIRE(codes(fs) == "SI004");
  CHECK(fs[0].diag.severity == Severity::warning);
  CHECK(fs[0].diag.path == "versions.hadoop");
  CHECK_THAT(fs[0].diag.message, Contains("no label io.stackctl.versions.hadoop"));
  // Python labels are optional on an image that runs no Python.
  Labels c = labels_of(stack, "connect");
  CHECK(judge(stack, c, "connect").empty());
}

TEST_CASE("check image: SI005 and SI006 identity", "[check_image]") {
  const auto stack = load();
  Labels l = labels_of(stack, "base");
  l["io.stackctl.stack"] = "other";
  auto fs = judge(stack, l);
  REQUIRE(codes(fs) == "SI005");
  CHECK_THAT(fs[0].diag.message, Contains("built from stack \"other\", not \"demo\""));

  // The label names the image, whatever the repository is called.
  l = labels_of(stack, "connect");
  CHECK(judge(stack, l, "renamed-repo").empty());

  l.erase("io.stackctl.image");
  fs = judge(stack, l, "renamed-repo");
  REQUIRE(codes(fs) == "SI006");
  CHECK_THAT(fs[0].diag.message, Contains("repository name \"renamed-repo\" is no image name"));
  CHECK_THAT(fs[0].diag.hint, Contains("base, connect"));
  // Without the identity, the tag may be any of the stack's tags.
  l["org.opencontainers.image.version"] = "spark-3.5.7-r1";
  CHECK(codes(judge(stack, l, "renamed-repo")) == "SI006");
  l["org.opencontainers.image.version"] = "nope";
  fs = judge(stack, l, "renamed-repo");
  REQUIRE(codes(fs) == "SI006 SI003");
  CHECK_THAT(fs[1].diag.message, Contains("\"spark-3.5.7-r1\" or \"connect-3.5.7-r1\""));
}

TEST_CASE("check image: rule table", "[check_image]") {
  for (const auto& r : check_image::kRules) CHECK(r.code.starts_with("SI"));
  CHECK(check_image::kRules[1].severity == Severity::error);
}

TEST_CASE("check --image: a tag with {inputs} matches any 12 hex digits there", "[check_image]") {
  stackctl::Diagnostics d;
  const std::string text = stackctl::test::with("connect-{spark}-{revision}", "connect-{inputs}");
  auto stack = stackctl::load_stack(text, {"s.yaml", "", &stackctl::catalog::builtin_catalog()}, d);
  REQUIRE(stack);
  auto labels = stackctl::check_image::expected_labels(*stack, stack->images[1]);
  labels["org.opencontainers.image.version"] = "connect-0123456789ab";
  const auto ok = stackctl::check_image::check_image(*stack, {"r/connect:x", "connect", labels});
  for (const auto& f : ok) CHECK(f.diag.code != "SI003");
  labels["org.opencontainers.image.version"] = "connect-0123456789XY";
  const auto bad = stackctl::check_image::check_image(*stack, {"r/connect:x", "connect", labels});
  CHECK(std::any_of(bad.begin(), bad.end(), [](const auto& f) { return f.diag.code == "SI003"; }));
}
