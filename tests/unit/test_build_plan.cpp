// The build plan and the lock: pure functions, checked without a builder or a network.
#include <catch2/catch.hpp>
#include <map>

#include "core/plans/build_plan.hpp"
#include "core/plans/lock.hpp"
#include "core/stack/loader.hpp"
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

// Test recipes named after the images: base lists the distribution and the jars in its
// artifacts.txt (as the spark-base recipe does), connect lists nothing and has no artifacts.txt.
const char* kListing =
    "# PATH URL CHECKSUM\n"
    "{{{spark.path}}} {{{spark.url}}} {{{spark.checksum}}}\n"
    "{{#jars}}\n{{{path}}} {{{url}}} {{{checksum}}}\n{{/jars}}\n";

struct Recipes {
  std::map<std::string, std::string> files = {
      {"images/base/Dockerfile.mustache", "FROM x\n"},
      {"images/base/artifacts.txt.mustache", kListing},
      {"images/base/entrypoint.sh", "#!/bin/sh\n"},
      {"images/connect/Dockerfile.mustache", "FROM ${BASE_IMAGE}\n# {{{from}}} -> {{{ref}}}\n"},
  };
  render::Templates templates;
  render::Request request;
  // A request over `stack` with these recipe files on top of the built-in ones.
  const render::Request& over(const model::Stack& stack) {
    templates = render::Templates::builtin();
    templates.override_with(files);
    request = {};
    request.base = &stack;
    request.templates = &templates;
    return request;
  }
};

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
  Recipes recipes;
  auto plans = plan::plan_images(recipes.over(stack), lock, false);
  REQUIRE(plans);
  REQUIRE(plans->size() == 2);
  CHECK((*plans)[0].name == "base");
  CHECK((*plans)[1].name == "connect");
  CHECK((*plans)[0].files.size() == 3);
  CHECK((*plans)[0].files[0].path == "Dockerfile");
  CHECK((*plans)[0].files[1].path == "artifacts.txt");  // still written, for the recipe to read
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
  Recipes recipes;
  recipes.files["images/other/Dockerfile.mustache"] = "FROM ${BASE_IMAGE}\nRUN true\n";
  auto before = plan::plan_images(recipes.over(stack), lock, false);
  recipes.files["images/connect/Dockerfile.mustache"] += "RUN echo changed\n";
  auto after = plan::plan_images(recipes.over(stack), lock, false);
  REQUIRE(before);
  REQUIRE(after);
  CHECK(named(*before, "base").inputs_digest == named(*after, "base").inputs_digest);
  CHECK(named(*before, "other").inputs_digest == named(*after, "other").inputs_digest);
  CHECK(named(*before, "connect").inputs_digest != named(*after, "connect").inputs_digest);

  // The root changes: everything below it changes.
  recipes.files["images/base/Dockerfile.mustache"] = "FROM y\n";
  auto root_changed = plan::plan_images(recipes.over(stack), lock, false);
  REQUIRE(root_changed);
  for (const auto& p : *root_changed) CHECK(p.inputs_digest != named(*after, p.name).inputs_digest);
}

TEST_CASE("plan: artifact checksums are inputs, and --frozen refuses unresolved ones") {
  const auto stack = load(kMinimalStack);
  lock::Lock lock = lock::from_stack(stack, nullptr);
  Recipes recipes;
  auto unpinned = plan::plan_images(recipes.over(stack), lock, true);
  REQUIRE_FALSE(unpinned);
  CHECK(unpinned.error().error_count() == 3);
  CHECK(unpinned.error().items()[0].code == "E_UNPINNED");

  for (auto& a : lock.artifacts) a.checksum = "sha1:" + std::string(40, 'a');
  Recipes missing_url;
  missing_url.files["images/base/artifacts.txt.mustache"] +=
      "{{{kyuubi_dist.path}}} {{{kyuubi_dist.url}}} {{{kyuubi_dist.checksum}}}\n";
  auto no_url = plan::plan_images(missing_url.over(stack), lock, true);
  REQUIRE_FALSE(no_url);
  CHECK(no_url.error().items()[0].message ==
        "image \"base\" needs artifacts/kyuubi/kyuubi-bin.tgz, and the stack gives no URL for it");
  auto one = plan::plan_images(recipes.over(stack), lock, true);
  lock.artifacts[0].checksum = "sha1:" + std::string(40, 'b');
  auto two = plan::plan_images(recipes.over(stack), lock, true);
  REQUIRE(one);
  REQUIRE(two);
  CHECK((*one)[0].inputs_digest != (*two)[0].inputs_digest);
}

