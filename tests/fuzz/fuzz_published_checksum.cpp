// published_checksum::parse and parse_tagged on arbitrary text (knowledge/published_checksum.hpp):
// what upstream mirrors answer for .sha1/.sha256/.sha512 files, i.e. network input.
// Invariants: never throws or crashes; a failure says something; a digest found has exactly the
// algorithm's length in lower-case hex; a tagged checksum re-parses from its own text form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/knowledge/published_checksum.hpp"
#include "fuzz_check.hpp"

using namespace stackctl;
namespace pc = stackctl::published_checksum;

namespace {

bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto algorithm :
       {model::HashAlgorithm::sha1, model::HashAlgorithm::sha256, model::HashAlgorithm::sha512}) {
    for (std::string_view file :
         {std::string_view{}, std::string_view{"spark-4.0.1-bin-hadoop3.tgz"}}) {
      const auto hex = pc::parse(text, algorithm, file);
      if (hex) {
        FUZZ_CHECK(hex->size() == pc::hex_length(algorithm), "the digest has its length");
        FUZZ_CHECK(lower_hex(*hex), "the digest is lower-case hex");
      } else {
        FUZZ_CHECK(!hex.error().empty(), "a refused checksum file says why");
        FUZZ_CHECK(hex.error().size() < 4096 + text.size() / 8, "the message quotes briefly");
      }
    }
  }
  (void)pc::algorithm_of(text);
  const auto tagged = pc::parse_tagged(text);
  if (!tagged) FUZZ_CHECK(!tagged.error().empty(), "a refused tagged checksum says why");
  return 0;
}
