// kubeconfig parsing, merging and selection (core, no I/O), and connection resolution over a
// made-up Host.
#include <catch2/catch.hpp>
#include <map>

#include "adapters/kube_config.hpp"
#include "core/kube/kubeconfig.hpp"

using namespace stackctl;
using namespace stackctl::kube;
using Catch::Matchers::Contains;

namespace {

const char* kA = R"(apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster:
    server: https://a.example:6443
    certificate-authority: pki/ca.crt
- name: only-a
  cluster:
    server: https://only-a.example
users:
- name: shared
  user:
    token: token-from-a
contexts:
- name: shared
  context: {cluster: shared, user: shared, namespace: from-a}
current-context: shared
)";

const char* kB = R"(clusters:
- name: shared
  cluster:
    server: https://b.example
- name: only-b
  cluster:
    server: https://only-b.example
    certificate-authority-data: aGVsbG8=
    tls-server-name: kubernetes
    proxy-url: http://proxy:3128
users:
- name: cert
  user:
    client-certificate: /abs/cert.pem
    client-key: key.pem
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, eu-west-1, eks, get-token, --cluster-name, demo, --output, json]
      env: [{name: AWS_PROFILE, value: prod}]
      provideClusterInfo: true
contexts:
- name: b
  context: {cluster: only-b, user: cert}
- name: eks
  context: {cluster: only-b, user: eks}
current-context: b
)";

config::Config merged(std::vector<config::File> files) {
  auto c = config::load(files);
  if (!c) FAIL(format_diagnostic(c.error().items().front()));
  return *c;
}

std::string first_error(const std::expected<config::Config, Diagnostics>& r) {
  REQUIRE_FALSE(r);
  return format_diagnostic(r.error().items().front());
}

}  // namespace

TEST_CASE("kubeconfig: merge order, first file wins per entry and for current-context",
          "[kubeconfig]") {
  const auto c = merged({{"/home/u/a.yaml", kA}, {"/etc/kube/b.yaml", kB}});
  REQUIRE(c.clusters.size() == 3);
  CHECK(c.clusters[0].server == "https://a.example:6443");  // a's "shared" wins whole
  CHECK(c.current_context == "shared");
  auto s = config::select(c, {});
  REQUIRE(s);
  CHECK(s->cluster.server == "https://a.example:6443");
  CHECK(s->user.token.reveal() == "token-from-a");
  CHECK(s->namespace_name == "from-a");

  const auto reversed = merged({{"/etc/kube/b.yaml", kB}, {"/home/u/a.yaml", kA}});
  CHECK(reversed.current_context == "b");
  auto shared = config::select(reversed, {"shared", ""});
  REQUIRE(shared);
  CHECK(shared->cluster.server == "https://b.example");
}

TEST_CASE("kubeconfig: relative paths resolve against the file that names them", "[kubeconfig]") {
  const auto c = merged({{"/home/u/a.yaml", kA}, {"/etc/kube/b.yaml", kB}});
  CHECK(c.clusters[0].certificate_authority == "/home/u/pki/ca.crt");
  auto s = config::select(c, {"b", ""});
  REQUIRE(s);
  CHECK(s->user.client_certificate == "/abs/cert.pem");
  CHECK(s->user.client_key == "/etc/kube/key.pem");
}

TEST_CASE("kubeconfig: data fields are decoded; cluster settings are read", "[kubeconfig]") {
  auto s = config::select(merged({{"b.yaml", kB}}), {});
  REQUIRE(s);
  CHECK(s->context == "b");
  CHECK(s->cluster.certificate_authority_data == "hello");
  CHECK(s->cluster.tls_server_name == "kubernetes");
  CHECK(s->cluster.proxy_url == "http://proxy:3128");
  CHECK(s->namespace_name.empty());
  auto n = config::select(merged({{"b.yaml", kB}}), {"", "override"});
  REQUIRE(n);
  CHECK(n->namespace_name == "override");
}

TEST_CASE("kubeconfig: the exec plugin spec", "[kubeconfig]") {
  auto s = config::select(merged({{"b.yaml", kB}}), {"eks", ""});
  REQUIRE(s);
  REQUIRE(s->user.exec);
  const auto& e = *s->user.exec;
  CHECK(e.api_version == "client.authentication.k8s.io/v1beta1");
  CHECK(e.command == "aws");  // no '/': looked up in PATH, not resolved
  CHECK(e.args.size() == 8);
  CHECK(e.args[3] == "get-token");
  REQUIRE(e.env.size() == 1);
  CHECK(e.env[0] == std::pair<std::string, std::string>{"AWS_PROFILE", "prod"});
  CHECK(e.provide_cluster_info);

  auto relative = config::parse({"/k/config", R"(users:
- name: u
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, interactiveMode: Never}
)"});
  REQUIRE(relative);
  CHECK(relative->users[0].exec->command == "/k/./bin/plugin");
}

