// The platform rules over staged snapshots, each replayed through the saved form (to_json then
// snapshot_from_json, as `doctor --save` / `--from` do): one realistic case per catalogue signal,
// a healthy platform with no finding, grouping by root cause, the ignore list, scrubbing.
#include <catch2/catch.hpp>

#include "core/doctor/log_rules.hpp"
#include "core/doctor/report.hpp"
#include "core/doctor/scrub.hpp"
#include "core/doctor/snapshot_json.hpp"

using namespace stackctl;
using kube::Json;

namespace {

Json meta(const std::string& name, const std::string& uid, Json labels = Json::object()) {
  return {{"name", name}, {"namespace", "demo"}, {"uid", uid}, {"labels", labels}};
}

Json running_pod(const std::string& name, const std::string& app, bool ready = true) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", meta(name, "uid-" + name, {{"app", app}})},
          {"status",
           {{"phase", "Running"},
            {"containerStatuses",
             Json::array({{{"name", app},
                           {"ready", ready},
                           {"restartCount", 0},
                           {"image", "registry.local/" + app + "@sha256:1111"},
                           {"state", {{"running", {{"startedAt", "2026-12-01T10:00:00Z"}}}}}}})}}}};
}

Json pod_with(const std::string& name, const std::string& app, Json status) {
  Json p = running_pod(name, app);
  p["status"] = std::move(status);
  return p;
}

Json waiting_status(const std::string& container, const std::string& reason,
                    const std::string& message, Json last = nullptr) {
  Json cs = {{"name", container},
             {"ready", false},
             {"restartCount", last.is_null() ? 0 : 5},
             {"image", "registry.local/spark-connect@sha256:1111"},
             {"state", {{"waiting", {{"reason", reason}, {"message", message}}}}}};
  if (!last.is_null()) cs["lastState"] = {{"terminated", last}};
  return {{"phase", reason == "CrashLoopBackOff" ? "Running" : "Pending"},
          {"containerStatuses", Json::array({cs})}};
}

Json service(const std::string& name, Json selector) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta(name, "uid-svc-" + name)},
          {"spec", {{"selector", selector}, {"ports", Json::array({{{"port", 15002}}})}}}};
}

Json endpoints(const std::string& name, int ready, int not_ready) {
  Json subset = Json::object();
  for (int i = 0; i < ready; ++i)
    subset["addresses"].push_back({{"ip", "10.244.0." + std::to_string(10 + i)}});
  for (int i = 0; i < not_ready; ++i)
    subset["notReadyAddresses"].push_back({{"ip", "10.244.1." + std::to_string(10 + i)}});
  return {{"apiVersion", "v1"},
          {"kind", "Endpoints"},
          {"metadata", meta(name, "uid-ep-" + name)},
          {"subsets", subset.empty() ? Json::array() : Json::array({subset})}};
}

Json event(const std::string& uid, const std::string& kind, const std::string& reason,
           const std::string& message) {
  return {{"involvedObject", {{"uid", uid}, {"kind", kind}, {"namespace", "demo"}}},
          {"reason", reason},
          {"message", message},
          {"type", "Warning"}};
}

// A healthy platform: Connect server ready behind its Service, a bound claim, RBAC allowed.
doctor::Snapshot healthy() {
  doctor::Snapshot s;
  s.namespaces = {"demo"};
  s.pods = {running_pod("demo-connect-5d8f-abc12", "connect"),
            running_pod("demo-jupyterhub-7c9-x1", "jupyterhub")};
  s.services = {service("demo-connect", {{"app", "connect"}}),
                service("demo-jupyterhub", {{"app", "jupyterhub"}})};
  s.endpoints = {endpoints("demo-connect", 1, 0), endpoints("demo-jupyterhub", 1, 0)};
  s.claims = {{{"apiVersion", "v1"},
               {"kind", "PersistentVolumeClaim"},
               {"metadata", meta("hub-db", "uid-pvc")},
               {"spec", {{"storageClassName", "standard"}}},
               {"status", {{"phase", "Bound"}}}}};
  s.access = {{"system:serviceaccount:demo:spark", "demo", "create", "pods", true,
               "SubjectAccessReview", "RBAC: allowed by RoleBinding \"spark/demo\"", ""}};
  s.object_store_host = "minio.default.svc.cluster.local";
  return s;
}

