// Sections of the stack file that describe what runs: images, spark.env sources, services and
// targets.
#include <regex>

#include "core/image_ref.hpp"
#include "core/knowledge/version.hpp"
#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

int read_port(Reader& r, const char* key, int fallback) {
  return r.integer(key, Need::optional, 1, 65535).value_or(fallback);
}

// A version with exactly `parts` dotted numbers, or "" after reporting it.
std::string checked_version(ReadContext& ctx, Reader& r, const char* key, const std::string& v,
                            std::size_t parts, const char* example) {
  const auto parsed = Version::parse(v);
  if (parsed && parsed->size() == parts && parsed->suffix().empty()) return v;
  ctx.diags.error("E_VERSION", ctx.locs.at(r.child(key)), r.child(key),
                  "\"" + v + "\" is not a valid " + key,
                  std::string("write it like \"") + example + "\"");
  return {};
}

// A Spark memory size ("2g", "512m") at `key`, else `fallback` after reporting a bad one.
std::string read_memory(Reader& r, ReadContext& ctx, const char* key, std::string fallback) {
  const auto v = r.string(key);
  if (!v) return fallback;
  if (is_spark_size(*v)) return *v;
  ctx.diags.error("E_VALUE", ctx.locs.at(r.child(key)), r.child(key),
                  "\"" + *v + "\" is not a Spark memory size", "write it like 2g, 512m or 4096m");
  return fallback;
}

// A Kubernetes memory quantity ("57Gi", "60000Mi", "64G", bytes) in MiB, truncated; nullopt when
// it is not one. Suffixes as resource.Quantity reads them (binary Ki..Ti, decimal k..T).
std::optional<std::int64_t> memory_quantity_mib(const std::string& q) {
  static const std::regex re("([0-9]{1,15})(Ki|Mi|Gi|Ti|k|M|G|T)?");
  std::smatch m;
  if (!std::regex_match(q, m, re)) return std::nullopt;
  const long double n = std::stold(m[1].str());
  static const std::pair<const char*, long double> kUnits[] = {{"", 1.0L},
                                                               {"Ki", 1024.0L},
                                                               {"Mi", 1048576.0L},
                                                               {"Gi", 1073741824.0L},
                                                               {"Ti", 1099511627776.0L},
                                                               {"k", 1e3L},
                                                               {"M", 1e6L},
                                                               {"G", 1e9L},
                                                               {"T", 1e12L}};
  for (const auto& [unit, bytes] : kUnits)
    if (m[2].str() == unit) return static_cast<std::int64_t>(n * bytes / 1048576.0L);
  return std::nullopt;
}

// A Kubernetes CPU quantity ("8", "7.5", "7910m") in millicores; nullopt when it is not one.
std::optional<std::int64_t> cpu_quantity_milli(const std::string& q) {
  static const std::regex re("([0-9]{1,9})(\\.([0-9]{1,3}))?|([0-9]{1,12})m");
  std::smatch m;
  if (!std::regex_match(q, m, re)) return std::nullopt;
  if (m[4].matched) return std::stoll(m[4].str());
  std::string frac = m[3].matched ? m[3].str() : "";
  frac.resize(3, '0');
  return std::stoll(m[1].str()) * 1000 + std::stoll(frac);
}

// targets[i].nodeAllocatable: {memory, cpu}, what one node gives pods.
model::NodeAllocatable read_node(Reader& parent, ReadContext& ctx) {
  model::NodeAllocatable out;
  Reader n = parent.map("nodeAllocatable");
  if (!n.present()) return out;
  if (const auto mem = n.string("memory")) {
    if (const auto mib = memory_quantity_mib(*mem); mib && *mib > 0)
      out.memory_mib = *mib;
    else
      ctx.diags.error("E_VALUE", ctx.locs.at(n.child("memory")), n.child("memory"),
                      "\"" + *mem + "\" is not a Kubernetes memory quantity",
                      "write the node's allocatable memory like \"57Gi\" or \"60000Mi\" "
                      "(`kubectl describe node`, Allocatable)");
  }
  if (const auto cpu = n.string("cpu")) {
    if (const auto milli = cpu_quantity_milli(*cpu); milli && *milli > 0)
      out.cpu_milli = *milli;
    else
      ctx.diags.error("E_VALUE", ctx.locs.at(n.child("cpu")), n.child("cpu"),
                      "\"" + *cpu + "\" is not a Kubernetes CPU quantity",
                      "write the node's allocatable CPU like \"8\", \"7.9\" or \"7910m\"");
  }
  n.finish();
  return out;
}

