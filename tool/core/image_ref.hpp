// Image references as Docker reads them: [registry[:port]/]repository[:tag][@sha256:digest].
//
// The grammar is distribution's reference package (github.com/distribution/reference,
// regexp.go and normalize.go), which docker, podman and skopeo all share:
// - the first path component is a registry when it contains '.' or ':', or is "localhost";
//   otherwise the registry is docker.io and a one-component repository gets "library/";
// - "index.docker.io" is the same registry as "docker.io"; its API lives at registry-1.docker.io;
// - repository components are lower case [a-z0-9] separated by '.', '_', "__" or dashes;
//   the whole name is at most 255 characters;
// - a tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; neither tag nor digest means "latest";
// - a digest is algorithm:hex; sha256 needs exactly 64 lower-case hex digits.
// Pure: no I/O.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace stackctl {

struct ImageRef {
  std::string registry;  // "docker.io", "quay.io", "localhost:5000", "127.0.0.1:5000", "[::1]:5000"
  std::string repository;  // "library/debian", "data-platform/spark-base"
  std::string tag;         // "" when only a digest was given
  std::string digest;      // "sha256:<64 hex>", or ""

  // Host (and port) that serves the registry API: "registry-1.docker.io" for docker.io.
  std::string api_host() const;
  // The host name without port or brackets: "127.0.0.1", "::1", "quay.io".
  std::string host_name() const;
  // localhost, 127.0.0.0/8 or ::1: Docker treats these as insecure (plain HTTP) by default.
  bool is_loopback() const;
  // What goes after /manifests/: the digest when there is one (it pins the content), else the tag.
  std::string reference() const;
  // "docker.io/library/debian:bookworm", "host:5000/a/b:t@sha256:..." (fully qualified).
  std::string str() const;
  // registry/repository without tag or digest.
  std::string name() const;
  // The last repository component: "spark-base" for "registry.example.com/dp/spark-base:t".
  std::string short_name() const;
};

struct ImageRefError {
  std::string message;  // says what is wrong, quoting the reference
  std::string hint;     // how a valid reference looks
};

// Parses and normalises `text`. Every failure names the part that is wrong.
std::expected<ImageRef, ImageRefError> parse_image_ref(std::string_view text);

// True for "sha256:" + 64 lower-case hex digits.
bool is_sha256_digest(std::string_view digest);

}  // namespace stackctl
