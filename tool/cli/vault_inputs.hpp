// spark.env values read from Vault for `render --vault` (and, later, deploy): every Vault-sourced
// key of the stacks, each secret read once, the minted token revoked at the end. Problems are
// printed on ctx.err (never a value, token or credential) and returned as an exit code:
// kUsage for an unusable environment or credential setting, kExternalError for anything Vault
// answered or failed to answer (missing secret or field, denied, sealed, TLS, ...).
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/vault.hpp"
#include "cli/context.hpp"
#include "core/diag.hpp"
#include "core/secret.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

using HttpFactory = std::function<std::unique_ptr<http::Client>(const http::Options&)>;

struct VaultDeps {
  const vault::Environment* env = nullptr;
  HttpFactory make_http;       // the curl client in production
  vault::Client::Sleep sleep;  // between retries; empty: really sleep
};

// Values by EnvKey::key for the keys whose source is `vault`.
std::expected<std::map<std::string, Secret>, int> read_vault_values(
    Context& ctx, const std::vector<const model::Stack*>& stacks, const VaultDeps& deps);

// spark.env keys that carry Spark settings (core/stack/env_settings.hpp) whose value is not valid
// for that setting, as errors at the key's line naming where the value came from (never the value).
Diagnostics check_env_settings(const std::vector<const model::Stack*>& stacks,
                               const std::map<std::string, Secret>& values);

}  // namespace stackctl::cli