TEST_CASE("kubeconfig: selection errors say what exists", "[kubeconfig]") {
  const auto c = merged({{"/home/u/a.yaml", kA}});
  auto missing = config::select(c, {"sahred", ""});
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message,
             Contains("context \"sahred\" is not defined in /home/u/a.yaml"));
  CHECK_THAT(missing.error().hint, Contains("did you mean \"shared\"?"));

  auto none = config::select(merged({{"b.yaml", "clusters: []\n"}}), {});
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Contains("no context chosen"));
  CHECK_THAT(none.error().hint, Contains("--context"));

  auto no_cluster = config::select(
      merged({{"c.yaml", "contexts:\n- name: x\n  context: {cluster: gone, user: u}\n"}}),
      {"x", ""});
  REQUIRE_FALSE(no_cluster);
  CHECK_THAT(no_cluster.error().message, Contains("cluster \"gone\" is not defined"));
  CHECK(no_cluster.error().loc.line == 2);
}

TEST_CASE("kubeconfig: malformed files get located errors", "[kubeconfig]") {
  CHECK_THAT(first_error(config::parse({"k.yaml", "clusters: {a: 1}\n"})),
             Contains("k.yaml:1:11") && Contains("must be a list"));
  CHECK_THAT(first_error(config::parse({"k.yaml", "clusters:\n- cluster: {server: x}\n"})),
             Contains("k.yaml:2:3") && Contains("has no name"));
  CHECK_THAT(
      first_error(config::parse(
          {"k.yaml", "clusters:\n- name: a\n  cluster:\n    certificate-authority-data: '%%'\n"})),
      Contains("k.yaml:4:33") && Contains("is not base64"));
  CHECK_THAT(first_error(config::parse({"k.yaml",
                                        "users:\n- name: u\n  user:\n    exec:\n      "
                                        "apiVersion: client.authentication.k8s.io/v1alpha1\n"
                                        "      command: x\n"})),
             Contains("k.yaml:5:19") && Contains("v1alpha1") && Contains("not supported"));
  CHECK_THAT(first_error(config::parse(
                 {"k.yaml", "users:\n- name: u\n  user:\n    auth-provider: {name: gcp}\n"})),
             Contains("auth-provider plugins are not supported"));
  CHECK_THAT(first_error(config::parse({"k.yaml", "clusters: [\n"})), Contains("k.yaml:"));
  CHECK_THAT(
      first_error(config::parse(
          {"k.yaml", "clusters:\n- name: a\n  cluster: {insecure-skip-tls-verify: maybe}\n"})),
      Contains("must be true or false"));
  // Every file's problems are reported, not only the first file's.
  auto both = config::load({{"one.yaml", "clusters: 1\n"}, {"two.yaml", "users: 2\n"}});
  REQUIRE_FALSE(both);
  CHECK(both.error().items().size() == 2);
  // An empty file is an empty config, as kubectl reads it.
  CHECK(config::parse({"empty.yaml", ""}));
}

TEST_CASE("kubeconfig: token secrets never print", "[kubeconfig]") {
  auto s = config::select(merged({{"a.yaml", kA}}), {});
  REQUIRE(s);
  std::ostringstream shown;
  shown << s->user.token;
  CHECK(shown.str() == "<redacted>");
}

