// Build contexts (render_images): every image of every shipped stack gets a Dockerfile FROM the
// right parent, the labels `check --image` expects, a COPY of each artifact and USER 185; recipes
// are picked by role; templates are strict and overridable.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/knowledge/catalog.hpp"
#include "core/knowledge/check_image.hpp"
#include "core/render/common.hpp"
#include "core/render/images.hpp"
#include "core/render/parts.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;

namespace {

const char* const kShippedStacks[] = {"spark-connect", "kyuubi-sql", "custom-app"};

std::string read_source_file(const std::string& path) {
  std::ifstream in(std::string(STACKCTL_SOURCE_DIR) + "/" + path);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

model::Stack load_text(const std::string& text, const std::string& file) {
  Diagnostics d;
  auto stack = load_stack(text, {file, "", &catalog::builtin_catalog()}, d);
  INFO(test::dump(d));
  REQUIRE(stack);
  REQUIRE_FALSE(d.has_errors());
  return *stack;
}

model::Stack load_shipped(const std::string& name) {
  const std::string file = "stacks/" + name + ".stack.yaml";
  return load_text(read_source_file(file), file);
}

// The conda files and image files a stack names, read the way the CLI does (relative to the stack
// file).
std::map<std::string, std::string> stack_files_of(const model::Stack& stack) {
  std::map<std::string, std::string> files;
  for (const auto& env : stack.python.conda)
    if (!env.file.empty()) files[env.file] = read_source_file("stacks/" + env.file);
  for (const auto& image : stack.images)
    for (const auto& f : image.files) files[f.from] = read_source_file("stacks/" + f.from);
  return files;
}

struct Rendered {
  std::vector<render::File> files;
  Diagnostics diags;

  const render::File* find(const std::string& path) const {
    for (const auto& f : files)
      if (f.path == path) return &f;
    return nullptr;
  }
  const std::string& text(const std::string& path) const {
    const render::File* f = find(path);
    INFO(path);
    REQUIRE(f != nullptr);
    return f->data;
  }
};

Rendered render_images(const model::Stack& stack,
                       const render::Templates& templates = render::Templates::builtin(),
                       std::optional<std::map<std::string, std::string>> files = std::nullopt) {
  render::Request request;
  request.base = &stack;
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.stack_files = files ? *files : stack_files_of(stack);
  render::detail::Output out;
  render::detail::render_images(request, out);
  return {std::move(out.files), std::move(out.diags)};
}

Rendered render_ok(const model::Stack& stack) {
  Rendered r = render_images(stack);
  INFO(test::dump(r.diags));
  REQUIRE_FALSE(r.diags.has_errors());
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (l == line) return true;
  return false;
}

std::string last_line_starting(const std::string& text, const std::string& prefix) {
  std::string found;
  for (const auto& l : lines_of(text))
    if (l.starts_with(prefix)) found = l;
  return found;
}

std::string recipe_of(const model::Stack& stack, const model::Image& image) {
  std::string why;
  auto recipe = render::detail::resolve_recipe(stack, image, render::Templates::builtin(), why);
  INFO(why);
  REQUIRE(recipe);
  return *recipe;
}

}  // namespace

TEST_CASE(
    "every image of every shipped stack gets a Dockerfile FROM its parent, with the stack's "
    "labels and USER 185") {
  for (const char* name : kShippedStacks) {
    const model::Stack stack = load_shipped(name);
    const Rendered r = render_ok(stack);
    for (const auto& image : stack.images) {
      INFO(std::string(name) + ": image " + image.name);
      const std::string dockerfile = r.text("images/" + image.name + "/Dockerfile");
      const std::string from = image.from.kind == model::ImageFrom::Kind::image
                                   ? render::image_ref(stack, *stack.find_image(image.from.ref))
                                   : image.from.ref;
      CHECK(has_line(dockerfile, "ARG BASE_IMAGE=" + from));
      CHECK(has_line(dockerfile, "FROM ${BASE_IMAGE}"));
      for (const auto& [key, value] : check_image::expected_labels(stack, image))
        CHECK(has_line(dockerfile, "LABEL " + key + "=\"" + value + "\""));
      CHECK(has_line(dockerfile,
                     "LABEL io.stackctl.versions.spark=\"" + stack.versions.spark + "\""));
      CHECK(has_line(dockerfile, "LABEL org.opencontainers.image.title=\"" + image.name + "\""));
      CHECK(has_line(dockerfile, "LABEL org.opencontainers.image.version=\"" +
                                     render::image_tag(stack, image) + "\""));
      CHECK(has_line(dockerfile, "LABEL org.opencontainers.image.revision=\"" +
                                     stack.metadata.revision + "\""));
      CHECK(has_line(dockerfile, "LABEL org.opencontainers.image.created=\"${CREATED}\""));
      CHECK(has_line(dockerfile, "ARG CREATED=1970-01-01T00:00:00Z"));
      CHECK(has_line(dockerfile, "LABEL org.opencontainers.image.source=\"${SOURCE}\""));
      CHECK(last_line_starting(dockerfile, "USER ") == "USER 185");
      CHECK(r.find("images/" + image.name + "/artifacts.txt") != nullptr);
    }
  }
}

TEST_CASE("the spark-base context COPYs the distribution and every jar, and lists them") {
  for (const char* name : kShippedStacks) {
    const model::Stack stack = load_shipped(name);
    const Rendered r = render_ok(stack);
    INFO(name);
    const std::string& dockerfile = r.text("images/spark-base/Dockerfile");
    const std::string& manifest = r.text("images/spark-base/artifacts.txt");
    const std::string tgz =
        stack.artifacts.spark.url.substr(stack.artifacts.spark.url.rfind('/') + 1);
    CHECK(has_line(dockerfile, "COPY artifacts/spark/" + tgz + " /tmp/stackctl/" + tgz));
    CHECK_THAT(manifest, Contains("artifacts/spark/" + tgz + " " + stack.artifacts.spark.url +
                                  " sha512:" + stack.artifacts.spark.checksum->hex + "\n"));
    for (const auto& jar : stack.artifacts.jars) {
      const std::string file = jar.coordinate.file_name();
      CHECK(has_line(dockerfile, "COPY artifacts/jars/" + file + " /opt/spark/jars/" + file));
      const std::string checksum =
          jar.checksum
              ? std::string(model::to_string(jar.checksum->algorithm)) + ":" + jar.checksum->hex
              : "-";
      CHECK_THAT(manifest, Contains("artifacts/jars/" + file + " " + stack.artifacts.mirror + "/" +
                                    jar.coordinate.repository_path() + " " + checksum + "\n"));
    }
    // The official image's conventions.
    CHECK(has_line(dockerfile, "ENV SPARK_HOME=/opt/spark \\"));
    CHECK(has_line(dockerfile, "WORKDIR /opt/spark/work-dir"));
    CHECK_THAT(dockerfile, Contains("useradd --system --uid=185 --gid=spark"));
    CHECK_THAT(dockerfile, Contains(" tini "));
    CHECK_THAT(dockerfile, Contains("openjdk-17-jre-headless python3.11 python3.11-venv"));
    CHECK(has_line(dockerfile, "ENV PYSPARK_PYTHON=/opt/python/bin/python \\"));
    CHECK(has_line(dockerfile, "ENTRYPOINT [\"/opt/entrypoint.sh\"]"));
    const render::File* entrypoint = r.find("images/spark-base/entrypoint.sh");
    REQUIRE(entrypoint != nullptr);
    CHECK(entrypoint->executable);
    CHECK_THAT(entrypoint->data, Contains("KubernetesExecutorBackend"));
    CHECK_THAT(entrypoint->data, Contains("--deploy-mode client"));
  }
}

TEST_CASE("service images run their process in the foreground") {
  const Rendered connect = render_ok(load_shipped("spark-connect"));
  const std::string& server = connect.text("images/spark-connect/Dockerfile");
  CHECK(has_line(server, "ENV SPARK_NO_DAEMONIZE=true \\"));
  CHECK(has_line(server, "    JAVA_TOOL_OPTIONS=\"-Djava.net.preferIPv4Stack=true\""));
  CHECK(has_line(server, "EXPOSE 15002 7078 7079 4040"));
  CHECK(has_line(server, "CMD [\"/opt/spark/sbin/start-connect-server.sh\"]"));
  CHECK(connect.text("images/spark-connect/artifacts.txt").find("\nartifacts/") ==
        std::string::npos);

  const std::string& notebook = connect.text("images/notebook/Dockerfile");
  CHECK(has_line(notebook, "      'pyspark-client==4.0.1' \\"));
  CHECK(has_line(notebook, "      'jupyterlab' \\"));
  CHECK(has_line(notebook, "      'marimo' \\"));
  CHECK(has_line(notebook, "EXPOSE 2718 8888"));  // Marimo's default port, JupyterLab's

  const Rendered kyuubi = render_ok(load_shipped("kyuubi-sql"));
  const std::string& k = kyuubi.text("images/kyuubi/Dockerfile");
  CHECK(has_line(k, "CMD [\"/opt/kyuubi/bin/kyuubi\", \"run\"]"));
  CHECK(has_line(k, "EXPOSE 10009 10010 10099 10019"));
  CHECK(has_line(k, "COPY artifacts/kyuubi/kyuubi-bin.tgz /tmp/stackctl/kyuubi-bin.tgz"));
  CHECK_THAT(kyuubi.text("images/kyuubi/artifacts.txt"),
             Contains("\nartifacts/kyuubi/kyuubi-bin.tgz - -\n"));

  const Rendered custom = render_ok(load_shipped("custom-app"));
  const std::string& history = custom.text("images/history-server/Dockerfile");
  CHECK(has_line(history, "ENV SPARK_NO_DAEMONIZE=true"));
  CHECK(has_line(history, "EXPOSE 18080"));
  CHECK(has_line(history, "CMD [\"/opt/spark/sbin/start-history-server.sh\"]"));
}

TEST_CASE("recipes follow `recipe`, else the image's name, else its role") {
  const model::Stack custom = load_shipped("custom-app");
  CHECK(recipe_of(custom, *custom.find_image("spark-base")) == "spark-base");
  CHECK(recipe_of(custom, *custom.find_image("app")) == "notebook");  // runs the notebook
  CHECK(recipe_of(custom, *custom.find_image("history-server")) == "history-server");
  // tests' minimal stack: "base" is FROM an external image, "connect" runs the Connect server.
  const model::Stack minimal = load_text(test::kMinimalStack, "s.yaml");
  CHECK(recipe_of(minimal, minimal.images[0]) == "spark-base");
  CHECK(recipe_of(minimal, minimal.images[1]) == "spark-connect");
}

TEST_CASE("an unknown recipe is reported at the image's recipe key") {
  const model::Stack stack =
      load_text(test::with("    tag: \"connect-{spark}-{revision}\"\n",
                           "    tag: \"connect-{spark}-{revision}\"\n    recipe: spark-conect\n"),
                "s.yaml");
  const Rendered r = render_images(stack);
  const Diagnostic* d = test::find_code(r.diags, "E_RECIPE");
  REQUIRE(d != nullptr);
  CHECK(d->path == "images[1].recipe");
  CHECK(d->loc.line == 25);
  CHECK_THAT(d->message, Contains("\"spark-conect\", which does not exist"));
}

TEST_CASE("conda environments are rendered into the context and created with micromamba") {
  const model::Stack stack = load_shipped("custom-app");
  const Rendered r = render_ok(stack);
  CHECK(r.text("images/app/conda/app.yml") == read_source_file("stacks/envs/app.yml"));
  CHECK(r.text("images/app/conda/tools.yml") ==
        "# Conda environment \"tools\", written by stackctl from the stack's package list "
        "(python.conda).\n"
        "name: \"tools\"\nchannels:\n  - \"conda-forge\"\ndependencies:\n"
        "  - \"python=3.11\"\n  - \"pyarrow=16.1\"\n  - \"pandas=2.2\"\n  - pip\n");
  const std::string& dockerfile = r.text("images/app/Dockerfile");
  CHECK(has_line(dockerfile, "ARG MICROMAMBA_IMAGE=mambaorg/micromamba:1.5.8"));
  CHECK(has_line(dockerfile, "FROM ${MICROMAMBA_IMAGE} AS micromamba"));
  CHECK(has_line(dockerfile,
                 "    micromamba create --yes --name app --file /tmp/stackctl-conda/app.yml; \\"));
  CHECK(has_line(
      dockerfile,
      "    micromamba create --yes --name tools --file /tmp/stackctl-conda/tools.yml; \\"));
  CHECK(has_line(dockerfile, "ENV PYSPARK_PYTHON=/opt/conda/envs/app/bin/python \\"));
  // The notebook runs its driver in the pod (client mode): the full PySpark, and driver ports.
  CHECK(has_line(dockerfile, "      'pyspark[connect]==3.5.7' \\"));
  CHECK(has_line(dockerfile, "EXPOSE 8888 7078 7079 4040"));
  // No conda anywhere else: no micromamba stage to pull.
  CHECK(r.text("images/spark-base/Dockerfile").find("micromamba") == std::string::npos);
}

TEST_CASE("a conda file the request does not carry is an error naming it") {
  const model::Stack stack = load_shipped("custom-app");
  const Rendered r =
      render_images(stack, render::Templates::builtin(), std::map<std::string, std::string>{});
  const Diagnostic* d = test::find_code(r.diags, "E_FILE");
  REQUIRE(d != nullptr);
  CHECK(d->path == "python.conda[0].file");
  CHECK_THAT(d->message, Contains("envs/app.yml"));
}

TEST_CASE("a child image installs only the runtimes its parent lacks") {
  const model::Stack same = load_text(test::kMinimalStack, "s.yaml");
  const Rendered r1 = render_ok(same);
  CHECK(r1.text("images/connect/Dockerfile").find("apt-get") == std::string::npos);

  const model::Stack java21 =
      load_text(test::with("    tag: \"connect-{spark}-{revision}\"\n",
                           "    tag: \"connect-{spark}-{revision}\"\n    javaVersion: \"21\"\n"
                           "    python: true\n    pythonVersion: \"3.12\"\n"),
                "s.yaml");
  const Rendered r2 = render_ok(java21);
  const std::string& dockerfile = r2.text("images/connect/Dockerfile");
  CHECK(has_line(dockerfile, "USER root"));
  CHECK_THAT(dockerfile, Contains("apt-get install -y --no-install-recommends "
                                  "openjdk-21-jre-headless python3.12 python3.12-venv;"));
  CHECK_THAT(dockerfile, Contains("/usr/lib/jvm/java-21-openjdk-"));
  CHECK(has_line(dockerfile, "LABEL io.stackctl.versions.java=\"21\""));
  CHECK(has_line(dockerfile, "LABEL io.stackctl.versions.python=\"3.12\""));
  CHECK(last_line_starting(dockerfile, "USER ") == "USER 185");
}

TEST_CASE("rendering is deterministic and label values are escaped for the Dockerfile") {
  const model::Stack stack = load_text(
      test::with("  revision: r1\n", "  revision: r1\n  description: \"a \\\"$HOME\\\" \\\\ b\"\n"),
      "s.yaml");
  const Rendered a = render_ok(stack);
  const Rendered b = render_ok(stack);
  REQUIRE(a.files.size() == b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    CHECK(a.files[i].path == b.files[i].path);
    CHECK(a.files[i].data == b.files[i].data);
  }
  CHECK(has_line(a.text("images/base/Dockerfile"),
                 "LABEL org.opencontainers.image.description=\"a \\\"\\$HOME\\\" \\\\ b\""));
}

TEST_CASE("a user's template replaces the built-in one") {
  const model::Stack stack = load_shipped("spark-connect");
  render::Templates templates = render::Templates::builtin();
  templates.override_with(
      {{"images/spark-connect/Dockerfile.mustache", "FROM {{{from}}}\nUSER 185\n"},
       {"images/spark-connect/extra.conf.mustache", "port={{{connect_port}}}\n"}});
  const Rendered r = render_images(stack, templates);
  INFO(test::dump(r.diags));
  REQUIRE_FALSE(r.diags.has_errors());
  CHECK(r.text("images/spark-connect/Dockerfile") ==
        "FROM registry.example.com/data-platform/spark-base:spark-4.0.1-uc-0.3.1-fix-v4\n"
        "USER 185\n");
  CHECK(r.text("images/spark-connect/extra.conf") == "port=15002\n");
  // Other recipes keep the built-in templates.
  CHECK_THAT(r.text("images/notebook/Dockerfile"), Contains("pyspark-client==4.0.1"));
}

TEST_CASE("a template that uses a key the view lacks is E_TEMPLATE naming the key") {
  const model::Stack stack = load_shipped("spark-connect");
  render::Templates templates = render::Templates::builtin();
  templates.override_with(
      {{"images/notebook/Dockerfile.mustache", "FROM {{{from}}}\n{{kernel}}\n"}});
  const Rendered r = render_images(stack, templates);
  const Diagnostic* d = test::find_code(r.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK(d->loc.file == "images/notebook/Dockerfile.mustache");
  CHECK_THAT(d->message, Contains("{{kernel}}"));
}

TEST_CASE("a missing shared partial is E_TEMPLATE") {
  const model::Stack stack = load_shipped("spark-connect");
  render::Templates templates = render::Templates::builtin();
  templates.override_with(
      {{"images/_partials/labels.mustache", "{{#labels}}{{nokey}}{{/labels}}"}});
  const Rendered r = render_images(stack, templates);
  const Diagnostic* d = test::find_code(r.diags, "E_TEMPLATE");
  REQUIRE(d != nullptr);
  CHECK_THAT(d->message, Contains("{{nokey}}"));
}

// Golden: the whole Connect server Dockerfile of the shipped spark-connect stack.
TEST_CASE("golden: spark-connect's Connect server Dockerfile") {
  const Rendered r = render_ok(load_shipped("spark-connect"));
  CHECK(r.text("images/spark-connect/Dockerfile") ==
        R"(# Image "spark-connect" of stack "spark-connect", rendered by stackctl from
# images/spark-connect/Dockerfile.mustache (docs/images.md). Change the stack or override the
# template instead of editing this file.
# Reference: registry.example.com/data-platform/spark-connect:spark-4.0.1-uc-0.3.1-fix-v4
#
# The Spark Connect server (gRPC 15002) in the foreground: SPARK_NO_DAEMONIZE keeps
# start-connect-server.sh from backgrounding the JVM (a daemonized server exits 0 and the pod
# crash-loops), and IPv4 is preferred so the server does not bind to an IPv6 wildcard only.
# FROM: the stack's `from`; `stackctl build` passes the exact reference it resolved.
ARG BASE_IMAGE=registry.example.com/data-platform/spark-base:spark-4.0.1-uc-0.3.1-fix-v4

FROM ${BASE_IMAGE}
# Labels: OCI annotations and the stack's versions (`stackctl check --image` reads them back).
# CREATED is not a clock: the builder passes a deterministic time (docs/images.md); the default is
# the Unix epoch so a plain build is reproducible too.
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE="spark-connect.stack.yaml"
LABEL io.stackctl.image="spark-connect"
LABEL io.stackctl.stack="spark-connect"
LABEL io.stackctl.versions.aws-sdk="2.24.6"
LABEL io.stackctl.versions.hadoop="3.4.1"
LABEL io.stackctl.versions.java="17"
LABEL io.stackctl.versions.pyspark="4.0.1"
LABEL io.stackctl.versions.python="3.11"
LABEL io.stackctl.versions.scala="2.13"
LABEL io.stackctl.versions.spark="4.0.1"
LABEL org.opencontainers.image.description="Spark Connect server with JupyterHub and Marimo thin clients"
LABEL org.opencontainers.image.revision="fix-v4"
LABEL org.opencontainers.image.title="spark-connect"
LABEL org.opencontainers.image.version="spark-4.0.1-uc-0.3.1-fix-v4"
LABEL org.opencontainers.image.created="${CREATED}"
LABEL org.opencontainers.image.source="${SOURCE}"

ENV PYSPARK_PYTHON=/opt/python/bin/python \
    PYSPARK_DRIVER_PYTHON=/opt/python/bin/python

ENV SPARK_NO_DAEMONIZE=true \
    JAVA_TOOL_OPTIONS="-Djava.net.preferIPv4Stack=true"
# Spark Connect (gRPC), driver RPC, block manager, web UI.
EXPOSE 15002 7078 7079 4040
WORKDIR /opt/spark/work-dir
USER 185
CMD ["/opt/spark/sbin/start-connect-server.sh"]
)");
}

TEST_CASE("the offline quickstart renders all five recipes, Kyuubi's distribution from the stack") {
  const model::Stack stack =
      load_text(read_source_file("examples/quickstart/quickstart.stack.yaml"),
                "examples/quickstart/quickstart.stack.yaml");
  const Rendered r = render_ok(stack);
  for (const char* image : {"spark-base", "spark-connect", "notebook", "kyuubi", "history-server"})
    CHECK(recipe_of(stack, *stack.find_image(image)) == image);
  CHECK(has_line(r.text("images/spark-base/Dockerfile"),
                 "ARG BASE_IMAGE=localhost/stackctl-base:bookworm"));
  const std::string tgz = "apache-kyuubi-standin-bin.tgz";
  CHECK(has_line(r.text("images/kyuubi/Dockerfile"),
                 "COPY artifacts/kyuubi/" + tgz + " /tmp/stackctl/" + tgz));
  CHECK_THAT(
      r.text("images/kyuubi/artifacts.txt"),
      Contains("\nartifacts/kyuubi/" + tgz + " http://127.0.0.1:38517/kyuubi/" + tgz + " -\n"));
  CHECK(has_line(r.text("images/notebook/Dockerfile"), "EXPOSE 2718 8888"));
}
