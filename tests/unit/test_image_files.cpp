// images[].files: the loader's checks with their messages and positions, the build context and
// the COPY lines render makes, the inputs digest, and the CLI's confined read of the files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "cli/render_inputs.hpp"
#include "core/plans/build_plan.hpp"
#include "core/render/images.hpp"
#include "core/render/manifests.hpp"
#include "core/render/parts.hpp"
#include "core/stack/loader.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using stackctl::test::with;

namespace {

namespace stdfs = std::filesystem;

// kMinimalStack with `files` on the base image (line 22 is `    files:`, 23 the first entry).
std::string with_files(const std::string& entries) {
  return with("    python: true\n", "    python: true\n    files:\n" + entries);
}

std::optional<model::Stack> load(const std::string& text, Diagnostics& d) {
  return load_stack(text, {"s.yaml", "", &catalog::builtin_catalog()}, d);
}

model::Stack load_ok(const std::string& text) {
  Diagnostics d;
  auto s = load(text, d);
  INFO(test::dump(d));
  REQUIRE(s);
  REQUIRE_FALSE(d.has_errors());
  return *s;
}

// The one error the stack gives, formatted as validate prints it.
std::string only_error(const std::string& text) {
  Diagnostics d;
  (void)load(text, d);
  INFO(test::dump(d));
  REQUIRE(d.error_count() == 1);
  for (const auto& item : d.items())
    if (item.severity == Severity::error) return format_diagnostic(item);
  return "";
}

std::string to_error(const std::string& to) {
  return only_error(with_files("      - {from: apps/job.py, to: \"" + to + "\"}\n"));
}

std::string from_error(const std::string& from) {
  return only_error(with_files("      - {from: \"" + from + "\", to: /opt/app/job.py}\n"));
}

const char* const kToHint =
    "\n  hint: name the file's absolute path in the image, in a folder of the application's own, "
    "e.g. /opt/app/job.py (docs/stack-file.md, \"images\")";

render::detail::Output render_contexts(const model::Stack& stack,
                                       const render::Templates& templates,
                                       std::map<std::string, std::string> files) {
  render::Request request;
  request.base = &stack;
  request.catalog = &catalog::builtin_catalog();
  request.templates = &templates;
  request.stack_files = std::move(files);
  render::detail::Output out;
  render::detail::render_images(request, out);
  return out;
}

const render::File* find(const render::detail::Output& out, const std::string& path) {
  for (const auto& f : out.files)
    if (f.path == path) return &f;
  return nullptr;
}

struct TempDir {
  stdfs::path path;
  TempDir() {
    std::random_device rd;
    path = stdfs::temp_directory_path() / ("stackctl-image-files-" + std::to_string(rd()));
    stdfs::create_directories(path / "apps");
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& data) const {
    std::ofstream(path / rel, std::ios::binary) << data;
  }
};

}  // namespace

TEST_CASE("image files: from and to are read in order") {
  const auto stack =
      load_ok(with_files("      - {from: apps/job.py, to: /opt/app/job.py}\n"
                         "      - {from: apps/job.py, to: /opt/app/copy/job.py}\n"
                         "      - {from: \"lib/util-1.0+x@y=z,w.zip\", to: /opt/app/lib.zip}\n"));
  const auto& files = stack.images[0].files;
  REQUIRE(files.size() == 3);
  CHECK(files[0].from == "apps/job.py");
  CHECK(files[0].to == "/opt/app/job.py");
  CHECK(files[1].to == "/opt/app/copy/job.py");
  CHECK(files[2].from == "lib/util-1.0+x@y=z,w.zip");
  CHECK(stack.images[1].files.empty());
}

