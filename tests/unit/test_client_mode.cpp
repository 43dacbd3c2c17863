// Client-mode applications (docs/applications.md, "Client mode"): the `client:` fields and their
// errors, the properties file and command core builds (core/submit/client_mode), what render
// writes per target (files, the headless Service, the JSON entry), SC029, and submit's refusal.
#include <catch2/catch.hpp>
#include <set>

#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check.hpp"
#include "core/render/render.hpp"
#include "core/stack/loader.hpp"
#include "core/submit/client_mode.hpp"
#include "core/submit/submission.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using stackctl::test::find_code;
using stackctl::test::with;
using Conf = std::vector<std::pair<std::string, std::string>>;

namespace {

// An in-cluster client-mode application with a Secret, plain env and its own conf.
const std::string kClientApp = R"(applications:
  - name: pi
    image: base
    mainResource: local:///opt/spark/examples/src/main/python/pi.py
    arguments: ["100", "it's"]
    env: {PI_OUTPUT: "s3a://results/pi"}
    conf:
      spark.sql.shuffle.partitions: "8"
    executor: {instances: 3}
    deployMode: client
    client:
      concurrentDrivers: 4
    secrets:
      - env: AWS_ACCESS_KEY_ID
        secret: aws-credentials
        key: access-key-id
targets:
)";

std::string stack_with(const std::string& apps) {
  return with("targets:\n", apps);
}

