// Message digests of files and bytes (OpenSSL EVP), as lower-case hex.
//
// Hashing lives in the adapters, not the core: it needs OpenSSL, and the core links no crypto.
// The core only compares hex strings (model::Checksum).
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/stack/model.hpp"

namespace stackctl::hashing {

struct Failure {
  std::string message;  // "cannot read /x/y.jar: No such file or directory"
};

// The digest of the whole file, read in 64 KiB blocks (memory stays flat for multi-GB tarballs).
// Fails when the file cannot be opened or read.
std::expected<std::string, Failure> hash_file(const std::filesystem::path& path,
                                              model::HashAlgorithm algorithm);

// The digest of `data`.
std::string hash_bytes(std::string_view data, model::HashAlgorithm algorithm);

// A digest computed over bytes that arrive in pieces (a streamed registry blob).
class Stream {
 public:
  explicit Stream(model::HashAlgorithm algorithm);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  void update(std::string_view data);
  std::string hex();  // once, after the last update

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stackctl::hashing
