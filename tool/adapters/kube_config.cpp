// Connection resolution and credentials (see kube_config.hpp).
#include "adapters/kube_config.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "adapters/fs.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::kube {

namespace {

Failure config_failure(std::string message) {
  Failure f;
  f.kind = Failure::Kind::other;
  f.reason = "Config";
  f.message = std::move(message);
  return f;
}

std::string format_all(const Diagnostics& d) {
  std::string out;
  for (const auto& item : d.items()) out += format_diagnostic(item);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    auto colon = value.find(':', pos);
    if (colon == std::string::npos) colon = value.size();
    if (colon > pos) out.push_back(value.substr(pos, colon - pos));
    pos = colon + 1;
  }
  return out;
}

// The files to merge, read. --kubeconfig must exist; KUBECONFIG's missing files are skipped, as
// client-go does.
std::expected<std::vector<config::File>, Failure> kubeconfig_files(const ConnectOptions& o,
                                                                   const Host& host) {
  std::vector<config::File> files;
  if (!o.kubeconfig.empty()) {
    auto text = host.read_file(o.kubeconfig);
    if (!text)
      return std::unexpected(config_failure("--kubeconfig " + o.kubeconfig + " cannot be read"));
    files.push_back({o.kubeconfig, *text});
    return files;
  }
  if (auto list = host.getenv("KUBECONFIG"); list && !list->empty()) {
    for (const auto& path : split_list(*list))
      if (auto text = host.read_file(path)) files.push_back({path, *text});
    return files;
  }
  if (auto home = host.getenv("HOME"); home && !home->empty()) {
    const std::string path = *home + "/.kube/config";
    if (auto text = host.read_file(path)) files.push_back({path, *text});
  }
  return files;
}

// A path named in the kubeconfig must be readable now, so that the problem is reported with the
// entry that names it rather than as a TLS error later.
std::expected<void, Failure> check_readable(const Host& host, const std::string& path,
                                            const std::string& what, const std::string& entry) {
  if (path.empty() || host.read_file(path)) return {};
  return std::unexpected(
      config_failure(what + " " + path + " (named by " + entry + ") cannot be read"));
}

std::expected<Connection, Failure> in_cluster(const ConnectOptions& o, const Host& host) {
  const std::string dir = kServiceAccountDir;
  const std::string h = host.getenv("KUBERNETES_SERVICE_HOST").value_or("");
  const std::string port = host.getenv("KUBERNETES_SERVICE_PORT").value_or("443");
  Connection c;
  c.source = "in-cluster service account (" + dir + ")";
  c.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  c.user = "system:serviceaccount (in-cluster)";
  auto ca = host.read_file(dir + "/ca.crt");
  if (!ca) return std::unexpected(config_failure(dir + "/ca.crt cannot be read (in-cluster)"));
  c.http.ca_data = *ca;
  c.auth.token_file = dir + "/token";
  if (!host.read_file(c.auth.token_file))
    return std::unexpected(config_failure(c.auth.token_file + " cannot be read (in-cluster)"));
  c.namespace_name = o.namespace_name;
  if (c.namespace_name.empty()) {
    auto ns = host.read_file(dir + "/namespace");
    if (ns) {
      while (!ns->empty() && std::isspace(static_cast<unsigned char>(ns->back()))) ns->pop_back();
      c.namespace_name = *ns;
    }
  }
  c.cluster.server = c.server;
  c.cluster.certificate_authority_data = *ca;
  return c;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

std::string tail_of(const std::string& text, std::size_t limit) {
  const std::string t = trim(text);
  return t.size() <= limit ? t : "..." + t.substr(t.size() - limit);
}

}  // namespace

Host real_host() {
  Host h;
  h.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  h.read_file = [](const std::string& path) -> std::optional<std::string> {
    auto r = fs::read_file(path);
    if (!r) return std::nullopt;
    return *r;
  };
  h.write_file = [](const std::string& path, const std::string& data) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    return fs::write_atomic(path, data).has_value();
  };
  h.find_executable = [](const std::string& name) -> std::optional<std::string> {
    auto p = proc::find_executable(name);
    if (!p) return std::nullopt;
    return p->string();
  };
  h.now = [] { return std::chrono::system_clock::now(); };
  return h;
}

