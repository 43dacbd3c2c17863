#include "cli/vault_inputs.hpp"

#include <set>

#include "cli/exit_codes.hpp"
#include "core/stack/env_settings.hpp"

namespace stackctl::cli {

namespace {

const model::SecretSource* find_source(const model::Stack& stack, const std::string& name) {
  for (const auto& s : stack.spark_env.sources)
    if (s.name == name) return &s;
  return nullptr;
}

// Stacks that reach Vault the same way share one login.
std::string session_key(const model::Vault& v) {
  const auto& a = v.auth;
  return v.address + "\n" + v.namespace_name + "\n" + to_string(a.method) + "\n" + a.mount + "\n" +
         a.role + "\n" + a.role_id.file + "\n" + a.role_id.env + "\n" + a.secret_id.file + "\n" +
         a.secret_id.env + "\n" + a.token_file;
}

vault::KvRef ref_of(const model::SecretSource& s) {
  auto strip = [](std::string p) {
    while (p.starts_with('/')) p.erase(0, 1);
    while (p.ends_with('/')) p.pop_back();
    return p;
  };
  return {strip(s.mount), strip(s.path), s.kv_version, s.version};
}

std::string ref_key(const vault::KvRef& r) {
  return r.mount + "\n" + r.path + "\n" + std::to_string(r.kv_version) + "\n" +
         std::to_string(r.version);
}

int print_failure(Context& ctx, const vault::Failure& f) {
  ctx.err << "stackctl: error: " << f.message << '\n';
  if (!f.hint.empty()) ctx.err << "  hint: " << f.hint << '\n';
  return f.kind == vault::Failure::Kind::config ? kUsage : kExternalError;
}

struct Session {
  std::vector<const model::Stack*> stacks;
};

class Reader {
 public:
  Reader(Context& ctx, std::map<std::string, Secret>& values) : ctx_(ctx), values_(values) {}

  // Every vault key of `stack` from `client`; returns false after printing what failed.
  bool read_stack(vault::Client& client, const model::Stack& stack) {
    bool ok = true;
    for (const auto& k : stack.spark_env.keys) {
      const model::SecretSource* s = find_source(stack, k.source);
      if (s == nullptr || s->type != model::SecretSourceType::vault) continue;
      const vault::KvRef ref = ref_of(*s);
      const vault::KvSecret* secret = fetch(client, ref);
      if (secret == nullptr) {
        ok = false;
        continue;
      }
      auto field = secret->data.find(k.key);
      if (field == secret->data.end()) {
        if (!k.required) continue;
        ok = false;
        report_missing_key(ref, *secret, k);
        continue;
      }
      auto [it, inserted] = values_.emplace(k.key, field->second);
      if (!inserted && it->second != field->second) {
        ok = false;
        exit_ = kFindings;
        ctx_.err << "stackctl: error: spark.env field \"" << k.key
                 << "\" has different values in two Vault secrets (one of them " << ref.shown()
                 << ")\n  hint: render one target at a time (--target), or "
                    "give the fields distinct names\n";
      }
    }
    return ok;
  }

  int exit_code() const { return exit_; }

 private:
  const vault::KvSecret* fetch(vault::Client& client, const vault::KvRef& ref) {
    const std::string key = ref_key(ref);
    if (auto it = read_.find(key); it != read_.end()) return &it->second;
    if (failed_.contains(key)) return nullptr;
    auto secret = client.read(ref);
    if (!secret) {
      failed_.insert(key);
      exit_ = std::max(exit_, print_failure(ctx_, secret.error()));
      return nullptr;
    }
    return &read_.emplace(key, std::move(*secret)).first->second;
  }

