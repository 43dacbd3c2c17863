// The Vault client over a recording fake http::Client: the environment as the vault CLI reads it,
// the requests it sends (headers, bodies, paths), KV version detection, each failure's message,
// the retry policy, and that no credential ever reaches a message.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "adapters/vault.hpp"
#include "cli/app_output.hpp"
#include "cli/vault_inputs.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

namespace stdfs = std::filesystem;
using namespace stackctl;
using Kind = vault::Failure::Kind;

namespace {

// Scripted answers by "METHOD /v1/path?query"; the last answer of a script repeats. Records
// every request.
class FakeVaultHttp final : public http::Client {
 public:
  struct Reply {
    long status;
    std::string body;
  };
  std::map<std::string, std::vector<Reply>> script;
  std::vector<http::Request> requests;
  std::optional<http::Failure> failure;  // every request fails like this

  std::expected<http::Response, http::Failure> send(const http::Request& r) override {
    requests.push_back(r);
    if (failure) return std::unexpected(*failure);
    const std::string key = r.method + " " + r.url.substr(r.url.find("/v1/"));
    auto it = script.find(key);
    if (it == script.end()) return http::Response{404, {}, R"({"errors":[]})", r.url};
    Reply reply = it->second.front();
    if (it->second.size() > 1) it->second.erase(it->second.begin());
    return http::Response{reply.status, {}, reply.body, r.url};
  }
  std::expected<http::Response, http::Failure> download(const http::Request&, const stdfs::path&,
                                                        const http::Progress&) override {
    return std::unexpected(http::Failure{http::Failure::Kind::io, "not used"});
  }
  std::string header(std::size_t i, const std::string& name) const {
    for (const auto& h : requests.at(i).headers)
      if (h.name == name) return h.value;
    return "<none>";
  }
  std::size_t count(const std::string& method_path) const {
    std::size_t n = 0;
    for (const auto& r : requests)
      if (r.method + " " + r.url.substr(r.url.find("/v1/")) == method_path) ++n;
    return n;
  }
};

vault::Config config_with_token(const std::string& token = "s.user-token") {
  vault::Config c;
  c.address = "https://vault.test:8200";
  c.token = Secret(token);
  c.token_origin = "VAULT_TOKEN";
  return c;
}

const std::string kLookup = R"({"data":{"policies":["default","spark-ro"]}})";
const std::string kMountsV2 =
    R"({"data":{"path":"secret/","type":"kv","options":{"version":"2"}}})";
const std::string kSecretV2 =
    R"({"data":{"data":{"a":"1","b":"two"},"metadata":{"created_time":"2026-01-01T00:00:00Z",)"
    R"("custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}},)"
    R"("request_id":"r","lease_id":"","renewable":false,"lease_duration":0})";

