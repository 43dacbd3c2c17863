// The vault CLI's environment (vault.hpp read_config). Sources, hashicorp/vault at 003c0000:
// api/client.go Config.ReadEnvironment (names, ParseBool for VAULT_SKIP_VERIFY, ParseUint for
// VAULT_MAX_RETRIES, ParseDurationSecond for VAULT_CLIENT_TIMEOUT, "both client cert and client key
// must be provided", CACert before CAPath) and DefaultConfig (address https://127.0.0.1:8200,
// timeout 60s, 2 retries waiting 1000-1500 ms).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include "adapters/fs.hpp"
#include "adapters/vault.hpp"

namespace stackctl::vault {

namespace {

namespace stdfs = std::filesystem;

// OpenBao's name first (BAO_ADDR), then Vault's (VAULT_ADDR). `used` is set to the name found.
std::optional<std::string> lookup(const Environment& env, const std::string& suffix,
                                  std::string& used) {
  for (const std::string& name : {"BAO_" + suffix, "VAULT_" + suffix}) {
    if (auto v = env.get(name)) {
      used = name;
      return v;
    }
  }
  used = "VAULT_" + suffix;
  return std::nullopt;
}

Failure config_failure(std::string message, std::string hint = {}) {
  return {Failure::Kind::config, std::move(message), std::move(hint)};
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

// VAULT_CAPATH: every regular file of the directory that holds a PEM certificate, as
// go-rootcerts reads it, joined into one in-memory bundle (http::Options::ca_data).
std::expected<std::string, Failure> bundle_of(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec))
    return std::unexpected(config_failure(name + "=" + dir + " is not a directory"));
  std::vector<stdfs::path> files;
  for (const auto& e : stdfs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string pem;
  for (const auto& f : files) {
    auto text = fs::read_file(f);
    if (!text) return std::unexpected(config_failure(name + ": " + text.error().message));
    if (text->find("-----BEGIN CERTIFICATE-----") != std::string::npos) pem += *text + "\n";
  }
  if (pem.empty())
    return std::unexpected(config_failure(name + "=" + dir + " holds no PEM certificate"));
  return pem;
}

std::expected<void, Failure> read_tls(const Environment& env, Config& c) {
  std::string name;
  // api.TLSConfig: CACert takes precedence over CACertBytes, which takes precedence over CAPath.
  if (auto v = lookup(env, "CACERT", name)) {
    c.http.ca_file = *v;
    c.ca_origin = name + "=" + *v;
  } else if (auto bytes = lookup(env, "CACERT_BYTES", name)) {
    c.http.ca_data = *bytes;
    c.ca_origin = name;
  } else if (auto d = lookup(env, "CAPATH", name)) {
    auto bundle = bundle_of(*d, name);
    if (!bundle) return std::unexpected(bundle.error());
    c.http.ca_data = std::move(*bundle);
    c.ca_origin = name + "=" + *d;
  }
  std::string cert_name, key_name;
  auto cert = lookup(env, "CLIENT_CERT", cert_name);
  auto key = lookup(env, "CLIENT_KEY", key_name);
  if (cert.has_value() != key.has_value())
    return std::unexpected(
        config_failure("both client cert and client key must be provided: " +
                           (cert ? cert_name + " is set, " + key_name + " is not"
                                 : key_name + " is set, " + cert_name + " is not"),
                       "set both " + cert_name + " and " + key_name + ", or neither"));
  if (cert) {
    c.http.client_cert_file = *cert;
    c.http.client_key_file = *key;
  }
  if (auto v = lookup(env, "SKIP_VERIFY", name)) {
    auto b = parse_go_bool(*v);
    if (!b)
      return std::unexpected(config_failure(
          "could not parse " + name + " (\"" + *v + "\")",
          "use true or false (also accepted, as by Go's strconv.ParseBool: 1 t T TRUE True, "
          "0 f F FALSE False)"));
    c.http.insecure_skip_verify = *b;
    if (*b) c.skip_verify_origin = name;
  }
  if (auto v = lookup(env, "TLS_SERVER_NAME", name)) c.http.tls_server_name = *v;
  return {};
}

std::expected<void, Failure> read_limits(const Environment& env, Config& c) {
  std::string name;
  c.http.timeout = std::chrono::seconds(60);
  if (auto v = lookup(env, "CLIENT_TIMEOUT", name)) {
    auto d = parse_duration_second(*v);
    if (!d)
      return std::unexpected(config_failure("could not parse \"" + name + "\" (\"" + *v + "\")",
                                            "write seconds (60) or a duration (90s, 2m)"));
    c.http.timeout = std::chrono::ceil<std::chrono::seconds>(*d);
  }
  if (auto v = lookup(env, "MAX_RETRIES", name)) {
    const bool digits =
        !v->empty() && v->size() <= 9 &&
        std::all_of(v->begin(), v->end(), [](unsigned char ch) { return std::isdigit(ch) != 0; });
    if (!digits)
      return std::unexpected(config_failure("could not parse " + name + " (\"" + *v + "\")",
                                            "write a whole number of retries, e.g. 2 (0: none)"));
    c.max_retries = std::stoi(*v);
  }
  c.http.retries = 0;  // Vault's own retry policy applies (vault.cpp Client::send)
  return {};
}

void read_token(const Environment& env, Config& c) {
  std::string name;
  if (auto v = lookup(env, "TOKEN", name)) {
    c.token = Secret(trim(*v));
    c.token_origin = name;
    return;
  }
  auto home = env.get("HOME");
  if (!home) return;
  const stdfs::path file = stdfs::path(*home) / ".vault-token";
  std::error_code ec;
  if (!stdfs::exists(file, ec)) return;
  if (auto text = fs::read_file(file); text && !trim(*text).empty()) {
    c.token = Secret(trim(*text));
    c.token_origin = file.string();
  }
}

}  // namespace

std::optional<bool> parse_go_bool(const std::string& text) {
  static const std::vector<std::string> yes = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::vector<std::string> no = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(yes.begin(), yes.end(), text) != yes.end()) return true;
  if (std::find(no.begin(), no.end(), text) != no.end()) return false;
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration_second(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
    return text.size() > 9 ? std::nullopt
                           : std::optional(std::chrono::milliseconds(std::stol(text) * 1000));
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    if (j == i || j - i > 12) return std::nullopt;
    const double n = std::strtod(text.substr(i, j - i).c_str(), nullptr);
    std::size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
    const std::string unit = text.substr(j, k - j);
    if (unit == "ms")
      total_ms += n;
    else if (unit == "s")
      total_ms += n * 1000;
    else if (unit == "m")
      total_ms += n * 60'000;
    else if (unit == "h")
      total_ms += n * 3'600'000;
    else
      return std::nullopt;
    i = k;
  }
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

std::expected<Config, Failure> read_config(const Environment& env, const model::Vault& stack) {
  Config c;
  std::string name;
  if (auto v = lookup(env, "ADDR", name)) {
    c.address = *v;
  } else if (!stack.address.empty()) {
    c.address = stack.address;
  }
  while (c.address.ends_with('/')) c.address.pop_back();
  if (!c.address.starts_with("https://") && !c.address.starts_with("http://"))
    return std::unexpected(config_failure(name + " (\"" + c.address + "\") is not an http(s) URL",
                                          "e.g. " + name + "=https://vault.example.com:8200"));
  if (auto v = lookup(env, "NAMESPACE", name)) {
    c.namespace_name = *v;
  } else {
    c.namespace_name = stack.namespace_name;
  }
  if (auto t = read_tls(env, c); !t) return std::unexpected(t.error());
  if (auto l = read_limits(env, c); !l) return std::unexpected(l.error());
  read_token(env, c);
  return c;
}

namespace {

class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(const std::string& name) const override {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  }
};

}  // namespace

std::unique_ptr<Environment> process_environment() {
  return std::make_unique<ProcessEnvironment>();
}

}  // namespace stackctl::vault
