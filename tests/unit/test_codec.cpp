// core/codec (libcrypto's SHA-256 and base64, XML escaping) and http::url_escape (libcurl), each
// against published vectors.
#include <catch2/catch.hpp>

#include "adapters/http.hpp"
#include "core/codec/codec.hpp"

using namespace stackctl;

TEST_CASE("codec: SHA-256 matches the FIPS 180-2 test vectors", "[codec]") {
  // FIPS 180-2 appendix B (B.1 "abc", B.2 the 448-bit message, B.3 one million 'a'), and the
  // digest of the empty message.
  CHECK(codec::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(codec::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(codec::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(codec::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const std::string raw = codec::sha256_bytes("abc");
  REQUIRE(raw.size() == 32);
  CHECK(static_cast<unsigned char>(raw[0]) == 0xba);
  CHECK(static_cast<unsigned char>(raw[31]) == 0xad);
}

TEST_CASE("codec: base64 matches the RFC 4648 test vectors", "[codec]") {
  // RFC 4648 section 10.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(codec::base64_encode(plain) == encoded);
    CHECK(codec::base64_decode(encoded) == plain);
  }
  CHECK(codec::base64_encode("alice:s3cret") == "YWxpY2U6czNjcmV0");
  for (const std::string& s :
       std::vector<std::string>{"user:pa:ss\xff", std::string("\0\x01\xfe", 3)})
    CHECK(codec::base64_decode(codec::base64_encode(s)) == s);
}

TEST_CASE("codec: base64 decoding takes what kubeconfig and auth files hold, refuses the rest",
          "[codec]") {
  CHECK(codec::base64_decode("aGVsbG8") == "hello");       // padding optional
  CHECK(codec::base64_decode("aGVs\nbG8=\n") == "hello");  // wrapped, a trailing newline
  CHECK(codec::base64_decode("Zm9v YmFy") == "foobar");
  CHECK_FALSE(codec::base64_decode("a$b"));
  CHECK_FALSE(codec::base64_decode("!!!"));
  CHECK_FALSE(codec::base64_decode("Zm9v=YmFy"));  // data after padding
  CHECK_FALSE(codec::base64_decode("Zg==="));      // three '='
  CHECK_FALSE(codec::base64_decode("Zm9vY"));      // a lone final character
  CHECK_FALSE(codec::base64_decode("Zm9v-_"));     // the URL alphabet is not base64
}

TEST_CASE("codec: base64url without padding (RFC 4648 section 5)", "[codec]") {
  // 0xfb 0xff is "+/8=" in base64: the two characters the URL alphabet replaces, and padding.
  CHECK(codec::base64_encode("\xfb\xff") == "+/8=");
  CHECK(codec::base64url_nopad("\xfb\xff") == "-_8");
  CHECK(codec::base64url_nopad("foobar") == "Zm9vYmFy");
  CHECK(codec::base64url_nopad("f") == "Zg");
}

TEST_CASE("codec: XML escaping", "[codec]") {
  CHECK(codec::xml_escape("a<b>&\"c'd") == "a&lt;b&gt;&amp;&quot;c&apos;d");
  CHECK(codec::xml_escape("tab\tnl\ncr\r") == "tab\tnl\ncr\r");
  CHECK(codec::xml_escape(std::string("bell\x07"
                                      "esc\x1b",
                                      9)) == "bellesc");  // not XML 1.0
  CHECK(codec::xml_escape("é") == "é");
}

TEST_CASE("http::url_escape: every byte but RFC 3986's unreserved ones", "[http]") {
  CHECK(http::url_escape("repository:dp/app:pull") == "repository%3Adp%2Fapp%3Apull");
  CHECK(http::url_escape("AZaz09-._~") == "AZaz09-._~");
  CHECK(http::url_escape("a b+c&d=e") == "a%20b%2Bc%26d%3De");
  CHECK(http::url_escape("\xc3\xa9") == "%C3%A9");
  CHECK(http::url_escape("").empty());
}
