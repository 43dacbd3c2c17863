// Kubernetes manifests of the shipped stacks (render_manifests), read through the objects render
// builds (render::Manifest), never by parsing the files: every object in apply order, and the
// Spark-on-Kubernetes wiring each workload needs. test_render_objects.cpp compares the objects of
// every shipped stack with an expectation built from the stack.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/knowledge/catalog.hpp"
#include "core/render/common.hpp"
#include "core/render/manifests.hpp"
#include "core/render/parts.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using kube::Json;
using render::detail::k8s::yaml_block;
using render::detail::k8s::yaml_quote;

namespace {

const char* const kShippedStacks[] = {"spark-connect", "kyuubi-sql", "custom-app"};

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
  REQUIRE_FALSE(d.has_errors());
  return *stack;
}

// A value for every spark.env key, made of characters YAML and HTML both treat specially.
std::map<std::string, Secret> env_values_for(const model::Stack& stack) {
  std::map<std::string, Secret> values;
  for (const auto& k : stack.spark_env.keys)
    values[k.key] = Secret("v-" + k.key + " <&\"'>: #{x}\n\\");
  return values;
}

struct Rendered {
  std::vector<render::File> files;
  std::vector<render::Manifest> manifests;
  Diagnostics diags;
};

Rendered render_manifests(const model::Stack& stack,
                          const render::Templates& templates = render::Templates::builtin(),
                          std::map<std::string, Secret> env = {}) {
  render::Request request;
  request.base = &stack;
  request.targets = {&stack};
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.env_values = env.empty() ? env_values_for(stack) : std::move(env);
  render::detail::Output out;
  render::detail::render_manifests(request, stack, out);
  return {std::move(out.files), std::move(out.manifests[stack.target]), std::move(out.diags)};
}

Rendered render_ok(const model::Stack& stack) {
  Rendered r = render_manifests(stack);
  INFO(test::dump(r.diags));
  REQUIRE_FALSE(r.diags.has_errors());
  return r;
}

// The object of the manifest whose file is `name` (e.g.
// "50-deployment-spark-connect-connect.yaml").
const Json& manifest(const Rendered& r, const std::string& name) {
  for (const auto& m : r.manifests)
    if (m.path.ends_with("/kubernetes/" + name)) return m.object.body;
  FAIL("no manifest " << name);
  static const Json none;
  return none;
}

const Json& container(const Json& workload) {
  return workload.at("spec").at("template").at("spec").at("containers").at(0);
}

const Json& env_var(const Json& workload, const std::string& name) {
  for (const auto& e : container(workload).at("env"))
    if (e.at("name") == name) return e;
  FAIL("no env " << name);
  static const Json none;
  return none;
}

bool has_env(const Json& workload, const std::string& name) {
  for (const auto& e : container(workload).at("env"))
    if (e.at("name") == name) return true;
  return false;
}

std::vector<std::string> strings(const Json& seq) {
  std::vector<std::string> out;
  for (const auto& n : seq) out.push_back(n.get<std::string>());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const Json& port(const Json& service, int number) {
  for (const auto& p : service.at("spec").at("ports"))
    if (p.at("port") == number) return p;
  FAIL("no port " << number);
  static const Json none;
  return none;
}

std::string annotation(const Json& workload, const std::string& key) {
  return workload.at("spec").at("template").at("metadata").at("annotations").at(key);
}

// Apply order of the server-side-apply facts, by kind.
int apply_rank(const std::string& kind) {
  static const std::map<std::string, int> rank = {
      {"Namespace", 0},   {"ServiceAccount", 1}, {"Role", 2},
      {"RoleBinding", 3}, {"ConfigMap", 4},      {"Secret", 4},
      {"Service", 5},     {"Deployment", 6},     {"StatefulSet", 6}};
  REQUIRE(rank.contains(kind));
  return rank.at(kind);
}

}  // namespace

