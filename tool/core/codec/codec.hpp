// Encodings and digests the core needs, from libraries instead of hand-written twins: SHA-256 and
// base64 from OpenSSL's libcrypto, XML escaping (no library in the tree does it alone).
//
// libcrypto in the core, and why the layering holds: the core does no I/O of its own, and the
// test "layering: core does no I/O" (tests/layering.cmake) runs nm on the core archive for the
// I/O calls stackctl could make (files, processes, sockets, getenv); libcrypto's symbols are not
// among them.
//  - base64 (EVP_EncodeBlock, EVP_DecodeBlock) is pure computation: a program calling only them
//    makes no system call beyond loading the library (strace, OpenSSL 3.0.19 on bookworm).
//  - SHA-256 (EVP_Digest with EVP_sha256) computes from memory too, but libcrypto initialises
//    itself on first use, and that initialisation reads its configuration file once per process
//    (strace shows one openat of /usr/lib/ssl/openssl.cnf, or of $OPENSSL_CONF; the same with a
//    private OSSL_LIB_CTX). That read is libcrypto's, made in every stackctl process anyway
//    (libcurl's TLS in the adapters initialises the same libcrypto), and it cannot change a
//    digest: SHA-256 is fully specified (FIPS 180-4). It is accepted here, and said so plainly.
//    A libcrypto that cannot give SHA-256 at all (a configuration that removes the default
//    provider) is a broken installation, not an input: sha256_hex throws std::runtime_error,
//    caught in main, like adapters/hashing.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stackctl::codec {

// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// The 32 bytes of SHA-256 of `data`.
std::string sha256_bytes(std::string_view data);

// base64 (RFC 4648 section 4: standard alphabet, padded).
std::string base64_encode(std::string_view bytes);

// base64url without padding (RFC 4648 section 5; what Kubernetes' ApplySet ids use).
std::string base64url_nopad(std::string_view bytes);

// The bytes of base64 `text` (standard alphabet), or nullopt when it is not base64. Line breaks
// and spaces anywhere are ignored (PEM-style wrapping, a trailing newline), padding is optional
// but at most two '=' and only at the end, and a lone final character (which cannot end valid
// base64) is refused.
std::optional<std::string> base64_decode(std::string_view text);

// XML text or attribute value: & < > " ' escaped, and the characters XML 1.0 forbids (control
// characters but tab, newline and carriage return) dropped.
std::string xml_escape(std::string_view text);

}  // namespace stackctl::codec
