// Internal to the Kubernetes manifests (manifests*.cpp): what every manifest of one target shares,
// YAML quoting, and the view pieces the templates under templates/kubernetes/ iterate over.
//
// Views follow one rule: every value a template prints is already valid YAML (quoted where it
// must be), so templates print them with triple mustaches ({{{name}}}) and never HTML-escape.
// docs/kubernetes.md lists every manifest and where each field comes from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/budget/budget.hpp"
#include "core/kube/object.hpp"
#include "core/render/parts.hpp"

namespace stackctl::render::detail::k8s {

// Fixed Spark driver ports: executors dial the driver back, so they cannot be random.
inline constexpr int kDriverPort = 7078;
inline constexpr int kBlockManagerPort = 7079;
inline constexpr int kSparkUiPort = 4040;
inline constexpr int kKyuubiThriftHttpPort = 10010;
inline constexpr int kKyuubiRestPort = 10099;
inline constexpr int kKyuubiMetricsPort = 10019;
// The API server as every pod of the cluster reaches it.
inline constexpr std::string_view kMaster = "k8s://https://kubernetes.default.svc:443";
// The ServiceAccount Spark drivers run as (and create executors with).
inline constexpr std::string_view kSparkServiceAccount = "spark";
// Where the spark-defaults ConfigMap is mounted; SPARK_CONF_DIR points here. In a pod whose
// spark.env carries Spark settings it is an emptyDir the init container spark-env-conf fills
// with the ConfigMap's file (mounted at kSparkConfBaseDir) plus those settings.
inline constexpr std::string_view kSparkConfDir = "/etc/spark/conf";
inline constexpr std::string_view kSparkConfBaseDir = "/etc/spark/conf-base";
// Thin clients (Spark Connect notebooks) run as this ServiceAccount: no Role, no token.
inline constexpr std::string_view kNotebookServiceAccount = "notebook";
// On EKS, the IAM role of the spark ServiceAccount (IRSA), when Request::spark_role_arns has no
// ARN for the target: the Manifest then lists kSparkRoleArnValue in `unresolved`, and deploy,
// which reads the ARN from the `spark_role_arn` output of the target's Terraform root module and
// renders again with it, refuses to apply a manifest that still carries it.
inline constexpr std::string_view kSparkRoleArnPlaceholder = "${terraform.output.spark_role_arn}";
inline constexpr std::string_view kSparkRoleArnValue = "spark_role_arn";

// A YAML scalar that reads back as exactly `s`, as a string, wherever a value may stand: plain
// when that is unambiguous (names, paths), double-quoted with escapes otherwise.
std::string yaml_quote(std::string_view s);
// Multi-line text as a literal block scalar ("|" header, each line indented by `indent` spaces)
// to follow "key: "; yaml_quote(text) when a block cannot carry the text byte for byte.
std::string yaml_block(std::string_view text, int indent);
// One argument of a whitespace-split option string (PYSPARK_SUBMIT_ARGS, SPARK_HISTORY_OPTS):
// unchanged when it has no blanks, quotes or backslashes, else shell-quoted.
std::string option_arg(const std::string& arg);

// A container environment variable read from a Secret key.
struct SecretEnv {
  std::string name;    // the variable
  std::string secret;  // the Secret's name
  std::string key;     // the key in the Secret
  bool optional = false;
  // Given to executors by a --conf spark.kubernetes.executor.secretKeyRef of the driver-like pods.
  // Keys of existing Secrets need not be: render::spark_defaults already refers executors to them.
  bool executors = false;
};

// Recommended labels of one object (app.kubernetes.io/*; part-of and managed-by are implied).
struct Labels {
  std::string name;       // what it is: spark-connect, jupyterhub, kyuubi, spark, ...
  std::string instance;   // which one: the object's own name for workloads
  std::string component;  // its role: connect-server, notebook, rbac, config, ...
};

// Everything the manifests of one target share, computed once.
struct Facts {
  const Request& request;
  const model::Stack& stack;
  const model::Target& target;
  Output& out;
  std::string config_map;             // names::spark_defaults
  std::string config_checksum;        // sha256 of spark-defaults.conf
  std::string secret;                 // names::spark_env; "" when no key has a rendered value
  std::string secret_checksum;        // sha256 of the Secret's data ("" data when there is none)
  std::vector<SecretEnv> secret_env;  // every spark.env key and object store credential