TEST_CASE(
    "every manifest of every shipped stack and target is a Kubernetes object in apply order") {
  static const std::regex file_name(
      R"(targets/([a-z0-9-]+)/kubernetes/(\d\d)-([a-z]+)-([a-z0-9-]+)\.yaml)");
  for (const char* name : kShippedStacks) {
    for (const auto& target : load(name, "").targets) {
      INFO(name << " / " << target.name);
      const model::Stack stack = load(name, target.name);
      const Rendered r = render_ok(stack);
      REQUIRE(r.manifests.size() >= 7);
      // One File per Manifest, with the Manifest's text as its bytes.
      REQUIRE(r.files.size() == r.manifests.size());
      std::vector<render::Manifest> sorted = r.manifests;
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.path < b.path; });
      int last_rank = -1;
      for (const auto& m : sorted) {
        INFO(m.path << "\n" << (m.secret ? "<secret>" : m.text));
        const auto file = std::find_if(r.files.begin(), r.files.end(),
                                       [&](const render::File& f) { return f.path == m.path; });
        REQUIRE(file != r.files.end());
        CHECK(file->data == m.text);
        CHECK(file->secret == m.secret);
        std::smatch match;
        REQUIRE(std::regex_match(m.path, match, file_name));
        CHECK(match[1] == target.name);
        const kube::Object& o = m.object;
        CHECK_FALSE(o.api_version().empty());
        const std::string kind = o.kind();
        CHECK(match[3] == [&] {
          std::string lower = kind;
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return lower;
        }());
        CHECK(o.name() == match[4].str());
        if (kind == "Namespace")
          CHECK(o.namespace_name().empty());
        else
          CHECK(o.namespace_name() == target.namespace_name);
        CHECK(o.labels().at("app.kubernetes.io/managed-by") == "stackctl");
        CHECK(o.labels().at("app.kubernetes.io/part-of") == name);
        CHECK(m.secret == (kind == "Secret"));
        const int rank = apply_rank(kind);
        CHECK(rank >= last_rank);
        last_rank = rank;
        for (const char* entity : {"&quot;", "&amp;", "&lt;", "&gt;", "&#"})
          CHECK(m.text.find(entity) == std::string::npos);
        // Skipped sections leave no empty lines behind.
        CHECK(m.text.find("\n\n") == std::string::npos);
        CHECK(m.text.ends_with("\n"));
      }
    }
  }
}

TEST_CASE("rendering the same stack twice gives the same bytes") {
  const model::Stack stack = load("custom-app", "eks");
  const Rendered a = render_ok(stack), b = render_ok(stack);
  REQUIRE(a.files.size() == b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    CHECK(a.files[i].path == b.files[i].path);
    CHECK(a.files[i].data == b.files[i].data);
  }
  REQUIRE(a.manifests.size() == b.manifests.size());
  for (std::size_t i = 0; i < a.manifests.size(); ++i)
    CHECK(a.manifests[i].object.body == b.manifests[i].object.body);
}

TEST_CASE("the RBAC lets the spark ServiceAccount create executor pods") {
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  const auto role = manifest(r, "20-role-spark.yaml");
  const auto rule = role.at("rules").at(0);
  CHECK(rule.at("apiGroups").at(0).get<std::string>().empty());
  CHECK(strings(rule.at("resources")) ==
        std::vector<std::string>{"pods", "configmaps", "persistentvolumeclaims", "services"});
  CHECK(strings(rule.at("verbs")) == std::vector<std::string>{"get", "list", "watch", "create",
                                                              "update", "patch", "delete",
                                                              "deletecollection"});
  const auto binding = manifest(r, "21-rolebinding-spark.yaml");
  CHECK(binding.at("roleRef").at("name").get<std::string>() == "spark");
  CHECK(binding.at("subjects").at(0).at("name").get<std::string>() == "spark");
  CHECK(binding.at("subjects").at(0).at("namespace").get<std::string>() == "spark");
  // No IRSA on minikube.
  CHECK_FALSE(manifest(r, "10-serviceaccount-spark.yaml").at("metadata").contains("annotations"));
}

