#include "adapters/hashing.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace stackctl::hashing {

namespace {

const EVP_MD* digest_of(model::HashAlgorithm algorithm) {
  switch (algorithm) {
    case model::HashAlgorithm::sha1:
      return EVP_sha1();
    case model::HashAlgorithm::sha256:
      return EVP_sha256();
    case model::HashAlgorithm::sha512:
      return EVP_sha512();
  }
  return EVP_sha512();
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// A digest in progress. OpenSSL failures here mean an allocation failed or the library is
// broken, not bad input: they are bugs to the caller, hence exceptions (caught in main).
class Digest {
 public:
  explicit Digest(model::HashAlgorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), digest_of(algorithm), nullptr) != 1)
      throw std::runtime_error("OpenSSL: cannot initialise a digest");
  }
  void update(const char* data, std::size_t size) {
    if (EVP_DigestUpdate(ctx_.get(), data, size) != 1)
      throw std::runtime_error("OpenSSL: digest update failed");
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md.data(), &size) != 1)
      throw std::runtime_error("OpenSSL: digest final failed");
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
      out += kDigits[md[i] >> 4];
      out += kDigits[md[i] & 0x0f];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
};

}  // namespace

std::expected<std::string, Failure> hash_file(const std::filesystem::path& path,
                                              model::HashAlgorithm algorithm) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::unexpected(Failure{"cannot read " + path.string() + ": " + std::strerror(errno)});
  Digest digest(algorithm);
  std::array<char, 64 * 1024> buffer{};
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return std::unexpected(Failure{"cannot read " + path.string() + ": " + std::strerror(errno)});
  return digest.hex();
}

std::string hash_bytes(std::string_view data, model::HashAlgorithm algorithm) {
  Digest digest(algorithm);
  digest.update(data.data(), data.size());
  return digest.hex();
}

struct Stream::Impl {
  explicit Impl(model::HashAlgorithm a) : digest(a) {}
  Digest digest;
};

Stream::Stream(model::HashAlgorithm algorithm) : impl_(std::make_unique<Impl>(algorithm)) {}
Stream::~Stream() = default;
void Stream::update(std::string_view data) {
  impl_->digest.update(data.data(), data.size());
}
std::string Stream::hex() {
  return impl_->digest.hex();
}

}  // namespace stackctl::hashing
