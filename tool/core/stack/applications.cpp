// The `applications:` section: Spark applications the stack submits (docs/stack-file.md,
// "applications"; docs/applications.md). Also the one rule that keeps credentials out of Spark
// settings, here and in `spark.conf`.
#include <algorithm>
#include <cctype>
#include <regex>

#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

// Properties whose value is a credential. Sources: hadoop-aws's S3A options
// (fs.s3a.access.key, fs.s3a.secret.key, fs.s3a.session.token, per bucket as
// fs.s3a.bucket.<b>.*), Spark's spark.authenticate.secret and the Kubernetes OAuth token options
// (spark.kubernetes.authenticate.*.oauthToken, running-on-kubernetes.md); beyond those, any key
// whose last part is a token or a secret or ends in "password" (spark.ssl.keyStorePassword,
// javax.jdo.option.ConnectionPassword). Files holding one (…oauthTokenFile) are
// references, not values, and pass.
bool is_credential_key(const std::string& key) {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* suffix : {".access.key", ".secret.key", ".session.token"})
    if (lower.ends_with(suffix)) return true;
  const auto dot = lower.find_last_of('.');
  const std::string last = dot == std::string::npos ? lower : lower.substr(dot + 1);
  return last.ends_with("password") || last == "token" || last == "secret" || last == "oauthtoken";
}

bool is_main_resource(const std::string& uri) {
  static const std::regex local("local:///[^ ]+");
  static const std::regex s3a("s3a://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^ ]+");
  return std::regex_match(uri, local) || std::regex_match(uri, s3a);
}

void read_uri(Reader& r, ReadContext& ctx, const std::string& path, const doc::Node& node,
              std::string& out) {
  if (!node.is_scalar()) {
    report_type(ctx, node, path, "a string");
    return;
  }
  if (!is_main_resource(node.scalar)) {
    ctx.diags.error("E_VALUE", node.loc.known() ? node.loc : r.loc(), path,
                    "\"" + node.scalar + "\" is not a local:/// or s3a:// URI",
                    "a file inside the image is local:///opt/app/job.py (three slashes); a file "
                    "in the object store is s3a://bucket/path/job.py");
    return;
  }
  out = node.scalar;
}

void read_sizes(Reader r, ReadContext& ctx, bool executor, model::AppSizes& out) {
  if (executor) out.instances = r.integer("instances", Need::optional, 0, 10000);
  auto size = [&](const char* key, std::string& into) {
    auto v = r.string(key);
    if (!v) return;
    if (is_spark_size(*v)) {
      into = *v;
      return;
    }
    ctx.diags.error("E_VALUE", ctx.locs.at(r.child(key)), r.child(key),
                    "\"" + *v + "\" is not a Spark memory size", "write it like 2g, 512m or 4096m");
  };
  size("memory", out.memory);
  out.cores = r.integer("cores", Need::optional, 1, 1024);
  size("memoryOverhead", out.memory_overhead);
  r.finish();
}

// A mapping of scalars, in source order, each key's position recorded.
std::vector<std::pair<std::string, std::string>> read_pairs(Reader& r, ReadContext& ctx,
                                                            const char* key, const char* what) {
  std::vector<std::pair<std::string, std::string>> out;
  const doc::Node* n = r.node(key);
  if (n == nullptr || n->is_null()) return out;
  if (!n->is_map()) {
    report_type(ctx, *n, r.child(key), what);
    return out;
  }
  for (const auto& e : n->entries) {
    const std::string path = r.child(key) + "." + e.key;
    ctx.locs.set(path, e.key_loc);
    if (!e.value.is_scalar()) {
      report_type(ctx, e.value, path, "a string");
      continue;
    }
    out.emplace_back(e.key, e.value.scalar);
  }
  return out;
}

void read_secrets(Reader& r, ReadContext& ctx, std::vector<model::AppSecret>& out) {
  static const std::regex env_name("[A-Za-z_][A-Za-z0-9_]*");
  for (const auto& [node, path] : r.seq("secrets")) {
    Reader s(node, path, ctx);
    model::AppSecret secret;
    secret.env = s.string("env", Need::required).value_or("");
    if (!secret.env.empty() && !std::regex_match(secret.env, env_name))
      ctx.diags.error("E_VALUE", s.loc_of("env"), s.child("env"),
                      "\"" + secret.env + "\" is not an environment variable name",
                      "use letters, digits and '_', not starting with a digit");
    secret.secret = s.string("secret", Need::required).value_or("");
    static const std::regex subdomain(
        "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    if (!secret.secret.empty() &&
        (secret.secret.size() > 253 || !std::regex_match(secret.secret, subdomain)))
      ctx.diags.error("E_VALUE", s.loc_of("secret"), s.child("secret"),
                      "\"" + secret.secret + "\" is not a Secret name",
                      "a Kubernetes Secret name: lower-case letters, digits, '-' and '.'");
    secret.key = s.string("key").value_or(secret.env);
    s.finish();
    out.push_back(std::move(secret));
  }
}