TEST_CASE("the Spark Connect server is a driver executors can reach") {
  const model::Stack stack = load("spark-connect", "eks");
  const Rendered r = render_ok(stack);

  const auto service = manifest(r, "40-service-spark-connect-connect.yaml");
  CHECK(port(service, 15002).at("appProtocol").get<std::string>() == "grpc");
  CHECK(port(service, 15002).at("name").get<std::string>() == "spark-connect");
  CHECK(port(service, 7078).at("name").get<std::string>() == "driver-rpc");
  CHECK(port(service, 7079).at("name").get<std::string>() == "blockmanager");
  CHECK(port(service, 4040).at("name").get<std::string>() == "web-ui");
  // No headless Service for the driver: executors dial the pod IP, so nothing would use one.
  for (const auto& m : r.manifests) CHECK(m.path.find("connect-driver") == std::string::npos);

  const auto deployment = manifest(r, "50-deployment-spark-connect-connect.yaml");
  const auto c = container(deployment);
  CHECK(c.at("image").get<std::string>() ==
        "registry.example.com/data-platform/spark-connect:spark-4.0.1-uc-0.3.1-fix-v4");
  CHECK(
      deployment.at("spec").at("template").at("spec").at("serviceAccountName").get<std::string>() ==
      "spark");
  CHECK(env_var(deployment, "POD_IP")
            .at("valueFrom")
            .at("fieldRef")
            .at("fieldPath")
            .get<std::string>() == "status.podIP");
  CHECK(env_var(deployment, "POD_NAME")
            .at("valueFrom")
            .at("fieldRef")
            .at("fieldPath")
            .get<std::string>() == "metadata.name");
  CHECK(env_var(deployment, "JAVA_TOOL_OPTIONS").at("value").get<std::string>() ==
        "-Djava.net.preferIPv4Stack=true");
  const auto args = strings(c.at("args"));
  CHECK(contains(args, "org.apache.spark.sql.connect.service.SparkConnectServer"));
  CHECK(contains(args, "spark.driver.host=$(POD_IP)"));
  CHECK(contains(args, "spark.kubernetes.driver.pod.name=$(POD_NAME)"));
  CHECK(contains(args, "spark.driver.bindAddress=0.0.0.0"));
  CHECK(contains(args, "spark.driver.port=7078"));
  CHECK(contains(args, "spark.driver.blockManager.port=7079"));
  CHECK(contains(args, "spark.executor.instances=4"));
  CHECK(contains(args, "spark.connect.grpc.binding.port=15002"));

  const auto startup = c.at("startupProbe");
  CHECK(startup.at("tcpSocket").at("port").get<int>() == 15002);
  CHECK(startup.at("periodSeconds").get<int>() == 10);
  CHECK(startup.at("failureThreshold").get<int>() == 30);
  CHECK(c.at("readinessProbe").at("tcpSocket").at("port").get<int>() == 15002);

  // Driver memory 2g plus Spark's default overhead max(384m, 10%).
  CHECK(c.at("resources").at("requests").at("memory").get<std::string>() == "2432Mi");
  CHECK(c.at("resources").at("limits").at("memory").get<std::string>() == "2432Mi");
  CHECK(c.at("resources").at("requests").at("cpu").get<std::string>() == "1");

  // The object store's credentials Secret reaches the driver's environment.
  const auto key = env_var(deployment, "AWS_ACCESS_KEY_ID").at("valueFrom").at("secretKeyRef");
  CHECK(key.at("name").get<std::string>() == "minio-credentials");
  CHECK(key.at("key").get<std::string>() == "AWS_ACCESS_KEY_ID");

  // IRSA on EKS: the role Terraform outputs as spark_role_arn.
  CHECK(manifest(r, "10-serviceaccount-spark.yaml")
            .at("metadata")
            .at("annotations")
            .at("eks.amazonaws.com/role-arn")
            .get<std::string>() == "${terraform.output.spark_role_arn}");
}

TEST_CASE("the minikube target's overrides reach the manifests") {
  const model::Stack stack = load("spark-connect", "minikube");
  const Rendered r = render_ok(stack);
  const auto args =
      strings(container(manifest(r, "50-deployment-spark-connect-connect.yaml")).at("args"));
  CHECK(contains(args, "spark.executor.instances=1"));
  CHECK_FALSE(contains(args, "spark.executor.instances=4"));
  const auto conf = manifest(r, "30-configmap-spark-connect-spark-defaults.yaml")
                        .at("data")
                        .at("spark-defaults.conf")
                        .get<std::string>();
  CHECK(conf == render::format_spark_defaults(render::spark_defaults(stack)));
  CHECK(conf.find("spark.executor.memory 1g\n") != std::string::npos);
}

