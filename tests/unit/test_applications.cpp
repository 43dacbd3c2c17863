// `applications:` in the stack file, the submitter Job core builds for `stackctl submit`, and
// app::submit over the recording Kubernetes fake (create, refusal of a second run, --wait).
#include <catch2/catch.hpp>

#include "app/submit.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/loader.hpp"
#include "core/submit/submission.hpp"
#include "fakes/fake_ports.hpp"
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
    arguments: ["100"]
    env: {PI_OUTPUT: "s3a://results/pi"}
    conf:
      spark.sql.shuffle.partitions: "8"
    driver: {memory: 2g}
    executor: {instances: 3, memoryOverhead: 1g}
    secrets:
      - env: AWS_ACCESS_KEY_ID
        secret: aws-credentials
        key: access-key-id
targets:
)";

std::string stack_with(const std::string& apps) {
  return with("targets:\n", apps);
}

Diagnostics validate(const std::string& text) {
  return validate_stack(text, "s.yaml", &catalog::builtin_catalog());
}

model::Stack load(const std::string& text) {
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", "minikube", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE(!d.has_errors());
  return *s;
}

}  // namespace

TEST_CASE("applications: every field is read into the model") {
  const auto s = load(stack_with(kApps));
  REQUIRE(s.applications.size() == 1);
  const auto& a = s.applications[0];
  CHECK(a.name == "pi");
  CHECK(a.image == "base");
  CHECK(a.main_resource == "local:///opt/spark/examples/src/main/python/pi.py");
  CHECK(a.arguments == std::vector<std::string>{"100"});
  CHECK(a.env ==
        std::vector<std::pair<std::string, std::string>>{{"PI_OUTPUT", "s3a://results/pi"}});
  CHECK(a.driver.memory == "2g");
  CHECK(a.executor.instances == 3);
  CHECK(a.executor.memory_overhead == "1g");
  CHECK(a.deploy_mode == model::DeployMode::cluster);
  REQUIRE(a.secrets.size() == 1);
  CHECK(a.secrets[0].secret == "aws-credentials");
  CHECK(a.secrets[0].key == "access-key-id");
}

TEST_CASE("applications: bad inputs are located errors with a hint") {
  SECTION("an unknown key, with a did-you-mean") {
    const auto d = validate(stack_with(with("    arguments:", "    argumens:", kApps)));
    const Diagnostic* e = find_code(d, "E_UNKNOWN_KEY");
    REQUIRE(e != nullptr);
    CHECK(format_diagnostic(*e).find("did you mean \"arguments\"") != std::string::npos);
  }
  SECTION("a main resource that is neither local:/// nor s3a://") {
    const auto d = validate(
        stack_with(with("local:///opt/spark/examples/src/main/python/pi.py", "/opt/pi.py", kApps)));
    const Diagnostic* e = find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->message == "\"/opt/pi.py\" is not a local:/// or s3a:// URI");
    CHECK(e->loc.line == 31);
  }
  SECTION("an image the stack does not have") {
    const auto d = validate(stack_with(with("image: base", "image: bsae", kApps)));
    const Diagnostic* e = find_code(d, "E_UNKNOWN_REF");
    REQUIRE(e != nullptr);
    CHECK(e->message == "unknown image \"bsae\"");
    CHECK(e->hint == "did you mean \"base\"?");
  }
  SECTION("a deploy mode that is not cluster or client") {
    const auto d = validate(
        stack_with(with("    arguments:", "    deployMode: clustre\n    arguments:", kApps)));
    CHECK(test::dump(d).find("did you mean \"cluster\"") != std::string::npos);
  }
  SECTION("two applications with one name") {
    const std::string twice = with(
        "targets:\n",
        "  - name: pi\n    image: base\n    mainResource: s3a://jobs/pi.py\ntargets:\n", kApps);
    const auto d = validate(stack_with(twice));
    REQUIRE(find_code(d, "E_DUPLICATE_NAME") != nullptr);
  }
}

