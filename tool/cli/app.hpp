// The command line: parses arguments into plain values, runs one command, returns its exit code.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace stackctl::cli {

// Runs stackctl with `args` (without the program name). Never exits the process.
// `stdout_is_tty` decides colours (together with NO_COLOR, read by main).
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        bool color = false);

}  // namespace stackctl::cli