TEST_CASE("Spark Connect notebooks are thin clients of the Connect Service") {
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  for (const char* nb : {"jupyterhub", "marimo"}) {
    INFO(nb);
    const auto d = manifest(r, std::string("50-deployment-spark-connect-") + nb + ".yaml");
    CHECK(env_var(d, "SPARK_REMOTE").at("value").get<std::string>() ==
          "sc://spark-connect-connect:15002");
    CHECK_FALSE(has_env(d, "AWS_ACCESS_KEY_ID"));
    CHECK_FALSE(container(d).contains("resources"));
    const auto svc = manifest(r, std::string("40-service-spark-connect-") + nb + ".yaml");
    CHECK(svc.at("spec").at("ports").size() == 1);
    // Least privilege: their own ServiceAccount, no API token in the pod.
    const Json& pod = d.at("spec").at("template").at("spec");
    CHECK(pod.at("serviceAccountName").get<std::string>() == "notebook");
    CHECK(pod.at("automountServiceAccountToken").get<bool>() == false);
  }
  const auto sa = manifest(r, "10-serviceaccount-notebook.yaml");
  CHECK(sa.at("automountServiceAccountToken").get<bool>() == false);
  // The spark Role is bound to spark alone; no binding names the notebooks' account.
  for (const auto& m : r.manifests) {
    if (m.object.body.at("kind") != "RoleBinding") continue;
    for (const auto& subject : m.object.body.at("subjects"))
      CHECK(subject.at("name").get<std::string>() == "spark");
  }
  // Drivers keep the spark account and its token.
  const Json& connect =
      manifest(r, "50-deployment-spark-connect-connect.yaml").at("spec").at("template").at("spec");
  CHECK(connect.at("serviceAccountName").get<std::string>() == "spark");
  CHECK_FALSE(connect.contains("automountServiceAccountToken"));
  CHECK(port(manifest(r, "40-service-spark-connect-marimo.yaml"), 2718)
            .at("name")
            .get<std::string>() == "http");
}

TEST_CASE("a client-mode notebook is a driver behind its own headless Service") {
  model::Stack stack = load("custom-app", "minikube");
  const Rendered r = render_ok(stack);
  const auto headless = manifest(r, "40-service-custom-app-jupyter-driver.yaml");
  CHECK(headless.at("spec").at("clusterIP").get<std::string>() == "None");
  CHECK(headless.at("spec").at("selector").at("app.kubernetes.io/instance").get<std::string>() ==
        "custom-app-jupyter");
  CHECK(port(headless, 7078).at("name").get<std::string>() == "driver-rpc");
  CHECK(port(headless, 7079).at("name").get<std::string>() == "blockmanager");

  const auto d = manifest(r, "50-deployment-custom-app-jupyter.yaml");
  const auto submit = env_var(d, "PYSPARK_SUBMIT_ARGS").at("value").get<std::string>();
  CHECK(submit.find("--conf spark.driver.host=custom-app-jupyter-driver.analytics.svc ") !=
        std::string::npos);
  CHECK(submit.find("--conf spark.driver.port=7078 ") != std::string::npos);
  CHECK(submit.find("--conf spark.driver.blockManager.port=7079 ") != std::string::npos);
  CHECK(submit.find("--conf spark.kubernetes.driver.pod.name=$(POD_NAME) ") != std::string::npos);
  CHECK(submit.ends_with(" pyspark-shell"));
  // kubelet expands $(POD_NAME) only from variables defined before the one that uses it.
  std::vector<std::string> names;
  for (const auto& e : container(d).at("env")) names.push_back(e.at("name").get<std::string>());
  const auto at = [&](const std::string& n) { return std::find(names.begin(), names.end(), n); };
  CHECK(at("POD_NAME") < at("PYSPARK_SUBMIT_ARGS"));
  // A driver: credentials from the kubernetesSecret source; sized for the notebook server and
  // kernels (memory, default 1g) beside the driver (2g + 384m overhead).
  const auto key = env_var(d, "AWS_ACCESS_KEY_ID").at("valueFrom").at("secretKeyRef");
  CHECK(key.at("name").get<std::string>() == "aws-credentials");
  CHECK(key.at("key").get<std::string>() == "access-key-id");
  CHECK(container(d).at("resources").at("requests").at("memory").get<std::string>() == "3456Mi");
  CHECK(
      port(manifest(r, "40-service-custom-app-jupyter.yaml"), 8888).at("name").get<std::string>() ==
      "http");
  // No rendered Secret: every spark.env key comes from an existing Kubernetes Secret.
  for (const auto& f : r.files) CHECK_FALSE(f.secret);
}

