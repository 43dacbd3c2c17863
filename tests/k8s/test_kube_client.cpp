// The kube client against the project's real kube-apiserver (tests/k8s), run by
// kube_client_tests.sh, which prepares the kubeconfigs named below. kubectl from the same build
// ($H/bin/kubectl) is the independent client that confirms what the server stored. Every test
// works in its own namespace with a random suffix, deleted at the end.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <random>

#include "adapters/kube_client.hpp"
#include "adapters/process.hpp"

using namespace stackctl;
using namespace stackctl::kube;
using Catch::Matchers::Contains;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr)
    throw std::runtime_error(std::string(name) + " is not set: run through kube_client_tests.sh");
  return v;
}

std::string home() {
  return env("STACKCTL_K8S_HOME");
}
std::string work() {
  return env("STACKCTL_KUBE_TEST_DIR");
}

std::string suffix() {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 6; ++i) s.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[rd() % 36]);
  return s;
}

std::unique_ptr<Client> client_for(const std::string& kubeconfig, proc::Runner& runner) {
  ClientOptions o;
  o.connect.kubeconfig = kubeconfig;
  o.http.retries = 1;
  o.http.initial_backoff = std::chrono::milliseconds(50);
  auto c = make_client(o, real_ports(runner));
  if (!c) FAIL(c.error().message);
  return std::move(*c);
}

// kubectl as admin; its stdout, or the exit code and stderr in the failure.
struct Kubectl {
  proc::Runner& runner;
  proc::Result run(std::vector<std::string> args) {
    proc::Command c;
    c.argv = {home() + "/bin/kubectl", "--kubeconfig", home() + "/kubeconfig"};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    auto r = runner.run(c);
    REQUIRE(r);
    return *r;
  }
  std::string out(std::vector<std::string> args) {
    auto r = run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
};

Object config_map(const std::string& ns, const std::string& name, const std::string& value) {
  return Object{Json{{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", name}, {"namespace", ns}}},
                     {"data", {{"key", value}}}}};
}

int count_in(const std::string& file) {
  std::ifstream in(file);
  int n = 0;
  in >> n;
  return n;
}

// A namespace of the test's own, created by server-side apply and deleted at the end.
struct TestNamespace {
  Client& client;
  std::string name = "stackctl-kc-" + suffix();
  Resource resource{"", "v1", "Namespace", "namespaces", false};
  explicit TestNamespace(Client& c) : client(c) {
    Object ns{Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}};
    auto r = client.apply(resource, ns, {});
    if (!r) FAIL(describe(r.error(), ns.display()));
  }
  ~TestNamespace() { (void)client.remove(resource, "", name); }
};

}  // namespace

TEST_CASE("k8s: admin token, discovery, server-side apply, conflicts, dry run", "[k8s]") {
  auto runner = proc::make_runner();
  Kubectl kubectl{*runner};
  auto c = client_for(home() + "/kubeconfig", *runner);
  CHECK(c->user() == "admin");
  CHECK(c->default_namespace() == "default");

  auto deployments = c->resource_for({"apps", "v1", "Deployment"});
  REQUIRE(deployments);
  CHECK(deployments->name == "deployments");
  CHECK(deployments->namespaced);
  auto cluster_roles = c->resource_for({"rbac.authorization.k8s.io", "v1", "ClusterRole"});
  REQUIRE(cluster_roles);
  CHECK(cluster_roles->name == "clusterroles");
  CHECK_FALSE(cluster_roles->namespaced);
  auto config_maps = c->resource_for({"", "v1", "ConfigMap"});
  REQUIRE(config_maps);
  auto missing = c->resource_for({"apps", "v1", "NoSuchKind"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == Failure::Kind::not_found);

  // An empty version is the group's preferred one, as the server's /apis names it (kubectl
  // reads the same list): what deploy asks for the kinds an ApplySet parent lists.
  const Json groups = Json::parse(kubectl.out({"get", "--raw", "/apis"}));
  for (const char* group : {"apps", "rbac.authorization.k8s.io", "autoscaling", "batch"}) {
    std::string preferred;
    for (const auto& g : groups["groups"])
      if (g["name"] == group) preferred = g["preferredVersion"]["version"];
    REQUIRE_FALSE(preferred.empty());
    const std::string kind = std::string(group) == "apps"          ? "Deployment"
                             : std::string(group) == "autoscaling" ? "HorizontalPodAutoscaler"
                             : std::string(group) == "batch"       ? "Job"
                                                                   : "Role";
    auto r = c->resource_for({group, "", kind});
    REQUIRE(r);
    CHECK(r->version == preferred);
  }
  auto core = c->resource_for({"", "", "ConfigMap"});
  REQUIRE(core);
  CHECK(core->version == "v1");
  CHECK(core->name == "configmaps");
  auto no_group = c->resource_for({"example.invalid", "", "Widget"});
  REQUIRE_FALSE(no_group);
  CHECK_THAT(no_group.error().message, Contains("does not serve the API group example.invalid"));

  TestNamespace ns(*c);
  CHECK_THAT(kubectl.out({"get", "namespace", ns.name, "-o", "name"}), Contains(ns.name));

  SECTION("apply creates; the same apply again changes nothing") {
    auto first = c->apply(*config_maps, config_map(ns.name, "cm", "a"), {});
    REQUIRE(first);
    const std::string rv = (*first)["metadata"]["resourceVersion"];
    auto second = c->apply(*config_maps, config_map(ns.name, "cm", "a"), {});
    REQUIRE(second);
    CHECK((*second)["metadata"]["resourceVersion"] == rv);
    CHECK(kubectl.out({"get", "configmap", "cm", "-n", ns.name, "-o",
                       "jsonpath={.metadata.resourceVersion} {.data.key} "
                       "{.metadata.managedFields[0].manager}"}) == rv + " a stackctl");
    auto got = c->get(*config_maps, ns.name, "cm");
    REQUIRE(got);
    REQUIRE(got->has_value());
    auto listed = c->list(*config_maps, ns.name, {"", "metadata.name=cm"});
    REQUIRE(listed);
    CHECK((*listed)["items"].size() == 1);
  }
  SECTION("a field another manager owns is a 409 naming it; force takes it") {
    REQUIRE(c->apply(*config_maps, config_map(ns.name, "cm", "a"), {}));
    const std::string file = work() + "/other-" + ns.name + ".json";
    std::ofstream(file) << config_map(ns.name, "cm", "b").body.dump();
    kubectl.out(
        {"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", file});
    auto conflict = c->apply(*config_maps, config_map(ns.name, "cm", "a"), {});
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().kind == Failure::Kind::conflict);
    const std::string message = describe(conflict.error(), "ConfigMap " + ns.name + "/cm");
    CHECK_THAT(message, Contains("another field manager (\"other\"): .data.key") &&
                            Contains("--force-conflicts"));
    ApplyOptions force;
    force.force = true;
    REQUIRE(c->apply(*config_maps, config_map(ns.name, "cm", "a"), force));
    CHECK(kubectl.out({"get", "configmap", "cm", "-n", ns.name, "-o", "jsonpath={.data.key}"}) ==
          "a");
  }
  SECTION("dryRun=All answers with the object and stores nothing") {
    ApplyOptions dry;
    dry.dry_run = true;
    auto r = c->apply(*config_maps, config_map(ns.name, "dry", "x"), dry);
    REQUIRE(r);
    CHECK((*r)["data"]["key"] == "x");
    auto after = kubectl.run({"get", "configmap", "dry", "-n", ns.name});
    CHECK(after.exit_code != 0);
    CHECK_THAT(after.err, Contains("NotFound"));
    auto got = c->get(*config_maps, ns.name, "dry");
    REQUIRE(got);
    CHECK_FALSE(got->has_value());
  }
  SECTION("remove deletes; removing again is success") {
    REQUIRE(c->apply(*config_maps, config_map(ns.name, "bye", "x"), {}));
    REQUIRE(c->remove(*config_maps, ns.name, "bye"));
    REQUIRE(c->remove(*config_maps, ns.name, "bye"));
    CHECK(kubectl.run({"get", "configmap", "bye", "-n", ns.name}).exit_code != 0);
  }
}

