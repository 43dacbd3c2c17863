// The build plan and the lock: pure functions, checked without a builder or a network.
#include <catch2/catch.hpp>

#include "core/build_plan.hpp"
#include "core/lock.hpp"
#include "core/stack_loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using stackctl::test::kMinimalStack;
using stackctl::test::with;

namespace {

model::Stack load(const std::string& text) {
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", "", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE_FALSE(d.has_errors());
  return *s;
}

// The base context asks for the distribution and both jars, as the spark-base recipe does.
const char* kArtifactsTxt =
    "# PATH URL CHECKSUM\n"
    "artifacts/spark/spark-3.5.7-bin-hadoop3.tgz https://example.org/spark-3.5.7-bin-hadoop3.tgz "
    "-\n"
    "artifacts/jars/hadoop-aws-3.3.4.jar "
    "https://repo1.maven.org/maven2/org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar -\n"
    "artifacts/jars/aws-java-sdk-bundle-1.12.262.jar https://repo1.maven.org/maven2/com/amazonaws/"
    "aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar -\n";

std::vector<render::File> contexts(const std::string& base_dockerfile) {
  return {{"images/base/Dockerfile", base_dockerfile, false, false},
          {"images/base/artifacts.txt", kArtifactsTxt, false, false},
          {"images/base/entrypoint.sh", "#!/bin/sh\n", false, true},
          {"images/connect/Dockerfile", "FROM ${BASE_IMAGE}\n", false, false},
          {"targets/minikube/spark.env", "A=b\n", true, false}};
}

const plan::ImagePlan& named(const std::vector<plan::ImagePlan>& plans, const std::string& name) {
  for (const auto& p : plans)
    if (p.name == name) return p;
  FAIL("no plan for " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("plan: images come parents first, with their own context files only") {
  const auto stack = load(kMinimalStack);
  const lock::Lock lock = lock::from_stack(stack, nullptr);
  auto plans = plan::plan_images(stack, contexts("FROM x\n"), lock, false);
  REQUIRE(plans);
  REQUIRE(plans->size() == 2);
  CHECK((*plans)[0].name == "base");
  CHECK((*plans)[1].name == "connect");
  CHECK((*plans)[0].files.size() == 3);
  CHECK((*plans)[0].files[0].path == "Dockerfile");
  CHECK((*plans)[1].base_ref == (*plans)[0].ref);
  CHECK((*plans)[1].build_args[0] ==
        std::pair<std::string, std::string>{"BASE_IMAGE", (*plans)[0].ref});
  // The base context asks for the distribution and the jars; its child (no artifacts.txt) nothing.
  CHECK((*plans)[0].artifacts.size() == 3);
  CHECK((*plans)[0].artifacts[1].dest == "artifacts/jars/hadoop-aws-3.3.4.jar");
  CHECK((*plans)[0].artifacts[1].name == "org.apache.hadoop:hadoop-aws:3.3.4");
  CHECK((*plans)[1].artifacts.empty());
  CHECK((*plans)[0].tag == "spark-3.5.7-r1");
}

TEST_CASE("plan: a changed recipe file changes that image's digest and its dependents' only") {
  const auto text = with("  - name: connect",
                         "  - name: other\n    from: {image: base}\n"
                         "    tag: \"o-{spark}\"\n  - name: connect");
  const auto stack = load(text);
  const lock::Lock lock = lock::from_stack(stack, nullptr);
  auto files = contexts("FROM x\n");
  files.push_back({"images/other/Dockerfile", "FROM ${BASE_IMAGE}\nRUN true\n", false, false});
  auto before = plan::plan_images(stack, files, lock, false);
  files[3].data += "RUN echo changed\n";  // images/connect/Dockerfile
  auto after = plan::plan_images(stack, files, lock, false);
  REQUIRE(before);
  REQUIRE(after);
  CHECK(named(*before, "base").inputs_digest == named(*after, "base").inputs_digest);
  CHECK(named(*before, "other").inputs_digest == named(*after, "other").inputs_digest);
  CHECK(named(*before, "connect").inputs_digest != named(*after, "connect").inputs_digest);

  files[0].data = "FROM y\n";  // the root changes: everything below it changes
  auto root_changed = plan::plan_images(stack, files, lock, false);
  REQUIRE(root_changed);
  for (const auto& p : *root_changed) CHECK(p.inputs_digest != named(*after, p.name).inputs_digest);
}

TEST_CASE("plan: artifact checksums are inputs, and --frozen refuses unresolved ones") {
  const auto stack = load(kMinimalStack);
  lock::Lock lock = lock::from_stack(stack, nullptr);
  auto unpinned = plan::plan_images(stack, contexts("FROM x\n"), lock, true);
  REQUIRE_FALSE(unpinned);
  CHECK(unpinned.error().error_count() == 3);
  CHECK(unpinned.error().items()[0].code == "E_UNPINNED");

  for (auto& a : lock.artifacts) a.checksum = "sha1:" + std::string(40, 'a');
  auto missing_url = contexts("FROM x\n");
  missing_url[1].data += "artifacts/kyuubi/kyuubi-bin.tgz - -\n";
  auto no_url = plan::plan_images(stack, missing_url, lock, true);
  REQUIRE_FALSE(no_url);
  CHECK(no_url.error().items()[0].message ==
        "image \"base\" needs artifacts/kyuubi/kyuubi-bin.tgz, and the stack gives no URL for it");
  auto one = plan::plan_images(stack, contexts("FROM x\n"), lock, true);
  lock.artifacts[0].checksum = "sha1:" + std::string(40, 'b');
  auto two = plan::plan_images(stack, contexts("FROM x\n"), lock, true);
  REQUIRE(one);
  REQUIRE(two);
  CHECK((*one)[0].inputs_digest != (*two)[0].inputs_digest);
}

TEST_CASE("plan: {inputs} in a tag is the digest's first 12 hex digits") {
  const auto stack = load(with("connect-{spark}-{revision}", "connect-{inputs}"));
  auto plans =
      plan::plan_images(stack, contexts("FROM x\n"), lock::from_stack(stack, nullptr), false);
  REQUIRE(plans);
  const auto& p = (*plans)[1];
  CHECK(p.tag == "connect-" + p.inputs_digest.substr(7, 12));
}

TEST_CASE("decide: build, skip, and never silently overwrite a pinned tag") {
  plan::ImagePlan p;
  p.ref = "r/base:t";
  p.inputs_digest = "sha256:abc";
  CHECK(plan::decide(p, {}).action == plan::Action::build);
  CHECK(plan::decide(p, {true, "sha256:abc", "local"}).action == plan::Action::skip);
  const auto other = plan::decide(p, {true, "sha256:def", "registry"});
  CHECK(other.action == plan::Action::conflict);
  CHECK(other.reason.find("bump metadata.revision") != std::string::npos);
  CHECK(plan::decide(p, {true, "", "local"}).reason.find("not built by stackctl") !=
        std::string::npos);
}

TEST_CASE("lock: serialise and parse round-trip, and differences name what changed") {
  const auto stack = load(kMinimalStack);
  lock::Lock a = lock::from_stack(stack, nullptr);
  a.images = {{"base", "r/base:t", "sha256:1", "sha256:d"}};
  auto parsed = lock::parse(lock::serialize(a), "x.lock");
  REQUIRE(parsed);
  CHECK(*parsed == a);
  CHECK(lock::serialize(*parsed) == lock::serialize(a));

  lock::Lock b = a;
  b.artifacts[1].checksum = "sha1:" + std::string(40, 'c');
  b.images[0].ref = "r/base:u";
  const auto diffs = lock::differences(a, b);
  REQUIRE(diffs.size() == 2);
  CHECK(diffs[0] == "artifact org.apache.hadoop:hadoop-aws:3.3.4: checksum (none) -> sha1:" +
                        std::string(40, 'c'));
  CHECK(diffs[1] == "image base: r/base:t -> r/base:u");
  CHECK(lock::differences(a, a).empty());

  // Same tag, other inputs (a tag template without {inputs}; never pushed, so no digest either).
  lock::Lock c = a;
  c.images[0].inputs_digest = "sha256:2";
  c.images[0].digest = "";
  a.images[0].digest = "";
  const auto inputs = lock::differences(a, c);
  REQUIRE(inputs.size() == 1);
  CHECK(inputs[0] == "image base: inputs sha256:1 -> sha256:2");
}

TEST_CASE("lock: a resolved checksum survives relocking while the URL is unchanged") {
  const auto stack = load(kMinimalStack);
  lock::Lock first = lock::from_stack(stack, nullptr);
  first.artifacts[0].checksum = "sha512:" + std::string(128, 'e');
  first.artifacts[0].origin = "resolved";
  const lock::Lock second = lock::from_stack(stack, &first);
  CHECK(second.artifacts[0].checksum == first.artifacts[0].checksum);
  CHECK(second.artifacts[0].origin == "resolved");
  const lock::Lock moved = lock::from_stack(
      load(with("https://example.org/spark", "https://mirror.example.org/spark")), &first);
  CHECK(moved.artifacts[0].checksum.empty());
}

TEST_CASE("lock: malformed lock files are errors that say what to do") {
  auto bad = lock::parse("{\"lockVersion\": 9}", "x.lock");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "unsupported lockVersion 9");
  auto junk = lock::parse("not json", "x.lock");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message.starts_with("malformed lock file"));
  CHECK(junk.error().hint == "delete the lock file and run `stackctl lock` again");
}
