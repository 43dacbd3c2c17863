// deploy's executor against the recording fake: order, idempotence, pruning, crash safety at
// every step, conflicts, dry run, diff, and the explained wait.
#include <algorithm>
#include <catch2/catch.hpp>

#include "app/deploy.hpp"
#include "core/deploy/applyset.hpp"
#include "kube_fake.hpp"

using namespace stackctl;
using kube::Json;
using kube::Object;
using testing::KubeFake;

namespace {

Object obj(const std::string& api, const std::string& kind, const std::string& name,
           Json extra = Json::object()) {
  Json b = {
      {"apiVersion", api}, {"kind", kind}, {"metadata", {{"name", name}, {"namespace", "demo"}}}};
  if (kind == "Namespace") b["metadata"].erase("namespace");
  for (auto& [k, v] : extra.items()) b[k] = v;
  return Object{b};
}

Object workload(const std::string& kind, const std::string& name) {
  return obj(
      "apps/v1", kind, name,
      {{"spec",
        {{"replicas", 1},
         {"selector", {{"matchLabels", {{"app", name}}}}},
         {"template",
          {{"metadata", {{"labels", {{"app", name}}}}},
           {"spec",
            {{"containers", Json::array({{{"name", "main"}, {"image", "img@sha256:1"}}})}}}}}}}});
}

// A stack's objects as render gives them, shuffled out of order; Kyuubi's three optional.
std::vector<Object> stack_objects(bool kyuubi, const std::string& conf = "a=1") {
  std::vector<Object> out = {
      workload("Deployment", "demo-connect"),
      obj("v1", "Service", "demo-connect"),
      obj("v1", "ConfigMap", "demo-spark-defaults", {{"data", {{"spark-defaults.conf", conf}}}}),
      obj("v1", "Secret", "demo-spark-env", {{"stringData", {{"TOKEN", "s3cr3t"}}}}),
      obj("rbac.authorization.k8s.io/v1", "RoleBinding", "spark"),
      obj("rbac.authorization.k8s.io/v1", "Role", "spark"),
      obj("v1", "ServiceAccount", "spark"),
      obj("v1", "Namespace", "demo"),
  };
  if (kyuubi) {
    out.push_back(workload("StatefulSet", "demo-kyuubi"));
    out.push_back(obj("v1", "Service", "demo-kyuubi"));
    out.push_back(obj("v1", "ConfigMap", "demo-kyuubi-conf"));
  }
  return out;
}

// Controllers, as far as rollout status looks: every workload becomes ready at once.
void roll_out(Json& o) {
  const std::string kind = o.value("kind", "");
  if (kind != "Deployment" && kind != "StatefulSet") return;
  const auto g = o["metadata"].value("generation", 1);
  o["status"] = {{"observedGeneration", g}, {"replicas", 1},      {"updatedReplicas", 1},
                 {"availableReplicas", 1},  {"readyReplicas", 1}, {"currentRevision", "r"},
                 {"updateRevision", "r"}};
}

app::DeployRequest request(std::vector<Object> objects) {
  app::DeployRequest r;
  r.stack = "demo";
  r.ns = "demo";
  r.objects = std::move(objects);
  r.tooling = "stackctl/0.1.0";
  r.timeout = std::chrono::seconds(30);
  r.poll = std::chrono::seconds(2);
  return r;
}

struct Harness {
  KubeFake kube;
  testing::FakeDeployClock clock;
  testing::RecordingProgress progress;
  Harness() { kube.on_apply = roll_out; }
  std::expected<app::DeployResult, app::DeployError> run(const app::DeployRequest& r) {
    return app::deploy(r, kube, clock, progress);
  }
};

std::vector<std::string> applies(const KubeFake& k) {
  std::vector<std::string> out;
  for (const auto& r : k.requests)
    if (r.starts_with("APPLY ")) out.push_back(r.substr(6));
  return out;
}

std::vector<std::string> actions(const app::DeployResult& r) {
  std::vector<std::string> out;
  for (const auto& o : r.objects) out.push_back(app::to_string(o.action) + " " + o.object);
  return out;
}

const std::string kId = deploy::applyset_id("demo-applyset", "demo", "Secret", "");

}  // namespace

