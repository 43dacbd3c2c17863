// The process runner against real programs (/bin/sh, sleep): capture and streaming modes, the
// environment, the working folder, stdin, a program that is not there, and interrupts. The
// interrupt state is process-wide and sticky, so those cases fork first and look at the forked
// process from outside: its exit status, and whether the child it ran is gone.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "adapters/process.hpp"

using namespace stackctl;
using Catch::Matchers::Contains;
namespace stdfs = std::filesystem;

namespace {

stdfs::path temp_dir(const std::string& stem) {
  auto dir = stdfs::temp_directory_path() / (stem + "-" + std::to_string(::getpid()));
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  return dir;
}

std::string read(const stdfs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Waits (at most ~10 s) until `file` holds a line, and returns it.
std::string wait_for_line(const stdfs::path& file) {
  for (int i = 0; i < 200; ++i) {
    const std::string text = read(file);
    if (!text.empty() && text.back() == '\n') return text.substr(0, text.size() - 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

// waitpid with a limit: the status, or -1 when `pid` is still running after ~10 s.
int wait_status(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

bool running(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

}  // namespace

TEST_CASE("process: capture mode keeps stdout, stderr and the exit code apart") {
  auto runner = proc::make_runner();
  auto r = runner->run({{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {}, {}, {}, {}, {}});
  REQUIRE(r);
  CHECK(r->exit_code == 3);
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
}

TEST_CASE("process: environment, working folder and stdin reach the child") {
  const auto dir = temp_dir("stackctl-proc-cwd");
  auto runner = proc::make_runner();
  auto r = runner->run({{"sh", "-c", "echo \"$STACKCTL_T\"; pwd; cat"},
                        {{"STACKCTL_T", "value 1"}},
                        dir,
                        {},
                        {},
                        "from stdin"});
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(r->out == "value 1\n" + stdfs::canonical(dir).string() + "\nfrom stdin");
  stdfs::remove_all(dir);
}

TEST_CASE("process: streaming mode merges both streams into the log and passes lines on") {
  const auto dir = temp_dir("stackctl-proc-log");
  std::vector<std::string> lines;
  auto runner = proc::make_runner();
  auto r = runner->run({{"sh", "-c", "echo one; echo two >&2; printf three"},
                        {},
                        {},
                        dir / "build.log",
                        [&](std::string_view l) { lines.emplace_back(l); },
                        {}});
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(lines == std::vector<std::string>{"one", "two", "three"});
  CHECK(read(dir / "build.log") == "one\ntwo\nthree");
  stdfs::remove_all(dir);
}

TEST_CASE("process: a program that is not there is a failure, not an exit code") {
  auto runner = proc::make_runner();
  auto r = runner->run({{"stackctl-no-such-program"}, {}, {}, {}, {}, {}});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Contains("stackctl-no-such-program: not found in PATH"));
}

TEST_CASE("process: SIGTERM while a child runs stops the child and fails the run") {
  const auto dir = temp_dir("stackctl-proc-int");
  const auto pid_file = dir / "child.pid";
  const pid_t forked = ::fork();
  REQUIRE(forked >= 0);
  if (forked == 0) {
    // The forked copy: what main() does, then one long child. Exit 0 only when the run failed
    // because of the interrupt and no later child can start.
    proc::forward_interrupts();
    auto runner = proc::make_runner();
    auto r = runner->run(
        {{"sh", "-c", "echo $$ > '" + pid_file.string() + "'; exec sleep 30"}, {}, {}, {}, {}, {}});
    const bool stopped = !r && r.error().message.find("interrupted (") != std::string::npos &&
                         proc::interrupted() == SIGTERM;
    auto again = runner->run({{"true"}, {}, {}, {}, {}, {}});
    const bool refused = !again && again.error().message == "interrupted";
    ::_exit(stopped && refused ? 0 : 1);
  }
  const std::string child_text = wait_for_line(pid_file);
  REQUIRE_FALSE(child_text.empty());
  const pid_t child = static_cast<pid_t>(std::stol(child_text));
  CHECK(running(child));
  ::kill(forked, SIGTERM);  // to stackctl alone, as a CI runner would
  const int status = wait_status(forked);
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(running(child));  // the sleep got the signal through its process group
  stdfs::remove_all(dir);
}

TEST_CASE("process: SIGTERM with no child running ends the process as usual") {
  // The handler must not swallow a signal it has nobody to pass to.
  const auto dir = temp_dir("stackctl-proc-idle");
  const auto ready = dir / "ready";
  const pid_t forked = ::fork();
  REQUIRE(forked >= 0);
  if (forked == 0) {
    proc::forward_interrupts();
    std::ofstream(ready) << "installed\n";
    for (int i = 0; i < 200; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::_exit(0);
  }
  REQUIRE(wait_for_line(ready) == "installed");
  ::kill(forked, SIGTERM);
  const int status = wait_status(forked);
  REQUIRE(status != -1);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  stdfs::remove_all(dir);
}
