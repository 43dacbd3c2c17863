// Auth files and WWW-Authenticate parsing; see registry_auth.hpp.
#include "adapters/registry_auth.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "adapters/fs.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::registry {

namespace {

// containers/image normalizeAuthFileKey: a URL key loses its scheme and path; a plain key keeps
// its namespace path; index.docker.io is docker.io.
std::string normalise_key(std::string key) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (key.starts_with(scheme)) {
      key = key.substr(scheme.size());
      key = key.substr(0, key.find('/'));
    }
  }
  if (key == "index.docker.io" || key.starts_with("index.docker.io/"))
    key = "docker.io" + key.substr(std::string_view("index.docker.io").size());
  return key;
}

// "reg/a/b/c", "reg/a/b", "reg/a", "reg": the most specific key first.
std::vector<std::string> candidate_keys(const ImageRef& ref) {
  std::vector<std::string> out;
  std::string path = ref.name();
  for (;;) {
    out.push_back(path);
    if (path == ref.registry) break;
    path.resize(path.rfind('/'));
  }
  return out;
}

std::expected<std::optional<Credentials>, std::string> entry_credentials(
    const nlohmann::json& entry, const std::string& source, const std::string& key) {
  const std::string where = source + ": auths." + key;
  if (!entry.is_object()) return std::unexpected(where + " is not an object");
  if (entry.contains("auth") && entry["auth"].is_string() &&
      !entry["auth"].get<std::string>().empty()) {
    const auto decoded = codec::base64_decode(entry["auth"].get<std::string>());
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return std::unexpected(where + ".auth is not base64 of \"user:password\"");
    return Credentials{decoded->substr(0, colon), Secret(decoded->substr(colon + 1)), source};
  }
  if (entry.contains("username") && entry.contains("password") && entry["username"].is_string() &&
      entry["password"].is_string())
    return Credentials{entry["username"].get<std::string>(),
                       Secret(entry["password"].get<std::string>()), source};
  if (entry.contains("identitytoken"))
    spdlog::warn(
        "{} has an identitytoken (OAuth refresh token), which stackctl does not use; "
        "log in with a password or token: skopeo login --authfile FILE",
        where);
  return std::optional<Credentials>{};
}

}  // namespace

Env process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::vector<std::filesystem::path> auth_file_paths(const Env& env) {
  std::vector<std::filesystem::path> out;
  if (auto f = env("REGISTRY_AUTH_FILE")) out.emplace_back(*f);
  if (auto d = env("XDG_RUNTIME_DIR"))
    out.push_back(std::filesystem::path(*d) / "containers/auth.json");
  const auto home = env("HOME");
  if (auto d = env("XDG_CONFIG_HOME"))
    out.push_back(std::filesystem::path(*d) / "containers/auth.json");
  else if (home)
    out.push_back(std::filesystem::path(*home) / ".config/containers/auth.json");
  if (auto d = env("DOCKER_CONFIG"))
    out.push_back(std::filesystem::path(*d) / "config.json");
  else if (home)
    out.push_back(std::filesystem::path(*home) / ".docker/config.json");
  return out;
}

std::expected<std::optional<Credentials>, std::string> credentials_in_auth_json(
    std::string_view json, const std::string& source, const ImageRef& ref) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::unexpected(source + ": not a JSON object");
  if (!doc.contains("auths")) return std::optional<Credentials>{};
  const auto& auths = doc["auths"];
  if (!auths.is_object()) return std::unexpected(source + ": \"auths\" is not an object");
  std::map<std::string, std::string> by_key;  // normalised key -> key as written
  for (const auto& [key, value] : auths.items()) by_key.try_emplace(normalise_key(key), key);
  for (const auto& want : candidate_keys(ref)) {
    const auto it = by_key.find(want);
    if (it == by_key.end()) continue;
    auto found = entry_credentials(auths[it->second], source, it->second);
    if (!found || *found) return found;
  }
  return std::optional<Credentials>{};
}

std::string helper_server_url(const ImageRef& ref) {
  // Docker asks helpers about Docker Hub by its legacy index URL (docker/cli registry.IndexServer).
  return ref.registry == "docker.io" ? "https://index.docker.io/v1/" : ref.registry;
}

