// The workloads of a target: the Spark Connect server, notebooks, the history server and Kyuubi,
// each with its Services. Driver-like pods (Connect server, client-mode notebooks, Kyuubi) share
// the Spark-on-Kubernetes wiring: fixed driver ports, a driver host executors can reach, the
// driver pod's own name from the downward API, and the spark ServiceAccount.
#include "core/render/common.hpp"
#include "core/render/manifests.hpp"
#include "core/stack/names.hpp"

namespace stackctl::render::detail::k8s {

namespace {

// Variables every workload template has (docs/kubernetes.md, "Workload templates").
Data workload_view(const Facts& f, const std::string& name, const Labels& labels,
                   const std::string& image) {
  Data view = object_view(f, name, labels);
  view.set("image", yaml_quote(image));
  view.set("image_pull_policy",
           yaml_quote(image_pull_policy(f.stack.image_delivery(f.target), image)));
  view.set("master", yaml_quote(kMaster));
  view.set("service_account", yaml_quote(kSparkServiceAccount));
  view.set("config_map", yaml_quote(f.config_map));
  view.set("conf_dir", yaml_quote(kSparkConfDir));
  view.set("pod_annotations", checksum_annotations(f));
  view.set("secret_env", secret_env_list(f));
  view.set("env", pair_list({}));
  view.set("driver_port", std::to_string(kDriverPort));
  view.set("block_manager_port", std::to_string(kBlockManagerPort));
  view.set("ui_port", std::to_string(kSparkUiPort));
  view.set("spark_env_conf", false);
  return view;
}

// spark.* settings of a driver running in this pod, reached by executors at `host`.
std::vector<std::string> pod_driver_conf(const Facts& f, const std::string& image,
                                         const std::string& host) {
  auto conf = driver_conf(f, image);
  conf.insert(conf.begin(), {"spark.driver.host=" + host, "spark.driver.bindAddress=0.0.0.0",
                             "spark.driver.port=" + std::to_string(kDriverPort),
                             "spark.driver.blockManager.port=" + std::to_string(kBlockManagerPort),
                             // A Deployment's pod name is only known at run time.
                             "spark.kubernetes.driver.pod.name=$(POD_NAME)"});
  return conf;
}

const std::vector<Port> kDriverPorts = {{"driver-rpc", kDriverPort},
                                        {"blockmanager", kBlockManagerPort}};

}  // namespace

void render_connect(Facts& f) {
  const model::ConnectServer& c = f.stack.services.connect;
  const std::string name = names::connect(f.stack);
  const std::string image = image_ref_of(f, c.image, "services.connect.image");
  if (image.empty()) return;
  const Labels labels{"spark-connect", name, "connect-server"};
  emit_service(f, name, labels,
               {{"driver-rpc", kDriverPort},
                {"blockmanager", kBlockManagerPort},
                {"web-ui", kSparkUiPort},
                {"spark-connect", c.port, true}},
               false);
  // No headless Service for the driver: executors dial the pod IP (spark.driver.host below), so a
  // DNS name of the driver would be used by nothing.

  // Executors dial the pod IP: unlike a Service name it is unique to this very driver.
  auto conf = pod_driver_conf(f, image, "$(POD_IP)");
  conf.push_back("spark.connect.grpc.binding.port=" + std::to_string(c.port));
  conf.push_back("spark.ui.port=" + std::to_string(kSparkUiPort));
  // A spark.env key that carries spark.executor.instances wins: a --conf here would override the
  // value the pod writes into spark-defaults at start (spark_env_conf).
  if (c.executors && !carries_setting(f, "spark.executor.instances"))
    conf.push_back("spark.executor.instances=" + std::to_string(*c.executors));
  Data view = workload_view(f, name, labels, image);
  set_spark_env_conf(f, view);
  view.set("spark_conf", string_list(conf));
  view.set("connect_port", std::to_string(c.port));
  view.set("resources", pod_resources(budget::connect_server(f.stack)));
  emit(f, "50", "deployment", name, "templates/kubernetes/connect-server.yaml.mustache", view);
}

namespace {

void render_notebook(Facts& f, const model::Notebook& nb, const std::string& path) {
  const std::string name = names::notebook(f.stack, nb);
  const std::string image = image_ref_of(f, nb.image, path + ".image");
  if (image.empty()) return;
  const bool client = nb.mode == model::NotebookMode::client;
  const Labels labels{model::to_string(nb.kind), name, "notebook"};
  std::vector<Port> ui = {{"http", nb.port}};
  if (client) ui.push_back({"spark-ui", kSparkUiPort});
  emit_service(f, name, labels, ui, false);

  Data view = workload_view(f, name, labels, image);
  std::vector<std::pair<std::string, std::string>> env;
  if (client) {
    // Selects only this notebook's pod, so its DNS name is this driver's address.
    const std::string driver_service = names::notebook_driver(f.stack, nb);
    emit_service(f, driver_service, labels, kDriverPorts, true);
    std::string args = "--master " + std::string(kMaster) + " --deploy-mode client --name " + name;
    for (const auto& c : pod_driver_conf(f, image, driver_service + "." + f.ns() + ".svc"))
      args += " --conf " + option_arg(c);
    env.emplace_back("PYSPARK_SUBMIT_ARGS", args + " pyspark-shell");
    // The notebook server and its kernels beside the driver JVM (core/budget).
    view.set("resources", pod_resources(*budget::notebook(f.stack, nb, path)));
    set_spark_env_conf(f, view);
  } else {
    const model::ConnectServer& c = f.stack.services.connect;
    if (!c.enabled) {
      f.out.diags.error("E_VALUE", f.stack.locs.at(path + ".mode"), path + ".mode",
                        "notebook \"" + nb.name +
                            "\" is a Spark Connect client, but services.connect is not enabled",
                        "enable services.connect, or use mode: client");
      return;
    }
    env.emplace_back("SPARK_REMOTE",
                     "sc://" + names::connect(f.stack) + ":" + std::to_string(c.port));
    view.set("resources", false);
    // A thin client holds no credentials: no Secret in its env, so no checksum of it either (a
    // Vault change must not restart notebooks that never see the values).
    view.set("secret_env", Data{Data::type::list});
    view.set("pod_annotations", checksum_annotations(f, ReadsSecret::no));
    // Nor any Kubernetes API access: its own ServiceAccount, without the spark Role and without
    // a token in the pod (docs/kubernetes.md, "RBAC").
    view.set("service_account", yaml_quote(kNotebookServiceAccount));
  }
  view.set("env", pair_list(env));
  view.set("client", client);
  view.set("jupyter", nb.kind == model::NotebookKind::jupyterhub);
  view.set("marimo", nb.kind == model::NotebookKind::marimo);
  view.set("port", std::to_string(nb.port));
  emit(f, "50", "deployment", name, "templates/kubernetes/notebook.yaml.mustache", view);
}

}  // namespace

void render_notebooks(Facts& f) {
  const auto& notebooks = f.stack.services.notebooks;
  for (std::size_t i = 0; i < notebooks.size(); ++i)
    render_notebook(f, notebooks[i], "services.notebooks[" + std::to_string(i) + "]");
}

void render_history_server(Facts& f) {
  const model::HistoryServer& h = f.stack.services.history_server;
  const std::string name = names::history_server(f.stack);
  const std::string image = image_ref_of(f, h.image, "services.historyServer.image");
  if (image.empty()) return;
  const Labels labels{"spark-history-server", name, "history-server"};

  emit_service(f, name, labels, {{"http", h.port}}, false);

  // It runs as the spark ServiceAccount: on EKS, the one IRSA role Terraform trusts and grants
  // the event log bucket (the bucket of logDirectory is among the role's buckets).
  Data view = workload_view(f, name, labels, image);
  view.set("port", std::to_string(h.port));
  view.set("env", pair_list({{"SPARK_HISTORY_OPTS",
                              option_arg("-Dspark.history.fs.logDirectory=" + h.log_directory) +
                                  " -Dspark.history.ui.port=" + std::to_string(h.port)}}));
  // The history server stops at start when its log directory does not exist (FsHistoryProvider:
  // "Log directory specified does not exist"), which is how an empty bucket or prefix looks: an
  // init container in the same image, with the same credentials, creates it first.
  view.set("event_log_mkdir", string_list(event_log_mkdir_args(f, h.log_directory)));
  emit(f, "50", "deployment", name, "templates/kubernetes/history-server.yaml.mustache", view);
}

namespace {

// kyuubi-defaults.conf: the frontends on fixed ports, the share level, and how Kyuubi launches
// Spark engines (client mode, as subprocesses of the server, in this pod).
std::string kyuubi_defaults(const Facts& f, const std::string& image) {
  const model::Kyuubi& k = f.stack.services.kyuubi;
  std::vector<std::pair<std::string, std::string>> conf = {
      {"kyuubi.engine.type", "SPARK_SQL"},
      {"kyuubi.engine.share.level", model::to_string(k.share_level)},
      {"kyuubi.frontend.bind.host", "0.0.0.0"},
      {"kyuubi.frontend.protocols", "THRIFT_BINARY,THRIFT_HTTP,REST"},
      {"kyuubi.frontend.thrift.binary.bind.port", std::to_string(k.port)},
      {"kyuubi.frontend.thrift.http.bind.port", std::to_string(kKyuubiThriftHttpPort)},
      {"kyuubi.frontend.rest.bind.port", std::to_string(kKyuubiRestPort)},
      {"kyuubi.metrics.enabled", "true"},
      {"kyuubi.metrics.reporters", "PROMETHEUS"},
      {"kyuubi.metrics.prometheus.port", std::to_string(kKyuubiMetricsPort)},
      {"kyuubi.kubernetes.namespace", f.ns()},
      {"spark.master", std::string(kMaster)},
      {"spark.submit.deployMode", "client"},
      {"spark.driver.bindAddress", "0.0.0.0"},
      // A StatefulSet's single pod has a fixed name, so engines can own their executors.
      {"spark.kubernetes.driver.pod.name", names::kyuubi_pod(f.stack)},
  };
  for (const auto& c : driver_conf(f, image)) {
    const auto eq = c.find('=');
    conf.emplace_back(c.substr(0, eq), c.substr(eq + 1));
  }
  std::string text = "# kyuubi-defaults.conf rendered by stackctl for stack " +
                     f.stack.metadata.name + ", target " + f.stack.target + "\n";
  for (const auto& [key, value] : conf)
    text += escape_property_key(key) + "=" + escape_property_value(value) + "\n";
  return text;
}

}  // namespace

void render_kyuubi(Facts& f) {
  const model::Kyuubi& k = f.stack.services.kyuubi;
  const std::string name = names::kyuubi(f.stack);
  const std::string image = image_ref_of(f, k.image, "services.kyuubi.image");
  if (image.empty()) return;
  const Labels labels{"kyuubi", name, "sql-gateway"};

  const std::string conf_name = names::kyuubi_conf(f.stack);
  const std::string conf = kyuubi_defaults(f, image);
  Data cm = object_view(f, conf_name, labels);
  Data entry;
  entry.set("key", yaml_quote("kyuubi-defaults.conf"));
  entry.set("value", yaml_block(conf, 4));
  Data data{Data::type::list};
  data.push_back(entry);
  cm.set("data", data);
  emit(f, "30", "configmap", conf_name, "templates/kubernetes/configmap.yaml.mustache", cm);

  const std::vector<Port> ports = {{"thrift-binary", k.port},
                                   {"thrift-http", kKyuubiThriftHttpPort},
                                   {"rest", kKyuubiRestPort},
                                   {"metrics", kKyuubiMetricsPort}};
  emit_service(f, name, labels, ports, false);

  Data view = workload_view(f, name, labels, image);
  view.set("pod_annotations", checksum_annotations(f, ReadsSecret::yes,
                                                   {{"checksum/kyuubi-config", sha256_hex(conf)}}));
  // The StatefulSet's governing Service (a required field on older apiservers): the ClusterIP one.
  // Nothing dials the pod by a per-pod DNS name (engines' executors use the pod IP), so no
  // headless Service is rendered for it.
  view.set("service_name", yaml_quote(name));
  set_spark_env_conf(f, view);
  view.set("kyuubi_config_map", yaml_quote(conf_name));
  view.set("thrift_binary_port", std::to_string(k.port));
  view.set("thrift_http_port", std::to_string(kKyuubiThriftHttpPort));
  view.set("rest_port", std::to_string(kKyuubiRestPort));
  view.set("metrics_port", std::to_string(kKyuubiMetricsPort));
  // The server JVM and maxEngines engine drivers share this container (core/budget).
  const budget::Pod pod = *budget::kyuubi(f.stack);
  view.set("resources", pod_resources(pod));
  view.set("server_java_opts", yaml_quote("-Xmx" + std::to_string(pod.memory.front().mib) + "m"));
  emit(f, "51", "statefulset", name, "templates/kubernetes/kyuubi.yaml.mustache", view);
}

}  // namespace stackctl::render::detail::k8s
