// spark.env values read from Vault for `render --vault` and `deploy --vault`: every Vault-sourced
// key of the stacks, each secret read once, the minted token revoked at the end. Problems are
// returned as values (never a value, token or credential in them) with the exit code they mean.
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/vault.hpp"
#include "app/error.hpp"
#include "cli/context.hpp"
#include "core/diag.hpp"
#include "core/secret.hpp"
#include "core/stack/env_settings.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

using HttpFactory = std::function<std::unique_ptr<http::Client>(const http::Options&)>;

struct VaultDeps {
  const vault::Environment* env = nullptr;
  HttpFactory make_http;       // the curl client in production
  vault::Client::Sleep sleep;  // between retries; empty: really sleep
};

// One thing that went wrong reading Vault: its message and hint name addresses, paths and
// fields, never a value, token or credential.
struct VaultProblem {
  std::string message;
  std::string hint;
};

// Why Vault's values could not be had: every problem, in the order found, and the exit code:
// kUsage for an unusable environment or credential setting, kExternalError for anything Vault
// answered or failed to answer, kFindings for a field with two values in two secrets.
struct VaultFailure {
  int exit_code = 0;
  std::vector<VaultProblem> problems;
};

// Values by EnvKey::key for the keys whose source is `vault`. Progress ("read spark.env values
// from Vault at ADDR") and a failed revoke go to ctx.err; failures are returned, not printed.
std::expected<std::map<std::string, Secret>, VaultFailure> read_vault_values(
    Context& ctx, const std::vector<const model::Stack*>& stacks, const VaultDeps& deps);

// Text: "stackctl: error: MESSAGE" and "  hint: HINT" per problem, on ctx.err.
void print_vault_failure(Context& ctx, const VaultFailure& failure);

// As an app::Error (for `--output json`: cli/app_output.hpp's to_json): the first problem is the
// message; the others and every hint ("hint: ...") are the details.
app::Error to_app_error(const VaultFailure& failure);

// spark.env keys that carry Spark settings (core/stack/env_settings.hpp) whose value is not valid
// for that setting, as errors at the key's line naming where the value came from (never the
// value): env_settings::invalid_values over each stack, each message once (E_ENV_SETTING).
Diagnostics check_env_settings(const std::vector<const model::Stack*>& stacks,
                               const env_settings::ReadValues& values);

}  // namespace stackctl::cli
