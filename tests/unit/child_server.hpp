// A server a test starts as a child process (tests/servers/*.py): spawned with its arguments,
// waited for until it reports the port it listens on (a "PORT <n>" line on its stdout, or a port
// file it writes), and terminated by stop() or the destructor (SIGTERM, then reaped), which is how
// a test proves that a later step used no network. MirrorServer and FaultProxy are the two kinds;
// this file also has the helpers such tests share (TempDir, find_on_path, run_program).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace stackctl::testing {

// The first executable `name` on PATH.
inline std::optional<std::filesystem::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string rest = path;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::filesystem::path candidate = std::filesystem::path(rest.substr(0, colon)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    rest.erase(0, colon + 1);
  }
  return std::nullopt;
}

// Runs a program to completion with its output discarded; its exit code, or -1 when it cannot
// start or was killed.
inline int run_program(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// A fresh folder under the temp dir, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stackctl-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ChildServer {
 public:
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 protected:
  ChildServer() = default;
  ~ChildServer() { stop(); }

  // Starts `args` (args[0] the program's path) and waits for its port: read from `port_file`
  // once the server has written it, or, without one, from the "PORT <n>" line the server prints
  // on its stdout. Throws, with the server stopped, when it does not start or report a port.
  void start(std::vector<std::string> args, const std::optional<std::filesystem::path>& port_file) {
    const std::string what = args.size() > 1 ? args[1] : args[0];
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (port_file) {
      if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start " + what);
      for (int i = 0; i < 300 && !std::filesystem::exists(*port_file); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ifstream in(*port_file);
      if (!(in >> port_)) {
        stop();
        throw std::runtime_error(what + " did not report its port in " + port_file->string());
      }
      return;
    }
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("cannot start " + what);
    }
    const std::string line = read_line(fds[0]);
    ::close(fds[0]);
    if (!line.starts_with("PORT ")) {
      stop();
      throw std::runtime_error(what + " did not report its port: '" + line + "'");
    }
    port_ = std::stoi(line.substr(5));
  }

 private:
  static std::string read_line(int fd) {
    std::string line;
    char c = 0;
    while (true) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 15000) <= 0) break;  // a python3 start takes well under a second
      if (::read(fd, &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    return line;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace stackctl::testing
