// Image builders: buildah (default; no daemon), podman, docker (buildx). One interface, one
// implementation per backend, all driving the real tool through proc::Runner.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/process.hpp"
#include "core/secret.hpp"

namespace stackctl::builder {

enum class Backend { buildah, podman, docker };
const char* to_string(Backend b);
std::optional<Backend> parse_backend(std::string_view name);

struct Options {
  // buildah/podman storage: empty = the tool's defaults. Tests point these at temp folders.
  std::string storage_driver;  // e.g. "vfs" (works as root without overlay support)
  std::filesystem::path root;
  std::filesystem::path runroot;
  std::string isolation = "chroot";  // buildah/podman: chroot works without a daemon or userns
};

struct BuildSpec {
  std::filesystem::path context;
  std::string dockerfile = "Dockerfile";  // relative to context
  std::string ref;                        // the image reference to tag the result with
  std::vector<std::pair<std::string, std::string>> build_args;
  std::vector<std::pair<std::string, std::string>> labels;
  std::filesystem::path log_file;  // the whole build log goes here
  std::function<void(std::string_view line)> on_line;
};

struct Failure {
  std::string message;
  std::filesystem::path log_file;  // where to read more, when there is a log
};

// Credentials for a push, found by stackctl (auth files, credential helpers: registry_auth.hpp)
// and handed to the builder in a private temporary auth file (buildah/podman `--authfile`, docker
// DOCKER_CONFIG), removed after the push: never on a command line, never in a log.
struct PushAuth {
  std::string registry;  // "127.0.0.1:5000", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
  std::string username;
  Secret password;
};

// An image archive for `minikube image load`: docker-archive (`docker save`'s format, which every
// minikube runtime loads) or oci-archive.
enum class ArchiveFormat { docker, oci };

class Builder {
 public:
  virtual ~Builder() = default;
  virtual Backend backend() const = 0;
  virtual std::expected<void, Failure> build(const BuildSpec& spec) = 0;
  // The labels of local image `ref`; nullopt when the builder says there is no such image (its
  // own "not found" text, see builder.cpp). Any other failure of the inspect (a broken store, a
  // stopped daemon) is a Failure with the builder's message: never taken for "absent".
  virtual std::expected<std::optional<std::map<std::string, std::string>>, Failure> labels(
      const std::string& ref) = 0;
  // The labels of several local images, by reference (nullopt: no such image), as `labels` reads
  // them. podman and docker take several references in one `image inspect`, so a no-op build asks
  // them once for all its images; buildah's inspect takes one image, so this asks buildah once per
  // image (the default here, which every builder can use). The first failure ends it, naming the
  // references it was about.
  struct LabelsFailure {
    std::vector<std::string> refs;
    Failure failure;
  };
  using LabelsByRef = std::map<std::string, std::optional<std::map<std::string, std::string>>>;
  virtual std::expected<LabelsByRef, LabelsFailure> labels_of(const std::vector<std::string>& refs);
  // Pushes local `ref` to `destination` (a registry reference); returns the manifest digest
  // ("sha256:...") the registry stored.
  // `auth`: nullptr lets the builder find credentials itself (its own auth files).
  virtual std::expected<std::string, Failure> push(const std::string& ref,
                                                   const std::string& destination, bool tls_verify,
                                                   const std::filesystem::path& log_file,
                                                   const PushAuth* auth) = 0;
  // Writes local image `ref` to `file` as an archive that names it `ref` (buildah/podman
  // `push REF docker-archive:FILE:REF` or `oci-archive:FILE:REF`; docker `save -o FILE REF`,
  // docker-archive only). The builder's output goes to `log_file`.
  virtual std::expected<void, Failure> export_archive(const std::string& ref,
                                                      const std::filesystem::path& file,
                                                      ArchiveFormat format,
                                                      const std::filesystem::path& log_file) = 0;
};

std::unique_ptr<Builder> make_builder(Backend backend, proc::Runner& runner, Options options);

// The first backend that can work here: buildah (needs no daemon), then podman, then docker when
// `docker info` answers. nullopt when none can.
std::optional<Backend> detect_backend(proc::Runner& runner);

}  // namespace stackctl::builder
