// The Vault client's handling of Vault's answers (tool/adapters/vault*.cpp) against a scripted
// server: the fuzz input is the answers, nothing goes to the network.
//
// Input: parts separated by "\n--part--\n" (fuzz_parts.hpp):
//   0  the answer to auth/token/lookup-self (token login)
//   1  the answer to an AppRole login (auth/approle/login)
//   2  the answer to the KV version preflight (sys/internal/ui/mounts/...)
//   3  the answer to a secret read (KV v2 <mount>/data/<path> or KV v1 <mount>/<path>)
//   4  an error body; its length picks the status (400..503) of every read of "missing"
// Invariants: no exception escapes and nothing crashes; every Failure has a message; a secret read
// has only the fields the answer held, and its version agrees with the KV version.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/http.hpp"
#include "adapters/vault.hpp"
#include "fuzz_check.hpp"
#include "fuzz_http.hpp"
#include "fuzz_parts.hpp"

using namespace stackctl;

namespace {

class ScriptedVault final : public fuzz::ScriptedHttp {
 public:
  explicit ScriptedVault(const std::vector<std::string>& parts) : parts_(parts) {}

 private:
  http::Response answer(const http::Request& r) override {
    const std::string& url = r.url;
    const auto answer = [&](const std::string& body) {
      return http::Response{200, {{"content-type", "application/json"}}, body, url};
    };
    if (url.find("/missing") != std::string::npos) {
      static constexpr long kStatuses[] = {400, 403, 404, 412, 429, 500, 501, 503};
      return http::Response{fuzz::status_for(parts_[4], kStatuses), {}, parts_[4], url};
    }
    if (url.find("/v1/auth/token/lookup-self") != std::string::npos) return answer(parts_[0]);
    if (url.find("/v1/auth/approle/login") != std::string::npos) return answer(parts_[1]);
    if (url.find("/v1/auth/token/revoke-self") != std::string::npos) return answer("");
    if (url.find("/v1/sys/internal/ui/mounts/") != std::string::npos) return answer(parts_[2]);
    return answer(parts_[3]);
  }

  const std::vector<std::string>& parts_;
};

void read_all(vault::Client& client) {
  for (const vault::KvRef& ref :
       {vault::KvRef{"secret", "spark/app", 0, 0}, vault::KvRef{"secret", "spark/app", 2, 3},
        vault::KvRef{"kv", "spark/app", 1, 0}, vault::KvRef{"secret", "missing", 0, 0},
        vault::KvRef{"other", "missing", 2, 0}}) {
    const auto secret = client.read(ref);
    if (!secret) {
      FUZZ_CHECK(!secret.error().message.empty(), "a failed read says why");
      continue;
    }
    FUZZ_CHECK(secret->kv_version == 1 || secret->kv_version == 2, "KV v1 or v2");
    if (secret->kv_version == 1) FUZZ_CHECK(secret->version == 0, "KV v1 has no versions");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts = fuzz::split_parts(data, size, 5);
  ScriptedVault http(parts);
  const auto sleep = [](std::chrono::milliseconds) {};
  {
    vault::Config config;
    config.address = "https://vault.fuzz:8200";
    config.token = Secret("fuzz-token");
    config.token_origin = "VAULT_TOKEN";
    vault::Client client(http, config, sleep);
    model::VaultAuth auth;  // token
    if (const auto in = client.login(auth, vault::MapEnvironment{}); in)
      read_all(client);
    else
      FUZZ_CHECK(!in.error().message.empty(), "a failed login says why");
  }
  {
    vault::Config config;
    config.address = "https://vault.fuzz:8200";
    vault::Client client(http, config, sleep);
    model::VaultAuth auth;
    auth.method = model::VaultAuthMethod::approle;
    auth.mount = "approle";
    auth.role_id.env = "ROLE_ID";
    auth.secret_id.env = "SECRET_ID";
    const vault::MapEnvironment env{{"ROLE_ID", "role"}, {"SECRET_ID", "secret"}};
    if (const auto in = client.login(auth, env); in) {
      read_all(client);
      if (const auto out = client.revoke(); !out) FUZZ_CHECK(!out.error().message.empty(), "why");
    } else {
      FUZZ_CHECK(!in.error().message.empty(), "a failed login says why");
    }
  }
  return 0;
}
