// check --cluster over the recording kube fake: the pods and ConfigMaps read (two LISTs per
// namespace), the target's objects rendered as deploy would apply them, and the SL rules over
// them with image labels as the registry would give them.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "app/check_cluster.hpp"
#include "cli/deploy_inputs.hpp"
#include "cli/exit_codes.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check_cluster.hpp"
#include "core/stack/loader.hpp"
#include "kube_fake.hpp"

using namespace stackctl;
using kube::Json;

namespace {

const std::string kStack = std::string(STACKCTL_SOURCE_DIR) + "/stacks/spark-connect.stack.yaml";
const std::string kRepo = "registry.example.com/data-platform/";
const std::string kTag = "spark-4.0.1-uc-0.3.1-fix-v4";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Platform {
  model::Stack stack;
  std::vector<kube::Object> intended;
};

// The shipped stack's minikube target, rendered with a lock that pins the Connect image.
Platform render_minikube(const lock::Lock& lock) {
  Diagnostics d;
  auto base = load_stack(slurp(kStack), {kStack, "", &catalog::builtin_catalog()}, d);
  auto stack = load_stack(slurp(kStack), {kStack, "minikube", &catalog::builtin_catalog()}, d);
  REQUIRE(base);
  REQUIRE(stack);
  std::ostringstream out, err;
  cli::Context ctx{{}, out, err};
  cli::DeployInputs in;
  in.lock = &lock;
  in.delivery = stack->image_delivery(*stack->find_target("minikube"));
  in.pins = cli::Pins::optional;
  auto objects = cli::rendered_objects(ctx, *base, *stack, catalog::builtin_catalog(), kStack, in);
  INFO(err.str());
  REQUIRE(objects);
  return {std::move(*stack), std::move(*objects)};
}

const kube::Object& find(const std::vector<kube::Object>& objects, const std::string& kind,
                         const std::string& name) {
  for (const auto& o : objects)
    if (o.kind() == kind && o.name() == name) return o;
  FAIL("no " << kind << " " << name);
  throw;
}

// A pod as the Deployment's ReplicaSet would make it, running `image` (imageID: `running`).
Json pod_of(const kube::Object& deployment, const std::string& name, const std::string& image,
            const std::string& running) {
  const Json& tpl = deployment.body["spec"]["template"];
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", "spark"}, {"labels", tpl["metadata"]["labels"]}}},
      {"spec", tpl["spec"]}};
  pod["spec"]["containers"][0]["image"] = image;
  pod["status"] = {
      {"phase", "Running"},
      {"containerStatuses", Json::array({{{"name", tpl["spec"]["containers"][0]["name"]},
                                          {"image", image},
                                          {"imageID", running}}})}};
  return pod;
}

std::map<std::string, std::string> labels(const std::string& image, const std::string& spark,
                                          const std::string& python, const std::string& pyspark) {
  return {{"io.stackctl.stack", "spark-connect"},    {"io.stackctl.image", image},
          {"io.stackctl.versions.spark", spark},     {"io.stackctl.versions.scala", "2.13"},
          {"io.stackctl.versions.java", "17"},       {"io.stackctl.versions.python", python},
          {"io.stackctl.versions.hadoop", "3.4.1"},  {"io.stackctl.versions.aws-sdk", "2.24.6"},
          {"io.stackctl.versions.pyspark", pyspark}, {"org.opencontainers.image.version", kTag}};
}

std::vector<std::string> codes(const std::vector<check::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.diag.code);
  return out;
}

const std::string kDigest = "sha256:" + std::string(64, 'a');
const std::string kOther = "sha256:" + std::string(64, 'b');

lock::Lock pinned_connect() {
  lock::Lock lock;
  lock.images.push_back({"spark-connect", kRepo + "spark-connect:" + kTag, "", kDigest});
  return lock;
}

}  // namespace

TEST_CASE("check --cluster: a platform as the stack renders it has no finding",
          "[check][cluster]") {
  const Platform p = render_minikube(pinned_connect());
  const auto& connect = find(p.intended, "Deployment", "spark-connect-connect");
  const std::string pinned = kRepo + "spark-connect@" + kDigest;  // render's pinned reference
  REQUIRE(connect.body["spec"]["template"]["spec"]["containers"][0]["image"] == pinned);

  testing::KubeFake k;
  k.put(pod_of(connect, "connect-1", pinned,
               "docker-pullable://" + kRepo + "spark-connect@" + kDigest));
  k.put(find(p.intended, "ConfigMap", "spark-connect-spark-defaults").body);
  auto live = app::read_cluster({"spark"}, k);
  REQUIRE(live);
  CHECK(k.requests == std::vector<std::string>{"LIST Pod spark", "LIST ConfigMap spark"});
  CHECK(live->pods.size() == 1);
  CHECK(check_cluster::running_stack_images(p.stack, *live) == std::vector<std::string>{pinned});
  std::map<std::string, check_cluster::ImageLabels> l;
  l[pinned] = {true, "", labels("spark-connect", "4.0.1", "3.11", "4.0.1")};
  const auto findings = check_cluster::check_cluster(p.stack, p.intended, *live, l);
  for (const auto& f : findings) INFO(f.diag.message);
  CHECK(findings.empty());
}

