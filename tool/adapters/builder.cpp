#include "adapters/builder.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/fs.hpp"
#include "adapters/registry_auth.hpp"
#include "core/codec/codec.hpp"

namespace stackctl::builder {

const char* to_string(Backend b) {
  switch (b) {
    case Backend::buildah:
      return "buildah";
    case Backend::podman:
      return "podman";
    case Backend::docker:
      return "docker";
  }
  return "buildah";
}

std::optional<Backend> parse_backend(std::string_view name) {
  if (name == "buildah") return Backend::buildah;
  if (name == "podman") return Backend::podman;
  if (name == "docker") return Backend::docker;
  return std::nullopt;
}

namespace {

std::string last_lines(const std::filesystem::path& log, std::size_t n) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += "    " + l + "\n";
  return out;
}

// The texts the builders print when the image is not in the local store, and only then:
// - buildah and podman (4.x) print containers/storage's ErrImageUnknown, "image not known"
//   (containers/storage errors.go); seen here as buildah 1.28.2's "importing settings:
//   localhost/x:1: image not known" and podman 4.3.1's "inspecting object: localhost/x:1: image
//   not known", both exit 125;
// - podman's libpod ErrNoSuchImage is "no such image" (libpod/define/errors.go);
// - docker: the daemon's ErrImageDoesNotExist, "No such image: %s" (moby
//   daemon/images/image.go), which the CLI prints as "Error: No such image: ..." or "Error response
//   from daemon: No such image: ...".
// Anything else with a non-zero exit (a store that cannot be opened, a daemon that is not
// running, a permission problem) is not "absent": it is an error, or a broken store would look
// empty and every image would be rebuilt, or pushed over.
bool says_no_such_image(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("image not known") != std::string::npos ||
         lower.find("no such image") != std::string::npos;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text.substr(0, 2000));
}

std::filesystem::path temp_file(const std::string& stem) {
  return std::filesystem::temp_directory_path() / (stem + "-" + fs::random_suffix());
}

// A private folder (0700) holding an auth file for one push: auth.json in the containers format
// (buildah/podman --authfile) and config.json in Docker's (DOCKER_CONFIG); removed with the
// object.
struct PrivateAuth {
  std::filesystem::path dir;

