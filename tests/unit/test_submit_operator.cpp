// `stackctl submit` on a target with `sparkOperator: true`: the target field, the
// SparkApplication core builds, and app::submit over the recording Kubernetes fake (the missing
// API refused, one CREATE, a second run refused, --wait following the operator's states).
#include <catch2/catch.hpp>

#include "app/submit.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/loader.hpp"
#include "core/submit/spark_application.hpp"
#include "core/submit/submission.hpp"
#include "kube_fake.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using stackctl::test::find_code;
using stackctl::test::with;
using Json = kube::Json;

namespace {

const std::string kApps = R"(applications:
  - name: pi
    image: base
    mainResource: local:///opt/spark/examples/src/main/python/pi.py
    pyFiles: [local:///opt/app/lib.py]
    arguments: ["100"]
    env: {PI_OUTPUT: "s3a://results/pi"}
    conf:
      spark.sql.shuffle.partitions: "8"
    driver: {memory: 2g, cores: 2}
    executor: {instances: 3, memoryOverhead: 1g}
    secrets:
      - env: AWS_ACCESS_KEY_ID
        secret: aws-credentials
        key: access-key-id
targets:
  - name: minikube
    kind: minikube
    namespace: spark
    sparkOperator: true
)";

std::string operator_stack() {
  return with("targets:\n  - name: minikube\n    kind: minikube\n    namespace: spark\n", kApps);
}

model::Stack load(const std::string& text) {
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", "minikube", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE(!d.has_errors());
  return *s;
}

submit::Submission submission(const model::Stack& s, const std::string& run = "r1") {
  auto built =
      submit::build(s, *s.find_application("pi"), {run, "spark", "registry.local/base@sha256:abc"});
  REQUIRE(built);
  return *built;
}

struct Lines final : app::SubmitProgress {
  std::vector<std::string> lines;
  void step(const std::string& line) override { lines.push_back(line); }
};

struct StagingClock final : app::Clock {
  std::chrono::steady_clock::time_point t{};
  std::function<void(int)> stage;
  int waits = 0;
  std::chrono::steady_clock::time_point now() override { return t; }
  void sleep_for(std::chrono::milliseconds d) override {
    t += d;
    if (stage) stage(++waits);
  }
};

const kube::Resource kSparkApps{"sparkoperator.k8s.io", "v1beta2", "SparkApplication",
                                "sparkapplications", true};

void deployed(testing::KubeFake& k, bool with_crd = true) {
  if (with_crd) k.serve(kSparkApps);
  k.put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "spark"}}}});
  k.put({{"apiVersion", "v1"},
         {"kind", "ServiceAccount"},
         {"metadata", {{"name", "spark"}, {"namespace", "spark"}}}});
}

app::SubmitRequest request(const model::Stack& s, bool wait) {
  app::SubmitRequest r;
  r.submission = submission(s);
  r.ns = "spark";
  r.wait = wait;
  r.timeout = std::chrono::seconds(60);
  return r;
}

// The operator's status update (it writes .status through the status subresource).
void set_state(testing::KubeFake& k, const std::string& state, const std::string& error = "") {
  Json app = *k.find("SparkApplication", "spark", "pi-r1");
  app["status"] = {{"applicationState", {{"state", state}}}};
  if (!error.empty()) app["status"]["applicationState"]["errorMessage"] = error;
  k.put(app);
}

Json driver(const std::string& phase) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "pi-r1-driver"},
            {"namespace", "spark"},
            {"labels", {{"spark-role", "driver"}, {"stackctl.dev/run", "r1"}}}}},
          {"spec", {{"containers", Json::array({{{"name", "spark-kubernetes-driver"}}})}}},
          {"status", {{"phase", phase}}}};
}

}  // namespace

TEST_CASE("targets: sparkOperator is read, and a value that is not a boolean is located") {
  const auto s = load(operator_stack());
  REQUIRE(s.find_target("minikube"));
  CHECK(s.find_target("minikube")->spark_operator);
  CHECK_FALSE(load(test::kMinimalStack).find_target("minikube")->spark_operator);
  const auto d =
      validate_stack(with("sparkOperator: true", "sparkOperator: maybe", operator_stack()),
                     "s.yaml", &catalog::builtin_catalog());
  INFO(test::dump(d));
  const Diagnostic* e = nullptr;
  for (const auto& x : d.items())
    if (x.path == "targets[0].sparkOperator") e = &x;
  REQUIRE(e != nullptr);
  CHECK(e->severity == Severity::error);
  CHECK(e->loc.line == 47);
}

