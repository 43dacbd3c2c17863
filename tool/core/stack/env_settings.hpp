// spark.env keys that carry Spark settings. The driver-like pods' init container spark-env-conf
// (render/manifests_runtime.cpp, docs/runtime.md) writes these variables into the
// spark-defaults.conf Spark reads, so a value read from Vault (or a values file) is judged as the
// setting it becomes, with the same rules as the stack's own `spark:` fields (stack_sections.cpp),
// before anything is written or applied. Values are never part of a message.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.hpp"
#include "core/stack/model.hpp"

namespace stackctl::env_settings {

struct Setting {
  std::string_view env;        // SPARK_EXECUTOR_INSTANCES
  std::string_view spark_key;  // spark.executor.instances
  std::string_view expected;   // what a valid value looks like, in words
};

// Every variable name judged, in a fixed order (docs/stack-file.md lists the same table).
const std::vector<Setting>& settings();

// The setting `env_name` carries, or nullptr when it is an ordinary variable.
const Setting* find(std::string_view env_name);

// The setting whose Spark property is `spark_key` (spark.sql.shuffle.partitions), or nullptr.
const Setting* find_spark_key(std::string_view spark_key);

// True when `value` is valid for `s`.
bool valid(const Setting& s, std::string_view value);

// spark.env values as a command read them (values files, Vault), by EnvKey::key, and where each
// one was read when that is not its key's own source: a values file's "FILE:LINE:COLUMN" (a
// --values file may hold values for Vault-sourced keys). A field without an origin came from the
// source its key names (Vault: the secret's mount, path and version).
struct ReadValues {
  std::map<std::string, Secret> values;
  std::map<std::string, std::string> origins;
};

// A spark.env key whose value is not valid for the Spark setting it carries.
struct InvalidValue {
  std::size_t key = 0;  // index in stack.spark_env.keys: the finding is at sparkEnv.keys[key]
  const Setting* setting = nullptr;
  // "spark.env key SPARK_EXECUTOR_INSTANCES (from Vault secret secret/spark/x field "n") is not a
  // valid spark.executor.instances: expected ... (the value is not shown)": never the value.
  std::string message;
};

// Every key of `stack` that carries a Spark setting, has a value in `read` and whose value is not
// valid, in key order. Keys without a value are not judged here (render names missing ones).
std::vector<InvalidValue> invalid_values(const model::Stack& stack, const ReadValues& read);

}  // namespace stackctl::env_settings