TEST_CASE("driver-like pods ask for the driver's memory plus its overhead") {
  model::Stack stack = load("custom-app", "eks");
  stack.spark.driver.memory = "3g";
  stack.spark.driver.memory_overhead = "1g";
  stack.spark.driver.cores = 2;
  stack.services.notebooks[0].memory = "1536m";
  const Rendered r = render_ok(stack);
  // A client-mode notebook: its own memory (server and kernels) + the driver's heap and overhead.
  const auto c = container(manifest(r, "50-deployment-custom-app-jupyter.yaml"));
  CHECK(c.at("resources").at("requests").at("memory").get<std::string>() == "5632Mi");
  CHECK(c.at("resources").at("limits").at("memory").get<std::string>() == "5632Mi");
  CHECK(c.at("resources").at("requests").at("cpu").get<std::string>() == "2");
}

TEST_CASE("Kyuubi's container holds its server JVM and maxEngines engine drivers") {
  model::Stack stack = load("kyuubi-sql", "minikube");
  stack.services.kyuubi.max_engines = 3;
  stack.services.kyuubi.server_memory = "2g";
  const Rendered r = render_ok(stack);
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  const auto c = container(sts);
  // 2048 + 384 (server) + 3 x (2048 + 384) (engines, spark.driver.memory 2g).
  CHECK(c.at("resources").at("requests").at("memory").get<std::string>() == "9728Mi");
  CHECK(c.at("resources").at("limits").at("memory").get<std::string>() == "9728Mi");
  CHECK(c.at("resources").at("requests").at("cpu").get<std::string>() == "3");
  CHECK(env_var(sts, "KYUUBI_JAVA_OPTS").at("value").get<std::string>() == "-Xmx2048m");
}

TEST_CASE("the history server serves event logs on its port") {
  const Rendered r = render_ok(load("custom-app", "eks"));
  CHECK(port(manifest(r, "40-service-custom-app-history-server.yaml"), 18080)
            .at("name")
            .get<std::string>() == "http");
  const auto d = manifest(r, "50-deployment-custom-app-history-server.yaml");
  const auto c = container(d);
  for (const char* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
    INFO(probe);
    CHECK(c.at(probe).at("httpGet").at("path").get<std::string>() == "/");
    CHECK(c.at(probe).at("httpGet").at("port").get<int>() == 18080);
  }
  CHECK(env_var(d, "SPARK_HISTORY_OPTS").at("value").get<std::string>() ==
        "-Dspark.history.fs.logDirectory=s3a://analytics-spark-logs/events "
        "-Dspark.history.ui.port=18080");
  // IRSA: it runs as the spark ServiceAccount, which carries the role on EKS.
  CHECK(d.at("spec").at("template").at("spec").at("serviceAccountName").get<std::string>() ==
        "spark");
  CHECK(manifest(r, "10-serviceaccount-spark.yaml")
            .at("metadata")
            .at("annotations")
            .at("eks.amazonaws.com/role-arn")
            .get<std::string>() == "${terraform.output.spark_role_arn}");
}

TEST_CASE("Kyuubi is a StatefulSet behind one Service, which governs it") {
  const model::Stack stack = load("kyuubi-sql", "minikube");
  const Rendered r = render_ok(stack);
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  CHECK(sts.at("spec").at("serviceName").get<std::string>() == "kyuubi-sql-kyuubi");
  // No headless Service: nothing dials the pod by a per-pod DNS name.
  for (const auto& m : r.manifests) CHECK(m.path.find("headless") == std::string::npos);
  const auto service = manifest(r, "40-service-kyuubi-sql-kyuubi.yaml");
  CHECK(port(service, 10009).at("name").get<std::string>() == "thrift-binary");
  CHECK(port(service, 10010).at("name").get<std::string>() == "thrift-http");
  CHECK(port(service, 10099).at("name").get<std::string>() == "rest");
  CHECK(port(service, 10019).at("name").get<std::string>() == "metrics");
  const auto conf = manifest(r, "30-configmap-kyuubi-sql-kyuubi-conf.yaml")
                        .at("data")
                        .at("kyuubi-defaults.conf")
                        .get<std::string>();
  CHECK(conf.find("\nkyuubi.engine.share.level=USER\n") != std::string::npos);
  CHECK(conf.find("\nkyuubi.frontend.thrift.binary.bind.port=10009\n") != std::string::npos);
  CHECK(conf.find("\nspark.submit.deployMode=client\n") != std::string::npos);
  // A StatefulSet's pod name is known in advance.
  CHECK(conf.find("\nspark.kubernetes.driver.pod.name=kyuubi-sql-kyuubi-0\n") != std::string::npos);
  const auto c = container(sts);
  CHECK(c.at("readinessProbe").at("tcpSocket").at("port").get<int>() == 10009);
  CHECK(c.at("startupProbe").at("tcpSocket").at("port").get<int>() == 10009);
  // The server (1g + 384m) and one engine's driver (2g + 384m): maxEngines defaults to 1.
  CHECK(c.at("resources").at("requests").at("memory").get<std::string>() == "3840Mi");
  CHECK(annotation(sts, "checksum/kyuubi-config") == render::sha256_hex(conf));
  CHECK(annotation(sts, "checksum/config").size() == 64);
}

