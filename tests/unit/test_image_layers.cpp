// check --image's look into image layers: the tar header reader (hand-built ustar, GNU long
// names, pax paths), the OCI layer merge (whiteouts, opaque directories, symlinks), SC030's
// messages, and the streamed, hashed, gunzipped read of layers from the registry fake.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "adapters/layer_files.hpp"
#include "cli/check_image_cmd.hpp"
#include "cli/exit_codes.hpp"
#include "core/knowledge/check_app_files.hpp"
#include "core/layers/image_files.hpp"
#include "core/layers/tar.hpp"
#include "core/stack/loader.hpp"
#include "registry_fake.hpp"
#include "stack_text.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using image_files::State;
using testing::FakeRegistry;

namespace {

// A tar archive written by hand, header field by header field (tar.hpp has the layout).
class TarWriter {
 public:
  void file(const std::string& name, const std::string& data) { entry(name, '0', data); }
  void dir(const std::string& name) { entry(name, '5', ""); }
  void symlink(const std::string& name, const std::string& target) { entry(name, '2', "", target); }
  void hardlink(const std::string& name, const std::string& target) {
    entry(name, '1', "", target);
  }
  // GNU: a '././@LongLink' entry of type L carries the name; the header keeps 99 bytes of it.
  void gnu_long_file(const std::string& name, const std::string& data) {
    entry("././@LongLink", 'L', name + '\0', "", kGnuMagic);
    entry(name.substr(0, 99), '0', data, "", kGnuMagic);
  }
  // POSIX ustar: the name split into prefix (155) and name (100).
  void ustar_prefixed(const std::string& prefix, const std::string& name, const std::string& data) {
    entry(name, '0', data, "", kUstarMagic, prefix);
  }
  // pax: an 'x' entry whose `path` (and `linkpath`) records win over the header's fields.
  void pax_entry(const std::string& path, char type, const std::string& data,
                 const std::string& linkpath = "") {
    std::string records = record("path", path);
    if (!linkpath.empty()) records += record("linkpath", linkpath);
    entry("PaxHeaders/x", 'x', records);
    entry("short-name-ignored", type, data, linkpath.empty() ? "" : "ignored");
  }
  std::string finish() { return out_ + std::string(1024, '\0'); }
  std::string raw() const { return out_; }

 private:
  static constexpr std::string_view kUstarMagic{
      "ustar\0"
      "00",
      8};
  static constexpr std::string_view kGnuMagic{"ustar  \0", 8};

  static std::string record(const std::string& key, const std::string& value) {
    const std::string body = " " + key + "=" + value + "\n";
    std::size_t len = body.size() + 1;
    while (std::to_string(len).size() + body.size() != len) ++len;
    return std::to_string(len) + body;
  }
  static void octal(std::string& block, std::size_t at, std::size_t width, std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llo", static_cast<int>(width - 1),
                  static_cast<unsigned long long>(v));
    block.replace(at, width - 1, buf, width - 1);
  }
  void entry(const std::string& name, char type, const std::string& data,
             const std::string& link = "", std::string_view magic = kUstarMagic,
             const std::string& prefix = "") {
    std::string b(512, '\0');
    b.replace(0, std::min<std::size_t>(name.size(), 100), name.substr(0, 100));
    octal(b, 100, 8, 0644);
    octal(b, 108, 8, 0);
    octal(b, 116, 8, 0);
    octal(b, 124, 12, data.size());
    octal(b, 136, 12, 0);
    b[156] = type;
    b.replace(157, std::min<std::size_t>(link.size(), 100), link.substr(0, 100));
    b.replace(257, 8, magic);
    b.replace(345, std::min<std::size_t>(prefix.size(), 155), prefix.substr(0, 155));
    b.replace(148, 8, 8, ' ');
    unsigned sum = 0;
    for (const char c : b) sum += static_cast<unsigned char>(c);
    char chk[8];
    std::snprintf(chk, sizeof chk, "%06o", sum);
    b.replace(148, 7, chk, 7);  // six digits, NUL, and the space left in place
    out_ += b + data + std::string((512 - data.size() % 512) % 512, '\0');
  }
  std::string out_;
};