std::expected<Connection, Failure> resolve_connection(const ConnectOptions& o, const Host& host) {
  auto files = kubeconfig_files(o, host);
  if (!files) return std::unexpected(files.error());
  if (files->empty()) {
    if (host.getenv("KUBERNETES_SERVICE_HOST").value_or("").empty())
      return std::unexpected(config_failure(
          "no kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist; pass "
          "--kubeconfig FILE, set KUBECONFIG, or run inside a pod"));
    return in_cluster(o, host);
  }
  auto merged = config::load(*files);
  if (!merged) return std::unexpected(config_failure(format_all(merged.error())));
  auto selected = config::select(*merged, {o.context, o.namespace_name});
  if (!selected) return std::unexpected(config_failure(format_diagnostic(selected.error())));

  Connection c;
  c.context = selected->context;
  c.source = "kubeconfig " + (merged->files.size() == 1 ? merged->files.front() : "KUBECONFIG") +
             ", context " + c.context;
  c.cluster = selected->cluster;
  c.auth = selected->user;
  c.user = selected->user.name;
  c.namespace_name = selected->namespace_name;
  c.server = c.cluster.server;
  while (c.server.ends_with('/')) c.server.pop_back();

  const std::string cluster_entry = "cluster \"" + c.cluster.name + "\"";
  const std::string user_entry = "user \"" + c.user + "\"";
  for (auto check :
       {check_readable(host, c.cluster.certificate_authority, "certificate-authority",
                       cluster_entry),
        check_readable(host, c.auth.client_certificate, "client-certificate", user_entry),
        check_readable(host, c.auth.client_key, "client-key", user_entry),
        check_readable(host, c.auth.token_file, "tokenFile", user_entry)})
    if (!check) return std::unexpected(check.error());

  c.http.ca_data = c.cluster.certificate_authority_data;
  c.http.ca_file = c.cluster.certificate_authority;
  c.http.insecure_skip_verify = c.cluster.insecure_skip_tls_verify;
  c.http.tls_server_name = c.cluster.tls_server_name;
  c.http.proxy_url = c.cluster.proxy_url;
  c.http.client_cert_data = c.auth.client_certificate_data;
  c.http.client_cert_file = c.auth.client_certificate;
  c.http.client_key_data = c.auth.client_key_data;
  c.http.client_key_file = c.auth.client_key;
  if (c.cluster.insecure_skip_tls_verify)
    spdlog::warn(
        "kube: {} skips TLS verification of {} (insecure-skip-tls-verify): the API server's "
        "certificate is not checked, so the credentials sent to it are not protected",
        cluster_entry, http::redact_url(c.cluster.server));
  return c;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  using namespace std::chrono;
  // RFC 3339 section 5.6: YYYY-MM-DD "T" HH:MM:SS [.fraction] ("Z" | +HH:MM | -HH:MM), every
  // field of fixed width and in range. The result must fit system_clock (nanoseconds: about the
  // years 1678 to 2261): converting a time outside it would overflow.
  std::size_t at = 0;
  const auto number = [&](std::size_t width, char then) -> std::optional<int> {
    int value = 0;
    for (const std::size_t end = at + width; at < end; ++at) {
      if (at >= text.size() || !std::isdigit(static_cast<unsigned char>(text[at])))
        return std::nullopt;
      value = value * 10 + (text[at] - '0');
    }
    if (then != '\0') {
      if (at >= text.size() || std::toupper(static_cast<unsigned char>(text[at])) != then)
        return std::nullopt;
      ++at;
    }
    return value;
  };
  const auto y = number(4, '-');
  const auto mo = number(2, '-');
  const auto d = number(2, 'T');
  const auto h = number(2, ':');
  const auto mi = number(2, ':');
  const auto sec = number(2, '\0');
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;  // 60: a leap second
  if (at < text.size() && text[at] == '.') {
    const std::size_t fraction = ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
    if (at == fraction) return std::nullopt;
  }
  seconds offset{0};
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at++] == '+' ? 1 : -1;
    const auto oh = number(2, ':');
    const auto om = number(2, '\0');
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = sign * (hours{*oh} + minutes{*om});
  } else if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const sys_seconds t = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*sec} - offset;
  constexpr sys_seconds earliest = ceil<seconds>(system_clock::time_point::min());
  constexpr sys_seconds latest = floor<seconds>(system_clock::time_point::max());
  if (t < earliest || t > latest) return std::nullopt;
  return time_point_cast<system_clock::duration>(t);
}

Credentials::Credentials(Connection connection, proc::Runner& runner, Host host)
    : connection_(std::move(connection)), runner_(runner), host_(std::move(host)) {}