// `enabled` defaults to true when the section is written at all.
bool read_enabled(Reader& r) {
  return r.present() && r.boolean("enabled").value_or(true);
}

}  // namespace

void read_images(Reader& parent, ReadContext& ctx, std::vector<model::Image>& out) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [node, path] : parent.seq("images", Need::required)) {
    Reader r(node, path, ctx);
    model::Image img;
    img.name = r.string("name", Need::required).value_or("");
    if (!img.name.empty()) check_dns_label(ctx, img.name, r.loc_of("name"), r.child("name"));
    Reader from = r.map("from", Need::required);
    auto image = from.string("image");
    auto external = from.string("external");
    if (image && external) {
      ctx.diags.error("E_VALUE", from.loc(), from.path(),
                      "`from` takes `image` or `external`, not both",
                      "image: another image of this stack; external: a registry reference");
    } else if (image) {
      img.from = {model::ImageFrom::Kind::image, *image};
      if (image->empty())
        ctx.diags.error("E_VALUE", ctx.locs.at(from.child("image")), from.child("image"),
                        "`from.image` is empty", "name another image of this stack: spark-base");
    } else if (external) {
      img.from = {model::ImageFrom::Kind::external, *external};
      if (external->empty()) {
        ctx.diags.error("E_VALUE", ctx.locs.at(from.child("external")), from.child("external"),
                        "`from.external` is empty", "name a registry image: debian:bookworm-slim");
      } else if (auto ref = parse_image_ref(*external); !ref) {
        // It is the Dockerfile's FROM: nothing but a reference may go there.
        ctx.diags.error("E_VALUE", ctx.locs.at(from.child("external")), from.child("external"),
                        ref.error().message, ref.error().hint);
      }
    } else if (from.present()) {
      ctx.diags.error("E_REQUIRED", from.loc(), from.path(), "`from` needs `image` or `external`",
                      "e.g. from: {image: spark-base} or from: {external: debian:bookworm-slim}");
    }
    from.finish();
    img.recipe = r.string("recipe").value_or(img.name);
    if (!is_dns_label(img.recipe)) {
      ctx.diags.error("E_VALUE", ctx.locs.at(r.child("recipe")), r.child("recipe"),
                      "recipe \"" + img.recipe + "\" is not a folder name under images/",
                      "name a recipe folder: spark-base, spark-connect, notebook, kyuubi, "
                      "history-server, or one of your own under --templates DIR/images/");
    }
    if (auto tag = r.string("tag", Need::required)) {
      img.tag_template = *tag;
      // Point tag errors at the template's first character, inside any quote.
      const doc::Node* t = node->find("tag");
      if (t->quoted && t->loc.known() && t->loc.line == node->key_loc("tag").line) {
        ctx.locs.set(r.child("tag"), {t->loc.file, t->loc.line, t->loc.column + 1});
      }
    }
    img.python = r.boolean("python").value_or(false);
    if (auto v = r.version("pythonVersion"))
      img.python_version = checked_version(ctx, r, "pythonVersion", *v, 2, "3.11");
    if (auto v = r.version("javaVersion"))
      img.java_version = checked_version(ctx, r, "javaVersion", *v, 1, "17");
    img.conda_envs = r.string_list("conda");
    read_image_files(r, ctx, img.files);
    r.finish();
    names.emplace_back(img.name, path);
    out.push_back(std::move(img));
  }
  check_unique(ctx, names, "image name");
}