std::vector<tar::Entry> entries(const std::string& archive, std::size_t chunk = 1 << 20) {
  tar::Reader reader;
  std::vector<tar::Entry> out;
  for (std::size_t i = 0; i < archive.size(); i += chunk) {
    auto state = reader.feed(std::string_view(archive).substr(i, chunk), [&](const tar::Entry& e) {
      out.push_back(e);
      return true;
    });
    REQUIRE(state.has_value());
  }
  REQUIRE(reader.finish().has_value());
  return out;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

tar::Entry e(const std::string& path, tar::Type type = tar::Type::file,
             const std::string& link = "") {
  return {path, type, link, 0};
}

// Layers given top-most first, as they are read; each a list of entries.
std::map<std::string, image_files::Outcome> merge(
    const std::vector<std::vector<tar::Entry>>& top_down, const std::vector<std::string>& paths,
    std::size_t read = 99) {
  const int n = static_cast<int>(top_down.size());
  image_files::Merge m(paths, n);
  for (int i = 0; i < n && static_cast<std::size_t>(i) < read; ++i) {
    m.begin_layer(n - 1 - i);
    for (const auto& x : top_down[static_cast<std::size_t>(i)]) REQUIRE(m.add(x));
    m.end_layer();
  }
  return m.outcomes();
}

}  // namespace

TEST_CASE("tar: ustar entries, read whole and one byte at a time", "[layers]") {
  TarWriter w;
  w.dir("./opt/");
  w.file("./opt/app/job.py", std::string(700, 'x'));  // two data blocks
  w.symlink("opt/spark", "spark-4.0.1");
  w.hardlink("opt/job-copy.py", "opt/app/job.py");
  w.ustar_prefixed("opt/a-prefix-directory", "file.txt", "hi");
  const std::string archive = w.finish();
  for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{1}, std::size_t{511}}) {
    INFO(chunk);
    const auto got = entries(archive, chunk);
    REQUIRE(got.size() == 5);
    CHECK(got[0].path == "/opt");
    CHECK(got[0].type == tar::Type::directory);
    CHECK(got[1].path == "/opt/app/job.py");
    CHECK(got[1].size == 700);
    CHECK(got[2].type == tar::Type::symlink);
    CHECK(got[2].link == "spark-4.0.1");
    CHECK(got[3].type == tar::Type::hardlink);
    CHECK(got[4].path == "/opt/a-prefix-directory/file.txt");
  }
}

TEST_CASE("tar: GNU long names and pax paths win over the header's name", "[layers]") {
  const std::string deep = "opt/" + std::string(120, 'd') + "/" + std::string(80, 'f') + ".py";
  TarWriter w;
  w.gnu_long_file(deep, "print(1)");
  w.pax_entry("opt/" + std::string(150, 'p') + "/main.py", '0', "data");
  w.pax_entry("opt/link", '2', "", "/opt/" + std::string(130, 't'));
  w.file("after.txt", "");  // the pax records applied to one entry only
  const auto got = entries(w.finish(), 97);
  REQUIRE(got.size() == 4);
  CHECK(got[0].path == "/" + deep);
  CHECK(got[0].size == 8);
  CHECK(got[1].path == "/opt/" + std::string(150, 'p') + "/main.py");
  CHECK(got[2].type == tar::Type::symlink);
  CHECK(got[2].link == "/opt/" + std::string(130, 't'));
  CHECK(got[3].path == "/after.txt");
}

TEST_CASE("tar: a bad checksum and a truncated archive are errors with the byte offset",
          "[layers]") {
  TarWriter w;
  w.file("a.txt", "hello");
  w.file("b.txt", "world");
  std::string archive = w.finish();
  std::string bad = archive;
  bad[1024 + 10] = 'X';  // inside b.txt's header name
  tar::Reader r1;
  auto got = r1.feed(bad, [](const tar::Entry&) { return true; });
  REQUIRE_FALSE(got.has_value());
  CHECK(got.error() == "tar header at byte 1024: checksum does not match");

  tar::Reader r2;
  REQUIRE(
      r2.feed(std::string_view(archive).substr(0, 700), [](const tar::Entry&) { return true; }));
  REQUIRE_FALSE(r2.finish().has_value());
  CHECK(r2.finish().error() == "the archive is truncated at byte 700 (inside an entry)");

  tar::Reader r3;
  auto not_tar = r3.feed(std::string(512, 'z'), [](const tar::Entry&) { return true; });
  REQUIRE_FALSE(not_tar.has_value());
  CHECK(not_tar.error() == "tar header at byte 0: checksum is a number field that is not octal");
}

