#include "core/doctor/log_rules.hpp"

#include "core/doctor/json_read.hpp"

namespace stackctl::doctor {

namespace {

using detail::contains;
using detail::quote;

// Kept in priority order: see the header.
const std::vector<LogSignal> kSignals = {
    {"D_CONNECT_DAEMONIZED",
     "Spark Connect server started in the background",
     Severity::error,
     {{"starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to"}},
     "start-connect-server.sh daemonizes the server and returns 0, so the container exits and "
     "Kubernetes restarts it (CrashLoopBackOff with exit 0)",
     "run the server in the foreground: SPARK_NO_DAEMONIZE=true in its environment, or "
     "spark-submit --class org.apache.spark.sql.connect.service.SparkConnectServer",
     "services.connect"},
    {"D_DRIVER_RBAC",
     "driver may not create executor pods",
     Severity::error,
     {{"pods is forbidden", "cannot create resource \\\"pods\\\""},
      {"pods is forbidden", "cannot create resource \"pods\""}},
     "the driver's ServiceAccount has no Role allowing it to create pods (or the pod runs as the "
     "namespace's default ServiceAccount)",
     "apply the spark Role and RoleBinding (`stackctl deploy`), and run the driver as the spark "
     "ServiceAccount: serviceAccountName and "
     "spark.kubernetes.authenticate.driver.serviceAccountName",
     ""},
    {"D_DRIVER_POD_NAME",
     "driver pod name is hard-coded",
     Severity::error,
     {{"No pod was found named", "supposed to be the driver pod"}},
     "spark.kubernetes.driver.pod.name names a pod that does not exist: a fixed name breaks with "
     "Deployments, whose pods get generated names",
     "set spark.kubernetes.driver.pod.name from the downward API (an env var from "
     "fieldRef metadata.name) instead of a fixed value",
     "spark.conf"},
    {"D_S3_VIRTUAL_HOST",
     "S3 client addresses the object store by virtual host",
     Severity::error,
     {},  // matched in code: UnknownHostException naming <bucket>.<object store host>
     "S3A uses virtual-host addressing (<bucket>.<host>), which MinIO and in-cluster endpoints "
     "do not resolve",
     "set fs.s3a.path.style.access=true (and fs.s3a.endpoint, fs.s3a.connection.ssl.enabled=false "
     "for plain-HTTP MinIO): in the stack, services.external.objectStore.pathStyleAccess",
     "services.external.objectStore"},
    {"D_CONNECT_IPV6",
     "Spark Connect server bound to IPv6 only",
     Severity::error,
     {{"Spark Connect server started at: 0:0:0:0:0:0:0:0:"}},
     "the JVM bound the gRPC port on the IPv6 wildcard; IPv4 clients and the tcpSocket probe "
     "get connection refused on clusters without dual-stack",
     "add -Djava.net.preferIPv4Stack=true to the server's JVM options (JAVA_TOOL_OPTIONS)",
     "services.connect"},
    {"D_METASTORE_UNREACHABLE",
     "Hive metastore cannot be reached",
     Severity::error,
     {{"MetaException(message:Could not connect to meta store using any of the URIs provided"},
      {"Could not connect to meta store"}},
     "the metastore's Service has no endpoints, or spark.hadoop.hive.metastore.uris names the "
     "wrong host or port (thrift 9083); queries then fail with Table not found",
     "check the metastore Service and its endpoints on 9083 and the stack's metastore URI",
     "services.external.metastore"},
    // The users' own troubleshooting table: "Table not found -> Hive metastore not connected"
    // (facts/errors.md, Platform). Spark 3.4+ writes [TABLE_OR_VIEW_NOT_FOUND], older releases
    // "Table or view not found: NAME" (stacks/errors.yaml X_TABLE_NOT_FOUND holds the sources).
    // A warning: the table may simply not exist.
    {"D_TABLE_NOT_FOUND",
     "a query names a table the session's catalog does not have",
     Severity::warning,
     {{"TABLE_OR_VIEW_NOT_FOUND"}, {"Table or view not found"}, {"Table not found"}},
     "often the session is not connected to the Hive metastore and sees an empty catalog "
     "(spark.sql.catalogImplementation or spark.hadoop.hive.metastore.uris not set); or the "
     "table really does not exist in the database named",
     "check spark.hadoop.hive.metastore.uris (thrift://HOST:9083) and that the metastore is "
     "reachable (D_METASTORE_UNREACHABLE when it is not); then the database and table names",
     "services.external.metastore"},
    {"D_KYUUBI_ENGINE_TIMEOUT",
     "Kyuubi engine did not start in time",
     Severity::error,
     {{"Timeout(", "to launched SPARK_SQL engine"}, {"kyuubi.session.engine.initialize.timeout"}},
     "the engine's driver pod stayed Pending, could not pull its image (minikube: not loaded), was "
     "refused by RBAC, or its executors could not reach it",
     "look at the engine pods' findings (kyuubi-* pods): image pull, RBAC, scheduling; on "
     "minikube `minikube image load` the engine image",
     "services.kyuubi"},
    {"D_CONNECT_UNAVAILABLE",
     "client cannot reach the Spark Connect server",
     Severity::error,
     {{"StatusCode.UNAVAILABLE"}, {"Connection refused", "15002"}},
     "the Connect server is not ready, crashed, has no endpoints, or listens on loopback/IPv6 "
     "only",
     "see the Connect server's findings (its Service's endpoints, its pod); check the client's "
     "sc://HOST:15002 names the Service",
     "services.connect.port"},
    {"D_DRIVER_UNREACHABLE",
     "executors cannot reach the driver",
     Severity::error,
     {{"Failed to connect to "}, {"java.net.UnknownHostException"}},
     "the driver's host is not resolvable from the executors, or its ports are not fixed and "
     "listed on a Service",
     "give the driver a headless Service, set spark.driver.host to <svc>.<ns>.svc and fixed "
     "spark.driver.port / spark.driver.blockManager.port listed on that Service",
     ""},
    {"D_EXECUTOR_KILLED_137",
     "executors exit with code 137 (killed for memory)",
     Severity::error,
     {{"exited with exit code 137"}},
     "the kernel killed executor containers for exceeding their memory limit (heap + overhead)",
     "raise spark.executor.memoryOverhead (or the memory) for this target",
     "spark.executor"},
    {"D_JAVA_OOM",
     "JVM ran out of heap",
     Severity::error,
     {{"java.lang.OutOfMemoryError"}},
     "the JVM heap is too small for the work (OutOfMemoryError)",
     "raise spark.executor.memory (or spark.driver.memory when the driver logged it)",
     "spark.executor.memory"},
};

bool matches_group(std::string_view line, const std::vector<std::string>& group) {
  for (const auto& needle : group)
    if (!contains(line, needle)) return false;
  return true;
}

// "java.net.UnknownHostException: bucket.minio.default.svc" naming <x>.<object store host>.
bool virtual_host(std::string_view line, const std::string& host) {
  const auto p = line.find("UnknownHostException");
  if (p == std::string_view::npos) return false;
  if (!host.empty()) {
    const auto h = line.find("." + host, p);
    return h != std::string_view::npos;
  }
  return false;
}

std::string clip(const std::string& line) {
  return line.size() <= 300 ? line : line.substr(0, 300) + "...";
}

std::vector<Finding> run_signal(const Snapshot& s, const LogSignal& sig) {
  std::vector<Finding> out;
  for (const auto& log : s.logs) {
    for (const auto& line : log.lines) {
      if (match_log_line(line, s.object_store_host) != sig.code) continue;
      std::string cause = sig.cause;
      if (sig.code == "D_DRIVER_RBAC")
        if (auto user = detail::quoted_after(line, "User \"")) {
          cause = *user + " may not create pods: " + cause;
          if (user->ends_with(":default")) cause += "; this pod runs as the default one";
        }
      out.push_back({sig.code,
                     sig.title,
                     sig.severity,
                     "Pod " + log.ns + "/" + log.pod + " container " + log.container,
                     std::string(log.previous ? "previous log: " : "log: ") + quote(clip(line)),
                     cause,
                     sig.fix,
                     {},
                     sig.stack_key});
      break;
    }
  }
  return out;
}

}  // namespace

const std::vector<LogSignal>& log_signals() {
  return kSignals;
}

std::string match_log_line(std::string_view line, const std::string& object_store_host) {
  for (const auto& sig : kSignals) {
    if (sig.code == "D_S3_VIRTUAL_HOST") {
      if (virtual_host(line, object_store_host)) return sig.code;
      continue;
    }
    for (const auto& group : sig.any_of)
      if (matches_group(line, group)) return sig.code;
  }
  return "";
}

std::vector<Rule> log_rules() {
  std::vector<Rule> out;
  for (const auto& sig : kSignals)
    out.push_back({sig.code, sig.title, sig.severity,
                   [&sig](const Snapshot& s) { return run_signal(s, sig); }});
  return out;
}

}  // namespace stackctl::doctor

