// The CLI run in-process for a test: the exit code and what it wrote on stdout and stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/terminal.hpp"

namespace stackctl::test {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline CliRun run_cli(const std::vector<std::string>& args, const cli::Terminal& term = {}) {
  std::ostringstream out, err;
  const int code = cli::run(args, out, err, term);
  return {code, out.str(), err.str()};
}

}  // namespace stackctl::test
