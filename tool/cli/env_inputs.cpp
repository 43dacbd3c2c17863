#include "cli/env_inputs.hpp"

#include "cli/exit_codes.hpp"
#include "cli/render_inputs.hpp"

namespace stackctl::cli {

std::expected<env_settings::ReadValues, EnvValuesFailure> read_spark_env_inputs(
    Context& ctx, const EnvValuesOptions& options, const std::vector<const model::Stack*>& stacks) {
  ValuesRead values = read_env_values(options.values_file, options.stack_dir, stacks);
  if (values.unreadable.has_errors())
    return std::unexpected(EnvValuesFailure{kInputError, std::move(values.unreadable), {}});
  if (values.diags.has_errors())
    return std::unexpected(EnvValuesFailure{kFindings, std::move(values.diags), {}});
  if (options.vault != nullptr) {
    auto from_vault = read_vault_values(ctx, stacks, *options.vault);
    if (!from_vault)
      return std::unexpected(
          EnvValuesFailure{from_vault.error().exit_code, {}, std::move(from_vault.error())});
    for (auto& [k, v] : *from_vault) {
      values.values.insert_or_assign(k, std::move(v));
      values.origins.erase(k);  // read from its Vault source, which names it
    }
  }
  return env_settings::ReadValues{std::move(values.values), std::move(values.origins)};
}

std::expected<std::map<std::string, Secret>, EnvValuesFailure> read_spark_env_values(
    Context& ctx, const EnvValuesOptions& options, const std::vector<const model::Stack*>& stacks) {
  auto read = read_spark_env_inputs(ctx, options, stacks);
  if (!read) return std::unexpected(std::move(read.error()));
  // Spark settings carried by spark.env keys are judged before anything is written or applied.
  if (Diagnostics bad = check_env_settings(stacks, *read); bad.has_errors())
    return std::unexpected(EnvValuesFailure{kFindings, std::move(bad), {}});
  return std::move(read->values);
}

VaultDeps real_vault_deps(const vault::Environment& env) {
  return {&env, [](const http::Options& o) { return http::make_curl_client(o); }, {}};
}

}  // namespace stackctl::cli