TEST_CASE("first deploy creates every object in order, labelled, and rolls out", "[app-deploy]") {
  Harness h;
  auto one_at_a_time = request(stack_objects(true));
  one_at_a_time.parallel = 1;  // the exact order of the requests (waves: the next test)
  auto r = h.run(one_at_a_time);
  REQUIRE(r);
  CHECK(applies(h.kube) ==
        std::vector<std::string>{"Namespace demo",
                                 "Secret demo/demo-applyset",  // widen (the parent is created)
                                 "ServiceAccount demo/spark", "Role demo/spark",
                                 "RoleBinding demo/spark", "ConfigMap demo/demo-spark-defaults",
                                 "ConfigMap demo/demo-kyuubi-conf", "Secret demo/demo-spark-env",
                                 "Service demo/demo-connect", "Service demo/demo-kyuubi",
                                 "Deployment demo/demo-connect", "StatefulSet demo/demo-kyuubi",
                                 // the record of what was applied (resourceVersions, digests)
                                 "Secret demo/demo-applyset"});
  for (const auto& a : actions(*r)) CHECK(a.starts_with("create "));
  const auto cm = h.kube.find("ConfigMap", "demo", "demo-spark-defaults");
  REQUIRE(cm);
  CHECK((*cm)["metadata"]["labels"][deploy::kPartOfLabel] == kId);
  const auto parent = h.kube.find("Secret", "demo", "demo-applyset");
  REQUIRE(parent);
  CHECK((*parent)["metadata"]["annotations"][deploy::kGroupKindsAnnotation] ==
        "ConfigMap.,Deployment.apps,Role.rbac.authorization.k8s.io,RoleBinding.rbac.authorization."
        "k8s.io,Secret.,Service.,ServiceAccount.,StatefulSet.apps");
  // The Namespace is not a member: pruning it would take the parent with it.
  CHECK_FALSE((*h.kube.find("Namespace", "", "demo"))["metadata"].contains("labels"));
  REQUIRE(r->workloads.size() == 2);
  CHECK(r->workloads[0].progress.state == deploy::Rollout::State::done);
  CHECK(r->applyset_id == kId);
}

namespace {

// The stack with `n` more Deployments (notebooks): one wave of n + 1 Deployments. Each
// workload's pod template carries the config's checksum, as render's do, so a changed `conf`
// changes every workload.
std::vector<Object> with_notebooks(int n, const std::string& conf = "a=1") {
  auto out = stack_objects(true, conf);
  for (int i = 0; i < n; ++i) out.push_back(workload("Deployment", "nb" + std::to_string(i)));
  for (auto& o : out)
    if (o.kind() == "Deployment" || o.kind() == "StatefulSet")
      o.body["spec"]["template"]["metadata"]["annotations"]["checksum/config"] = conf;
  return out;
}

// Position of the first and last request of `kind` in the log.
std::pair<std::size_t, std::size_t> span_of(const std::vector<std::string>& log,
                                            const std::string& prefix) {
  std::size_t first = log.size(), last = 0;
  for (std::size_t i = 0; i < log.size(); ++i)
    if (log[i].starts_with(prefix)) first = std::min(first, i), last = i;
  return {first, last};
}

}  // namespace

TEST_CASE("applies run concurrently within a wave, waves one after another", "[app-deploy]") {
  for (const int parallel : {1, 4, 8}) {
    CAPTURE(parallel);
    Harness h;
    h.kube.hold_first(parallel);
    auto req = request(with_notebooks(12));
    req.parallel = parallel;
    auto r = h.run(req);
    REQUIRE(r);
    // The bound is reached and never passed (the fake holds the first `parallel` until one more
    // arrives, which a bounded deploy never sends).
    CHECK(h.kube.max_in_flight == parallel);
    // Every wave ends before the next starts: kinds in apply order, the parent around them.
    const auto log = applies(h.kube);
    const std::vector<std::string> kinds = {
        "ServiceAccount", "Role ",      "RoleBinding", "ConfigMap", "Secret demo/demo-spark-env",
        "Service ",       "Deployment", "StatefulSet"};
    for (std::size_t k = 0; k + 1 < kinds.size(); ++k) {
      CAPTURE(kinds[k]);
      CHECK(span_of(log, kinds[k]).second < span_of(log, kinds[k + 1]).first);
    }
    CHECK(span_of(log, "Deployment").second - span_of(log, "Deployment").first == 12);
    CHECK(log.front() == "Namespace demo");
    CHECK(log[1] == "Secret demo/demo-applyset");  // widened before any member
    CHECK(log.back() == "Secret demo/demo-applyset");
    // The result reads in apply order whatever order the answers came in.
    std::vector<std::string> names;
    for (const auto& o : r->objects)
      if (o.object.starts_with("Deployment ")) names.push_back(o.object);
    std::vector<std::string> want = {"Deployment demo/demo-connect"};
    for (int i = 0; i < 12; ++i) want.push_back("Deployment demo/nb" + std::to_string(i));
    CHECK(names == want);
    // And a second deploy is still a no-op (the Namespace aside, applied each time as before):
    // the record holds every concurrent answer.
    h.kube.requests.clear();
    REQUIRE(h.run(req));
    CHECK(applies(h.kube) == std::vector<std::string>{"Namespace demo"});
  }
}