// Through the saved form, as --save then --from would.
doctor::Snapshot replay(const doctor::Snapshot& s, std::vector<Json> events = {}) {
  Json j = doctor::to_json(s);
  for (auto& e : events) j["events"].push_back(std::move(e));
  auto back = doctor::snapshot_from_json(Json::parse(j.dump()));
  REQUIRE(back);
  return *back;
}

std::vector<std::string> codes(const doctor::Report& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.code);
  return out;
}

doctor::Report run(const doctor::Snapshot& s, std::vector<Json> events = {}) {
  return doctor::report(replay(s, std::move(events)), {});
}

void add_log(doctor::Snapshot& s, const std::string& pod, const std::string& container,
             std::vector<std::string> lines, bool previous = false) {
  s.logs.push_back({"demo", pod, container, previous, std::move(lines), ""});
}

}  // namespace

TEST_CASE("doctor: a healthy platform gives no finding", "[doctor]") {
  const auto r = run(healthy());
  CHECK(r.findings.empty());
  CHECK(doctor::summary(r, 1) == "0 errors, 0 warnings, 0 notes in 1 namespace");
}

TEST_CASE("doctor: one missing Secret keeping five pods from starting is one finding", "[doctor]") {
  auto s = healthy();
  for (int i = 0; i < 5; ++i)
    s.pods.push_back(pod_with("demo-exec-" + std::to_string(i), "executor",
                              waiting_status("executor", "CreateContainerConfigError",
                                             "secret \"spark-env\" not found")));
  const auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_CONFIG_MISSING"});
  CHECK(r.findings[0].objects.size() == 5);
  CHECK(r.findings[0].object == "Pod demo/demo-exec-0 container executor and 4 more");
  CHECK(r.findings[0].cause == "Secret spark-env does not exist in the namespace");
  CHECK(r.findings[0].evidence ==
        "state.waiting.reason CreateContainerConfigError: \"secret \"spark-env\" not found\"");
}

TEST_CASE("doctor: image pull, mount, scheduling, OOM and crash signals on the platform",
          "[doctor]") {
  auto s = healthy();
  s.pods.push_back(pod_with(
      "demo-marimo-1", "marimo",
      waiting_status("marimo", "ImagePullBackOff",
                     "Back-off pulling image \"registry.local/notebook:spark-4.0.1-fix-v4\"")));
  Json pending = running_pod("demo-exec-9", "executor");
  pending["status"] = {{"phase", "Pending"}};
  s.pods.push_back(pending);
  Json mounting = running_pod("demo-history-1", "history");
  mounting["status"] = waiting_status("history", "ContainerCreating", "");
  s.pods.push_back(mounting);
  s.pods.push_back(pod_with("demo-exec-oom", "executor",
                            waiting_status("executor", "CrashLoopBackOff", "back-off 5m0s",
                                           {{"reason", "OOMKilled"}, {"exitCode", 137}})));
  const auto r = run(
      s, {event("uid-demo-exec-9", "Pod", "FailedScheduling",
                "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are "
                "available: 1 No preemption victims found for incoming pod."),
          event("uid-demo-history-1", "Pod", "FailedMount",
                "MountVolume.SetUp failed for volume \"conf\" : configmap \"spark-defaults\" not "
                "found")});
  CHECK(codes(r) == std::vector<std::string>{"D_IMAGE_PULL", "D_MOUNT_MISSING",
                                             "D_INSUFFICIENT_RESOURCES", "D_OOMKILLED"});
  CHECK(r.findings[1].evidence.find("configmap \"spark-defaults\" not found") != std::string::npos);
}

TEST_CASE("doctor: a Service whose selector matches no pod", "[doctor]") {
  auto s = healthy();
  s.services.push_back(service("demo-kyuubi", {{"app", "kyuubi-server"}}));
  s.endpoints.push_back(endpoints("demo-kyuubi", 0, 0));
  const auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_SERVICE_SELECTS_NOTHING"});
  CHECK(r.findings[0].object == "Service demo/demo-kyuubi");
  CHECK(r.findings[0].evidence ==
        "spec.selector app=kyuubi-server matches none of the 2 pods read in demo");
}

