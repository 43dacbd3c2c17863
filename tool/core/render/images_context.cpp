// What a build context holds besides its recipe: the artifacts the fetcher places and the conda
// environment files.
#include "core/kube/object.hpp"
#include "core/render/images.hpp"

namespace stackctl::render::detail {

namespace {

std::string checksum_text(const std::optional<model::Checksum>& c) {
  return c ? std::string(model::to_string(c->algorithm)) + ":" + c->hex : "-";
}

// The last path segment of a URL, without query or fragment; "" when the URL has no path.
std::string url_file_name(const std::string& url) {
  const std::string u = url.substr(0, url.find_first_of("?#"));
  const auto scheme = u.find("://");
  const auto path = u.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return "";
  return u.substr(u.find_last_of('/') + 1);
}

std::string maven_url(const std::string& mirror, const model::MavenCoordinate& c) {
  std::string base = mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + c.repository_path();
}

// YAML double-quoted scalar (newlines and control characters escaped too).
std::string quoted(const std::string& s) {
  return kube::yaml_double_quoted(s);
}

// True when a conda spec names `package` ("python", "python=3.11", "python >=3.11").
bool names_package(const std::string& spec, const std::string& package) {
  if (!spec.starts_with(package)) return false;
  if (spec.size() == package.size()) return true;
  const char next = spec[package.size()];
  return next == '=' || next == '<' || next == '>' || next == ' ' || next == '!' || next == '~';
}

}  // namespace

ContextArtifact spark_artifact(const model::Stack& stack) {
  const auto& dist = stack.artifacts.spark;
  const std::string file = url_file_name(dist.url);
  return {"artifacts/spark/" + file, file, dist.url, checksum_text(dist.checksum)};
}

std::vector<ContextArtifact> jar_artifacts(const model::Stack& stack) {
  std::vector<ContextArtifact> out;
  for (const auto& jar : stack.artifacts.jars) {
    const std::string file = jar.coordinate.file_name();
    const std::string url =
        jar.url.empty() ? maven_url(stack.artifacts.mirror, jar.coordinate) : jar.url;
    out.push_back({"artifacts/jars/" + file, file, url, checksum_text(jar.checksum)});
  }
  return out;
}

ContextArtifact kyuubi_artifact(const model::Stack& stack) {
  const auto& dist = stack.artifacts.kyuubi;
  const std::string file = url_file_name(dist.url);
  if (file.empty()) return {"artifacts/kyuubi/kyuubi-bin.tgz", "kyuubi-bin.tgz", "-", "-"};
  return {"artifacts/kyuubi/" + file, file, dist.url, checksum_text(dist.checksum)};
}

std::optional<std::string> conda_env_text(const Request& request, const model::CondaEnv& env,
                                          const std::string& python_version) {
  if (!env.file.empty()) {
    auto it = request.stack_files.find(env.file);
    if (it == request.stack_files.end()) return std::nullopt;
    return it->second;
  }
  std::string text = "# Conda environment \"" + env.name +
                     "\", written by stackctl from the stack's package list (python.conda).\n";
  text += "name: " + quoted(env.name) + "\nchannels:\n";
  for (const auto& ch : env.channels) text += "  - " + quoted(ch) + "\n";
  text += "dependencies:\n";
  bool python = false, pip = false;
  for (const auto& p : env.packages) {
    python = python || names_package(p, "python");
    pip = pip || names_package(p, "pip");
  }
  // The stack's Python, so PySpark's workers and driver agree (pip: notebooks install with it).
  if (!python) text += "  - " + quoted("python=" + python_version) + "\n";
  for (const auto& p : env.packages) text += "  - " + quoted(p) + "\n";
  if (!pip) text += "  - pip\n";
  return text;
}

}  // namespace stackctl::render::detail