TEST_CASE("a failed apply in a wave: the others finish, nothing after it starts, all named",
          "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(with_notebooks(12))));
  h.kube.requests.clear();
  // Kyuubi's StatefulSet dropped, so a completed deploy would prune it; the changed config makes
  // every Deployment (and the ConfigMap) an apply.
  auto objects = with_notebooks(12, "a=2");
  std::erase_if(objects, [](const Object& o) { return o.name() == "demo-kyuubi"; });
  // The first four Deployments are all in flight before any answers; the 2nd and 3rd to reach
  // the server fail.
  h.kube.hold_first(4);
  h.kube.fail_at("APPLY Deployment", 2);
  h.kube.fail_at("APPLY Deployment", 3,
                 testing::make_failure(kube::Failure::Kind::forbidden, 403, "Forbidden",
                                       "deployments.apps is forbidden (injected)"));
  auto req = request(objects);
  req.parallel = 4;
  auto r = h.run(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::api);
  // Both failures are named, each with its object, in apply order.
  const std::string& m = r.error().message;
  CHECK(m.find("connection reset by peer (injected)") != std::string::npos);
  CHECK(m.find("forbidden (injected)") != std::string::npos);
  CHECK(std::count(m.begin(), m.end(), '\n') >= 1);
  // Nothing after the failed wave: no StatefulSet, no prune, no narrowing, no record.
  CHECK(h.kube.count("DELETE") == 0);
  CHECK(span_of(h.kube.requests, "APPLY Secret demo/demo-applyset").first ==
        h.kube.requests.size());
  // What was applied is in the result; a failed or unstarted one is not.
  for (const auto& o : r.error().result.objects) CHECK(o.action != app::Action::prune);
  // A rerun converges: the Kyuubi objects pruned, everything else applied.
  h.kube.requests.clear();
  auto again = h.run(req);
  REQUIRE(again);
  CHECK_FALSE(h.kube.find("StatefulSet", "demo", "demo-kyuubi"));
  CHECK(h.kube.find("Deployment", "demo", "nb11"));
}

TEST_CASE("one at a time, nothing starts after a failed apply", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(with_notebooks(12))));
  h.kube.requests.clear();
  h.kube.fail_at("APPLY Deployment", 3);
  auto req = request(with_notebooks(12, "a=2"));
  req.parallel = 1;
  auto r = h.run(req);
  REQUIRE_FALSE(r);
  CHECK(h.kube.count("APPLY Deployment") == 3);
  CHECK(h.kube.count("APPLY StatefulSet") == 0);
  // The two before it are in the result as updated.
  std::size_t updated = 0;
  for (const auto& o : r.error().result.objects)
    updated += o.object.starts_with("Deployment ") && o.action == app::Action::update ? 1 : 0;
  CHECK(updated == 2);
}

TEST_CASE("a second deploy changes nothing", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(true))));
  const auto before = h.kube.snapshot();
  h.kube.requests.clear();
  auto r = h.run(request(stack_objects(true)));
  REQUIRE(r);
  CHECK(h.kube.snapshot() == before);
  for (const auto& a : actions(*r)) CHECK(a.starts_with("unchanged "));
  CHECK(h.kube.count("DELETE") == 0);
  // The parent is read, not rewritten.
  CHECK(std::count(h.kube.requests.begin(), h.kube.requests.end(),
                   "APPLY Secret demo/demo-applyset") == 0);
}

