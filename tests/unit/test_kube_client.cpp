// The real kube::Client over a recording fake http::Client and a fake process runner: paths,
// query strings, headers, which requests may be repeated, the exec plugin's cache and its re-run
// after a 401, discovery and its cache, Status decoding and describe().
#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <map>

#include "adapters/kube_client.hpp"
#include "core/kube/kubeconfig.hpp"

using namespace stackctl;
using namespace stackctl::kube;
using Catch::Matchers::Contains;

namespace {

struct Exchange {
  http::Request request;
  http::Options options;  // of the client that sent it
};

// Answers from a queue per "METHOD path" (the last answer repeats); records every request.
struct FakeHttp {
  std::vector<Exchange> sent;
  std::map<std::string, std::deque<http::Response>> answers;
  int clients_made = 0;

  void answer(const std::string& key, long status, const std::string& body) {
    answers[key].push_back({status, {}, body, {}});
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& e : sent) out.push_back(e.request.method + " " + e.request.url);
    return out;
  }
};

class FakeHttpClient final : public http::Client {
 public:
  FakeHttpClient(FakeHttp& fake, http::Options o) : fake_(fake), options_(std::move(o)) {}
  std::expected<http::Response, http::Failure> send(const http::Request& r) override {
    fake_.sent.push_back({r, options_});
    std::string path = r.url.substr(std::string("https://k8s.test:6443").size());
    const std::string key = r.method + " " + path.substr(0, path.find('?'));
    auto it = fake_.answers.find(key);
    if (it == fake_.answers.end() || it->second.empty())
      return http::Response{
          404,
          {},
          R"({"kind":"Status","reason":"NotFound","code":404,"message":"no fake for )" + key +
              "\"}",
          {}};
    http::Response resp = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return resp;
  }
  std::expected<http::Response, http::Failure> download(const http::Request& r,
                                                        const std::filesystem::path&,
                                                        const http::Progress&) override {
    return send(r);
  }

 private:
  FakeHttp& fake_;
  http::Options options_;
};

class FakeRunner final : public proc::Runner {
 public:
  std::vector<proc::Command> runs;
  std::deque<std::string> outputs;  // the last repeats
  std::expected<proc::Result, proc::Failure> run(const proc::Command& c) override {
    runs.push_back(c);
    std::string out = outputs.front();
    if (outputs.size() > 1) outputs.pop_front();
    return proc::Result{0, out, ""};
  }
};

std::string exec_credential(const std::string& token, const std::string& expiry = "") {
  Json status = {{"token", token}};
  if (!expiry.empty()) status["expirationTimestamp"] = expiry;
  return Json{{"kind", "ExecCredential"},
              {"apiVersion", "client.authentication.k8s.io/v1beta1"},
              {"status", status}}
      .dump();
}

const char* kConfig = R"(clusters:
- name: c
  cluster:
    server: https://k8s.test:6443/
    certificate-authority-data: Q0EtUEVN
    tls-server-name: kubernetes
users:
- name: admin
  user: {token: static-token}
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/bin/aws
      args: [eks, get-token, --cluster-name, demo]
      provideClusterInfo: true
contexts:
- name: admin
  context: {cluster: c, user: admin, namespace: demo}
- name: eks
  context: {cluster: c, user: eks}
current-context: admin
)";

const char* kAppsV1 = R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
  {"name":"deployments","namespaced":true,"kind":"Deployment","verbs":["get","patch"]},
  {"name":"deployments/status","namespaced":true,"kind":"Deployment","verbs":["get"]}]})";
const char* kRbacV1 =
    R"({"kind":"APIResourceList","groupVersion":"rbac.authorization.k8s.io/v1","resources":[
  {"name":"clusterroles","namespaced":false,"kind":"ClusterRole","verbs":["get"]}]})";

struct World {
  FakeHttp http;
  FakeRunner runner;
  std::map<std::string, std::string> files{{"/k/config", kConfig}};
  std::chrono::system_clock::time_point now = std::chrono::system_clock::from_time_t(1796126400);