TEST_CASE("spark.env values from Vault or files go into a Secret the pods read key by key") {
  // minikube: on eks the stack reaches S3 through IRSA and sends no AWS keys (check SC027).
  const model::Stack stack = load("kyuubi-sql", "minikube");
  const Rendered r = render_ok(stack);
  const render::Manifest* secret = nullptr;
  for (const auto& m : r.manifests)
    if (m.secret) secret = &m;
  REQUIRE(secret != nullptr);
  CHECK(secret->path == "targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml");
  const Json& d = secret->object.body;
  CHECK(d.at("type").get<std::string>() == "Opaque");
  // Values survive YAML byte for byte, whatever they contain.
  const auto values = env_values_for(stack);
  for (const auto& k : stack.spark_env.keys)
    CHECK(d.at("stringData").at(k.name).get<std::string>() == values.at(k.key).reveal());
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  const auto ref = env_var(sts, "AWS_SECRET_ACCESS_KEY").at("valueFrom").at("secretKeyRef");
  CHECK(ref.at("name").get<std::string>() == "kyuubi-sql-spark-env");
  CHECK(ref.at("key").get<std::string>() == "AWS_SECRET_ACCESS_KEY");
  // Executors get them too, through the engines' configuration (':' escaped as in .properties).
  const auto conf = manifest(r, "30-configmap-kyuubi-sql-kyuubi-conf.yaml")
                        .at("data")
                        .at("kyuubi-defaults.conf")
                        .get<std::string>();
  CHECK(conf.find("\nspark.kubernetes.executor.secretKeyRef.AWS_SECRET_ACCESS_KEY="
                  "kyuubi-sql-spark-env\\:AWS_SECRET_ACCESS_KEY\n") != std::string::npos);
  // No value ever reaches a file that is not the Secret.
  for (const auto& f : r.files)
    if (!f.secret) CHECK(f.data.find("v-aws_secret_access_key") == std::string::npos);
}

TEST_CASE("checksum annotations change when the configuration they cover changes") {
  model::Stack stack = load("kyuubi-sql", "minikube");
  const std::string sts = "51-statefulset-kyuubi-sql-kyuubi.yaml";
  const Rendered first = render_ok(stack);
  const auto before = manifest(first, sts);
  const auto conf = manifest(first, "30-configmap-kyuubi-sql-spark-defaults.yaml")
                        .at("data")
                        .at("spark-defaults.conf")
                        .get<std::string>();
  CHECK(annotation(before, "checksum/config") == render::sha256_hex(conf));

  stack.spark.conf.emplace_back("spark.sql.ansi.enabled", "true");
  const auto changed_conf = manifest(render_ok(stack), sts);
  CHECK(annotation(changed_conf, "checksum/config") != annotation(before, "checksum/config"));
  CHECK(annotation(changed_conf, "checksum/secret") == annotation(before, "checksum/secret"));

  auto env = env_values_for(stack);
  env.at("aws_secret_access_key") = Secret("rotated");
  const Rendered rotated = render_manifests(stack, render::Templates::builtin(), env);
  const auto changed_secret = manifest(rotated, sts);
  CHECK(annotation(changed_secret, "checksum/secret") !=
        annotation(changed_conf, "checksum/secret"));
  CHECK(annotation(changed_secret, "checksum/config") ==
        annotation(changed_conf, "checksum/config"));
}

TEST_CASE("only pods that read the spark.env Secret carry its checksum") {
  // Connect-mode notebooks are thin clients with no Secret in their env: a new value in Vault
  // must not restart them. The Connect server, which reads it, carries the checksum.
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  for (const char* nb :
       {"50-deployment-spark-connect-jupyterhub.yaml", "50-deployment-spark-connect-marimo.yaml"}) {
    const auto d = manifest(r, nb);
    const Json& annotations = d.at("spec").at("template").at("metadata").at("annotations");
    CHECK_FALSE(annotations.contains("checksum/secret"));
    CHECK(annotations.contains("checksum/config"));  // it mounts spark-defaults
  }
  const auto connect = manifest(r, "50-deployment-spark-connect-connect.yaml");
  CHECK_FALSE(annotation(connect, "checksum/secret").empty());
}

