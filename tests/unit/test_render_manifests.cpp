// Kubernetes manifests of the shipped stacks (render_manifests): every document a well-formed
// object in apply order, and the Spark-on-Kubernetes wiring each workload needs.
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
#include "core/stack_loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
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
  return {std::move(out.files), std::move(out.diags)};
}

Rendered render_ok(const model::Stack& stack) {
  Rendered r = render_manifests(stack);
  INFO(test::dump(r.diags));
  REQUIRE_FALSE(r.diags.has_errors());
  return r;
}

// The file named `name` (e.g. "50-deployment-spark-connect-connect.yaml"), parsed.
YAML::Node manifest(const Rendered& r, const std::string& name) {
  for (const auto& f : r.files)
    if (f.path.ends_with("/kubernetes/" + name)) return YAML::Load(f.data);
  FAIL("no manifest " << name);
  return {};
}

YAML::Node container(const YAML::Node& workload) {
  return workload["spec"]["template"]["spec"]["containers"][0];
}

YAML::Node env_var(const YAML::Node& workload, const std::string& name) {
  for (const auto& e : container(workload)["env"])
    if (e["name"].as<std::string>() == name) return e;
  FAIL("no env " << name);
  return {};
}

bool has_env(const YAML::Node& workload, const std::string& name) {
  for (const auto& e : container(workload)["env"])
    if (e["name"].as<std::string>() == name) return true;
  return false;
}

std::vector<std::string> strings(const YAML::Node& seq) {
  std::vector<std::string> out;
  for (const auto& n : seq) out.push_back(n.as<std::string>());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

YAML::Node port(const YAML::Node& service, int number) {
  for (const auto& p : service["spec"]["ports"])
    if (p["port"].as<int>() == number) return p;
  FAIL("no port " << number);
  return {};
}

std::string annotation(const YAML::Node& workload, const std::string& key) {
  return workload["spec"]["template"]["metadata"]["annotations"][key].as<std::string>();
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
      REQUIRE(r.files.size() >= 7);
      std::vector<render::File> sorted = r.files;
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.path < b.path; });
      int last_rank = -1;
      for (const auto& f : sorted) {
        INFO(f.path << "\n" << (f.secret ? "<secret>" : f.data));
        std::smatch m;
        REQUIRE(std::regex_match(f.path, m, file_name));
        CHECK(m[1] == target.name);
        const auto docs = YAML::LoadAll(f.data);
        REQUIRE(docs.size() == 1);
        const YAML::Node& d = docs[0];
        REQUIRE(d["apiVersion"].IsScalar());
        const auto kind = d["kind"].as<std::string>();
        CHECK(m[3] == [&] {
          std::string lower = kind;
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return lower;
        }());
        CHECK(d["metadata"]["name"].as<std::string>() == m[4].str());
        if (kind == "Namespace")
          CHECK_FALSE(d["metadata"]["namespace"]);
        else
          CHECK(d["metadata"]["namespace"].as<std::string>() == target.namespace_name);
        CHECK(d["metadata"]["labels"]["app.kubernetes.io/managed-by"].as<std::string>() ==
              "stackctl");
        CHECK(d["metadata"]["labels"]["app.kubernetes.io/part-of"].as<std::string>() == name);
        CHECK(f.secret == (kind == "Secret"));
        const int rank = apply_rank(kind);
        CHECK(rank >= last_rank);
        last_rank = rank;
        for (const char* entity : {"&quot;", "&amp;", "&lt;", "&gt;", "&#"})
          CHECK(f.data.find(entity) == std::string::npos);
        // Skipped sections leave no empty lines behind.
        CHECK(f.data.find("\n\n") == std::string::npos);
        CHECK(f.data.ends_with("\n"));
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
}

TEST_CASE("the RBAC lets the spark ServiceAccount create executor pods") {
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  const auto role = manifest(r, "20-role-spark.yaml");
  const auto rule = role["rules"][0];
  CHECK(rule["apiGroups"][0].as<std::string>().empty());
  CHECK(strings(rule["resources"]) ==
        std::vector<std::string>{"pods", "configmaps", "persistentvolumeclaims", "services"});
  CHECK(strings(rule["verbs"]) == std::vector<std::string>{"get", "list", "watch", "create",
                                                           "update", "patch", "delete",
                                                           "deletecollection"});
  const auto binding = manifest(r, "21-rolebinding-spark.yaml");
  CHECK(binding["roleRef"]["name"].as<std::string>() == "spark");
  CHECK(binding["subjects"][0]["name"].as<std::string>() == "spark");
  CHECK(binding["subjects"][0]["namespace"].as<std::string>() == "spark");
  // No IRSA on minikube.
  CHECK_FALSE(manifest(r, "10-serviceaccount-spark.yaml")["metadata"]["annotations"]);
}