TEST_CASE("a second deploy sends no apply for members nobody wrote since", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(true))));
  h.kube.requests.clear();
  auto r = h.run(request(stack_objects(true)));
  REQUIRE(r);
  // Only the Namespace (not a member, applied as before): no member, and no parent write.
  CHECK(applies(h.kube) == std::vector<std::string>{"Namespace demo"});
  for (const auto& a : actions(*r)) CHECK(a.starts_with("unchanged "));

  SECTION("a member written since without touching stackctl's fields is not applied") {
    // A controller's status update: a new resourceVersion, stackctl's managedFields entry as
    // the apply left it.
    h.kube.touch("Deployment", "demo", "demo-connect");
    h.kube.touch("ConfigMap", "demo", "demo-spark-defaults");
    h.kube.requests.clear();
    auto again = h.run(request(stack_objects(true)));
    REQUIRE(again);
    CHECK(applies(h.kube) == std::vector<std::string>{"Namespace demo"});
    for (const auto& a : actions(*again)) CHECK(a.starts_with("unchanged "));
  }
  SECTION("a member whose stackctl fields someone changed since is applied again, and only it") {
    // As `kubectl edit` of a field stackctl owns does: the apply answers unchanged (here), so
    // the record is not rewritten (a no-op deploy writes nothing) and the member is applied on
    // each deploy until a change of the members rewrites the record.
    h.kube.edit_owned("ConfigMap", "demo", "demo-spark-defaults");
    for (int i = 0; i < 2; ++i) {
      h.kube.requests.clear();
      auto again = h.run(request(stack_objects(true)));
      REQUIRE(again);
      CHECK(applies(h.kube) ==
            std::vector<std::string>{"Namespace demo", "ConfigMap demo/demo-spark-defaults"});
      for (const auto& a : actions(*again)) CHECK(a.starts_with("unchanged "));
    }
    auto objects = stack_objects(true);
    for (auto& o : objects)
      if (o.name() == "demo-connect" && o.kind() == "Service")
        o.body["metadata"]["labels"]["x"] = "1";
    REQUIRE(h.run(request(objects)));
    h.kube.requests.clear();
    REQUIRE(h.run(request(objects)));
    CHECK(applies(h.kube) == std::vector<std::string>{"Namespace demo"});
  }
  SECTION("a changed intent is applied even when nobody wrote the object") {
    auto objects = stack_objects(true);
    for (auto& o : objects)
      if (o.name() == "demo-spark-defaults") o.body["data"]["extra"] = "1";
    h.kube.requests.clear();
    REQUIRE(h.run(request(objects)));
    CHECK(applies(h.kube) == std::vector<std::string>{"Namespace demo",
                                                      "ConfigMap demo/demo-spark-defaults",
                                                      "Secret demo/demo-applyset"});
    CHECK((*h.kube.find("ConfigMap", "demo", "demo-spark-defaults"))["data"]["extra"] == "1");
  }
  SECTION("--force-conflicts, a dry run and a diff always ask the server") {
    auto forced = request(stack_objects(true));
    forced.force_conflicts = true;
    h.kube.requests.clear();
    REQUIRE(h.run(forced));
    CHECK(applies(h.kube).size() == 11);  // the Namespace and the 10 members
    auto dry = request(stack_objects(true));
    dry.dry_run = true;
    h.kube.requests.clear();
    REQUIRE(h.run(dry));
    CHECK(h.kube.count("DRYRUN") == 11);
  }
  SECTION("a record of the earlier form (no fields digest) still skips by resourceVersion") {
    auto parent = *h.kube.find("Secret", "demo", "demo-applyset");
    auto record = kube::Json::parse(
        parent["metadata"]["annotations"]["stackctl.io/applied"].get<std::string>());
    for (auto& [member, entry] : record.items()) {
      REQUIRE(entry.size() == 3);
      CHECK(entry[2].get<std::string>().size() == 32);
      entry.erase(2);
    }
    parent["metadata"]["annotations"]["stackctl.io/applied"] = record.dump();
    h.kube.put(parent);
    h.kube.touch("ConfigMap", "demo", "demo-spark-defaults");
    h.kube.requests.clear();
    REQUIRE(h.run(request(stack_objects(true))));
    CHECK(applies(h.kube) ==
          std::vector<std::string>{"Namespace demo", "ConfigMap demo/demo-spark-defaults"});
  }
  SECTION("a damaged record costs the applies, never a wrong result") {
    auto parent = *h.kube.find("Secret", "demo", "demo-applyset");
    parent["metadata"]["annotations"]["stackctl.io/applied"] = "{not json";
    h.kube.put(parent);
    h.kube.requests.clear();
    auto again = h.run(request(stack_objects(true)));
    REQUIRE(again);
    for (const auto& a : actions(*again)) CHECK(a.starts_with("unchanged "));
    CHECK(h.kube.count("APPLY") == 12);  // the Namespace, 10 members, the record rewritten
  }
}