struct TempHome {
  stdfs::path path;
  TempHome() {
    std::random_device rd;
    path = stdfs::temp_directory_path() / ("stackctl-vault-test-" + std::to_string(rd()));
    stdfs::create_directories(path);
  }
  ~TempHome() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("VAULT_SKIP_VERIFY is parsed as Go's strconv.ParseBool", "[vault]") {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"})
    CHECK(vault::parse_go_bool(t) == true);
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"})
    CHECK(vault::parse_go_bool(f) == false);
  for (const char* bad : {"yes", "on", "tRuE", " true", ""}) CHECK(!vault::parse_go_bool(bad));
  auto c = vault::read_config(vault::MapEnvironment({{"VAULT_SKIP_VERIFY", "yes"}}), {});
  REQUIRE(!c);
  CHECK(c.error().kind == Kind::config);
  CHECK(c.error().message == "could not parse VAULT_SKIP_VERIFY (\"yes\")");
}

TEST_CASE("VAULT_CLIENT_TIMEOUT is seconds or a duration", "[vault]") {
  using std::chrono::milliseconds;
  CHECK(vault::parse_duration_second("60") == milliseconds(60000));
  CHECK(vault::parse_duration_second("90s") == milliseconds(90000));
  CHECK(vault::parse_duration_second("1m30s") == milliseconds(90000));
  CHECK(vault::parse_duration_second("500ms") == milliseconds(500));
  CHECK(!vault::parse_duration_second("soon"));
  CHECK(!vault::parse_duration_second("10x"));
  auto c = vault::read_config(vault::MapEnvironment({{"VAULT_CLIENT_TIMEOUT", "2m"}}), {});
  REQUIRE(c);
  CHECK(c->http.timeout == std::chrono::seconds(120));
}

TEST_CASE("read_config: defaults, the stack's block, the environment winning, BAO_ first",
          "[vault]") {
  model::Vault stack;
  stack.address = "https://from-stack:8200/";
  stack.namespace_name = "team-b";
  auto d = vault::read_config(vault::MapEnvironment({}), {});
  REQUIRE(d);
  CHECK(d->address == "https://127.0.0.1:8200");
  CHECK(d->max_retries == 2);
  CHECK(d->http.retries == 0);
  CHECK(d->http.timeout == std::chrono::seconds(60));
  CHECK(!d->token);
  auto s = vault::read_config(vault::MapEnvironment({}), stack);
  REQUIRE(s);
  CHECK(s->address == "https://from-stack:8200");
  CHECK(s->namespace_name == "team-b");
  auto e = vault::read_config(vault::MapEnvironment({{"VAULT_ADDR", "https://vault-env:8200"},
                                                     {"BAO_ADDR", "https://bao:8200"},
                                                     {"VAULT_NAMESPACE", "team-a"},
                                                     {"VAULT_TOKEN", "tok\n"},
                                                     {"VAULT_MAX_RETRIES", "5"},
                                                     {"VAULT_CACERT", "/etc/ca.pem"}}),
                              stack);
  REQUIRE(e);
  CHECK(e->address == "https://bao:8200");
  CHECK(e->namespace_name == "team-a");
  CHECK(e->token->reveal() == "tok");
  CHECK(e->max_retries == 5);
  CHECK(e->http.ca_file == "/etc/ca.pem");
  CHECK(e->ca_origin == "VAULT_CACERT=/etc/ca.pem");
}

TEST_CASE("read_config: half a client certificate and bad retries are refused; SNI, CA bytes",
          "[vault]") {
  auto half = vault::read_config(vault::MapEnvironment({{"VAULT_CLIENT_CERT", "/c.pem"}}), {});
  REQUIRE(!half);
  CHECK(half.error().message ==
        "both client cert and client key must be provided: VAULT_CLIENT_CERT is set, "
        "VAULT_CLIENT_KEY is not");
  auto sni = vault::read_config(
      vault::MapEnvironment({{"VAULT_TLS_SERVER_NAME", "v.example"},
                             {"VAULT_CACERT_BYTES", "-----BEGIN CERTIFICATE-----"}}),
      {});
  REQUIRE(sni);
  CHECK(sni->http.tls_server_name == "v.example");
  CHECK(sni->http.ca_data == "-----BEGIN CERTIFICATE-----");
  CHECK(sni->ca_origin == "VAULT_CACERT_BYTES");
  auto retries = vault::read_config(vault::MapEnvironment({{"VAULT_MAX_RETRIES", "-1"}}), {});
  REQUIRE(!retries);
  CHECK(retries.error().message == "could not parse VAULT_MAX_RETRIES (\"-1\")");
}

TEST_CASE("the token comes from ~/.vault-token when VAULT_TOKEN is unset", "[vault]") {
  TempHome home;
  std::ofstream(home.path / ".vault-token") << "hvs.from-file\n";
  auto c = vault::read_config(vault::MapEnvironment({{"HOME", home.path.string()}}), {});
  REQUIRE(c);
  REQUIRE(c->token);
  CHECK(c->token->reveal() == "hvs.from-file");
  CHECK(c->token_origin == (home.path / ".vault-token").string());
}

TEST_CASE("token login checks the token with lookup-self and sends Vault's headers", "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/auth/token/lookup-self"] = {{200, kLookup}};
  auto cfg = config_with_token();
  cfg.namespace_name = "team-a";
  vault::Client client(http, cfg);
  REQUIRE(client.login({}, vault::MapEnvironment({})));
  REQUIRE(http.requests.size() == 1);
  CHECK(http.requests[0].url == "https://vault.test:8200/v1/auth/token/lookup-self");
  CHECK(http.header(0, "X-Vault-Token") == "s.user-token");
  CHECK(http.header(0, "X-Vault-Namespace") == "team-a");
  CHECK(http.header(0, "X-Vault-Request") == "true");
  CHECK(client.policies() == std::vector<std::string>{"default", "spark-ro"});
  CHECK(!client.minted());
}