void read_spark_env(Reader r, ReadContext& ctx, model::SparkEnv& out) {
  std::vector<std::pair<std::string, std::string>> source_names, key_names;
  for (const auto& [node, path] : r.seq("sources")) {
    Reader s(node, path, ctx);
    model::SecretSource src;
    src.name = s.string("name", Need::required).value_or("");
    Reader vault = s.map("vault");
    auto file = s.string("file");
    auto secret = s.string("kubernetesSecret");
    const int kinds = (vault.present() ? 1 : 0) + (file ? 1 : 0) + (secret ? 1 : 0);
    if (kinds != 1) {
      ctx.diags.error("E_VALUE", s.loc(), path,
                      kinds == 0 ? "a source needs one of `vault`, `file`, `kubernetesSecret`"
                                 : "a source takes exactly one of `vault`, `file`, "
                                   "`kubernetesSecret`",
                      "see \"sparkEnv\" in docs/stack-file.md");
    }
    if (vault.present()) {
      src.type = model::SecretSourceType::vault;
      src.mount = vault.string("mount").value_or("secret");
      src.path = vault.string("path", Need::required).value_or("");
      // Both become part of Vault API paths (/v1/<mount>/data/<path>).
      if (!src.path.empty())
        check_relative_path(ctx, src.path, ctx.locs.at(vault.child("path")), vault.child("path"),
                            "the Vault secret path", false);
      check_relative_path(ctx, src.mount, ctx.locs.at(vault.child("mount")), vault.child("mount"),
                          "the Vault mount", false);
      src.kv_version = vault.integer("kv", Need::optional, 1, 2).value_or(0);
      src.version = vault.integer("version", Need::optional, 1).value_or(0);
      // The rendered Terraform writes with vault_kv_secret_v2, i.e. to <mount>/data/<path>: on a
      // KV v1 mount that is another secret than the one read, so the SRE loop would not close.
      if (src.kv_version == 1)
        ctx.diags.warning("W_VAULT_KV1", vault.loc_of("kv"), vault.child("kv"),
                          "the rendered Terraform (vault-spark-env) writes KV v2 only; on this KV "
                          "v1 mount it would write " +
                              src.mount + "/data/" + src.path + ", not the secret stackctl reads",
                          "use a KV v2 mount, or write this secret outside Terraform");
      if (src.version != 0 && src.kv_version == 1)
        ctx.diags.error("E_VALUE", vault.loc_of("version"), vault.child("version"),
                        "a KV v1 secret has no versions to pin",
                        "remove `version`, or use a KV v2 mount (`kv: 2`)");
    } else if (file) {
      src.type = model::SecretSourceType::file;
      check_relative_path(ctx, *file, ctx.locs.at(s.child("file")), s.child("file"),
                          "the values file");
      src.path = *file;
    } else if (secret) {
      src.type = model::SecretSourceType::kubernetes_secret;
      src.secret = *secret;
      if (secret->empty())
        ctx.diags.error("E_VALUE", ctx.locs.at(s.child("kubernetesSecret")),
                        s.child("kubernetesSecret"), "`kubernetesSecret` is empty",
                        "name the Kubernetes Secret that holds the keys, e.g. spark-env");
    }
    vault.finish();
    s.finish();
    source_names.emplace_back(src.name, path);
    out.sources.push_back(std::move(src));
  }
  static const std::regex env_name("[A-Za-z_][A-Za-z0-9_]*");
  for (const auto& [node, path] : r.seq("keys")) {
    Reader k(node, path, ctx);
    model::EnvKey key;
    key.name = k.string("name", Need::required).value_or("");
    if (!key.name.empty() && !std::regex_match(key.name, env_name)) {
      ctx.diags.error("E_VALUE", k.loc_of("name"), k.child("name"),
                      "\"" + key.name + "\" is not a valid environment variable name",
                      "use letters, digits and '_', not starting with a digit");
    }
    key.source = k.string("from", Need::required).value_or("");
    key.key = k.string("key").value_or(key.name);
    key.required = k.boolean("required").value_or(true);
    k.finish();
    key_names.emplace_back(key.name, path);
    out.keys.push_back(std::move(key));
  }
  check_unique(ctx, source_names, "spark.env source name");
  check_unique(ctx, key_names, "spark.env key");
  r.finish();
}