TEST_CASE("tar: normalise", "[layers]") {
  CHECK(tar::normalise("./opt//spark/") == "/opt/spark");
  CHECK(tar::normalise(".") == "/");
  CHECK(tar::normalise("") == "/");
  CHECK(tar::normalise("/a/./b") == "/a/b");
}

TEST_CASE("layers: the top-most layer that mentions a path decides it", "[layers]") {
  using T = tar::Type;
  const std::vector<std::vector<tar::Entry>> layers = {
      // top
      {e("/opt", T::directory), e("/opt/app", T::directory), e("/opt/app/.wh.old.py"),
       e("/opt/app/new.py"), e("/etc/.wh.gone"), e("/etc/.wh.same.txt"), e("/etc/same.txt")},
      // middle
      {e("/etc/.wh..wh..opq"), e("/etc", T::directory), e("/etc/kept.conf"), e("/srv/.wh.data")},
      // bottom
      {e("/opt", T::directory), e("/opt/app", T::directory), e("/opt/app/old.py"),
       e("/etc", T::directory), e("/etc/gone"), e("/etc/base.conf"), e("/etc/same.txt"),
       e("/srv", T::directory), e("/srv/data", T::directory), e("/srv/data/x.csv")},
  };
  const auto got =
      merge(layers, {"/opt/app/new.py", "/opt/app/old.py", "/etc/kept.conf", "/etc/base.conf",
                     "/etc/same.txt", "/srv/data/x.csv", "/opt/app", "/nowhere/x.py"});
  CHECK(got.at("/opt/app/new.py").state == State::found);
  CHECK(got.at("/opt/app/new.py").layer == 2);
  CHECK(got.at("/opt/app/old.py").state == State::missing);
  CHECK(got.at("/opt/app/old.py").why ==
        "/opt/app/old.py is deleted in layer 3 (whiteout /opt/app/.wh.old.py)");
  CHECK(got.at("/etc/kept.conf").state == State::found);  // same layer as the opaque whiteout
  CHECK(got.at("/etc/base.conf").state == State::missing);
  CHECK(got.at("/etc/base.conf").why ==
        "/etc/base.conf is hidden in layer 2 by the opaque whiteout /etc/.wh..wh..opq");
  // A whiteout hides only lower layers: the same layer's own entry stays.
  CHECK(got.at("/etc/same.txt").state == State::found);
  CHECK(got.at("/etc/same.txt").layer == 2);
  CHECK(got.at("/srv/data/x.csv").why ==
        "/srv/data is deleted in layer 2 (whiteout /srv/.wh.data)");
  CHECK(got.at("/opt/app").state == State::directory);
  CHECK(got.at("/nowhere/x.py").why == "/nowhere is in no layer of the image");
}

