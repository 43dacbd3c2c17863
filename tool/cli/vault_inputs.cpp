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

int exit_of(const vault::Failure& f) {
  return f.kind == vault::Failure::Kind::config ? kUsage : kExternalError;
}

// The worst exit code wins: usage (2) over findings (1), Vault's own failures (4) over both.
void add_problem(VaultFailure& out, int exit, std::string message, std::string hint) {
  if (out.problems.empty() || exit > out.exit_code) out.exit_code = exit;
  out.problems.push_back({std::move(message), std::move(hint)});
}

VaultFailure single(const vault::Failure& f) {
  VaultFailure out;
  add_problem(out, exit_of(f), f.message, f.hint);
  return out;
}

struct Session {
  std::vector<const model::Stack*> stacks;
};

class Reader {
 public:
  explicit Reader(std::map<std::string, Secret>& values) : values_(values) {}

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
        add_problem(failure_, kFindings,
                    "spark.env field \"" + k.key +
                        "\" has different values in two Vault secrets (one of them " + ref.shown() +
                        ")",
                    "render one target at a time (--target), or give the fields distinct names");
      }
    }
    return ok;
  }

  // What failed, in the order found; empty when every key was read.
  const VaultFailure& failure() const { return failure_; }

 private:
  const vault::KvSecret* fetch(vault::Client& client, const vault::KvRef& ref) {
    const std::string key = ref_key(ref);
    if (auto it = read_.find(key); it != read_.end()) return &it->second;
    if (failed_.contains(key)) return nullptr;
    auto secret = client.read(ref);
    if (!secret) {
      failed_.insert(key);
      add_problem(failure_, exit_of(secret.error()), secret.error().message, secret.error().hint);
      return nullptr;
    }
    return &read_.emplace(key, std::move(*secret)).first->second;
  }

  void report_missing_key(const vault::KvRef& ref, const vault::KvSecret& secret,
                          const model::EnvKey& k) {
    std::string fields;
    for (const auto& [name, value] : secret.data) fields += (fields.empty() ? "" : ", ") + name;
    add_problem(
        failure_, kExternalError,
        "Vault secret " + ref.mount + "/" + ref.path +
            (secret.version > 0 ? " (version " + std::to_string(secret.version) + ")" : "") +
            " has no field \"" + k.key + "\" (spark.env key " + k.name +
            "); its fields: " + (fields.empty() ? "none" : fields),
        "write the field (terraform apply of the vault-spark-env module), fix `key:` in "
        "the stack, or mark the key `required: false`");
  }

  std::map<std::string, Secret>& values_;
  std::map<std::string, vault::KvSecret> read_;
  std::set<std::string> failed_;
  VaultFailure failure_;
};

bool uses_vault(const model::Stack& stack) {
  for (const auto& k : stack.spark_env.keys)
    if (const auto* s = find_source(stack, k.source);
        s != nullptr && s->type == model::SecretSourceType::vault)
      return true;
  return false;
}

}  // namespace

std::expected<std::map<std::string, Secret>, VaultFailure> read_vault_values(
    Context& ctx, const std::vector<const model::Stack*>& stacks, const VaultDeps& deps) {
  std::map<std::string, Session> sessions;
  for (const model::Stack* s : stacks)
    if (uses_vault(*s)) sessions[session_key(s->vault)].stacks.push_back(s);
  std::map<std::string, Secret> values;
  Reader reader(values);
  for (const auto& [key, session] : sessions) {
    const model::Stack& first = *session.stacks.front();
    auto config = vault::read_config(*deps.env, first.vault);
    if (!config) return std::unexpected(single(config.error()));
    const std::string address = config->address;
    auto http = deps.make_http(config->http);
    vault::Client client(*http, std::move(*config), deps.sleep);
    if (auto login = client.login(first.vault.auth, *deps.env); !login)
      return std::unexpected(single(login.error()));
    for (const model::Stack* s : session.stacks) reader.read_stack(client, *s);
    if (auto revoked = client.revoke(); !revoked)
      ctx.err << "stackctl: warning: could not revoke the Vault token stackctl minted: "
              << revoked.error().message << '\n';
    ctx.err << "read spark.env values from Vault at " << address << '\n';
  }
  if (!reader.failure().problems.empty()) return std::unexpected(reader.failure());
  return values;
}

void print_vault_failure(Context& ctx, const VaultFailure& failure) {
  for (const auto& p : failure.problems) {
    ctx.err << "stackctl: error: " << p.message << '\n';
    if (!p.hint.empty()) ctx.err << "  hint: " << p.hint << '\n';
  }
}

app::Error to_app_error(const VaultFailure& failure) {
  app::Error e;
  e.kind = failure.exit_code == kUsage      ? app::Error::Kind::usage
           : failure.exit_code == kFindings ? app::Error::Kind::findings
                                            : app::Error::Kind::external;
  if (failure.problems.empty()) return e;
  e.message = failure.problems.front().message;
  for (std::size_t i = 0; i < failure.problems.size(); ++i) {
    if (i > 0) e.details.push_back(failure.problems[i].message);
    if (!failure.problems[i].hint.empty()) e.details.push_back("hint: " + failure.problems[i].hint);
  }
  return e;
}

Diagnostics check_env_settings(const std::vector<const model::Stack*>& stacks,
                               const env_settings::ReadValues& values) {
  Diagnostics diags;
  std::set<std::string> seen;
  for (const model::Stack* stack : stacks) {
    for (const auto& bad : env_settings::invalid_values(*stack, values)) {
      if (!seen.insert(bad.message).second) continue;
      const std::string path = "sparkEnv.keys[" + std::to_string(bad.key) + "]";
      diags.error("E_ENV_SETTING", stack->locs.at(path), path, bad.message,
                  "fix the value where it is kept (for Vault: the vault-spark-env module's "
                  "values, then terraform apply)");
    }
  }
  return diags;
}

}  // namespace stackctl::cli