TEST_CASE("a refused token names where it came from", "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/auth/token/lookup-self"] = {{403, R"({"errors":["permission denied"]})"}};
  vault::Client client(http, config_with_token());
  auto r = client.login({}, vault::MapEnvironment({}));
  REQUIRE(!r);
  CHECK(r.error().kind == Kind::login);
  CHECK(r.error().message ==
        "Vault refused the token from VAULT_TOKEN (permission denied to GET "
        "/v1/auth/token/lookup-self)");
}

TEST_CASE("KV v2 is detected once per mount and read at data/", "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/sys/internal/ui/mounts/secret/spark/a"] = {{200, kMountsV2}};
  http.script["GET /v1/secret/data/spark/a"] = {{200, kSecretV2}};
  http.script["GET /v1/secret/data/spark/b?version=2"] = {{200, kSecretV2}};
  vault::Client client(http, config_with_token());
  auto a = client.read({"secret", "spark/a", 0, 0});
  REQUIRE(a);
  CHECK(a->kv_version == 2);
  CHECK(a->version == 3);
  CHECK(a->data.at("b").reveal() == "two");
  auto b = client.read({"secret", "spark/b", 0, 2});
  REQUIRE(b);
  CHECK(http.count("GET /v1/sys/internal/ui/mounts/secret/spark/a") == 1);
  CHECK(http.count("GET /v1/sys/internal/ui/mounts/secret/spark/b") == 0);
}

TEST_CASE("an older server without ui/mounts (404) is read as KV v1, as the vault CLI does",
          "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/kv/app"] = {{200, R"({"data":{"k":"v","n":3},"lease_duration":2764800})"}};
  vault::Client client(http, config_with_token());
  auto s = client.read({"kv", "app", 0, 0});
  REQUIRE(s);
  CHECK(s->kv_version == 1);
  CHECK(s->data.at("n").reveal() == "3");
  auto pinned = client.read({"kv", "app", 0, 2});
  REQUIRE(!pinned);
  CHECK(pinned.error().message ==
        "the stack pins version 2 of kv/app, but mount \"kv\" is KV v1 (no versions)");
}

TEST_CASE("KV v2: missing, deleted and destroyed are told apart", "[vault]") {
  FakeVaultHttp http;
  const std::string meta =
      R"({"data":{"data":null,"metadata":{"created_time":"t","deletion_time":"%D","destroyed":%X,"version":4}}})";
  auto body = [&](const std::string& del, const std::string& destroyed) {
    std::string b = meta;
    b.replace(b.find("%D"), 2, del);
    b.replace(b.find("%X"), 2, destroyed);
    return b;
  };
  http.script["GET /v1/secret/data/gone"] = {{404, body("2026-01-02T03:04:05Z", "false")}};
  http.script["GET /v1/secret/data/burnt"] = {{404, body("", "true")}};
  vault::Client client(http, config_with_token());
  auto missing = client.read({"secret", "nothing", 2, 0});
  REQUIRE(!missing);
  CHECK(missing.error().kind == Kind::missing_path);
  CHECK(missing.error().message ==
        "no Vault secret at secret/nothing (KV v2: GET /v1/secret/data/nothing answered 404)");
  auto gone = client.read({"secret", "gone", 2, 0});
  REQUIRE(!gone);
  CHECK(gone.error().kind == Kind::deleted);
  CHECK(gone.error().message ==
        "version 4 of Vault secret secret/gone is deleted (at 2026-01-02T03:04:05Z)");
  CHECK(gone.error().hint.starts_with(
      "undelete it (vault kv undelete -mount=secret -versions=4 gone)"));
  auto burnt = client.read({"secret", "burnt", 2, 0});
  REQUIRE(!burnt);
  CHECK(burnt.error().kind == Kind::destroyed);
  auto no_version = client.read({"secret", "nothing", 2, 9});
  REQUIRE(!no_version);
  CHECK(no_version.error().message == "Vault secret secret/nothing has no version 9");
}

