// Registry credentials and auth challenges: the parts of registry auth that are not HTTP.
//
// Credentials are read the way podman/skopeo (containers/image, pkg/docker/config) and docker
// read them, from the first auth file that has an entry for the registry:
//   1. ${REGISTRY_AUTH_FILE}
//   2. ${XDG_RUNTIME_DIR}/containers/auth.json
//   3. ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json
//   4. ${DOCKER_CONFIG:-~/.docker}/config.json
// Each is {"auths": {"KEY": {"auth": base64("user:password")}}}. KEY is "registry",
// "registry/namespace[/repo]" (the most specific match wins within a file), or a URL such as
// "https://index.docker.io/v1/" (scheme and path dropped; index.docker.io means docker.io).
// Within a file, the order is: a `credHelpers` entry for the registry (its host, as Docker keys
// them), then `credsStore`, then the `auths` entry. A helper is the program
// `docker-credential-<NAME>` speaking the docker-credential-helpers protocol
// (github.com/docker/docker-credential-helpers, client/client.go Get and credentials/
// credentials.go): argv `get`, the server URL on stdin (the registry host, or
// "https://index.docker.io/v1/" for Docker Hub), and on stdout either JSON
// {"ServerURL", "Username", "Secret"} with exit 0, or, exit non-zero, the text
// "credentials not found in native keychain" (credentials/error.go), which means "none here".
// A helper runs at most once per registry and lookup (its answer is kept for the run).
// Not supported (said in a log line, not guessed around): identity tokens (OAuth refresh tokens:
// an auth file's `identitytoken`, a helper's Username "<token>"); log in with a password or token
// instead (`skopeo login --authfile FILE` + REGISTRY_AUTH_FILE).
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/process.hpp"
#include "core/image_ref.hpp"
#include "core/secret.hpp"

namespace stackctl::registry {

struct Credentials {
  std::string username;
  Secret password;
  std::string source;  // the auth file it came from, for messages ("~/.docker/config.json")
};

// Environment lookup: the process environment in the CLI, a map in tests.
using Env = std::function<std::optional<std::string>(std::string_view name)>;
Env process_env();

// The auth files to consult, in order (see above); files that do not exist are skipped later.
std::vector<std::filesystem::path> auth_file_paths(const Env& env);

// The entry for `ref` in one auth file's text. nullopt when the file has none; an error message
// when the file is not JSON or the entry's "auth" is not base64 of "user:password".
std::expected<std::optional<Credentials>, std::string> credentials_in_auth_json(
    std::string_view json, const std::string& source, const ImageRef& ref);

// Finds credentials for a registry; an error message when an auth file is broken.
using CredentialLookup =
    std::function<std::expected<std::optional<Credentials>, std::string>(const ImageRef& ref)>;
// Reads auth_file_paths(env) at each call, first hit wins. Credential helpers named by a file are
// run through `helpers` (nullptr: not run; a warning says a helper was skipped). The runner must
// outlive the lookup.
CredentialLookup auth_files_lookup(Env env, proc::Runner* helpers = nullptr);

// The server URL a credential helper is asked about for `ref`'s registry.
std::string helper_server_url(const ImageRef& ref);

// Runs `docker-credential-<helper> get` for `server` through `runner`. nullopt: the helper says it
// has no credentials for it. Error: the helper is not installed, failed, or answered something
// that is not its protocol (the message never holds the secret). `source` names where the helper
// was configured, for messages ("credHelpers in ~/.docker/config.json").
std::expected<std::optional<Credentials>, std::string> run_credential_helper(
    proc::Runner& runner, const std::string& helper, const std::string& server,
    const std::string& source);
// Never finds anything (anonymous access only).
CredentialLookup no_credentials();

// One challenge of a WWW-Authenticate header (RFC 7235): scheme lower-cased, parameter names
// lower-cased, quoted values unescaped. `Bearer realm="https://a/token",service="reg",scope="x"`.
struct Challenge {
  std::string scheme;  // "bearer", "basic"
  std::map<std::string, std::string> params;
};
std::vector<Challenge> parse_www_authenticate(std::string_view header);

}  // namespace stackctl::registry
