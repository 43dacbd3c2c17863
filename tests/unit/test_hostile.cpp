// Hostile input: bounds on what a document may expand to, bytes that are not UTF-8,
// control characters in values, messages that cannot drive a terminal, "did you mean" on long
// words, and file references that leave the stack's folder. The message catalogue of these is
// tests/fixtures/hostile; these tests hold the parts a fixture cannot show (time, memory, a
// megabyte-long key, symbolic links made at run time).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/stack_files.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/hygiene.hpp"
#include "core/stack/limits.hpp"
#include "core/stack/loader.hpp"
#include "core/text.hpp"
#include "stack_text.hpp"

using namespace stackctl;
namespace stdfs = std::filesystem;

namespace {

Diagnostics validate(const std::string& text) {
  return validate_stack(text, "s.yaml", &catalog::builtin_catalog());
}

std::vector<std::string> codes(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& item : d.items()) out.push_back(item.code);
  return out;
}

bool has(const Diagnostics& d, const std::string& code) {
  const auto c = codes(d);
  return std::find(c.begin(), c.end(), code) != c.end();
}

// Nine levels of ten aliases each: 10^9 values once expanded.
std::string billion_laughs() {
  std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("a billion laughs stops at the node bound, quickly, with one located error") {
  Diagnostics d;
  const auto start = std::chrono::steady_clock::now();
  auto root = doc::parse(billion_laughs(), "s.yaml", d);
  const double took = seconds_since(start);
  REQUIRE_FALSE(root);  // the error, not a tree that would only report what it lacks
  CHECK(d.empty());
  CHECK(root.error().code == "E_YAML_SIZE");
  CHECK(root.error().message ==
        "the document has more than 100000 values once its aliases are expanded");
  CHECK(root.error().loc.line > 0);
  // Measured: yaml-cpp shares aliased nodes, so loading takes milliseconds; the copy into the
  // tree stops at kMaxNodes. A Debug build on a busy machine stays far below this.
  CHECK(took < 10.0);
}

TEST_CASE("aliases below the node bound expand as before") {
  Diagnostics d;
  auto root = doc::parse("a: &a [x, y]\nb: [*a, *a]\n", "s.yaml", d);
  REQUIRE(root);
  CHECK(d.empty());
  REQUIRE(root->find("b") != nullptr);
  CHECK(root->find("b")->items.size() == 2);
  CHECK(root->find("b")->items[1].items[1].scalar == "y");
}

TEST_CASE("a document over 4 MiB is refused before it is parsed") {
  Diagnostics d;
  const std::string big = "a: \"" + std::string(limits::kMaxDocumentBytes, 'x') + "\"\n";
  auto root = doc::parse(big, "s.yaml", d);
  REQUIRE_FALSE(root);
  CHECK(root.error().code == "E_YAML_SIZE");
  CHECK(root.error().message ==
        "the file is " + std::to_string(big.size()) + " bytes, more than the 4 MiB limit");
}

TEST_CASE("bytes that are not UTF-8 are a located error, not an exception later") {
  for (const std::string bad :
       {"\xff", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    Diagnostics d;
    auto root = doc::parse("a: 1\nb: x" + bad + "y\n", "s.yaml", d);
    REQUIRE_FALSE(root);
    CHECK(root.error().code == "E_YAML_UTF8");
    CHECK(root.error().loc.line == 2);
    CHECK(root.error().loc.column == 5);
  }
  Diagnostics d;
  CHECK(doc::parse("a: \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n", "s.yaml", d));  // é€😀
}

TEST_CASE("raw control bytes YAML does not allow are located; tab, CR and LF are allowed") {
  Diagnostics d;
  auto root = doc::parse("a: 1\nb: x\x1b[2J\n", "s.yaml", d);
  REQUIRE_FALSE(root);
  CHECK(root.error().code == "E_YAML_CHAR");
  CHECK(root.error().message == "the control character U+001B is not allowed in a YAML file");
  CHECK(root.error().loc.line == 2);
  CHECK(root.error().loc.column == 5);
  CHECK(doc::parse("a: \"x\ty\"\r\nb: 2\n", "s.yaml", d));
}

TEST_CASE("a control character in any value or key of a stack is refused at its position") {
  for (const std::string esc :
       {"\\n", "\\0", "\\e", "\\r", "\\t", "\\x7f", "\\x85", "\\u2028", "\\u202e", "\\x9b"}) {
    std::string text = test::kMinimalStack;
    text.replace(text.find("revision: r1"), 12, "revision: r1\n  description: \"a" + esc + "b\"");
    const Diagnostics d = validate(text);
    INFO(esc << "\n" << test::dump(d));
    REQUIRE(has(d, "E_CONTROL_CHAR"));
    for (const auto& item : d.items())
      if (item.code == "E_CONTROL_CHAR") {
        CHECK(item.path == "metadata.description");
        CHECK(item.loc.line == 6);
        CHECK(item.message.find("at character 2") != std::string::npos);
      }
  }
}

TEST_CASE("first_control_char names the character and counts characters, not bytes") {
  CHECK(first_control_char("plain é€ text").name.empty());
  const ControlChar c = first_control_char("é€\nx");
  CHECK(c.name == "U+000A (line feed)");
  CHECK(c.index == 3);
  CHECK(first_control_char("a\u202eb").name == "U+202E (bidirectional override)");
  // yaml-cpp writes "\N" as the lone byte 0x85: not UTF-8, refused too.
  CHECK(first_control_char("a\x85"
                           "b")
            .name == "the byte 0x85, which is not UTF-8 (YAML's \\N and \\_ escapes make one)");
}

TEST_CASE("a megabyte-long unknown key is one bounded error, in well under a second of work") {
  std::string text = test::kMinimalStack;
  // An explicit key ("? "): YAML limits implicit keys to 1024 characters.
  text.replace(text.find("kind: Stack"), 11,
               "kind: Stack\n? " + std::string(1 << 20, 'k') + "\n: 1");
  const auto start = std::chrono::steady_clock::now();
  const Diagnostics d = validate(text);
  const double took = seconds_since(start);
  INFO(test::dump(d));
  REQUIRE(codes(d) == std::vector<std::string>{"E_LIMIT"});
  CHECK(d.items()[0].message == "a key of 1048576 bytes; the limit is 256");
  CHECK(took < 10.0);
}

TEST_CASE("did you mean compares no word longer than 64 characters") {
  const std::vector<std::string> known = {"revision", "name"};
  CHECK(did_you_mean("revison", known) == "revision");
  CHECK(did_you_mean(std::string(65, 'r'), known).empty());
  const auto start = std::chrono::steady_clock::now();
  CHECK(did_you_mean(std::string(1 << 20, 'r'), known).empty());
  CHECK(seconds_since(start) < 1.0);
}

TEST_CASE("a value over 4096 bytes stops the load before any check runs on it") {
  // std::regex recurses once per character: an env name of 30,000 letters crashed validate.
  std::string text = test::kMinimalStack;
  text.replace(text.find("revision: r1"), 12, "revision: " + std::string(30000, 'r'));
  const Diagnostics d = validate(text);
  INFO(test::dump(d));
  REQUIRE(codes(d) == std::vector<std::string>{"E_LIMIT"});
  CHECK(d.items()[0].path == "metadata.revision");
}

TEST_CASE("more than 256 images is one error, not a hang over the image graph") {
  std::string images;
  for (int i = 0; i < 10000; ++i)
    images += "  - name: i" + std::to_string(i) + "\n    from: {image: i" +
              std::to_string((i + 1) % 10000) + "}\n    tag: t\n";
  std::string text = test::kMinimalStack;
  text.replace(text.find("images:\n"), 8, "images:\n" + images);
  const auto start = std::chrono::steady_clock::now();
  const Diagnostics d = validate(text);
  INFO(test::dump(d));
  REQUIRE(codes(d) == std::vector<std::string>{"E_LIMIT"});
  CHECK(d.items()[0].message == "10002 images; the limit is 256");
  CHECK(seconds_since(start) < 20.0);
}

TEST_CASE("messages show control characters and stray bytes escaped") {
  Diagnostic d{Severity::error,         "E_X",           {"s.yaml", 1, 2}, "a\x1b[2Jb",
               "x\r\x7f\xc2\x9b\xff y", "tab\tand\nline"};
  CHECK(format_diagnostic(d) ==
        "s.yaml:1:2: error: a\\x1B[2Jb: x\\x0D\\x7F\\u{9B}\\xFF y [E_X]\n  hint: tab\tand\\nline");
  CHECK(utf8_safe("ok \xff é") == "ok \\xFF é");
  CHECK(printable("é€😀") == "é€😀");
}

TEST_CASE("an empty or malformed external image reference is refused at validate") {
  for (const std::string ref : {"", "Debian:12", "debian AS x", "debian$(id)"}) {
    std::string text = test::kMinimalStack;
    text.replace(text.find("\"debian:bookworm-slim\""), 22, "\"" + ref + "\"");
    const Diagnostics d = validate(text);
    INFO(ref << "\n" << test::dump(d));
    CHECK(has(d, "E_VALUE"));
  }
  std::string text = test::kMinimalStack;
  text.replace(text.find("{image: base}"), 13, "{image: \"\"}");
  CHECK(has(validate(text), "E_VALUE"));
}

namespace {

struct TempDir {
  stdfs::path path;
  TempDir() {
    std::random_device rd;
    path = stdfs::temp_directory_path() /
           ("stackctl-hostile-" + std::to_string(rd()) + std::to_string(rd()));
    stdfs::create_directories(path / "stack" / "envs");
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

TEST_CASE("read_inside reads a file in the folder and refuses links and paths out of it") {
  TempDir t;
  const stdfs::path dir = t.path / "stack";
  std::ofstream(dir / "envs" / "app.yml") << "name: app\n";
  std::ofstream(t.path / "outside.yml") << "secret\n";
  stdfs::create_symlink("/proc/self/environ", dir / "envs" / "leak.yml");
  stdfs::create_symlink("../../outside.yml", dir / "envs" / "up.yml");
  stdfs::create_symlink("app.yml", dir / "envs" / "same.yml");

  auto ok = fs::read_inside(dir, "envs/app.yml", 1024);
  REQUIRE(ok);
  CHECK(*ok == "name: app\n");
  auto same = fs::read_inside(dir, "envs/same.yml", 1024);
  REQUIRE(same);  // a link that stays inside is fine
  CHECK(*same == "name: app\n");

  auto leak = fs::read_inside(dir, "envs/leak.yml", 1024);
  REQUIRE_FALSE(leak);
  CHECK(leak.error().message.find("it leads outside the stack's folder, to /proc/") !=
        std::string::npos);
  auto up = fs::read_inside(dir, "envs/up.yml", 1024);
  REQUIRE_FALSE(up);
  CHECK(up.error().message == "cannot read " + (dir / "envs/up.yml").string() +
                                  ": it leads outside the stack's folder, to " +
                                  (stdfs::canonical(t.path) / "outside.yml").string());
  CHECK_FALSE(fs::read_inside(dir, "/proc/self/environ", 1024));
  CHECK_FALSE(fs::read_inside(dir, "../outside.yml", 1024));
  auto folder = fs::read_inside(dir, "envs", 1024);
  REQUIRE_FALSE(folder);
  INFO(folder.error().message);
  CHECK(folder.error().message.find("directory") != std::string::npos);
}

// yaml-cpp 0.7's LoadAll loops forever, allocating, on streams where the parser emits a null
// for a token it cannot place without consuming it (jbeder/yaml-cpp pull request 1319). Found by
// tests/fuzz/fuzz_yaml_doc and fuzz_stack; doc.cpp walks the events first and stops there.
TEST_CASE("a token nothing can start a node with is a located YAML error, not an endless loop") {
  std::ifstream found(
      std::string(STACKCTL_SOURCE_DIR) +
      "/tests/fuzz/corpus/fuzz_yaml_doc/timeout-e30d449e27848d6676b7a409197b4ac9f5e2ad52");
  REQUIRE(found);
  const std::string reproducer{std::istreambuf_iterator<char>(found), {}};
  for (const std::string& text :
       {std::string("\n,\n"), std::string("[1]\n,\n"), std::string("- x\n, y\n"), reproducer}) {
    Diagnostics d;
    const auto start = std::chrono::steady_clock::now();
    auto root = doc::parse(text, "s.yaml", d);
    CHECK(seconds_since(start) < 10.0);
    REQUIRE_FALSE(root);
    CHECK(root.error().code == "E_YAML");
    CHECK(root.error().loc.line > 0);
    CHECK(root.error().message.starts_with("malformed YAML: "));
    Diagnostics all;
    CHECK_FALSE(doc::parse_all(text, "s.yaml", all));
  }
}

TEST_CASE("empty documents of a stream still pass the progress check") {
  Diagnostics d;
  auto docs = doc::parse_all("a: 1\n---\n---\n...\n---\nb: 2\n", "s.yaml", d);
  REQUIRE(docs);
  CHECK(docs->size() == 4);
  CHECK(doc::parse("a: 1\n---\n---\n", "s.yaml", d));
  CHECK(d.empty());
}
