#include "core/submit/client_mode.hpp"

#include <algorithm>

#include "core/render/common.hpp"
#include "core/render/manifests.hpp"
#include "core/stack/names.hpp"
#include "core/submit/submission.hpp"

namespace stackctl::submit::client {

namespace {

using Conf = std::vector<std::pair<std::string, std::string>>;
namespace k8s = render::detail::k8s;

constexpr std::string_view kDriverSecretRef = "spark.kubernetes.driver.secretKeyRef.";

// Sets `key`: a later value replaces an earlier one where it stood (java.util.Properties keeps
// the last line of a key anyway; one line per key keeps the file readable).
void put(Conf& c, const std::string& key, const std::string& value) {
  auto it = std::find_if(c.begin(), c.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == c.end())
    c.emplace_back(key, value);
  else
    it->second = value;
}

void add_sizes(const model::AppSizes& s, const std::string& role, Conf& c) {
  const std::string p = "spark." + role + ".";
  if (s.instances) put(c, p + "instances", std::to_string(*s.instances));
  if (!s.memory.empty()) put(c, p + "memory", s.memory);
  if (s.cores) put(c, p + "cores", std::to_string(*s.cores));
  if (!s.memory_overhead.empty()) put(c, p + "memoryOverhead", s.memory_overhead);
}

bool in_cluster(const model::Application& app) {
  return app.client.runs_in == model::DriverPlace::cluster;
}

// The stack's Secret-sourced variables, as spark-defaults refers drivers to them.
std::vector<SecretRef> stack_secret_env(const model::Stack& stack) {
  std::vector<SecretRef> out;
  for (const auto& [k, v] : render::spark_defaults(stack)) {
    if (!k.starts_with(kDriverSecretRef)) continue;
    const auto colon = v.find(':');
    out.push_back({k.substr(kDriverSecretRef.size()), v.substr(0, colon),
                   colon == std::string::npos ? "" : v.substr(colon + 1)});
  }
  return out;
}

}  // namespace

Ports ports(const model::Application& app) {
  Ports p;
  p.count = std::max(1, app.client.concurrent_drivers);
  p.driver = k8s::kDriverPort;
  p.block_manager = k8s::kDriverPort + p.count;
  p.ui = k8s::kSparkUiPort;
  p.max_retries = p.count - 1;
  return p;
}

std::string master(const model::Application& app) {
  if (in_cluster(app)) return std::string(k8s::kMaster);
  std::string server = app.client.api_server;
  if (server.ends_with('/')) server.pop_back();
  return "k8s://" + server;
}

std::string driver_host(const model::Stack& stack, const model::Application& app) {
  if (!in_cluster(app)) return app.client.driver_host;
  const model::Target* t = stack.find_target(stack.target);
  const std::string ns = t == nullptr ? "" : t->namespace_name;
  return names::client_driver(stack, app) + "." + ns + ".svc";
}

std::vector<std::pair<std::string, std::string>> properties(const model::Stack& stack,
                                                            const model::Application& app,
                                                            const Inputs& in) {
  Conf c;
  for (const auto& [k, v] : render::spark_defaults(stack))
    if (!k.starts_with(kDriverSecretRef)) put(c, k, v);
  // running-on-kubernetes.md: spark.kubernetes.container.image, .executor.label.[LabelName],
  // .executor.secretKeyRef.[EnvName]; configuration.md:
  // spark.executorEnv.[EnvironmentVariableName].
  put(c, "spark.kubernetes.container.image", in.image);
  put(c, std::string("spark.kubernetes.executor.label.") + kStackLabel, stack.metadata.name);
  put(c, std::string("spark.kubernetes.executor.label.") + kApplicationLabel, app.name);
  add_sizes(app.driver, "driver", c);
  add_sizes(app.executor, "executor", c);
  for (const auto& s : in.rendered_env)
    put(c, "spark.kubernetes.executor.secretKeyRef." + s.env, s.secret + ":" + s.key);
  for (const auto& s : app.secrets)
    put(c, "spark.kubernetes.executor.secretKeyRef." + s.env, s.secret + ":" + s.key);
  for (const auto& [k, v] : app.env) put(c, "spark.executorEnv." + k, v);
  for (const auto& [k, v] : app.conf) put(c, k, v);

  // The client-mode wiring (the loader refuses these keys in the application's conf).
  const Ports p = ports(app);
  put(c, "spark.master", master(app));
  put(c, "spark.submit.deployMode", "client");
  if (const std::string host = driver_host(stack, app); !host.empty())
    put(c, "spark.driver.host", host);
  // Listen on every interface: the advertised host (a Service name, a NAT address) need not be
  // an address of the driver's own interfaces (configuration.md, spark.driver.bindAddress).
  put(c, "spark.driver.bindAddress", "0.0.0.0");
  put(c, "spark.driver.port", std::to_string(p.driver));
  put(c, "spark.driver.blockManager.port", std::to_string(p.block_manager));
  put(c, "spark.ui.port", std::to_string(p.ui));
  put(c, "spark.port.maxRetries", std::to_string(p.max_retries));
  // Outside the cluster Spark's Kubernetes client configures itself from the kubeconfig's
  // current context, or the one named here (running-on-kubernetes.md, spark.kubernetes.context).
  if (!in_cluster(app))
    if (const model::Target* t = stack.find_target(stack.target); t && !t->context.empty())
      put(c, "spark.kubernetes.context", t->context);
  return c;
}

std::vector<SecretRef> driver_env(const model::Stack& stack, const model::Application& app,
                                  const Inputs& in) {
  std::vector<SecretRef> out;
  auto add = [&](const SecretRef& r) {
    auto same = [&](const SecretRef& x) { return x.env == r.env; };
    auto it = std::find_if(out.begin(), out.end(), same);
    if (it == out.end())
      out.push_back(r);
    else
      *it = r;  // the application's own Secret wins, as its secretKeyRef line does
  };
  for (const auto& r : stack_secret_env(stack)) add(r);
  for (const auto& r : in.rendered_env) add(r);
  for (const auto& s : app.secrets) add({s.env, s.secret, s.key});
  return out;
}

std::string properties_file(const model::Stack& stack, const model::Application& app,
                            const Inputs& in) {
  std::string out =
      "# Rendered by stackctl from the stack file: the client-mode driver of application " +
      app.name + " on target " + stack.target +
      ".\n# Do not edit: change the stack and re-render (docs/applications.md, \"Client "
      "mode\").\n"
      "# spark-submit --properties-file reads this file instead of conf/spark-defaults.conf, so "
      "it holds the stack's spark-defaults too.\n";
  const auto env = driver_env(stack, app, in);
  if (env.empty()) {
    out += "# The driver needs no variable from a Secret.\n";
  } else {
    out +=
        "# The driver's environment must hold these variables, from Kubernetes Secrets (no "
        "value is written here):\n";
    for (const auto& r : env)
      out += "#   " + r.env + " from Secret " + r.secret + ", key " + r.key + "\n";
  }
  for (const auto& [k, v] : properties(stack, app, in))
    out += render::escape_property_key(k) + " " + render::escape_property_value(v) + "\n";
  return out;
}

std::vector<std::string> command(const model::Application& app, const std::string& conf) {
  std::vector<std::string> argv;
  if (app.client.interactive) {
    argv = {"pyspark", "--properties-file", conf, "--name", app.name};
  } else {
    argv = {"spark-submit", "--deploy-mode", "client", "--properties-file",
            conf,           "--name",        app.name};
    if (!app.main_class.empty()) {
      argv.push_back("--class");
      argv.push_back(app.main_class);
    }
  }
  if (!app.py_files.empty()) {
    std::string files;
    for (const auto& f : app.py_files) files += (files.empty() ? "" : ",") + f;
    argv.push_back("--py-files");
    argv.push_back(files);
  }
  if (!app.client.interactive) {
    argv.push_back(app.main_resource);
    for (const auto& a : app.arguments) argv.push_back(a);
  }
  return argv;
}

std::string script(const model::Stack& stack, const model::Application& app, const Inputs& in) {
  using render::shell_quote;
  std::string out =
      "#!/bin/sh\n# Rendered by stackctl from the stack file: runs the client-mode driver of "
      "application " +
      app.name + " on target " + stack.target +
      ".\n# Do not edit: change the stack and re-render (docs/applications.md, "
      "\"Client mode\").\n";
  const auto env = driver_env(stack, app, in);
  if (!env.empty()) {
    out +=
        "# The environment must hold, from Kubernetes Secrets (a pod: env "
        "valueFrom.secretKeyRef):\n";
    for (const auto& r : env)
      out += "#   " + r.env + " from Secret " + r.secret + ", key " + r.key + "\n";
  }
  const model::Target* target = stack.find_target(stack.target);
  if (in_cluster(app))
    out += "# Run it in a pod of namespace " + (target ? target->namespace_name : "") +
           " labelled " + names::kClientDriverLabel + "=" + names::client_driver(stack, app) +
           ", as ServiceAccount " + std::string(k8s::kSparkServiceAccount) +
           ", with POD_NAME from the downward API (fieldRef metadata.name).\n";
  out += "set -eu\nhere=$(CDPATH= cd -- \"$(dirname -- \"$0\")\" && pwd)\n";
  for (const auto& [k, v] : app.env) out += "export " + k + "=" + shell_quote(v) + "\n";
  const std::vector<std::string> argv = command(app, "");
  out += "exec \"${SPARK_HOME:-/opt/spark}/bin/" + argv.front() + "\"";
  bool conf_written = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    // The properties file is beside the script: the one value not quoted as a constant.
    if (!conf_written && argv[i - 1] == "--properties-file") {
      conf_written = true;
      out += " \"$here/\"" + shell_quote(conf_file(app));
      if (in_cluster(app)) {
        // Executors owned by the driver's pod are deleted with it (running-on-kubernetes.md,
        // "Client Mode Executor Pod Garbage Collection"); the name is known only in the pod.
        out += " ${POD_NAME:+--conf \"spark.kubernetes.driver.pod.name=$POD_NAME\"}";
      }
      continue;
    }
    out += " " + shell_quote(argv[i]);
  }
  return out + " \"$@\"\n";
}

std::string conf_file(const model::Application& app) {
  return app.name + ".conf";
}

std::string script_file(const model::Application& app) {
  return app.name + ".submit.sh";
}

}  // namespace stackctl::submit::client