  void report_missing_key(const vault::KvRef& ref, const vault::KvSecret& secret,
                          const model::EnvKey& k) {
    std::string fields;
    for (const auto& [name, value] : secret.data) fields += (fields.empty() ? "" : ", ") + name;
    ctx_.err << "stackctl: error: Vault secret " << ref.mount << "/" << ref.path
             << (secret.version > 0 ? " (version " + std::to_string(secret.version) + ")" : "")
             << " has no field \"" << k.key << "\" (spark.env key " << k.name
             << "); its fields: " << (fields.empty() ? "none" : fields)
             << "\n  hint: write the field (terraform apply of the vault-spark-env module), fix "
                "`key:` in the stack, or mark the key `required: false`\n";
    exit_ = std::max(exit_, static_cast<int>(kExternalError));
  }

  Context& ctx_;
  std::map<std::string, Secret>& values_;
  std::map<std::string, vault::KvSecret> read_;
  std::set<std::string> failed_;
  int exit_ = kOk;
};

bool uses_vault(const model::Stack& stack) {
  for (const auto& k : stack.spark_env.keys)
    if (const auto* s = find_source(stack, k.source);
        s != nullptr && s->type == model::SecretSourceType::vault)
      return true;
  return false;
}

}  // namespace

std::expected<std::map<std::string, Secret>, int> read_vault_values(
    Context& ctx, const std::vector<const model::Stack*>& stacks, const VaultDeps& deps) {
  std::map<std::string, Session> sessions;
  for (const model::Stack* s : stacks)
    if (uses_vault(*s)) sessions[session_key(s->vault)].stacks.push_back(s);
  std::map<std::string, Secret> values;
  Reader reader(ctx, values);
  int exit = kOk;
  for (const auto& [key, session] : sessions) {
    const model::Stack& first = *session.stacks.front();
    auto config = vault::read_config(*deps.env, first.vault);
    if (!config) return std::unexpected(print_failure(ctx, config.error()));
    const std::string address = config->address;
    auto http = deps.make_http(config->http);
    vault::Client client(*http, std::move(*config), deps.sleep);
    if (auto login = client.login(first.vault.auth, *deps.env); !login)
      return std::unexpected(print_failure(ctx, login.error()));
    for (const model::Stack* s : session.stacks) reader.read_stack(client, *s);
    if (auto revoked = client.revoke(); !revoked)
      ctx.err << "stackctl: warning: could not revoke the Vault token stackctl minted: "
              << revoked.error().message << '\n';
    ctx.err << "read spark.env values from Vault at " << address << '\n';
  }
  exit = reader.exit_code();
  if (exit != kOk) return std::unexpected(exit);
  return values;
}

Diagnostics check_env_settings(const std::vector<const model::Stack*>& stacks,
                               const std::map<std::string, Secret>& values) {
  Diagnostics diags;
  std::set<std::string> seen;
  for (const model::Stack* stack : stacks) {
    const auto& keys = stack->spark_env.keys;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const model::EnvKey& k = keys[i];
      const env_settings::Setting* setting = env_settings::find(k.name);
      const model::SecretSource* s = find_source(*stack, k.source);
      auto v = values.find(k.key);
      if (setting == nullptr || s == nullptr || v == values.end()) continue;
      if (env_settings::valid(*setting, v->second.reveal())) continue;
      const std::string from =
          s->type == model::SecretSourceType::vault
              ? "Vault secret " + s->mount + "/" + s->path +
                    (s->version > 0 ? " version " + std::to_string(s->version) : "") + " field \"" +
                    k.key + "\""
              : "values file field \"" + k.key + "\"";
      const std::string path = "sparkEnv.keys[" + std::to_string(i) + "]";
      const std::string message = "spark.env key " + k.name + " (from " + from +
                                  ") is not a valid " + std::string(setting->spark_key) +
                                  ": expected " + std::string(setting->expected) +
                                  " (the value is not shown)";
      if (!seen.insert(message).second) continue;
      diags.error("E_ENV_SETTING", stack->locs.at(path), path, message,
                  "fix the value where it is kept (for Vault: the vault-spark-env module's "
                  "values, then terraform apply)");
    }
  }
  return diags;
}

}  // namespace stackctl::cli