TEST_CASE("applications: a credential in conf is refused with the secretKeyRef form and IRSA") {
  const auto d = validate(stack_with(with("      spark.sql.shuffle.partitions: \"8\"",
                                          "      spark.hadoop.fs.s3a.secret.key: \"abc\"", kApps)));
  const Diagnostic* e = find_code(d, "E_CONF_CREDENTIAL");
  REQUIRE(e != nullptr);
  CHECK(e->path == "applications[0].conf.spark.hadoop.fs.s3a.secret.key");
  CHECK(e->loc.line == 35);
  CHECK(e->message ==
        "spark.hadoop.fs.s3a.secret.key holds a credential: a value here would sit in the stack "
        "file, in spark-defaults and on the spark-submit command line");
  CHECK(e->hint.find(
            "spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY=<secret name>:<key>") !=
        std::string::npos);
  CHECK(e->hint.find(
            "spark.kubernetes.executor.secretKeyRef.AWS_SECRET_ACCESS_KEY=<secret name>:<key>") !=
        std::string::npos);
  CHECK(e->hint.find("IRSA") != std::string::npos);
  CHECK(format_diagnostic(*e).find(std::string("abc")) == std::string::npos);
}

TEST_CASE("applications: which Spark properties count as credentials") {
  auto refused = [](const std::string& key) {
    const auto d = validate(stack_with(
        with("      spark.sql.shuffle.partitions: \"8\"", "      " + key + ": \"x\"", kApps)));
    return find_code(d, "E_CONF_CREDENTIAL") != nullptr;
  };
  CHECK(refused("spark.hadoop.fs.s3a.access.key"));
  CHECK(refused("spark.hadoop.fs.s3a.session.token"));
  CHECK(refused("spark.hadoop.fs.s3a.bucket.results.secret.key"));
  CHECK(refused("spark.authenticate.secret"));
  CHECK(refused("spark.kubernetes.authenticate.driver.oauthToken"));
  CHECK(refused("spark.hadoop.javax.jdo.option.ConnectionPassword"));
  CHECK(refused("spark.ssl.keyStorePassword"));
  CHECK(refused("spark.ssl.trustStore.password"));
  CHECK_FALSE(refused("spark.kubernetes.authenticate.driver.oauthTokenFile"));
  CHECK_FALSE(refused("spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY"));
  CHECK_FALSE(refused("spark.hadoop.fs.s3a.aws.credentials.provider"));
}

TEST_CASE("applications: the stack's spark.conf refuses credentials too") {
  const auto d = validate(with(
      "services:\n", "spark:\n  conf:\n    spark.hadoop.fs.s3a.access.key: AKIA\nservices:\n"));
  const Diagnostic* e = find_code(d, "E_CONF_CREDENTIAL");
  REQUIRE(e != nullptr);
  CHECK(e->path == "spark.conf.spark.hadoop.fs.s3a.access.key");
}

TEST_CASE("applications: an env value named like a credential is refused") {
  const auto d = validate(stack_with(with("PI_OUTPUT", "DB_PASSWORD", kApps)));
  const Diagnostic* e = find_code(d, "E_CONF_CREDENTIAL");
  REQUIRE(e != nullptr);
  CHECK(e->hint ==
        "name the Secret that holds it under `secrets:` instead: {env: DB_PASSWORD, "
        "secret: <secret name>, key: <key>}");
}

namespace {

submit::Submission submission(const model::Stack& s, const std::string& run = "r1") {
  auto built =
      submit::build(s, *s.find_application("pi"), {run, "spark", "registry.local/base@sha256:abc"});
  REQUIRE(built);
  return *built;
}

}  // namespace

TEST_CASE("submit: the submitter Job runs spark-submit in cluster mode with the app's settings") {
  const auto s = load(stack_with(kApps));
  const auto sub = submission(s);
  REQUIRE(sub.objects.size() == 1);
  const Json& job = sub.objects[0].body;
  CHECK(sub.objects[0].display() == "Job spark/pi-r1");
  CHECK(job["spec"]["backoffLimit"] == 0);
  const Json& pod = job["spec"]["template"]["spec"];
  CHECK(pod["serviceAccountName"] == "spark");
  CHECK(pod["restartPolicy"] == "Never");
  CHECK(pod["volumes"][0]["configMap"]["name"] == "demo-spark-defaults");
  const Json& c = pod["containers"][0];
  CHECK(c["image"] == "registry.local/base@sha256:abc");
  const auto cmd = c["command"].get<std::vector<std::string>>();
  auto has = [&](const std::string& arg) {
    return std::find(cmd.begin(), cmd.end(), arg) != cmd.end();
  };
  CHECK(cmd[0] == "/opt/spark/bin/spark-submit");
  CHECK(has("cluster"));
  CHECK(has("spark.kubernetes.namespace=spark"));
  CHECK(has("spark.kubernetes.container.image=registry.local/base@sha256:abc"));
  CHECK(has("spark.kubernetes.authenticate.driver.serviceAccountName=spark"));
  CHECK(has("spark.kubernetes.driver.label.stackctl.dev/run=r1"));
  CHECK(
      has("spark.kubernetes.driver.secretKeyRef.AWS_ACCESS_KEY_ID=aws-credentials:access-key-id"));
  CHECK(has(
      "spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID=aws-credentials:access-key-id"));
  CHECK(has("spark.driver.memory=2g"));
  CHECK(has("spark.executor.instances=3"));
  CHECK(has("spark.executor.memoryOverhead=1g"));
  CHECK(has("spark.kubernetes.driverEnv.PI_OUTPUT=s3a://results/pi"));
  CHECK(has("spark.executorEnv.PI_OUTPUT=s3a://results/pi"));
  CHECK(has("spark.sql.shuffle.partitions=8"));
  // The main resource, then the arguments, last.
  CHECK(cmd[cmd.size() - 2] == "local:///opt/spark/examples/src/main/python/pi.py");
  CHECK(cmd.back() == "100");
  CHECK(sub.driver_selector == "spark-role=driver,stackctl.dev/run=r1");
  CHECK(job["metadata"]["labels"]["stackctl.dev/run"] == "r1");
}