TEST_CASE("doctor: a Service with no ready endpoint quotes the readiness probe", "[doctor]") {
  auto s = healthy();
  s.pods[0] = running_pod("demo-connect-5d8f-abc12", "connect", false);
  s.endpoints[0] = endpoints("demo-connect", 0, 1);
  const auto r = run(s, {event("uid-demo-connect-5d8f-abc12", "Pod", "Unhealthy",
                               "Readiness probe failed: dial tcp 10.244.0.12:15002: connect: "
                               "connection refused")});
  REQUIRE(codes(r) == std::vector<std::string>{"D_SERVICE_NO_READY_ENDPOINTS"});
  CHECK(r.findings[0].evidence ==
        "Endpoints demo-connect: 0 ready addresses, 1 not ready; 1 pod(s) selected; event "
        "Unhealthy on Pod demo/demo-connect-5d8f-abc12: \"Readiness probe failed: dial tcp "
        "10.244.0.12:15002: connect: connection refused\"");
}

TEST_CASE("doctor: an unbound claim without a StorageClass", "[doctor]") {
  auto s = healthy();
  s.claims[0]["status"]["phase"] = "Pending";
  s.claims[0]["spec"].erase("storageClassName");
  const auto r = run(s, {event("uid-pvc", "PersistentVolumeClaim", "FailedBinding",
                               "no persistent volumes available for this claim and no storage "
                               "class is set")});
  REQUIRE(codes(r) == std::vector<std::string>{"D_CLAIM_PENDING"});
  CHECK(r.findings[0].evidence ==
        "status.phase Pending; storageClassName unset; event FailedBinding: \"no persistent "
        "volumes available for this claim and no storage class is set\"");
  CHECK(r.findings[0].cause.find("no default") != std::string::npos);
}

TEST_CASE("doctor: ProgressDeadlineExceeded and ReplicaFailure over every Deployment", "[doctor]") {
  auto s = healthy();
  s.deployments.push_back(
      {{"apiVersion", "apps/v1"},
       {"kind", "Deployment"},
       {"metadata", meta("demo-connect", "uid-dep")},
       {"status",
        {{"conditions",
          Json::array({{{"type", "Progressing"},
                        {"status", "False"},
                        {"reason", "ProgressDeadlineExceeded"},
                        {"message", "ReplicaSet \"demo-connect-5d8f\" has timed out progressing."}},
                       {{"type", "ReplicaFailure"},
                        {"status", "True"},
                        {"reason", "FailedCreate"},
                        {"message",
                         "pods \"demo-connect-5d8f-\" is forbidden: error looking up "
                         "service account demo/spark: serviceaccount \"spark\" not "
                         "found"}}})}}}});
  const auto r = run(s);
  CHECK(codes(r) == std::vector<std::string>{"D_REPLICA_FAILURE", "D_PROGRESS_DEADLINE"});
}

TEST_CASE("doctor: evicted pods, denied RBAC and refused credentials", "[doctor]") {
  auto s = healthy();
  Json ev = running_pod("demo-exec-e", "executor");
  ev["status"] = {{"phase", "Failed"},
                  {"reason", "Evicted"},
                  {"message",
                   "The node was low on resource: ephemeral-storage. Threshold "
                   "quantity: 1Gi, available: 512Mi. Container executor was using "
                   "9Gi, request is 0, has larger consumption of ephemeral-storage. "}};
  s.pods.push_back(ev);
  s.access[0].allowed = false;
  s.access[0].reason = "";
  auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_EVICTED", "D_RBAC_DENIED"});
  CHECK(r.findings[0].severity == doctor::Severity::warning);
  CHECK(r.findings[0].cause.find("ephemeral storage") != std::string::npos);
  CHECK(r.findings[1].object == "system:serviceaccount:demo:spark in namespace demo");
  CHECK(r.findings[1].evidence == "SubjectAccessReview: create pods allowed=false");

  doctor::Snapshot denied;
  denied.auth_error =
      "exec: executable aws not found (the exec plugin of user \"arn:aws:eks:eu-west-1:1:cluster/"
      "prod\" (aws)): install the AWS CLI v2";
  r = run(denied);
  REQUIRE(codes(r) == std::vector<std::string>{"D_CLUSTER_AUTH"});
  CHECK(r.findings[0].fix.find("install the AWS CLI") != std::string::npos);
}

