// The diagnosis rules over staged snapshots: each failure named, with its evidence quoted.
#include <catch2/catch.hpp>

#include "core/doctor/rules.hpp"

using namespace stackctl;
using kube::Json;

namespace {

Json pod(const std::string& phase, Json container_status = nullptr) {
  Json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", "demo-connect-abc"}, {"namespace", "demo"}, {"uid", "pod-1"}}},
            {"status", {{"phase", phase}}}};
  if (!container_status.is_null())
    p["status"]["containerStatuses"] = Json::array({container_status});
  return p;
}

Json waiting(const std::string& reason, const std::string& message = "") {
  Json cs = {{"name", "connect"},
             {"image", "registry.local/spark-connect@sha256:abc"},
             {"state", {{"waiting", {{"reason", reason}}}}}};
  if (!message.empty()) cs["state"]["waiting"]["message"] = message;
  return cs;
}

Json event(const std::string& uid, const std::string& reason, const std::string& message) {
  return {{"involvedObject", {{"uid", uid}, {"kind", "Pod"}}},
          {"reason", reason},
          {"message", message}};
}

doctor::Snapshot snapshot(Json p, std::vector<Json> events = {}) {
  doctor::Snapshot s;
  s.pods.push_back(std::move(p));
  Json list = {{"items", events}};
  s.events = doctor::index_events(list);
  return s;
}

std::vector<std::string> codes(const std::vector<doctor::Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.code);
  return out;
}

}  // namespace

TEST_CASE("rule codes are stable and unique", "[doctor]") {
  std::vector<std::string> all;
  for (const auto& r : doctor::rules()) all.push_back(r.code);
  // The workload rules first; the platform rules (test_doctor_platform.cpp) after them.
  REQUIRE(all.size() > 11);
  all.resize(11);
  CHECK(all == std::vector<std::string>{
                   "D_IMAGE_PULL", "D_CONFIG_MISSING", "D_MOUNT_MISSING",
                   "D_INSUFFICIENT_RESOURCES", "D_UNBOUND_PVC", "D_UNSCHEDULABLE", "D_OOMKILLED",
                   "D_EXITED_ZERO", "D_CRASH_LOOP", "D_REPLICA_FAILURE", "D_PROGRESS_DEADLINE"});
  CHECK(doctor::diagnose(snapshot(pod("Running"))).empty());
}

TEST_CASE("ImagePullBackOff names the image", "[doctor]") {
  const auto f = doctor::diagnose(snapshot(
      pod("Pending", waiting("ImagePullBackOff", "Back-off pulling image \"registry.local/x\""))));
  REQUIRE(codes(f) == std::vector<std::string>{"D_IMAGE_PULL"});
  CHECK(f[0].object == "Pod demo/demo-connect-abc container connect");
  CHECK(f[0].evidence ==
        "state.waiting.reason ImagePullBackOff: \"Back-off pulling image \"registry.local/x\"\"; "
        "image \"registry.local/spark-connect@sha256:abc\"");
  CHECK(f[0].fix.find("minikube image load") != std::string::npos);
  CHECK(codes(doctor::diagnose(snapshot(pod("Pending", waiting("ErrImagePull"))))) ==
        std::vector<std::string>{"D_IMAGE_PULL"});
}

TEST_CASE("Pending with FailedScheduling Insufficient cpu / memory", "[doctor]") {
  const std::string m = "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.";
  const auto f =
      doctor::diagnose(snapshot(pod("Pending"), {event("pod-1", "FailedScheduling", m)}));
  REQUIRE(codes(f) == std::vector<std::string>{"D_INSUFFICIENT_RESOURCES"});
  CHECK(f[0].evidence == "FailedScheduling: \"" + m + "\"");
  CHECK(f[0].cause.find("cpu and memory") != std::string::npos);
  // An older Insufficient message still counts when a later event says something else.
  CHECK(codes(doctor::diagnose(snapshot(
            pod("Pending"),
            {event("pod-1", "FailedScheduling", m),
             event("pod-1", "FailedScheduling", "no nodes available to schedule pods")}))) ==
        std::vector<std::string>{"D_INSUFFICIENT_RESOURCES"});
  // Another pod's event says nothing about this one.
  CHECK(
      doctor::diagnose(snapshot(pod("Pending"), {event("pod-2", "FailedScheduling", m)})).empty());
}

