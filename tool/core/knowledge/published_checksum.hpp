// Reading the checksum files that upstreams publish beside their artifacts (no I/O: text in,
// hex out). What `stackctl lock` and the fetcher use to resolve a checksum that the stack does
// not pin.
//
// Formats accepted (every one seen on Maven Central or the Apache archive):
// - hex alone, optionally followed by whitespace/newline: Maven's .sha1/.sha256/.sha512;
// - coreutils style "<hex>  <file>" or "<hex> *<file>" (sha512sum), one line or several: recent
//   Apache .sha512 files and some Maven uploads;
// - GnuPG `gpg --print-md SHA512` style: "<file>: XXXXXXXX XXXXXXXX ..." in upper case, groups of
//   8 hex digits, wrapped over indented continuation lines: older Apache .sha512 files (Spark 2.x
//   era), e.g. "spark-2.3.2-bin-hadoop2.7.tgz: E61D9330 125746A2 ...\n<spaces>874357C9 ...";
// - BSD style "SHA512 (<file>) = <hex>" (`shasum --tag`) and "SHA512(<file>)= <hex>" (`openssl
// dgst`).
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "core/stack/model.hpp"

namespace stackctl::published_checksum {

// Hex digits of a digest: sha1 40, sha256 64, sha512 128.
std::size_t hex_length(model::HashAlgorithm algorithm);

// The algorithm a checksum file's name or URL announces by its extension (".sha1", ".sha256",
// ".sha512"); nullopt for anything else (".md5", ".asc").
std::optional<model::HashAlgorithm> algorithm_of(std::string_view file_name_or_url);

// The lower-case hex digest that `text` publishes for `algorithm`.
// `file_name` (the artifact's file name, e.g. "spark-4.0.1-bin-hadoop3.tgz") picks the entry
// when the file lists several; when the file names exactly one entry its name is not checked
// (mirrors rename files, and Maven's names are sometimes build paths).
// Failure: a message saying what was expected and what the text holds instead (an HTML error
// page, the wrong digest length, no entry for `file_name`, ...). The text itself is quoted
// only briefly: it came from the network.
std::expected<std::string, std::string> parse(std::string_view text, model::HashAlgorithm algorithm,
                                              std::string_view file_name = {});

// "sha512:<hex>" -> Checksum; the text form `lock` records. Failure names what is wrong.
std::expected<model::Checksum, std::string> parse_tagged(std::string_view text);

}  // namespace stackctl::published_checksum
