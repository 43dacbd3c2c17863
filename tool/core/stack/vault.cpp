// The `vault:` block: where Vault is and how stackctl logs in (docs/stack-file.md, "vault").
// Credentials are never values of the stack file: AppRole's role_id and secret_id are named by a
// file or an environment variable, and a Kubernetes login reads the pod's service account token.
#include <regex>

#include "core/stack/sections.hpp"

namespace stackctl::detail {

namespace {

constexpr const char* kServiceAccountToken = "/var/run/secrets/kubernetes.io/serviceaccount/token";

// `roleId: {file: PATH}` or `roleId: {env: NAME}`: exactly one of the two.
model::CredentialRef read_credential(Reader& auth, std::string_view key, ReadContext& ctx) {
  model::CredentialRef ref;
  Reader r = auth.map(key, Need::required);
  if (!r.present()) return ref;
  ref.file = r.string("file").value_or("");
  ref.env = r.string("env").value_or("");
  static const std::regex env_name("[A-Za-z_][A-Za-z0-9_]*");
  if (ref.file.empty() == ref.env.empty()) {
    ctx.diags.error("E_VALUE", r.loc(), r.path(),
                    "`" + std::string(key) + "` takes exactly one of `file` or `env`",
                    "e.g. " + std::string(key) + ": {env: VAULT_" +
                        (key == "roleId" ? "ROLE_ID" : "SECRET_ID") +
                        "}; the value itself never goes in the stack file");
  } else if (!ref.env.empty() && !std::regex_match(ref.env, env_name)) {
    ctx.diags.error("E_VALUE", r.loc_of("env"), r.child("env"),
                    "\"" + ref.env + "\" is not a valid environment variable name",
                    "use letters, digits and '_', not starting with a digit");
  }
  r.finish();
  return ref;
}

void read_auth(Reader auth, ReadContext& ctx, model::VaultAuth& out) {
  if (!auth.present()) return;
  const auto method = auth.choice("method", {"token", "approle", "kubernetes"}, Need::required);
  if (method == "approle") out.method = model::VaultAuthMethod::approle;
  if (method == "kubernetes") out.method = model::VaultAuthMethod::kubernetes;
  out.mount = auth.string("mount").value_or(to_string(out.method));
  while (out.mount.ends_with('/')) out.mount.pop_back();
  if (out.method == model::VaultAuthMethod::kubernetes) {
    out.role = auth.string("role", Need::required).value_or("");
    out.token_file = auth.string("tokenFile").value_or(kServiceAccountToken);
  } else if (out.method == model::VaultAuthMethod::approle) {
    out.role_id = read_credential(auth, "roleId", ctx);
    out.secret_id = read_credential(auth, "secretId", ctx);
  }
  auth.finish();  // keys of another method (a `role` under approle) are reported as unknown
}

}  // namespace

void read_vault(Reader r, ReadContext& ctx, model::Vault& out) {
  if (!r.present()) return;
  out.address = r.string("address").value_or("");
  if (!out.address.empty() &&
      refuse_url_credentials(ctx, out.address, r.loc_of("address"), r.child("address"))) {
    out.address.clear();
  } else if (!out.address.empty() && !out.address.starts_with("https://") &&
             !out.address.starts_with("http://")) {
    ctx.diags.error("E_VALUE", r.loc_of("address"), r.child("address"),
                    "\"" + out.address + "\" is not an http(s) URL",
                    "write the address as for VAULT_ADDR, e.g. https://vault.example.com:8200");
  }
  out.namespace_name = r.string("namespace").value_or("");
  read_auth(r.map("auth"), ctx, out.auth);
  r.finish();
}

}  // namespace stackctl::detail