TEST_CASE("a template override that uses an undefined variable is an E_TEMPLATE error") {
  render::Templates templates = render::Templates::builtin();
  templates.override_with(
      {{"templates/kubernetes/namespace.yaml.mustache", "kind: Namespace\nname: {{{nmae}}}\n"}});
  const Rendered r = render_manifests(load("spark-connect", "minikube"), templates);
  const Diagnostic* d = test::find_code(r.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("nmae") != std::string::npos);
  CHECK(d->loc.file == "templates/kubernetes/namespace.yaml.mustache");
  for (const auto& f : r.files) CHECK(f.path.find("namespace") == std::string::npos);
  for (const auto& m : r.manifests) CHECK(m.object.kind() != "Namespace");
}

TEST_CASE("yaml_quote leaves only unambiguous strings plain") {
  for (const char* plain : {"spark", "spark-connect", "status.podIP", "/etc/spark/conf", "a_b"})
    CHECK(yaml_quote(plain) == plain);
  for (const char* quoted :
       {"",          "yes",     "No",   "on",          "OFF",        "true",
        "null",      "y",       "~",    "1",           "1.5",        "0x1F",
        "2024.11.1", "-Dx",     "@x",   "*x",          "&x",         "!x",
        "#x",        "a: b",    "a #b", "{}",          "[]",         "k8s://https://h:443",
        " lead",     "tail ",   "a\"b", "back\\slash", "two\nlines", "tab\there",
        "ctrl\x01",  "\xc3\xbc"}) {
    INFO(quoted);
    CHECK(yaml_quote(quoted).front() == '"');
  }
  CHECK(yaml_quote("a\"b\\c\nd\x01") == "\"a\\\"b\\\\c\\nd\\x01\"");
}

TEST_CASE("quoted scalars and blocks read back exactly") {
  for (const std::string s : {"", "yes", "1.5", "a: b", "#x", "&quot;", "<&>'\"", "back\\slash",
                              "two\nlines\n", "tab\there", "ctrl\x01\x7f", "\xc3\xbcnicode",
                              " lead", "trail ", "${terraform.output.x}"}) {
    INFO(s);
    const auto quoted = YAML::Load("v: " + yaml_quote(s));
    CHECK(quoted["v"].as<std::string>() == s);
    CHECK(quoted["v"].Tag() == (yaml_quote(s).front() == '"' ? "!" : "?"));
  }
  for (const std::string s :
       {"# c\nk v\n", "k v", "k v\n\n", "\nfirst empty\n", " lead\n", "a\n\nb\n", "x\x01\n",
        "\ttab first\n", "tab\tinside\n", "key: value\n- item\n"}) {
    INFO(s);
    const auto block = YAML::Load("data:\n  v: " + yaml_block(s, 4) + "\nnext: 1\n");
    CHECK(block["data"]["v"].as<std::string>() == s);
    CHECK(block["next"].as<int>() == 1);
  }
  CHECK(yaml_block("a\nb\n", 4) == "|\n    a\n    b");
  CHECK(yaml_block("a\nb", 4) == "|-\n    a\n    b");
  // Empty lines keep their indentation, so dropping empty template lines cannot touch them.
  CHECK(yaml_block("a\n\nb\n", 4) == "|\n    a\n    \n    b");
}

namespace {

const Json& init_container(const Json& workload, const std::string& name) {
  for (const auto& c : workload.at("spec").at("template").at("spec").at("initContainers"))
    if (c.at("name") == name) return c;
  FAIL("no init container " << name);
  static const Json none;
  return none;
}

const Json& volume(const Json& workload, const std::string& name) {
  for (const auto& v : workload.at("spec").at("template").at("spec").at("volumes"))
    if (v.at("name") == name) return v;
  FAIL("no volume " << name);
  static const Json none;
  return none;
}

}  // namespace

