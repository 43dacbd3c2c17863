// The deploy core: apply order, ApplySet ids and steps, rollout status, diffs.
#include <catch2/catch.hpp>

#include "core/deploy/applyset.hpp"
#include "core/deploy/diff.hpp"
#include "core/deploy/order.hpp"
#include "core/deploy/rollout.hpp"

using namespace stackctl;
using kube::Json;
using kube::Object;

namespace {

Object obj(const std::string& api, const std::string& kind, const std::string& name,
           const std::string& ns = "demo") {
  Json b = {{"apiVersion", api}, {"kind", kind}, {"metadata", {{"name", name}}}};
  if (!ns.empty()) b["metadata"]["namespace"] = ns;
  return Object{b};
}

deploy::ParentRef ref() {
  return {"demo-applyset", "demo", "stackctl/0.1.0"};
}

}  // namespace

TEST_CASE("deploy applies Namespace, ServiceAccount, RBAC, config, Services, workloads, others",
          "[deploy]") {
  std::vector<Object> in = {obj("apps/v1", "StatefulSet", "k"),
                            obj("v1", "Service", "s"),
                            obj("batch/v1", "Job", "j"),
                            obj("apps/v1", "Deployment", "d"),
                            obj("v1", "Secret", "x"),
                            obj("v1", "ConfigMap", "c"),
                            obj("rbac.authorization.k8s.io/v1", "RoleBinding", "rb"),
                            obj("rbac.authorization.k8s.io/v1", "Role", "r"),
                            obj("v1", "ServiceAccount", "sa"),
                            obj("v1", "Namespace", "demo", ""),
                            obj("v1", "ConfigMap", "c2")};
  std::vector<std::string> kinds;
  for (const auto& o : deploy::in_apply_order(in)) kinds.push_back(o.kind() + "/" + o.name());
  CHECK(kinds == std::vector<std::string>{"Namespace/demo", "ServiceAccount/sa", "Role/r",
                                          "RoleBinding/rb", "ConfigMap/c", "ConfigMap/c2",
                                          "Secret/x", "Service/s", "Deployment/d", "StatefulSet/k",
                                          "Job/j"});
  // A kind of the same name in another group is not the core one.
  CHECK(deploy::apply_rank({"example.com", "v1", "Service"}) == 90);
  // A CRD goes before everything but Namespaces, so its instances (rank 90) find it.
  CHECK(deploy::apply_rank({"apiextensions.k8s.io", "v1", "CustomResourceDefinition"}) == 5);
  CHECK(deploy::apply_rank({"example.com", "v1", "CustomResourceDefinition"}) == 90);
}

TEST_CASE("ApplySet id is KEP-3659's: base64url, no padding, of sha256(name.ns.Kind.group)",
          "[deploy]") {
  // Expected values computed independently:
  //   printf '%s' demo-applyset.demo.Secret. | openssl dgst -sha256 -binary | openssl base64 -A
  //   | tr -d '=' | tr '/+' '_-'
  CHECK(deploy::applyset_id("demo-applyset", "demo", "Secret", "") ==
        "applyset-7HJECiBaUQHS-d7fes9K-MvAPUP0pDZyWmhnnlcGBUg-v1");
  CHECK(ref().id() == "applyset-7HJECiBaUQHS-d7fes9K-MvAPUP0pDZyWmhnnlcGBUg-v1");
  CHECK(deploy::parent_name("demo") == "demo-applyset");
}

TEST_CASE("the ApplySet parent carries id, tooling, sorted group-kinds and namespaces",
          "[deploy]") {
  const auto members =
      deploy::members_of(ref(), {obj("apps/v1", "Deployment", "d"), obj("v1", "ConfigMap", "c"),
                                 obj("v1", "ConfigMap", "other", "elsewhere"),
                                 obj("rbac.authorization.k8s.io/v1", "Role", "r")});
  const Object p = deploy::parent_object(ref(), members);
  CHECK(p.display() == "Secret demo/demo-applyset");
  CHECK(p.labels()[deploy::kIdLabel] == ref().id());
  CHECK(p.annotations()[deploy::kToolingAnnotation] == "stackctl/0.1.0");
  CHECK(p.annotations()[deploy::kGroupKindsAnnotation] ==
        "ConfigMap.,Deployment.apps,Role.rbac.authorization.k8s.io");
  CHECK(p.annotations()[deploy::kNamespacesAnnotation] == "elsewhere");
  // It reads back as what it was written from.
  auto back = deploy::read_parent(ref(), p.body);
  REQUIRE(back);
  CHECK(*back == members);
}