// Settings render derives for a client-mode driver (docs/applications.md, "Client mode"): one
// source of truth, so an application's `conf` may not set them.
constexpr const char* kClientOwned[] = {
    "spark.master",
    "spark.submit.deployMode",
    "spark.driver.host",
    "spark.driver.bindAddress",
    "spark.driver.port",
    "spark.driver.blockManager.port",
    "spark.port.maxRetries",
    "spark.kubernetes.container.image",
    "spark.kubernetes.namespace",
    "spark.kubernetes.context",
    "spark.kubernetes.driver.pod.name",
};

// The most drivers `concurrentDrivers` may declare: 2 x 64 fixed ports from 7078, each named
// on the headless Service (names at most 15 characters: "blockmanager-63").
constexpr int kMaxConcurrentDrivers = 64;

// A host name (RFC 1123 labels) or an IPv4 or IPv6 literal, without scheme or port.
bool is_host(const std::string& h) {
  static const std::regex name(
      "([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
      ")*");
  static const std::regex ipv6("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
  return h.size() <= 253 && (std::regex_match(h, name) || std::regex_match(h, ipv6));
}

// `client:` of a client-mode application (model::ClientMode).
void read_client(Reader& parent, ReadContext& ctx, model::Application& app) {
  Reader r = parent.map("client");
  if (r.present() && app.deploy_mode != model::DeployMode::client)
    ctx.diags.error("E_VALUE", parent.loc_of("client"), parent.child("client"),
                    "`client` applies only to a client-mode application, and \"" + app.name +
                        "\" runs in cluster mode",
                    "add `deployMode: client`, or remove `client`");
  model::ClientMode& c = app.client;
  if (auto where = r.choice("runsIn", {"cluster", "outside"}))
    c.runs_in = *where == "outside" ? model::DriverPlace::outside : model::DriverPlace::cluster;
  const bool outside = c.runs_in == model::DriverPlace::outside;
  if (auto host = r.string("driverHost")) {
    if (!outside)
      ctx.diags.error("E_VALUE", r.loc_of("driverHost"), r.child("driverHost"),
                      "driverHost is for a driver outside the cluster; a driver in the cluster "
                      "is reached through the headless Service render makes for it",
                      "remove driverHost, or write `runsIn: outside`");
    else if (!is_host(*host))
      ctx.diags.error("E_VALUE", r.loc_of("driverHost"), r.child("driverHost"),
                      "\"" + *host + "\" is not a host name or IP address",
                      "write the address executors dial back, without scheme or port: "
                      "airflow-worker-1.example.com or 10.0.4.17");
    else
      c.driver_host = *host;
  }
  if (auto server = r.string("apiServer")) {
    static const std::regex url("https?://[^/\\s:]+(:[0-9]{1,5})?/?");
    if (!outside) {
      ctx.diags.error("E_VALUE", r.loc_of("apiServer"), r.child("apiServer"),
                      "apiServer is for a driver outside the cluster; a driver in the cluster "
                      "reaches the API server at https://kubernetes.default.svc:443",
                      "remove apiServer, or write `runsIn: outside`");
    } else if (refuse_url_credentials(ctx, *server, r.loc_of("apiServer"), r.child("apiServer"))) {
      // reported before the message below, which repeats the URL
    } else if (!std::regex_match(*server, url)) {
      ctx.diags.error("E_VALUE", r.loc_of("apiServer"), r.child("apiServer"),
                      "\"" + *server + "\" is not an API server URL",
                      "write https://host:port, as `kubectl cluster-info` prints it");
    } else {
      c.api_server = *server;
    }
  } else if (outside) {
    ctx.diags.error("E_MISSING", r.loc_of("runsIn"), r.child("apiServer"),
                    "a driver outside the cluster needs the target's API server: spark.master "
                    "is k8s://<apiServer>",
                    "add apiServer: https://host:port (`kubectl cluster-info` prints it; a "
                    "target's overrides may give each target its own)");
  }
  c.concurrent_drivers =
      r.integer("concurrentDrivers", Need::optional, 1, kMaxConcurrentDrivers).value_or(1);
  c.interactive = r.boolean("interactive").value_or(false);
  r.finish();
}

}  // namespace

void check_credential_conf(ReadContext& ctx, const std::string& key, SourceLoc at,
                           const std::string& path) {
  if (!is_credential_key(key)) return;
  // The variable the AWS SDK reads for an S3A credential; a placeholder for any other.
  const bool s3a = key.find("fs.s3a.") != std::string::npos;
  const std::string env = !s3a                              ? "<ENV_NAME>"
                          : key.ends_with(".access.key")    ? "AWS_ACCESS_KEY_ID"
                          : key.ends_with(".session.token") ? "AWS_SESSION_TOKEN"
                                                            : "AWS_SECRET_ACCESS_KEY";
  const std::string ref = env + "=<secret name>:<key>";
  ctx.diags.error(
      "E_CONF_CREDENTIAL", at, path,
      key +
          " holds a credential: a value here would sit in the stack file, in spark-defaults "
          "and on the spark-submit command line",
      "reference a Kubernetes Secret instead: in the application's `secrets:` write {env: " + env +
          ", secret: <secret name>, key: <key>}, which stackctl passes as "
          "spark.kubernetes.driver.secretKeyRef." +
          ref + " and spark.kubernetes.executor.secretKeyRef." + ref +
          (s3a ? " (S3A reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from "
                 "the environment)"
               : "") +
          "; on an eks target use IRSA instead: the spark ServiceAccount's IAM role, and no keys "
          "at all");
}