TEST_CASE("k8s: a limited user's 403 names verb, resource and user", "[k8s]") {
  auto runner = proc::make_runner();
  auto admin = client_for(home() + "/kubeconfig", *runner);
  TestNamespace ns(*admin);
  auto limited = client_for(home() + "/kubeconfig-limited", *runner);
  const Resource cms{"", "v1", "ConfigMap", "configmaps", true};
  auto r = limited->apply(cms, config_map(ns.name, "cm", "a"), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == Failure::Kind::forbidden);
  CHECK_THAT(
      describe(r.error(), "ConfigMap " + ns.name + "/cm"),
      Contains("forbidden: user \"limited\" may not patch configmaps in namespace " + ns.name) &&
          Contains("kubectl auth can-i patch configmaps -n " + ns.name));
}

TEST_CASE("k8s: client certificate, token file, tls-server-name", "[k8s]") {
  auto runner = proc::make_runner();
  const Resource namespaces{"", "v1", "Namespace", "namespaces", false};
  for (const char* kc : {"kc-cert", "kc-tokenfile", "kc-tls-name"}) {
    INFO(kc);
    auto c = client_for(work() + "/" + kc, *runner);
    auto r = c->get(namespaces, "", "default");
    if (!r) FAIL(describe(r.error(), "Namespace default"));
    CHECK(r->has_value());
  }
  auto wrong = client_for(work() + "/kc-tls-wrong", *runner);
  auto r = wrong->get(namespaces, "", "default");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == Failure::Kind::network);
  CHECK_THAT(describe(r.error(), "Namespace default"), Contains("cannot reach the API server"));
}

TEST_CASE("k8s: an exec plugin runs once across requests, and again after a 401", "[k8s]") {
  auto runner = proc::make_runner();
  const Resource namespaces{"", "v1", "Namespace", "namespaces", false};
  {
    auto c = client_for(work() + "/kc-exec", *runner);
    for (int i = 0; i < 5; ++i) REQUIRE(c->get(namespaces, "", "default"));
    CHECK(count_in(work() + "/exec-count") == 1);
    std::ifstream info(work() + "/exec-count.info");
    std::string line;
    std::getline(info, line);
    CHECK_THAT(line, Contains("\"apiVersion\":\"client.authentication.k8s.io/v1\"") &&
                         Contains("\"interactive\":false"));
  }
  {
    auto c = client_for(work() + "/kc-exec-401", *runner);
    auto r = c->get(namespaces, "", "default");
    if (!r) FAIL(describe(r.error(), "Namespace default"));
    REQUIRE(c->get(namespaces, "", "default"));
    CHECK(count_in(work() + "/exec-401-count") == 2);
  }
}