TEST_CASE("check --cluster: another image, a hand-edited ConfigMap, mismatched labels",
          "[check][cluster]") {
  const Platform p = render_minikube(pinned_connect());
  const auto& connect = find(p.intended, "Deployment", "spark-connect-connect");
  const auto& marimo = find(p.intended, "Deployment", "spark-connect-marimo");
  const std::string pinned = kRepo + "spark-connect@" + kDigest;  // render's pinned reference
  const std::string old_tag = kRepo + "spark-connect:spark-4.0.0-uc-0.3.1-fix-v3";
  const std::string notebook = kRepo + "notebook:" + kTag;
  const std::string executor = kRepo + "spark-base:" + kTag;

  testing::KubeFake k;
  // One Connect pod on an older tag, one on the pinned reference but another digest.
  k.put(pod_of(connect, "connect-old", old_tag, ""));
  k.put(pod_of(connect, "connect-new", pinned, "docker-pullable://x@" + kOther));
  k.put(pod_of(marimo, "marimo-1", notebook, ""));
  Json exec = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "exec-1"}, {"namespace", "spark"}}},
      {"spec", {{"containers", Json::array({{{"name", "executor"}, {"image", executor}}})}}}};
  k.put(exec);
  // The spark-defaults ConfigMap edited by hand: 3 executors, and a key the stack does not set.
  Json cm = find(p.intended, "ConfigMap", "spark-connect-spark-defaults").body;
  std::string conf = cm["data"]["spark-defaults.conf"];
  conf.replace(conf.find("spark.executor.instances 1"), 26, "spark.executor.instances 3");
  cm["data"]["spark-defaults.conf"] = conf + "spark.speculation true\n";
  k.put(cm);
  auto live = app::read_cluster({"spark"}, k);
  REQUIRE(live);

  std::map<std::string, check_cluster::ImageLabels> l;
  l[old_tag] = {true, "", labels("spark-connect", "4.0.1", "3.11", "4.0.1")};
  l[pinned] = l[old_tag];
  l[notebook] = {true, "", labels("notebook", "4.0.1", "3.12.1", "3.5.7")};
  l[executor] = {false, "registry.example.com: could not resolve host", {}};
  const auto findings = check_cluster::check_cluster(p.stack, p.intended, *live, l);
  CHECK(codes(findings) ==
        std::vector<std::string>{"SL001", "SL001", "SL002", "SL002", "SL003", "SL004", "SL005"});
  // Pods are read in name order.
  CHECK(findings[0].diag.message ==
        "Pod spark/connect-new container spark-connect (Deployment spark/spark-connect-connect) "
        "runs digest " +
            kOther + " (status imageID docker-pullable://x@" + kOther + "); stack.lock records " +
            kDigest);
  CHECK(findings[1].diag.message ==
        "Pod spark/connect-old container spark-connect (Deployment spark/spark-connect-connect) "
        "runs " +
            old_tag + "; the stack and stack.lock say " + pinned);
  CHECK(findings[1].diag.path == "images[1].tag");
  CHECK(findings[2].diag.message ==
        "ConfigMap spark/spark-connect-spark-defaults spark-defaults.conf: "
        "spark.executor.instances is 3 on the cluster; the stack renders 1");
  CHECK(findings[2].diag.path == "spark.executor.instances");
  CHECK(findings[2].diag.loc.line > 0);  // the target's override, located
  CHECK(findings[3].diag.message ==
        "ConfigMap spark/spark-connect-spark-defaults spark-defaults.conf: spark.speculation true "
        "is set on the cluster; the stack does not set it");
  CHECK(findings[4].diag.message == "notebook image " + notebook +
                                        " runs PySpark 3.5.7 but the Connect server's image " +
                                        old_tag + " is Spark 4.0.1");
  CHECK(findings[5].diag.message.find(notebook + " Python 3.12") != std::string::npos);
  CHECK(findings[5].diag.message.find(pinned + " Python 3.11") != std::string::npos);
  CHECK(findings[6].diag.severity == Severity::warning);
  CHECK(findings[6].diag.message ==
        "the labels of running image " + executor +
            " could not be read: registry.example.com: could not resolve host");

  // A ConfigMap that is not there at all.
  testing::KubeFake empty;
  live = app::read_cluster({"spark"}, empty);
  REQUIRE(live);
  const auto missing = check_cluster::check_cluster(p.stack, p.intended, *live, {});
  CHECK(codes(missing) == std::vector<std::string>{"SL002"});
  CHECK(missing[0].diag.message ==
        "ConfigMap spark/spark-connect-spark-defaults is not on the cluster (the stack renders "
        "it)");
}

TEST_CASE("check --cluster: what cannot be read fails the check, named", "[check][cluster]") {
  testing::KubeFake k;
  k.fail_at("LIST ConfigMap", 1,
            {kube::Failure::Kind::forbidden,
             403,
             "Forbidden",
             "configmaps is forbidden: User \"dev\" cannot list resource \"configmaps\"",
             {},
             "",
             ""});
  auto live = app::read_cluster({"spark"}, k);
  REQUIRE_FALSE(live);
  CHECK(live.error().message.find("ConfigMap in spark") != std::string::npos);
  INFO(live.error().message);
  CHECK(live.error().message.find("forbidden") != std::string::npos);
}