TEST_CASE("Pending on unbound claims, and other scheduling failures", "[doctor]") {
  auto f = doctor::diagnose(snapshot(
      pod("Pending"),
      {event("pod-1", "FailedScheduling",
             "0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.")}));
  CHECK(codes(f) == std::vector<std::string>{"D_UNBOUND_PVC"});
  f = doctor::diagnose(snapshot(
      pod("Pending"), {event("pod-1", "FailedScheduling", "no nodes available to schedule pods")}));
  CHECK(codes(f) == std::vector<std::string>{"D_UNSCHEDULABLE"});
  // The PodScheduled condition speaks when there is no event.
  Json p = pod("Pending");
  p["status"]["conditions"] =
      Json::array({{{"type", "PodScheduled"},
                    {"status", "False"},
                    {"reason", "Unschedulable"},
                    {"message", "0/2 nodes are available: 2 Insufficient memory."}}});
  f = doctor::diagnose(snapshot(p));
  REQUIRE(codes(f) == std::vector<std::string>{"D_INSUFFICIENT_RESOURCES"});
  CHECK(f[0].cause.find("more memory") != std::string::npos);
}

TEST_CASE("CreateContainerConfigError: a missing Secret or key", "[doctor]") {
  auto f = doctor::diagnose(snapshot(pod(
      "Pending", waiting("CreateContainerConfigError", "secret \"demo-spark-env\" not found"))));
  REQUIRE(codes(f) == std::vector<std::string>{"D_CONFIG_MISSING"});
  CHECK(f[0].cause == "Secret demo-spark-env does not exist in the namespace");
  f = doctor::diagnose(snapshot(
      pod("Pending",
          waiting("CreateContainerConfigError",
                  "couldn't find key AWS_SECRET_ACCESS_KEY in Secret demo/demo-spark-env"))));
  REQUIRE(codes(f) == std::vector<std::string>{"D_CONFIG_MISSING"});
  CHECK(f[0].cause == "a Secret the pod reads lacks the key AWS_SECRET_ACCESS_KEY");
}

TEST_CASE("FailedMount of a missing ConfigMap", "[doctor]") {
  const auto f = doctor::diagnose(snapshot(
      pod("Pending"),
      {event("pod-1", "FailedMount",
             "MountVolume.SetUp failed for volume \"conf\" : configmap \"demo-spark-defaults\" not "
             "found")}));
  REQUIRE(codes(f) == std::vector<std::string>{"D_MOUNT_MISSING"});
  CHECK(f[0].cause.starts_with("ConfigMap demo-spark-defaults is mounted"));
}

TEST_CASE("CrashLoopBackOff: OOMKilled, exit 0 (daemonized), other exits", "[doctor]") {
  Json cs = waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container");
  cs["lastState"] = {{"terminated", {{"reason", "OOMKilled"}, {"exitCode", 137}}}};
  auto f = doctor::diagnose(snapshot(pod("Running", cs)));
  REQUIRE(codes(f) == std::vector<std::string>{"D_OOMKILLED"});
  CHECK(
      f[0].evidence ==
      "state.waiting.reason CrashLoopBackOff; lastState.terminated.reason OOMKilled exitCode 137");
  CHECK(f[0].fix.find("memoryOverhead") != std::string::npos);

  cs["lastState"] = {{"terminated", {{"reason", "Completed"}, {"exitCode", 0}}}};
  f = doctor::diagnose(snapshot(pod("Running", cs)));
  REQUIRE(codes(f) == std::vector<std::string>{"D_EXITED_ZERO"});
  CHECK(f[0].fix.find("SPARK_NO_DAEMONIZE=true") != std::string::npos);

  cs["lastState"] = {{"terminated", {{"reason", "Error"}, {"exitCode", 1}}}};
  f = doctor::diagnose(snapshot(pod("Running", cs)));
  REQUIRE(codes(f) == std::vector<std::string>{"D_CRASH_LOOP"});
  CHECK(f[0].fix == "read its log: `kubectl logs --previous demo-connect-abc -c connect`");
}