  static std::expected<PrivateAuth, std::string> make(const PushAuth& auth) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stackctl-auth-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return std::unexpected("cannot make a private folder for the push credentials in " +
                             std::filesystem::temp_directory_path().string());
    PrivateAuth out;
    out.dir = pattern;
    nlohmann::json j;
    j["auths"][auth.registry]["auth"] =
        codec::base64_encode(auth.username + ":" + auth.password.reveal());
    for (const char* name : {"auth.json", "config.json"}) {
      std::ofstream f(out.dir / name);
      // 0600 before the credentials are written, whatever the umask (the folder is 0700 too).
      std::error_code ec;
      std::filesystem::permissions(
          out.dir / name, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
          ec);
      if (ec) return std::unexpected("cannot make the push credentials file private in " + pattern);
      f << j.dump();
      if (!f) return std::unexpected("cannot write the push credentials file in " + pattern);
    }
    return out;
  }
  std::filesystem::path file() const { return dir / "auth.json"; }

  PrivateAuth() = default;
  PrivateAuth(PrivateAuth&& o) noexcept : dir(std::exchange(o.dir, {})) {}
  PrivateAuth& operator=(PrivateAuth&&) = delete;
  PrivateAuth(const PrivateAuth&) = delete;
  ~PrivateAuth() {
    if (dir.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The labels of one element of podman's or docker's `image inspect` array ([{"Config":
// {"Labels": {...}}}]); buildah's own inspect is {"OCIv1": {"config": {"Labels": {...}}}}.
std::map<std::string, std::string> labels_in(const nlohmann::json& element) {
  // buildah's inspect has a "Config" too, holding a JSON text: OCIv1 is read first.
  const nlohmann::json* l = nullptr;
  if (element.contains("OCIv1") && element["OCIv1"].is_object()) {
    l = &element["OCIv1"]["config"]["Labels"];
  } else if (element.contains("Config") && element["Config"].is_object()) {
    l = &element["Config"]["Labels"];
  }
  std::map<std::string, std::string> out;
  if (l && l->is_object())
    for (const auto& [k, v] : l->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

bool names_ref(const nlohmann::json& element, const std::string& ref) {
  if (!element.is_object() || !element.contains("RepoTags") || !element["RepoTags"].is_array())
    return false;
  for (const auto& tag : element["RepoTags"])
    if (tag.is_string() && tag.get<std::string>() == ref) return true;
  return false;
}

}  // namespace

std::expected<Builder::LabelsByRef, Builder::LabelsFailure> Builder::labels_of(
    const std::vector<std::string>& refs) {
  LabelsByRef out;
  for (const auto& ref : refs) {
    if (out.contains(ref)) continue;
    auto l = labels(ref);
    if (!l) return std::unexpected(LabelsFailure{{ref}, std::move(l.error())});
    out.emplace(ref, std::move(*l));
  }
  return out;
}

namespace {

// buildah and podman share their command line; docker differs in a few words.
class CliBuilder final : public Builder {
 public:
  CliBuilder(Backend b, proc::Runner& runner, Options o)
      : backend_(b), runner_(runner), options_(std::move(o)) {}

  Backend backend() const override { return backend_; }

  std::expected<void, Failure> build(const BuildSpec& spec) override {
    std::vector<std::string> argv = base();
    if (backend_ == Backend::docker) {
      argv.insert(argv.end(), {"buildx", "build", "--load"});
    } else {
      argv.insert(argv.end(), {"build", "--isolation", options_.isolation, "--layers"});
    }
    argv.insert(argv.end(), {"-f", (spec.context / spec.dockerfile).string(), "-t", spec.ref});
    for (const auto& [k, v] : spec.build_args)
      argv.insert(argv.end(), {"--build-arg", k + "=" + v});
    for (const auto& [k, v] : spec.labels) argv.insert(argv.end(), {"--label", k + "=" + v});
    argv.push_back(spec.context.string());
    proc::Command cmd{argv, {}, {}, spec.log_file, spec.on_line, {}};
    auto r = runner_.run(cmd);
    if (!r) return std::unexpected(Failure{r.error().message, spec.log_file});
    if (r->exit_code != 0) {
      return std::unexpected(Failure{std::string(to_string(backend_)) + " build of " + spec.ref +
                                         " failed (exit " + std::to_string(r->exit_code) +
                                         "); last lines of " + spec.log_file.string() + ":\n" +
                                         last_lines(spec.log_file, 15),
                                     spec.log_file});
    }
    return {};
  }

  std::expected<std::optional<std::map<std::string, std::string>>, Failure> labels(
      const std::string& ref) override {
    std::vector<std::string> argv = base();
    if (backend_ == Backend::buildah) {
      argv.insert(argv.end(), {"inspect", "--type", "image", ref});
    } else {
      argv.insert(argv.end(), {"image", "inspect", ref});
    }
    auto r = runner_.run({argv, {}, {}, {}, {}, {}});
    if (!r) return std::unexpected(Failure{r.error().message, {}});
    if (r->exit_code != 0) {
      if (says_no_such_image(r->err) || says_no_such_image(r->out))
        return std::optional<std::map<std::string, std::string>>{};
      return std::unexpected(Failure{std::string(to_string(backend_)) + " cannot inspect " + ref +
                                         " (exit " + std::to_string(r->exit_code) +
                                         "): " + trimmed(r->err.empty() ? r->out : r->err),
                                     {}});
    }
    try {
      // buildah: {"OCIv1": {"config": {"Labels": {...}}}}; docker/podman: [{"Config": {"Labels"}}]
      const auto j = nlohmann::json::parse(r->out);
      const nlohmann::json empty = nlohmann::json::object();
      const nlohmann::json& element = j.is_array() ? (j.empty() ? empty : j[0]) : j;
      return std::optional<std::map<std::string, std::string>>(labels_in(element));
    } catch (const nlohmann::json::exception& e) {
      return std::unexpected(Failure{"cannot read " + std::string(to_string(backend_)) +
                                         " inspect output for " + ref + ": " + e.what(),
                                     {}});
    }
  }

  // podman and docker: one `image inspect A B ...` for all of them. Its answer is one element per
  // reference, in their order (podman 4.3.1 here; docker's CLI inspects its arguments in order);
  // each element must name its reference in RepoTags, else the per-image inspect decides. When
  // one is missing the call fails for all ("image not known" / "No such image"), and the
  // per-image inspect then tells the missing ones from the present ones.
  std::expected<LabelsByRef, LabelsFailure> labels_of(
      const std::vector<std::string>& refs) override {
    std::vector<std::string> unique;
    for (const auto& ref : refs)
      if (std::ranges::find(unique, ref) == unique.end()) unique.push_back(ref);
    if (backend_ == Backend::buildah || unique.size() < 2) return Builder::labels_of(unique);
    std::vector<std::string> argv = base();
    argv.insert(argv.end(), {"image", "inspect"});
    argv.insert(argv.end(), unique.begin(), unique.end());
    auto r = runner_.run({argv, {}, {}, {}, {}, {}});
    if (!r) return std::unexpected(LabelsFailure{unique, Failure{r.error().message, {}}});
    if (r->exit_code != 0) {
      if (says_no_such_image(r->err) || says_no_such_image(r->out))
        return Builder::labels_of(unique);
      return std::unexpected(LabelsFailure{
          unique, Failure{std::string(to_string(backend_)) + " cannot inspect the images (exit " +
                              std::to_string(r->exit_code) +
                              "): " + trimmed(r->err.empty() ? r->out : r->err),
                          {}}});
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(r->out);
    } catch (const nlohmann::json::exception&) {
      return Builder::labels_of(unique);  // the per-image inspect reports what it cannot read
    }
    if (!j.is_array() || j.size() != unique.size()) return Builder::labels_of(unique);
    LabelsByRef out;
    for (std::size_t i = 0; i < unique.size(); ++i) {
      if (!names_ref(j[i], unique[i])) return Builder::labels_of(unique);
      out.emplace(unique[i], labels_in(j[i]));
    }
    return out;
  }

  std::expected<std::string, Failure> push(const std::string& ref, const std::string& destination,
                                           bool tls_verify, const std::filesystem::path& log_file,
                                           const PushAuth* auth) override {
    std::optional<PrivateAuth> private_auth;
    if (auth != nullptr) {
      auto made = PrivateAuth::make(*auth);
      if (!made) return std::unexpected(Failure{made.error(), {}});
      private_auth.emplace(std::move(*made));
    }
    if (backend_ == Backend::docker) {
      return push_docker(ref, destination, log_file,
                         private_auth ? private_auth->dir.string() : std::string());
    }
    const auto digest_file = temp_file("stackctl-digest");
    std::vector<std::string> argv = base();
    argv.insert(argv.end(), {"push", "--digestfile", digest_file.string(),
                             std::string("--tls-verify=") + (tls_verify ? "true" : "false")});
    if (private_auth) argv.insert(argv.end(), {"--authfile", private_auth->file().string()});
    argv.insert(argv.end(), {ref, "docker://" + destination});
    auto r = runner_.run({argv, {}, {}, log_file, {}, {}});
    std::string digest;
    std::ifstream(digest_file) >> digest;
    std::error_code ec;
    std::filesystem::remove(digest_file, ec);
    if (!r) return std::unexpected(Failure{r.error().message, log_file});
    if (r->exit_code != 0 || digest.empty()) {
      return std::unexpected(Failure{"push of " + destination + " failed (exit " +
                                         std::to_string(r->exit_code) + "):\n" +
                                         last_lines(log_file, 8),
                                     log_file});
    }
    return digest;
  }

  std::expected<void, Failure> export_archive(const std::string& ref,
                                              const std::filesystem::path& file,
                                              ArchiveFormat format,
                                              const std::filesystem::path& log_file) override {
    std::error_code ec;
    std::filesystem::remove(file, ec);  // the archive transports refuse to overwrite
    std::vector<std::string> argv = base();
    if (backend_ == Backend::docker) {
      if (format == ArchiveFormat::oci)
        return std::unexpected(
            Failure{"docker writes docker-archive only (docker save); use that format", {}});
      argv.insert(argv.end(), {"save", "-o", file.string(), ref});
    } else {
      const char* transport = format == ArchiveFormat::oci ? "oci-archive:" : "docker-archive:";
      argv.insert(argv.end(), {"push", ref, transport + file.string() + ":" + ref});
    }
    auto r = runner_.run({argv, {}, {}, log_file, {}, {}});
    if (!r) return std::unexpected(Failure{r.error().message, log_file});
    if (r->exit_code != 0)
      return std::unexpected(Failure{"export of " + ref + " to " + file.string() +
                                         " failed (exit " + std::to_string(r->exit_code) + "):\n" +
                                         last_lines(log_file, 8),
                                     log_file});
    return {};
  }

 private:
  std::vector<std::string> base() const {
    std::vector<std::string> argv = {to_string(backend_)};
    if (backend_ == Backend::docker) return argv;
    if (!options_.storage_driver.empty())
      argv.insert(argv.end(), {"--storage-driver", options_.storage_driver});
    if (!options_.root.empty()) argv.insert(argv.end(), {"--root", options_.root.string()});
    if (!options_.runroot.empty())
      argv.insert(argv.end(), {"--runroot", options_.runroot.string()});
    return argv;
  }

  std::expected<std::string, Failure> push_docker(const std::string& ref,
                                                  const std::string& destination,
                                                  const std::filesystem::path& log_file,
                                                  const std::string& docker_config) {
    auto tag = runner_.run({{"docker", "tag", ref, destination}, {}, {}, log_file, {}, {}});
    if (!tag || tag->exit_code != 0)
      return std::unexpected(Failure{"docker tag " + destination + " failed", log_file});
    std::vector<std::pair<std::string, std::string>> env;
    if (!docker_config.empty()) env.emplace_back("DOCKER_CONFIG", docker_config);
    auto r = runner_.run({{"docker", "push", destination}, env, {}, log_file, {}, {}});
    if (!r || r->exit_code != 0)
      return std::unexpected(
          Failure{"docker push " + destination + " failed:\n" + last_lines(log_file, 8), log_file});
    // docker prints "<tag>: digest: sha256:... size: N" as its last line.
    std::ifstream in(log_file);
    std::string digest;
    for (std::string line; std::getline(in, line);)
      if (auto p = line.find("digest: "); p != std::string::npos)
        digest = line.substr(p + 8, line.find(' ', p + 8) - p - 8);
    if (digest.empty()) return std::unexpected(Failure{"docker push printed no digest", log_file});
    return digest;
  }

  Backend backend_;
  proc::Runner& runner_;
  Options options_;
};

}  // namespace

std::unique_ptr<Builder> make_builder(Backend backend, proc::Runner& runner, Options options) {
  return std::make_unique<CliBuilder>(backend, runner, std::move(options));
}

std::optional<Backend> detect_backend(proc::Runner& runner) {
  if (proc::find_executable("buildah")) return Backend::buildah;
  if (proc::find_executable("podman")) return Backend::podman;
  if (proc::find_executable("docker")) {
    auto r = runner.run({{"docker", "info", "--format", "{{.ServerVersion}}"}, {}, {}, {}, {}, {}});
    if (r && r->exit_code == 0) return Backend::docker;
  }
  return std::nullopt;
}

}  // namespace stackctl::builder
