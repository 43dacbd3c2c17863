// kubeconfig parsing, merging and context selection (see kubeconfig.hpp for the rules).
#include "core/kube/kubeconfig.hpp"

#include <algorithm>
#include <array>

#include "core/codec/codec.hpp"
#include "core/stack/doc.hpp"

namespace stackctl::kube::config {

namespace {

constexpr const char* kCode = "E_KUBECONFIG";
constexpr const char* kExecExtension = "client.authentication.k8s.io/exec";

// Reads one file's tree, collecting every problem instead of stopping at the first.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    const auto slash = path.rfind('/');
    dir_ = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  }

  Diagnostics diags;

  void error(const doc::Node& at, const std::string& where, const std::string& message,
             const std::string& hint = {}) {
    diags.error(kCode, at.loc, where, message, hint);
  }

  // A scalar string field; "" when absent. A map or list there is an error.
  std::string string(const doc::Node& map, const char* key, const std::string& where) {
    const doc::Node* n = map.find(key);
    if (n == nullptr || n->is_null()) return {};
    if (!n->is_scalar()) {
      error(*n, where + "." + key,
            std::string("must be a string, not a ") + doc::to_string(n->kind));
      return {};
    }
    return n->scalar;
  }

  bool boolean(const doc::Node& map, const char* key, const std::string& where) {
    const std::string v = string(map, key, where);
    if (v.empty() || v == "false") return false;
    if (v == "true") return true;
    error(*map.find(key), where + "." + key, "must be true or false, not \"" + v + "\"");
    return false;
  }

  // A path field, resolved against the file's directory when relative.
  std::string path(const doc::Node& map, const char* key, const std::string& where) {
    return resolve(string(map, key, where));
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || p.front() == '/' || dir_.empty()) return p;
    return dir_ + p;
  }

  // A *-data field: base64 in the file, the decoded bytes here.
  std::string data(const doc::Node& map, const char* key, const std::string& where) {
    const std::string text = string(map, key, where);
    if (text.empty()) return {};
    auto bytes = codec::base64_decode(text);
    if (!bytes) {
      error(*map.find(key), where + "." + key, "is not base64",
            "the *-data fields hold the PEM file's bytes in base64 (base64 -w0 FILE)");
      return {};
    }
    return *bytes;
  }

  const std::string& file() const { return path_; }

 private:
  std::string path_;
  std::string dir_;
};

