// The spark.env values `render` and `deploy` give the renderer, read the same way by both: the
// values files (or --values FILE), then with --vault the Vault-sourced keys from Vault, and every
// key that carries a Spark setting judged as that setting before anything is written or applied.
// Failures are values (located diagnostics, Vault's problems) with their exit code; nothing here
// prints a value.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "cli/vault_inputs.hpp"
#include "core/diag.hpp"
#include "core/secret.hpp"
#include "core/stack/env_settings.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct EnvValuesOptions {
  std::string values_file;           // --values: every key in it; else each file source's file
  std::filesystem::path stack_dir;   // file sources are relative to the stack file
  const VaultDeps* vault = nullptr;  // --vault: read the Vault-sourced keys with these ports
};

struct EnvValuesFailure {
  // kInputError: a values file exists but cannot be read; kFindings: a malformed values file or
  // a value that is not a valid Spark setting; Vault's: VaultFailure::exit_code.
  int exit_code = 0;
  Diagnostics diags;                  // located problems (values files, E_ENV_SETTING)
  std::optional<VaultFailure> vault;  // set when Vault was the cause
};

// Values by EnvKey::key, with where each was read, not yet judged (`check` has its core rules
// judge them: SC028). Vault's values replace a values file's for the same field.
std::expected<env_settings::ReadValues, EnvValuesFailure> read_spark_env_inputs(
    Context& ctx, const EnvValuesOptions& options, const std::vector<const model::Stack*>& stacks);

// read_spark_env_inputs, then every Spark setting among the values judged (E_ENV_SETTING, exit
// kFindings): what render and deploy hand the renderer.
std::expected<std::map<std::string, Secret>, EnvValuesFailure> read_spark_env_values(
    Context& ctx, const EnvValuesOptions& options, const std::vector<const model::Stack*>& stacks);

// The production ports for read_vault_values over `env` (the curl client, real sleeps).
VaultDeps real_vault_deps(const vault::Environment& env);

}  // namespace stackctl::cli