TEST_CASE("a parent of another tool, or without our id, is refused", "[deploy]") {
  Object p = deploy::parent_object(ref(), {});
  p.body["metadata"]["annotations"][deploy::kToolingAnnotation] = "kubectl/v1.27.0";
  auto other = deploy::read_parent(ref(), p.body);
  REQUIRE_FALSE(other);
  CHECK(other.error() ==
        "Secret demo/demo-applyset is the ApplySet parent of another tool "
        "(applyset.kubernetes.io/tooling=kubectl/v1.27.0): stackctl will not apply or prune its "
        "objects; deploy into another namespace, or remove that ApplySet with the tool that made "
        "it");
  // Another stackctl version is still us.
  p.body["metadata"]["annotations"][deploy::kToolingAnnotation] = "stackctl/0.0.9";
  CHECK(deploy::read_parent(ref(), p.body));
  Object plain = obj("v1", "Secret", "demo-applyset");
  auto foreign = deploy::read_parent(ref(), plain.body);
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().starts_with(
      "Secret demo/demo-applyset exists but is not this stack's ApplySet parent"));
}

TEST_CASE("the plan widens to old and new, then narrows to new", "[deploy]") {
  const deploy::Members old{{"ConfigMap.", "StatefulSet.apps"}, {"old-ns"}};
  const deploy::Members now{{"ConfigMap.", "Deployment.apps"}, {}};
  const auto p = deploy::plan(ref(), &old, now);
  CHECK(p.widened.group_kinds ==
        std::set<std::string>{"ConfigMap.", "Deployment.apps", "StatefulSet.apps"});
  CHECK(p.widened.namespaces == std::set<std::string>{"old-ns"});
  CHECK(p.narrowed == now);
  CHECK(p.namespaces() == std::vector<std::string>{"demo", "old-ns"});
  // No parent yet: nothing to widen to.
  CHECK(deploy::plan(ref(), nullptr, now).widened == now);
}

TEST_CASE("prune selects only listed members of our ApplySet that were not applied", "[deploy]") {
  const std::string id = ref().id();
  auto live = [&](const std::string& kind, const std::string& name, const std::string& uid,
                  const std::string& part_of) {
    Object o = obj(kind == "StatefulSet" ? "apps/v1" : "v1", kind, name);
    o.body["metadata"]["uid"] = uid;
    if (!part_of.empty()) o.body["metadata"]["labels"][deploy::kPartOfLabel] = part_of;
    return deploy::Live{o.gvk(), o.body};
  };
  const std::vector<deploy::Live> listed = {
      live("ConfigMap", "kept", "u1", id),                      // applied now
      live("StatefulSet", "kyuubi", "u2", id),                  // no longer rendered: pruned
      live("ConfigMap", "foreign", "u3", "applyset-other-v1"),  // another ApplySet's
      live("ConfigMap", "unlabelled", "u4", ""),                // nobody's
      live("Service", "svc", "u5", id),                         // a kind the parent does not list
  };
  const deploy::Members widened{{"ConfigMap.", "StatefulSet.apps"}, {}};
  const auto pruned = deploy::select_prune(id, widened, listed, {"u1"});
  REQUIRE(pruned.size() == 1);
  CHECK(Object{pruned[0].body}.name() == "kyuubi");
}

namespace {

Json deployment(int generation, int observed, int replicas, int updated, int total, int available) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "d"}, {"namespace", "demo"}, {"generation", generation}}},
          {"spec", {{"replicas", replicas}}},
          {"status",
           {{"observedGeneration", observed},
            {"replicas", total},
            {"updatedReplicas", updated},
            {"availableReplicas", available}}}};
}

}  // namespace