  std::unique_ptr<Client> client(const std::string& context = "", const std::string& cache = "-") {
    ClientPorts p;
    p.make_http = [this](const http::Options& o) {
      ++http.clients_made;
      return std::make_unique<FakeHttpClient>(http, o);
    };
    p.runner = &runner;
    p.host.getenv = [](const std::string&) { return std::optional<std::string>{}; };
    p.host.read_file = [this](const std::string& f) -> std::optional<std::string> {
      auto it = files.find(f);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    p.host.write_file = [this](const std::string& f, const std::string& d) {
      files[f] = d;
      return true;
    };
    p.host.find_executable = [](const std::string&) { return std::optional<std::string>{}; };
    p.host.now = [this] { return now; };
    ClientOptions o;
    o.connect = {"/k/config", context, ""};
    o.cache_dir = cache;
    auto c = make_client(o, std::move(p));
    REQUIRE(c);
    return std::move(*c);
  }
};

const Resource kDeployments{"apps", "v1", "Deployment", "deployments", true};
const Resource kNamespaces{"", "v1", "Namespace", "namespaces", false};

std::string header(const http::Request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "";
}

Object deployment() {
  return Object{Json::parse(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"demo"}})")};
}

}  // namespace

TEST_CASE("kube client: paths, queries and headers", "[kube]") {
  World w;
  w.http.answer("PATCH /apis/apps/v1/namespaces/demo/deployments/web", 200,
                R"({"kind":"Deployment"})");
  w.http.answer("GET /api/v1/namespaces/x", 404,
                R"({"kind":"Status","status":"Failure","reason":"NotFound","code":404})");
  w.http.answer("GET /apis/apps/v1/namespaces/demo/deployments", 200, R"({"items":[]})");
  w.http.answer("DELETE /apis/apps/v1/namespaces/demo/deployments/gone", 404, "{}");
  auto c = w.client();
  CHECK(c->server() == "https://k8s.test:6443");
  CHECK(c->user() == "admin");
  CHECK(c->default_namespace() == "demo");

  SECTION("server-side apply") {
    ApplyOptions o;
    o.force = true;
    o.dry_run = true;
    auto r = c->apply(kDeployments, deployment(), o);
    REQUIRE(r);
    const auto& req = w.http.sent.back().request;
    CHECK(req.method == "PATCH");
    CHECK(req.url ==
          "https://k8s.test:6443/apis/apps/v1/namespaces/demo/deployments/web"
          "?fieldManager=stackctl&fieldValidation=Strict&force=true&dryRun=All");
    CHECK(header(req, "Content-Type") == "application/apply-patch+yaml");
    CHECK(header(req, "Authorization") == "Bearer static-token");
    CHECK(req.idempotent == http::Idempotent::yes);
    CHECK(Json::parse(req.body) == deployment().body);
    const auto& opts = w.http.sent.back().options;
    CHECK(opts.ca_data == "CA-PEM");
    CHECK(opts.tls_server_name == "kubernetes");
  }
  SECTION("get of a missing object is nullopt; cluster-scoped paths have no namespace") {
    auto r = c->get(kNamespaces, "ignored", "x");
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
    CHECK(w.http.lines().back() == "GET https://k8s.test:6443/api/v1/namespaces/x");
  }
  SECTION("list escapes selectors") {
    auto r = c->list(kDeployments, "demo",
                     {"applyset.kubernetes.io/part-of=applyset-x", "metadata.name=a b"});
    REQUIRE(r);
    CHECK(w.http.lines().back() ==
          "GET https://k8s.test:6443/apis/apps/v1/namespaces/demo/deployments"
          "?labelSelector=applyset.kubernetes.io%2Fpart-of%3Dapplyset-x&fieldSelector=metadata."
          "name%3Da%20b");
  }
  SECTION("delete is background propagation; a 404 is success") {
    auto r = c->remove(kDeployments, "demo", "gone");
    REQUIRE(r);
    const auto& req = w.http.sent.back().request;
    CHECK(Json::parse(req.body)["propagationPolicy"] == "Background");
    CHECK(req.idempotent == http::Idempotent::by_method);
  }
  SECTION("an access review's POST may be repeated: it only asks") {
    w.http.answer("POST /apis/authorization.k8s.io/v1/subjectaccessreviews", 201,
                  R"({"status":{"allowed":true}})");
    auto r = c->create(
        {"authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false}, "",
        Json::object());
    REQUIRE(r);
    CHECK((*r)["status"]["allowed"] == true);
    CHECK(w.http.sent.back().request.idempotent == http::Idempotent::yes);
  }
  SECTION("any other create is a POST that is not marked idempotent") {
    w.http.answer("POST /apis/batch/v1/namespaces/demo/jobs", 201, R"({"kind":"Job"})");
    auto r = c->create({"batch", "v1", "Job", "jobs", true}, "demo", Json::object());
    REQUIRE(r);
    CHECK(w.http.sent.back().request.method == "POST");
    CHECK(w.http.sent.back().request.idempotent == http::Idempotent::by_method);
  }
  SECTION("logs") {
    w.http.answer("GET /api/v1/namespaces/demo/pods/p/log", 200, "a\nb\n");
    auto r = c->logs("demo", "p", "spark", true, 100);
    REQUIRE(r);
    CHECK(*r == "a\nb\n");
    CHECK(w.http.lines().back() ==
          "GET https://k8s.test:6443/api/v1/namespaces/demo/pods/p/log"
          "?container=spark&tailLines=100&previous=true");
  }
}

TEST_CASE("kube client: Status errors are decoded and described", "[kube]") {
  World w;
  auto c = w.client();
  SECTION("403 names the verb, resource and user") {
    w.http.answer("PATCH /apis/apps/v1/namespaces/demo/deployments/web", 403,
                  R"({"kind":"Status","status":"Failure",
      "message":"deployments.apps \"web\" is forbidden: User \"limited\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"demo\"",
      "reason":"Forbidden","details":{"name":"web","group":"apps","kind":"deployments"},"code":403})");
    auto r = c->apply(kDeployments, deployment(), {});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::forbidden);
    CHECK(r.error().reason == "Forbidden");
    const std::string m = describe(r.error(), "Deployment demo/web");
    CHECK_THAT(m, Contains("Deployment demo/web: forbidden: user \"limited\" may not patch "
                           "deployments in namespace demo on https://k8s.test:6443"));
    CHECK_THAT(m, Contains("kubectl auth can-i patch deployments -n demo"));
  }
  SECTION("409 FieldManagerConflict names the manager and the fields, and --force-conflicts") {
    w.http.answer("PATCH /apis/apps/v1/namespaces/demo/deployments/web", 409,
                  R"({"kind":"Status","status":"Failure",
      "message":"Apply failed with 2 conflicts","reason":"Conflict","code":409,"details":{"causes":[
      {"reason":"FieldManagerConflict","message":"conflict with \"helm\" using apps/v1","field":".spec.replicas"},
      {"reason":"FieldManagerConflict","message":"conflict with \"helm\" using apps/v1","field":".spec.template.spec.containers[name=\"web\"].image"}]}})");
    auto r = c->apply(kDeployments, deployment(), {});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::conflict);
    const std::string m = describe(r.error(), "Deployment demo/web");
    CHECK_THAT(m, Contains("another field manager (\"helm\"): .spec.replicas, "
                           ".spec.template.spec.containers[name=\"web\"].image"));
    CHECK_THAT(m, Contains("--force-conflicts"));
  }
  SECTION("401 without an exec plugin is not retried and says to fix credentials") {
    w.http.answer(
        "GET /api/v1/namespaces/x", 401,
        R"({"kind":"Status","reason":"Unauthorized","code":401,"message":"Unauthorized"})");
    auto r = c->get(kNamespaces, "", "x");
    REQUIRE_FALSE(r);
    CHECK(w.http.sent.size() == 1);
    CHECK_THAT(
        describe(r.error(), "Namespace x"),
        Contains("did not accept the credentials as user \"admin\" on https://k8s.test:6443") &&
            !Contains("static-token"));
  }
  SECTION("an answer that is not a Status still gives a message") {
    w.http.answer("GET /api/v1/namespaces/x", 500, "boom");
    auto r = c->get(kNamespaces, "", "x");
    REQUIRE_FALSE(r);
    CHECK(r.error().http_status == 500);
    CHECK_THAT(describe(r.error(), "Namespace x"), Contains("HTTP 500: boom"));
  }
}

