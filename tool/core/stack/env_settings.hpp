// spark.env keys that carry Spark settings. The driver-like pods' init container spark-env-conf
// (render/manifests_runtime.cpp, docs/runtime.md) writes these variables into the
// spark-defaults.conf Spark reads, so a value read from Vault (or a values file) is judged as the
// setting it becomes, with the same rules as the stack's own `spark:` fields (stack_sections.cpp),
// before anything is written or applied. Values are never part of a message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

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

}  // namespace stackctl::env_settings