TEST_CASE("denied, sealed and uninitialised are named with what to do", "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/secret/data/x"] = {
      {403, R"({"errors":["1 error occurred:\n\t* permission denied\n\n"]})"}};
  vault::Client client(http, config_with_token());
  auto denied = client.read({"secret", "x", 2, 0});
  REQUIRE(!denied);
  CHECK(denied.error().kind == Kind::denied);
  CHECK(
      denied.error().message.starts_with("Vault denied GET /v1/secret/data/x: 1 error occurred:"));
  CHECK(denied.error().hint.ends_with(
      "needs the read capability on the KV v2 data path: path \"secret/data/x\" { capabilities = "
      "[\"read\"] }"));

  FakeVaultHttp sealed;
  sealed.script["GET /v1/secret/data/x"] = {{503, R"({"errors":["Vault is sealed"]})"}};
  auto cfg = config_with_token();
  cfg.max_retries = 0;
  vault::Client s(sealed, cfg);
  auto r = s.read({"secret", "x", 2, 0});
  REQUIRE(!r);
  CHECK(r.error().kind == Kind::sealed);
  CHECK(r.error().message ==
        "Vault at https://vault.test:8200 is sealed (HTTP 503 to GET /v1/secret/data/x: Vault is "
        "sealed)");

  FakeVaultHttp init;
  init.script["GET /v1/secret/data/x"] = {{501, R"({"errors":[]})"}};
  vault::Client u(init, config_with_token());
  auto n = u.read({"secret", "x", 2, 0});
  REQUIRE(!n);
  CHECK(n.error().kind == Kind::uninitialised);
  CHECK(init.requests.size() == 1);  // 501 is never retried
}

TEST_CASE("412 and 5xx are retried with Vault's waits, up to max_retries", "[vault]") {
  FakeVaultHttp http;
  http.script["GET /v1/secret/data/x"] = {{503, "{}"}, {412, "{}"}, {200, kSecretV2}};
  std::vector<long> waits;
  vault::Client client(http, config_with_token(),
                       [&](std::chrono::milliseconds d) { waits.push_back(d.count()); });
  REQUIRE(client.read({"secret", "x", 2, 0}));
  CHECK(http.requests.size() == 3);
  CHECK(waits == std::vector<long>{1000, 1500});

  FakeVaultHttp down;
  down.script["GET /v1/secret/data/x"] = {{502, "{}"}};
  auto cfg = config_with_token();
  cfg.max_retries = 1;
  vault::Client bounded(down, cfg, [](std::chrono::milliseconds) {});
  auto r = bounded.read({"secret", "x", 2, 0});
  REQUIRE(!r);
  CHECK(down.requests.size() == 2);
  CHECK(r.error().message ==
        "Vault at https://vault.test:8200 answered HTTP 502 to GET /v1/secret/data/x");
}

TEST_CASE("a TLS failure says which CA to pass and is not retried", "[vault]") {
  FakeVaultHttp http;
  http.failure = http::Failure{http::Failure::Kind::tls,
                               "SSL certificate problem: unable to get "
                               "local issuer certificate"};
  vault::Client client(http, config_with_token(), [](std::chrono::milliseconds) {});
  auto r = client.read({"secret", "x", 2, 0});
  REQUIRE(!r);
  CHECK(r.error().kind == Kind::tls);
  CHECK(http.requests.size() == 1);
  CHECK(r.error().hint.starts_with("pass the CA that signed Vault's certificate: VAULT_CACERT"));
}