TEST_CASE("a spark.env key that carries a Spark setting is written into spark-defaults at start") {
  const Rendered r = render_ok(load("kyuubi-sql", "minikube"));
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  const Json& init = init_container(sts, "spark-env-conf");
  CHECK(init.at("image") == container(sts).at("image"));
  const auto script = init.at("command").at(2).get<std::string>();
  CHECK(init.at("command").at(0).get<std::string>() == "/bin/sh");
  CHECK(script.find("cp /etc/spark/conf-base/spark-defaults.conf "
                    "/etc/spark/conf/spark-defaults.conf\n") != std::string::npos);
  CHECK(script.find("printf 'spark.executor.instances=%s\\n' \"$SPARK_EXECUTOR_INSTANCES\" >> "
                    "/etc/spark/conf/spark-defaults.conf\n") != std::string::npos);
  // kubelet expands $(NAME) in a command: the script must have none.
  CHECK(script.find("$(") == std::string::npos);
  // Only the setting's variable reaches the init container, not the credentials.
  REQUIRE(init.at("env").size() == 1);
  CHECK(init.at("env").at(0).at("name").get<std::string>() == "SPARK_EXECUTOR_INSTANCES");
  CHECK(init.at("env").at(0).at("valueFrom").at("secretKeyRef").at("name").get<std::string>() ==
        "kyuubi-sql-spark-env");
  // SPARK_CONF_DIR is the emptyDir the init container filled; the ConfigMap is its source.
  CHECK(volume(sts, "spark-conf").contains("emptyDir"));
  CHECK(volume(sts, "spark-conf-base").at("configMap").at("name").get<std::string>() ==
        "kyuubi-sql-spark-defaults");
  CHECK(env_var(sts, "SPARK_CONF_DIR").at("value").get<std::string>() == "/etc/spark/conf");
}

TEST_CASE("without spark.env settings a pod reads the ConfigMap directly") {
  const Rendered r = render_ok(load("spark-connect", "eks"));
  const auto d = manifest(r, "50-deployment-spark-connect-connect.yaml");
  CHECK_FALSE(d.at("spec").at("template").at("spec").contains("initContainers"));
  CHECK(volume(d, "spark-conf").at("configMap").at("name").get<std::string>() ==
        "spark-connect-spark-defaults");
  // services.connect.executors is then the Connect server's executor count.
  bool executors = false;
  for (const auto& a : container(d).at("args"))
    executors = executors || a == "spark.executor.instances=4";
  CHECK(executors);
}

TEST_CASE("the Connect server's executor count from spark.env wins over services.connect") {
  model::Stack stack = load("spark-connect", "eks");
  stack.spark_env.sources.push_back(
      {"vault", model::SecretSourceType::vault, "secret", "spark/x", "", 0, 0});
  stack.spark_env.keys.push_back({"SPARK_EXECUTOR_INSTANCES", "vault", "executor_instances", true});
  const Rendered r = render_ok(stack);
  const auto d = manifest(r, "50-deployment-spark-connect-connect.yaml");
  // A --conf would override the spark-defaults line the init container writes.
  for (const auto& a : container(d).at("args"))
    CHECK(a.get<std::string>().find("spark.executor.instances") == std::string::npos);
  CHECK(init_container(d, "spark-env-conf").at("env").at(0).at("name").get<std::string>() ==
        "SPARK_EXECUTOR_INSTANCES");
}

TEST_CASE("the history server's init container creates its log directory with FsShell") {
  const Rendered r = render_ok(load("custom-app", "eks"));
  const auto d = manifest(r, "50-deployment-custom-app-history-server.yaml");
  const Json& init = init_container(d, "event-log-dir");
  CHECK(init.at("image") == container(d).at("image"));
  CHECK(init.at("command") == Json::array({"/opt/spark/bin/spark-class"}));
  const Json want = Json::array(
      {"org.apache.hadoop.fs.FsShell", "-D", "fs.s3a.impl=org.apache.hadoop.fs.s3a.S3AFileSystem",
       "-D", "fs.s3a.path.style.access=false", "-D", "fs.s3a.endpoint.region=eu-central-1", "-D",
       "fs.s3a.aws.credentials.provider=com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
       "-mkdir", "-p", "s3a://analytics-spark-logs/events"});
  CHECK(init.at("args") == want);
  // The same credentials as the history server itself.
  std::vector<std::string> init_env, main_env;
  for (const auto& e : init.at("env")) init_env.push_back(e.at("name").get<std::string>());
  for (const auto& e : container(d).at("env")) main_env.push_back(e.at("name").get<std::string>());
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SPARK_CONF_DIR"}) {
    INFO(v);
    CHECK(std::find(init_env.begin(), init_env.end(), v) != init_env.end());
    CHECK(std::find(main_env.begin(), main_env.end(), v) != main_env.end());
  }
}