TEST_CASE("kube client: exec plugin runs once, is cached, and re-runs once after a 401", "[kube]") {
  World w;
  w.runner.outputs = {exec_credential("first"), exec_credential("second")};
  w.http.answer("GET /api/v1/namespaces/a", 200, "{}");
  auto c = w.client("eks");
  REQUIRE(c->get(kNamespaces, "", "a"));
  REQUIRE(c->get(kNamespaces, "", "a"));
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(w.runner.runs.size() == 1);
  CHECK(header(w.http.sent.back().request, "Authorization") == "Bearer first");
  const auto& run = w.runner.runs.front();
  CHECK(run.argv ==
        std::vector<std::string>{"/usr/bin/aws", "eks", "get-token", "--cluster-name", "demo"});
  REQUIRE(run.env.back().first == "KUBERNETES_EXEC_INFO");
  const Json info = Json::parse(run.env.back().second);
  CHECK(info["apiVersion"] == "client.authentication.k8s.io/v1beta1");
  CHECK(info["spec"]["interactive"] == false);
  CHECK(info["spec"]["cluster"]["server"] == "https://k8s.test:6443/");
  CHECK(info["spec"]["cluster"]["certificate-authority-data"] == "Q0EtUEVN");

  SECTION("401: the plugin runs again once and the request is repeated with the new token") {
    w.http.answers["GET /api/v1/namespaces/b"] = {{401, {}, "{}", {}}, {200, {}, "{}", {}}};
    REQUIRE(c->get(kNamespaces, "", "b"));
    CHECK(w.runner.runs.size() == 2);
    CHECK(header(w.http.sent.back().request, "Authorization") == "Bearer second");
  }
  SECTION("a second 401 stands: no loop") {
    w.http.answer("GET /api/v1/namespaces/c", 401,
                  R"({"kind":"Status","reason":"Unauthorized","code":401})");
    auto r = c->get(kNamespaces, "", "c");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::unauthorized);
    CHECK(w.runner.runs.size() == 2);
  }
}