TEST_CASE("AppRole logs in unauthenticated, never shows its secret_id, and revokes its token",
          "[vault]") {
  FakeVaultHttp http;
  http.script["POST /v1/auth/ci-approle/login"] = {
      {400, R"({"errors":["invalid secret id sid-SECRET-123"]})"},
      {200,
       R"({"auth":{"client_token":"hvs.MINTED-xyz","accessor":"acc","token_policies":["default","spark-ro"],"lease_duration":60,"renewable":true}})"}};
  http.script["POST /v1/auth/token/revoke-self"] = {{204, ""}};
  model::VaultAuth auth;
  auth.method = model::VaultAuthMethod::approle;
  auth.mount = "ci-approle";
  auth.role_id.env = "ROLE";
  auth.secret_id.env = "SECRET";
  vault::MapEnvironment env({{"ROLE", "role-abc"}, {"SECRET", "sid-SECRET-123"}});
  vault::Config cfg = config_with_token();
  cfg.token.reset();
  {
    vault::Client client(http, cfg);
    auto refused = client.login(auth, env);
    REQUIRE(!refused);
    CHECK(refused.error().message ==
          "Vault refused the AppRole login at auth/ci-approle/login (HTTP 400: invalid secret id "
          "<redacted>)");
    REQUIRE(client.login(auth, env));
    CHECK(client.minted());
    CHECK(http.header(0, "X-Vault-Token") == "<none>");
    auto body = nlohmann::json::parse(http.requests[0].body);
    CHECK(body["role_id"] == "role-abc");
    CHECK(body["secret_id"] == "sid-SECRET-123");
    CHECK(http.requests[0].url.find("SECRET") == std::string::npos);
  }  // the destructor revokes
  REQUIRE(http.requests.size() == 3);
  CHECK(http.requests[2].url == "https://vault.test:8200/v1/auth/token/revoke-self");
  CHECK(http.header(2, "X-Vault-Token") == "hvs.MINTED-xyz");
}

TEST_CASE("Kubernetes login posts the role and the service account token", "[vault]") {
  TempHome dir;
  std::ofstream(dir.path / "token") << "eyJ.jwt.sig\n";
  FakeVaultHttp http;
  http.script["POST /v1/auth/kubernetes/login"] = {
      {200, R"({"auth":{"client_token":"hvs.K","token_policies":["default"]}})"}};
  http.script["POST /v1/auth/token/revoke-self"] = {{204, ""}};
  model::VaultAuth auth;
  auth.method = model::VaultAuthMethod::kubernetes;
  auth.mount = "kubernetes";
  auth.role = "ci";
  auth.token_file = (dir.path / "token").string();
  vault::Config cfg = config_with_token();
  cfg.token.reset();
  vault::Client client(http, cfg);
  REQUIRE(client.login(auth, vault::MapEnvironment({})));
  auto body = nlohmann::json::parse(http.requests[0].body);
  CHECK(body == nlohmann::json{{"role", "ci"}, {"jwt", "eyJ.jwt.sig"}});
  REQUIRE(client.revoke());
  CHECK(!client.minted());
  CHECK(http.count("POST /v1/auth/token/revoke-self") == 1);
}

TEST_CASE("the vault block and source options are validated", "[vault][loader]") {
  auto load = [](const std::string& extra) {
    Diagnostics diags;
    load_stack(test::kMinimalStack + extra, {"s.yaml", "", nullptr}, diags);
    return diags;
  };
  auto has = [](const Diagnostics& d, const std::string& text) {
    for (const auto& item : d.items())
      if (item.message.find(text) != std::string::npos) return true;
    return false;
  };
  CHECK(!load("vault:\n  auth:\n    method: approle\n    roleId: {env: R}\n    secretId: {file: "
              "/s}\n")
             .has_errors());
  CHECK(has(load("vault:\n  auth:\n    method: approle\n    roleId: {env: R, file: /r}\n    "
                 "secretId: {file: /s}\n"),
            "`roleId` takes exactly one of `file` or `env`"));
  CHECK(load("vault:\n  auth:\n    method: approle\n    roleId: {env: R}\n").has_errors());
  CHECK(load("vault:\n  auth:\n    method: kubernetes\n").has_errors());
  CHECK(has(load("vault:\n  auth:\n    method: approle\n    role: x\n    roleId: {env: R}\n    "
                 "secretId: {env: S}\n"),
            "unknown key \"role\""));
  CHECK(has(load("vault:\n  address: vault:8200\n"), "is not an http(s) URL"));
  CHECK(has(load("sparkEnv:\n  sources:\n    - name: v\n      vault: {path: p, kv: 1, version: "
                 "2}\n"),
            "a KV v1 secret has no versions to pin"));
}