TEST_CASE("layers: symlinks are followed inside the image", "[layers]") {
  using T = tar::Type;
  const std::vector<std::vector<tar::Entry>> layers = {
      {e("/opt/spark", T::symlink, "spark-4.0.1"), e("/app", T::symlink, "/srv/./app/"),
       e("/loop", T::symlink, "loop"), e("/opt/up", T::symlink, "../../../etc")},
      {e("/opt", T::directory), e("/opt/spark-4.0.1", T::directory),
       e("/opt/spark-4.0.1/examples", T::directory), e("/opt/spark-4.0.1/examples/pi.py"),
       e("/srv", T::directory), e("/srv/app", T::directory), e("/srv/app/job.py"),
       e("/srv/app/link.py", T::symlink, "../app/job.py"), e("/etc", T::directory),
       e("/etc/os-release"), e("/srv/file"), e("/srv/hard", T::hardlink, "srv/file")},
  };
  const auto got =
      merge(layers, {"/opt/spark/examples/pi.py", "/app/link.py", "/loop/x", "/opt/up/os-release",
                     "/srv/file/x", "/srv/hard", "/opt/spark/examples/nope.py"});
  const auto& pi = got.at("/opt/spark/examples/pi.py");
  CHECK(pi.state == State::found);
  CHECK(pi.resolved == "/opt/spark-4.0.1/examples/pi.py");
  CHECK(pi.links == std::vector<std::string>{"/opt/spark -> spark-4.0.1"});
  CHECK(got.at("/app/link.py").resolved == "/srv/app/job.py");
  CHECK(got.at("/app/link.py").links.size() == 2);
  CHECK(got.at("/loop/x").why == "more than 40 symlinks are followed from /loop/x (a loop?)");
  CHECK(got.at("/opt/up/os-release").resolved == "/etc/os-release");  // ".." of "/" is "/"
  CHECK(got.at("/srv/file/x").why == "/srv/file is a file, not a directory (layer 1)");
  CHECK(got.at("/srv/hard").state == State::found);
  CHECK(got.at("/opt/spark/examples/nope.py").why ==
        "/opt/spark-4.0.1/examples/nope.py is in no layer of the image");
}

TEST_CASE("layers: undecided until a layer decides, and a replaced directory hides its past",
          "[layers]") {
  using T = tar::Type;
  const std::vector<std::vector<tar::Entry>> layers = {
      {e("/a", T::directory), e("/b.txt")},
      {e("/a")},  // /a became a file: everything under the old directory is gone
      {e("/a", T::directory), e("/a/c.txt")},
  };
  auto one = merge(layers, {"/b.txt", "/a/c.txt"}, 1);
  CHECK(one.at("/b.txt").state == State::found);
  CHECK(one.at("/a/c.txt").state == State::pending);
  auto all = merge(layers, {"/a/c.txt"});
  CHECK(all.at("/a/c.txt").why == "/a/c.txt is gone in layer 2, where /a is not a directory");
  // Parents a layer holds no entry for: a lower layer decides them, else they are directories.
  const std::vector<std::vector<tar::Entry>> implied = {
      {e("/srv/new/job.py"), e("/opt/app/x.py")},
      {e("/srv", T::directory), e("/.wh.opt")},
      {e("/opt", T::directory), e("/opt/app")},
  };
  auto parents = merge(implied, {"/srv/new/job.py", "/opt/app/x.py"});
  CHECK(parents.at("/srv/new/job.py").state == State::found);
  CHECK(parents.at("/opt/app/x.py").state == State::found);  // recreated over the whiteout
  CHECK(merge(implied, {"/srv/new/job.py"}, 1).at("/srv/new/job.py").state == State::pending);
  image_files::Merge m({"/x"}, 1);
  CHECK_FALSE(m.all_decided());
  m.begin_layer(0);
  REQUIRE(m.add(e("/x")));
  m.abandon_layer();  // never verified: it counts for nothing
  CHECK(m.outcomes().at("/x").state == State::pending);
  image_files::Merge capped({"/x"}, 1, 1);
  capped.begin_layer(0);
  CHECK(capped.add(e("/y")));
  CHECK_FALSE(capped.add(e("/x")));
}

namespace {

const std::string kAppStack =
    test::with("targets:\n",
               "applications:\n"
               "  - name: pi\n"
               "    image: base\n"
               "    mainResource: local:///opt/app/pi.py\n"
               "    pyFiles: [local:///opt/app/gone.py, s3a://bucket/dep.zip]\n"
               "  - name: etl\n"
               "    image: base\n"
               "    mainResource: s3a://bucket/etl.py\n"
               "targets:\n",
               test::with("images:\n", "registry:\n  url: registry.example.com/demo\nimages:\n"));

model::Stack app_stack() {
  Diagnostics diags;
  auto stack = load_stack(kAppStack, {"apps.stack.yaml", "", nullptr}, diags);
  INFO(test::dump(diags));
  REQUIRE(stack.has_value());
  return *stack;
}

}  // namespace