TEST_CASE("ProgressDeadlineExceeded and ReplicaFailure on the workload", "[doctor]") {
  doctor::Snapshot s;
  s.workload = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "demo-connect"}, {"namespace", "demo"}}},
      {"status",
       {{"conditions",
         Json::array({{{"type", "Progressing"},
                       {"status", "False"},
                       {"reason", "ProgressDeadlineExceeded"},
                       {"message", "ReplicaSet \"demo-connect-1\" has timed out progressing."}},
                      {{"type", "ReplicaFailure"},
                       {"status", "True"},
                       {"reason", "FailedCreate"},
                       {"message",
                        "pods \"demo-connect-1-\" is forbidden: error looking up "
                        "service account demo/spark: serviceaccount \"spark\" not found"}}})}}}};
  const auto f = doctor::diagnose(s);
  REQUIRE(codes(f) == std::vector<std::string>{"D_REPLICA_FAILURE", "D_PROGRESS_DEADLINE"});
  CHECK(f[0].object == "Deployment demo/demo-connect");
  CHECK(f[0].evidence.find("serviceaccount \\\"spark\\\" not found") == std::string::npos);
  CHECK(f[0].evidence.find("serviceaccount \"spark\" not found") != std::string::npos);
  CHECK(f[1].evidence ==
        "condition Progressing ProgressDeadlineExceeded: \"ReplicaSet \"demo-connect-1\" has timed "
        "out progressing.\"");
}

TEST_CASE("FailedCreate events on a ReplicaSet or StatefulSet without the condition", "[doctor]") {
  const auto warning = [](const std::string& uid, const std::string& kind, const std::string& when,
                          const std::string& message) {
    return Json{{"involvedObject", {{"uid", uid}, {"kind", kind}}},
                {"type", "Warning"},
                {"reason", "FailedCreate"},
                {"lastTimestamp", when},
                {"message", message}};
  };
  doctor::Snapshot s;
  s.replica_sets.push_back(
      {{"apiVersion", "apps/v1"},
       {"kind", "ReplicaSet"},
       {"metadata", {{"name", "demo-connect-1"}, {"namespace", "demo"}, {"uid", "rs1"}}},
       {"status", {{"replicas", 0}}}});
  s.stateful_sets.push_back(
      {{"apiVersion", "apps/v1"},
       {"kind", "StatefulSet"},
       {"metadata", {{"name", "demo-kyuubi"}, {"namespace", "demo"}, {"uid", "ss1"}}},
       {"status", {{"replicas", 0}}}});
  Json list = {
      {"items", Json::array({warning("rs1", "ReplicaSet", "2026-12-01T10:00:00Z",
                                     "Error creating: pods \"demo-connect-1-abcde\" is forbidden: "
                                     "exceeded quota: compute, requested: cpu=2, limited: cpu=1"),
                             warning("rs1", "ReplicaSet", "2026-12-01T10:05:00Z",
                                     "Error creating: pods \"demo-connect-1-fghij\" is forbidden: "
                                     "exceeded quota: compute, requested: cpu=2, used: cpu=1"),
                             warning("ss1", "StatefulSet", "2026-12-01T10:01:00Z",
                                     "create Pod demo-kyuubi-0 in StatefulSet demo-kyuubi failed "
                                     "error: pods \"demo-kyuubi-0\" is forbidden: error looking up "
                                     "service account demo/kyuubi: serviceaccount \"kyuubi\" not "
                                     "found")})}};
  s.events = doctor::index_events(list);
  const auto f = doctor::diagnose(s);
  REQUIRE(codes(f) == std::vector<std::string>{"D_REPLICA_FAILURE", "D_REPLICA_FAILURE"});
  CHECK(f[0].object == "ReplicaSet demo/demo-connect-1");
  // The newest refusal is the evidence.
  CHECK(f[0].evidence ==
        "event FailedCreate: \"Error creating: pods \"demo-connect-1-fghij\" is forbidden: "
        "exceeded quota: compute, requested: cpu=2, used: cpu=1\"");
  CHECK(f[1].object == "StatefulSet demo/demo-kyuubi");
  CHECK(f[1].evidence.find("serviceaccount \"kyuubi\" not found") != std::string::npos);

  // A Normal event or another reason is not a refusal.
  s.events = doctor::index_events(
      Json{{"items", Json::array({{{"involvedObject", {{"uid", "rs1"}}},
                                   {"type", "Normal"},
                                   {"reason", "SuccessfulCreate"},
                                   {"message", "Created pod: demo-connect-1-abcde"}}})}});
  CHECK(doctor::diagnose(s).empty());
}