TEST_CASE("spark settings carried by spark.env keys are judged, never showing the value",
          "[vault]") {
  Diagnostics diags;
  const std::string stack =
      test::kMinimalStack +
      "sparkEnv:\n  sources:\n    - name: v\n      vault: {mount: secret, path: spark/x}\n"
      "  keys:\n    - name: SPARK_EXECUTOR_INSTANCES\n      from: v\n      key: n\n"
      "    - name: SPARK_EXECUTOR_MEMORY\n      from: v\n      key: mem\n";
  auto s = load_stack(stack, {"s.yaml", "", nullptr}, diags);
  REQUIRE(s);
  env_settings::ReadValues values;
  values.values = {{"n", Secret("many-SECRET")}, {"mem", Secret("2g")}};
  Diagnostics bad = cli::check_env_settings({&*s}, values);
  REQUIRE(bad.items().size() == 1);
  CHECK(bad.items()[0].message ==
        "spark.env key SPARK_EXECUTOR_INSTANCES (from Vault secret secret/spark/x field \"n\") is "
        "not a valid spark.executor.instances: expected a whole number from 0 to 10000 (the value "
        "is not shown)");
  CHECK(bad.items()[0].loc.line > 0);
  CHECK(bad.items()[0].message.find("SECRET") == std::string::npos);
  // A value a values file gave for a Vault-sourced key is named by the file's line, not Vault.
  values.origins["n"] = "v.yaml:3:4";
  bad = cli::check_env_settings({&*s}, values);
  REQUIRE(bad.items().size() == 1);
  CHECK(bad.items()[0].message.starts_with(
      "spark.env key SPARK_EXECUTOR_INSTANCES (from values file v.yaml:3:4 field \"n\") is not"));
  values.values["n"] = Secret("4");
  CHECK(!cli::check_env_settings({&*s}, values).has_errors());
}

namespace {

// Hands the same recording fake to every session read_vault_values opens.
struct SharedHttp final : public http::Client {
  FakeVaultHttp* fake;
  explicit SharedHttp(FakeVaultHttp* f) : fake(f) {}
  std::expected<http::Response, http::Failure> send(const http::Request& r) override {
    return fake->send(r);
  }
  std::expected<http::Response, http::Failure> download(const http::Request& r,
                                                        const stdfs::path& p,
                                                        const http::Progress& g) override {
    return fake->download(r, p, g);
  }
};

const std::string kEnvStack =
    test::kMinimalStack +
    "  - name: eks\n    kind: eks\n    namespace: spark\n    eks: {cluster: c, region: r}\n"
    "sparkEnv:\n  sources:\n    - name: v\n      vault: {mount: secret, path: spark/x}\n"
    "  keys:\n    - name: A\n      from: v\n      key: a\n    - name: B\n      from: v\n"
    "      key: b\n    - name: OPT\n      from: v\n      key: absent\n      required: false\n";

}  // namespace