namespace {

void read_external(Reader r, ReadContext& ctx, model::External& out) {
  if (auto uri = r.string("metastore")) {
    static const std::regex thrift("thrift://[A-Za-z0-9.-]+:[0-9]{1,5}");
    if (!std::regex_match(*uri, thrift)) {
      ctx.diags.error("E_VALUE", ctx.locs.at(r.child("metastore")), r.child("metastore"),
                      "\"" + *uri + "\" is not a Hive metastore URI",
                      "write it like thrift://hive-metastore:9083");
    } else {
      out.metastore_uri = *uri;
    }
  }
  Reader os = r.map("objectStore");
  if (os.present()) {
    const auto kind = os.choice("kind", {"minio", "s3"}, Need::required).value_or("s3");
    out.object_store.kind =
        kind == "minio" ? model::ObjectStoreKind::minio : model::ObjectStoreKind::s3;
    if (auto ep = os.string("endpoint", out.object_store.kind == model::ObjectStoreKind::minio
                                            ? Need::required
                                            : Need::optional)) {
      if (refuse_url_credentials(ctx, *ep, ctx.locs.at(os.child("endpoint")),
                                 os.child("endpoint"))) {
        // reported; the endpoint stays empty
      } else if (!ep->starts_with("http://") && !ep->starts_with("https://")) {
        ctx.diags.error("E_VALUE", ctx.locs.at(os.child("endpoint")), os.child("endpoint"),
                        "\"" + *ep + "\" is not an http(s):// endpoint",
                        "write it like http://minio.default.svc.cluster.local:9000");
      } else {
        out.object_store.endpoint = *ep;
      }
    }
    out.object_store.path_style_access = os.boolean("pathStyleAccess").value_or(false);
    out.object_store.region = os.string("region").value_or("");
    out.object_store.credentials_secret = os.string("credentialsSecret").value_or("");
  }
  os.finish();
  r.finish();
}

void read_notebooks(Reader& r, ReadContext& ctx, std::vector<model::Notebook>& out) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [node, path] : r.seq("notebooks")) {
    Reader n(node, path, ctx);
    model::Notebook nb;
    nb.name = n.string("name", Need::required).value_or("");
    if (!nb.name.empty()) check_dns_label(ctx, nb.name, n.loc_of("name"), n.child("name"));
    const auto kind = n.choice("kind", {"jupyterhub", "marimo"}, Need::required);
    nb.kind = kind == "marimo" ? model::NotebookKind::marimo : model::NotebookKind::jupyterhub;
    const auto mode = n.choice("mode", {"connect", "client"}).value_or("connect");
    nb.mode = mode == "client" ? model::NotebookMode::client : model::NotebookMode::connect;
    nb.image = n.string("image", Need::required).value_or("");
    nb.port = read_port(n, "port", nb.kind == model::NotebookKind::marimo ? 2718 : 8888);
    nb.memory = read_memory(n, ctx, "memory", nb.memory);
    n.finish();
    names.emplace_back(nb.name, path);
    out.push_back(std::move(nb));
  }
  check_unique(ctx, names, "notebook name");
}

}  // namespace

void read_services(Reader r, ReadContext& ctx, model::Services& out) {
  Reader c = r.map("connect");
  out.connect.enabled = read_enabled(c);
  out.connect.image =
      c.string("image", out.connect.enabled ? Need::required : Need::optional).value_or("");
  out.connect.port = read_port(c, "port", 15002);
  out.connect.executors = c.integer("executors", Need::optional, 0, 10000);
  c.finish();
  read_notebooks(r, ctx, out.notebooks);
  Reader k = r.map("kyuubi");
  out.kyuubi.enabled = read_enabled(k);
  out.kyuubi.image =
      k.string("image", out.kyuubi.enabled ? Need::required : Need::optional).value_or("");
  const auto level = k.choice("shareLevel", {"USER", "SERVER", "CONNECTION"}).value_or("USER");
  out.kyuubi.share_level = level == "SERVER"       ? model::ShareLevel::server
                           : level == "CONNECTION" ? model::ShareLevel::connection
                                                   : model::ShareLevel::user;
  out.kyuubi.port = read_port(k, "port", 10009);
  out.kyuubi.server_memory = read_memory(k, ctx, "serverMemory", out.kyuubi.server_memory);
  out.kyuubi.max_engines = k.integer("maxEngines", Need::optional, 1, 1000).value_or(1);
  if (out.kyuubi.max_engines > 1 && out.kyuubi.share_level == model::ShareLevel::server)
    ctx.diags.error("E_VALUE", ctx.locs.at(k.child("maxEngines")), k.child("maxEngines"),
                    "shareLevel SERVER runs one engine for the whole server, so maxEngines " +
                        std::to_string(out.kyuubi.max_engines) +
                        " would size for engines that never start",
                    "remove maxEngines, or use shareLevel USER or CONNECTION");
  k.finish();
  Reader h = r.map("historyServer");
  out.history_server.enabled = read_enabled(h);
  const Need need = out.history_server.enabled ? Need::required : Need::optional;
  out.history_server.image = h.string("image", need).value_or("");
  if (auto dir = h.string("logDirectory", need)) {
    if (dir->starts_with("s3://") || dir->starts_with("s3n://")) {
      ctx.diags.error("E_VALUE", ctx.locs.at(h.child("logDirectory")), h.child("logDirectory"),
                      "Spark reads S3 through the s3a:// scheme, not \"" +
                          dir->substr(0, dir->find(':')) + "://\"",
                      "write s3a://" + dir->substr(dir->find("://") + 3));
    }
    out.history_server.log_directory = *dir;
  }
  out.history_server.port = read_port(h, "port", 18080);
  h.finish();
  read_external(r.map("external"), ctx, out.external);
  r.finish();
}

