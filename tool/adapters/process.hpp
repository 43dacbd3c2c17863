// Child processes (image builders, credential plugins): argv in, exit code and output out. No
// shell is involved, so arguments need no quoting.
//
// The real runner starts children with posix_spawn (argv and environment are built before, so
// nothing allocates between fork and exec, and it is safe to run from several threads at once).
// stdin_data is written while stdout and stderr are read, in one poll loop: any amount of input
// and output in both directions, no deadlock. A child that exits (or closes stdin) before reading
// all of its input is not an error of the runner: the rest is dropped (EPIPE), SIGPIPE never
// reaches stackctl, and the child's exit code says what happened.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackctl::proc {

struct Command {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) the parent's
  std::filesystem::path cwd;                             // empty: the parent's
  // Streaming mode (when on_line or log_file is set): stdout and stderr are merged, appended to
  // log_file and passed line by line to on_line. Otherwise both are captured into the Result.
  std::filesystem::path log_file;
  std::function<void(std::string_view line)> on_line;
  std::string stdin_data;  // written to the child's stdin, then closed
};

struct Result {
  int exit_code = 0;  // the child's exit status; 128+N when killed by signal N
  std::string out;    // captured stdout (capture mode only)
  std::string err;    // captured stderr (capture mode only)
};

struct Failure {
  // The program is not in PATH, could not be executed (its path, then strerror: "Permission
  // denied", "No such file or directory" for a missing cwd), the log could not be written, or
  // stackctl was interrupted ("interrupted", "<argv0> stopped: stackctl was interrupted (...)").
  std::string message;
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual std::expected<Result, Failure> run(const Command& command) = 0;
};

// Runs real processes (posix_spawn), waits for them.
std::unique_ptr<Runner> make_runner();

// Interrupts. After forward_interrupts(), SIGINT, SIGTERM and SIGHUP that reach stackctl while
// children run are passed on to them and remembered; with no child running, such a signal ends
// stackctl as it always would. Each child runs in its own process group (so a terminal's Ctrl-C
// reaches it once, through stackctl, and the signal reaches everything the child started), and no
// child is started once stackctl was interrupted: run() returns a Failure instead. main() installs
// this once and exits with 128 + interrupted() when it is set.
void forward_interrupts();
// The signal that interrupted stackctl while children ran, or 0.
int interrupted();

// The full path of `name` in PATH, or nullopt.
std::optional<std::filesystem::path> find_executable(std::string_view name);

}  // namespace stackctl::proc
