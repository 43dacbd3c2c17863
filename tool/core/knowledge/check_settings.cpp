#include "core/knowledge/check_settings.hpp"

#include <algorithm>

#include "core/stack/env_settings.hpp"

namespace stackctl::check::detail {

namespace {

const model::SecretSource* source_of(const model::Stack& stack, const std::string& name) {
  for (const auto& s : stack.spark_env.sources)
    if (s.name == name) return &s;
  return nullptr;
}

// Where a spark.env key's value is kept, and why check cannot see it.
std::string unseen_source(const model::SecretSource& s, const std::string& field) {
  switch (s.type) {
    case model::SecretSourceType::vault:
      return "Vault secret " + s.mount + "/" + s.path +
             (s.version > 0 ? " version " + std::to_string(s.version) : "") + " field \"" + field +
             "\"; check read no Vault value for it";
    case model::SecretSourceType::file:
      return "values file " + s.path + " field \"" + field + "\"; check read no values file for it";
    case model::SecretSourceType::kubernetes_secret:
      return "Kubernetes Secret " + s.secret + " key \"" + field +
             "\"; check reads no cluster, and render and deploy do not either (the pods read it "
             "when they start)";
  }
  return {};
}

}  // namespace

void sc022(const Facts& f, rules::Report<Finding>& r) {
  for (const auto& [key, value] : f.stack->spark.conf) {
    const env_settings::Setting* s = env_settings::find_spark_key(key);
    if (s == nullptr || env_settings::valid(*s, value)) continue;
    const std::string path = "spark.conf." + key;
    Finding out{{Severity::error,
                 {},
                 f.stack->locs.at(path),
                 path,
                 key + " is \"" + value + "\", which is not a valid value: expected " +
                     std::string(s->expected),
                 "write " + std::string(s->expected) + " for " + key},
                {}};
    r.add(std::move(out));
  }
}

void sc023(const Facts& f, rules::Report<Finding>& r) {
  const auto& keys = f.stack->spark_env.keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const env_settings::Setting* s = env_settings::find(keys[i].name);
    const model::SecretSource* src = source_of(*f.stack, keys[i].source);
    if (s == nullptr || src == nullptr) continue;
    // A value read by --values or --vault is judged by SC028 instead.
    if (f.env_values != nullptr && f.env_values->values.contains(keys[i].key)) continue;
    const std::string path = "sparkEnv.keys[" + std::to_string(i) + "]";
    const bool judged_later = src->type != model::SecretSourceType::kubernetes_secret;
    Finding out{{Severity::info,
                 {},
                 f.stack->locs.at(path),
                 path,
                 "spark.env key " + keys[i].name + " sets " + std::string(s->spark_key) + " from " +
                     unseen_source(*src, keys[i].key) + ", so this setting was not judged",
                 judged_later ? "pass `--vault` or `--values FILE` to have check judge it; "
                                "`stackctl render` and `stackctl deploy` judge it (E_ENV_SETTING) "
                                "when they read the value, before anything is written or applied"
                              : "make sure the Secret holds " + std::string(s->expected)},
                {}};
    r.add(std::move(out));
  }
}

// Iceberg's Spark docs (iceberg.apache.org/docs/latest/spark-configuration, "Catalogs"): a catalog
// is `spark.sql.catalog.<name>` = an implementation class, and Iceberg supplies
// org.apache.iceberg.spark.SparkCatalog and SparkSessionCatalog. The SQL extension alone adds
// Iceberg's SQL (CALL, ALTER TABLE ... WRITE ORDERED BY) but no catalog that loads Iceberg tables.
void sc024(const Facts& f, rules::Report<Finding>& r) {
  constexpr std::string_view extension =
      "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
  const auto& conf = f.stack->spark.conf;
  const auto ext = std::find_if(conf.begin(), conf.end(), [&](const auto& kv) {
    return kv.first == "spark.sql.extensions" && kv.second.find(extension) != std::string::npos;
  });
  if (ext == conf.end()) return;
  constexpr std::string_view prefix = "spark.sql.catalog.";
  const bool catalog = std::any_of(conf.begin(), conf.end(), [&](const auto& kv) {
    const std::string& key = kv.first;
    return key.starts_with(prefix) && key.find('.', prefix.size()) == std::string::npos &&
           key.size() > prefix.size() && kv.second.starts_with("org.apache.iceberg.");
  });
  if (catalog) return;
  const std::string path = "spark.conf.spark.sql.extensions";
  r.add({{Severity::warning,
          {},
          f.stack->locs.at(path),
          path,
          "the Iceberg SQL extension is configured, but no Iceberg catalog is: no "
          "spark.sql.catalog.<name> is org.apache.iceberg.spark.SparkCatalog or "
          "SparkSessionCatalog, so Iceberg tables cannot be loaded or created by name",
          "add spark.sql.catalog.spark_catalog: org.apache.iceberg.spark.SparkSessionCatalog and "
          "spark.sql.catalog.spark_catalog.type: hive (Iceberg beside Hive tables in the "
          "metastore), or a catalog of its own; or remove the extension"},
         {}});
}

void sc028(const Facts& f, rules::Report<Finding>& r) {
  if (f.env_values == nullptr) return;
  for (const auto& bad : env_settings::invalid_values(*f.stack, *f.env_values)) {
    const std::string path = "sparkEnv.keys[" + std::to_string(bad.key) + "]";
    Finding out{{Severity::error,
                 {},
                 f.stack->locs.at(path),
                 path,
                 bad.message,
                 "write " + std::string(bad.setting->expected) +
                     " where the value is kept (for Vault: the vault-spark-env module's values, "
                     "then terraform apply)"},
                {}};
    r.add(std::move(out));
  }
}

}  // namespace stackctl::check::detail