void read_targets(Reader& parent, ReadContext& ctx, std::vector<model::Target>& out) {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& [node, path] : parent.seq("targets")) {
    Reader r(node, path, ctx);
    model::Target t;
    t.name = r.string("name", Need::required).value_or("");
    if (!t.name.empty()) check_dns_label(ctx, t.name, r.loc_of("name"), r.child("name"));
    const auto kind = r.choice("kind", {"minikube", "eks"}, Need::required);
    t.kind = kind == "eks" ? model::TargetKind::eks : model::TargetKind::minikube;
    t.context =
        r.string("context").value_or(t.kind == model::TargetKind::minikube ? "minikube" : "");
    t.namespace_name = r.string("namespace", Need::required).value_or("");
    if (!t.namespace_name.empty())
      check_dns_label(ctx, t.namespace_name, r.loc_of("namespace"), r.child("namespace"));
    const bool is_eks = t.kind == model::TargetKind::eks;
    Reader eks = r.map("eks", is_eks ? Need::required : Need::optional);
    if (eks.present() && !is_eks && kind) {
      ctx.diags.error("E_VALUE", eks.loc(), eks.path(), "`eks` is only for targets of kind eks",
                      "remove `eks:` or set kind: eks");
    } else {
      t.eks.name = eks.string("cluster", Need::required).value_or("");
      t.eks.region = eks.string("region", Need::required).value_or("");
      t.eks.kubernetes_version = eks.version("kubernetesVersion").value_or("");
      t.eks.node_instance_type = eks.string("nodeInstanceType").value_or("m6i.xlarge");
      t.eks.node_count = eks.integer("nodeCount", Need::optional, 1, 1000).value_or(2);
      eks.finish();
    }
    t.node = read_node(r, ctx);
    if (const auto images = r.choice("images", {"push", "minikube-load", "none"})) {
      t.images = *images == "push"            ? model::ImageDelivery::push
                 : *images == "minikube-load" ? model::ImageDelivery::minikube_load
                                              : model::ImageDelivery::none;
      ctx.locs.set(r.child("images"), r.loc_of("images"));
      if (t.images == model::ImageDelivery::minikube_load && is_eks)
        ctx.diags.error("E_VALUE", r.loc_of("images"), r.child("images"),
                        "`images: minikube-load` is only for targets of kind minikube",
                        "an eks cluster pulls from a registry: write `images: push` (ECR) and set "
                        "`registry.url`");
    }
    if (const auto op = r.boolean("sparkOperator")) {
      t.spark_operator = *op;
      ctx.locs.set(r.child("sparkOperator"), r.loc_of("sparkOperator"));
    }
    if (const doc::Node* ov = r.node("overrides")) {
      if (!ov->is_map()) {
        report_type(ctx, *ov, r.child("overrides"), "a mapping of stack keys to override");
      } else {
        // Images are the same on every target (what was tested on minikube is what runs on
        // EKS): a target changes how they run, never what is in them.
        for (const char* fixed : {"apiVersion", "kind", "metadata", "targets", "versions",
                                  "artifacts", "python", "images"})
          if (ov->find(fixed))
            ctx.diags.error("E_VALUE", ov->key_loc(fixed), r.child("overrides") + "." + fixed,
                            std::string("a target cannot override `") + fixed + "`",
                            "images are identical on every target; targets override spark, "
                            "sparkEnv, vault, services, registry and doctor");
        t.overrides = *ov;
      }
    }
    r.finish();
    names.emplace_back(t.name, path);
    out.push_back(std::move(t));
  }
  check_unique(ctx, names, "target name");
}

}  // namespace stackctl::detail
