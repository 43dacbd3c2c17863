// doctor's observation over the recording kube fake: one LIST per kind per namespace, events
// listed once, Secrets reduced before they are kept, the spark ServiceAccount's review, logs of
// only the pods that need them, and what fails noted instead of ending the run.
#include <catch2/catch.hpp>

#include "app/observe.hpp"
#include "core/doctor/report.hpp"
#include "kube_fake.hpp"

using namespace stackctl;
using kube::Json;

namespace {

Json pod(const std::string& name, Json status) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "demo"}, {"labels", {{"app", name}}}}},
          {"status", std::move(status)}};
}

Json crash_status() {
  return {{"phase", "Running"},
          {"containerStatuses",
           Json::array(
               {{{"name", "connect"},
                 {"ready", false},
                 {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                 {"lastState", {{"terminated", {{"reason", "Completed"}, {"exitCode", 0}}}}}}})}};
}

Json ready_status() {
  return {{"phase", "Running"},
          {"containerStatuses",
           Json::array(
               {{{"name", "hub"}, {"ready", true}, {"state", {{"running", Json::object()}}}}})}};
}

void stage(testing::KubeFake& k, int healthy_pods) {
  k.put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "demo"}}}});
  k.put(pod("connect", crash_status()));
  for (int i = 0; i < healthy_pods; ++i) k.put(pod("hub-" + std::to_string(i), ready_status()));
  k.put({{"apiVersion", "v1"},
         {"kind", "Secret"},
         {"metadata", {{"name", "spark-env"}, {"namespace", "demo"}}},
         {"data", {{"AWS_SECRET_ACCESS_KEY", "c2VjcmV0"}}}});
  k.log_text["demo/connect/connect/previous"] =
      "starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to /x.out\n"
      "token=abcdef123\n";
  k.on_create = [](const kube::Resource& r, const Json& body) {
    Json answer = body;
    if (r.kind == "SubjectAccessReview") answer["status"] = {{"allowed", false}, {"reason", ""}};
    return answer;
  };
}

}  // namespace

TEST_CASE("observe: one LIST per kind, logs of the crashing pod only", "[doctor][observe]") {
  testing::KubeFake k;
  stage(k, 20);
  auto s = app::observe({{"demo"}, "spark", 50, "", false}, k);
  REQUIRE(s);
  CHECK(k.count("LIST") == 11);  // ten kinds in demo, nodes once
  CHECK(k.count("CREATE") == 1);
  CHECK(k.count("LOGS") == 1);
  CHECK(std::find(k.requests.begin(), k.requests.end(), "LOGS Pod demo/connect connect previous") !=
        k.requests.end());
  CHECK(s->pods.size() == 21);
  REQUIRE(s->secrets.size() == 1);
  CHECK_FALSE(s->secrets[0].contains("data"));
  CHECK(s->secrets[0]["keys"] == Json::array({"AWS_SECRET_ACCESS_KEY"}));
  REQUIRE(s->logs.size() == 1);
  CHECK(s->logs[0].lines[1] == "token=<redacted>");
  REQUIRE(s->access.size() == 1);
  CHECK(s->access[0].subject == "system:serviceaccount:demo:spark");
  const auto r = doctor::report(*s, {});
  std::vector<std::string> codes;
  for (const auto& f : r.findings) codes.push_back(f.code);
  CHECK(codes == std::vector<std::string>{"D_RBAC_DENIED", "D_CONNECT_DAEMONIZED"});

  // The request count does not grow with the pods.
  testing::KubeFake big;
  stage(big, 500);
  REQUIRE(app::observe({{"demo"}, "spark", 50, "", false}, big));
  CHECK(big.requests.size() == k.requests.size());
}

