// The table of subcommands: name, one-line synopsis, examples for --help, and how to wire it.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "cli/context.hpp"

namespace stackctl::cli {

using Runner = std::function<int(Context&)>;

struct Command {
  std::string name;
  std::string synopsis;
  std::string examples;  // shown under "Examples:" in the command's --help
  // Declares the subcommand's arguments on `sub` (binding them into state it owns) and returns
  // the function that runs the command once parsing succeeded.
  std::function<Runner(CLI::App& sub)> setup;
};

const std::vector<Command>& commands();

// One per file: cmd_<name>.cpp.
Command validate_command();
Command check_command();
Command render_command();
Command lock_command();
Command build_command();
// `in` is where `explain -` reads the pasted text (std::cin; a string stream in tests).
Command explain_command(std::istream& in);
Command deploy_command();
Command submit_command();
Command doctor_command();
Command drift_command();

}  // namespace stackctl::cli