std::expected<std::optional<Credentials>, std::string> run_credential_helper(
    proc::Runner& runner, const std::string& helper, const std::string& server,
    const std::string& source) {
  const std::string program = "docker-credential-" + helper;
  const std::string where = program + " (" + source + ")";
  proc::Command cmd;
  cmd.argv = {program, "get"};
  cmd.stdin_data = server;
  auto r = runner.run(cmd);
  if (!r)
    return std::unexpected("cannot run credential helper " + where + ": " + r.error().message +
                           "; install it or remove it from the file");
  std::string out = r->out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  if (r->exit_code != 0) {
    if (out == "credentials not found in native keychain") return std::optional<Credentials>{};
    // A failing helper prints its error on stdout (credentials.Serve); never its secret.
    return std::unexpected("credential helper " + where + " failed for " + server + " (exit " +
                           std::to_string(r->exit_code) + "): " + out.substr(0, 300));
  }
  const auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Username") || !j.contains("Secret") ||
      !j["Username"].is_string() || !j["Secret"].is_string())
    return std::unexpected("credential helper " + where + " answered for " + server +
                           " with something other than {\"ServerURL\", \"Username\", "
                           "\"Secret\"} JSON");
  const std::string user = j["Username"].get<std::string>();
  if (user == "<token>")
    return std::unexpected("credential helper " + where + " gave an identity token for " + server +
                           " (Username \"<token>\"), which stackctl cannot use; give it a "
                           "password or registry token instead");
  return Credentials{user, Secret(j["Secret"].get<std::string>()), where};
}

namespace {

// Helper answers of one lookup, by helper and server: one run each per stackctl run.
struct HelperCache {
  std::mutex mutex;
  std::map<std::string, std::expected<std::optional<Credentials>, std::string>> answers;
};

// The registry's entry in a file's `credHelpers` (keys normalised as auth keys), or "".
std::string helper_for(const nlohmann::json& doc, const ImageRef& ref) {
  if (!doc.contains("credHelpers") || !doc["credHelpers"].is_object()) return {};
  for (const auto& [key, value] : doc["credHelpers"].items())
    if (normalise_key(key) == ref.registry && value.is_string()) return value.get<std::string>();
  return {};
}

std::expected<std::optional<Credentials>, std::string> lookup_in_file(const std::string& text,
                                                                      const std::string& source,
                                                                      const ImageRef& ref,
                                                                      proc::Runner* runner,
                                                                      HelperCache& cache) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_object()) {
    struct Named {
      std::string helper;
      std::string how;
    };
    std::vector<Named> helpers;
    if (auto h = helper_for(doc, ref); !h.empty()) helpers.push_back({h, "credHelpers"});
    if (doc.contains("credsStore") && doc["credsStore"].is_string() &&
        !doc["credsStore"].get<std::string>().empty())
      helpers.push_back({doc["credsStore"].get<std::string>(), "credsStore"});
    for (const auto& [helper, how] : helpers) {
      if (runner == nullptr) {
        spdlog::warn("{}: {} names docker-credential-{}, which is not run here", source, how,
                     helper);
        continue;
      }
      const std::string server = helper_server_url(ref);
      std::lock_guard lock(cache.mutex);
      auto [it, fresh] = cache.answers.try_emplace(helper + "\n" + server);
      if (fresh) it->second = run_credential_helper(*runner, helper, server, how + " in " + source);
      if (!it->second || *it->second) return it->second;
    }
  }
  return credentials_in_auth_json(text, source, ref);
}

}  // namespace

CredentialLookup auth_files_lookup(Env env, proc::Runner* helpers) {
  auto cache = std::make_shared<HelperCache>();
  return [env = std::move(env), helpers,
          cache](const ImageRef& ref) -> std::expected<std::optional<Credentials>, std::string> {
    for (const auto& path : auth_file_paths(env)) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) continue;
      auto text = fs::read_file(path);
      if (!text) return std::unexpected(text.error().message);
      auto found = lookup_in_file(*text, path.string(), ref, helpers, *cache);
      if (!found || *found) return found;
    }
    return std::optional<Credentials>{};
  };
}

CredentialLookup no_credentials() {
  return [](const ImageRef&) -> std::expected<std::optional<Credentials>, std::string> {
    return std::optional<Credentials>{};
  };
}

std::vector<Challenge> parse_www_authenticate(std::string_view h) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t' || h[i] == ',')) ++i;
  };
  auto token = [&] {
    const std::size_t start = i;
    while (i < h.size() && h[i] != '=' && h[i] != ' ' && h[i] != '\t' && h[i] != ',') ++i;
    std::string t(h.substr(start, i - start));
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  while (skip_space(), i < h.size()) {
    const std::size_t start = i;
    std::string name = token();
    std::size_t after = i;
    while (after < h.size() && (h[after] == ' ' || h[after] == '\t')) ++after;
    if (after < h.size() && h[after] == '=' && !out.empty() && start > 0) {
      // name=value of the current challenge
      i = after + 1;
      while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
      std::string value;
      if (i < h.size() && h[i] == '"') {
        for (++i; i < h.size() && h[i] != '"'; ++i) {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i];
        }
        ++i;
      } else {
        while (i < h.size() && h[i] != ',') value += h[i++];
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      }
      out.back().params[name] = value;
    } else if (!name.empty()) {
      out.push_back({name, {}});
    } else {
      ++i;  // stray character
    }
  }
  return out;
}

}  // namespace stackctl::registry