std::string indexed(const char* list, std::size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// Calls `each(entry_body, name, where, entry_loc)` for every named entry of a list such as
// clusters: [{name, cluster: {...}}].
template <typename Each>
void for_each_entry(Reader& r, const doc::Node& root, const char* list, const char* body_key,
                    Each each) {
  const doc::Node* seq = root.find(list);
  if (seq == nullptr || seq->is_null()) return;
  if (!seq->is_seq()) {
    r.error(*seq, list, std::string("must be a list, not a ") + doc::to_string(seq->kind));
    return;
  }
  for (std::size_t i = 0; i < seq->items.size(); ++i) {
    const doc::Node& item = seq->items[i];
    const std::string where = indexed(list, i);
    if (!item.is_map()) {
      r.error(item, where, std::string("must be a mapping, not a ") + doc::to_string(item.kind));
      continue;
    }
    const std::string name = r.string(item, "name", where);
    if (name.empty()) {
      r.error(item, where, "has no name");
      continue;
    }
    const doc::Node* body = item.find(body_key);
    static const doc::Node empty{doc::Kind::map, {}, {}, false, {}, {}};
    if (body != nullptr && !body->is_null() && !body->is_map()) {
      r.error(*body, where + "." + body_key,
              std::string("must be a mapping, not a ") + doc::to_string(body->kind));
      continue;
    }
    const doc::Node& b = body == nullptr || body->is_null() ? empty : *body;
    each(b, name, where + "." + body_key, item.loc);
  }
}

Json to_json(const doc::Node& n) {
  switch (n.kind) {
    case doc::Kind::null:
      return nullptr;
    case doc::Kind::scalar:
      return n.scalar;
    case doc::Kind::seq: {
      Json a = Json::array();
      for (const auto& i : n.items) a.push_back(to_json(i));
      return a;
    }
    case doc::Kind::map: {
      Json o = Json::object();
      for (const auto& e : n.entries) o[e.key] = to_json(e.value);
      return o;
    }
  }
  return nullptr;
}

Cluster read_cluster(Reader& r, const doc::Node& b, const std::string& name,
                     const std::string& where, const SourceLoc& loc) {
  Cluster c;
  c.name = name;
  c.loc = loc;
  c.server = r.string(b, "server", where);
  c.certificate_authority = r.path(b, "certificate-authority", where);
  c.certificate_authority_data = r.data(b, "certificate-authority-data", where);
  c.insecure_skip_tls_verify = r.boolean(b, "insecure-skip-tls-verify", where);
  c.tls_server_name = r.string(b, "tls-server-name", where);
  c.proxy_url = r.string(b, "proxy-url", where);
  c.exec_extension = nullptr;
  if (const doc::Node* ext = b.find("extensions"); ext != nullptr && ext->is_seq()) {
    for (const auto& e : ext->items)
      if (const doc::Node* n = e.find("name"); n != nullptr && n->scalar == kExecExtension)
        if (const doc::Node* v = e.find("extension")) c.exec_extension = to_json(*v);
  }
  return c;
}

std::optional<ExecConfig> read_exec(Reader& r, const doc::Node& user, const std::string& where) {
  const doc::Node* n = user.find("exec");
  if (n == nullptr || n->is_null()) return std::nullopt;
  const std::string w = where + ".exec";
  if (!n->is_map()) {
    r.error(*n, w, std::string("must be a mapping, not a ") + doc::to_string(n->kind));
    return std::nullopt;
  }
  ExecConfig e;
  e.api_version = r.string(*n, "apiVersion", w);
  e.command = r.string(*n, "command", w);
  if (e.command.find('/') != std::string::npos) e.command = r.resolve(e.command);
  e.provide_cluster_info = r.boolean(*n, "provideClusterInfo", w);
  e.interactive_mode = r.string(*n, "interactiveMode", w);
  e.install_hint = r.string(*n, "installHint", w);
  if (e.command.empty()) r.error(*n, w, "has no command");
  if (e.api_version != "client.authentication.k8s.io/v1" &&
      e.api_version != "client.authentication.k8s.io/v1beta1")
    r.error(n->find("apiVersion") ? *n->find("apiVersion") : *n, w + ".apiVersion",
            "\"" + e.api_version + "\" is not supported",
            "use client.authentication.k8s.io/v1 or v1beta1 (v1alpha1 was removed in Kubernetes "
            "1.24); `aws eks update-kubeconfig` writes a current one");
  if (const doc::Node* args = n->find("args"); args != nullptr && args->is_seq())
    for (const auto& a : args->items) e.args.push_back(a.scalar);
  if (const doc::Node* env = n->find("env"); env != nullptr && env->is_seq())
    for (std::size_t i = 0; i < env->items.size(); ++i) {
      const std::string ew = w + "." + indexed("env", i);
      e.env.emplace_back(r.string(env->items[i], "name", ew), r.string(env->items[i], "value", ew));
    }
  return e;
}

User read_user(Reader& r, const doc::Node& b, const std::string& name, const std::string& where,
               const SourceLoc& loc) {
  User u;
  u.name = name;
  u.loc = loc;
  u.client_certificate = r.path(b, "client-certificate", where);
  u.client_certificate_data = r.data(b, "client-certificate-data", where);
  u.client_key = r.path(b, "client-key", where);
  u.client_key_data = Secret(r.data(b, "client-key-data", where));
  u.token = Secret(r.string(b, "token", where));
  u.token_file = r.path(b, "tokenFile", where);
  u.exec = read_exec(r, b, where);
  if (const doc::Node* p = b.find("auth-provider"))
    r.error(*p, where + ".auth-provider", "auth-provider plugins are not supported",
            "they were removed from kubectl in 1.26; use an exec plugin (for GKE: "
            "gke-gcloud-auth-plugin, for AKS: kubelogin)");
  if (const doc::Node* p = b.find("username"))
    r.error(*p, where + ".username", "basic authentication is not supported",
            "use a token, a client certificate or an exec plugin");
  return u;
}

template <typename T>
void add_first_wins(std::vector<T>& into, T entry) {
  const bool known =
      std::ranges::any_of(into, [&](const T& existing) { return existing.name == entry.name; });
  if (!known) into.push_back(std::move(entry));
}

template <typename T>
const T* find_named(const std::vector<T>& list, const std::string& name) {
  const auto it = std::ranges::find_if(list, [&](const T& e) { return e.name == name; });
  return it == list.end() ? nullptr : &*it;
}

template <typename T>
std::vector<std::string> names_of(const std::vector<T>& list) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e.name);
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