TEST_CASE("SC030: which files are local, and the findings' messages", "[layers][check]") {
  const auto stack = app_stack();
  const auto files = check_app_files::local_files(stack);
  REQUIRE(files.size() == 2);
  CHECK(files[0].key == "applications[0].mainResource");
  CHECK(files[1].key == "applications[0].pyFiles[0]");
  CHECK(files[1].path == "/opt/app/gone.py");
  image_files::Outcome found{State::found, "/opt/app/pi.py", 1, {}, {}};
  image_files::Outcome gone{State::missing,
                            "/opt/app/gone.py",
                            1,
                            "/opt/app/gone.py is deleted in layer 2 (whiteout "
                            "/opt/app/.wh.gone.py)",
                            {}};
  const auto findings =
      check_app_files::findings(stack, {{files[0], "reg/demo/base@sha256:abc", found, ""},
                                        {files[1], "reg/demo/base@sha256:abc", gone, ""},
                                        {files[1],
                                         "reg/demo/base@sha256:abc",
                                         {},
                                         "layer 1 of 2 (sha256:z) has media type "
                                         "application/vnd.oci.image.layer.v1.tar+zstd"}});
  REQUIRE(findings.size() == 2);
  const auto& d = findings[0].diag;
  CHECK(d.code == "SC030");
  CHECK(d.severity == Severity::error);
  CHECK(d.path == "applications[0].pyFiles[0]");
  CHECK(d.loc.line == 34);
  CHECK(d.message ==
        "application \"pi\": pyFiles local:///opt/app/gone.py is not in image "
        "reg/demo/base@sha256:abc: /opt/app/gone.py is deleted in layer 2 (whiteout "
        "/opt/app/.wh.gone.py)");
  CHECK(d.hint ==
        "add /opt/app/gone.py to image \"base\" (its recipe, then `stackctl build apps.stack.yaml "
        "--push`), or point applications[0].pyFiles[0] at a file the image has");
  CHECK(findings[1].diag.severity == Severity::info);
  CHECK_THAT(findings[1].diag.message,
             Contains("was not checked in image reg/demo/base@sha256:abc: "
                      "layer 1 of 2 (sha256:z) has media type "
                      "application/vnd.oci.image.layer.v1.tar+zstd"));
}

namespace {

// An image of `layers` (bottom first: media type, blob) in the fake, tagged `tag`.
std::string put_layered(FakeRegistry& fake, const std::string& repo,
                        const std::map<std::string, std::string>& labels,
                        const std::vector<std::pair<std::string, std::string>>& layers,
                        const std::string& tag) {
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Labels", labels}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
  const std::string config_bytes = config.dump();
  nlohmann::json descs = nlohmann::json::array();
  for (const auto& [type, blob] : layers)
    descs.push_back(
        {{"mediaType", type}, {"digest", fake.put_blob(repo, blob)}, {"size", blob.size()}});
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", registry::kOciManifest},
                             {"config",
                              {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", fake.put_blob(repo, config_bytes)},
                               {"size", config_bytes.size()}}},
                             {"layers", descs}};
  return fake.put_manifest(repo, std::string(registry::kOciManifest), manifest.dump(), tag);
}

constexpr const char* kGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

}  // namespace

