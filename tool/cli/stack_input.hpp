// The STACK argument and --target shared by commands that read a stack file.
#pragma once

#include <CLI/CLI.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "cli/context.hpp"
#include "core/diag.hpp"
#include "core/knowledge/catalog.hpp"
#include "core/stack/model.hpp"

namespace stackctl::cli {

struct StackInput {
  std::string path;
  std::string target;
};

void add_stack_argument(CLI::App& sub, StackInput& in);

// STACK may be `-`: the stack is read from standard input (once per run; every later read of `-`
// gets the same text), named "<stdin>" in diagnostics, and the files it names are found from the
// current folder. Its lock is ./stack.lock unless --lock says otherwise (lock_path_for).
inline constexpr const char* kStdinStack = "-";
std::expected<std::string, std::string> read_stack_text(const std::string& path);
std::string stack_display_name(const std::string& path);
void add_target_option(CLI::App& sub, StackInput& in);

// The catalog in force: --catalog FILE when given, else the built-in one. Reports a broken
// catalog file and returns nullptr.
const catalog::Catalog* active_catalog(Context& ctx);

struct LoadedStack {
  std::optional<model::Stack> stack;  // nullopt when the file could not be read or parsed
  Diagnostics diags;
  int exit_code = 0;  // kInputError when the file could not be read; else 0
};

// Reads the stack file and builds the stack for `in.target`, deriving versions from `catalog`.
LoadedStack load_stack_file(Context& ctx, const StackInput& in, const catalog::Catalog& catalog);

// The stack a command that acts on a platform works on (doctor, submit): loaded for `in.target`
// with the catalog in force, its diagnostics printed. An unreadable file or catalog is
// kInputError, an unknown target kUsage, an invalid stack kFindings after "STACK: invalid stack;
// nothing was <nothing_was> (see `stackctl validate STACK`)".
std::expected<model::Stack, int> load_valid_stack(Context& ctx, const StackInput& in,
                                                  std::string_view nothing_was);

}  // namespace stackctl::cli