  const std::string& ns() const { return target.namespace_name; }
};

// The variables every object's template has: name, namespace, labels, selector (lists of
// {key, value}).
Data object_view(const Facts& f, const std::string& name, const Labels& labels);
// A list of pre-quoted strings, for {{#list}}- {{{.}}}{{/list}}.
Data string_list(const std::vector<std::string>& items);
// A list of {key, value}, values quoted.
Data pair_list(const std::vector<std::pair<std::string, std::string>>& items);
// Whether a pod reads the rendered spark.env Secret (its env or its executors' secretKeyRefs).
enum class ReadsSecret { yes, no };
// checksum/config, checksum/secret (only for a pod that reads the Secret: a change of a value
// must roll exactly those pods), plus `extra` (already hashed) pairs.
Data checksum_annotations(const Facts& f, ReadsSecret reads = ReadsSecret::yes,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});
// {name, secret, key, optional} per SecretEnv: env of driver-like pods.
Data secret_env_list(const Facts& f);
// {cpu, memory}: a pod's requests from its budget (core/budget: the Connect server's driver, a
// client-mode notebook, Kyuubi's server and engines).
Data pod_resources(const budget::Pod& pod);
// spark.* settings every driver-like pod adds to spark-defaults on its command line (the
// executors' image, the rendered Secret's keys for executors), as "key=value" strings.
std::vector<std::string> driver_conf(const Facts& f, const std::string& executor_image);

// The reference of the stack image `image`, named by the stack at `path`
// ("services.connect.image"): Request::image_refs' when it has one, else the stack's tag
// (render::image_ref). Reports E_VALUE and returns "" when there is no such image.
std::string image_ref_of(Facts& f, const std::string& image, const std::string& path);

// A Service: `headless` gives clusterIP None and publishes not-ready pods (drivers must resolve
// before they are ready).
struct Port {
  std::string name;
  int port = 0;
  bool grpc = false;
};
void emit_service(Facts& f, const std::string& name, const Labels& labels,
                  const std::vector<Port>& ports, bool headless);

// What emit() records about a manifest besides its text.
struct EmitOptions {
  bool secret = false;                  // a Secret: the file is 0600, the Manifest is secret
  std::vector<std::string> unresolved;  // Manifest::unresolved
};

// Expands `tmpl` (a name under templates/kubernetes/) and adds
// targets/<target>/kubernetes/<order>-<kind>-<name>.yaml, as a File and as a Manifest whose
// object is built from that same expansion (object_of). An expansion that is not one object is
// reported and adds neither.
void emit(Facts& f, std::string_view order, std::string_view kind, const std::string& name,
          std::string_view tmpl, const Data& view, EmitOptions options = {});

// The object the expansion `text` of template `tmpl` describes: one YAML document, a mapping
// with string apiVersion, kind and metadata.name. Anything else, or a plain scalar YAML readers
// type differently, is E_TEMPLATE naming the template (and the line of the expansion); the
// result is then nullopt. Render's own: nothing else turns manifest text into objects.
std::optional<kube::Object> object_of(std::string_view text, std::string_view tmpl,
                                      Diagnostics& diags);

// True when a spark.env key of this target's pods carries the Spark setting `spark_key`
// (core/stack/env_settings.hpp).
bool carries_setting(const Facts& f, std::string_view spark_key);
// Sets `spark_env_conf` in a driver-like pod's view: false when no spark.env key of the pod
// carries a Spark setting; else {script, keys ({name, secret, key, optional}), base_dir}, the
// init container that writes SPARK_CONF_DIR/spark-defaults.conf as the ConfigMap's file followed
// by one `key=value` line per such variable that is set (a later line wins in
// java.util.Properties, which Spark reads the file with). docs/runtime.md.
void set_spark_env_conf(const Facts& f, Data& view);
// The shell script of that init container, for the given variables (each a Setting's env name).
std::string spark_env_conf_script(const std::vector<const SecretEnv*>& keys);
// The history server's init container: Hadoop FsShell `-mkdir -p <logDirectory>` with the
// target's Hadoop settings (the spark.hadoop.* of spark-defaults, as -D options), so the history
// server does not fail on a log directory that does not exist yet. Arguments after spark-class.
std::vector<std::string> event_log_mkdir_args(const Facts& f, const std::string& log_directory);

// The workloads; each adds its objects (and reports what it cannot render) through `f`.
void render_connect(Facts& f);
void render_notebooks(Facts& f);
void render_history_server(Facts& f);
void render_kyuubi(Facts& f);
// Client-mode applications (core/submit/client_mode.hpp): per application its properties file
// and command script under targets/<target>/applications/, and for a driver in the cluster the
// headless Service selecting only that driver's pod.
void render_client_applications(Facts& f);

}  // namespace stackctl::render::detail::k8s
