#include "core/submit/submission.hpp"

#include <regex>

#include "core/render/manifests.hpp"
#include "core/stack/names.hpp"
#include "core/submit/client_mode.hpp"
#include "core/submit/spark_application.hpp"

namespace stackctl::submit {

namespace {

using kube::Json;
// The names and addresses the rendered workloads use (the spark ServiceAccount, the in-cluster
// master URL, where the spark-defaults ConfigMap is mounted): the submitter uses the same.
namespace k8s = render::detail::k8s;

Json labels_of(const model::Stack& stack, const model::Application& app, const Request& r) {
  return detail::run_labels(stack, app, r, "spark-submit");
}

void add_sizes(const model::AppSizes& s, const char* role,
               std::vector<std::pair<std::string, std::string>>& c) {
  const std::string p = std::string("spark.") + role + ".";
  if (s.instances) c.emplace_back(p + "instances", std::to_string(*s.instances));
  if (!s.memory.empty()) c.emplace_back(p + "memory", s.memory);
  if (s.cores) c.emplace_back(p + "cores", std::to_string(*s.cores));
  if (!s.memory_overhead.empty()) c.emplace_back(p + "memoryOverhead", s.memory_overhead);
}

}  // namespace

kube::Json detail::run_labels(const model::Stack& stack, const model::Application& app,
                              const Request& r, const std::string& component) {
  return Json{{"app.kubernetes.io/name", component},
              {"app.kubernetes.io/managed-by", "stackctl"},
              {kStackLabel, stack.metadata.name},
              {kApplicationLabel, app.name},
              {kRunLabel, r.run_id}};
}

std::vector<std::pair<std::string, std::string>> properties(const model::Stack& stack,
                                                            const model::Application& app,
                                                            const Request& r) {
  std::vector<std::pair<std::string, std::string>> c = {
      {"spark.kubernetes.namespace", r.ns},
      {"spark.kubernetes.container.image", r.image},
      {"spark.kubernetes.authenticate.driver.serviceAccountName",
       std::string(k8s::kSparkServiceAccount)},
  };
  const Json labels = labels_of(stack, app, r);
  for (const char* role : {"driver", "executor"})
    for (const auto& [k, v] : labels.items())
      if (k.starts_with("stackctl.dev/"))
        c.emplace_back(std::string("spark.kubernetes.") + role + ".label." + k,
                       v.get<std::string>());
  add_sizes(app.driver, "driver", c);
  add_sizes(app.executor, "executor", c);
  for (const auto& s : app.secrets) {
    c.emplace_back("spark.kubernetes.driver.secretKeyRef." + s.env, s.secret + ":" + s.key);
    c.emplace_back("spark.kubernetes.executor.secretKeyRef." + s.env, s.secret + ":" + s.key);
  }
  for (const auto& [k, v] : app.env) {
    c.emplace_back("spark.kubernetes.driverEnv." + k, v);
    c.emplace_back("spark.executorEnv." + k, v);
  }
  for (const auto& kv : app.conf) c.push_back(kv);
  return c;
}

std::expected<Submission, std::string> detail::begin(const model::Stack& stack,
                                                     const model::Application& app,
                                                     const Request& r) {
  static const std::regex label("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  if (!std::regex_match(r.run_id, label))
    return std::unexpected("run id \"" + r.run_id +
                           "\" is not a DNS label: use lower-case letters, digits and '-'");
  if (app.deploy_mode != model::DeployMode::cluster)
    return std::unexpected(
        "application \"" + app.name +
        "\" is deployMode: client, and `stackctl submit` runs cluster mode only: a client-mode "
        "driver runs where your orchestrator runs it. `stackctl render` writes what it needs: "
        "targets/" +
        stack.target + "/applications/" + client::conf_file(app) +
        " (spark-submit --properties-file) and " + client::script_file(app) +
        " (the command; docs/applications.md, \"Client mode\")");
  Submission s;
  s.target = stack.target;
  for (std::size_t i = 0; i < stack.targets.size(); ++i) {
    const model::Target& t = stack.targets[i];
    if (t.name != stack.target || !t.spark_operator) continue;
    s.via = Via::spark_operator;
    const SourceLoc at = stack.locs.at("targets[" + std::to_string(i) + "].sparkOperator");
    s.operator_at = at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
  }
  s.run_id = r.run_id;
  s.name = app.name + "-" + r.run_id;
  if (s.name.size() > 63)
    return std::unexpected("the " + s.kind() + "'s name \"" + s.name + "\" has " +
                           std::to_string(s.name.size()) +
                           " characters, more than 63: shorten the application's name or --run");
  s.driver_selector = std::string("spark-role=driver,") + kRunLabel + "=" + r.run_id;
  s.service_account = std::string(k8s::kSparkServiceAccount);
  return s;
}

std::expected<Submission, std::string> build(const model::Stack& stack,
                                             const model::Application& app, const Request& r) {
  auto started = detail::begin(stack, app, r);
  if (!started) return started;
  if (started->via == Via::spark_operator)
    return spark_application(stack, app, r, std::move(*started));
  Submission s = std::move(*started);
  s.config_map = names::spark_defaults(stack);
  s.service_account = std::string(k8s::kSparkServiceAccount);

  s.command = {"/opt/spark/bin/spark-submit",
               "--master",
               std::string(k8s::kMaster),
               "--deploy-mode",
               "cluster",
               "--name",
               app.name};
  if (!app.main_class.empty()) {
    s.command.push_back("--class");
    s.command.push_back(app.main_class);
  }
  if (!app.py_files.empty()) {
    std::string files;
    for (const auto& f : app.py_files) files += (files.empty() ? "" : ",") + f;
    s.command.push_back("--py-files");
    s.command.push_back(files);
  }
  for (const auto& [k, v] : properties(stack, app, r)) {
    s.command.push_back("--conf");
    s.command.push_back(k + "=" + v);
  }
  s.command.push_back(app.main_resource);
  for (const auto& a : app.arguments) s.command.push_back(a);

  const Json labels = labels_of(stack, app, r);
  const std::string conf_dir(k8s::kSparkConfDir);
  Json container = {
      {"name", "spark-submit"},
      {"image", r.image},
      {"command", s.command},
      {"env", Json::array({{{"name", "SPARK_CONF_DIR"}, {"value", conf_dir}}})},
      {"volumeMounts",
       Json::array({{{"name", "spark-conf"}, {"mountPath", conf_dir}, {"readOnly", true}}})}};
  Json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", s.name}, {"namespace", r.ns}, {"labels", labels}}},
      {"spec",
       {// spark-submit again would start a second driver: one attempt, its result is the run's.
        {"backoffLimit", 0},
        {"template",
         {{"metadata", {{"labels", labels}}},
          {"spec",
           {{"serviceAccountName", s.service_account},
            {"restartPolicy", "Never"},
            {"containers", Json::array({container})},
            {"volumes", Json::array({{{"name", "spark-conf"},
                                      {"configMap", {{"name", s.config_map}}}}})}}}}}}}};
  s.objects.push_back(kube::Object{std::move(job)});
  return s;
}

}  // namespace stackctl::submit