TEST_CASE("doctor: log-based signals, one staged line each", "[doctor]") {
  struct Case {
    std::string line, code, stack_key;
  };
  const std::vector<Case> cases = {
      {"starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to "
       "/opt/spark/logs/spark--org.apache.spark.sql.connect.service.SparkConnectServer-1-x.out",
       "D_CONNECT_DAEMONIZED", "services.connect"},
      {"Message: Forbidden!Configured service account doesn't have access. Service account may "
       "have been revoked. pods is forbidden: User \"system:serviceaccount:demo:default\" cannot "
       "create resource \"pods\" in API group \"\" in the namespace \"demo\".",
       "D_DRIVER_RBAC", ""},
      {"org.apache.spark.SparkException: No pod was found named spark-connect-driver in the "
       "cluster in the namespace demo (this was supposed to be the driver pod.).",
       "D_DRIVER_POD_NAME", "spark.conf"},
      {"Caused by: java.net.UnknownHostException: warehouse.minio.default.svc.cluster.local",
       "D_S3_VIRTUAL_HOST", "services.external.objectStore"},
      {"25/12/01 10:00:03 INFO SparkConnectServer: Spark Connect server started at: "
       "0:0:0:0:0:0:0:0:15002",
       "D_CONNECT_IPV6", "services.connect"},
      {"MetaException(message:Could not connect to meta store using any of the URIs provided. "
       "Most recent failure: org.apache.thrift.transport.TTransportException: "
       "java.net.UnknownHostException: hive-metastore",
       "D_METASTORE_UNREACHABLE", "services.external.metastore"},
      {"org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view "
       "`sales` cannot be found. Verify the spelling and correctness of the schema and catalog.",
       "D_TABLE_NOT_FOUND", "services.external.metastore"},
      {"org.apache.kyuubi.KyuubiSQLException: Timeout(180000 ms, you can modify "
       "kyuubi.session.engine.initialize.timeout to change it) to launched SPARK_SQL engine with "
       "/opt/spark/bin/spark-submit",
       "D_KYUUBI_ENGINE_TIMEOUT", "services.kyuubi"},
      {"grpc._channel._InactiveRpcError: status = StatusCode.UNAVAILABLE details = \"failed to "
       "connect to all addresses; last error: UNKNOWN: ipv4:10.96.0.15:15002: Failed to connect "
       "to remote host: Connection refused\"",
       "D_CONNECT_UNAVAILABLE", "services.connect.port"},
      {"Caused by: java.io.IOException: Failed to connect to demo-connect-5d8f-abc12:7078",
       "D_DRIVER_UNREACHABLE", ""},
      {"25/12/01 10:09:00 ERROR TaskSchedulerImpl: Lost executor 3 on 10.244.0.31: The executor "
       "with id 3 exited with exit code 137(SIGKILL, possible container OOM).",
       "D_EXECUTOR_KILLED_137", "spark.executor"},
      {"java.lang.OutOfMemoryError: Java heap space", "D_JAVA_OOM", "spark.executor.memory"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto s = healthy();
    add_log(s, "demo-connect-5d8f-abc12", "connect", {"a line that says nothing", c.line}, true);
    const auto r = run(s);
    REQUIRE(codes(r) == std::vector<std::string>{c.code});
    CHECK(r.findings[0].object == "Pod demo/demo-connect-5d8f-abc12 container connect");
    CHECK(r.findings[0].evidence.starts_with("previous log: \""));
    CHECK(r.findings[0].stack_key == c.stack_key);
  }
  // Every log signal has a case.
  CHECK(doctor::log_signals().size() == cases.size());
}

TEST_CASE("doctor: the driver's RBAC line names its ServiceAccount", "[doctor]") {
  auto s = healthy();
  add_log(s, "demo-jupyterhub-7c9-x1", "notebook",
          {"pods is forbidden: User \"system:serviceaccount:demo:default\" cannot create "
           "resource \"pods\" in API group \"\" in the namespace \"demo\""});
  const auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_DRIVER_RBAC"});
  CHECK(r.findings[0].cause.starts_with("system:serviceaccount:demo:default may not create pods"));
  CHECK(r.findings[0].cause.ends_with("this pod runs as the default one"));
}

TEST_CASE("doctor: the daemonized Connect server is one finding, not three", "[doctor]") {
  auto s = healthy();
  s.pods[0]["status"] = waiting_status("connect", "CrashLoopBackOff", "back-off 40s",
                                       {{"reason", "Completed"}, {"exitCode", 0}});
  s.pods[0]["metadata"]["name"] = "demo-connect-5d8f-abc12";
  add_log(s, "demo-connect-5d8f-abc12", "connect",
          {"starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to "
           "/opt/spark/logs/x.out"},
          true);
  s.endpoints[0] = endpoints("demo-connect", 0, 1);
  const auto r = run(s);
  CHECK(codes(r) ==
        std::vector<std::string>{"D_SERVICE_NO_READY_ENDPOINTS", "D_CONNECT_DAEMONIZED"});
}

TEST_CASE("doctor: notes for what could not be read", "[doctor]") {
  auto s = healthy();
  s.notes = {
      "Node in the cluster: Forbidden (403): nodes is forbidden: User \"limited\" cannot "
      "list resource \"nodes\""};
  s.logs.push_back({"demo",
                    "demo-connect-5d8f-abc12",
                    "connect",
                    true,
                    {},
                    "500 Get \"https://10.0.0.1:10250/containerLogs/...\": dial tcp: connection "
                    "refused"});
  const auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_PARTIAL_SNAPSHOT", "D_PARTIAL_SNAPSHOT"});
  CHECK(r.findings[0].object == "Node in the cluster");
  CHECK(r.findings[1].object == "Pod demo/demo-connect-5d8f-abc12 container connect (previous)");
  CHECK(r.infos == 2);
  CHECK(r.errors == 0);
}

TEST_CASE("doctor: the ignore list leaves accepted findings out", "[doctor]") {
  auto s = healthy();
  s.services.push_back(service("legacy", {{"app", "gone"}}));
  s.services.push_back(service("other", {{"app", "gone-too"}}));
  auto r = doctor::report(s, {{"D_SERVICE_SELECTS_NOTHING", "Service demo/legacy"}});
  REQUIRE(codes(r) == std::vector<std::string>{"D_SERVICE_SELECTS_NOTHING"});
  CHECK(r.findings[0].objects == std::vector<std::string>{"Service demo/other"});
  CHECK(r.ignored == 1);
  r = doctor::report(s, {{"D_SERVICE_SELECTS_NOTHING", ""}});
  CHECK(r.findings.empty());
  CHECK(r.ignored == 2);
  CHECK(doctor::summary(r, 1) == "0 errors, 0 warnings, 0 notes in 1 namespace (2 ignored)");
}

TEST_CASE("doctor: saved snapshots keep no secret value and no credential", "[doctor]") {
  doctor::Snapshot s = healthy();
  s.secrets.push_back({{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata",
                        {{"name", "spark-env"},
                         {"namespace", "demo"},
                         {"annotations",
                          {{"kubectl.kubernetes.io/last-applied-configuration",
                            "{\"data\":{\"AWS_SECRET_ACCESS_KEY\":\"c2VjcmV0\"}}"}}},
                         {"managedFields", Json::array({{{"manager", "kubectl"}}})}}},
                       {"type", "Opaque"},
                       {"data", {{"AWS_SECRET_ACCESS_KEY", "c2VjcmV0"}, {"EXECUTORS", "NA=="}}},
                       {"stringData", {{"TOKEN", "plain"}}}});
  add_log(s, "p", "c",
          {"connecting to s3a://minio:9000 as AKIAIOSFODNN7EXAMPLE",
           "jdbc:postgresql://hive:hunter2@db:5432/metastore",
           "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
           "spark.hadoop.fs.s3a.secret.key=wJalrXUtnFEMI/K7MDENG password: s3cr3t"});
  const std::string saved = doctor::to_json(s).dump();
  for (const char* leak :
       {"c2VjcmV0", "NA==", "plain", "AKIAIOSFODNN7EXAMPLE", "hunter2", "eyJhbGci", "wJalrXUt",
        "s3cr3t", "last-applied-configuration", "managedFields"}) {
    INFO(leak);
    CHECK(saved.find(leak) == std::string::npos);
  }
  const auto back = doctor::snapshot_from_json(Json::parse(saved));
  REQUIRE(back);
  CHECK(back->secrets[0]["keys"] == Json::array({"AWS_SECRET_ACCESS_KEY", "EXECUTORS", "TOKEN"}));
  CHECK(back->logs[0].lines[1] == "jdbc:postgresql://hive:<redacted>@db:5432/metastore");
  CHECK(back->logs[0].lines[0] == "connecting to s3a://minio:9000 as <redacted>");
  CHECK(doctor::scrub_line("INFO SparkContext: Running Spark version 4.0.1") ==
        "INFO SparkContext: Running Spark version 4.0.1");
  // A hand-made snapshot with a value loses it on reading.
  Json edited = Json::parse(saved);
  edited["secrets"][0]["data"] = {{"K", "dmFsdWU="}};
  CHECK(doctor::snapshot_from_json(edited)->secrets[0].dump().find("dmFsdWU=") ==
        std::string::npos);
}

TEST_CASE("doctor: unreadable snapshots are refused with a reason", "[doctor]") {
  CHECK(doctor::snapshot_from_json(Json{{"kind", "PodList"}}).error() ==
        "not a doctor snapshot (kind is \"PodList\", expected \"DoctorSnapshot\" as `stackctl "
        "doctor --save` writes)");
  CHECK(doctor::snapshot_from_json(Json{{"kind", "DoctorSnapshot"}, {"version", 9}}).error() ==
        "snapshot version 9 is not one this stackctl reads (it reads version 1)");
  CHECK(doctor::snapshot_from_json(Json{{"kind", "DoctorSnapshot"}, {"version", 1}, {"pods", 3}})
            .error() == "pods is not a list");
}

TEST_CASE("doctor: only pods that need them have their logs read", "[doctor]") {
  CHECK(doctor::logs_to_read(running_pod("ok", "connect")).empty());
  const auto crash = pod_with("c", "connect",
                              waiting_status("connect", "CrashLoopBackOff", "back-off",
                                             {{"reason", "Error"}, {"exitCode", 1}}));
  const auto want = doctor::logs_to_read(crash);
  REQUIRE(want.size() == 1);
  CHECK(want[0].container == "connect");
  CHECK(want[0].previous);
  const auto not_ready = doctor::logs_to_read(running_pod("n", "connect", false));
  REQUIRE(not_ready.size() == 1);
  CHECK_FALSE(not_ready[0].previous);
}

TEST_CASE("doctor: alignment findings join the report with the ignore list and the counts") {
  doctor::Report r;
  auto finding = [](std::string code, doctor::Severity severity) {
    doctor::Finding f;
    f.code = std::move(code);
    f.severity = severity;
    f.object = "Namespace demo";
    f.evidence =
        "notebook image x runs PySpark 3.5.3 but the Connect server's image y is Spark 4.0.1";
    f.stack_key = "versions.pyspark";
    return f;
  };
  doctor::add(
      r,
      {finding("SL003", doctor::Severity::error), finding("SL005", doctor::Severity::warning),
       finding("SI001", doctor::Severity::warning)},
      {{"SI001", "Namespace demo"}});
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].code == "SL003");
  CHECK(r.findings[0].objects == std::vector<std::string>{"Namespace demo"});
  CHECK(r.findings[1].code == "SL005");
  CHECK(r.errors == 1);
  CHECK(r.warnings == 1);
  CHECK(r.ignored == 1);
}

TEST_CASE("doctor: Table not found in a log, and the metastore finding explains it", "[doctor]") {
  auto s = healthy();
  add_log(s, "demo-connect-5d8f-abc12", "connect",
          {"User class threw exception: org.apache.spark.sql.AnalysisException: Table or view "
           "not found: test_t1; line 1 pos 1"},
          true);
  auto r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_TABLE_NOT_FOUND"});
  CHECK(r.findings[0].severity == doctor::Severity::warning);
  // With the metastore's own line in the same log, the table finding is its consequence.
  add_log(s, "demo-connect-5d8f-abc12", "connect",
          {"MetaException(message:Could not connect to meta store using any of the URIs provided. "
           "Most recent failure: org.apache.thrift.transport.TTransportException",
           "org.apache.spark.sql.AnalysisException: Table or view not found: test_t1"},
          true);
  r = run(s);
  REQUIRE(codes(r) == std::vector<std::string>{"D_METASTORE_UNREACHABLE"});
}
