// deploy's step 0: the Secrets the platform needs and does not make are on the cluster, with the
// keys the pods read, before anything is applied. Only key names are read and shown;
// a Secret's values never leave the GET's answer.
#include <algorithm>

#include "app/deploy.hpp"
#include "app/deploy_internal.hpp"
#include "core/deploy/secret_refs.hpp"

namespace stackctl::app::detail {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The keys a live Secret has (data and stringData), never what they hold.
std::vector<std::string> key_names(const kube::Json& secret) {
  std::vector<std::string> out;
  for (const char* field : {"data", "stringData"})
    if (secret.contains(field) && secret[field].is_object())
      for (const auto& [k, v] : secret[field].items()) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

std::string patch_command(const deploy::SecretNeed& need, const std::vector<std::string>& keys) {
  std::string body;
  for (const auto& k : keys) body += (body.empty() ? "" : ",") + ("\"" + k + "\":\"...\"");
  return "kubectl patch secret " + need.name + " -n " + need.ns +
         " --type merge -p '{\"stringData\":{" + body + "}}'";
}

// The first string in `j` that still carries a Terraform output placeholder (render leaves
// "${terraform.output.spark_role_arn}" on the spark ServiceAccount without the outputs), or "".
std::string placeholder_in(const kube::Json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    return s.find("${terraform.output.") != std::string::npos ? s : std::string();
  }
  if (j.is_array() || j.is_object())
    for (const auto& v : j)
      if (auto found = placeholder_in(v); !found.empty()) return found;
  return {};
}

}  // namespace

std::expected<void, DeployError> check_placeholders(const DeployRequest& request) {
  if (request.dry_run) return {};  // a dry run stores nothing (drift and check --cluster make one)
  for (const auto& o : request.objects)
    if (const auto found = placeholder_in(o.body); !found.empty())
      return std::unexpected(DeployError{
          DeployError::Kind::refused,
          o.display() + " still carries " + found +
              ", a value known only from the target's Terraform outputs; nothing was applied: "
              "pass them with --terraform-outputs (`terraform output -json`)",
          {}});
  return {};
}

std::expected<void, DeployError> check_secrets(const DeployRequest& request, Resources& resources,
                                               kube::Client& client) {
  const auto needs = deploy::external_secrets(request.objects);
  if (needs.empty()) return {};
  auto secrets = resources.get({"", "v1", "Secret"});
  if (!secrets) return std::unexpected(secrets.error());
  std::string problems;
  std::vector<std::string> missing_namespaces;
  for (const auto& need : needs) {
    const std::string what = "Secret " + need.ns + "/" + need.name;
    auto live = client.get(*secrets, need.ns, need.name);
    if (!live)
      return std::unexpected(DeployError{DeployError::Kind::api, explain(live.error(), what), {}});
    const std::string users = " (used by " + join(need.used_by) + ")";
    if (!*live) {
      problems += "  " + what + " does not exist" + users + "; create it:\n    " +
                  deploy::create_command(need) + "\n";
      if (std::find(missing_namespaces.begin(), missing_namespaces.end(), need.ns) ==
          missing_namespaces.end())
        missing_namespaces.push_back(need.ns);
      continue;
    }
    const auto have = key_names(**live);
    std::vector<std::string> lacking;
    for (const auto& k : need.keys)
      if (!std::binary_search(have.begin(), have.end(), k)) lacking.push_back(k);
    if (lacking.empty()) continue;
    problems += "  " + what + " has no key " + join(lacking) + users +
                " (it has: " + (have.empty() ? std::string("no keys") : join(have)) +
                "); add it:\n    " + patch_command(need, lacking) + "\n";
  }
  if (problems.empty()) return {};
  // A Secret cannot be made in a namespace that does not exist yet: say so first.
  std::string first;
  auto namespaces = resources.get({"", "v1", "Namespace"});
  if (!namespaces) return std::unexpected(namespaces.error());
  for (const auto& ns : missing_namespaces) {
    auto live = client.get(*namespaces, "", ns);
    if (!live)
      return std::unexpected(
          DeployError{DeployError::Kind::api, explain(live.error(), "Namespace " + ns), {}});
    if (!*live)
      first += "  Namespace " + ns +
               " does not exist yet; create it first:\n    kubectl create namespace " + ns + "\n";
  }
  return std::unexpected(DeployError{
      DeployError::Kind::refused,
      "the platform needs Secrets that stackctl does not make (their values are yours to give), "
      "and the cluster does not have them; nothing was applied:\n" +
          first + problems + "  then deploy again",
      {}});
}

}  // namespace stackctl::app::detail
