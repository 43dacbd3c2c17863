// stackctl's entry point: the only place that knows about the process (argv, TTY, exit code)
// and the one top-level catch for bugs.
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool color = ::isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  try {
    return stackctl::cli::run(args, std::cout, std::cerr, color);
  } catch (const std::exception& e) {
    std::cerr << "stackctl: internal error: " << e.what()
              << "\nThis is a bug in stackctl; please report it with the command you ran.\n";
    return stackctl::cli::kInternal;
  }
}