TEST_CASE("submit: on an operator target the run is one SparkApplication") {
  const auto s = load(operator_stack());
  const auto sub = submission(s);
  CHECK(sub.via == submit::Via::spark_operator);
  CHECK(sub.kind() == "SparkApplication");
  CHECK(sub.config_map.empty());
  CHECK(sub.operator_at == "s.yaml:47:5");
  CHECK(sub.command.empty());
  REQUIRE(sub.objects.size() == 1);
  const Json& o = sub.objects[0].body;
  INFO(o.dump(2));
  CHECK(sub.objects[0].display() == "SparkApplication spark/pi-r1");
  CHECK(o["apiVersion"] == "sparkoperator.k8s.io/v1beta2");
  CHECK(o["metadata"]["labels"]["stackctl.dev/run"] == "r1");
  CHECK(o["metadata"]["labels"]["app.kubernetes.io/name"] == "spark-application");
  const Json& spec = o["spec"];
  CHECK(spec["type"] == "Python");
  CHECK(spec["mode"] == "cluster");
  CHECK(spec["image"] == "registry.local/base@sha256:abc");
  CHECK(spec["sparkVersion"] == "3.5.7");
  CHECK(spec["mainApplicationFile"] == "local:///opt/spark/examples/src/main/python/pi.py");
  CHECK_FALSE(spec.contains("mainClass"));
  CHECK(spec["arguments"] == Json::array({"100"}));
  CHECK(spec["deps"]["pyFiles"] == Json::array({"local:///opt/app/lib.py"}));
  CHECK(spec["restartPolicy"]["type"] == "Never");
  // Sizes and the ServiceAccount are the CRD's fields, the application's over the stack's.
  const Json& d = spec["driver"];
  const Json& e = spec["executor"];
  CHECK(d["serviceAccount"] == "spark");
  CHECK(d["memory"] == "2g");
  CHECK(d["cores"] == 2);
  CHECK(e["instances"] == 3);
  CHECK(e["memoryOverhead"] == "1g");
  CHECK(d["labels"] == Json{{"stackctl.dev/stack", "demo"},
                            {"stackctl.dev/application", "pi"},
                            {"stackctl.dev/run", "r1"}});
  CHECK(e["labels"] == d["labels"]);
  // The Secret by reference (the CRD's env with valueFrom), the plain value as a value.
  const Json ref = {
      {"name", "AWS_ACCESS_KEY_ID"},
      {"valueFrom", {{"secretKeyRef", {{"name", "aws-credentials"}, {"key", "access-key-id"}}}}}};
  const Json plain = {{"name", "PI_OUTPUT"}, {"value", "s3a://results/pi"}};
  CHECK(d["env"] == Json::array({ref, plain}));
  CHECK(e["env"] == Json::array({ref, plain}));
  // sparkConf: spark-defaults with the application's conf, less what the fields carry.
  const Json& conf = spec["sparkConf"];
  CHECK(conf["spark.sql.shuffle.partitions"] == "8");
  CHECK(conf["spark.dynamicAllocation.enabled"] == "false");
  for (const char* owned : {"spark.driver.memory", "spark.driver.cores", "spark.executor.instances",
                            "spark.executor.memory", "spark.executor.memoryOverhead",
                            "spark.kubernetes.namespace", "spark.kubernetes.container.image",
                            "spark.kubernetes.authenticate.driver.serviceAccountName",
                            "spark.kubernetes.driver.secretKeyRef.AWS_ACCESS_KEY_ID",
                            "spark.kubernetes.driverEnv.PI_OUTPUT", "spark.executorEnv.PI_OUTPUT",
                            "spark.kubernetes.driver.label.stackctl.dev/run"})
    CHECK_FALSE(conf.contains(owned));
  for (const auto& [k, v] : conf.items()) CHECK(v.is_string());
}

TEST_CASE("submit: a JVM application is type Java with its mainClass; client mode is refused") {
  const auto s = load(with("    mainResource: local:///opt/spark/examples/src/main/python/pi.py\n",
                           "    mainResource: local:///opt/spark/examples/jars/spark-examples.jar\n"
                           "    mainClass: org.apache.spark.examples.SparkPi\n",
                           operator_stack()));
  const auto sub = submission(s);
  const Json& spec = sub.objects[0].body["spec"];
  CHECK(spec["type"] == "Java");
  CHECK(spec["mainClass"] == "org.apache.spark.examples.SparkPi");
  const auto client =
      load(with("    arguments:", "    deployMode: client\n    arguments:", operator_stack()));
  auto c = submit::build(client, *client.find_application("pi"), {"r1", "spark", "img"});
  REQUIRE_FALSE(c);
  CHECK(c.error().find("cluster mode only") != std::string::npos);
}

