// The memory and CPU each pod asks of a node (core/budget), what render writes from it, and the
// check rules over it (SC025, SC026) and over IRSA with AWS keys (SC027).
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/budget/budget.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check.hpp"

using namespace stackctl;

namespace {

model::Stack stack_with_kyuubi(int engines) {
  model::Stack s;
  s.file = "stack.yaml";
  s.locs.set_file("stack.yaml");
  s.versions.spark = "3.5.7";
  s.versions.java = "17";
  s.versions.python = "3.11";
  s.spark.driver.memory = "2g";
  s.services.kyuubi.enabled = true;
  s.services.kyuubi.image = "base";
  s.services.kyuubi.max_engines = engines;
  return s;
}

model::Target target(const std::string& name, model::TargetKind kind, std::int64_t mem_mib,
                     std::int64_t cpu_milli) {
  model::Target t;
  t.name = name;
  t.kind = kind;
  t.namespace_name = "demo";
  t.node.memory_mib = mem_mib;
  t.node.cpu_milli = cpu_milli;
  return t;
}

std::vector<check::Finding> findings(const model::Stack& s, const std::string& code) {
  std::vector<check::Finding> out;
  for (auto& f : check::check_stack(s, catalog::builtin_catalog()))
    if (f.diag.code == code) out.push_back(std::move(f));
  return out;
}

}  // namespace

TEST_CASE("budget: Spark's overhead is max(384 MiB, 10%) unless written", "[budget]") {
  CHECK(budget::overhead_mib(1024, "") == 384);
  CHECK(budget::overhead_mib(3840, "") == 384);
  CHECK(budget::overhead_mib(8192, "") == 819);  // truncated, as Spark computes it
  CHECK(budget::overhead_mib(8192, "1g") == 1024);
}

TEST_CASE("budget: Kyuubi holds its server and maxEngines engine drivers", "[budget]") {
  auto s = stack_with_kyuubi(3);
  const auto k = budget::kyuubi(s);
  REQUIRE(k);
  // 1024 heap + 384 non-heap + 3 x (2048 + 384).
  CHECK(k->memory_mib() == 1024 + 384 + 3 * (2048 + 384));
  CHECK(k->memory_sum() ==
        "1024 MiB server heap (serverMemory 1g) + 384 MiB server non-heap (max(384 MiB, 10%)) + "
        "3 x 2048 MiB engine driver heap (spark.driver.memory 2g) + 3 x 384 MiB engine driver "
        "overhead (max(384 MiB, 10%)) = 8704 MiB");
  CHECK(k->cpu_milli == 3000);
  CHECK(budget::quantity(k->memory_mib()) == "8704Mi");

  // SERVER runs one engine whatever maxEngines says (the loader refuses more than 1 there).
  s.services.kyuubi.share_level = model::ShareLevel::server;
  CHECK(budget::kyuubi(s)->memory_mib() == 1024 + 384 + 2048 + 384);
  s.services.kyuubi.enabled = false;
  CHECK_FALSE(budget::kyuubi(s));
}

TEST_CASE("budget: a client-mode notebook holds its server and kernels beside the driver",
          "[budget]") {
  model::Stack s = stack_with_kyuubi(1);
  model::Notebook nb;
  nb.name = "lab";
  nb.mode = model::NotebookMode::client;
  nb.memory = "1536m";
  s.spark.driver.memory = "4g";
  s.spark.driver.cores = 2;
  const auto p = budget::notebook(s, nb, "services.notebooks[0]");
  REQUIRE(p);
  CHECK(p->memory_mib() == 1536 + 4096 + 409);
  CHECK(p->cpu_milli == 2000);
  nb.mode = model::NotebookMode::connect;  // a thin client: no driver, render gives no requests
  CHECK_FALSE(budget::notebook(s, nb, "services.notebooks[0]"));
}

TEST_CASE("budget: executors request requestCores when written, else cores", "[budget]") {
  model::Stack s = stack_with_kyuubi(1);
  s.spark.executor.memory = "4g";
  s.spark.executor.memory_overhead = "1g";
  s.spark.executor.cores = 4;
  auto pods = budget::pods(s);
  REQUIRE(pods.back().name == "executor");
  CHECK(pods.back().memory_mib() == 5120);
  CHECK(pods.back().cpu_milli == 4000);
  s.spark.executor.request_cores = "1.8";
  CHECK(budget::pods(s).back().cpu_milli == 1800);
  s.spark.executor.request_cores = "750m";
  CHECK(budget::pods(s).back().cpu_milli == 750);
  CHECK(budget::cpu_quantity(750) == "750m");
  CHECK(budget::cpu_quantity(3000) == "3");
}

