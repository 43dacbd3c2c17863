// Typed, position-aware reading of a doc::Node mapping.
//
// The schema of a stack file is exactly what the loader asks a Reader for: every key asked for is
// known, and `finish()` reports every key nobody asked for as unknown, with a "did you mean". Every
// accessor reports wrong types and missing required keys into the shared Diagnostics and returns a
// neutral value, so loading continues and all problems surface in one run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diag.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/model.hpp"

namespace stackctl {

struct ReadContext {
  Diagnostics& diags;
  model::Locations& locs;
};

enum class Need { optional, required };

class Reader {
 public:
  // `node` may be nullptr (section absent): every read then yields defaults and, for required
  // keys, nothing is reported (the caller reports the missing section once).
  Reader(const doc::Node* node, std::string path, ReadContext& ctx);

  bool present() const { return node_ != nullptr && node_->is_map(); }
  const std::string& path() const { return path_; }
  SourceLoc loc() const;
  SourceLoc loc_of(std::string_view key) const;
  std::string child(std::string_view key) const;

  // The raw node for a key (marks it known). Reports a missing required key.
  const doc::Node* node(std::string_view key, Need need = Need::optional);

  std::optional<std::string> string(std::string_view key, Need need = Need::optional);
  // A version-like scalar. Warns when it is unquoted and a YAML reader would change it (3.10).
  std::optional<std::string> version(std::string_view key, Need need = Need::optional);
  std::optional<int> integer(std::string_view key, Need need = Need::optional, int min = 0,
                             int max = 1 << 30);
  std::optional<bool> boolean(std::string_view key, Need need = Need::optional);
  // A string that must be one of `choices` (exact spelling); reports a "did you mean".
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string>& choices,
                                    Need need = Need::optional);
  std::vector<std::string> string_list(std::string_view key, Need need = Need::optional);
  // A sub-mapping; absent or wrong type gives a Reader that is not present().
  Reader map(std::string_view key, Need need = Need::optional);
  // A sequence's items (each with its path "key[i]"); empty when absent or wrong type.
  std::vector<std::pair<const doc::Node*, std::string>> seq(std::string_view key,
                                                            Need need = Need::optional);

  // Reports every key that no accessor asked for.
  void finish();

 private:
  const doc::Node* lookup(std::string_view key, Need need);
  bool expect(const doc::Node& n, doc::Kind kind, const std::string& path, const char* what);

  const doc::Node* node_;
  std::string path_;
  ReadContext& ctx_;
  std::vector<std::string> known_;
};

// Reports a type mismatch for `n` at `path`.
void report_type(ReadContext& ctx, const doc::Node& n, const std::string& path,
                 const char* expected);

}  // namespace stackctl
