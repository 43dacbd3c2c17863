// parse_image_ref on arbitrary text (tool/core/image_ref.hpp).
// Invariants: never throws or crashes; a failure says something; a parsed reference formats
// (str()) to text that parses to the same reference (round trip), and its accessors hold.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/image_ref.hpp"
#include "fuzz_check.hpp"

using namespace stackctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ref = parse_image_ref(text);
  if (!ref) {
    FUZZ_CHECK(!ref.error().message.empty(), "a refused reference says why");
    return 0;
  }
  FUZZ_CHECK(!ref->registry.empty() && !ref->repository.empty(), "registry and repository set");
  FUZZ_CHECK(ref->repository.size() <= 255, "the name is at most 255 characters");
  FUZZ_CHECK(ref->digest.empty() || ref->digest.find(':') != std::string::npos,
             "a digest is algorithm:hex");
  if (ref->digest.starts_with("sha256:"))
    FUZZ_CHECK(is_sha256_digest(ref->digest), "a sha256 digest has 64 lower-case hex digits");
  const auto again = parse_image_ref(ref->str());
  FUZZ_CHECK(again.has_value(), "str() of a parsed reference parses");
  FUZZ_CHECK(again->registry == ref->registry && again->repository == ref->repository &&
                 again->tag == ref->tag && again->digest == ref->digest,
             "str() re-parses to the same reference");
  FUZZ_CHECK(again->str() == ref->str(), "str() is a fixed point");
  const auto named = parse_image_ref(ref->name());
  FUZZ_CHECK(named && named->registry == ref->registry && named->repository == ref->repository,
             "name() parses to the same registry and repository");
  FUZZ_CHECK(!ref->reference().empty(), "a reference to fetch");
  FUZZ_CHECK(!ref->short_name().empty(), "a short name");
  FUZZ_CHECK(!ref->api_host().empty() && !ref->host_name().empty(), "hosts");
  (void)ref->is_loopback();
  return 0;
}