TEST_CASE("a record too large for the parent's annotations is left out", "[app-deploy]") {
  // 700 members with 200-character names: a record of about 180 KiB, past the 128 KiB kept.
  std::vector<Object> objects{obj("v1", "Namespace", "demo")};
  for (int i = 0; i < 700; ++i)
    objects.push_back(obj("v1", "ConfigMap", std::string(196, 'c') + std::to_string(1000 + i)));
  Harness h;
  REQUIRE(h.run(request(objects)));
  const auto parent = h.kube.find("Secret", "demo", "demo-applyset");
  REQUIRE(parent);
  CHECK_FALSE((*parent)["metadata"]["annotations"].contains("stackctl.io/applied"));
  h.kube.requests.clear();
  auto again = h.run(request(objects));
  REQUIRE(again);
  for (const auto& a : actions(*again)) CHECK(a.starts_with("unchanged "));
  // Every member applied (no record to skip by), the parent not rewritten.
  CHECK(h.kube.count("APPLY ConfigMap") == 700);
  CHECK(h.kube.count("APPLY Secret") == 0);
}

TEST_CASE("Kyuubi turned off prunes exactly its objects and narrows the parent", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(true))));
  // Objects that are not ours: made by hand, and another ApplySet's member of a listed kind.
  h.kube.put(obj("v1", "ConfigMap", "by-hand").body);
  Object other = obj("apps/v1", "StatefulSet", "other-tool");
  other.body["metadata"]["labels"][deploy::kPartOfLabel] = "applyset-someone-else-v1";
  h.kube.put(other.body);
  h.kube.requests.clear();
  auto r = h.run(request(stack_objects(false)));
  REQUIRE(r);
  std::vector<std::string> deleted;
  for (const auto& q : h.kube.requests)
    if (q.starts_with("DELETE ")) deleted.push_back(q.substr(7));
  std::sort(deleted.begin(), deleted.end());
  CHECK(deleted == std::vector<std::string>{"ConfigMap demo/demo-kyuubi-conf",
                                            "Service demo/demo-kyuubi",
                                            "StatefulSet demo/demo-kyuubi"});
  CHECK(h.kube.find("ConfigMap", "demo", "by-hand"));
  CHECK(h.kube.find("StatefulSet", "demo", "other-tool"));
  CHECK(h.kube.find("Deployment", "demo", "demo-connect"));
  const auto parent = h.kube.find("Secret", "demo", "demo-applyset");
  CHECK((*parent)["metadata"]["annotations"][deploy::kGroupKindsAnnotation].get<std::string>().find(
            "StatefulSet") == std::string::npos);
}

TEST_CASE("a crash at any step, then a rerun, converges with nothing orphaned or extra deleted",
          "[app-deploy]") {
  // Each request of the Kyuubi-off deploy, in turn, fails; then a clean rerun must leave exactly
  // the Kyuubi-off objects, all members, and a narrowed parent.
  Harness probe;
  REQUIRE(probe.run(request(stack_objects(true))));
  probe.kube.requests.clear();
  REQUIRE(probe.run(request(stack_objects(false))));
  const auto steps = probe.kube.requests;
  REQUIRE(steps.size() > 10);
  Harness expected;
  REQUIRE(expected.run(request(stack_objects(false))));
  std::vector<std::string> want;
  for (const auto& s : expected.kube.snapshot()) want.push_back(s.substr(0, s.find('@')));

  for (std::size_t i = 0; i < steps.size(); ++i) {
    CAPTURE(i, steps[i]);
    Harness h;
    REQUIRE(h.run(request(stack_objects(true))));
    h.kube.put(obj("v1", "ConfigMap", "by-hand").body);
    const int nth = static_cast<int>(
        std::count(steps.begin(), steps.begin() + static_cast<long>(i) + 1, steps[i]));
    h.kube.fail_at(steps[i], nth);
    auto crashed = h.run(request(stack_objects(false)));
    CHECK_FALSE(crashed);
    REQUIRE(h.run(request(stack_objects(false))));
    std::vector<std::string> got;
    for (const auto& s : h.kube.snapshot()) got.push_back(s.substr(0, s.find('@')));
    auto want_here = want;
    want_here.push_back("ConfigMap demo/by-hand");
    std::sort(want_here.begin(), want_here.end());
    std::sort(got.begin(), got.end());
    CHECK(got == want_here);
    const auto parent = h.kube.find("Secret", "demo", "demo-applyset");
    REQUIRE(parent);
    CHECK((*parent)["metadata"]["annotations"][deploy::kGroupKindsAnnotation] ==
          (*expected.kube.find(
              "Secret", "demo",
              "demo-applyset"))["metadata"]["annotations"][deploy::kGroupKindsAnnotation]);
  }
}

