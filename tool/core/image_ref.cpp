// Parsing follows distribution/reference (regexp.go, normalize.go); see image_ref.hpp.
#include "core/image_ref.hpp"

#include <regex>

namespace stackctl {

namespace {

constexpr std::size_t kNameMax = 255;
constexpr std::string_view kDockerHub = "docker.io";
constexpr std::string_view kFormatHint =
    "write [registry[:port]/]repository[:tag][@sha256:digest], e.g. "
    "registry.example.com/data-platform/spark-base:spark-4.0.1-r1 or debian:bookworm-slim";

std::unexpected<ImageRefError> fail(std::string_view text, const std::string& why) {
  return std::unexpected(ImageRefError{
      "invalid image reference \"" + std::string(text) + "\": " + why, std::string(kFormatHint)});
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool has_upper(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

// distribution: a first component is a registry when it has '.' or ':', is localhost, or has
// upper-case letters (repository names cannot).
bool looks_like_registry(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
         has_upper(first);
}

bool valid_registry(const std::string& host) {
  // domain-component(.domain-component)*(:port)? or [ipv6](:port)?
  static const std::regex re(
      R"(((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?)");
  return std::regex_match(host, re);
}

bool valid_repository(const std::string& repo) {
  static const std::regex re(
      R"([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)");
  return std::regex_match(repo, re);
}

bool valid_tag(const std::string& tag) {
  static const std::regex re(R"([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
  return std::regex_match(tag, re);
}

// "" when the digest is valid, else why not.
std::string digest_problem(std::string_view digest) {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos)
    return "digest \"" + std::string(digest) + "\" lacks \"algorithm:\"";
  const std::string_view algo = digest.substr(0, colon);
  const std::string_view hex = digest.substr(colon + 1);
  std::size_t want = 0;
  if (algo == "sha256")
    want = 64;
  else if (algo == "sha512")
    want = 128;
  else
    return "digest algorithm \"" + std::string(algo) + "\" is not sha256 or sha512";
  if (hex.size() != want || !is_lower_hex(hex))
    return "digest \"" + std::string(digest) + "\" needs exactly " + std::to_string(want) +
           " lower-case hex digits after \"" + std::string(algo) + ":\"";
  return {};
}

}  // namespace

bool is_sha256_digest(std::string_view digest) {
  return digest.starts_with("sha256:") && digest_problem(digest).empty();
}

std::expected<ImageRef, ImageRefError> parse_image_ref(std::string_view text) {
  if (text.empty()) return fail(text, "it is empty");
  if (text.find("://") != std::string_view::npos)
    return fail(text, "an image reference has no scheme (drop \"http://\" or \"https://\")");
  if (text.find_first_of(" \t\r\n") != std::string_view::npos)
    return fail(text, "it contains white space");
  ImageRef ref;
  std::string rest(text);
  if (const auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.resize(at);
    if (const std::string why = digest_problem(ref.digest); !why.empty()) return fail(text, why);
  }
  const auto slash = rest.rfind('/');
  if (const auto colon = rest.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest.resize(colon);
    if (!valid_tag(ref.tag))
      return fail(text, "tag \"" + ref.tag + "\" is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  }
  if (rest.empty()) return fail(text, "the repository name is empty");
  const auto first_slash = rest.find('/');
  if (first_slash != std::string::npos && looks_like_registry(rest.substr(0, first_slash))) {
    ref.registry = rest.substr(0, first_slash);
    ref.repository = rest.substr(first_slash + 1);
    if (!valid_registry(ref.registry))
      return fail(text, "registry \"" + ref.registry + "\" is not host[:port]");
  } else {
    ref.registry = kDockerHub;
    ref.repository = rest;
  }
  if (ref.repository.size() == 64 && is_lower_hex(ref.repository))
    return fail(text, "a 64-digit hex string is an image ID, not a repository name");
  if (ref.registry == "index.docker.io") ref.registry = kDockerHub;
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  if (has_upper(ref.repository))
    return fail(text, "repository name \"" + ref.repository + "\" must be lower case");
  if (!valid_repository(ref.repository))
    return fail(text, "repository name \"" + ref.repository +
                          "\" must be lower-case letters and digits separated by '/', '.', '_' "
                          "or '-' (no leading, trailing or doubled separators)");
  if (ref.name().size() > kNameMax)
    return fail(text, "the name is longer than " + std::to_string(kNameMax) + " characters");
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string ImageRef::api_host() const {
  return registry == kDockerHub ? std::string("registry-1.docker.io") : registry;
}

std::string ImageRef::host_name() const {
  if (registry.starts_with('[')) {
    const auto close = registry.find(']');
    return registry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  }
  return registry.substr(0, registry.find(':'));
}

bool ImageRef::is_loopback() const {
  const std::string host = host_name();
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string ImageRef::reference() const {
  return digest.empty() ? tag : digest;
}

std::string ImageRef::name() const {
  return registry + "/" + repository;
}

std::string ImageRef::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

std::string ImageRef::short_name() const {
  const auto slash = repository.rfind('/');
  return slash == std::string::npos ? repository : repository.substr(slash + 1);
}

}  // namespace stackctl