model::Stack load(const std::string& text, const std::string& target = "minikube") {
  Diagnostics d;
  auto s = load_stack(text, {"s.yaml", target, &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE(!d.has_errors());
  return *s;
}

Diagnostics validate(const std::string& text) {
  return validate_stack(text, "s.yaml", &catalog::builtin_catalog());
}

std::string value_of(const Conf& c, const std::string& key) {
  for (const auto& [k, v] : c)
    if (k == key) return v;
  return "<unset>";
}

bool has_prefix(const Conf& c, const std::string& prefix) {
  for (const auto& [k, v] : c)
    if (k.starts_with(prefix)) return true;
  return false;
}

// The outside-the-cluster variant: runsIn outside with the given client lines.
std::string outside(const std::string& client_lines) {
  return with("      concurrentDrivers: 4\n", client_lines, stack_with(kClientApp));
}

}  // namespace

TEST_CASE("client mode: a driver in the cluster gets the Service's name and fixed ports") {
  const auto s = load(stack_with(kClientApp));
  const auto& app = *s.find_application("pi");
  CHECK(app.client.runs_in == model::DriverPlace::cluster);
  CHECK(app.client.concurrent_drivers == 4);
  const Conf c = submit::client::properties(s, app, {"reg/base@sha256:ab", {}});
  CHECK(value_of(c, "spark.master") == "k8s://https://kubernetes.default.svc:443");
  CHECK(value_of(c, "spark.submit.deployMode") == "client");
  CHECK(value_of(c, "spark.driver.host") == "demo-pi-driver.spark.svc");
  CHECK(value_of(c, "spark.driver.bindAddress") == "0.0.0.0");
  // 4 drivers: 7078-7081 for RPC, 7082-7085 for block managers, 3 retries each.
  CHECK(value_of(c, "spark.driver.port") == "7078");
  CHECK(value_of(c, "spark.driver.blockManager.port") == "7082");
  CHECK(value_of(c, "spark.port.maxRetries") == "3");
  CHECK(value_of(c, "spark.ui.port") == "4040");
  CHECK(value_of(c, "spark.kubernetes.container.image") == "reg/base@sha256:ab");
  CHECK(value_of(c, "spark.kubernetes.namespace") == "spark");  // from spark-defaults
  CHECK(value_of(c, "spark.executor.instances") == "3");        // the app's over the stack's
  CHECK(value_of(c, "spark.sql.shuffle.partitions") == "8");
  CHECK(value_of(c, "spark.executorEnv.PI_OUTPUT") == "s3a://results/pi");
  CHECK(value_of(c, "spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID") ==
        "aws-credentials:access-key-id");
  CHECK(value_of(c, "spark.kubernetes.executor.label.stackctl.dev/application") == "pi");
  // Spark makes no driver pod in client mode: no driver secretKeyRef, no kubeconfig context.
  CHECK_FALSE(has_prefix(c, "spark.kubernetes.driver.secretKeyRef."));
  CHECK(value_of(c, "spark.kubernetes.context") == "<unset>");
  // One line per key.
  std::set<std::string> keys;
  for (const auto& [k, v] : c) CHECK(keys.insert(k).second);
}

TEST_CASE("client mode: one driver has maxRetries 0 and the ports of the notebooks") {
  const auto s =
      load(with("      concurrentDrivers: 4\n", "      runsIn: cluster\n", stack_with(kClientApp)));
  const auto p = submit::client::ports(*s.find_application("pi"));
  CHECK(p.count == 1);
  CHECK(p.driver == 7078);
  CHECK(p.block_manager == 7079);
  CHECK(p.max_retries == 0);
}

TEST_CASE("client mode: a driver outside the cluster dials the API server and its own host") {
  const auto text = with("    namespace: spark\n", "    namespace: spark\n    context: prod-ctx\n",
                         outside("      runsIn: outside\n      driverHost: 10.0.4.17\n"
                                 "      apiServer: https://api.example.com:6443\n"));
  const auto s = load(text);
  const auto& app = *s.find_application("pi");
  const Conf c = submit::client::properties(s, app, {"img", {}});
  CHECK(value_of(c, "spark.master") == "k8s://https://api.example.com:6443");
  CHECK(value_of(c, "spark.driver.host") == "10.0.4.17");
  CHECK(value_of(c, "spark.kubernetes.context") == "prod-ctx");
  CHECK(value_of(c, "spark.port.maxRetries") == "0");
}

TEST_CASE("client mode: the properties file names the driver's Secrets, never a value") {
  const auto s = load(stack_with(kClientApp));
  const auto& app = *s.find_application("pi");
  const submit::client::Inputs in{"img", {{"MY_TOKEN", "demo-spark-env", "MY_TOKEN"}}};
  const std::string text = submit::client::properties_file(s, app, in);
  CHECK(text.find("#   AWS_ACCESS_KEY_ID from Secret aws-credentials, key access-key-id\n") !=
        std::string::npos);
  CHECK(text.find("#   MY_TOKEN from Secret demo-spark-env, key MY_TOKEN\n") != std::string::npos);
  CHECK(text.find("spark.kubernetes.executor.secretKeyRef.MY_TOKEN demo-spark-env\\:MY_TOKEN\n") !=
        std::string::npos);
  // Escaped as java.util.Properties#store writes values.
  CHECK(text.find("spark.master k8s\\://https\\://kubernetes.default.svc\\:443\n") !=
        std::string::npos);
  const auto env = submit::client::driver_env(s, app, in);
  REQUIRE(env.size() == 2);
  CHECK(env[0].env == "MY_TOKEN");
  CHECK(env[1].env == "AWS_ACCESS_KEY_ID");
}

TEST_CASE("client mode: the command is spark-submit, or pyspark for an interactive app") {
  const auto s = load(stack_with(kClientApp));
  CHECK(submit::client::command(*s.find_application("pi"), "pi.conf") ==
        std::vector<std::string>{
            "spark-submit", "--deploy-mode", "client", "--properties-file", "pi.conf", "--name",
            "pi", "local:///opt/spark/examples/src/main/python/pi.py", "100", "it's"});
  const auto shell = load(stack_with(R"(applications:
  - name: explore
    image: base
    pyFiles: [s3a://jobs/lib.zip]
    deployMode: client
    client: {interactive: true}
targets:
)"));
  CHECK(submit::client::command(*shell.find_application("explore"), "x.conf") ==
        std::vector<std::string>{"pyspark", "--properties-file", "x.conf", "--name", "explore",
                                 "--py-files", "s3a://jobs/lib.zip"});
}

TEST_CASE("client mode: the script quotes every word and finds the file beside itself") {
  const auto s = load(stack_with(kClientApp));
  const std::string text = submit::client::script(s, *s.find_application("pi"), {"img", {}});
  CHECK(text.starts_with("#!/bin/sh\n"));
  CHECK(text.find("export PI_OUTPUT='s3a://results/pi'\n") != std::string::npos);
  CHECK(text.find("labelled stackctl.dev/client-driver=demo-pi-driver, as ServiceAccount spark") !=
        std::string::npos);
  CHECK(text.find("exec \"${SPARK_HOME:-/opt/spark}/bin/spark-submit\" '--deploy-mode' 'client' "
                  "'--properties-file' \"$here/\"'pi.conf' "
                  "${POD_NAME:+--conf \"spark.kubernetes.driver.pod.name=$POD_NAME\"} "
                  "'--name' 'pi' 'local:///opt/spark/examples/src/main/python/pi.py' '100' "
                  "'it'\\''s' \"$@\"\n") != std::string::npos);
}

TEST_CASE("client mode: render writes the files, the headless Service and the JSON entry") {
  const auto s = load(stack_with(kClientApp));
  const render::Templates templates = render::Templates::builtin();
  render::Request request;
  request.base = &s;
  request.targets = {&s};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.image_refs = {{"base", "reg.example/base@sha256:" + std::string(64, 'a')}};
  auto result = render::render(request);
  INFO((result ? std::string() : test::dump(result.error())));
  REQUIRE(result);
  const render::File* conf = nullptr;
  const render::File* script = nullptr;
  for (const auto& f : result->files) {
    if (f.path == "targets/minikube/applications/pi.conf") conf = &f;
    if (f.path == "targets/minikube/applications/pi.submit.sh") script = &f;
  }
  REQUIRE(conf != nullptr);
  REQUIRE(script != nullptr);
  CHECK(script->executable);
  CHECK_FALSE(conf->secret);
  CHECK(conf->data.find("spark.kubernetes.container.image reg.example/base@sha256\\:aaaa") !=
        std::string::npos);

  const render::Manifest* svc = nullptr;
  for (const auto& m : result->manifests.at("minikube"))
    if (m.path == "targets/minikube/kubernetes/40-service-demo-pi-driver.yaml") svc = &m;
  REQUIRE(svc != nullptr);
  const auto& spec = svc->object.body.at("spec");
  CHECK(spec.at("clusterIP") == "None");
  CHECK(spec.at("selector") == kube::Json{{"stackctl.dev/client-driver", "demo-pi-driver"}});
  REQUIRE(spec.at("ports").size() == 8);
  CHECK(spec.at("ports")[0].at("name") == "driver-rpc");
  CHECK(spec.at("ports")[0].at("port") == 7078);
  CHECK(spec.at("ports")[7].at("name") == "blockmanager-3");
  CHECK(spec.at("ports")[7].at("port") == 7085);

  REQUIRE(result->client_applications.size() == 1);
  const auto& entry = result->client_applications[0];
  CHECK(entry.service == "demo-pi-driver");
  CHECK(entry.driver_host == "demo-pi-driver.spark.svc");
  CHECK(entry.command.at(4) == "targets/minikube/applications/pi.conf");
  CHECK(entry.driver_env.size() == 1);
}

TEST_CASE("client mode: bad client fields are located errors with a hint") {
  SECTION("client on a cluster-mode application") {
    const auto d = validate(with("    deployMode: client\n", "", stack_with(kClientApp)));
    const Diagnostic* e = find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->path == "applications[0].client");
    CHECK(e->message.find("runs in cluster mode") != std::string::npos);
  }
  SECTION("driverHost for a driver in the cluster") {
    const auto d = validate(outside("      driverHost: 10.0.0.1\n"));
    const Diagnostic* e = find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->path == "applications[0].client.driverHost");
  }
  SECTION("a driver outside without apiServer") {
    const auto d = validate(outside("      runsIn: outside\n      driverHost: 10.0.0.1\n"));
    const Diagnostic* e = find_code(d, "E_MISSING");
    REQUIRE(e != nullptr);
    CHECK(e->path == "applications[0].client.apiServer");
  }
  SECTION("concurrentDrivers out of range") {
    const auto d = validate(outside("      concurrentDrivers: 65\n"));
    CHECK(find_code(d, "E_VALUE") != nullptr);
  }
  SECTION("a setting render derives, in conf") {
    const auto d = validate(with("      spark.sql.shuffle.partitions: \"8\"\n",
                                 "      spark.driver.port: \"9000\"\n", stack_with(kClientApp)));
    const Diagnostic* e = find_code(d, "E_CONF_OWNED");
    REQUIRE(e != nullptr);
    CHECK(e->path == "applications[0].conf.spark.driver.port");
  }
  SECTION("an interactive application with a main resource") {
    const auto d = validate(outside("      interactive: true\n"));
    const Diagnostic* e = find_code(d, "E_VALUE");
    REQUIRE(e != nullptr);
    CHECK(e->path == "applications[0].mainResource");
  }
}

TEST_CASE("SC029: a driver outside the cluster that executors cannot reach is a warning") {
  auto findings = [](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& f : check::check_stack(load(text), catalog::builtin_catalog()))
      if (f.diag.code == "SC029") out.push_back(f.diag.path + ": " + f.diag.message);
    return out;
  };
  const std::string api = "      apiServer: https://api.example.com:6443\n";
  auto none = findings(outside("      runsIn: outside\n" + api));
  REQUIRE(none.size() == 1);
  CHECK(
      none[0].starts_with("applications[0].client.runsIn: application pi's client-mode driver "
                          "runs outside the cluster and gives no driverHost"));
  auto loop = findings(outside("      runsIn: outside\n      driverHost: 127.0.0.1\n" + api));
  REQUIRE(loop.size() == 1);
  CHECK(loop[0].find("applications[0].client.driverHost") == 0);
  CHECK(loop[0].find("a loopback address") != std::string::npos);
  CHECK(findings(outside("      runsIn: outside\n      driverHost: airflow.example.com\n" + api))
            .empty());
  CHECK(findings(stack_with(kClientApp)).empty());  // in the cluster: the Service
}

TEST_CASE("submit: a client-mode application is refused, pointing at the rendered files") {
  const auto s = load(stack_with(kClientApp));
  auto c = submit::build(s, *s.find_application("pi"), {"r1", "spark", "img"});
  REQUIRE_FALSE(c);
  CHECK(c.error() ==
        "application \"pi\" is deployMode: client, and `stackctl submit` runs cluster mode only: a "
        "client-mode driver runs where your orchestrator runs it. `stackctl render` writes what "
        "it needs: targets/minikube/applications/pi.conf (spark-submit --properties-file) and "
        "pi.submit.sh (the command; docs/applications.md, \"Client mode\")");
}
