// The stack loader: positions, every validation error, derivation, targets.
#include <catch2/catch.hpp>

#include "core/knowledge/catalog.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using stackctl::test::find_code;
using stackctl::test::kMinimalStack;
using stackctl::test::with;

namespace {

Diagnostics validate(const std::string& text) {
  return validate_stack(text, "s.yaml", &catalog::builtin_catalog());
}

// Asserts exactly one diagnostic with `code` exists and returns it.
Diagnostic only(const Diagnostics& d, const std::string& code) {
  int n = 0;
  Diagnostic found;
  for (const auto& item : d.items())
    if (item.code == code) {
      ++n;
      found = item;
    }
  INFO(test::dump(d));
  REQUIRE(n == 1);
  return found;
}

}  // namespace

TEST_CASE("a minimal stack loads without problems and derives omitted versions") {
  Diagnostics d;
  auto s = load_stack(kMinimalStack, {"s.yaml", "", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  CHECK(d.empty());
  CHECK(s->versions.scala == "2.12");
  CHECK(s->versions.scala_origin == model::Origin::catalog);
  CHECK(s->versions.hadoop == "3.3.4");
  CHECK(s->versions.aws_sdk == "1.12.262");
  CHECK(s->images.size() == 2);
  CHECK(s->images[1].from.kind == model::ImageFrom::Kind::image);
  CHECK(s->images[1].recipe == "connect");
  CHECK(s->services.connect.enabled);
  CHECK(s->services.connect.port == 15002);
}

TEST_CASE("the loader records 1-based positions of values and keys") {
  Diagnostics d;
  auto s = load_stack(kMinimalStack, {"s.yaml", "", nullptr}, d);
  REQUIRE(s);
  const SourceLoc spark = s->locs.at("versions.spark");
  CHECK(spark.file == "s.yaml");
  CHECK(spark.line == 7);
  CHECK(spark.column == 10);
  const SourceLoc jar = s->locs.at("artifacts.jars[1]");
  CHECK(jar.line == 16);
  CHECK(jar.column == 7);
  // An unrecorded path falls back to its closest recorded parent.
  CHECK(s->locs.at("images[0].from.nothing").line == 19);
}

TEST_CASE("malformed YAML is one error at the parser's position") {
  const auto d = validate(with("  name: demo", "  name: [demo"));
  const auto e = only(d, "E_YAML");
  CHECK(e.loc.line > 0);
  CHECK(e.message.starts_with("malformed YAML"));
  CHECK(d.items().size() == 1);
}

TEST_CASE("an empty file and a non-mapping document are not stacks") {
  CHECK(only(validate(""), "E_NOT_A_STACK").message == "the file is empty");
  CHECK(only(validate("- a\n- b\n"), "E_NOT_A_STACK").message ==
        "a stack file must be a mapping at the top");
}

TEST_CASE("duplicate keys are reported at the second key") {
  const auto e =
      only(validate(with("  java: \"17\"", "  java: \"17\"\n  java: \"21\"")), "E_DUPLICATE_KEY");
  CHECK(e.loc.line == 9);
  CHECK(e.loc.column == 3);
  CHECK(e.path == "versions.java");
}

TEST_CASE("wrong types name what was expected and what was found") {
  const auto d = validate(with("    python: true", "    python: yes please"));
  const auto e = only(d, "E_TYPE");
  CHECK(e.path == "images[0].python");
  CHECK(e.message == "expected true or false, found a scalar (\"yes please\")");
  const auto e2 = only(validate(with("  jars:\n", "  jars: {}\n  x:\n")), "E_TYPE");
  CHECK(e2.message == "expected a list, found a mapping");
}

TEST_CASE("missing required keys point at the enclosing mapping") {
  const auto e = only(validate(with("  revision: r1\n", "")), "E_REQUIRED");
  CHECK(e.path == "metadata.revision");
  CHECK(e.message == "missing required key \"revision\"");
  CHECK(e.loc.line == 4);
}

TEST_CASE("unknown keys get a did-you-mean") {
  const auto e = only(validate(with("    python: true", "    pyhton: true")), "E_UNKNOWN_KEY");
  CHECK(e.path == "images[0].pyhton");
  CHECK(e.hint == "did you mean \"python\"?");
  CHECK(e.loc.line == 21);
  CHECK(e.loc.column == 5);
}

TEST_CASE("unknown image references get a did-you-mean") {
  const auto e = only(validate(with("{image: base}", "{image: bsae}")), "E_UNKNOWN_REF");
  CHECK(e.message == "unknown image \"bsae\"");
  CHECK(e.hint == "did you mean \"base\"?");
  CHECK(e.loc.line == 23);
}

TEST_CASE("cycles in the image graph are reported once with the cycle") {
  const auto text = with("{external: \"debian:bookworm-slim\"}", "{image: connect}");
  const auto e = only(validate(text), "E_CYCLE");
  CHECK(e.message ==
        "image graph has a cycle (each image is built FROM the next): base -> connect -> base");
}

TEST_CASE("duplicate image names are reported at the second image") {
  const auto e = only(validate(with("  - name: connect", "  - name: base")), "E_DUPLICATE_NAME");
  CHECK(e.message == "duplicate image name \"base\"");
  CHECK(e.path == "images[1]");
}

TEST_CASE("tag templates: unknown variables and invalid tags") {
  const auto e =
      only(validate(with("spark-{spark}-{revision}", "spark-{sprak}-{revision}")), "E_TAG");
  CHECK(e.message == "unknown variable {sprak} in tag template");
  CHECK(e.hint == "did you mean {spark}?");
  CHECK(e.loc.line == 20);
  CHECK(e.loc.column == 11 + 6);  // the quote, then "spark-"
  const auto bad = only(validate(with("spark-{spark}-{revision}", "spark {spark}")), "E_TAG");
  CHECK(bad.message == "tag \"spark 3.5.7\" is not a valid image tag");
}

TEST_CASE("a tag can use a jar's version by its id") {
  Diagnostics d;
  const auto text =
      with("    - maven: com.amazonaws:aws-java-sdk-bundle:1.12.262",
           "    - maven: com.amazonaws:aws-java-sdk-bundle:1.12.262\n"
           "    - id: uc\n      maven: io.unitycatalog:unitycatalog-spark_2.12:0.2.1");
  auto s =
      load_stack(with("spark-{spark}-{revision}", "spark-{spark}-uc-{jar.uc}-{revision}", text),
                 {"s.yaml", "", &catalog::builtin_catalog()}, d);
  REQUIRE(s);
  CHECK(expand_tag(*s, s->images[0], {}, "t", d) == "spark-3.5.7-uc-0.2.1-r1");
}

TEST_CASE("apiVersion and kind are checked") {
  const auto e = only(validate(with("stackctl.dev/v1", "stackctl.dev/v2")), "E_API_VERSION");
  CHECK(e.hint == "this stackctl reads apiVersion: stackctl.dev/v1");
}

TEST_CASE("checksums must have the algorithm's length") {
  const auto e = only(validate(with("bin-hadoop3.tgz\n", "bin-hadoop3.tgz\n    sha512: abc123\n")),
                      "E_CHECKSUM");
  CHECK(e.message == "a sha512 checksum is 128 hexadecimal digits; this one has 6");
}

TEST_CASE("Maven coordinates must be group:artifact:version") {
  const auto e =
      only(validate(with("org.apache.hadoop:hadoop-aws:3.3.4", "hadoop-aws-3.3.4.jar")), "E_VALUE");
  CHECK(e.message == "\"hadoop-aws-3.3.4.jar\" is not a Maven coordinate");
}

TEST_CASE("spark.conf may not set what a structured key owns") {
  const auto text = kMinimalStack + "spark:\n  conf:\n    spark.executor.instances: \"9\"\n";
  const auto e = only(validate(text), "E_CONF_OWNED");
  CHECK(e.hint == "remove it from spark.conf and set `spark: executor: instances:` instead");
}

TEST_CASE("unquoted versions that YAML readers would change are flagged") {
  const auto d = validate(with("python: \"3.11\"", "python: 3.10"));
  const auto w = only(d, "W_UNQUOTED_VERSION");
  CHECK(w.severity == Severity::warning);
  CHECK(w.message == "unquoted version 3.10 is the number 3.1 to most YAML readers");
  CHECK_FALSE(find_code(validate(with("python: \"3.11\"", "python: 3.11")), "W_UNQUOTED_VERSION"));
}

TEST_CASE("malformed versions are rejected with an example") {
  const auto e = only(validate(with("spark: \"3.5.7\"", "spark: \"3.5\"")), "E_VERSION");
  CHECK(e.hint == "write it like \"4.0.1\"");
}

TEST_CASE("enumerations suggest the right spelling") {
  const auto t = with("services:\n  connect:\n    image: connect\n",
                      "services:\n  connect:\n    image: connect\n  kyuubi:\n    image: base\n"
                      "    shareLevel: user\n");
  const auto e = only(validate(t), "E_VALUE");
  CHECK(e.message == "\"user\" is not one of: USER, SERVER, CONNECTION");
  CHECK(e.hint == "did you mean \"USER\"?");
}

TEST_CASE("history server log directories must use s3a://") {
  const auto t = with("services:\n",
                      "services:\n  historyServer:\n    image: base\n"
                      "    logDirectory: s3://logs/events\n");
  const auto e = only(validate(t), "E_VALUE");
  CHECK(e.hint == "write s3a://logs/events");
}

TEST_CASE("spark.env keys must name a defined source") {
  const auto t = kMinimalStack +
                 "sparkEnv:\n  sources:\n    - name: vault\n      vault: {path: spark/x}\n"
                 "  keys:\n    - name: TOKEN\n      from: vualt\n";
  const auto e = only(validate(t), "E_UNKNOWN_REF");
  CHECK(e.message == "unknown spark.env source \"vualt\"");
  CHECK(e.hint == "did you mean \"vault\"?");
}

TEST_CASE("a conda environment takes a file or packages, not both") {
  const auto t = kMinimalStack +
                 "python:\n  conda:\n    - name: app\n      file: env.yml\n"
                 "      packages: [numpy]\n";
  CHECK(only(validate(t), "E_VALUE").message ==
        "a conda environment takes `file` or `packages`, not both");
}

TEST_CASE("target overrides are merged in, and their problems carry the target's name") {
  const auto t = with("    namespace: spark\n",
                      "    namespace: spark\n    overrides:\n      spark:\n        executor:\n"
                      "          instances: 1\n");
  Diagnostics d;
  auto base = load_stack(t, {"s.yaml", "", nullptr}, d);
  auto mk = load_stack(t, {"s.yaml", "minikube", nullptr}, d);
  REQUIRE(base);
  REQUIRE(mk);
  CHECK(base->spark.executor.instances == 2);
  CHECK(mk->spark.executor.instances == 1);
  CHECK(d.empty());

  const auto broken = with("instances: 1", "instances: one", t);
  const auto e = only(validate(broken), "E_TYPE");
  CHECK(e.message.ends_with("(with target \"minikube\")"));
  CHECK(e.loc.line == 35);
}

TEST_CASE("an unknown target is an error with a suggestion") {
  Diagnostics d;
  auto s = load_stack(kMinimalStack, {"s.yaml", "minikub", nullptr}, d);
  CHECK_FALSE(s);
  const auto e = only(d, "E_UNKNOWN_TARGET");
  CHECK(e.hint == "did you mean \"minikube\"?");
}

TEST_CASE("every problem is reported in one run") {
  const auto t =
      with("  name: demo", "  name: Demo_Stack",
           with("    python: true", "    pyhton: true", with("{image: base}", "{image: nope}")));
  const auto d = validate(t);
  CHECK(d.error_count() == 3);
  CHECK(find_code(d, "E_VALUE"));
  CHECK(find_code(d, "E_UNKNOWN_KEY"));
  CHECK(find_code(d, "E_UNKNOWN_REF"));
}

TEST_CASE("tabs in indentation are named as such") {
  const auto e = only(validate(with("  name: demo", "\tname: demo")), "E_YAML");
  CHECK(e.message == "malformed YAML: a tab character in indentation");
  CHECK(e.loc.line == 4);
  CHECK(e.loc.column == 1);
}

TEST_CASE("quoted integers and booleans say to remove the quotes") {
  const auto e = only(validate(with("    python: true", "    python: \"true\"")), "E_TYPE");
  CHECK(e.message == "expected true or false, found the quoted string \"true\"");
  CHECK(e.hint == "remove the quotes: python: true");
}

TEST_CASE("a broken versions section does not cascade into tag errors") {
  const auto d = validate(with("spark: \"3.5.7\"", "spark: \"3.5\""));
  CHECK(find_code(d, "E_VERSION"));
  CHECK_FALSE(find_code(d, "E_TAG"));
}

TEST_CASE("an unknown jar id in a tag lists the jar ids") {
  const auto t = with("    - maven: com.amazonaws:aws-java-sdk-bundle:1.12.262",
                      "    - id: sdk\n      maven: com.amazonaws:aws-java-sdk-bundle:1.12.262");
  const auto e = only(validate(with("spark-{spark}-{revision}", "spark-{jar.sdx}", t)), "E_TAG");
  CHECK(e.message == "no jar with id \"sdx\" for {jar.sdx}");
  CHECK(e.hint == "did you mean {jar.sdk}?");
}

TEST_CASE("targets[].images: push, minikube-load or none, checked where it is written") {
  const std::string target = "  - name: minikube\n    kind: minikube\n    namespace: spark\n";
  SECTION("unset: push with a registry, none without") {
    Diagnostics d;
    auto s = load_stack(kMinimalStack, {"s.yaml", "minikube", nullptr}, d);
    REQUIRE(s);
    CHECK_FALSE(s->targets[0].images);
    CHECK(s->image_delivery(s->targets[0]) == model::ImageDelivery::none);
    Diagnostics d2;
    auto r = load_stack(with("services:", "registry: {url: r.test/dp}\nservices:"),
                        {"s.yaml", "minikube", nullptr}, d2);
    REQUIRE(r);
    CHECK(r->image_delivery(r->targets[0]) == model::ImageDelivery::push);
  }
  SECTION("minikube-load is read") {
    Diagnostics d;
    auto s = load_stack(with(target, target + "    images: minikube-load\n"),
                        {"s.yaml", "minikube", nullptr}, d);
    REQUIRE(s);
    INFO(test::dump(d));
    CHECK_FALSE(d.has_errors());
    CHECK(s->image_delivery(s->targets[0]) == model::ImageDelivery::minikube_load);
  }
  SECTION("an unknown value is located, with a did-you-mean") {
    const auto d = validate(with(target, target + "    images: minikube_load\n"));
    INFO(test::dump(d));
    REQUIRE(d.has_errors());
    const std::string text = format_diagnostic(d.items().front());
    CHECK(text.find("s.yaml:32:13") != std::string::npos);
    CHECK(text.find("minikube-load") != std::string::npos);
  }
  SECTION("minikube-load on an eks target") {
    const std::string eks =
        "  - name: prod\n    kind: eks\n    namespace: spark\n    images: minikube-load\n"
        "    eks: {cluster: c, region: eu-west-1}\n";
    const auto d = validate(kMinimalStack + eks);
    const Diagnostic e = only(d, "E_VALUE");
    CHECK(format_diagnostic(e) ==
          "s.yaml:35:5: error: targets[1].images: `images: minikube-load` is only for targets "
          "of kind minikube [E_VALUE]\n  hint: an eks cluster pulls from a registry: write "
          "`images: push` "
          "(ECR) and set `registry.url`");
  }
  SECTION("push without a registry, for that target") {
    const auto d = validate(with(target, target + "    images: push\n"));
    const Diagnostic e = only(d, "E_VALUE");
    CHECK(format_diagnostic(e) ==
          "s.yaml:32:5: error: targets[0].images: target \"minikube\" pushes its images "
          "(`images: push`) but has no registry (with target \"minikube\") [E_VALUE]\n  hint: set "
          "`registry.url` (for this target: `overrides: {registry: {url: ...}}`), or write "
          "`images: minikube-load` or `images: none`");
  }
  SECTION("push with a registry the target's overrides give") {
    const auto d = validate(with(target, target + "    images: push\n"
                                                  "    overrides: {registry: {url: r.test/dp}}\n"));
    INFO(test::dump(d));
    CHECK_FALSE(d.has_errors());
  }
}