TEST_CASE("Deployment rollout follows kubectl rollout status order", "[deploy]") {
  using S = deploy::Rollout::State;
  auto r = deploy::rollout_status(deployment(2, 1, 1, 1, 1, 1));
  CHECK(r.state == S::waiting);
  CHECK(r.message == "Waiting for deployment spec update to be observed...");
  r = deploy::rollout_status(deployment(1, 1, 2, 1, 1, 1));
  CHECK(r.message ==
        "Waiting for deployment \"d\" rollout to finish: 1 out of 2 new replicas have been "
        "updated...");
  r = deploy::rollout_status(deployment(1, 1, 1, 1, 2, 1));
  CHECK(r.message ==
        "Waiting for deployment \"d\" rollout to finish: 1 old replicas are pending "
        "termination...");
  r = deploy::rollout_status(deployment(1, 1, 1, 1, 1, 0));
  CHECK(r.message ==
        "Waiting for deployment \"d\" rollout to finish: 0 of 1 updated replicas are "
        "available...");
  r = deploy::rollout_status(deployment(1, 1, 1, 1, 1, 1));
  CHECK(r.state == S::done);
  CHECK(r.message == "deployment \"d\" successfully rolled out");
  // The deadline is checked before the replica counts.
  Json late = deployment(1, 1, 2, 0, 1, 0);
  late["status"]["conditions"] = Json::array(
      {{{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"}}});
  r = deploy::rollout_status(late);
  CHECK(r.state == S::failed);
  CHECK(r.message == "deployment \"d\" exceeded its progress deadline");
}

TEST_CASE("StatefulSet rollout: observed generation, ready replicas, revisions", "[deploy]") {
  using S = deploy::Rollout::State;
  Json s = {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", "k"}, {"generation", 1}}},
            {"spec", {{"replicas", 1}}},
            {"status", Json::object()}};
  CHECK(deploy::rollout_status(s).message ==
        "Waiting for statefulset spec update to be observed...");
  s["status"] = {{"observedGeneration", 1}, {"readyReplicas", 0}};
  CHECK(deploy::rollout_status(s).message == "Waiting for 1 pods to be ready...");
  s["status"] = {{"observedGeneration", 1},
                 {"readyReplicas", 1},
                 {"updatedReplicas", 1},
                 {"currentRevision", "k-1"},
                 {"updateRevision", "k-2"}};
  CHECK(deploy::rollout_status(s).state == S::waiting);
  CHECK(deploy::rollout_status(s).message ==
        "waiting for statefulset rolling update to complete 1 pods at revision k-2...");
  s["status"]["currentRevision"] = "k-2";
  CHECK(deploy::rollout_status(s).state == S::done);
  s["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  CHECK(deploy::rollout_status(s).state == S::failed);
  CHECK(deploy::rollout_status(obj("v1", "ConfigMap", "c").body).state == S::done);
}

TEST_CASE("server fields are stripped before comparing", "[deploy]") {
  Json live = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata",
                {{"name", "c"},
                 {"resourceVersion", "5"},
                 {"uid", "u"},
                 {"managedFields", Json::array()},
                 {"creationTimestamp", "t"}}},
               {"data", {{"a", "1"}}}};
  Json applied = live;
  applied["metadata"]["resourceVersion"] = "6";
  CHECK(deploy::same_content(live, applied));
  applied["data"]["a"] = "2";
  CHECK_FALSE(deploy::same_content(live, applied));
  CHECK_FALSE(deploy::strip_server_fields(live)["metadata"].contains("uid"));
}

TEST_CASE("Secret values are masked as kubectl diff masks them", "[deploy]") {
  Json before = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"data", {{"same", "czE="}, {"changed", "YQ=="}, {"gone", "Zw=="}}}};
  Json after = {{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"data", {{"same", "czE="}, {"changed", "Yg=="}, {"new", "bg=="}}}};
  deploy::mask_secret_data(before, after);
  CHECK(before["data"] ==
        Json{{"same", "***"}, {"changed", "*** (before)"}, {"gone", "*** (before)"}});
  CHECK(after["data"] == Json{{"same", "***"}, {"changed", "*** (after)"}, {"new", "*** (after)"}});
  CHECK(before.dump().find("YQ==") == std::string::npos);
  Json cm_before = {{"kind", "ConfigMap"}, {"apiVersion", "v1"}, {"data", {{"a", "1"}}}};
  Json cm_after = cm_before;
  deploy::mask_secret_data(cm_before, cm_after);
  CHECK(cm_before["data"]["a"] == "1");
}

TEST_CASE("deploy --diff YAML: the same object in another key order diffs as equal", "[deploy]") {
  // A LIST item (kind and apiVersion last) against the server's answer to an apply (first).
  const Json listed = {{"metadata", {{"name", "x"}, {"labels", {{"b", "2"}, {"a", "1"}}}}},
                       {"data", {{"k", "v"}}},
                       {"apiVersion", "v1"},
                       {"kind", "ConfigMap"}};
  const Json applied = {{"kind", "ConfigMap"},
                        {"apiVersion", "v1"},
                        {"metadata", {{"labels", {{"a", "1"}, {"b", "2"}}}, {"name", "x"}}},
                        {"data", {{"k", "v"}}}};
  CHECK(deploy::diff_yaml(listed) == deploy::diff_yaml(applied));
  CHECK(deploy::unified_diff(deploy::diff_yaml(listed), deploy::diff_yaml(applied), "a", "b")
            .empty());
  CHECK(deploy::diff_yaml(applied).starts_with("apiVersion: v1\ndata:\n"));
}

TEST_CASE("unified diff: hunks with three lines of context", "[deploy]") {
  CHECK(deploy::unified_diff("a\nb\n", "a\nb\n", "live", "intended").empty());
  const std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  const std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
  // Expected outputs are GNU diff -u's for the same texts.
  CHECK(deploy::unified_diff(a, b, "live/x", "intended/x") ==
        "--- live/x\n+++ intended/x\n"
        "@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+11\n");
  std::string c, d;
  for (int i = 1; i <= 20; ++i) {
    c += std::to_string(i) + "\n";
    d += (i == 3 ? "three" : i == 18 ? "eighteen" : std::to_string(i)) + "\n";
  }
  CHECK(deploy::unified_diff(c, d, "a", "b") ==
        "--- a\n+++ b\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
        "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
  CHECK(deploy::unified_diff("", "x\n", "a", "b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
}
