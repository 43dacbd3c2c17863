// The view of an image's recipe templates, built from the model alone.
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/knowledge/check_image.hpp"
#include "core/knowledge/version.hpp"
#include "core/render/common.hpp"
#include "core/render/images.hpp"

namespace stackctl::render::detail {

namespace {

using kainjow::mustache::list;

// Micromamba's official image, for images with conda environments. 1.5.8 is the version
// mamba-org/micromamba-docker's Dockerfile builds (ARG VERSION=1.5.8); override it with
// --build-arg MICROMAMBA_IMAGE, ideally by digest.
constexpr const char* kMicromambaImage = "mambaorg/micromamba:1.5.8";
// org.opencontainers.image.created when the builder passes no CREATED build-arg.
constexpr const char* kCreatedDefault = "1970-01-01T00:00:00Z";
constexpr const char* kVenv = "/opt/python/bin/python";
// Images are shallow (a few levels); the bound only stops a broken stack's cycle.
constexpr int kMaxDepth = 32;

const model::Image* parent_of(const model::Stack& stack, const model::Image& image) {
  if (image.from.kind != model::ImageFrom::Kind::image) return nullptr;
  return stack.find_image(image.from.ref);
}

std::string java_of(const model::Stack& stack, const model::Image& image) {
  return image.java_version.empty() ? stack.versions.java : image.java_version;
}

std::string python_of(const model::Stack& stack, const model::Image& image) {
  return image.python_version.empty() ? stack.versions.python : image.python_version;
}

// A root image installs Java; a child installs it only when it needs another version than its
// parent (whose /opt/java/openjdk is always the parent's own Java version).
bool installs_java(const model::Stack& stack, const model::Image& image) {
  const model::Image* parent = parent_of(stack, image);
  return parent == nullptr || java_of(stack, *parent) != java_of(stack, image);
}

// The Python version of the virtual environment at /opt/python in `image` ("" when none).
std::string venv_in(const model::Stack& stack, const model::Image& image, int depth = 0);

bool installs_python(const model::Stack& stack, const model::Image& image, int depth = 0) {
  if (!image.python || !image.conda_envs.empty()) return false;
  const model::Image* parent = parent_of(stack, image);
  const std::string inherited =
      parent != nullptr && depth <= kMaxDepth ? venv_in(stack, *parent, depth + 1) : "";
  return inherited != python_of(stack, image);
}

std::string venv_in(const model::Stack& stack, const model::Image& image, int depth) {
  if (installs_python(stack, image, depth)) return python_of(stack, image);
  const model::Image* parent = parent_of(stack, image);
  return parent != nullptr && depth <= kMaxDepth ? venv_in(stack, *parent, depth + 1) : "";
}

// A value inside a Dockerfile double-quoted string: \, " and $ escaped.
std::string dockerfile_quoted(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\' || c == '"' || c == '$') out += '\\';
    out += c;
  }
  return out;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Data artifact_data(const ContextArtifact& a, ArtifactUses* uses) {
  Data d;
  if (uses != nullptr) {
    d.set("path", Data{kainjow::mustache::lambda{[uses, a](const std::string&) {
            uses->add(a);
            return a.path;
          }}});
  } else {
    d.set("path", a.path);
  }
  d.set("file", a.file);
  d.set("url", a.url);
  d.set("checksum", a.checksum);
  return d;
}

}  // namespace

std::map<std::string, std::string> image_labels(const model::Stack& stack,
                                                const model::Image& image, const std::string& tag,
                                                bool final_tag) {
  // The io.stackctl.* set is exactly what `check --image` expects; the OCI ones are added here.
  std::map<std::string, std::string> labels = check_image::expected_labels(stack, image);
  labels["org.opencontainers.image.title"] = image.name;
  labels["org.opencontainers.image.revision"] = stack.metadata.revision;
  // Set even when empty, so a description inherited from the base image does not show through.
  labels["org.opencontainers.image.description"] = stack.metadata.description;
  if (final_tag) {
    labels["org.opencontainers.image.version"] = tag;
  } else {
    labels.emplace("org.opencontainers.image.version", tag);
  }
  return labels;
}

namespace {

Data labels_view(const std::map<std::string, std::string>& labels) {
  list out;
  for (const auto& [key, value] : labels) {
    Data l;
    l.set("key", key);
    l.set("value", dockerfile_quoted(value));
    out.push_back(l);
  }
  // Build-args, expanded by the builder: not escaped.
  for (const auto& [key, arg] : {std::pair{"org.opencontainers.image.created", "${CREATED}"},
                                 std::pair{"org.opencontainers.image.source", "${SOURCE}"}}) {
    Data l;
    l.set("key", key);
    l.set("value", arg);
    out.push_back(l);
  }
  return Data{out};
}

Data versions_view(const model::Stack& stack, const model::Image& image) {
  const auto& v = stack.versions;
  Data d;
  d.set("spark", v.spark);
  d.set("scala", v.scala);
  d.set("java", java_of(stack, image));
  d.set("python", python_of(stack, image));
  d.set("hadoop", v.hadoop);
  d.set("aws_sdk", v.aws_sdk);
  d.set("pyspark", v.pyspark);
  return d;
}

void add_runtime(const model::Stack& stack, const model::Image& image, Data& view) {
  const bool java = installs_java(stack, image);
  const bool python = installs_python(stack, image);
  const std::string py = python_of(stack, image);
  std::string packages;
  if (java) packages = "openjdk-" + java_of(stack, image) + "-jre-headless";
  if (python)
    packages += (packages.empty() ? "" : " ") + ("python" + py + " python" + py + "-venv");
  view.set("install_java", java);
  view.set("python_apt", python);
  view.set("runtime_packages", packages);
  view.set("runtime_steps", java || python);
  view.set("root_steps", java || python || !image.conda_envs.empty());
  view.set("python", image.python);
  view.set("python_version", py);
  const std::string bin = image.conda_envs.empty()
                              ? (image.python ? kVenv : "")
                              : "/opt/conda/envs/" + image.conda_envs.front() + "/bin/python";
  view.set("python_bin", bin);
}

void add_conda(const model::Image& image, Data& view) {
  list envs;
  for (const auto& name : image.conda_envs) {
    Data e;
    e.set("name", name);
    e.set("file_name", name + ".yml");
    envs.push_back(e);
  }
  view.set("conda", !image.conda_envs.empty());
  view.set("conda_envs", Data{envs});
  view.set("conda_first", image.conda_envs.empty() ? "" : image.conda_envs.front());
  view.set("micromamba_image", kMicromambaImage);
}

// images[].files: one COPY each (images/_partials/files.mustache).
void add_files(const model::Image& image, Data& view) {
  list files;
  for (const auto& f : image.files) {
    Data d;
    d.set("copy", copy_arguments(f));
    d.set("to", f.to);
    files.push_back(d);
  }
  view.set("has_files", !image.files.empty());
  view.set("files", Data{files});
}

std::vector<const model::Notebook*> notebooks_of(const model::Stack& stack,
                                                 const model::Image& image) {
  std::vector<const model::Notebook*> out;
  for (const auto& nb : stack.services.notebooks)
    if (nb.image == image.name) out.push_back(&nb);
  return out;
}

// The PySpark client pinned to versions.pyspark (else versions.spark). The Connect-only
// `pyspark-client` package exists from Spark 4.0 (apache/spark SPARK-51212,
// python/packaging/client); before that, and when a notebook runs its driver in the pod (client
// mode needs the JVM-side PySpark), `pyspark[connect]`.
std::string pyspark_requirement(const model::Stack& stack, bool client_mode) {
  const std::string version =
      stack.versions.pyspark.empty() ? stack.versions.spark : stack.versions.pyspark;
  const auto parsed = Version::parse(version);
  const bool connect_only = !client_mode && parsed && parsed->major() >= 4;
  return (connect_only ? "pyspark-client==" : "pyspark[connect]==") + version;
}

// The port of the image's default command: the first JupyterHub notebook's when the image runs
// Jupyter, else the first notebook's; 8888 when no notebook uses the image.
int default_notebook_port(const std::vector<const model::Notebook*>& notebooks, bool jupyter) {
  for (const auto* nb : notebooks)
    if (!jupyter || nb->kind == model::NotebookKind::jupyterhub) return nb->port;
  return 8888;
}

// Jupyter and/or Marimo per the notebooks that use the image (Jupyter when none does).
void add_notebook(const model::Stack& stack, const model::Image& image, Data& view) {
  const auto notebooks = notebooks_of(stack, image);
  bool jupyter = notebooks.empty(), marimo = false, client = false;
  std::set<int> ports;
  for (const auto* nb : notebooks) {
    (nb->kind == model::NotebookKind::marimo ? marimo : jupyter) = true;
    client = client || nb->mode == model::NotebookMode::client;
    ports.insert(nb->port);
  }
  const int port = default_notebook_port(notebooks, jupyter);
  ports.insert(port);
  const std::string requirement = pyspark_requirement(stack, client);
  list packages;
  if (jupyter) {
    packages.push_back(Data{"jupyterhub"});
    packages.push_back(Data{"jupyterlab"});
  }
  if (marimo) packages.push_back(Data{"marimo"});
  packages.push_back(Data{requirement});
  list port_list;
  for (const int p : ports) port_list.push_back(Data{std::to_string(p)});
  view.set("jupyter", jupyter);
  view.set("marimo", marimo);
  view.set("jupyter_and_marimo", jupyter && marimo);
  view.set("client_mode", client);
  view.set("notebook_ports", Data{port_list});
  view.set("notebook_port", std::to_string(port));
  view.set("pyspark_requirement", requirement);
  view.set("pip_packages", Data{packages});
}

void add_services(const model::Stack& stack, Data& view) {
  const auto& s = stack.services;
  view.set("connect_port", std::to_string(s.connect.port));
  view.set("history_port", std::to_string(s.history_server.port));
  view.set("kyuubi_port", std::to_string(s.kyuubi.port));
}

void add_artifacts(const model::Stack& stack, Data& view, ArtifactUses* uses) {
  view.set("spark", artifact_data(spark_artifact(stack), uses));
  list jars;
  for (const auto& j : jar_artifacts(stack)) jars.push_back(artifact_data(j, uses));
  view.set("jars", Data{jars});
  view.set("kyuubi_dist", artifact_data(kyuubi_artifact(stack), uses));
}

}  // namespace

std::string context_file_path(const model::ImageFile& file) {
  return "files/" + file.from;
}

// JSON's own escaping, not dockerfile_quoted: that one writes `\$` for a shell-form string, which
// is not valid JSON (the line would fall back to shell form). Validation keeps every character
// that needs an escape out of both paths anyway (core/stack/image_files.cpp).
std::string copy_arguments(const model::ImageFile& file) {
  return "[" + nlohmann::json(context_file_path(file)).dump() + ", " +
         nlohmann::json(file.to).dump() + "]";
}

std::string context_tag(const Request& request, const model::Image& image) {
  auto it = request.image_tags.find(image.name);
  return it != request.image_tags.end() ? it->second : image_tag(*request.base, image);
}

Data image_view(const Request& request, const model::Image& image, const std::string& recipe,
                ArtifactUses* uses) {
  const model::Stack& stack = *request.base;
  const std::string tag = context_tag(request, image);
  Data view;
  view.set("stack_name", stack.metadata.name);
  view.set("image_name", image.name);
  view.set("recipe", recipe);
  view.set("ref", image_repository(stack, image) + ":" + tag);
  view.set("tag", tag);
  const model::Image* parent = parent_of(stack, image);
  view.set("from", parent != nullptr
                       ? image_repository(stack, *parent) + ":" + context_tag(request, *parent)
                       : image.from.ref);
  view.set("from_image", parent != nullptr);
  view.set("parent", parent != nullptr ? parent->name : "");
  view.set("versions", versions_view(stack, image));
  view.set("labels",
           labels_view(image_labels(stack, image, tag, request.image_tags.contains(image.name))));
  view.set("created_default", kCreatedDefault);
  const std::string source = stack.file.empty() ? stack.metadata.name : base_name(stack.file);
  view.set("source_default", "\"" + dockerfile_quoted(source) + "\"");
  add_runtime(stack, image, view);
  add_conda(image, view);
  add_files(image, view);
  add_notebook(stack, image, view);
  add_services(stack, view);
  add_artifacts(stack, view, uses);
  return view;
}

}  // namespace stackctl::render::detail