TEST_CASE("SC025/SC026: a pod that cannot fit the target's node, only for that target",
          "[budget][check]") {
  auto s = stack_with_kyuubi(3);
  s.targets = {target("small", model::TargetKind::minikube, 8192, 4000),
               target("big", model::TargetKind::minikube, 65536, 16000)};
  // Without a target, nothing is judged.
  CHECK(findings(s, "SC025").empty());

  s.target = "small";
  const auto mem = findings(s, "SC025");
  REQUIRE(mem.size() == 1);
  CHECK(mem[0].diag.severity == Severity::error);
  CHECK(mem[0].diag.path == "services.kyuubi");
  CHECK(mem[0].diag.message.starts_with("the Kyuubi server's container needs 1024 MiB"));
  CHECK_THAT(mem[0].diag.message,
             Catch::Matchers::Contains(
                 "= 8704 MiB, more than one node of target small gives pods "
                 "(targets[0].nodeAllocatable.memory: 8192 MiB); the pod can never be scheduled "
                 "(FailedScheduling: Insufficient memory)"));
  CHECK(mem[0].diag.hint.starts_with("lower services.kyuubi.maxEngines"));
  CHECK(findings(s, "SC026").empty());  // 3 CPU fit 4

  s.targets[0].node.cpu_milli = 2500;
  const auto cpu = findings(s, "SC026");
  REQUIRE(cpu.size() == 1);
  CHECK(cpu[0].diag.message ==
        "the Kyuubi server requests 3 CPU (spark.driver.cores 1 x maxEngines 3), more than one "
        "node of target small gives pods (targets[0].nodeAllocatable.cpu: 2500m); the pod can "
        "never be scheduled (FailedScheduling: Insufficient cpu)");

  // Two engines fit: 1024 + 384 + 2 x 2432 = 6272 MiB.
  s.services.kyuubi.max_engines = 2;
  CHECK(findings(s, "SC025").empty());
  s.target = "big";
  s.services.kyuubi.max_engines = 3;
  CHECK(findings(s, "SC025").empty());
  // A target that declares no node is not judged.
  s.targets[1].node = {};
  CHECK(findings(s, "SC025").empty());
  CHECK(findings(s, "SC026").empty());
}

TEST_CASE("SC027: AWS keys in spark.env beside IRSA on eks are dead configuration",
          "[budget][check]") {
  auto s = stack_with_kyuubi(1);
  s.services.external.object_store.kind = model::ObjectStoreKind::s3;
  s.spark_env.sources = {
      {"vault", model::SecretSourceType::vault, "secret", "spark/demo", "", 0, 0}};
  s.spark_env.keys = {{"AWS_ACCESS_KEY_ID", "vault", "aws_access_key_id", true},
                      {"SPARK_EXECUTOR_INSTANCES", "vault", "executor_instances", true},
                      {"AWS_SECRET_ACCESS_KEY", "vault", "aws_secret_access_key", true}};
  s.targets = {target("eks", model::TargetKind::eks, 0, 0),
               target("minikube", model::TargetKind::minikube, 0, 0)};
  s.target = "eks";
  const auto dead = findings(s, "SC027");
  REQUIRE(dead.size() == 2);
  CHECK(dead[0].diag.severity == Severity::warning);
  CHECK(dead[0].diag.path == "sparkEnv.keys[0]");
  CHECK(dead[1].diag.path == "sparkEnv.keys[2]");
  CHECK(dead[0].diag.message.starts_with(
      "spark.env key AWS_ACCESS_KEY_ID (from source \"vault\") reaches the pods, but on target eks "
      "S3A takes its credentials only from IRSA"));
  CHECK(dead[0].diag.hint.starts_with("for IRSA, remove AWS_ACCESS_KEY_ID from sparkEnv.keys"));

  // With a credentials Secret the keys are what S3A uses (the environment variable provider).
  s.services.external.object_store.credentials_secret = "aws-credentials";
  CHECK(findings(s, "SC027").empty());
  s.services.external.object_store.credentials_secret.clear();
  // Off eks no provider is set: the SDK's default chain reads the keys from the environment.
  s.target = "minikube";
  CHECK(findings(s, "SC027").empty());
  // No object store: nothing reads S3 credentials at all, and no rule of this one's says so.
  s.target = "eks";
  s.services.external.object_store.kind = model::ObjectStoreKind::none;
  CHECK(findings(s, "SC027").empty());
}