namespace stackctl::doctor {

std::vector<LogRequest> logs_to_read(const kube::Json& pod) {
  using namespace detail;
  std::vector<LogRequest> out;
  for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
    const Json& list = at(at(pod, "status"), key);
    if (!list.is_array()) continue;
    const bool init = std::string_view(key) == "initContainerStatuses";
    for (const auto& cs : list) {
      const std::string name = str(cs, "name");
      const Json& state = at(cs, "state");
      const Json& last = at(at(cs, "lastState"), "terminated");
      const Json& term = at(state, "terminated");
      const std::string waiting = str(at(state, "waiting"), "reason");
      const bool failed_exit =
          at(term, "exitCode").is_number_integer() && at(term, "exitCode").get<int>() != 0;
      const bool running = state.contains("running");
      const bool not_ready =
          running && !init && at(cs, "ready").is_boolean() && !at(cs, "ready").get<bool>();
      const bool crashing =
          waiting == "CrashLoopBackOff" || waiting == "Error" || waiting == "RunContainerError";
      if (!crashing && !failed_exit && !not_ready && !(running && !last.empty())) continue;
      if (!last.empty()) out.push_back({name, true});
      if (running || !term.empty()) out.push_back({name, false});
    }
  }
  return out;
}

}  // namespace stackctl::doctor