TEST_CASE("render --vault reads each secret once for all targets and keys", "[vault][cli]") {
  Diagnostics diags;
  auto minikube = load_stack(kEnvStack, {"s.yaml", "minikube", nullptr}, diags);
  auto eks = load_stack(kEnvStack, {"s.yaml", "eks", nullptr}, diags);
  REQUIRE(minikube);
  REQUIRE(eks);
  REQUIRE(!diags.has_errors());
  FakeVaultHttp fake;
  fake.script["GET /v1/auth/token/lookup-self"] = {{200, kLookup}};
  fake.script["GET /v1/sys/internal/ui/mounts/secret/spark/x"] = {{200, kMountsV2}};
  fake.script["GET /v1/secret/data/spark/x"] = {{200, kSecretV2}};
  vault::MapEnvironment env{{"VAULT_ADDR", "https://vault.test:8200"}, {"VAULT_TOKEN", "t-123"}};
  cli::VaultDeps deps{&env,
                      [&](const http::Options&) { return std::make_unique<SharedHttp>(&fake); },
                      [](std::chrono::milliseconds) {}};
  std::ostringstream out, err;
  cli::Context ctx{cli::GlobalOptions{}, out, err};
  auto values = cli::read_vault_values(ctx, {&*minikube, &*eks}, deps);
  REQUIRE(values);
  CHECK(values->size() == 2);  // the optional absent field gives no value, not an empty one
  CHECK(values->at("a").reveal() == "1");
  CHECK(fake.count("GET /v1/secret/data/spark/x") == 1);
  CHECK(fake.count("GET /v1/auth/token/lookup-self") == 1);
  CHECK(fake.count("POST /v1/auth/token/revoke-self") == 0);  // the user's token is kept
  CHECK(err.str() == "read spark.env values from Vault at https://vault.test:8200\n");
}

TEST_CASE("render --vault: a missing required field is exit 4 and lists the fields, not values",
          "[vault][cli]") {
  Diagnostics diags;
  auto stack =
      load_stack(test::with("key: absent\n      required: false\n", "key: absent\n", kEnvStack),
                 {"s.yaml", "", nullptr}, diags);
  REQUIRE(stack);
  FakeVaultHttp fake;
  fake.script["GET /v1/auth/token/lookup-self"] = {{200, kLookup}};
  fake.script["GET /v1/secret/data/spark/x"] = {{200, kSecretV2}};
  fake.script["GET /v1/sys/internal/ui/mounts/secret/spark/x"] = {{200, kMountsV2}};
  vault::MapEnvironment env{{"VAULT_TOKEN", "t-123"}};
  cli::VaultDeps deps{&env,
                      [&](const http::Options&) { return std::make_unique<SharedHttp>(&fake); },
                      [](std::chrono::milliseconds) {}};
  std::ostringstream out, err;
  cli::Context ctx{cli::GlobalOptions{}, out, err};
  auto values = cli::read_vault_values(ctx, {&*stack}, deps);
  REQUIRE(!values);
  CHECK(values.error().exit_code == 4);
  REQUIRE(values.error().problems.size() == 1);
  CHECK(out.str().empty());
  CHECK(err.str().find("error") == std::string::npos);  // returned, not printed
  cli::print_vault_failure(ctx, values.error());
  CHECK(err.str().find(
            "stackctl: error: Vault secret secret/spark/x (version 3) has no field \"absent\" "
            "(spark.env key OPT); its fields: a, b\n  hint: write the field") != std::string::npos);
  CHECK(err.str().find("two") == std::string::npos);
  // --output json: the same failure as an app::Error, kind "external" (exit 4).
  const app::Error e = cli::to_app_error(values.error());
  CHECK(e.kind == app::Error::Kind::external);
  CHECK(cli::exit_code_of(e.kind) == 4);
  CHECK(e.message ==
        "Vault secret secret/spark/x (version 3) has no field \"absent\" (spark.env key OPT); its "
        "fields: a, b");
  REQUIRE(e.details.size() == 1);
  CHECK(e.details[0].starts_with("hint: write the field"));
}

TEST_CASE("a Vault failure as JSON: usage for a bad setting, each problem kept", "[vault][cli]") {
  cli::VaultFailure f{2, {{"could not parse VAULT_SKIP_VERIFY (\"yes\")", ""}}};
  CHECK(cli::to_app_error(f).kind == app::Error::Kind::usage);
  CHECK(cli::to_app_error(f).details.empty());
  f = {4, {{"first", "h1"}, {"second", ""}}};
  const app::Error e = cli::to_app_error(f);
  CHECK(e.kind == app::Error::Kind::external);
  CHECK(e.message == "first");
  CHECK(e.details == std::vector<std::string>{"hint: h1", "second"});
  f = {1, {{"spark.env field \"a\" has different values in two Vault secrets", "h"}}};
  CHECK(cli::to_app_error(f).kind == app::Error::Kind::findings);
}
