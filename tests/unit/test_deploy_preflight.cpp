// deploy's preflight (step 0): the Secrets a rendered platform refers to and does not make are
// found in the render of the shipped stacks, and deploy over the recording fake refuses without
// them (with the kubectl command, nothing applied, no value shown) and proceeds with them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "app/deploy.hpp"
#include "core/deploy/secret_refs.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/render/render.hpp"
#include "core/stack/loader.hpp"
#include "kube_fake.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using kube::Json;
using kube::Object;

namespace {

std::string read_stack_file(const std::string& name) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/stacks/" + name + ".stack.yaml");
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

model::Stack load(const std::string& name, const std::string& target) {
  Diagnostics d;
  auto stack =
      load_stack(read_stack_file(name),
                 {"stacks/" + name + ".stack.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  return *stack;
}

// The objects `stackctl render` makes for a shipped stack's target (Vault values made up).
std::vector<Object> rendered(const std::string& name, const std::string& target) {
  const model::Stack base = load(name, "");
  const model::Stack stack = load(name, target);
  const render::Templates templates = render::Templates::builtin();
  render::Request request;
  request.base = &base;
  request.targets = {&stack};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  for (const auto& k : stack.spark_env.keys) request.env_values[k.key] = Secret("4");
  for (const auto& env : stack.python.conda)
    if (!env.file.empty()) request.stack_files[env.file] = "name: " + env.name + "\n";
  for (const auto& image : stack.images)
    for (const auto& f : image.files) request.stack_files[f.from] = "# " + f.from + "\n";
  auto result = render::render(request);
  INFO((result ? std::string() : test::dump(result.error())));
  REQUIRE(result);
  std::vector<Object> out;
  for (const auto& m : result->manifests[target]) out.push_back(m.object);
  return out;
}

Object obj(const std::string& kind, const std::string& name, Json extra) {
  Json b = {{"apiVersion", kind == "Deployment" ? "apps/v1" : "v1"},
            {"kind", kind},
            {"metadata", {{"name", name}, {"namespace", "demo"}}}};
  if (kind == "Namespace" || kind == "Node") b["metadata"].erase("namespace");
  if (extra.is_object())
    for (auto& [k, v] : extra.items()) b[k] = v;
  return Object{b};
}

Json env_from(const std::string& secret, const std::string& key, bool optional = false) {
  Json ref = {{"name", secret}, {"key", key}};
  if (optional) ref["optional"] = true;
  return {{"name", key}, {"valueFrom", {{"secretKeyRef", ref}}}};
}

Object deployment(Json env) {
  return obj("Deployment", "demo-connect",
             {{"spec",
               {{"template",
                 {{"spec", {{"containers", Json::array({{{"name", "main"}, {"env", env}}})}}}}}}}});
}

app::DeployRequest request(std::vector<Object> objects) {
  app::DeployRequest r;
  r.stack = "demo";
  r.ns = "demo";
  r.objects = std::move(objects);
  r.wait = false;
  return r;
}

bool applied_anything(const testing::KubeFake& k) {
  return std::any_of(k.requests.begin(), k.requests.end(),
                     [](const std::string& r) { return r.starts_with("APPLY "); });
}

}  // namespace

TEST_CASE("preflight: the shipped stacks' credentials Secrets are found in their render",
          "[deploy-preflight]") {
  // spark-connect: services.external.objectStore.credentialsSecret minio-credentials feeds the
  // pods' env (secretKeyRef) and Spark's executors (spark.kubernetes.executor.secretKeyRef.*).
  const auto connect = deploy::external_secrets(rendered("spark-connect", "minikube"));
  REQUIRE(connect.size() == 1);
  CHECK(connect[0].name == "minio-credentials");
  CHECK(connect[0].ns == "spark");
  CHECK(connect[0].keys == std::vector<std::string>{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"});
  CHECK(std::find(connect[0].used_by.begin(), connect[0].used_by.end(),
                  "ConfigMap spark/spark-connect-spark-defaults") != connect[0].used_by.end());
  CHECK(deploy::create_command(connect[0]) ==
        "kubectl create secret generic minio-credentials -n spark "
        "--from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...");

  const auto custom = deploy::external_secrets(rendered("custom-app", "minikube"));
  REQUIRE_FALSE(custom.empty());
  CHECK(std::any_of(custom.begin(), custom.end(),
                    [](const auto& n) { return n.name == "aws-credentials"; }));

  // kyuubi-sql takes its AWS keys from Vault: the Secret with them is rendered, so none is needed.
  CHECK(deploy::external_secrets(rendered("kyuubi-sql", "minikube")).empty());
}

TEST_CASE("preflight: optional references and Secrets the objects make are not needed",
          "[deploy-preflight]") {
  Json data = Json::object();
  data["spark-defaults.conf"] =
      "spark.kubernetes.executor.secretKeyRef.D outside\\:D\n"
      "spark.kubernetes.driver.secretKeyRef.E=other:E\n";
  Json conf = Json::object();
  conf["data"] = data;
  Json made = Json::object();
  made["stringData"] = {{"A", "x"}};
  const std::vector<Object> objects = {
      deployment(Json::array(
          {env_from("made", "A"), env_from("maybe", "B", true), env_from("outside", "C")})),
      obj("Secret", "made", made), obj("ConfigMap", "conf", conf)};
  const auto needs = deploy::external_secrets(objects);
  REQUIRE(needs.size() == 2);
  CHECK(needs[0].name == "other");
  CHECK(needs[0].keys == std::vector<std::string>{"E"});
  CHECK(needs[1].name == "outside");
  CHECK(needs[1].keys == std::vector<std::string>{"C", "D"});
  CHECK(needs[1].used_by ==
        std::vector<std::string>{"Deployment demo/demo-connect", "ConfigMap demo/conf"});
}

TEST_CASE("preflight: a missing credentials Secret is refused with the command, nothing applied",
          "[deploy-preflight]") {
  testing::KubeFake kube;
  testing::FakeDeployClock clock;
  testing::RecordingProgress progress;
  const std::vector<Object> objects = {
      obj("Namespace", "demo", {}),
      deployment(Json::array(
          {env_from("creds", "AWS_ACCESS_KEY_ID"), env_from("creds", "AWS_SECRET_ACCESS_KEY")}))};
  auto r = app::deploy(request(objects), kube, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::refused);
  INFO(r.error().message);
  CHECK(r.error().message.find("nothing was applied") != std::string::npos);
  CHECK(r.error().message.find("Namespace demo does not exist yet; create it first:\n"
                               "    kubectl create namespace demo\n") != std::string::npos);
  CHECK(r.error().message.find(
            "Secret demo/creds does not exist (used by Deployment demo/demo-connect); create it:\n"
            "    kubectl create secret generic creds -n demo --from-literal=AWS_ACCESS_KEY_ID=... "
            "--from-literal=AWS_SECRET_ACCESS_KEY=...\n") != std::string::npos);
  CHECK_FALSE(applied_anything(kube));

  SECTION("a Secret without one of the keys: its name, never a value") {
    kube.put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "demo"}}}});
    kube.put({{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", "creds"}, {"namespace", "demo"}}},
              {"data", {{"AWS_ACCESS_KEY_ID", "c2VjcmV0LXZhbHVl"}}}});
    auto again = app::deploy(request(objects), kube, clock, progress);
    REQUIRE_FALSE(again);
    INFO(again.error().message);
    CHECK(again.error().message.find(
              "Secret demo/creds has no key AWS_SECRET_ACCESS_KEY (used by Deployment "
              "demo/demo-connect) (it has: AWS_ACCESS_KEY_ID); add it:\n"
              "    kubectl patch secret creds -n demo --type merge -p "
              "'{\"stringData\":{\"AWS_SECRET_ACCESS_KEY\":\"...\"}}'") != std::string::npos);
    CHECK(again.error().message.find("c2VjcmV0LXZhbHVl") == std::string::npos);
    CHECK(again.error().message.find("create namespace") == std::string::npos);
    CHECK_FALSE(applied_anything(kube));
  }
  SECTION("with the Secret made, deploy proceeds") {
    kube.put({{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", "creds"}, {"namespace", "demo"}}},
              {"data", {{"AWS_ACCESS_KEY_ID", "eA=="}, {"AWS_SECRET_ACCESS_KEY", "eQ=="}}}});
    auto done = app::deploy(request(objects), kube, clock, progress);
    INFO((done ? std::string() : done.error().message));
    REQUIRE(done);
    CHECK(kube.find("Deployment", "demo", "demo-connect"));
  }
  SECTION("turned off (drift's dry run), nothing is asked") {
    auto req = request(objects);
    req.check_secrets = false;
    auto done = app::deploy(req, kube, clock, progress);
    REQUIRE(done);
  }
}

TEST_CASE("preflight: the IRSA role ARN placeholder never reaches a cluster",
          "[deploy-preflight]") {
  testing::KubeFake kube;
  testing::FakeDeployClock clock;
  testing::RecordingProgress progress;
  // What render makes for an eks target without Terraform's outputs.
  const std::vector<Object> objects = {
      obj("ServiceAccount", "spark",
          {{"metadata",
            {{"name", "spark"},
             {"namespace", "demo"},
             {"annotations",
              {{"eks.amazonaws.com/role-arn", "${terraform.output.spark_role_arn}"}}}}}})};
  auto r = app::deploy(request(objects), kube, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::refused);
  CHECK(r.error().message ==
        "ServiceAccount demo/spark still carries ${terraform.output.spark_role_arn}, a value known "
        "only from the target's Terraform outputs; nothing was applied: pass them with "
        "--terraform-outputs (`terraform output -json`)");
  CHECK(kube.requests.empty());
  // The rendered eks ServiceAccount of a shipped stack carries it too, and is refused the same way.
  auto eks = rendered("spark-connect", "eks");
  auto shipped = app::deploy(request(eks), kube, clock, progress);
  REQUIRE_FALSE(shipped);
  CHECK(shipped.error().message.find("still carries ${terraform.output.spark_role_arn}") !=
        std::string::npos);
  CHECK(kube.requests.empty());
}