TEST_CASE("image files: a source outside the stack's folder is E_PATH, like every file reference") {
  const std::string hint =
      "\n  hint: name a file inside the stack's folder, relative to it (e.g. envs/app.yml); copy a "
      "file from elsewhere into that folder";
  CHECK(from_error("/etc/passwd") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"/etc/passwd\" is absolute "
        "[E_PATH]" +
            hint);
  CHECK(from_error("../secrets.txt") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"../secrets.txt\" goes up a "
        "folder (\"..\") [E_PATH]" +
            hint);
  CHECK(from_error("~/.ssh/id_rsa") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"~/.ssh/id_rsa\" is absolute "
        "[E_PATH]" +
            hint);
  CHECK(from_error("apps//job.py") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"apps//job.py\" has an empty or "
        "\".\" part [E_PATH]" +
            hint);
}

TEST_CASE("image files: a source COPY would read as a pattern or a variable is E_IMAGE_PATH") {
  const std::string hint =
      "\n  hint: rename the file to letters, digits and . _ - + @ = , (folders with /)";
  CHECK(from_error("apps/*.py") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"apps/*.py\" holds '*', which a "
        "Dockerfile COPY cannot take as it is [E_IMAGE_PATH]" +
            hint);
  CHECK(from_error("apps/$HOME.py") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"apps/$HOME.py\" holds '$', "
        "which a Dockerfile COPY cannot take as it is [E_IMAGE_PATH]" +
            hint);
  CHECK(from_error("apps/my job.py") ==
        "s.yaml:23:16: error: images[0].files[0].from: the file \"apps/my job.py\" holds a "
        "space, which a Dockerfile COPY cannot take as it is [E_IMAGE_PATH]" +
            hint);
}

TEST_CASE("image files: a destination must be an absolute, plain file path the pods will see") {
  const std::string at = "s.yaml:23:33: error: images[0].files[0].to: the destination ";
  CHECK(to_error("opt/app/job.py") ==
        at + "\"opt/app/job.py\" is not absolute [E_IMAGE_PATH]" + kToHint);
  // An empty string is the reader's: a required key may not be empty.
  CHECK(to_error("") ==
        "s.yaml:23:33: error: images[0].files[0].to: \"to\" must not be empty [E_REQUIRED]");
  CHECK(to_error("/") == at + "\"/\" is the image's root folder [E_IMAGE_PATH]" + kToHint);
  CHECK(to_error("/opt/app/") ==
        at + "\"/opt/app/\" ends with '/' (a folder); name the file itself [E_IMAGE_PATH]" +
            kToHint);
  CHECK(to_error("/opt/app/../spark/bin/spark-submit") ==
        at + "\"/opt/app/../spark/bin/spark-submit\" goes up a folder (\"..\") [E_IMAGE_PATH]" +
            kToHint);
  CHECK(to_error("/opt//app.py") ==
        at + "\"/opt//app.py\" has an empty or \".\" part [E_IMAGE_PATH]" + kToHint);
  CHECK(to_error("/opt/./app.py") ==
        at + "\"/opt/./app.py\" has an empty or \".\" part [E_IMAGE_PATH]" + kToHint);
  CHECK(to_error("/opt/app/${X}.py") ==
        at +
            "\"/opt/app/${X}.py\" holds '$', which a Dockerfile COPY cannot take as it is "
            "[E_IMAGE_PATH]" +
            kToHint);
}

TEST_CASE("image files: folders mounted over at run time and paths the image needs are refused") {
  const std::string at = "s.yaml:23:33: error: images[0].files[0].to: the destination ";
  CHECK(to_error("/proc/self/environ") ==
        at +
            "\"/proc/self/environ\" is under /proc, which is mounted over when the pod runs: the "
            "file would not be seen [E_IMAGE_PATH]" +
            kToHint);
  CHECK(to_error("/opt/spark/conf/spark-defaults.conf") ==
        at +
            "\"/opt/spark/conf/spark-defaults.conf\" is under /opt/spark/conf, which is mounted "
            "over when the pod runs: the file would not be seen [E_IMAGE_PATH]" +
            kToHint);
  // The folders stackctl's own pods mount spark-defaults at.
  for (const auto dir :
       {render::detail::k8s::kSparkConfDir, render::detail::k8s::kSparkConfBaseDir}) {
    const std::string to = std::string(dir) + "/x.conf";
    CHECK_THAT(to_error(to), Catch::Matchers::Contains("is under " + std::string(dir) +
                                                       ", which "
                                                       "is mounted"));
  }
  CHECK(to_error("/opt/spark/jars") ==
        at + "\"/opt/spark/jars\" is a path the image needs (/opt/spark/jars) [E_IMAGE_PATH]" +
            kToHint);
  CHECK(to_error("/opt/entrypoint.sh") ==
        at +
            "\"/opt/entrypoint.sh\" is a path the image needs (/opt/entrypoint.sh) "
            "[E_IMAGE_PATH]" +
            kToHint);
  // Inside those folders is the user's business: a jar of their own, a file under /opt.
  load_ok(
      with_files("      - {from: apps/extra.jar, to: /opt/spark/jars/extra.jar}\n"
                 "      - {from: apps/job.py, to: /opt/job.py}\n"));
}

