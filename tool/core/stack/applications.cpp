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
    if (const doc::Node* main = r.node("mainResource", Need::required))
      read_uri(r, ctx, r.child("mainResource"), *main, app.main_resource);
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
    read_sizes(r.map("driver"), ctx, false, app.driver);
    read_sizes(r.map("executor"), ctx, true, app.executor);
    if (auto mode = r.choice("deployMode", {"cluster", "client"}))
      app.deploy_mode = *mode == "client" ? model::DeployMode::client : model::DeployMode::cluster;
    read_secrets(r, ctx, app.secrets);
    r.finish();
    names.emplace_back(app.name, path);
    out.push_back(std::move(app));
  }
  check_unique(ctx, names, "application name");
}

}  // namespace stackctl::detail
