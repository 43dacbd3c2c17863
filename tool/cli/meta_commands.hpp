// The commands about stackctl itself, which read the command tree: `version`, `completion`,
// `help`, and two hidden helpers (`__complete-targets STACK` for the completion scripts,
// `__man DIR` for the build's man pages).
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace stackctl::cli {

// Adds them to `app` (after every other command, so help and completions see the whole tree);
// the one that is parsed sets `runner`.
void add_meta_commands(CLI::App& app, Runner& runner);

// Their names, for the did-you-mean check that runs before CLI11 parses.
std::vector<std::string_view> meta_command_names();

}  // namespace stackctl::cli
