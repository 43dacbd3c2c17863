// stackctl's entry point: the only place that knows about the process (argv, TTY, exit code)
// and the one top-level catch for bugs.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool color = ::isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  // Logs are progress and detail: stderr, never stdout (which carries results and JSON).
  auto logger = spdlog::stderr_color_mt("stackctl");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  try {
    return stackctl::cli::run(args, std::cout, std::cerr, color);
  } catch (const std::exception& e) {
    std::cerr << "stackctl: internal error: " << e.what()
              << "\nThis is a bug in stackctl; please report it with the command you ran.\n";
    return stackctl::cli::kInternal;
  }
}
