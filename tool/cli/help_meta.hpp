// Shell completions and man pages, generated from the same CLI11 tree as `--help`, so the three
// cannot disagree: a flag added to a command appears in its help, its completion and its man page.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace stackctl::cli::help_meta {

// `stackctl completion bash|zsh|fish`: a script for the shell to source. Completes commands,
// their flags, flag values with a fixed set of choices (-o text|json), target names read from
// the stack file on the command line (through `stackctl __complete-targets STACK`), and file
// paths where an argument is a file. Returns "" for an unknown shell.
std::string completion_script(const CLI::App& app, std::string_view shell);

inline const std::vector<std::string_view> kShells = {"bash", "zsh", "fish"};

struct ManPage {
  std::string file;  // "stackctl-deploy.1"
  std::string text;  // roff (man(7) macros)
};

// One page for stackctl itself and one per visible command. `date` is the build date (YYYY-MM-DD)
// so two builds of one commit give the same pages; `version` as `stackctl --version` prints it.
std::vector<ManPage> man_pages(const CLI::App& app, std::string_view version,
                               std::string_view date);

// The choices of an option declared with CLI::IsMember (CLI11 shows them as "TEXT:{a,b}").
std::vector<std::string> option_choices(const CLI::Option& opt);

}  // namespace stackctl::cli::help_meta