std::expected<Presented, Failure> Credentials::current() {
  const config::User& u = connection_.auth;
  if (!u.token.empty()) return Presented{u.token, {}, {}};
  if (!u.token_file.empty()) {
    auto text = host_.read_file(u.token_file);
    if (!text)
      return std::unexpected(config_failure("tokenFile " + u.token_file + " of user \"" +
                                            connection_.user + "\" cannot be read"));
    return Presented{Secret(trim(*text)), {}, {}};
  }
  if (!u.exec) return Presented{};
  if (cached_ && (!expires_ || host_.now() < *expires_)) return *cached_;
  return run_exec();
}

bool Credentials::forget() {
  if (!connection_.auth.exec) return false;
  cached_.reset();
  expires_.reset();
  return true;
}

std::expected<Presented, Failure> Credentials::run_exec() {
  const config::ExecConfig& e = *connection_.auth.exec;
  const std::string shown = "exec plugin of user \"" + connection_.user + "\" (" + e.command + ")";
  if (e.interactive_mode == "Always")
    return std::unexpected(config_failure(
        shown +
        " needs an interactive terminal (interactiveMode: Always); stackctl runs plugins "
        "non-interactively: log in with the plugin first, or use a plugin that caches"));
  std::string program = e.command;
  if (program.find('/') == std::string::npos) {
    auto found = host_.find_executable(program);
    if (!found) {
      std::string hint = !e.install_hint.empty() ? e.install_hint : "install it or fix the PATH";
      if (program == "aws")
        hint =
            "install the AWS CLI v2 and make sure `aws` is on PATH, then run "
            "`aws eks update-kubeconfig --name CLUSTER --region REGION`";
      return std::unexpected(config_failure("exec: executable " + program + " not found (the " +
                                            shown + "): " + hint));
    }
    program = *found;
  }
  Json info = {{"kind", "ExecCredential"},
               {"apiVersion", e.api_version},
               {"spec", {{"interactive", false}}}};
  if (e.provide_cluster_info) {
    const config::Cluster& c = connection_.cluster;
    std::string ca = c.certificate_authority_data;
    if (ca.empty() && !c.certificate_authority.empty())
      ca = host_.read_file(c.certificate_authority).value_or("");
    Json cluster = {{"server", c.server}};
    if (!c.tls_server_name.empty()) cluster["tls-server-name"] = c.tls_server_name;
    if (c.insecure_skip_tls_verify) cluster["insecure-skip-tls-verify"] = true;
    if (!ca.empty()) cluster["certificate-authority-data"] = codec::base64_encode(ca);
    if (!c.proxy_url.empty()) cluster["proxy-url"] = c.proxy_url;
    if (!c.exec_extension.is_null()) cluster["config"] = c.exec_extension;
    info["spec"]["cluster"] = cluster;
  }
  proc::Command cmd;
  cmd.argv.push_back(program);
  cmd.argv.insert(cmd.argv.end(), e.args.begin(), e.args.end());
  cmd.env = e.env;
  cmd.env.emplace_back("KUBERNETES_EXEC_INFO", info.dump());
  ++exec_runs_;
  spdlog::debug("kube: running the {}", shown);
  auto r = runner_.run(cmd);
  if (!r) return std::unexpected(config_failure(shown + ": " + r.error().message));
  if (r->exit_code != 0)
    return std::unexpected(config_failure(shown + " exited with " + std::to_string(r->exit_code) +
                                          ": " + tail_of(r->err, 600)));
  Json out;
  try {
    out = Json::parse(r->out);
  } catch (const Json::exception&) {
    return std::unexpected(config_failure(shown + " printed no ExecCredential JSON"));
  }
  if (out.value("kind", "") != "ExecCredential" || out.value("apiVersion", "") != e.api_version)
    return std::unexpected(config_failure(shown + " answered " + out.value("kind", "?") + " " +
                                          out.value("apiVersion", "?") + ", not ExecCredential " +
                                          e.api_version));
  const Json status = out.value("status", Json::object());
  Presented p;
  p.bearer = Secret(status.value("token", ""));
  p.client_cert_pem = status.value("clientCertificateData", "");
  p.client_key_pem = Secret(status.value("clientKeyData", ""));
  if (p.bearer.empty() && (p.client_cert_pem.empty() || p.client_key_pem.empty()))
    return std::unexpected(config_failure(
        shown + " gave neither status.token nor clientCertificateData and clientKeyData"));
  expires_.reset();
  if (const std::string exp = status.value("expirationTimestamp", ""); !exp.empty()) {
    expires_ = parse_rfc3339(exp);
    if (!expires_)
      return std::unexpected(
          config_failure(shown + ": expirationTimestamp \"" + exp + "\" is not an RFC 3339 time"));
  }
  cached_ = p;
  return p;
}

}  // namespace stackctl::kube