TEST_CASE("check --image: application files from streamed gzip layers (SC030)",
          "[layers][registry]") {
  const auto stack = app_stack();
  FakeRegistry fake;
  fake.chunk_size = 333;  // headers and gzip members split across chunks
  TarWriter bottom;
  bottom.dir("opt/");
  bottom.dir("opt/app/");
  bottom.file("opt/app/pi.py", "print('pi')");
  bottom.file("opt/app/gone.py", "x");
  TarWriter top;
  top.file("opt/app/.wh.gone.py", "");
  top.file("etc/motd", "hello");
  const std::string tag = "spark-3.5.7-r1";
  put_layered(fake, "demo/base", {{"io.stackctl.image", "base"}},
              {{kGzip, gzip(bottom.finish())}, {kGzip, gzip(top.finish())}}, tag);
  std::ostringstream out, err;
  cli::Context ctx{{}, out, err};
  cli::ImageCheckOptions opts;
  opts.refs = {"registry.example.com/demo/base:" + tag};
  const cli::ApplicationImages apps{"/nonexistent/apps.stack.yaml", ""};
  auto result = cli::check_images(ctx, stack, opts, &fake, &apps);
  INFO(err.str());
  CHECK(result.exit_code == cli::kOk);
  REQUIRE(result.images.size() == 1);  // the --image one is the application's: read once
  const auto& img = result.images[0];
  CHECK(img.applications == std::vector<std::string>{"pi"});
  REQUIRE(img.files.size() == 2);
  CHECK(img.files[0].outcome.state == State::found);
  CHECK(img.files[1].outcome.state == State::missing);
  CHECK(img.layers_read == 2);
  bool sc030 = false;
  for (const auto& f : img.findings)
    if (f.diag.code == "SC030") {
      sc030 = true;
      CHECK(f.diag.message ==
            "application \"pi\": pyFiles local:///opt/app/gone.py is not in image "
            "registry.example.com/demo/base@" +
                img.manifest_digest +
                ": /opt/app/gone.py is deleted in layer 2 (whiteout /opt/app/.wh.gone.py)");
    }
  CHECK(sc030);
  CHECK_THAT(err.str(), Contains("apps.stack.lock does not exist: the applications' images are "
                                 "read by the stack's tags"));
  cli::print_images_text(ctx, out, result);
  CHECK_THAT(out.str(), Contains("  application pi: mainResource local:///opt/app/pi.py: found "
                                 "(/opt/app/pi.py, layer 1 of 2)\n"));
  CHECK_THAT(out.str(), Contains("  read 2 of 2 layers from the top ("));
  CHECK(cli::images_json(result)[0]["files"][1]["state"] == "missing");
}

TEST_CASE("layer_files: only the layers needed, digests checked, zstd not checked",
          "[layers][registry]") {
  FakeRegistry fake;
  TarWriter bottom;
  bottom.file("opt/app/pi.py", "print('pi')");
  TarWriter top;
  top.dir("opt/");
  top.dir("opt/app/");
  top.file("opt/app/main.py", "main");
  const std::string bottom_gz = gzip(bottom.finish());
  put_layered(fake, "demo/x", {}, {{kGzip, bottom_gz}, {kGzip, gzip(top.finish())}}, "t");
  registry::Client client(fake, {}, registry::no_credentials());
  auto ref = parse_image_ref("registry.example.com/demo/x:t");
  REQUIRE(ref);
  auto info = client.inspect(*ref);
  REQUIRE(info);
  REQUIRE(info->layers.size() == 2);
  // Decided by the top layer: the bottom one is never fetched.
  fake.requests.clear();
  auto top_only = layer_files::find_files(client, *ref, *info, {"/opt/app/main.py"});
  REQUIRE(top_only);
  CHECK(top_only->layers_read == 1);
  CHECK(top_only->outcomes.at("/opt/app/main.py").state == State::found);
  for (const auto& r : fake.requests) CHECK_THAT(r.url, !Contains(info->layers[0].digest));
  // A layer whose bytes do not match its digest: a registry failure, nothing trusted.
  fake.corrupt_blob[info->layers[0].digest] = gzip("not the layer");
  auto corrupt = layer_files::find_files(client, *ref, *info, {"/opt/app/pi.py"});
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error().kind == registry::Failure::Kind::digest_mismatch);
  fake.corrupt_blob.clear();
  // zstd: not read, so the path it could decide is not checked (never "missing").
  registry::ImageInfo zstd = *info;
  zstd.layers[0].media_type = "application/vnd.oci.image.layer.v1.tar+zstd";
  auto unread = layer_files::find_files(client, *ref, zstd, {"/opt/app/pi.py"});
  REQUIRE(unread);
  CHECK(unread->outcomes.at("/opt/app/pi.py").state == State::pending);
  CHECK_THAT(unread->not_checked,
             Contains("layer 1 of 2 (" + info->layers[0].digest +
                      ") has media type application/vnd.oci.image.layer.v1.tar+zstd, which "
                      "stackctl does not read"));
}
