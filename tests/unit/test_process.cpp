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
#include <string>
#include <thread>
#include <vector>

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

TEST_CASE("process: 10 MiB through stdin while the child writes 10 MiB to stdout") {
  // cat writes as it reads: a runner that wrote all of stdin before reading stdout would block
  // on a full pipe in both directions.
  std::string input(10 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<char>('a' + i % 23);
  auto runner = proc::make_runner();
  auto r = runner->run({{"cat"}, {}, {}, {}, {}, input});
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(r->out.size() == input.size());
  CHECK(r->out == input);
  CHECK(r->err.empty());
}

TEST_CASE("process: a child that reads none of a large stdin is its exit code, not a SIGPIPE") {
  // Without SIGPIPE handled, the write after the child's exit would kill the test binary.
  const std::string input(4 * 1024 * 1024, 'x');
  auto runner = proc::make_runner();
  auto r = runner->run({{"sh", "-c", "exec 0<&-; echo closed; exit 7"}, {}, {}, {}, {}, input});
  REQUIRE(r);
  CHECK(r->exit_code == 7);
  CHECK(r->out == "closed\n");
  sigset_t pending;
  sigemptyset(&pending);
  ::sigpending(&pending);
  CHECK_FALSE(sigismember(&pending, SIGPIPE));  // none left behind for later
}

TEST_CASE("process: children started from several threads at once each get their own I/O") {
  constexpr int kThreads = 8;
  constexpr int kRuns = 12;
  auto runner = proc::make_runner();
  std::vector<std::string> problems(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRuns; ++i) {
        const std::string input = "thread " + std::to_string(t) + " run " + std::to_string(i) +
                                  std::string(static_cast<std::size_t>(70000 + t * 1000), '.');
        auto r = runner->run({{"sh", "-c", "cat; echo \"$STACKCTL_N\" >&2"},
                              {{"STACKCTL_N", std::to_string(t * 100 + i)}},
                              {},
                              {},
                              {},
                              input});
        if (!r) {
          problems[t] = r.error().message;
        } else if (r->exit_code != 0 || r->out != input ||
                   r->err != std::to_string(t * 100 + i) + "\n") {
          problems[t] = "thread " + std::to_string(t) + " run " + std::to_string(i) + ": exit " +
                        std::to_string(r->exit_code) + ", err \"" + r->err + "\"";
        }
        if (!problems[t].empty()) return;
      }
    });
  for (auto& th : threads) th.join();
  for (const auto& p : problems) CHECK(p.empty());
}

TEST_CASE("process: a working folder that does not exist is a failure naming it") {
  auto runner = proc::make_runner();
  auto r = runner->run({{"true"}, {}, "/nonexistent/stackctl-no-such-dir", {}, {}, {}});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Contains("/nonexistent/stackctl-no-such-dir"));
}
