#include "core/knowledge/check_platform.hpp"

#include "core/budget/budget.hpp"
#include "core/submit/client_mode.hpp"

namespace stackctl::check::detail {

namespace {

const model::Target* applied_target(const model::Stack& s, std::size_t& index) {
  for (index = 0; index < s.targets.size(); ++index)
    if (s.targets[index].name == s.target && !s.target.empty()) return &s.targets[index];
  return nullptr;
}

std::string hint_for(const budget::Pod& pod, const char* what) {
  if (pod.path == "services.kyuubi")
    return std::string("lower services.kyuubi.maxEngines, spark.driver.") +
           (std::string(what) == "memory" ? "memory or services.kyuubi.serverMemory" : "cores") +
           " (a target may override them), or run the target on larger nodes";
  if (pod.path == "spark.executor")
    return std::string("lower spark.executor.") +
           (std::string(what) == "memory" ? "memory (and memoryOverhead)"
                                          : "cores or requestCores") +
           " for this target, or run it on larger nodes";
  if (pod.path.starts_with("services.notebooks"))
    return std::string("lower ") +
           (std::string(what) == "memory" ? pod.path + ".memory or spark.driver.memory"
                                          : "spark.driver.cores") +
           " for this target, or run it on larger nodes";
  return std::string("lower spark.driver.") + (std::string(what) == "memory" ? "memory" : "cores") +
         " for this target, or run it on larger nodes";
}

}  // namespace

void sc025(const Facts& f, rules::Report<Finding>& r) {
  std::size_t i = 0;
  const model::Target* t = applied_target(*f.stack, i);
  if (t == nullptr || t->node.memory_mib == 0) return;
  const std::string node_key = "targets[" + std::to_string(i) + "].nodeAllocatable.memory";
  for (const auto& pod : budget::pods(*f.stack)) {
    if (pod.memory_mib() <= t->node.memory_mib) continue;
    r.add({{Severity::error,
            {},
            f.stack->locs.at(pod.path),
            pod.path,
            "the " + pod.name + "'s container needs " + pod.memory_sum() +
                ", more than one node of target " + t->name + " gives pods (" + node_key + ": " +
                std::to_string(t->node.memory_mib) +
                " MiB); the pod can never be scheduled (FailedScheduling: Insufficient memory)",
            hint_for(pod, "memory")},
           {{"memory", budget::quantity(pod.memory_mib())},
            {"node memory", budget::quantity(t->node.memory_mib)}}});
  }
}

void sc026(const Facts& f, rules::Report<Finding>& r) {
  std::size_t i = 0;
  const model::Target* t = applied_target(*f.stack, i);
  if (t == nullptr || t->node.cpu_milli == 0) return;
  const std::string node_key = "targets[" + std::to_string(i) + "].nodeAllocatable.cpu";
  for (const auto& pod : budget::pods(*f.stack)) {
    if (pod.cpu_milli <= t->node.cpu_milli) continue;
    r.add({{Severity::error,
            {},
            f.stack->locs.at(pod.path),
            pod.path,
            "the " + pod.name + " requests " + budget::cpu_quantity(pod.cpu_milli) + " CPU (" +
                pod.cpu_from + "), more than one node of target " + t->name + " gives pods (" +
                node_key + ": " + budget::cpu_quantity(t->node.cpu_milli) +
                "); the pod can never be scheduled (FailedScheduling: Insufficient cpu)",
            hint_for(pod, "cpu")},
           {{"cpu", budget::cpu_quantity(pod.cpu_milli)},
            {"node cpu", budget::cpu_quantity(t->node.cpu_milli)}}});
  }
}

void sc027(const Facts& f, rules::Report<Finding>& r) {
  std::size_t i = 0;
  const model::Target* t = applied_target(*f.stack, i);
  const auto& os = f.stack->services.external.object_store;
  if (t == nullptr || t->kind != model::TargetKind::eks ||
      os.kind == model::ObjectStoreKind::none || !os.credentials_secret.empty())
    return;
  const auto& keys = f.stack->spark_env.keys;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const std::string& name = keys[k].name;
    if (name != "AWS_ACCESS_KEY_ID" && name != "AWS_SECRET_ACCESS_KEY" &&
        name != "AWS_SESSION_TOKEN")
      continue;
    const std::string path = "sparkEnv.keys[" + std::to_string(k) + "]";
    r.add({{Severity::warning,
            {},
            f.stack->locs.at(path),
            path,
            "spark.env key " + name + " (from source \"" + keys[k].source +
                "\") reaches the pods, but on target " + t->name +
                " S3A takes its credentials only from IRSA (render sets "
                "fs.s3a.aws.credentials.provider to the web identity token provider, because "
                "services.external.objectStore has no credentialsSecret): the key is never used",
            "for IRSA, remove " + name +
                " from sparkEnv.keys (a target's overrides may keep it for the others); for "
                "access keys instead, put them in a Kubernetes Secret, name it in "
                "services.external.objectStore.credentialsSecret and remove them from "
                "sparkEnv.keys"},
           {}});
  }
}

