// stackctl's entry point: the only place that knows about the process (argv, TTY, exit code)
// and the one top-level catch for bugs.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include "adapters/process.hpp"
#include "cli/app.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  stackctl::cli::Terminal term;
  term.stdout_tty = ::isatty(STDOUT_FILENO) != 0;
  term.stderr_tty = ::isatty(STDERR_FILENO) != 0;
  const char* no_color = std::getenv("NO_COLOR");
  term.no_color = no_color != nullptr && *no_color != '\0';
  const char* term_name = std::getenv("TERM");
  term.dumb = term_name != nullptr && std::string_view(term_name) == "dumb";
  // Logs are progress and detail: stderr, never stdout (which carries results and JSON).
  auto logger = spdlog::stderr_color_mt("stackctl");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  // Ctrl-C (or a CI runner's SIGTERM) during a build stops the builders stackctl started
  // instead of leaving them running; the lock is written only after success, so it stays as it was.
  stackctl::proc::forward_interrupts();
  try {
    const int rc = stackctl::cli::run(args, std::cout, std::cerr, term);
    if (const int sig = stackctl::proc::interrupted(); sig != 0) {
      std::cerr << "stackctl: interrupted (" << ::strsignal(sig)
                << "); stopped the processes it had started\n";
      return 128 + sig;
    }
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "stackctl: internal error: " << e.what()
              << "\nThis is a bug in stackctl; please report it with the command you ran.\n";
    return stackctl::cli::kInternal;
  }
}