TEST_CASE("plan: {inputs} in a tag is the digest's first 12 hex digits") {
  const auto stack = load(with("connect-{spark}-{revision}", "connect-{inputs}"));
  Recipes recipes;
  auto plans = plan::plan_images(recipes.over(stack), lock::from_stack(stack, nullptr), false);
  REQUIRE(plans);
  const auto& p = (*plans)[1];
  CHECK(p.tag == "connect-" + p.inputs_digest.substr(7, 12));
  // The context built names the final tag, given to render as data; the digest covers the
  // placeholder rendering, so it does not depend on itself.
  REQUIRE(p.files.size() == 1);
  CHECK(p.files[0].data == "FROM ${BASE_IMAGE}\n# base:spark-3.5.7-r1 -> connect:" + p.tag + "\n");
}

TEST_CASE("plan: a parent's {inputs} tag reaches the child's context as data") {
  const auto stack = load(with("spark-{spark}-{revision}", "base-{inputs}"));
  Recipes recipes;
  auto plans = plan::plan_images(recipes.over(stack), lock::from_stack(stack, nullptr), false);
  REQUIRE(plans);
  const auto& base = (*plans)[0];
  const auto& connect = (*plans)[1];
  CHECK(connect.base_ref == "base:" + base.tag);
  CHECK(connect.files[0].data ==
        "FROM ${BASE_IMAGE}\n# base:" + base.tag + " -> connect:connect-3.5.7-r1\n");
  // Equal inputs, equal digests: planning twice gives the same tags and files.
  auto again = plan::plan_images(recipes.over(stack), lock::from_stack(stack, nullptr), false);
  REQUIRE(again);
  CHECK((*again)[1].files[0].data == connect.files[0].data);
}

TEST_CASE("plan: artifacts are what artifacts.txt writes the path of, in its order") {
  const auto stack = load(kMinimalStack);
  Recipes recipes;
  // Only the second jar, then the distribution; the url alone does not make an artifact needed.
  recipes.files["images/base/artifacts.txt.mustache"] =
      "{{#jars}}{{{url}}}\n{{/jars}}" + std::string("{{{spark.path}}} {{{spark.url}}} -\n");
  auto plans = plan::plan_images(recipes.over(stack), lock::from_stack(stack, nullptr), false);
  REQUIRE(plans);
  REQUIRE((*plans)[0].artifacts.size() == 1);
  CHECK((*plans)[0].artifacts[0].dest == "artifacts/spark/spark-3.5.7-bin-hadoop3.tgz");
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

TEST_CASE("plan: with the built-in recipes, an {inputs} tag's contexts hold no placeholder") {
  // The version label and the parent reference in the built Dockerfiles are the final ones (the
  // label is what `check --image` compares with the tag).
  const auto stack = load(with("connect-{spark}-{revision}", "connect-{inputs}",
                               with("spark-{spark}-{revision}", "base-{inputs}")));
  const auto templates = render::Templates::builtin();
  render::Request request;
  request.base = &stack;
  request.templates = &templates;
  auto plans = plan::plan_images(request, lock::from_stack(stack, nullptr), false);
  REQUIRE(plans);
  for (const auto& p : *plans) {
    INFO(p.name);
    const render::File* dockerfile = nullptr;
    for (const auto& f : p.files)
      if (f.path == "Dockerfile") dockerfile = &f;
    REQUIRE(dockerfile != nullptr);
    CHECK_THAT(dockerfile->data,
               Catch::Matchers::Contains("org.opencontainers.image.version=\"" + p.tag + "\""));
    CHECK(dockerfile->data.find("IIIIIIIIIIII") == std::string::npos);
  }
  CHECK_THAT(named(*plans, "connect").files[0].data,
             Catch::Matchers::Contains("ARG BASE_IMAGE=" + named(*plans, "base").ref));
}