namespace {

// Why executors cannot dial `host` back, or "" when nothing says they cannot: a loopback,
// unspecified or link-local address names, from an executor's pod, that pod itself or nothing
// routable (RFC 1122 3.2.1.3 for 127/8 and 0/8; RFC 3927 for 169.254/16; RFC 4291 for ::1, ::
// and fe80::/10).
std::string unreachable_because(const std::string& host) {
  std::string h = host;
  for (auto& ch : h) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  if (h == "localhost" || h.ends_with(".localhost") || h.starts_with("127.") || h == "::1")
    return "a loopback address: in an executor's pod it is that pod itself";
  if (h == "0.0.0.0" || h.starts_with("0.") || h == "::")
    return "the unspecified address, which is where to listen, not an address to dial";
  if (h.starts_with("169.254.") || h.starts_with("fe80:"))
    return "a link-local address, which no pod on another link can reach";
  return {};
}

}  // namespace

void sc029(const Facts& f, rules::Report<Finding>& r) {
  const auto& apps = f.stack->applications;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    const model::Application& app = apps[i];
    if (app.deploy_mode != model::DeployMode::client ||
        app.client.runs_in != model::DriverPlace::outside)
      continue;
    const std::string base = "applications[" + std::to_string(i) + "].client";
    const std::string& host = app.client.driver_host;
    std::string why;
    std::string path;
    if (host.empty()) {
      path = base + ".runsIn";
      why =
          "gives no driverHost: Spark then advertises the driver host's own name "
          "(spark.driver.host defaults to the local hostname), which executor pods can "
          "rarely resolve or route to";
    } else if (auto because = unreachable_because(host); !because.empty()) {
      path = base + ".driverHost";
      why = "advertises driverHost " + host + ", " + because;
    } else {
      continue;
    }
    const auto p = submit::client::ports(app);
    auto range = [&](int first) {
      return p.count == 1 ? std::to_string(first)
                          : std::to_string(first) + "-" + std::to_string(first + p.count - 1);
    };
    r.add(
        {{Severity::warning,
          {},
          f.stack->locs.at(path),
          path,
          "application " + app.name + "'s client-mode driver runs outside the cluster and " + why +
              "; its executors cannot connect back (\"Failed to connect to\" or "
              "UnknownHostException in their logs) and the application hangs waiting for them",
          "set " + base +
              ".driverHost to an address of the driver's host that the pods can "
              "route to, and let the pods reach its ports " +
              range(p.driver) + " and " + range(p.block_manager) +
              " (spark.driver.port, spark.driver.blockManager.port); or run the driver in a pod "
              "(runsIn: cluster), which render gives a headless Service"},
         {}});
  }
}

}  // namespace stackctl::check::detail
