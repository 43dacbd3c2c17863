// What the rendered pods do at start so that the platform works when it runs, not only when it
// applies (docs/runtime.md): spark.env keys that carry Spark settings become Spark configuration,
// and the history server's event log directory exists before the history server reads it.
#include <algorithm>

#include "core/render/common.hpp"
#include "core/render/manifests.hpp"
#include "core/stack/env_settings.hpp"

namespace stackctl::render::detail::k8s {

namespace {

std::vector<const SecretEnv*> setting_keys(const Facts& f) {
  std::vector<const SecretEnv*> keys;
  for (const auto& e : f.secret_env)
    if (env_settings::find(e.name) != nullptr) keys.push_back(&e);
  return keys;
}

}  // namespace

bool carries_setting(const Facts& f, std::string_view spark_key) {
  const auto keys = setting_keys(f);
  return std::any_of(keys.begin(), keys.end(), [&](const SecretEnv* e) {
    return env_settings::find(e->name)->spark_key == spark_key;
  });
}

// POSIX sh. Values are judged at render (E_ENV_SETTING), but a Secret can be edited afterwards:
// a value with any character but letters, digits and '.' (every valid value of every setting is
// made of those) stops the pod before Spark starts rather than reaching spark-defaults.conf, where
// a newline or '=' would add or change another property. The value is never shown, and never
// evaluated by the shell (only "$VAR" expansions inside double quotes). No "$(": kubelet would
// expand $(NAME) in a container's command.
std::string spark_env_conf_script(const std::vector<const SecretEnv*>& keys) {
  const std::string base = std::string(kSparkConfBaseDir) + "/spark-defaults.conf";
  const std::string out = std::string(kSparkConfDir) + "/spark-defaults.conf";
  std::string s = "set -eu\n";
  s += "cp " + base + " " + out + "\n";
  s += "echo '# spark.env settings, written at pod start: a later line wins' >> " + out + "\n";
  for (const SecretEnv* e : keys) {
    const env_settings::Setting& setting = *env_settings::find(e->name);
    const std::string var = "\"$" + e->name + "\"";
    s += "if [ -n \"${" + e->name + "+set}\" ]; then\n";
    s += "  case " + var + " in\n";
    s += "    '' | *[!0-9A-Za-z.]*)\n";
    s += "      echo 'spark-env-conf: " + e->name + " is not a valid " +
         std::string(setting.spark_key) + " (the value is not shown)' >&2\n";
    s += "      exit 1 ;;\n";
    s += "  esac\n";
    s += "  printf '" + std::string(setting.spark_key) + "=%s\\n' " + var + " >> " + out + "\n";
    s += "fi\n";
  }
  return s;
}

void set_spark_env_conf(const Facts& f, Data& view) {
  const auto keys = setting_keys(f);
  if (keys.empty()) {
    view.set("spark_env_conf", false);
    return;
  }
  Data conf;
  conf.set("script", yaml_block(spark_env_conf_script(keys), 16));
  Data list{Data::type::list};
  for (const SecretEnv* e : keys) {
    Data entry;
    entry.set("name", yaml_quote(e->name));
    entry.set("secret", yaml_quote(e->secret));
    entry.set("key", yaml_quote(e->key));
    entry.set("optional", e->optional);
    list.push_back(entry);
  }
  conf.set("keys", list);
  conf.set("base_dir", yaml_quote(kSparkConfBaseDir));
  view.set("spark_env_conf", conf);
}

std::vector<std::string> event_log_mkdir_args(const Facts& f, const std::string& log_directory) {
  // FsShell is a Hadoop Tool: ToolRunner's GenericOptionsParser takes `-D key=value` before the
  // command. Plain Hadoop reads no spark-defaults.conf, so the spark.hadoop.* settings (S3A
  // endpoint, path style, credentials provider) are passed here without their prefix.
  std::vector<std::string> args = {"org.apache.hadoop.fs.FsShell"};
  constexpr std::string_view prefix = "spark.hadoop.";
  for (const auto& [key, value] : spark_defaults(f.stack)) {
    if (!key.starts_with("spark.hadoop.fs.")) continue;  // the file systems' settings only
    args.push_back("-D");
    args.push_back(key.substr(prefix.size()) + "=" + value);
  }
  args.insert(args.end(), {"-mkdir", "-p", log_directory});
  return args;
}

}  // namespace stackctl::render::detail::k8s
