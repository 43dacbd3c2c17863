// Parsing the checksum files upstreams publish (pure: text in, hex out). The gpg layout below is
// the one of Spark 2.x-era .sha512 files, e.g. spark-2.3.2-bin-hadoop2.7.tgz.sha512 as quoted in
// a public test of a Spark installer (index id 4418094707) and spark-2.1.0's in a tutorial (index
// id 37989441842): "name: " then upper-case groups of 8, five per line, indented continuations.
#include <catch2/catch.hpp>

#include "core/knowledge/published_checksum.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
using model::HashAlgorithm;
namespace pc = published_checksum;

namespace {
const std::string kSha1 = "a65839fbf1869f81a1632e09f415e586922e4f80";
// Any 128 hex digits do for parsing; this one is 0123...ef repeated.
const std::string kSha512 = [] {
  std::string s;
  for (int i = 0; i < 8; ++i) s += "0123456789abcdef";
  return s;
}();
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

TEST_CASE("Maven checksum files: hex alone, or hex and a name", "[published_checksum]") {
  CHECK(pc::parse(kSha1, HashAlgorithm::sha1) == kSha1);
  CHECK(pc::parse(kSha1 + "\n", HashAlgorithm::sha1) == kSha1);
  CHECK(pc::parse(upper(kSha1) + "\r\n", HashAlgorithm::sha1) == kSha1);
  CHECK(pc::parse(kSha1 + "  /home/builder/.m2/x/hadoop-aws-3.3.4.jar\n", HashAlgorithm::sha1,
                  "hadoop-aws-3.3.4.jar") == kSha1);
}

TEST_CASE("sha512sum style, one or several entries", "[published_checksum]") {
  CHECK(pc::parse(kSha512 + "  spark-4.0.1-bin-hadoop3.tgz\n", HashAlgorithm::sha512,
                  "spark-4.0.1-bin-hadoop3.tgz") == kSha512);
  CHECK(pc::parse(kSha512 + " *spark-4.0.1-bin-hadoop3.tgz\n", HashAlgorithm::sha512) == kSha512);
  const std::string other(128, 'e');
  const std::string two = other + "  spark-4.0.1-bin-without-hadoop.tgz\n" + kSha512 +
                          "  spark-4.0.1-bin-hadoop3.tgz\n";
  CHECK(pc::parse(two, HashAlgorithm::sha512, "spark-4.0.1-bin-hadoop3.tgz") == kSha512);
  auto none = pc::parse(two, HashAlgorithm::sha512, "spark-9.tgz");
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error(), Contains("lists 2 files and none is \"spark-9.tgz\""));
}

TEST_CASE("gpg --print-md SHA512 style, wrapped and upper case", "[published_checksum]") {
  const std::string h = upper(kSha512);
  std::string text = "spark-2.3.2-bin-hadoop2.7.tgz:";
  const std::string indent(31, ' ');
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 5 == 0) text += "\n" + indent;
    text += " " + h.substr(static_cast<std::size_t>(i) * 8, 8);
  }
  text += "\n";
  CHECK(pc::parse(text, HashAlgorithm::sha512, "spark-2.3.2-bin-hadoop2.7.tgz") == kSha512);

  SECTION("a long name puts the digest on the following lines") {
    const std::string wrapped =
        "a-very-long-file-name.tgz:\n    " + h.substr(0, 64) + "\n    " + h.substr(64) + "\n";
    CHECK(pc::parse(wrapped, HashAlgorithm::sha512) == kSha512);
  }
}

TEST_CASE("BSD tag style", "[published_checksum]") {
  CHECK(pc::parse("SHA512 (spark.tgz) = " + kSha512 + "\n", HashAlgorithm::sha512) == kSha512);
  CHECK(pc::parse("SHA1(x.jar)= " + kSha1, HashAlgorithm::sha1) == kSha1);  // openssl dgst
}

TEST_CASE("what is not a checksum is refused with a reason", "[published_checksum]") {
  auto html = pc::parse("<!DOCTYPE html>\n<html>...", HashAlgorithm::sha512);
  REQUIRE_FALSE(html);
  CHECK_THAT(html.error(), Contains("not a sha512 checksum file") && Contains("HTML"));

  auto short_one = pc::parse(kSha1, HashAlgorithm::sha512);
  REQUIRE_FALSE(short_one);
  CHECK(short_one.error() == "a sha512 checksum has 128 hexadecimal digits; line 1 has 40");

  auto empty = pc::parse("\n\n", HashAlgorithm::sha1);
  REQUIRE_FALSE(empty);
  CHECK(empty.error() == "the sha1 checksum file is empty");
}

TEST_CASE("checksum file extensions and tagged checksums", "[published_checksum]") {
  CHECK(pc::algorithm_of("https://h/x.jar.sha1") == HashAlgorithm::sha1);
  CHECK(pc::algorithm_of("x.tgz.SHA512") == HashAlgorithm::sha512);
  CHECK(pc::algorithm_of("x.jar.sha256?raw=1") == HashAlgorithm::sha256);
  CHECK_FALSE(pc::algorithm_of("x.jar.md5"));
  CHECK(pc::hex_length(HashAlgorithm::sha256) == 64);

  auto c = pc::parse_tagged("sha1:" + upper(kSha1));
  REQUIRE(c);
  CHECK(c->algorithm == HashAlgorithm::sha1);
  CHECK(c->hex == kSha1);
  CHECK_FALSE(pc::parse_tagged("md5:abc"));
  CHECK_THAT(pc::parse_tagged("sha512:abc").error(), Contains("128 hexadecimal digits"));
  CHECK_THAT(pc::parse_tagged(kSha1).error(), Contains("<algorithm>:<hex>"));
}
