// The distribution API v2 read side, content: manifests, blobs, digests, platforms, labels. See
// registry.hpp for the contract; transport and auth are in registry_session.cpp, credential files
// in registry_auth.cpp.
#include "adapters/registry.hpp"

#include <cstdlib>

#include "adapters/hashing.hpp"
#include "adapters/registry_detail.hpp"

namespace stackctl::registry {

namespace {

using detail::fail;
using detail::header;
using detail::Json;
using detail::media_type_of;
using detail::registry_error;
using detail::text_of;

std::string accept_manifests() {
  return std::string(kOciIndex) + ", " + std::string(kOciManifest) + ", " +
         std::string(kDockerManifestList) + ", " + std::string(kDockerManifest);
}

bool is_index(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

struct Platform {
  std::string os, architecture, variant;
  std::string text() const {
    return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
  }
};

Platform parse_platform(std::string_view text) {
  Platform p;
  const auto a = text.find('/');
  p.os = std::string(text.substr(0, a));
  if (a == std::string_view::npos) return p;
  const auto b = text.find('/', a + 1);
  p.architecture = std::string(text.substr(a + 1, b == std::string_view::npos ? b : b - a - 1));
  if (b != std::string_view::npos) p.variant = std::string(text.substr(b + 1));
  return p;
}

bool platform_matches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  if (want.variant.empty() || want.variant == have.variant) return true;
  // containers/image: arm64 without a variant is v8.
  return have.variant.empty() && want.architecture == "arm64" && want.variant == "v8";
}

std::map<std::string, std::string> labels_of(const Json& config) {
  std::map<std::string, std::string> out;
  if (!config.contains("config") || !config["config"].is_object()) return out;
  const auto& c = config["config"];
  if (!c.contains("Labels") || !c["Labels"].is_object()) return out;
  for (const auto& [k, v] : c["Labels"].items())
    out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

}  // namespace

const char* to_string(Failure::Kind kind) {
  switch (kind) {
    case Failure::Kind::unreachable:
      return "unreachable";
    case Failure::Kind::not_registry:
      return "not_registry";
    case Failure::Kind::unauthorized:
      return "unauthorized";
    case Failure::Kind::denied:
      return "denied";
    case Failure::Kind::not_found:
      return "not_found";
    case Failure::Kind::protocol:
      return "protocol";
    case Failure::Kind::digest_mismatch:
      return "digest_mismatch";
    case Failure::Kind::no_platform:
      return "no_platform";
    case Failure::Kind::unsupported:
      return "unsupported";
    case Failure::Kind::auth_file:
      return "auth_file";
  }
  return "unknown";
}

std::string hash_hex(std::string_view algorithm, std::string_view data) {
  // OCI digests name sha256 or sha512; anything else matches nothing.
  if (algorithm == "sha256") return hashing::hash_bytes(data, model::HashAlgorithm::sha256);
  if (algorithm == "sha512") return hashing::hash_bytes(data, model::HashAlgorithm::sha512);
  return {};
}

bool matches_digest(std::string_view digest, std::string_view data) {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string hex = hash_hex(digest.substr(0, colon), data);
  return !hex.empty() && hex == digest.substr(colon + 1);
}

std::expected<std::string, Failure> pick_platform(std::string_view index_body,
                                                  std::string_view platform,
                                                  const std::string& what) {
  const auto j = Json::parse(index_body, nullptr, false);
  if (j.is_discarded() || !j.contains("manifests") || !j["manifests"].is_array())
    return fail(Failure::Kind::protocol, what + ": the index has no \"manifests\" array");
  const Platform want = parse_platform(platform);
  std::string seen;
  std::vector<std::string> unlabelled;
  for (const auto& m : j["manifests"]) {
    if (!m.is_object() || !m.contains("digest") || !m["digest"].is_string()) continue;
    if (m.contains("annotations") && m["annotations"].is_object() &&
        text_of(m["annotations"], "vnd.docker.reference.type") == "attestation-manifest")
      continue;
    if (!m.contains("platform") || !m["platform"].is_object()) {
      unlabelled.push_back(m["digest"].get<std::string>());
      continue;
    }
    const auto& p = m["platform"];
    const Platform have{text_of(p, "os"), text_of(p, "architecture"), text_of(p, "variant")};
    if (platform_matches(want, have)) return m["digest"].get<std::string>();
    seen += (seen.empty() ? "" : ", ") + have.text();
  }
  if (seen.empty() && unlabelled.size() == 1) return unlabelled.front();  // one image, no platform
  return fail(Failure::Kind::no_platform,
              what + " has no image for platform " + std::string(platform) +
                  (seen.empty() ? "" : "; it has " + seen),
              "choose one with --platform OS/ARCH[/VARIANT]");
}

namespace {

std::unexpected<Failure> status_failure(const ImageRef& ref, const std::string& what,
                                        const http::Response& r) {
  const std::string detail = registry_error(r.body);
  const std::string msg = what + " in " + ref.name() + ": HTTP " + std::to_string(r.status) +
                          (detail.empty() ? "" : " (" + detail + ")");
  if (r.status == 404)
    return fail(Failure::Kind::not_found, msg + ": not found",
                "check the repository and tag; list tags with "
                "`skopeo list-tags docker://" +
                    ref.name() + "`");
  if (r.status == 403)
    return fail(Failure::Kind::denied, msg + ": access denied",
                "the credentials in use may not pull " + ref.repository);
  return fail(Failure::Kind::protocol, msg);
}

}  // namespace

std::expected<std::optional<ManifestRef>, Failure> Client::find_manifest(const ImageRef& ref) {
  auto r = send(ref, {"HEAD",
                      base_url(ref) + "/v2/" + ref.repository + "/manifests/" + ref.reference(),
                      {{"Accept", accept_manifests()}},
                      {}});
  if (!r) return std::unexpected(r.error());
  if (r->status == 404) return std::optional<ManifestRef>{};
  if (r->status != 200) return status_failure(ref, "manifest " + ref.reference(), *r);
  ManifestRef out{header(*r, "docker-content-digest"), media_type_of(*r), 0};
  if (const std::string len = header(*r, "content-length"); !len.empty())
    out.size = std::strtoull(len.c_str(), nullptr, 10);
  if (out.digest.empty()) {  // some registries answer HEAD without the digest: GET and hash
    auto m = get_manifest(ref, ref.reference());
    if (!m) return std::unexpected(m.error());
    out.digest = m->digest;
  }
  return out;
}

std::expected<Manifest, Failure> Client::get_manifest(const ImageRef& ref,
                                                      const std::string& reference) {
  const std::string what = "manifest " + reference;
  auto r = send(ref, {"GET",
                      base_url(ref) + "/v2/" + ref.repository + "/manifests/" + reference,
                      {{"Accept", accept_manifests()}},
                      {}});
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return status_failure(ref, what, *r);
  const std::string said = header(*r, "docker-content-digest");
  const bool by_digest = reference.find(':') != std::string::npos;
  for (const std::string& d : {by_digest ? reference : std::string(), said}) {
    if (!d.empty() && !matches_digest(d, r->body))
      return fail(Failure::Kind::digest_mismatch,
                  what + " in " + ref.name() + ": the " + std::to_string(r->body.size()) +
                      " bytes received hash to sha256:" + hash_hex("sha256", r->body) + ", not " +
                      d,
                  "the registry or a proxy altered the content; do not use this image");
  }
  Manifest m{by_digest ? reference : said, media_type_of(*r), std::move(r->body)};
  if (m.digest.empty()) m.digest = "sha256:" + hash_hex("sha256", m.body);
  const auto j = Json::parse(m.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Failure::Kind::protocol, what + " in " + ref.name() + " is not a JSON object");
  if (j.contains("schemaVersion") && j["schemaVersion"] == 1)
    return fail(Failure::Kind::unsupported,
                what + " in " + ref.name() + " is a Docker schema 1 manifest (deprecated)",
                "push the image again with a current client (OCI or Docker schema 2)");
  if (!text_of(j, "mediaType").empty())
    m.media_type = text_of(j, "mediaType");
  else if (j.contains("manifests"))
    m.media_type = kOciIndex;
  return m;
}

std::expected<std::string, Failure> Client::get_blob(const ImageRef& ref,
                                                     const std::string& digest) {
  auto r = send(ref, {"GET", base_url(ref) + "/v2/" + ref.repository + "/blobs/" + digest, {}, {}});
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return status_failure(ref, "blob " + digest, *r);
  if (!matches_digest(digest, r->body))
    return fail(Failure::Kind::digest_mismatch,
                "blob " + digest + " in " + ref.name() + ": the " + std::to_string(r->body.size()) +
                    " bytes received hash to sha256:" + hash_hex("sha256", r->body),
                "the registry or a proxy altered the content; do not use this image");
  return std::move(r->body);
}

std::expected<void, Failure> Client::stream_blob(const ImageRef& ref, const std::string& digest,
                                                 std::uint64_t max_bytes, const BlobSink& sink) {
  const auto colon = digest.find(':');
  const std::string algorithm = colon == std::string::npos ? "" : digest.substr(0, colon);
  if (algorithm != "sha256" && algorithm != "sha512")
    return fail(Failure::Kind::unsupported, "blob " + digest + " in " + ref.name() +
                                                ": a digest algorithm stackctl does not verify");
  hashing::Stream hash(algorithm == "sha256" ? model::HashAlgorithm::sha256
                                             : model::HashAlgorithm::sha512);
  std::uint64_t received = 0;
  bool too_long = false;
  bool stopped = false;
  http::Request request{
      "GET", base_url(ref) + "/v2/" + ref.repository + "/blobs/" + digest, {}, {}};
  request.timeout = std::chrono::hours(1);  // a layer can be GBs; the client's default is short
  request.on_data = [&](std::string_view chunk) {
    received += chunk.size();
    if (received > max_bytes) {
      too_long = true;
      return false;
    }
    hash.update(chunk);
    if (!sink(chunk)) {
      stopped = true;
      return false;
    }
    return true;
  };
  auto r = send(ref, std::move(request));
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return status_failure(ref, "blob " + digest, *r);
  const std::string what = "blob " + digest + " in " + ref.name();
  if (too_long)
    return fail(Failure::Kind::protocol,
                what + ": more than the " + std::to_string(max_bytes) + " bytes expected");
  if (stopped) return fail(Failure::Kind::protocol, what + ": the transfer was stopped");
  const std::string got = hash.hex();
  if (got != digest.substr(colon + 1))
    return fail(Failure::Kind::digest_mismatch,
                what + ": the " + std::to_string(received) + " bytes received hash to " +
                    algorithm + ":" + got,
                "the registry or a proxy altered the content; do not use this image");
  return {};
}

std::expected<ImageInfo, Failure> Client::inspect(const ImageRef& ref) {
  auto top = get_manifest(ref, ref.reference());
  if (!top) return std::unexpected(top.error());
  ImageInfo info;
  info.name = ref.str();
  info.digest = top->digest;
  info.media_type = top->media_type;
  Manifest manifest = *top;
  if (is_index(top->media_type)) {
    auto child = pick_platform(top->body, options_.platform, ref.str());
    if (!child) return std::unexpected(child.error());
    auto m = get_manifest(ref, *child);
    if (!m) return std::unexpected(m.error());
    if (is_index(m->media_type))
      return fail(Failure::Kind::unsupported, ref.str() + ": an index inside an index");
    manifest = std::move(*m);
  }
  info.manifest_digest = manifest.digest;
  const auto j = Json::parse(manifest.body, nullptr, false);  // an object: get_manifest checked
  if (!j.contains("config") || text_of(j["config"], "digest").empty())
    return fail(Failure::Kind::protocol,
                ref.str() + ": manifest " + manifest.digest + " has no config");
  const std::string config_type = text_of(j["config"], "mediaType");
  if (config_type != "application/vnd.oci.image.config.v1+json" &&
      config_type != "application/vnd.docker.container.image.v1+json")
    return fail(
        Failure::Kind::unsupported,
        ref.str() + " is not a container image (config media type \"" + config_type + "\")");
  info.config_digest = text_of(j["config"], "digest");
  if (j.contains("layers") && j["layers"].is_array())
    for (const auto& l : j["layers"]) {
      LayerRef layer{text_of(l, "mediaType"), text_of(l, "digest"), 0};
      if (l.is_object() && l.contains("size") && l["size"].is_number_unsigned())
        layer.size = l["size"].get<std::uint64_t>();
      info.layers.push_back(std::move(layer));
    }
  auto blob = get_blob(ref, info.config_digest);
  if (!blob) return std::unexpected(blob.error());
  const auto config = Json::parse(*blob, nullptr, false);
  if (config.is_discarded() || !config.is_object())
    return fail(Failure::Kind::protocol,
                ref.str() + ": config " + info.config_digest + " is not JSON");
  info.os = text_of(config, "os");
  info.architecture = text_of(config, "architecture");
  info.variant = text_of(config, "variant");
  info.created = text_of(config, "created");
  info.labels = labels_of(config);
  return info;
}

}  // namespace stackctl::registry