std::string files_of(const Config& c) {
  return c.files.size() == 1 ? c.files.front() : "KUBECONFIG (" + joined(c.files) + ")";
}

Diagnostic not_defined(const Config& config, const std::string& what, const std::string& name,
                       const std::vector<std::string>& known, const SourceLoc& loc) {
  std::string hint = "defined: " + joined(known);
  if (const std::string near = did_you_mean(name, known); !near.empty())
    hint = "did you mean \"" + near + "\"? " + hint;
  return Diagnostic{Severity::error,
                    kCode,
                    loc,
                    "",
                    what + " \"" + name + "\" is not defined in " + files_of(config),
                    hint};
}

}  // namespace

std::expected<Config, Diagnostics> parse(const File& file) {
  Reader r(file.path);
  auto tree = doc::parse(file.text, file.path, r.diags);
  if (!tree) {
    Diagnostics d;
    d.add(tree.error());
    return std::unexpected(d);
  }
  Config config;
  config.files.push_back(file.path);
  if (tree->is_null()) return config;
  if (!tree->is_map()) {
    r.error(*tree, "", "is not a kubeconfig (a mapping with clusters, users and contexts)");
    return std::unexpected(r.diags);
  }
  for_each_entry(r, *tree, "clusters", "cluster",
                 [&](const auto& b, const auto& n, const auto& w, const auto& l) {
                   add_first_wins(config.clusters, read_cluster(r, b, n, w, l));
                 });
  for_each_entry(r, *tree, "users", "user",
                 [&](const auto& b, const auto& n, const auto& w, const auto& l) {
                   add_first_wins(config.users, read_user(r, b, n, w, l));
                 });
  for_each_entry(r, *tree, "contexts", "context",
                 [&](const auto& b, const auto& n, const auto& w, const auto& l) {
                   add_first_wins(config.contexts,
                                  Context{n, r.string(b, "cluster", w), r.string(b, "user", w),
                                          r.string(b, "namespace", w), l});
                 });
  config.current_context = r.string(*tree, "current-context", "");
  if (r.diags.has_errors()) return std::unexpected(r.diags);
  return config;
}

std::expected<Config, Diagnostics> load(const std::vector<File>& files) {
  Config merged;
  Diagnostics problems;
  for (const auto& f : files) {
    auto one = parse(f);
    if (!one) {
      problems.append(one.error());
      continue;
    }
    merged.files.push_back(f.path);
    for (auto& c : one->clusters) add_first_wins(merged.clusters, std::move(c));
    for (auto& u : one->users) add_first_wins(merged.users, std::move(u));
    for (auto& c : one->contexts) add_first_wins(merged.contexts, std::move(c));
    if (merged.current_context.empty()) merged.current_context = one->current_context;
  }
  if (problems.has_errors()) return std::unexpected(problems);
  return merged;
}

std::expected<Selection, Diagnostic> select(const Config& config, const Overrides& overrides) {
  const std::string name = overrides.context.empty() ? config.current_context : overrides.context;
  if (name.empty())
    return std::unexpected(
        Diagnostic{Severity::error,
                   kCode,
                   {},
                   "",
                   "no context chosen: " + files_of(config) + " sets no current-context",
                   "pass --context (contexts: " + joined(names_of(config.contexts)) +
                       "), or run `kubectl config use-context NAME`"});
  const Context* context = find_named(config.contexts, name);
  if (context == nullptr)
    return std::unexpected(
        not_defined(config, "context", name, names_of(config.contexts), SourceLoc{}));
  const Cluster* cluster = find_named(config.clusters, context->cluster);
  if (cluster == nullptr)
    return std::unexpected(
        not_defined(config, "cluster", context->cluster, names_of(config.clusters), context->loc));
  if (cluster->server.empty())
    return std::unexpected(Diagnostic{Severity::error, kCode, cluster->loc, "",
                                      "cluster \"" + cluster->name + "\" has no server", ""});
  Selection s;
  s.context = name;
  s.cluster = *cluster;
  if (const User* user = find_named(config.users, context->user)) s.user = *user;
  s.user.name = context->user;
  s.namespace_name =
      overrides.namespace_name.empty() ? context->namespace_name : overrides.namespace_name;
  return s;
}

}  // namespace stackctl::kube::config
