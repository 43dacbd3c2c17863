// Kubernetes manifests of one target: the objects every stack has (Namespace, the spark
// ServiceAccount and its RBAC, the spark-defaults ConfigMap, the spark.env Secret), then the
// workloads the stack enables (manifests_workloads.cpp). docs/kubernetes.md describes each one.
#include "core/render/manifests.hpp"

#include <algorithm>

#include "core/render/common.hpp"
#include "core/stack/names.hpp"

namespace stackctl::render::detail {

namespace k8s {
namespace {

const model::SecretSource* find_source(const model::Stack& stack, const std::string& name) {
  for (const auto& s : stack.spark_env.sources)
    if (s.name == name) return &s;
  return nullptr;
}

// Sorts spark.env keys into the rendered Secret (file and vault sources, values from the request)
// and references to Secrets that already exist in the cluster (kubernetesSecret sources). A
// required key without a value is left out here: config.cpp reports it for spark.env.
std::vector<std::pair<std::string, std::string>> collect_secret_env(Facts& f) {
  std::vector<std::pair<std::string, std::string>> data;
  const std::string rendered = names::spark_env(f.stack);
  for (const auto& k : f.stack.spark_env.keys) {
    const model::SecretSource* src = find_source(f.stack, k.source);
    if (src == nullptr) continue;  // the loader reports unknown sources
    if (src->type == model::SecretSourceType::kubernetes_secret) {
      // An optional key may be missing from that Secret: the pod must tolerate it.
      f.secret_env.push_back({k.name, src->secret, k.key, !k.required, false});
      continue;
    }
    const auto value = f.request.env_values.find(k.key);
    if (value == f.request.env_values.end()) continue;
    data.emplace_back(k.name, value->second.reveal());
    f.secret_env.push_back({k.name, rendered, k.name, false, true});
  }
  // The object store's credentials Secret feeds the AWS SDK's environment credentials, unless
  // spark.env names those variables (as render::spark_defaults decides for executors).
  const std::string& creds = f.stack.services.external.object_store.credentials_secret;
  const auto& keys = f.stack.spark_env.keys;
  for (const char* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    const bool taken = std::any_of(keys.begin(), keys.end(),
                                   [&](const model::EnvKey& k) { return k.name == var; });
    if (!creds.empty() && !taken) f.secret_env.push_back({var, creds, var, false, false});
  }
  if (!data.empty()) f.secret = rendered;
  return data;
}

// An ARN the caller gave for this target (Request::spark_role_arns): only EKS targets use one,
// and it must look like one ("arn:aws:iam::<account>:role/<name>"; only the prefix is checked).
void check_role_arn(Facts& f, const std::string* arn) {
  if (arn == nullptr) return;
  const SourceLoc at = f.stack.locs.at("targets");
  if (f.target.kind != model::TargetKind::eks)
    f.out.diags.error("E_VALUE", at, "targets",
                      "a spark role ARN was given for target \"" + f.stack.target +
                          "\", which is not an EKS target (only EKS uses IRSA)");
  const bool blank = arn->find_first_of(" \t\r\n") != std::string::npos;
  if (!arn->starts_with("arn:") || blank)
    f.out.diags.error("E_VALUE", at, "targets",
                      "the spark role ARN given for target \"" + f.stack.target +
                          "\" is not an ARN: \"" + *arn + "\"",
                      "pass the `spark_role_arn` output of the target's Terraform root module");
}

void emit_namespace(Facts& f) {
  Data view = object_view(f, f.ns(), {"namespace", f.stack.metadata.name, "namespace"});
  emit(f, "00", "namespace", f.ns(), "templates/kubernetes/namespace.yaml.mustache", view);
}

// Spark Connect notebooks are thin clients: they create no pods and call no Kubernetes API. They
// run as their own ServiceAccount, bound to no Role, with no token mounted (least privilege);
// only drivers run as `spark`.
void emit_notebook_account(Facts& f) {
  const auto& nbs = f.stack.services.notebooks;
  if (std::none_of(nbs.begin(), nbs.end(), [](const model::Notebook& nb) {
        return nb.mode == model::NotebookMode::connect;
      }))
    return;
  const std::string sa(kNotebookServiceAccount);
  Data view = object_view(f, sa, {"notebook", f.stack.metadata.name, "rbac"});
  view.set("annotations", pair_list({}));
  view.set("has_annotations", false);
  view.set("no_token", true);
  emit(f, "10", "serviceaccount", sa, "templates/kubernetes/serviceaccount.yaml.mustache", view);
}

void emit_rbac(Facts& f) {
  const std::string sa(kSparkServiceAccount);
  const Labels labels{"spark", f.stack.metadata.name, "rbac"};
  // On EKS, Spark's pods reach S3 through IRSA: the role Terraform creates for this account.
  std::vector<std::pair<std::string, std::string>> annotations;
  EmitOptions options;
  const auto arn = f.request.spark_role_arns.find(f.stack.target);
  if (f.target.kind == model::TargetKind::eks) {
    if (arn != f.request.spark_role_arns.end()) {
      annotations.emplace_back("eks.amazonaws.com/role-arn", arn->second);
    } else {
      annotations.emplace_back("eks.amazonaws.com/role-arn", kSparkRoleArnPlaceholder);
      options.unresolved.emplace_back(kSparkRoleArnValue);
    }
  }
  check_role_arn(f, arn == f.request.spark_role_arns.end() ? nullptr : &arn->second);
  Data sa_view = object_view(f, sa, labels);
  sa_view.set("annotations", pair_list(annotations));
  sa_view.set("has_annotations", !annotations.empty());
  sa_view.set("no_token", false);
  emit(f, "10", "serviceaccount", sa, "templates/kubernetes/serviceaccount.yaml.mustache", sa_view,
       std::move(options));
  emit(f, "20", "role", sa, "templates/kubernetes/role.yaml.mustache", object_view(f, sa, labels));
  Data binding = object_view(f, sa, labels);
  binding.set("role", yaml_quote(sa));
  binding.set("service_account", yaml_quote(sa));
  emit(f, "21", "rolebinding", sa, "templates/kubernetes/rolebinding.yaml.mustache", binding);
  emit_notebook_account(f);
}

void emit_config_map(Facts& f, const std::string& conf) {
  Data view = object_view(f, f.config_map, {"spark", f.stack.metadata.name, "config"});
  Data entry;
  entry.set("key", yaml_quote("spark-defaults.conf"));
  entry.set("value", yaml_block(conf, 4));
  Data data{Data::type::list};
  data.push_back(entry);
  view.set("data", data);
  emit(f, "30", "configmap", f.config_map, "templates/kubernetes/configmap.yaml.mustache", view);
}

void emit_secret(Facts& f, const std::vector<std::pair<std::string, std::string>>& data) {
  if (f.secret.empty()) return;
  Data view = object_view(f, f.secret, {"spark", f.stack.metadata.name, "config"});
  view.set("data", pair_list(data));
  emit(f, "31", "secret", f.secret, "templates/kubernetes/secret.yaml.mustache", view,
       {.secret = true, .unresolved = {}});
}

// What checksum/secret hashes: every rendered key and value, in spark.env order.
std::string secret_content(const std::vector<std::pair<std::string, std::string>>& data) {
  std::string text;
  for (const auto& [key, value] : data) text += key + "=" + value + "\n";
  return text;
}

}  // namespace
}  // namespace k8s

void render_manifests(const Request& request, const model::Stack& stack, Output& out) {
  const model::Target* target = stack.find_target(stack.target);
  if (target == nullptr) {
    out.diags.error("E_VALUE", stack.locs.at("targets"), "targets",
                    "manifests are rendered per target, and \"" + stack.target +
                        "\" is not a target of this stack");
    return;
  }
  k8s::Facts f{request, stack, *target, out, {}, {}, {}, {}, {}};
  f.config_map = names::spark_defaults(stack);
  const std::string conf = format_spark_defaults(spark_defaults(stack));
  f.config_checksum = sha256_hex(conf);
  const auto secret_data = k8s::collect_secret_env(f);
  f.secret_checksum = sha256_hex(k8s::secret_content(secret_data));

  k8s::emit_namespace(f);
  k8s::emit_rbac(f);
  k8s::emit_config_map(f, conf);
  k8s::emit_secret(f, secret_data);
  if (stack.services.connect.enabled) k8s::render_connect(f);
  k8s::render_notebooks(f);
  if (stack.services.history_server.enabled) k8s::render_history_server(f);
  if (stack.services.kyuubi.enabled) k8s::render_kyuubi(f);
  k8s::render_client_applications(f);
}

}  // namespace stackctl::render::detail