TEST_CASE("a field-manager conflict names the fields and manager; --force-conflicts takes them",
          "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(false))));
  h.kube.own_field("Deployment", "demo", "demo-connect", "kubectl-edit", ".spec.replicas");
  auto r = h.run(request(stack_objects(false)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::conflict);
  CHECK(r.error().message ==
        "Deployment demo/demo-connect: apply conflict (409): fields another field manager owns\n"
        "  .spec.replicas: conflict with \"kubectl-edit\" using apps/v1\n"
        "stackctl changed nothing on it; to take these fields over rerun with --force-conflicts "
        "(the other manager may set them back: stop it first)");
  auto forced = request(stack_objects(false));
  forced.force_conflicts = true;
  CHECK(h.run(forced));
}

TEST_CASE("dry run: the plan from the server's answers, nothing written", "[app-deploy]") {
  Harness h;
  auto dry = request(stack_objects(true));
  dry.dry_run = true;
  // An empty cluster: the namespace is missing, so nothing else can be asked.
  auto empty = h.run(dry);
  REQUIRE(empty);
  CHECK(h.kube.snapshot().empty());
  for (const auto& a : actions(*empty)) CHECK(a.starts_with("create "));
  CHECK(empty->objects[0].note ==
        "does not exist yet: the objects in it are not dry-run on the server");

  REQUIRE(h.run(request(stack_objects(true))));
  const auto before = h.kube.snapshot();
  h.kube.requests.clear();
  auto changed = request(stack_objects(false, "a=2"));
  changed.dry_run = true;
  auto plan = h.run(changed);
  REQUIRE(plan);
  CHECK(h.kube.snapshot() == before);
  CHECK(h.kube.count("APPLY") == 0);
  CHECK(h.kube.count("DELETE") == 0);
  const auto a = actions(*plan);
  CHECK(std::find(a.begin(), a.end(), "update ConfigMap demo/demo-spark-defaults") != a.end());
  CHECK(std::find(a.begin(), a.end(), "unchanged Deployment demo/demo-connect") != a.end());
  CHECK(std::find(a.begin(), a.end(), "prune StatefulSet demo/demo-kyuubi") != a.end());
  CHECK(std::find(a.begin(), a.end(), "prune ConfigMap demo/demo-kyuubi-conf") != a.end());
}

TEST_CASE("diff: live against intended, Secret values masked", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(false))));
  auto objects = stack_objects(false, "a=2");
  for (auto& o : objects)
    if (o.kind() == "Secret") o.body["stringData"]["TOKEN"] = "n3w";
  auto d = request(objects);
  d.dry_run = true;
  d.diff = true;
  auto r = h.run(d);
  REQUIRE(r);
  std::string all;
  for (const auto& o : r->objects) all += o.diff;
  CHECK(all.find("-  spark-defaults.conf: \"a=1\"\n+  spark-defaults.conf: \"a=2\"\n") !=
        std::string::npos);
  CHECK(all.find("TOKEN: \"*** (before)\"") != std::string::npos);
  CHECK(all.find("TOKEN: \"*** (after)\"") != std::string::npos);
  CHECK(all.find("s3cr3t") == std::string::npos);
  CHECK(all.find("n3w") == std::string::npos);
  CHECK(all.find("managedFields") == std::string::npos);
}

TEST_CASE("diff: a pruned Secret's values are masked too", "[app-deploy]") {
  Harness h;
  REQUIRE(h.run(request(stack_objects(false))));
  auto objects = stack_objects(false);
  std::erase_if(objects, [](const Object& o) { return o.kind() == "Secret"; });
  auto d = request(objects);
  d.dry_run = true;
  d.diff = true;
  auto r = h.run(d);
  REQUIRE(r);
  std::string pruned;
  for (const auto& o : r->objects)
    if (o.action == app::Action::prune) pruned += o.diff;
  CHECK(pruned.find("demo-spark-env") != std::string::npos);
  CHECK(pruned.find("TOKEN: \"*** (before)\"") != std::string::npos);
  CHECK(pruned.find("s3cr3t") == std::string::npos);
  CHECK(pruned.find("czNjcjN0") == std::string::npos);  // nor its base64
}

