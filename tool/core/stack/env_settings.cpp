#include "core/stack/env_settings.hpp"

#include <regex>
#include <string>

#include "core/stack/sections.hpp"

namespace stackctl::env_settings {

namespace {

// The same shapes as the stack's structured fields (stack_sections.cpp read_spark): whole
// numbers within those bounds, Spark sizes, Kubernetes CPU quantities, YAML-free booleans.
bool whole_number(std::string_view v, long min, long max) {
  if (v.empty() || v.size() > 9) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  const long n = std::stol(std::string(v));
  return n >= min && n <= max;
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"SPARK_EXECUTOR_INSTANCES", "spark.executor.instances", "a whole number from 0 to 10000"},
      {"SPARK_EXECUTOR_MEMORY", "spark.executor.memory", "a Spark size like 2g, 512m or 4096m"},
      {"SPARK_EXECUTOR_CORES", "spark.executor.cores", "a whole number from 1 to 1024"},
      {"SPARK_KUBERNETES_EXECUTOR_REQUEST_CORES", "spark.kubernetes.executor.request.cores",
       "a Kubernetes CPU quantity like 1.8 or 1800m"},
      {"SPARK_DYNAMICALLOCATION_ENABLED", "spark.dynamicAllocation.enabled", "true or false"},
      {"SPARK_SQL_SHUFFLE_PARTITIONS", "spark.sql.shuffle.partitions",
       "a whole number from 1 to 1000000"},
  };
  return all;
}

const Setting* find(std::string_view env_name) {
  for (const auto& s : settings())
    if (s.env == env_name) return &s;
  return nullptr;
}

const Setting* find_spark_key(std::string_view spark_key) {
  for (const auto& s : settings())
    if (s.spark_key == spark_key) return &s;
  return nullptr;
}

bool valid(const Setting& s, std::string_view value) {
  const std::string v(value);
  if (s.env == "SPARK_EXECUTOR_INSTANCES") return whole_number(v, 0, 10000);
  if (s.env == "SPARK_EXECUTOR_CORES") return whole_number(v, 1, 1024);
  if (s.env == "SPARK_SQL_SHUFFLE_PARTITIONS") return whole_number(v, 1, 1000000);
  if (s.env == "SPARK_DYNAMICALLOCATION_ENABLED") return v == "true" || v == "false";
  if (s.env == "SPARK_EXECUTOR_MEMORY") return detail::is_spark_size(v);
  static const std::regex cpu("[0-9]+(\\.[0-9]+)?|[0-9]+m");
  return std::regex_match(v, cpu) && v.find_first_of("123456789") != std::string::npos;
}

}  // namespace stackctl::env_settings

namespace stackctl::env_settings {

namespace {

const model::SecretSource* source_of(const model::Stack& stack, const std::string& name) {
  for (const auto& s : stack.spark_env.sources)
    if (s.name == name) return &s;
  return nullptr;
}

// Where the value of `k` was read, for a message: never the value itself.
std::string origin_of(const model::EnvKey& k, const model::SecretSource& s,
                      const ReadValues& read) {
  const std::string field = " field \"" + k.key + "\"";
  if (auto o = read.origins.find(k.key); o != read.origins.end())
    return "values file " + o->second + field;
  if (s.type == model::SecretSourceType::vault)
    return "Vault secret " + s.mount + "/" + s.path +
           (s.version > 0 ? " version " + std::to_string(s.version) : "") + field;
  if (s.type == model::SecretSourceType::file) return "values file " + s.path + field;
  return "Kubernetes Secret " + s.secret + " key \"" + k.key + "\"";
}

}  // namespace

std::vector<InvalidValue> invalid_values(const model::Stack& stack, const ReadValues& read) {
  std::vector<InvalidValue> out;
  const auto& keys = stack.spark_env.keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const model::EnvKey& k = keys[i];
    const Setting* setting = find(k.name);
    const model::SecretSource* s = source_of(stack, k.source);
    auto v = read.values.find(k.key);
    if (setting == nullptr || s == nullptr || v == read.values.end()) continue;
    if (valid(*setting, v->second.reveal())) continue;
    out.push_back({i, setting,
                   "spark.env key " + k.name + " (from " + origin_of(k, *s, read) +
                       ") is not a valid " + std::string(setting->spark_key) + ": expected " +
                       std::string(setting->expected) + " (the value is not shown)"});
  }
  return out;
}

}  // namespace stackctl::env_settings
