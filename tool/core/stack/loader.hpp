// Building a model::Stack from a stack file's text, and validating it.
//
// Every problem is reported, each with file:line:column, the key path and a hint; nothing stops at
// the first one. Loading never touches the disk: the caller reads the file and passes its text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/contracts/tag.hpp"
#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/doc.hpp"
#include "core/stack/model.hpp"

namespace stackctl {

inline constexpr std::string_view kStackApiVersion = "stackctl.dev/v1";
inline constexpr std::string_view kStackKind = "Stack";

struct LoadOptions {
  std::string file;    // shown in diagnostics, as the user named it
  std::string target;  // empty: the base stack; else the target whose overrides are merged in
  // Derive omitted scala/hadoop/SDK versions from this catalog (nullptr: leave them empty).
  const catalog::Catalog* catalog = nullptr;
};

// Parses and builds the stack for one target. Returns the stack when the document could be read
// as a stack at all (even with errors, so callers can show every problem); nullopt when it is not
// YAML or not a mapping. Callers must check diags.has_errors() before using the stack.
std::optional<model::Stack> load_stack(std::string_view text, const LoadOptions& options,
                                       Diagnostics& diags);

// Same, from an already parsed document (lets callers parse once and load each target).
std::optional<model::Stack> build_stack(const doc::Node& root, const LoadOptions& options,
                                        Diagnostics& diags);

// `stackctl validate`: the base stack and every target's merged stack, each problem once.
Diagnostics validate_stack(std::string_view text, const std::string& file,
                           const catalog::Catalog* catalog);

// Fills versions the stack omitted (scala, hadoop, aws_sdk) from the catalog, marking their origin.
// Warns (W_CATALOG_UNKNOWN) when the catalog cannot derive one; never guesses.
void derive_versions(model::Stack& stack, const catalog::Catalog& catalog, Diagnostics& diags);

}  // namespace stackctl