TEST_CASE("a parent of another tool is refused before anything is applied", "[app-deploy]") {
  Harness h;
  h.kube.put(obj("v1", "Namespace", "demo").body);
  Object p = deploy::parent_object({"demo-applyset", "demo", "kubectl/v1.27"}, {});
  h.kube.put(p.body);
  h.kube.requests.clear();
  auto r = h.run(request(stack_objects(false)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::refused);
  CHECK(r.error().message.find("another tool (applyset.kubernetes.io/tooling=kubectl/v1.27)") !=
        std::string::npos);
  CHECK(h.kube.count("APPLY") == 0);
}

TEST_CASE("a Namespace someone else manages is left as it is", "[app-deploy]") {
  Harness h;
  Json ns = obj("v1", "Namespace", "demo").body;
  ns["metadata"]["managedFields"] =
      Json::array({{{"manager", "Terraform"}, {"operation", "Update"}}});
  h.kube.put(ns);
  auto r = h.run(request(stack_objects(false)));
  REQUIRE(r);
  CHECK(r->objects[0].action == app::Action::skipped);
  CHECK(r->objects[0].note == "exists, managed by Terraform: left as it is");
  CHECK(h.kube.count("APPLY Namespace") == 0);
}

namespace {

// A deploy whose Deployment never becomes available, with `pod` (labelled as its pods) and
// `events` staged; returns the error message.
std::string stuck(Json pod_status, std::vector<Json> events = {}) {
  Harness h;
  h.kube.on_apply = nullptr;
  h.kube.put(obj("v1", "Namespace", "demo").body);
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "demo-connect-x1"},
                {"namespace", "demo"},
                {"uid", "pod-uid"},
                {"labels", {{"app", "demo-connect"}}}}},
              {"status", pod_status}};
  h.kube.put(pod);
  for (auto& e : events) {
    e["apiVersion"] = "v1";
    e["kind"] = "Event";
    e["metadata"] = {{"name", "e" + std::to_string(&e - events.data())}, {"namespace", "demo"}};
    e["involvedObject"] = {{"kind", "Pod"}, {"uid", "pod-uid"}};
    h.kube.put(e);
  }
  std::vector<Object> objects = {obj("v1", "Namespace", "demo"),
                                 workload("Deployment", "demo-connect")};
  auto r = h.run(request(objects));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == app::DeployError::Kind::rollout);
  CHECK(h.clock.slept == std::chrono::seconds(30));  // it waited its whole timeout, no longer
  return r.error().message;
}

}  // namespace

TEST_CASE("the wait names each staged pod failure, never a bare timeout", "[app-deploy]") {
  const std::string pull =
      stuck({{"phase", "Pending"},
             {"containerStatuses",
              Json::array({{{"name", "main"},
                            {"image", "registry.local/spark-connect@sha256:abc"},
                            {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}}})}});
  CHECK(
      pull.starts_with("Deployment demo/demo-connect: not rolled out after 30s: Waiting for "
                       "deployment spec update to be observed..."));
  CHECK(pull.find("D_IMAGE_PULL Pod demo/demo-connect-x1 container main") != std::string::npos);
  CHECK(pull.find("registry.local/spark-connect@sha256:abc") != std::string::npos);

  const std::string sched = stuck({{"phase", "Pending"}},
                                  {{{"reason", "FailedScheduling"},
                                    {"message", "0/1 nodes are available: 1 Insufficient cpu."}}});
  CHECK(sched.find("D_INSUFFICIENT_RESOURCES") != std::string::npos);
  CHECK(sched.find("\"0/1 nodes are available: 1 Insufficient cpu.\"") != std::string::npos);

  const std::string oom = stuck(
      {{"phase", "Running"},
       {"containerStatuses",
        Json::array(
            {{{"name", "main"},
              {"image", "x"},
              {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
              {"lastState", {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}}}}})}});
  CHECK(oom.find("D_OOMKILLED") != std::string::npos);

  const std::string nothing = stuck({{"phase", "Pending"}});
  CHECK(nothing.find("no failure seen in its pods") != std::string::npos);
}
