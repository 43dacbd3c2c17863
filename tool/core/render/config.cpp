// spark-defaults.conf and spark.env per target.
//
// spark-defaults.conf comes from spark_defaults() (common.hpp), escaped here and laid out by
// templates/config/spark-defaults.conf.mustache. spark.env holds the keys of `file` and `vault`
// sources, shell-quoted, from Request::env_values; keys of kubernetesSecret sources are left to
// the manifests (secretKeyRef), so their values never pass through stackctl.
#include <string>

#include "core/render/common.hpp"
#include "core/render/parts.hpp"

namespace stackctl::render::detail {

namespace {

constexpr std::string_view kDefaultsTemplate = "templates/config/spark-defaults.conf.mustache";
constexpr std::string_view kEnvTemplate = "templates/config/spark.env.mustache";

std::string target_dir(const model::Stack& stack) {
  return "targets/" + stack.target + "/";
}

// A `spark.conf` key that the structured settings also produce, with another value: two sources
// of truth. spark_defaults() keeps the structured one; the user must remove the other.
void report_conf_conflicts(const model::Stack& stack,
                           const std::vector<std::pair<std::string, std::string>>& conf,
                           Output& out) {
  for (const auto& [key, value] : stack.spark.conf) {
    for (const auto& [k, v] : conf) {
      if (k != key || v == value) continue;
      const std::string path = "spark.conf." + key;
      out.diags.error("E_CONF_CONFLICT", stack.locs.at(path), path,
                      key + " is \"" + value +
                          "\" here, but the stack's structured settings make "
                          "it \"" +
                          v + "\"",
                      "remove " + key + " from spark.conf; it is derived from the stack");
    }
  }
}

void render_spark_defaults(const Request& request, const model::Stack& stack, Output& out) {
  const auto conf = spark_defaults(stack);
  report_conf_conflicts(stack, conf, out);
  Data list{Data::type::list};
  for (const auto& [k, v] : conf) {
    Data item;
    item.set("key", escape_property_key(k));
    item.set("value", escape_property_value(v));
    list.push_back(item);
  }
  Data view;
  view.set("stack", stack.metadata.name);
  view.set("target", stack.target);
  view.set("conf", list);
  std::string text = expand(*request.templates, kDefaultsTemplate, view, out);
  note_written(out, target_dir(stack) + "spark-defaults.conf", "");
  out.files.push_back({target_dir(stack) + "spark-defaults.conf", std::move(text), false, false});
}

const model::SecretSource* find_source(const model::Stack& stack, const std::string& name) {
  for (const auto& s : stack.spark_env.sources)
    if (s.name == name) return &s;
  return nullptr;
}

// Where a missing value was expected, in words (never the value: there is none).
std::string expected_at(const model::SecretSource& s, const std::string& key) {
  if (s.type == model::SecretSourceType::vault)
    return "field \"" + key + "\" of Vault secret " + s.mount + "/" + s.path;
  return "key \"" + key + "\" of values file " + s.path + " (relative to the stack file)";
}

void report_missing(const model::Stack& stack, std::size_t index, const model::EnvKey& k,
                    const model::SecretSource& s, Output& out) {
  const std::string path = "sparkEnv.keys[" + std::to_string(index) + "]";
  const std::string where = expected_at(s, k.key);
  std::string hint =
      s.type == model::SecretSourceType::vault
          ? "pass --vault to read it from Vault, or --values FILE with a value for \"" + k.key +
                "\""
          : "add \"" + k.key + "\" to " + s.path + ", or pass --values FILE";
  hint += "; or mark the key `required: false`";
  out.diags.error("E_SECRET_MISSING", stack.locs.at(path), path,
                  "spark.env key " + k.name + " has no value: source \"" + s.name + "\" (" +
                      to_string(s.type) + ") expected it as " + where,
                  hint);
}

void render_spark_env(const Request& request, const model::Stack& stack, Output& out) {
  Data env{Data::type::list};
  Data from_kubernetes{Data::type::list};
  const auto& keys = stack.spark_env.keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const model::EnvKey& k = keys[i];
    const model::SecretSource* s = find_source(stack, k.source);
    if (s == nullptr) continue;  // the loader reports unknown sources
    if (s->type == model::SecretSourceType::kubernetes_secret) {
      Data item;
      item.set("name", k.name);
      item.set("secret", s->secret);
      item.set("key", k.key);
      from_kubernetes.push_back(item);
      continue;
    }
    auto value = request.env_values.find(k.key);
    if (value == request.env_values.end()) {
      if (k.required) report_missing(stack, i, k, *s, out);
      continue;
    }
    // A shell variable cannot hold NUL (sh stops the value there, bash drops it): refuse it,
    // naming the key, never the value. Every other byte is safe inside single quotes.
    if (value->second.reveal().find('\0') != std::string::npos) {
      const std::string path = "sparkEnv.keys[" + std::to_string(i) + "]";
      out.diags.error("E_SECRET_VALUE", stack.locs.at(path), path,
                      "the value of spark.env key " + k.name + " contains a NUL character",
                      "a shell variable cannot hold NUL; fix the value in its source");
      continue;
    }
    Data item;
    item.set("name", k.name);
    item.set("value", shell_quote(value->second.reveal()));
    env.push_back(item);
  }
  Data view;
  view.set("stack", stack.metadata.name);
  view.set("target", stack.target);
  view.set("env", env);
  view.set("kubernetes", from_kubernetes);
  std::string text = expand(*request.templates, kEnvTemplate, view, out);
  note_written(out, target_dir(stack) + "spark.env", "");
  out.files.push_back({target_dir(stack) + "spark.env", std::move(text), true, false});
}

}  // namespace

void render_config(const Request& request, const model::Stack& stack, Output& out) {
  render_spark_defaults(request, stack, out);
  render_spark_env(request, stack, out);
}

}  // namespace stackctl::render::detail