TEST_CASE("kube client: exec credentials expire", "[kube]") {
  World w;
  w.runner.outputs = {exec_credential("t1", "2026-12-01T12:10:00Z"), exec_credential("t2")};
  w.http.answer("GET /api/v1/namespaces/a", 200, "{}");
  auto c = w.client("eks");
  REQUIRE(c->get(kNamespaces, "", "a"));
  w.now += std::chrono::minutes(5);
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(w.runner.runs.size() == 1);
  w.now += std::chrono::minutes(6);
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(w.runner.runs.size() == 2);
  CHECK(header(w.http.sent.back().request, "Authorization") == "Bearer t2");
}

TEST_CASE("kube client: an exec plugin that is not installed", "[kube]") {
  World w;
  w.files["/k/config"] =
      std::string(kConfig).replace(std::string(kConfig).find("/usr/bin/aws"), 12, "aws");
  auto c = w.client("eks");
  auto r = c->get(kNamespaces, "", "a");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Contains("executable aws not found") &&
                                    Contains("install the AWS CLI") &&
                                    Contains("aws eks update-kubeconfig"));
  CHECK(w.http.sent.empty());
}

TEST_CASE("kube client: a token file is read at every request", "[kube]") {
  World w;
  w.files["/k/config"] = R"(clusters: [{name: c, cluster: {server: "https://k8s.test:6443"}}]
users: [{name: u, user: {tokenFile: tok}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
)";
  w.files["/k/tok"] = "one\n";
  w.http.answer("GET /api/v1/namespaces/a", 200, "{}");
  auto c = w.client();
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(header(w.http.sent.back().request, "Authorization") == "Bearer one");
  w.files["/k/tok"] = "two";
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(header(w.http.sent.back().request, "Authorization") == "Bearer two");
}

TEST_CASE("kube client: discovery maps kinds, caches in memory and on disk, refreshes once",
          "[kube]") {
  World w;
  w.http.answer("GET /apis/apps/v1", 200, kAppsV1);
  w.http.answer("GET /apis/rbac.authorization.k8s.io/v1", 200, kRbacV1);
  auto c = w.client("", "/cache");
  auto d = c->resource_for({"apps", "v1", "Deployment"});
  REQUIRE(d);
  CHECK(d->name == "deployments");  // not the status subresource
  CHECK(d->namespaced);
  auto cr = c->resource_for({"rbac.authorization.k8s.io", "v1", "ClusterRole"});
  REQUIRE(cr);
  CHECK_FALSE(cr->namespaced);
  REQUIRE(c->resource_for({"apps", "v1", "Deployment"}));
  CHECK(w.http.sent.size() == 2);  // memory
  CHECK(w.files.contains("/cache/k8s.test_6443/apps_v1.json"));

  SECTION("a new client reads the disk cache while it is fresh") {
    auto again = w.client("", "/cache");
    REQUIRE(again->resource_for({"apps", "v1", "Deployment"}));
    CHECK(w.http.sent.size() == 2);
    w.now += std::chrono::hours(7);
    auto later = w.client("", "/cache");
    REQUIRE(later->resource_for({"apps", "v1", "Deployment"}));
    CHECK(w.http.sent.size() == 3);  // older than 6 hours: fetched again
  }
  SECTION("a kind the cached list does not know refreshes it once") {
    auto r = c->resource_for({"apps", "v1", "StatefulSet"});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::not_found);
    CHECK_THAT(r.error().message, Contains("does not serve kind StatefulSet in apps/v1"));
    CHECK(w.http.sent.size() == 3);
  }
  SECTION("a group version the server does not serve") {
    auto r = c->resource_for({"apps", "v2", "Deployment"});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("does not serve the API group version apps/v2"));
  }
}