TEST_CASE("the Spark Connect server is a driver executors can reach") {
  const model::Stack stack = load("spark-connect", "eks");
  const Rendered r = render_ok(stack);

  const auto service = manifest(r, "40-service-spark-connect-connect.yaml");
  CHECK(port(service, 15002)["appProtocol"].as<std::string>() == "grpc");
  CHECK(port(service, 15002)["name"].as<std::string>() == "spark-connect");
  CHECK(port(service, 7078)["name"].as<std::string>() == "driver-rpc");
  CHECK(port(service, 7079)["name"].as<std::string>() == "blockmanager");
  CHECK(port(service, 4040)["name"].as<std::string>() == "web-ui");
  const auto headless = manifest(r, "40-service-spark-connect-connect-driver.yaml");
  CHECK(headless["spec"]["clusterIP"].as<std::string>() == "None");
  CHECK(headless["spec"]["selector"]["app.kubernetes.io/instance"].as<std::string>() ==
        "spark-connect-connect");

  const auto deployment = manifest(r, "50-deployment-spark-connect-connect.yaml");
  const auto c = container(deployment);
  CHECK(c["image"].as<std::string>() ==
        "registry.example.com/data-platform/spark-connect:spark-4.0.1-uc-0.3.1-fix-v4");
  CHECK(deployment["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>() == "spark");
  CHECK(env_var(deployment, "POD_IP")["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() ==
        "status.podIP");
  CHECK(env_var(deployment, "POD_NAME")["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() ==
        "metadata.name");
  CHECK(env_var(deployment, "JAVA_TOOL_OPTIONS")["value"].as<std::string>() ==
        "-Djava.net.preferIPv4Stack=true");
  const auto args = strings(c["args"]);
  CHECK(contains(args, "org.apache.spark.sql.connect.service.SparkConnectServer"));
  CHECK(contains(args, "spark.driver.host=$(POD_IP)"));
  CHECK(contains(args, "spark.kubernetes.driver.pod.name=$(POD_NAME)"));
  CHECK(contains(args, "spark.driver.bindAddress=0.0.0.0"));
  CHECK(contains(args, "spark.driver.port=7078"));
  CHECK(contains(args, "spark.driver.blockManager.port=7079"));
  CHECK(contains(args, "spark.executor.instances=4"));
  CHECK(contains(args, "spark.connect.grpc.binding.port=15002"));

  const auto startup = c["startupProbe"];
  CHECK(startup["tcpSocket"]["port"].as<int>() == 15002);
  CHECK(startup["periodSeconds"].as<int>() == 10);
  CHECK(startup["failureThreshold"].as<int>() == 30);
  CHECK(c["readinessProbe"]["tcpSocket"]["port"].as<int>() == 15002);

  // Driver memory 2g plus Spark's default overhead max(384m, 10%).
  CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "2432Mi");
  CHECK(c["resources"]["limits"]["memory"].as<std::string>() == "2432Mi");
  CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "1");

  // The object store's credentials Secret reaches the driver's environment.
  const auto key = env_var(deployment, "AWS_ACCESS_KEY_ID")["valueFrom"]["secretKeyRef"];
  CHECK(key["name"].as<std::string>() == "minio-credentials");
  CHECK(key["key"].as<std::string>() == "AWS_ACCESS_KEY_ID");

  // IRSA on EKS: the role Terraform outputs as spark_role_arn.
  CHECK(manifest(
            r,
            "10-serviceaccount-spark.yaml")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
            .as<std::string>() == "${terraform.output.spark_role_arn}");
}

TEST_CASE("the minikube target's overrides reach the manifests") {
  const model::Stack stack = load("spark-connect", "minikube");
  const Rendered r = render_ok(stack);
  const auto args =
      strings(container(manifest(r, "50-deployment-spark-connect-connect.yaml"))["args"]);
  CHECK(contains(args, "spark.executor.instances=1"));
  CHECK_FALSE(contains(args, "spark.executor.instances=4"));
  const auto conf =
      manifest(r, "30-configmap-spark-connect-spark-defaults.yaml")["data"]["spark-defaults.conf"]
          .as<std::string>();
  CHECK(conf == render::format_spark_defaults(render::spark_defaults(stack)));
  CHECK(conf.find("spark.executor.memory 1g\n") != std::string::npos);
}

TEST_CASE("Spark Connect notebooks are thin clients of the Connect Service") {
  const Rendered r = render_ok(load("spark-connect", "minikube"));
  for (const char* nb : {"jupyterhub", "marimo"}) {
    INFO(nb);
    const auto d = manifest(r, std::string("50-deployment-spark-connect-") + nb + ".yaml");
    CHECK(env_var(d, "SPARK_REMOTE")["value"].as<std::string>() ==
          "sc://spark-connect-connect:15002");
    CHECK_FALSE(has_env(d, "AWS_ACCESS_KEY_ID"));
    CHECK_FALSE(container(d)["resources"]);
    const auto svc = manifest(r, std::string("40-service-spark-connect-") + nb + ".yaml");
    CHECK(svc["spec"]["ports"].size() == 1);
  }
  CHECK(port(manifest(r, "40-service-spark-connect-marimo.yaml"), 2718)["name"].as<std::string>() ==
        "http");
}

TEST_CASE("a client-mode notebook is a driver behind its own headless Service") {
  model::Stack stack = load("custom-app", "minikube");
  const Rendered r = render_ok(stack);
  const auto headless = manifest(r, "40-service-custom-app-jupyter-driver.yaml");
  CHECK(headless["spec"]["clusterIP"].as<std::string>() == "None");
  CHECK(headless["spec"]["selector"]["app.kubernetes.io/instance"].as<std::string>() ==
        "custom-app-jupyter");
  CHECK(port(headless, 7078)["name"].as<std::string>() == "driver-rpc");
  CHECK(port(headless, 7079)["name"].as<std::string>() == "blockmanager");

  const auto d = manifest(r, "50-deployment-custom-app-jupyter.yaml");
  const auto submit = env_var(d, "PYSPARK_SUBMIT_ARGS")["value"].as<std::string>();
  CHECK(submit.find("--conf spark.driver.host=custom-app-jupyter-driver.analytics.svc ") !=
        std::string::npos);
  CHECK(submit.find("--conf spark.driver.port=7078 ") != std::string::npos);
  CHECK(submit.find("--conf spark.driver.blockManager.port=7079 ") != std::string::npos);
  CHECK(submit.find("--conf spark.kubernetes.driver.pod.name=$(POD_NAME) ") != std::string::npos);
  CHECK(submit.ends_with(" pyspark-shell"));
  // kubelet expands $(POD_NAME) only from variables defined before the one that uses it.
  std::vector<std::string> names;
  for (const auto& e : container(d)["env"]) names.push_back(e["name"].as<std::string>());
  const auto at = [&](const std::string& n) { return std::find(names.begin(), names.end(), n); };
  CHECK(at("POD_NAME") < at("PYSPARK_SUBMIT_ARGS"));
  // A driver: credentials from the kubernetesSecret source, sized like one.
  const auto key = env_var(d, "AWS_ACCESS_KEY_ID")["valueFrom"]["secretKeyRef"];
  CHECK(key["name"].as<std::string>() == "aws-credentials");
  CHECK(key["key"].as<std::string>() == "access-key-id");
  CHECK(container(d)["resources"]["requests"]["memory"].as<std::string>() == "2432Mi");
  CHECK(port(manifest(r, "40-service-custom-app-jupyter.yaml"), 8888)["name"].as<std::string>() ==
        "http");
  // No rendered Secret: every spark.env key comes from an existing Kubernetes Secret.
  for (const auto& f : r.files) CHECK_FALSE(f.secret);
}

TEST_CASE("driver-like pods ask for the driver's memory plus its overhead") {
  model::Stack stack = load("custom-app", "eks");
  stack.spark.driver.memory = "3g";
  stack.spark.driver.memory_overhead = "1g";
  stack.spark.driver.cores = 2;
  const Rendered r = render_ok(stack);
  const auto c = container(manifest(r, "50-deployment-custom-app-jupyter.yaml"));
  CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "4096Mi");
  CHECK(c["resources"]["limits"]["memory"].as<std::string>() == "4096Mi");
  CHECK(c["resources"]["requests"]["cpu"].as<std::string>() == "2");
}

TEST_CASE("the history server serves event logs on its port") {
  const Rendered r = render_ok(load("custom-app", "eks"));
  CHECK(port(manifest(r, "40-service-custom-app-history-server.yaml"), 18080)["name"]
            .as<std::string>() == "http");
  const auto d = manifest(r, "50-deployment-custom-app-history-server.yaml");
  const auto c = container(d);
  for (const char* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
    INFO(probe);
    CHECK(c[probe]["httpGet"]["path"].as<std::string>() == "/");
    CHECK(c[probe]["httpGet"]["port"].as<int>() == 18080);
  }
  CHECK(env_var(d, "SPARK_HISTORY_OPTS")["value"].as<std::string>() ==
        "-Dspark.history.fs.logDirectory=s3a://analytics-spark-logs/events "
        "-Dspark.history.ui.port=18080");
  // IRSA: it runs as the spark ServiceAccount, which carries the role on EKS.
  CHECK(d["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>() == "spark");
  CHECK(manifest(
            r,
            "10-serviceaccount-spark.yaml")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
            .as<std::string>() == "${terraform.output.spark_role_arn}");
}

TEST_CASE("Kyuubi is a StatefulSet behind a headless and a normal Service") {
  const model::Stack stack = load("kyuubi-sql", "minikube");
  const Rendered r = render_ok(stack);
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  CHECK(sts["spec"]["serviceName"].as<std::string>() == "kyuubi-sql-kyuubi-headless");
  const auto headless = manifest(r, "40-service-kyuubi-sql-kyuubi-headless.yaml");
  CHECK(headless["spec"]["clusterIP"].as<std::string>() == "None");
  const auto service = manifest(r, "40-service-kyuubi-sql-kyuubi.yaml");
  CHECK(port(service, 10009)["name"].as<std::string>() == "thrift-binary");
  CHECK(port(service, 10010)["name"].as<std::string>() == "thrift-http");
  CHECK(port(service, 10099)["name"].as<std::string>() == "rest");
  CHECK(port(service, 10019)["name"].as<std::string>() == "metrics");
  const auto conf =
      manifest(r, "30-configmap-kyuubi-sql-kyuubi-conf.yaml")["data"]["kyuubi-defaults.conf"]
          .as<std::string>();
  CHECK(conf.find("\nkyuubi.engine.share.level=USER\n") != std::string::npos);
  CHECK(conf.find("\nkyuubi.frontend.thrift.binary.bind.port=10009\n") != std::string::npos);
  CHECK(conf.find("\nspark.submit.deployMode=client\n") != std::string::npos);
  // A StatefulSet's pod name is known in advance.
  CHECK(conf.find("\nspark.kubernetes.driver.pod.name=kyuubi-sql-kyuubi-0\n") != std::string::npos);
  const auto c = container(sts);
  CHECK(c["readinessProbe"]["tcpSocket"]["port"].as<int>() == 10009);
  CHECK(c["startupProbe"]["tcpSocket"]["port"].as<int>() == 10009);
  CHECK(c["resources"]["requests"]["memory"].as<std::string>() == "2432Mi");
  CHECK(annotation(sts, "checksum/kyuubi-config") == render::sha256_hex(conf));
  CHECK(annotation(sts, "checksum/config").size() == 64);
}

TEST_CASE("spark.env values from Vault or files go into a Secret the pods read key by key") {
  const model::Stack stack = load("kyuubi-sql", "eks");
  const Rendered r = render_ok(stack);
  const render::File* secret = nullptr;
  for (const auto& f : r.files)
    if (f.secret) secret = &f;
  REQUIRE(secret != nullptr);
  CHECK(secret->path == "targets/eks/kubernetes/31-secret-kyuubi-sql-spark-env.yaml");
  const auto d = YAML::Load(secret->data);
  CHECK(d["type"].as<std::string>() == "Opaque");
  // Values survive YAML byte for byte, whatever they contain.
  const auto values = env_values_for(stack);
  for (const auto& k : stack.spark_env.keys)
    CHECK(d["stringData"][k.name].as<std::string>() == values.at(k.key).reveal());
  const auto sts = manifest(r, "51-statefulset-kyuubi-sql-kyuubi.yaml");
  const auto ref = env_var(sts, "AWS_SECRET_ACCESS_KEY")["valueFrom"]["secretKeyRef"];
  CHECK(ref["name"].as<std::string>() == "kyuubi-sql-spark-env");
  CHECK(ref["key"].as<std::string>() == "AWS_SECRET_ACCESS_KEY");
  // Executors get them too, through the engines' configuration (':' escaped as in .properties).
  const auto conf =
      manifest(r, "30-configmap-kyuubi-sql-kyuubi-conf.yaml")["data"]["kyuubi-defaults.conf"]
          .as<std::string>();
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
  const auto conf =
      manifest(first, "30-configmap-kyuubi-sql-spark-defaults.yaml")["data"]["spark-defaults.conf"]
          .as<std::string>();
  CHECK(annotation(before, "checksum/config") == render::sha256_hex(conf));

  stack.spark.conf.emplace_back("spark.sql.ansi.enabled", "true");
  const auto changed_conf = manifest(render_ok(stack), sts);
  CHECK(annotation(changed_conf, "checksum/config") != annotation(before, "checksum/config"));
  CHECK(annotation(changed_conf, "checksum/secret") == annotation(before, "checksum/secret"));

  auto env = env_values_for(stack);
  env["aws_secret_access_key"] = Secret("rotated");
  const Rendered rotated = render_manifests(stack, render::Templates::builtin(), env);
  const auto changed_secret = manifest(rotated, sts);
  CHECK(annotation(changed_secret, "checksum/secret") !=
        annotation(changed_conf, "checksum/secret"));
  CHECK(annotation(changed_secret, "checksum/config") ==
        annotation(changed_conf, "checksum/config"));
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