namespace {

Host fake_host(std::map<std::string, std::string> env, std::map<std::string, std::string> files) {
  Host h;
  h.getenv = [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  h.read_file = [files](const std::string& p) -> std::optional<std::string> {
    auto it = files.find(p);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  h.write_file = [](const std::string&, const std::string&) { return true; };
  h.find_executable = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  h.now = [] { return std::chrono::system_clock::now(); };
  return h;
}

}  // namespace

TEST_CASE("kube: resolving the connection", "[kubeconfig]") {
  SECTION("KUBECONFIG is a list; missing files are skipped") {
    auto c = resolve_connection(
        {}, fake_host(
                {{"KUBECONFIG", "/nope:/home/u/a.yaml:/etc/kube/b.yaml"}},
                {{"/home/u/a.yaml", kA}, {"/etc/kube/b.yaml", kB}, {"/home/u/pki/ca.crt", "CA"}}));
    REQUIRE(c);
    CHECK(c->server == "https://a.example:6443");
    CHECK(c->http.ca_file == "/home/u/pki/ca.crt");
    CHECK(c->namespace_name == "from-a");
  }
  SECTION("--kubeconfig is one file, and KUBECONFIG is ignored") {
    auto c = resolve_connection(
        {"/etc/kube/b.yaml", "", ""},
        fake_host({{"KUBECONFIG", "/home/u/a.yaml"}}, {{"/home/u/a.yaml", kA},
                                                       {"/etc/kube/b.yaml", kB},
                                                       {"/abs/cert.pem", "C"},
                                                       {"/etc/kube/key.pem", "K"}}));
    REQUIRE(c);
    CHECK(c->context == "b");
    CHECK(c->http.ca_data == "hello");
    CHECK(c->http.tls_server_name == "kubernetes");
    CHECK(c->http.proxy_url == "http://proxy:3128");
    CHECK(c->http.client_key_file == "/etc/kube/key.pem");
  }
  SECTION("a certificate file that cannot be read is named with its entry") {
    auto c =
        resolve_connection({"/etc/kube/b.yaml", "", ""}, fake_host({}, {{"/etc/kube/b.yaml", kB}}));
    REQUIRE_FALSE(c);
    CHECK_THAT(
        c.error().message,
        Contains("client-certificate /abs/cert.pem (named by user \"cert\") cannot be read"));
  }
  SECTION("~/.kube/config when KUBECONFIG is unset") {
    auto c =
        resolve_connection({}, fake_host({{"HOME", "/home/u"}}, {{"/home/u/.kube/config", kB},
                                                                 {"/abs/cert.pem", "C"},
                                                                 {"/home/u/.kube/key.pem", "K"}}));
    REQUIRE(c);
    CHECK(c->http.client_key_file == "/home/u/.kube/key.pem");
  }
  SECTION("in-cluster when there is no kubeconfig and KUBERNETES_SERVICE_HOST is set") {
    const std::string sa = kServiceAccountDir;
    auto c = resolve_connection(
        {}, fake_host(
                {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}},
                {{sa + "/token", "tok"}, {sa + "/ca.crt", "CA"}, {sa + "/namespace", "spark\n"}}));
    REQUIRE(c);
    CHECK(c->server == "https://10.96.0.1:443");
    CHECK(c->namespace_name == "spark");
    CHECK(c->http.ca_data == "CA");
    CHECK(c->auth.token_file == sa + "/token");
  }
  SECTION("nothing at all") {
    auto c = resolve_connection({}, fake_host({{"HOME", "/home/u"}}, {}));
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().message, Contains("no kubeconfig") && Contains("--kubeconfig"));
  }
  SECTION("a malformed file is reported with its location") {
    auto c = resolve_connection({"/k.yaml", "", ""}, fake_host({}, {{"/k.yaml", "users: 3\n"}}));
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().message, Contains("/k.yaml:1:8") && Contains("must be a list"));
  }
}

TEST_CASE("kube: RFC 3339 times from ExecCredential", "[kubeconfig]") {
  using namespace std::chrono;
  auto t = parse_rfc3339("2026-12-01T12:00:00Z");
  REQUIRE(t);
  CHECK(duration_cast<seconds>(t->time_since_epoch()).count() == 1796126400);
  auto offset = parse_rfc3339("2026-12-01T13:00:00.123+01:00");
  REQUIRE(offset);
  CHECK(*offset == *t);
  CHECK_FALSE(parse_rfc3339("tomorrow"));
  CHECK(parse_rfc3339("2026-12-01t12:00:00z") == t);
  CHECK(parse_rfc3339("2026-12-01T11:30:00-00:30") == t);
}

TEST_CASE("kube: RFC 3339 times out of range or malformed are refused, not wrapped",
          "[kubeconfig]") {
  using namespace std::chrono;
  // Found by fuzz_kube: an exec plugin's expirationTimestamp in 1549 overflowed the conversion to
  // system_clock's nanoseconds (UBSan: signed integer overflow in from_time_t).
  CHECK_FALSE(parse_rfc3339("1549-12-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_rfc3339("2262-04-12T00:00:00Z"));
  auto early = parse_rfc3339("1678-01-01T00:00:00Z");  // within range: about 1677-09 to 2262-04
  REQUIRE(early);
  CHECK(duration_cast<seconds>(early->time_since_epoch()).count() == -9214560000);
  // Fields out of range were normalised by timegm before; an offset that is not digits threw.
  for (const char* bad :
       {"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-12-01T24:00:00Z",
        "2026-12-01T12:60:00Z", "2026-12-01T12:00:61Z", "2026-12-01T12:00:00+ab:cd",
        "2026-12-01T12:00:00+24:00", "2026-12-01T 1:00:00Z", "2026-12-01T12:00:00",
        "2026-12-01T12:00:00.Z", "2026-12-01T12:00:00Zjunk", "-026-12-01T12:00:00Z"})
    CHECK_FALSE(parse_rfc3339(bad));
}
