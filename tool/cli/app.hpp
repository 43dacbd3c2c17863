// The command line: parses arguments into plain values, runs one command, returns its exit code.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/terminal.hpp"

namespace stackctl::cli {

// Runs stackctl with `args` (without the program name). Never exits the process. `term` (read
// by main) and --color decide colours, per stream.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Terminal& term = {});

}  // namespace stackctl::cli
