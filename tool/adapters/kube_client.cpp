// The real Kubernetes client (see kube_client.hpp).
#include "adapters/kube_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>

namespace stackctl::kube {

namespace {

constexpr auto kDiscoveryTtl = std::chrono::hours(6);  // kubectl's (cli-runtime config_flags.go)

Failure::Kind kind_of_status(long status) {
  switch (status) {
    case 401:
      return Failure::Kind::unauthorized;
    case 403:
      return Failure::Kind::forbidden;
    case 404:
      return Failure::Kind::not_found;
    case 409:
      return Failure::Kind::conflict;
    case 410:
      return Failure::Kind::gone;
    case 400:
    case 422:
      return Failure::Kind::invalid;
    default:
      return Failure::Kind::other;
  }
}

std::string group_version(const std::string& group, const std::string& version) {
  return group.empty() ? version : group + "/" + version;
}

// kubectl's computeDiscoverCacheDir: the server without its scheme, every character other than
// [A-Za-z0-9_/.] replaced by '_' ('/' too here: one folder per server).
std::string cache_key(const std::string& server) {
  std::string s = server;
  for (const char* scheme : {"https://", "http://"})
    if (s.starts_with(scheme)) s.erase(0, std::string(scheme).size());
  for (char& c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) c = '_';
  return s;
}

std::string default_cache_dir(const Host& host) {
  if (auto xdg = host.getenv("XDG_CACHE_HOME"); xdg && !xdg->empty())
    return *xdg + "/stackctl/discovery";
  if (auto home = host.getenv("HOME"); home && !home->empty())
    return *home + "/.cache/stackctl/discovery";
  return "-";
}

class RealClient final : public Client {
 public:
  RealClient(Connection c, ClientOptions o, ClientPorts p)
      : connection_(std::move(c)),
        options_(std::move(o)),
        ports_(std::move(p)),
        credentials_(connection_, *ports_.runner, ports_.host) {
    if (options_.cache_dir.empty()) options_.cache_dir = default_cache_dir(ports_.host);
  }

  std::string server() const override { return connection_.server; }
  std::string user() const override { return connection_.user; }
  std::string default_namespace() const override { return connection_.namespace_name; }

  // Thread safety: every call may come from several threads at once (deploy applies the members
  // of one wave concurrently). Discovery holds discovery_mutex_ for the whole lookup; the
  // credentials and the HTTP client are taken under credentials_mutex_, and the request itself is
  // sent without a lock (http::Client serves concurrent requests, one curl handle each).
  std::expected<Resource, Failure> resource_for(const GroupVersionKind& gvk) override {
    const std::lock_guard lock(discovery_mutex_);
    return resource_locked(gvk);
  }

  std::expected<Resource, Failure> resource_locked(const GroupVersionKind& gvk) {
    if (gvk.version.empty()) return preferred_resource(gvk);
    const std::string gv = group_version(gvk.group, gvk.version);
    auto list = resources_of(gvk.group, gvk.version, Source::cache_or_server);
    if (!list) return std::unexpected(list.error());
    if (auto r = find_kind(*list, gvk)) return *r;
    if (list->fetched_now) return std::unexpected(unknown_kind(gvk, gv));
    // A cached list that does not know the kind may be stale (a CRD installed since): refresh once.
    list = resources_of(gvk.group, gvk.version, Source::server);
    if (!list) return std::unexpected(list.error());
    if (auto r = find_kind(*list, gvk)) return *r;
    return std::unexpected(unknown_kind(gvk, gv));
  }

  std::expected<std::optional<Json>, Failure> get(const Resource& r, const std::string& ns,
                                                  const std::string& name) override {
    auto answer = call("GET", object_path(r, ns, name), "", "", http::Idempotent::by_method);
    if (!answer) {
      if (answer.error().kind == Failure::Kind::not_found) return std::optional<Json>{};
      return std::unexpected(answer.error());
    }
    return std::optional<Json>(std::move(*answer));
  }

  std::expected<Json, Failure> list(const Resource& r, const std::string& ns,
                                    const ListOptions& o) override {
    std::string query;
    if (!o.label_selector.empty()) query += "&labelSelector=" + query_escape(o.label_selector);
    if (!o.field_selector.empty()) query += "&fieldSelector=" + query_escape(o.field_selector);
    if (!query.empty()) query[0] = '?';
    return call("GET", object_path(r, ns, "") + query, "", "", http::Idempotent::by_method);
  }

  std::expected<Json, Failure> apply(const Resource& r, const Object& object,
                                     const ApplyOptions& o) override {
    std::string path = object_path(r, object.namespace_name(), object.name()) +
                       "?fieldManager=" + query_escape(o.field_manager) + "&fieldValidation=Strict";
    if (o.force) path += "&force=true";
    if (o.dry_run) path += "&dryRun=All";
    // Server-side apply is idempotent by design: the same intent gives the same object.
    return call("PATCH", path, object.body.dump(), "application/apply-patch+yaml",
                http::Idempotent::yes);
  }