void read_applications(Reader& parent, ReadContext& ctx, std::vector<model::Application>& out) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [node, path] : parent.seq("applications")) {
    Reader r(node, path, ctx);
    model::Application app;
    app.name = r.string("name", Need::required).value_or("");
    if (!app.name.empty()) check_dns_label(ctx, app.name, r.loc_of("name"), r.child("name"));
    app.image = r.string("image", Need::required).value_or("");
    if (auto mode = r.choice("deployMode", {"cluster", "client"}))
      app.deploy_mode = *mode == "client" ? model::DeployMode::client : model::DeployMode::cluster;
    read_client(r, ctx, app);
    // An interactive driver is a pyspark shell: it has no main resource, class or arguments.
    const bool shell = app.client.interactive;
    if (const doc::Node* main = r.node("mainResource", shell ? Need::optional : Need::required)) {
      if (shell)
        ctx.diags.error(
            "E_VALUE", r.loc_of("mainResource"), r.child("mainResource"),
            "an interactive application runs the pyspark shell, which takes no main "
            "resource",
            "remove mainResource, or remove `interactive: true` to run it with spark-submit");
      else
        read_uri(r, ctx, r.child("mainResource"), *main, app.main_resource);
    }
    app.main_class = r.string("mainClass").value_or("");
    for (const auto& [file, file_path] : r.seq("pyFiles")) {
      std::string uri;
      read_uri(r, ctx, file_path, *file, uri);
      if (!uri.empty()) app.py_files.push_back(uri);
    }
    app.arguments = r.string_list("arguments");
    app.env = read_pairs(r, ctx, "env", "a mapping of environment variable names to values");
    app.conf = read_pairs(r, ctx, "conf", "a mapping of Spark property names to values");
    for (const auto& [key, value] : app.conf)
      check_credential_conf(ctx, key, ctx.locs.at(r.child("conf") + "." + key),
                            r.child("conf") + "." + key);
    for (const auto& [key, value] : app.env) {
      // The client-mode script exports each one: only a shell variable name can be exported.
      static const std::regex shell_name("[A-Za-z_][A-Za-z0-9_]*");
      if (app.deploy_mode == model::DeployMode::client && !std::regex_match(key, shell_name))
        ctx.diags.error("E_VALUE", ctx.locs.at(r.child("env") + "." + key),
                        r.child("env") + "." + key,
                        "\"" + key + "\" is not an environment variable name",
                        "use letters, digits and '_', not starting with a digit (the "
                        "client-mode script exports it)");
      std::string upper = key;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      const bool credential =
          upper == "AWS_ACCESS_KEY_ID" || upper.find("SECRET") != std::string::npos ||
          upper.find("PASSWORD") != std::string::npos || upper.find("TOKEN") != std::string::npos;
      if (credential)
        ctx.diags.error("E_CONF_CREDENTIAL", ctx.locs.at(r.child("env") + "." + key),
                        r.child("env") + "." + key,
                        key +
                            " looks like a credential: env values are written in clear into the "
                            "submitter Job and the driver and executor pods",
                        "name the Secret that holds it under `secrets:` instead: {env: " + key +
                            ", secret: <secret name>, key: <key>}");
    }
    if (app.deploy_mode == model::DeployMode::client)
      for (const auto& [key, value] : app.conf)
        for (const char* owned : kClientOwned)
          if (key == owned)
            ctx.diags.error("E_CONF_OWNED", ctx.locs.at(r.child("conf") + "." + key),
                            r.child("conf") + "." + key,
                            key + " is derived for a client-mode driver from `" +
                                r.child("client") + "` and the target",
                            "remove it from conf; render writes it into the application's "
                            "properties file (docs/applications.md, \"Client mode\")");
    if (shell && (!app.main_class.empty() || !app.arguments.empty()))
      ctx.diags.error("E_VALUE", r.loc_of(app.arguments.empty() ? "mainClass" : "arguments"),
                      r.child(app.arguments.empty() ? "mainClass" : "arguments"),
                      "an interactive application runs the pyspark shell, which takes no "
                      "mainClass or arguments",
                      "remove mainClass and arguments, or remove `interactive: true`");
    read_sizes(r.map("driver"), ctx, false, app.driver);
    read_sizes(r.map("executor"), ctx, true, app.executor);
    read_secrets(r, ctx, app.secrets);
    r.finish();
    names.emplace_back(app.name, path);
    out.push_back(std::move(app));
  }
  check_unique(ctx, names, "application name");
}

}  // namespace stackctl::detail
