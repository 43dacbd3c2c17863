#include "core/submit/spark_application.hpp"

#include <charconv>
#include <optional>

#include "core/render/common.hpp"

namespace stackctl::submit {

namespace {

using kube::Json;
using Conf = std::vector<std::pair<std::string, std::string>>;

// Replaces `key` where it is, or appends it: later sources win, the first position stays.
void set(Conf& conf, const std::string& key, const std::string& value) {
  for (auto& [k, v] : conf)
    if (k == key) {
      v = value;
      return;
    }
  conf.emplace_back(key, value);
}

// The target's spark-defaults with the application's settings over them, in the order submit's
// Job passes them (properties()), less the Kubernetes wiring the object's own fields carry.
Conf merged_conf(const model::Stack& stack, const model::Application& app, const Request& r) {
  Conf conf = render::spark_defaults(stack);
  for (const auto& [k, v] : properties(stack, app, r)) set(conf, k, v);
  std::erase_if(conf, [](const auto& kv) {
    return kv.first == "spark.kubernetes.namespace" ||                  // metadata.namespace
           kv.first == "spark.kubernetes.container.image" ||            // spec.image
           kv.first.starts_with("spark.kubernetes.driver.label.") ||    // driver.labels
           kv.first.starts_with("spark.kubernetes.executor.label.") ||  // executor.labels
           kv.first == "spark.kubernetes.authenticate.driver.serviceAccountName";
  });
  return conf;
}

std::optional<int> positive(const std::string& text) {
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

// An EnvVar, its name first (as kubectl prints one); a later one of the same name replaces it.
void add_env(Json& env, const std::string& name, const Json& source) {
  Json var = {{"name", name}};
  for (const auto& [k, v] : source.items()) var[k] = v;
  for (auto& e : env)
    if (e.value("name", "") == name) {
      e = std::move(var);
      return;
    }
  env.push_back(std::move(var));
}

// Moves the settings the CRD has a field for from `conf` into driver and executor: sizes, and
// the environment (secretKeyRefs, driverEnv/executorEnv). What stays is spec.sparkConf.
void take_fields(Conf& conf, Json& driver, Json& executor) {
  Conf rest;
  for (auto& [k, v] : conf) {
    const bool is_driver = k.starts_with("spark.driver.");
    const bool is_executor = k.starts_with("spark.executor.");
    Json* role = is_driver ? &driver : is_executor ? &executor : nullptr;
    const std::string field = role ? k.substr(k.find('.', 6) + 1) : "";
    constexpr std::string_view driver_ref = "spark.kubernetes.driver.secretKeyRef.";
    constexpr std::string_view executor_ref = "spark.kubernetes.executor.secretKeyRef.";
    constexpr std::string_view driver_env = "spark.kubernetes.driverEnv.";
    constexpr std::string_view executor_env = "spark.executorEnv.";
    if (role && (field == "cores" || field == "instances") && positive(v)) {
      if (field == "instances" && role != &executor) {
        rest.emplace_back(k, v);
        continue;
      }
      (*role)[field] = *positive(v);
    } else if (role && (field == "memory" || field == "memoryOverhead")) {
      (*role)[field] = v;
    } else if (k.starts_with(driver_ref) || k.starts_with(executor_ref)) {
      const bool d = k.starts_with(driver_ref);
      const std::string name = k.substr(d ? driver_ref.size() : executor_ref.size());
      const auto colon = v.find(':');
      if (colon == std::string::npos) {
        rest.emplace_back(k, v);
        continue;
      }
      add_env((d ? driver : executor)["env"], name,
              {{"valueFrom",
                {{"secretKeyRef", {{"name", v.substr(0, colon)}, {"key", v.substr(colon + 1)}}}}}});
    } else if (k.starts_with(driver_env) && !k.starts_with(executor_env)) {
      add_env(driver["env"], k.substr(driver_env.size()), {{"value", v}});
    } else if (k.starts_with(executor_env)) {
      add_env(executor["env"], k.substr(executor_env.size()), {{"value", v}});
    } else {
      rest.emplace_back(k, v);
    }
  }
  conf = std::move(rest);
}

std::string application_type(const model::Application& app) {
  const std::string& f = app.main_resource;
  if (f.ends_with(".py")) return "Python";
  if (f.ends_with(".R") || f.ends_with(".r")) return "R";
  return "Java";  // a JVM application; the operator submits Java and Scala alike (--class)
}

}  // namespace

std::expected<Submission, std::string> spark_application(const model::Stack& stack,
                                                         const model::Application& app,
                                                         const Request& r, Submission s) {
  const Json labels = detail::run_labels(stack, app, r, "spark-application");
  Json pod_labels = Json::object();
  for (const auto& [k, v] : labels.items())
    if (k.starts_with("stackctl.dev/")) pod_labels[k] = v;
  Json driver = {{"serviceAccount", s.service_account}, {"labels", pod_labels}};
  Json executor = {{"labels", pod_labels}};
  driver["env"] = Json::array();
  executor["env"] = Json::array();
  Conf conf = merged_conf(stack, app, r);
  take_fields(conf, driver, executor);
  for (Json* role : {&driver, &executor})
    if ((*role)["env"].empty()) role->erase("env");
  Json spark_conf = Json::object();
  for (const auto& [k, v] : conf) spark_conf[k] = v;

  Json spec = {{"type", application_type(app)},
               {"mode", "cluster"},
               {"image", r.image},
               {"sparkVersion", stack.versions.spark},
               {"mainApplicationFile", app.main_resource},
               // One attempt: the operator would otherwise resubmit a failed run under its name.
               {"restartPolicy", {{"type", "Never"}}},
               {"sparkConf", spark_conf},
               {"driver", driver},
               {"executor", executor}};
  if (!app.main_class.empty()) spec["mainClass"] = app.main_class;
  if (!app.arguments.empty()) spec["arguments"] = app.arguments;
  if (!app.py_files.empty()) spec["deps"] = {{"pyFiles", app.py_files}};
  Json object = {{"apiVersion", std::string(kOperatorGroup) + "/" + kOperatorVersion},
                 {"kind", "SparkApplication"},
                 {"metadata", {{"name", s.name}, {"namespace", r.ns}, {"labels", labels}}},
                 {"spec", spec}};
  s.objects.push_back(kube::Object{std::move(object)});
  return s;
}

OperatorEnd operator_end(const std::string& state) {
  if (state == "COMPLETED") return OperatorEnd::succeeded;
  if (state == "FAILED" || state == "SUBMISSION_FAILED") return OperatorEnd::failed;
  return OperatorEnd::none;
}

bool operator_running(const std::string& state) {
  return state == "RUNNING" || state == "SUCCEEDING" || state == "FAILING";
}

}  // namespace stackctl::submit