TEST_CASE("observe: several namespaces, and -A as one LIST per kind", "[doctor][observe]") {
  testing::KubeFake k;
  stage(k, 3);
  k.put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "storage"}}}});
  Json minio = pod("minio-0", ready_status());
  minio["metadata"]["namespace"] = "storage";
  k.put(minio);
  app::ObserveRequest req{{"demo", "storage"}, "spark", 50, "", false};
  auto s = app::observe(req, k);
  REQUIRE(s);
  CHECK(k.count("LIST") == 21);   // ten kinds in each namespace, nodes once
  CHECK(k.count("CREATE") == 2);  // the spark ServiceAccount reviewed in each
  CHECK(s->pods.size() == 5);
  CHECK(s->namespaces == std::vector<std::string>{"demo", "storage"});

  testing::KubeFake all;
  stage(all, 3);
  all.put(minio);
  req.namespaces = {"demo"};
  req.all_namespaces = true;
  s = app::observe(req, all);
  REQUIRE(s);
  CHECK(all.count("LIST") == 11);  // each kind once across the cluster, nodes once
  CHECK(all.count("CREATE") == 1);
  CHECK(std::find(all.requests.begin(), all.requests.end(), "LIST Pod ") != all.requests.end());
  CHECK(s->pods.size() == 5);
  CHECK(s->namespaces == std::vector<std::string>{"demo", "storage"});
  REQUIRE(s->access.size() == 1);
  CHECK(s->access[0].ns == "demo");
}

TEST_CASE("observe: refusals are noted, a failing logs call is recorded", "[doctor][observe]") {
  testing::KubeFake k;
  stage(k, 1);
  k.fail_at("LIST Node", 1,
            {kube::Failure::Kind::forbidden,
             403,
             "Forbidden",
             "nodes is forbidden: User \"limited\" cannot list resource \"nodes\"",
             {},
             "",
             ""});
  k.fail_at("LOGS", 1,
            {kube::Failure::Kind::other,
             500,
             "InternalError",
             "Get \"https://127.0.0.1:10250/containerLogs/demo/connect/connect\": dial tcp "
             "127.0.0.1:10250: connect: connection refused",
             {},
             "",
             ""});
  k.fail_at("CREATE SubjectAccessReview", 1,
            {kube::Failure::Kind::forbidden,
             403,
             "Forbidden",
             "subjectaccessreviews.authorization.k8s.io is forbidden",
             {},
             "",
             ""});
  auto s = app::observe({{"demo"}, "spark", 50, "", false}, k);
  REQUIRE(s);
  CHECK(k.count("CREATE") == 2);  // the rules review after the refused access review
  REQUIRE(s->access.size() == 1);
  CHECK(s->access[0].method == "SelfSubjectRulesReview");
  CHECK_FALSE(s->access[0].allowed.has_value());
  REQUIRE(s->logs.size() == 1);
  CHECK(s->logs[0].error.starts_with("500 Get "));
  const auto r = doctor::report(*s, {});
  std::vector<std::string> codes;
  for (const auto& f : r.findings) codes.push_back(f.code);
  // D_EXITED_ZERO still reported from the pod's state though its log could not be read.
  // Notes: the review, nodes, the log.
  CHECK(codes == std::vector<std::string>{"D_EXITED_ZERO", "D_PARTIAL_SNAPSHOT",
                                          "D_PARTIAL_SNAPSHOT", "D_PARTIAL_SNAPSHOT"});
}

TEST_CASE("observe: a 401 is reported as a finding, an unreachable cluster fails",
          "[doctor][observe]") {
  testing::KubeFake k;
  stage(k, 1);
  k.fail_at("LIST Pod", 1,
            {kube::Failure::Kind::unauthorized, 401, "Unauthorized", "Unauthorized", {}, "", ""});
  auto s = app::observe({{"demo"}, "spark", 50, "", false}, k);
  REQUIRE(s);
  CHECK(s->auth_error == "Unauthorized");
  CHECK(k.count("LIST") == 1);

  testing::KubeFake down;
  stage(down, 1);
  down.fail_at("LIST Pod");
  auto failed = app::observe({{"demo"}, "spark", 50, "", false}, down);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("connection reset by peer") != std::string::npos);
}
