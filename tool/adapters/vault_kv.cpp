// KV v1 and v2 reads (vault.hpp Client::read). Shapes: shared/facts/vault-terraform-eks.md.
// The mount's version is detected as the vault CLI does (command/kv_helpers.go,
// kvPreflightVersionRequest): GET sys/internal/ui/mounts/<path>; data.options.version "2" is KV
// v2, anything else v1; a 404 (a server older than that endpoint) means v1. A 403 is not guessed
// past (the CLI fails too): the source's `kv: 1|2` skips detection.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "adapters/vault.hpp"

namespace stackctl::vault {

namespace {

using nlohmann::json;

json parse(const std::string& body) {
  return json::parse(body, nullptr, false);
}

std::string policy(const std::string& api_path, const char* capability) {
  return "path \"" + api_path + "\" { capabilities = [\"" + capability + "\"] }";
}

// Field values as strings. Numbers and booleans (written through the API rather than
// `vault kv put`) become their JSON text; null, lists and maps are refused by field name.
std::expected<std::map<std::string, Secret>, Failure> fields_of(const json& data,
                                                                const std::string& shown) {
  std::map<std::string, Secret> out;
  if (!data.is_object())
    return std::unexpected(
        Failure{Failure::Kind::protocol, "Vault secret " + shown + " has no data object", ""});
  for (const auto& [k, v] : data.items()) {
    if (v.is_string()) {
      out.emplace(k, Secret(v.get<std::string>()));
    } else if (v.is_number() || v.is_boolean()) {
      out.emplace(k, Secret(v.dump()));
    } else {
      return std::unexpected(Failure{Failure::Kind::protocol,
                                     "field \"" + k + "\" of Vault secret " + shown +
                                         " is not a string (a " + v.type_name() + ")",
                                     "store spark.env values as strings"});
    }
  }
  return out;
}

}  // namespace

std::expected<int, Failure> Client::kv_version(const KvRef& ref) {
  if (ref.kv_version != 0) return ref.kv_version;
  if (auto it = kv_versions_.find(ref.mount); it != kv_versions_.end()) return it->second;
  const std::string path = "sys/internal/ui/mounts/" + ref.mount + "/" + ref.path;
  auto r = send("GET", path, "", true);
  if (!r) return std::unexpected(r.error());
  int version = 1;
  if (r->status == 200) {
    const json body = parse(r->body);
    const json* v = nullptr;
    if (body.contains("data") && body["data"].is_object() && body["data"].contains("options") &&
        body["data"]["options"].is_object() && body["data"]["options"].contains("version"))
      v = &body["data"]["options"]["version"];
    if (v != nullptr && v->is_string() && v->get<std::string>() == "2") version = 2;
  } else if (r->status == 403) {
    Failure f = failure_of(*r, "GET", path);
    f.message += " (detecting the KV version of mount \"" + ref.mount + "\")";
    f.hint = "the token may not read " + ref.shown() +
             " at all; grant it read on that secret, or set `kv: 1` or `kv: 2` on the source to "
             "skip detection";
    return std::unexpected(f);
  } else if (r->status != 404) {
    return std::unexpected(failure_of(*r, "GET", path));
  }
  spdlog::debug("Vault mount \"{}\" is KV v{}", ref.mount, version);
  kv_versions_[ref.mount] = version;
  return version;
}

std::expected<KvSecret, Failure> Client::read(const KvRef& ref) {
  auto version = kv_version(ref);
  if (!version) return std::unexpected(version.error());
  if (*version == 1 && ref.version > 0)
    return std::unexpected(Failure{Failure::Kind::protocol,
                                   "the stack pins version " + std::to_string(ref.version) +
                                       " of " + ref.mount + "/" + ref.path + ", but mount \"" +
                                       ref.mount + "\" is KV v1 (no versions)",
                                   "remove `version` from the source"});
  return *version == 2 ? read_v2(ref) : read_v1(ref);
}

std::expected<KvSecret, Failure> Client::read_v2(const KvRef& ref) {
  const std::string api = ref.mount + "/data/" + ref.path;
  const std::string query = ref.version > 0 ? "?version=" + std::to_string(ref.version) : "";
  auto r = send("GET", api + query, "", true);
  if (!r) return std::unexpected(r.error());
  const json body = parse(r->body);
  const json* data = body.is_object() && body.contains("data") && body["data"].is_object()
                         ? &body["data"]
                         : nullptr;
  if (r->status == 404) {
    // A deleted or destroyed version answers 404 with its metadata (facts file: "report deleted,
    // not missing"); a path never written answers 404 with {"errors":[]}.
    const json* meta =
        data != nullptr && data->contains("metadata") && (*data)["metadata"].is_object()
            ? &(*data)["metadata"]
            : nullptr;
    const std::string v =
        meta != nullptr && meta->contains("version") && (*meta)["version"].is_number_integer()
            ? std::to_string((*meta)["version"].get<long>())
            : (ref.version > 0 ? std::to_string(ref.version) : "?");
    if (meta != nullptr && meta->value("destroyed", false))
      return std::unexpected(Failure{
          Failure::Kind::destroyed,
          "version " + v + " of Vault secret " + ref.mount + "/" + ref.path +
              " is destroyed (its data is gone for good)",
          "write the values again (terraform apply, or vault kv put), or pin a version that "
          "still exists"});
    if (meta != nullptr && meta->contains("deletion_time") &&
        (*meta)["deletion_time"].is_string() &&
        !(*meta)["deletion_time"].get<std::string>().empty())
      return std::unexpected(
          Failure{Failure::Kind::deleted,
                  "version " + v + " of Vault secret " + ref.mount + "/" + ref.path +
                      " is deleted (at " + (*meta)["deletion_time"].get<std::string>() + ")",
                  "undelete it (vault kv undelete -mount=" + ref.mount + " -versions=" + v + " " +
                      ref.path + "), write the values again, or pin another version"});
    return std::unexpected(Failure{
        Failure::Kind::missing_path,
        ref.version > 0 ? "Vault secret " + ref.mount + "/" + ref.path + " has no version " +
                              std::to_string(ref.version)
                        : "no Vault secret at " + ref.mount + "/" + ref.path + " (KV v2: GET /v1/" +
                              api + " answered 404)",
        ref.version > 0 ? "pin a version that exists (vault kv metadata get -mount=" + ref.mount +
                              " " + ref.path + ")"
                        : "write it (terraform apply of the vault-spark-env module, or vault kv "
                          "put -mount=" +
                              ref.mount + " " + ref.path + " ...), or fix the path"});
  }
  if (r->status == 403)
    return std::unexpected(read_denied(*r, api, "the read capability on the KV v2 data path"));
  if (r->status != 200) return std::unexpected(failure_of(*r, "GET", api));
  if (data == nullptr || !data->contains("data"))
    return std::unexpected(Failure{Failure::Kind::protocol,
                                   "Vault's answer for " + ref.shown() + " has no data.data", ""});
  auto fields = fields_of((*data)["data"], ref.shown());
  if (!fields) return std::unexpected(fields.error());
  KvSecret out{std::move(*fields), 2, 0};
  if (data->contains("metadata") && (*data)["metadata"].is_object())
    out.version = (*data)["metadata"].value("version", 0);
  return out;
}

Failure Client::read_denied(const http::Response& r, const std::string& api,
                            const std::string& needs) {
  Failure f = failure_of(r, "GET", api);
  f.hint =
      "the token" +
      (policies_.empty() ? std::string()
                         : " (policies: " + fmt::format("{}", fmt::join(policies_, ", ")) + ")") +
      " needs " + needs + ": " + policy(api, "read");
  return f;
}

std::expected<KvSecret, Failure> Client::read_v1(const KvRef& ref) {
  const std::string api = ref.mount + "/" + ref.path;
  auto r = send("GET", api, "", true);
  if (!r) return std::unexpected(r.error());
  if (r->status == 404)
    return std::unexpected(Failure{
        Failure::Kind::missing_path,
        "no Vault secret at " + ref.mount + "/" + ref.path + " (KV v1: GET /v1/" + api +
            " answered 404)",
        "write it (vault kv put -mount=" + ref.mount + " " + ref.path + " ...), or fix the path"});
  if (r->status == 403) return std::unexpected(read_denied(*r, api, "the read capability"));
  if (r->status != 200) return std::unexpected(failure_of(*r, "GET", api));
  const json body = parse(r->body);
  if (!body.is_object() || !body.contains("data"))
    return std::unexpected(
        Failure{Failure::Kind::protocol, "Vault's answer for " + ref.shown() + " has no data", ""});
  auto fields = fields_of(body["data"], ref.shown());
  if (!fields) return std::unexpected(fields.error());
  return KvSecret{std::move(*fields), 1, 0};
}

}  // namespace stackctl::vault