TEST_CASE("kube client: an empty version is the group's preferred one", "[kube]") {
  World w;
  // /apis lists autoscaling with v2beta2 preferred over v1; the kind is looked up there first.
  w.http.answer("GET /apis", 200, R"({"kind":"APIGroupList","groups":[
    {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],
     "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
    {"name":"autoscaling","versions":[{"groupVersion":"autoscaling/v1","version":"v1"},
       {"groupVersion":"autoscaling/v2beta2","version":"v2beta2"}],
     "preferredVersion":{"groupVersion":"autoscaling/v2beta2","version":"v2beta2"}}]})");
  w.http.answer("GET /api", 200, R"({"kind":"APIVersions","versions":["v1"]})");
  w.http.answer("GET /apis/apps/v1", 200, kAppsV1);
  w.http.answer("GET /apis/autoscaling/v2beta2", 200, R"({"kind":"APIResourceList","resources":[
    {"name":"horizontalpodautoscalers","namespaced":true,"kind":"HorizontalPodAutoscaler"}]})");
  w.http.answer("GET /apis/autoscaling/v1", 200, R"({"kind":"APIResourceList","resources":[
    {"name":"horizontalpodautoscalers","namespaced":true,"kind":"HorizontalPodAutoscaler"},
    {"name":"onlyinv1s","namespaced":true,"kind":"OnlyInV1"}]})");
  w.http.answer("GET /api/v1", 200, R"({"kind":"APIResourceList","resources":[
    {"name":"configmaps","namespaced":true,"kind":"ConfigMap"}]})");
  auto c = w.client("", "/cache");

  auto d = c->resource_for({"apps", "", "Deployment"});
  REQUIRE(d);
  CHECK(d->version == "v1");
  CHECK(d->name == "deployments");
  auto hpa = c->resource_for({"autoscaling", "", "HorizontalPodAutoscaler"});
  REQUIRE(hpa);
  CHECK(hpa->version == "v2beta2");  // the preferred version, not the first listed
  auto v1_only = c->resource_for({"autoscaling", "", "OnlyInV1"});
  REQUIRE(v1_only);
  CHECK(v1_only->version == "v1");  // not in the preferred version: the next one that has it
  auto cm = c->resource_for({"", "", "ConfigMap"});
  REQUIRE(cm);
  CHECK(cm->version == "v1");
  CHECK(cm->group.empty());
  // /apis and /api once each (memory), and kept on disk like kubectl's servergroups.json.
  const auto lines = w.http.lines();
  CHECK(std::count(lines.begin(), lines.end(), "GET https://k8s.test:6443/apis") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "GET https://k8s.test:6443/api") == 1);
  CHECK(w.files.contains("/cache/k8s.test_6443/servergroups.json"));

  SECTION("a group the server does not serve") {
    auto r = c->resource_for({"example.com", "", "Widget"});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::not_found);
    CHECK_THAT(r.error().message, Contains("does not serve the API group example.com"));
  }
  SECTION("a kind no version of the group serves") {
    auto r = c->resource_for({"apps", "", "NoSuchKind"});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == Failure::Kind::not_found);
    CHECK_THAT(r.error().message, Contains("does not serve kind NoSuchKind in apps (any version)"));
  }
  SECTION("a new client reads the group list from the disk cache") {
    auto again = w.client("", "/cache");
    const auto before = w.http.sent.size();
    REQUIRE(again->resource_for({"apps", "", "Deployment"}));
    CHECK(w.http.sent.size() == before);
  }
}

TEST_CASE("kube client: an exec plugin's client certificate goes to a new HTTP client", "[kube]") {
  World w;
  const Json answer = {
      {"kind", "ExecCredential"},
      {"apiVersion", "client.authentication.k8s.io/v1beta1"},
      {"status", {{"clientCertificateData", "CERT-PEM"}, {"clientKeyData", "KEY-PEM"}}}};
  w.runner.outputs = {answer.dump()};
  w.http.answer("GET /api/v1/namespaces/a", 200, "{}");
  auto c = w.client("eks");
  REQUIRE(c->get(kNamespaces, "", "a"));
  REQUIRE(c->get(kNamespaces, "", "a"));
  CHECK(w.http.clients_made == 1);
  const auto& sent = w.http.sent.back();
  CHECK(sent.options.client_cert_data == "CERT-PEM");
  CHECK(sent.options.client_key_data.reveal() == "KEY-PEM");
  CHECK(header(sent.request, "Authorization").empty());
}