TEST_CASE("image files: two files to one destination, unknown keys and missing keys") {
  CHECK(
      only_error(with_files("      - {from: apps/a.py, to: /opt/app/job.py}\n"
                            "      - {from: apps/b.py, to: /opt/app/job.py}\n")) ==
      "s.yaml:24:31: error: images[0].files[1].to: duplicate file destination \"/opt/app/job.py\" "
      "[E_DUPLICATE_NAME]\n  hint: rename or remove one of them: each file destination must be "
      "unique");
  Diagnostics d;
  (void)load(with_files("      - {from: apps/a.py, dest: /opt/app/job.py}\n"), d);
  REQUIRE(test::find_code(d, "E_UNKNOWN_KEY") != nullptr);
  CHECK(test::find_code(d, "E_UNKNOWN_KEY")->message == "unknown key \"dest\"");
  REQUIRE(test::find_code(d, "E_REQUIRED") != nullptr);
  CHECK(test::find_code(d, "E_REQUIRED")->path == "images[0].files[0].to");
}

TEST_CASE("image files: the context holds each file once and the Dockerfile COPYs it") {
  const auto stack =
      load_ok(with_files("      - {from: apps/job.py, to: /opt/app/job.py}\n"
                         "      - {from: apps/job.py, to: /opt/app/again.py}\n"));
  const auto out = render_contexts(stack, render::Templates::builtin(),
                                   {{"apps/job.py", std::string("print(1)\n\0x", 11)}});
  INFO(test::dump(out.diags));
  REQUIRE_FALSE(out.diags.has_errors());
  const render::File* file = find(out, "images/base/files/apps/job.py");
  REQUIRE(file != nullptr);
  CHECK(file->data == std::string("print(1)\n\0x", 11));  // bytes as they are
  CHECK_FALSE(file->executable);
  std::size_t copies = 0;
  for (const auto& f : out.files) copies += f.path.find("/files/") != std::string::npos;
  CHECK(copies == 1);
  const std::string& dockerfile = find(out, "images/base/Dockerfile")->data;
  CHECK_THAT(dockerfile,
             Catch::Matchers::Contains(
                 "# The stack's own files (images[].files), owned by the spark user like "
                 "/opt/spark.\n"
                 "COPY --chown=185:185 [\"files/apps/job.py\", \"/opt/app/job.py\"]\n"
                 "COPY --chown=185:185 [\"files/apps/job.py\", \"/opt/app/again.py\"]\n"
                 "\nWORKDIR /opt/spark/work-dir\nUSER 185\n"));
  // The image without files has neither the comment nor a COPY of them.
  const std::string& connect = find(out, "images/connect/Dockerfile")->data;
  CHECK(connect.find("images[].files") == std::string::npos);
  CHECK(connect.find("files/") == std::string::npos);
}

