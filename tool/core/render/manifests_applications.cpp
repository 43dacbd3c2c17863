// Client-mode applications of a target (docs/applications.md, "Client mode"): the properties file
// and the command script of each, from core/submit/client_mode, and for a driver that runs in the
// cluster its headless Service. Spark's running-on-kubernetes.md, "Client Mode Networking": a
// headless Service gives the driver's pod a stable hostname executors can reach; "ensure that the
// service's label selector will only match the driver pod", so the selector is one label whose
// value is the Service's own name, which the orchestrator puts on that one pod.
#include "core/render/common.hpp"
#include "core/render/manifests.hpp"
#include "core/stack/names.hpp"
#include "core/submit/client_mode.hpp"

namespace stackctl::render::detail::k8s {

namespace {

namespace client = submit::client;

// driver-rpc, blockmanager (and -1, -2, ... for each further concurrent driver): every port the
// drivers may listen on, so the Service documents them and a NetworkPolicy can name them.
Data driver_ports(const client::Ports& p) {
  Data list{Data::type::list};
  auto add = [&](const std::string& name, int port) {
    Data entry;
    entry.set("port_name", yaml_quote(name));
    entry.set("port", std::to_string(port));
    entry.set("grpc", false);
    list.push_back(entry);
  };
  for (int i = 0; i < p.count; ++i) {
    const std::string suffix = i == 0 ? "" : "-" + std::to_string(i);
    add("driver-rpc" + suffix, p.driver + i);
    add("blockmanager" + suffix, p.block_manager + i);
  }
  return list;
}

void emit_driver_service(Facts& f, const model::Application& app) {
  const std::string name = names::client_driver(f.stack, app);
  Data view = object_view(f, name, {"spark-driver", name, "client-driver"});
  view.set("selector", pair_list({{names::kClientDriverLabel, name}}));
  view.set("headless", true);
  view.set("ports", driver_ports(client::ports(app)));
  emit(f, "40", "service", name, "templates/kubernetes/service.yaml.mustache", view);
}

void render_application(Facts& f, const model::Application& app, const std::string& path) {
  client::Inputs in;
  in.image = image_ref_of(f, app.image, path + ".image");
  if (in.image.empty()) return;
  // Keys of the spark.env Secret render writes reach executors as the platform's pods get them.
  for (const auto& e : f.secret_env)
    if (e.executors) in.rendered_env.push_back({e.name, e.secret, e.key});

  const std::string dir = "targets/" + f.stack.target + "/applications/";
  const std::string conf = dir + client::conf_file(app);
  const std::string script = dir + client::script_file(app);
  f.out.files.push_back({conf, client::properties_file(f.stack, app, in), false, false});
  f.out.files.push_back({script, client::script(f.stack, app, in), false, true});

  ClientApplication entry;
  entry.target = f.stack.target;
  entry.application = app.name;
  entry.runs_in = model::to_string(app.client.runs_in);
  entry.conf = conf;
  entry.script = script;
  entry.command = client::command(app, conf);
  entry.driver_host = client::driver_host(f.stack, app);
  for (const auto& r : client::driver_env(f.stack, app, in))
    entry.driver_env.push_back({r.env, r.secret, r.key});
  if (app.client.runs_in == model::DriverPlace::cluster) {
    entry.service = names::client_driver(f.stack, app);
    emit_driver_service(f, app);
  }
  f.out.client_applications.push_back(std::move(entry));
}

}  // namespace

void render_client_applications(Facts& f) {
  const auto& apps = f.stack.applications;
  for (std::size_t i = 0; i < apps.size(); ++i)
    if (apps[i].deploy_mode == model::DeployMode::client)
      render_application(f, apps[i], "applications[" + std::to_string(i) + "]");
}

}  // namespace stackctl::render::detail::k8s
