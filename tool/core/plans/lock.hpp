// stack.lock: what a stack resolved to. Versions (including those derived from the catalog),
// every artifact's URL and checksum, and every image's tag, inputs digest and pushed digest.
// `lock` writes it, `build` keeps it current, `--frozen` refuses any change to it.
//
// Serialised as JSON with sorted keys and a trailing newline, so the same lock is the same bytes.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/diag.hpp"
#include "core/stack/model.hpp"

namespace stackctl::lock {

inline constexpr int kLockVersion = 1;

struct Artifact {
  std::string name;  // "spark" or the jar's coordinate "g:a:v"
  std::string url;
  std::string checksum;  // "sha512:<hex>"; "" when not resolved yet
  std::string origin;    // "stack" (pinned in the stack file) or "resolved" (read online by lock)
  bool operator==(const Artifact&) const = default;
};

struct Image {
  std::string name;
  std::string ref;            // repository:tag that was built
  std::string inputs_digest;  // "sha256:<hex>" of everything that went into it
  std::string digest;         // manifest digest in the registry, "" until pushed
  bool operator==(const Image&) const = default;
};

struct Lock {
  std::string stack;                                          // metadata.name
  std::vector<std::pair<std::string, std::string>> versions;  // name -> version, fixed order
  std::vector<Artifact> artifacts;
  std::vector<Image> images;
  bool operator==(const Lock&) const = default;

  const Artifact* find_artifact(const std::string& name) const;
  const Image* find_image(const std::string& name) const;
};

std::string serialize(const Lock& lock);
// Parses a lock file's text; errors name the file and what is wrong.
std::expected<Lock, Diagnostic> parse(std::string_view text, const std::string& file);

// The versions and artifacts of a stack as a lock would hold them. Checksums come from the stack
// when pinned there, else from `previous` (a checksum resolved earlier), else stay empty.
Lock from_stack(const model::Stack& stack, const Lock* previous);

// Human-readable differences ("artifact org.apache.hadoop:hadoop-aws:3.4.1: checksum  ->
// sha1:..."), empty when equal. For --frozen's refusal and for `drift`.
std::vector<std::string> differences(const Lock& before, const Lock& after);

// "sha512:<hex>" for a model checksum.
std::string checksum_text(const model::Checksum& c);

}  // namespace stackctl::lock