TEST_CASE("submit: bad run ids, long names and client mode are refused with a reason") {
  const auto s = load(stack_with(kApps));
  const auto& app = *s.find_application("pi");
  auto bad = submit::build(s, app, {"Run_1", "spark", "img"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error() ==
        "run id \"Run_1\" is not a DNS label: use lower-case letters, digits and '-'");
  auto long_name = submit::build(s, app, {std::string(61, 'a'), "spark", "img"});
  REQUIRE_FALSE(long_name);
  CHECK(long_name.error().find("more than 63") != std::string::npos);
  const auto client =
      load(stack_with(with("    arguments:", "    deployMode: client\n    arguments:", kApps)));
  auto c = submit::build(client, *client.find_application("pi"), {"r1", "spark", "img"});
  REQUIRE_FALSE(c);
  CHECK(c.error().find("cluster mode only") != std::string::npos);
}

namespace {

struct Lines final : app::SubmitProgress {
  std::vector<std::string> lines;
  void step(const std::string& line) override { lines.push_back(line); }
};

// A clock whose every wait runs `stage` first: the test plays the cluster's controllers.
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

void deployed(testing::KubeFake& k) {
  k.put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "spark"}}}});
  k.put({{"apiVersion", "v1"},
         {"kind", "ConfigMap"},
         {"metadata", {{"name", "demo-spark-defaults"}, {"namespace", "spark"}}}});
  k.put({{"apiVersion", "v1"},
         {"kind", "ServiceAccount"},
         {"metadata", {{"name", "spark"}, {"namespace", "spark"}}}});
}

Json driver(const std::string& phase, Json status_extra = Json::object()) {
  Json status = {{"phase", phase}};
  for (const auto& [k, v] : status_extra.items()) status[k] = v;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "pi-r1-driver"},
            {"namespace", "spark"},
            {"labels", {{"spark-role", "driver"}, {"stackctl.dev/run", "r1"}}}}},
          {"spec", {{"containers", Json::array({{{"name", "spark-kubernetes-driver"}}})}}},
          {"status", status}};
}

app::SubmitRequest request(const model::Stack& s, bool wait) {
  app::SubmitRequest r;
  r.submission = submission(s);
  r.ns = "spark";
  r.wait = wait;
  r.timeout = std::chrono::seconds(60);
  return r;
}

}  // namespace

TEST_CASE("submit: creates the Job once; a second submit of the run is refused") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  Lines progress;
  auto first = app::submit(request(s, false), k, clock, progress);
  REQUIRE(first);
  CHECK(first->state == app::RunState::submitted);
  CHECK(k.find("Job", "spark", "pi-r1"));
  CHECK(k.count("CREATE") == 1);
  auto second = app::submit(request(s, false), k, clock, progress);
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == app::SubmitError::Kind::refused);
  CHECK(second.error().message.starts_with(
      "run \"r1\" was already submitted (Job spark/pi-r1 exists); nothing was changed."));
  CHECK(k.count("CREATE") == 1);
}

TEST_CASE("submit: a target that is not deployed is refused before anything is created") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  StagingClock clock;
  Lines progress;
  auto r = app::submit(request(s, false), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::refused);
  CHECK(r.error().message.starts_with("ConfigMap spark/demo-spark-defaults does not exist"));
  CHECK(k.count("CREATE") == 0);
}