TEST_CASE("submit: the operator's states that end a run") {
  using submit::OperatorEnd;
  CHECK(submit::operator_end("COMPLETED") == OperatorEnd::succeeded);
  CHECK(submit::operator_end("FAILED") == OperatorEnd::failed);
  CHECK(submit::operator_end("SUBMISSION_FAILED") == OperatorEnd::failed);
  for (const char* not_yet : {"", "SUBMITTED", "RUNNING", "SUCCEEDING", "FAILING", "PENDING_RERUN",
                              "INVALIDATING", "SUSPENDED", "UNKNOWN"})
    CHECK(submit::operator_end(not_yet) == OperatorEnd::none);
  CHECK(submit::operator_running("RUNNING"));
  CHECK(submit::operator_running("SUCCEEDING"));
  CHECK_FALSE(submit::operator_running("SUBMITTED"));
}

TEST_CASE("submit: the target says operator but the cluster lacks the CRD: refused, named") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k, false);
  StagingClock clock;
  Lines progress;
  auto r = app::submit(request(s, false), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::refused);
  CHECK(r.error().message ==
        "target \"minikube\" says sparkOperator: true (s.yaml:47:5), but https://fake.invalid "
        "does not serve sparkoperator.k8s.io/v1beta2 sparkapplications (the kubeflow "
        "spark-operator's SparkApplication CRD); nothing was submitted.\n  install the operator "
        "on the cluster (its Helm chart installs the CRD), or remove `sparkOperator` from the "
        "target to submit with the submitter Job");
  CHECK(k.count("CREATE") == 0);
}

TEST_CASE("submit: creates the SparkApplication once; a second submit of the run is refused") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  Lines progress;
  auto first = app::submit(request(s, false), k, clock, progress);
  REQUIRE(first);
  CHECK(first->job == "SparkApplication spark/pi-r1");
  CHECK(k.find("SparkApplication", "spark", "pi-r1"));
  CHECK(k.count("CREATE") == 1);
  CHECK(k.count("GET ConfigMap") == 0);  // the object carries spark-defaults; nothing mounted
  auto second = app::submit(request(s, false), k, clock, progress);
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == app::SubmitError::Kind::refused);
  CHECK(second.error().message.starts_with(
      "run \"r1\" was already submitted (SparkApplication spark/pi-r1 exists); nothing was "
      "changed."));
  CHECK(second.error().message.find("kubectl -n spark delete sparkapplication pi-r1") !=
        std::string::npos);
  CHECK(k.count("CREATE") == 1);
}

TEST_CASE("submit --wait on the operator: SUBMITTED, RUNNING with the driver, COMPLETED") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int n) {
    if (n == 1) set_state(k, "SUBMITTED");
    if (n == 2) {
      set_state(k, "RUNNING");
      k.put(driver("Running"));
    }
    if (n == 3) {
      k.put(driver("Succeeded"));
      set_state(k, "COMPLETED");
    }
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE(r);
  CHECK(r->state == app::RunState::succeeded);
  CHECK(r->driver_pod == "pi-r1-driver");
  CHECK(progress.lines ==
        std::vector<std::string>{
            "created SparkApplication spark/pi-r1 (run r1)",
            "SparkApplication pi-r1 has no state yet: the operator has not taken it up (is the "
            "spark-operator running, and watching namespace spark?); no driver pod yet",
            "SparkApplication pi-r1 SUBMITTED: no driver pod yet",
            "SparkApplication pi-r1 RUNNING: driver pod pi-r1-driver running, 0 executors up",
            "SparkApplication pi-r1 COMPLETED: driver pod pi-r1-driver succeeded"});
}

TEST_CASE("submit --wait on the operator: FAILED fails with the operator's message") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int) {
    k.put(driver("Failed"));
    set_state(k, "FAILED", "driver container failed with ExitCode: 1, Reason: Error\nmore");
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::failed);
  CHECK(r.error().message.starts_with(
      "application pi-r1 failed: SparkApplication pi-r1 FAILED: driver pod pi-r1-driver "
      "failed; driver container failed with ExitCode: 1, Reason: Error\n"));
}

TEST_CASE("submit --wait on the operator: a driver that failed is not the end while RUNNING") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int) {
    k.put(driver("Failed"));
    set_state(k, "RUNNING");
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::timed_out);
  CHECK(r.error().message.starts_with(
      "application pi-r1 did not finish within 60s: SparkApplication pi-r1 RUNNING: driver pod "
      "pi-r1-driver failed"));
}

TEST_CASE("submit --wait on the operator: SUBMISSION_FAILED without a driver is a failure") {
  const auto s = load(operator_stack());
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int) { set_state(k, "SUBMISSION_FAILED", "failed to run spark-submit"); };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::failed);
  INFO(r.error().message);
  CHECK(r.error().message.find("kubectl -n spark describe sparkapplication pi-r1") !=
        std::string::npos);
}