TEST_CASE("image files: a file the request lacks, and a recipe that does not copy, are errors") {
  const auto stack = load_ok(with_files("      - {from: apps/job.py, to: /opt/app/job.py}\n"));
  const auto missing = render_contexts(stack, render::Templates::builtin(), {});
  const Diagnostic* d = test::find_code(missing.diags, "E_FILE");
  REQUIRE(d != nullptr);
  CHECK(d->path == "images[0].files[0].from");
  CHECK(d->message == "the file apps/job.py was not read");

  render::Templates templates = render::Templates::builtin();
  templates.override_with(
      {{"images/spark-base/Dockerfile.mustache", "FROM {{{from}}}\nUSER 185\n"}});
  const auto uncopied = render_contexts(stack, templates, {{"apps/job.py", "x"}});
  const Diagnostic* t = test::find_code(uncopied.diags, "E_TEMPLATE");
  REQUIRE(t != nullptr);
  CHECK(t->path == "images[0].files[0]");
  CHECK(t->loc.line == 23);
  CHECK(t->message ==
        "the Dockerfile of image \"base\" (images/spark-base/Dockerfile.mustache) does not COPY "
        "[\"files/apps/job.py\", \"/opt/app/job.py\"]");
}

TEST_CASE("image files: a changed byte changes the image's inputs digest and {inputs} tag") {
  const auto stack =
      load_ok(with("spark-{spark}-{revision}", "base-{inputs}",
                   with_files("      - {from: apps/job.py, to: /opt/app/job.py}\n")));
  const lock::Lock lock = lock::from_stack(stack, nullptr);
  const render::Templates templates = render::Templates::builtin();
  auto plan_with = [&](const std::string& bytes) {
    render::Request request;
    request.base = &stack;
    request.catalog = &catalog::builtin_catalog();
    request.templates = &templates;
    request.stack_files = {{"apps/job.py", bytes}};
    auto plans = plan::plan_images(request, lock, false);
    INFO((plans ? "" : test::dump(plans.error())));
    REQUIRE(plans);
    return *plans;
  };
  const auto one = plan_with("print('pi')\n");
  const auto same = plan_with("print('pi')\n");
  const auto two = plan_with("print('pj')\n");
  CHECK(one[0].inputs_digest == same[0].inputs_digest);
  CHECK(one[0].inputs_digest != two[0].inputs_digest);
  CHECK(one[0].tag != two[0].tag);
  CHECK(one[0].tag == "base-" + one[0].inputs_digest.substr(7, 12));
  // The child is built FROM the changed image, so it changes too.
  CHECK(one[1].inputs_digest != two[1].inputs_digest);
}

TEST_CASE("image files: the CLI reads them inside the stack's folder only, regular and capped") {
  TempDir dir;
  dir.write("apps/job.py", "print(1)\n");
  auto read = [&](const std::string& from) {
    const auto stack = load_ok(with_files("      - {from: " + from + ", to: /opt/app/job.py}\n"));
    return cli::read_stack_files(dir.path, {&stack});
  };
  const auto ok = read("apps/job.py");
  REQUIRE(ok);
  CHECK(ok->at("apps/job.py") == "print(1)\n");

  stdfs::create_symlink("/etc/passwd", dir.path / "apps/leak.py");
  const auto leak = read("apps/leak.py");
  REQUIRE_FALSE(leak);
  CHECK(leak.error().items()[0].path == "images[0].files[0].from");
  CHECK(leak.error().items()[0].loc.line == 23);
  CHECK(leak.error().items()[0].message ==
        "cannot read " + (dir.path / "apps/leak.py").string() +
            ": it leads outside the stack's folder, to /etc/passwd");

  const auto folder = read("apps");
  REQUIRE_FALSE(folder);
  CHECK(folder.error().items()[0].message ==
        "cannot read " + (dir.path / "apps").string() + ": it is a directory");

  dir.write("apps/big.bin", std::string(cli::kMaxReferencedFile + 1, 'x'));
  const auto big = read("apps/big.bin");
  REQUIRE_FALSE(big);
  CHECK_THAT(big.error().items()[0].message,
             Catch::Matchers::Contains("apps/big.bin") && Catch::Matchers::Contains("larger than"));

  const auto absent = read("apps/none.py");
  REQUIRE_FALSE(absent);
  CHECK_THAT(absent.error().items()[0].message, Catch::Matchers::Contains("apps/none.py"));
}