TEST_CASE("submit --wait: pending, running with executors, succeeded") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int n) {
    if (n == 1) k.put(driver("Pending"));
    if (n == 2) {
      k.put(driver("Running"));
      Json ex = driver("Running");
      ex["metadata"]["name"] = "pi-r1-exec-1";
      ex["metadata"]["labels"]["spark-role"] = "executor";
      k.put(ex);
    }
    if (n == 3) k.put(driver("Succeeded"));
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE(r);
  CHECK(r->state == app::RunState::succeeded);
  CHECK(r->driver_pod == "pi-r1-driver");
  CHECK(progress.lines ==
        std::vector<std::string>{
            "created Job spark/pi-r1 (run r1)",
            "pending: waiting for the driver pod; submitter Job created, no pod yet",
            "driver pod pi-r1-driver pending", "driver pod pi-r1-driver running, 1 executor up",
            "driver pod pi-r1-driver succeeded"});
}

TEST_CASE("submit --wait: a driver OOMKilled fails with the doctor's finding") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int) {
    k.put(driver(
        "Failed",
        {{"containerStatuses",
          Json::array(
              {{{"name", "spark-kubernetes-driver"},
                {"ready", false},
                {"restartCount", 0},
                {"state", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}}})}}));
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::failed);
  CHECK(r.error().message.starts_with("application pi-r1 failed: driver pod pi-r1-driver failed"));
  CHECK(r.error().message.find("D_OOMKILLED") != std::string::npos);
}

TEST_CASE("submit --wait: a driver stuck Pending times out with the scheduler's reason") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int n) {
    if (n != 1) return;
    Json pod = driver("Pending", {{"conditions", Json::array({{{"type", "PodScheduled"},
                                                               {"status", "False"},
                                                               {"reason", "Unschedulable"}}})}});
    pod["metadata"]["uid"] = "driver-uid";
    k.put(pod);
    k.put({{"apiVersion", "v1"},
           {"kind", "Event"},
           {"metadata", {{"name", "e1"}, {"namespace", "spark"}}},
           {"involvedObject", {{"kind", "Pod"}, {"name", "pi-r1-driver"}, {"uid", "driver-uid"}}},
           {"reason", "FailedScheduling"},
           {"type", "Warning"},
           {"message", "0/1 nodes are available: 1 Insufficient memory."}});
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::timed_out);
  CHECK(
      r.error().message.starts_with("application pi-r1 did not finish within 60s: driver pod "
                                    "pi-r1-driver pending (Unschedulable)"));
  CHECK(r.error().message.find("D_INSUFFICIENT_RESOURCES") != std::string::npos);
}

TEST_CASE("submit --wait: spark-submit forbidden to create the driver fails with the log's rule") {
  const auto s = load(stack_with(kApps));
  testing::KubeFake k;
  deployed(k);
  StagingClock clock;
  clock.stage = [&](int n) {
    if (n != 1) return;
    Json job = *k.find("Job", "spark", "pi-r1");
    job["status"] = {{"failed", 1}};
    k.put(job);
    k.put({{"apiVersion", "v1"},
           {"kind", "Pod"},
           {"metadata",
            {{"name", "pi-r1-x7k2p"}, {"namespace", "spark"}, {"labels", {{"job-name", "pi-r1"}}}}},
           {"spec", {{"containers", Json::array({{{"name", "spark-submit"}}})}}},
           {"status",
            {{"phase", "Failed"},
             {"containerStatuses",
              Json::array(
                  {{{"name", "spark-submit"},
                    {"ready", false},
                    {"restartCount", 0},
                    {"state", {{"terminated", {{"reason", "Error"}, {"exitCode", 1}}}}}}})}}}});
    k.log_text["spark/pi-r1-x7k2p/spark-submit"] =
        "Exception in thread \"main\" io.fabric8.kubernetes.client.KubernetesClientException: "
        "Failure executing: POST at: https://kubernetes.default.svc/api/v1/namespaces/spark/pods. "
        "Message: pods is forbidden: User \"system:serviceaccount:spark:spark\" cannot create "
        "resource \"pods\" in API group \"\" in the namespace \"spark\".\n";
  };
  Lines progress;
  auto r = app::submit(request(s, true), k, clock, progress);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::SubmitError::Kind::failed);
  CHECK(r.error().message.starts_with(
      "application pi-r1 failed: the submitter Job pi-r1 failed before a driver pod appeared"));
  INFO(r.error().message);
  CHECK(r.error().message.find("D_DRIVER_RBAC") != std::string::npos);
}