  std::expected<void, Failure> remove(const Resource& r, const std::string& ns,
                                      const std::string& name) override {
    const Json body = {
        {"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
    auto answer = call("DELETE", object_path(r, ns, name), body.dump(), "application/json",
                       http::Idempotent::by_method);
    if (!answer && answer.error().kind != Failure::Kind::not_found)
      return std::unexpected(answer.error());
    return {};
  }

  std::expected<Json, Failure> create(const Resource& r, const std::string& ns,
                                      const Json& body) override {
    // The access reviews (SubjectAccessReview, SelfSubjectRulesReview, ...) are questions, not
    // objects: their API has a create operation only, nothing is stored, and the same question
    // gets the same answer, so a review is repeated after a cut connection as a GET is. Every
    // other POST (a submitted run's Job) is sent once.
    const auto idempotent =
        r.group == "authorization.k8s.io" ? http::Idempotent::yes : http::Idempotent::by_method;
    return call("POST", object_path(r, ns, ""), body.dump(), "application/json", idempotent);
  }

  std::expected<std::string, Failure> logs(const std::string& ns, const std::string& pod,
                                           const std::string& container, bool previous,
                                           int tail_lines) override {
    std::string path = "/api/v1/namespaces/" + ns + "/pods/" + pod +
                       "/log?container=" + query_escape(container) +
                       "&tailLines=" + std::to_string(tail_lines);
    if (previous) path += "&previous=true";
    auto r = send("GET", path, "", "", http::Idempotent::by_method);
    if (!r) return std::unexpected(r.error());
    return std::move(r->body);
  }

 private:
  enum class Source { cache_or_server, server };

  // An empty version: the group's versions as the server lists them (/api for the core group,
  // /apis for the others), the preferred one first, as kubectl's RESTMapper orders them; the
  // first version that serves the kind wins.
  std::expected<Resource, Failure> preferred_resource(const GroupVersionKind& gvk) {
    auto versions = group_versions(gvk.group, Source::cache_or_server);
    if (versions && versions->empty())  // a group installed since the list was cached
      versions = group_versions(gvk.group, Source::server);
    if (!versions) return std::unexpected(versions.error());
    if (versions->empty())
      return std::unexpected(stamped(Failure::Kind::not_found, 404, "NotFound",
                                     "the server does not serve the API group " + gvk.group));
    for (const auto& v : *versions) {
      auto r = resource_locked({gvk.group, v, gvk.kind});
      if (r || r.error().kind != Failure::Kind::not_found) return r;
    }
    return std::unexpected(unknown_kind(
        gvk, (gvk.group.empty() ? "the core group" : gvk.group) + std::string(" (any version)")));
  }

  // The versions of `group`, preferred first; empty when the server does not serve the group.
  std::expected<std::vector<std::string>, Failure> group_versions(const std::string& group,
                                                                  Source source) {
    const std::string name = group.empty() ? "core" : "groups";
    std::optional<Json> list;
    if (source == Source::cache_or_server) {
      if (auto it = memory_.find("/" + name); it != memory_.end()) list = it->second;
      if (!list) list = read_cache_file(groups_cache_file(name));
    }
    if (!list) {
      auto body =
          call("GET", group.empty() ? "/api" : "/apis", "", "", http::Idempotent::by_method);
      if (!body) return std::unexpected(body.error());
      list = std::move(*body);
      write_cache_file(groups_cache_file(name), *list);
    }
    memory_["/" + name] = *list;
    std::vector<std::string> out;
    if (group.empty()) {  // APIVersions: {"versions": ["v1"]}
      for (const auto& v : list->value("versions", Json::array()))
        if (v.is_string()) out.push_back(v.get<std::string>());
      return out;
    }
    for (const auto& g : list->value("groups", Json::array())) {  // APIGroupList
      if (g.value("name", "") != group) continue;
      const Json none = Json::object();
      const Json& preferred = g.contains("preferredVersion") ? g["preferredVersion"] : none;
      if (preferred.is_object() && !preferred.value("version", "").empty())
        out.push_back(preferred.value("version", ""));
      for (const auto& v : g.value("versions", Json::array())) {
        const std::string version = v.value("version", "");
        if (!version.empty() && std::find(out.begin(), out.end(), version) == out.end())
          out.push_back(version);
      }
    }
    return out;
  }

  // kubectl keeps the group list as servergroups.json beside the group versions' files.
  std::string groups_cache_file(const std::string& name) const {
    return options_.cache_dir + "/" + cache_key(connection_.server) + "/" +
           (name == "core" ? "core_versions" : "servergroups") + ".json";
  }

  struct ResourceList {
    Json body;
    bool fetched_now = false;
  };

  static std::optional<Resource> find_kind(const ResourceList& list, const GroupVersionKind& gvk) {
    for (const auto& r : list.body.value("resources", Json::array())) {
      const std::string name = r.value("name", "");
      if (r.value("kind", "") != gvk.kind || name.find('/') != std::string::npos) continue;
      return Resource{gvk.group, gvk.version, gvk.kind, name, r.value("namespaced", false)};
    }
    return std::nullopt;
  }

  Failure unknown_kind(const GroupVersionKind& gvk, const std::string& gv) const {
    Failure f = stamped(Failure::Kind::not_found, 404, "NotFound",
                        "the server does not serve kind " + gvk.kind + " in " + gv);
    return f;
  }

  Failure stamped(Failure::Kind kind, int status, std::string reason, std::string message) const {
    Failure f;
    f.kind = kind;
    f.http_status = status;
    f.reason = std::move(reason);
    f.message = std::move(message);
    f.user = connection_.user;
    f.server = connection_.server;
    return f;
  }

  std::string cache_file(const std::string& group, const std::string& version) const {
    return options_.cache_dir + "/" + cache_key(connection_.server) + "/" +
           (group.empty() ? "core" : group) + "_" + version + ".json";
  }

  std::expected<ResourceList, Failure> resources_of(const std::string& group,
                                                    const std::string& version, Source source) {
    const std::string gv = group_version(group, version);
    if (source == Source::cache_or_server) {
      if (auto it = memory_.find(gv); it != memory_.end()) return ResourceList{it->second, false};
      if (auto cached = read_cache(group, version)) {
        memory_[gv] = *cached;
        return ResourceList{*cached, false};
      }
    }
    const std::string path = group.empty() ? "/api/" + version : "/apis/" + gv;
    auto body = call("GET", path, "", "", http::Idempotent::by_method);
    if (!body) {
      if (body.error().kind == Failure::Kind::not_found) {
        Failure f = body.error();
        f.message = "the server does not serve the API group version " + gv;
        return std::unexpected(f);
      }
      return std::unexpected(body.error());
    }
    memory_[gv] = *body;
    write_cache(group, version, *body);
    return ResourceList{*body, true};
  }

  std::optional<Json> read_cache(const std::string& group, const std::string& version) const {
    return read_cache_file(cache_file(group, version));
  }

  std::optional<Json> read_cache_file(const std::string& file) const {
    if (options_.cache_dir == "-") return std::nullopt;
    auto text = ports_.host.read_file(file);
    if (!text) return std::nullopt;
    try {
      Json cached = Json::parse(*text);
      const auto at = std::chrono::system_clock::time_point(
          std::chrono::seconds(cached.value("fetchedAt", std::int64_t{0})));
      if (ports_.host.now() - at > kDiscoveryTtl) return std::nullopt;
      return cached.value("list", Json::object());
    } catch (const Json::exception&) {
      return std::nullopt;  // a damaged cache file is a miss
    }
  }

  void write_cache(const std::string& group, const std::string& version, const Json& list) {
    write_cache_file(cache_file(group, version), list);
  }

  void write_cache_file(const std::string& file, const Json& list) {
    if (options_.cache_dir == "-") return;
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(ports_.host.now().time_since_epoch())
            .count();
    const Json entry = {{"fetchedAt", now}, {"server", connection_.server}, {"list", list}};
    if (!ports_.host.write_file(file, entry.dump()))
      spdlog::debug("kube: cannot write the discovery cache {}", file);
  }

  // One request, decoded: a JSON body, or a Failure from the Status the server sent.
  std::expected<Json, Failure> call(const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& content_type,
                                    http::Idempotent idempotent) {
    auto r = send(method, path, body, content_type, idempotent);
    if (!r) return std::unexpected(r.error());
    if (r->body.empty()) return Json::object();
    try {
      return Json::parse(r->body);
    } catch (const Json::exception&) {
      return std::unexpected(stamped(Failure::Kind::other, static_cast<int>(r->status), "",
                                     method + " " + path + ": the answer is not JSON"));
    }
  }

  // Sends with credentials; a 401 with an exec plugin re-runs the plugin once and sends again.
  std::expected<http::Response, Failure> send(const std::string& method, const std::string& path,
                                              const std::string& body,
                                              const std::string& content_type,
                                              http::Idempotent idempotent) {
    for (int attempt = 0;; ++attempt) {
      std::shared_ptr<http::Client> http;
      std::uint64_t generation = 0;
      std::expected<Presented, Failure> presented;
      {
        const std::lock_guard lock(credentials_mutex_);
        presented = credentials_.current();
        if (presented) http = http_for(*presented);
        generation = generation_;
      }
      if (!presented) {
        Failure f = presented.error();
        f.user = connection_.user;
        f.server = connection_.server;
        return std::unexpected(f);
      }
      http::Request req{method, connection_.server + path, {}, body};
      req.idempotent = idempotent;
      req.headers.push_back({"Accept", "application/json"});
      if (!content_type.empty()) req.headers.push_back({"Content-Type", content_type});
      if (!presented->bearer.empty())
        req.headers.push_back({"Authorization", "Bearer " + presented->bearer.reveal()});
      auto r = http->send(req);
      if (!r)
        return std::unexpected(stamped(r.error().kind == http::Failure::Kind::cancelled
                                           ? Failure::Kind::cancelled
                                           : Failure::Kind::network,
                                       0, "", r.error().message));
      spdlog::debug("kube: {} {} -> {}", method, http::redact_url(req.url), r->status);
      if (r->status == 401 && attempt == 0) {
        // Concurrent requests refused with the same credentials forget them once: the plugin
        // runs again once, whichever request saw the 401 first.
        bool again = false;
        {
          const std::lock_guard lock(credentials_mutex_);
          if (generation != generation_) {
            again = true;  // another request already refreshed them
          } else if (credentials_.forget()) {
            ++generation_;
            again = true;
          }
        }
        if (again) {
          spdlog::debug("kube: 401 from {}: running the exec plugin again", connection_.server);
          continue;
        }
      }
      if (r->status >= 400) return std::unexpected(decode_status(*r));
      return std::move(*r);
    }
  }

  Failure decode_status(const http::Response& r) const {
    Failure f = stamped(kind_of_status(r.status), static_cast<int>(r.status), "", "");
    try {
      Json s = Json::parse(r.body);
      if (s.is_object() && s.value("kind", "") == "Status") {
        f.reason = s.value("reason", "");
        f.message = s.value("message", "");
        f.status = std::move(s);
      }
    } catch (const Json::exception&) {
    }
    if (f.message.empty())
      f.message =
          "HTTP " + std::to_string(r.status) + (r.body.empty() ? "" : ": " + r.body.substr(0, 300));
    return f;
  }

  // The HTTP client for what the credentials present: the connection's TLS settings, plus an
  // exec plugin's client certificate when it gave one (a new client when that changes).
  std::shared_ptr<http::Client> http_for(const Presented& p) {
    if (!http_ || p.client_cert_pem != http_cert_) {
      http::Options o = options_.http;
      const http::Options& t = connection_.http;
      o.ca_file = t.ca_file;
      o.ca_data = t.ca_data;
      o.insecure_skip_verify = t.insecure_skip_verify;
      o.tls_server_name = t.tls_server_name;
      o.proxy_url = t.proxy_url;
      o.client_cert_file = t.client_cert_file;
      o.client_key_file = t.client_key_file;
      o.client_cert_data = t.client_cert_data;
      o.client_key_data = t.client_key_data;
      if (!p.client_cert_pem.empty()) {
        o.client_cert_data = p.client_cert_pem;
        o.client_key_data = p.client_key_pem;
      }
      http_ = std::shared_ptr<http::Client>(ports_.make_http(o));
      http_cert_ = p.client_cert_pem;
    }
    return http_;
  }

  Connection connection_;
  ClientOptions options_;
  ClientPorts ports_;
  Credentials credentials_;
  std::shared_ptr<http::Client> http_;  // shared: a request in flight keeps the one it took
  std::string http_cert_;
  std::uint64_t generation_ = 0;  // counts forget()s, under credentials_mutex_
  std::mutex credentials_mutex_;
  std::map<std::string, Json> memory_;  // under discovery_mutex_
  std::mutex discovery_mutex_;
};

}  // namespace

std::string query_escape(const std::string& value) {
  return http::url_escape(value);
}

std::string object_path(const Resource& r, const std::string& ns, const std::string& name) {
  std::string p = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  p += "/" + r.name;
  if (!name.empty()) p += "/" + name;
  return p;
}

ClientPorts real_ports(proc::Runner& runner) {
  ClientPorts p;
  p.make_http = [](const http::Options& o) { return http::make_curl_client(o); };
  p.runner = &runner;
  p.host = real_host();
  return p;
}

std::expected<std::unique_ptr<Client>, Failure> make_client(const ClientOptions& options,
                                                            ClientPorts ports) {
  auto connection = resolve_connection(options.connect, ports.host);
  if (!connection) return std::unexpected(connection.error());
  spdlog::debug("kube: {} -> {} as {}", connection->source, connection->server, connection->user);
  return std::make_unique<RealClient>(std::move(*connection), options, std::move(ports));
}

}  // namespace stackctl::kube
