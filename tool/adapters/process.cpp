#include "adapters/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

extern char** environ;

namespace stackctl::proc {

namespace {

// Both ends are closed on every path out of run(), early returns included.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() { close_all(); }
  bool open() { return ::pipe2(fds, O_CLOEXEC) == 0; }
  void close_all() {
    for (int& f : fds)
      if (f >= 0) {
        ::close(f);
        f = -1;
      }
  }
};

// The children running now, for the signal handler: 0 a free slot, kForking a slot taken by a
// fork in progress, else the child's pid (which is also its process group).
constexpr pid_t kForking = -1;
std::array<std::atomic<pid_t>, 256> g_children{};
std::atomic<int> g_signal{0};
constexpr std::array<int, 3> kForwarded = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_interrupt(int sig) {
  g_signal.store(sig);
  bool running = false;
  for (auto& slot : g_children) {
    const pid_t pid = slot.load();
    if (pid > 0) ::kill(-pid, sig);
    running = running || pid != 0;
  }
  if (!running) {  // nothing to stop: end as if no handler were installed
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

// A slot for the child about to be forked, or nullptr when all are taken.
std::atomic<pid_t>* reserve_slot() {
  for (auto& slot : g_children) {
    pid_t free = 0;
    if (slot.compare_exchange_strong(free, kForking)) return &slot;
  }
  return nullptr;
}

// Blocks the forwarded signals in this thread while a child is forked and registered, so the
// handler never sees a child it cannot name.
class BlockInterrupts {
 public:
  BlockInterrupts() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kForwarded) sigaddset(&set, sig);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~BlockInterrupts() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  BlockInterrupts(const BlockInterrupts&) = delete;
  BlockInterrupts& operator=(const BlockInterrupts&) = delete;
  const sigset_t& old_mask() const { return old_; }

 private:
  sigset_t old_{};
};

std::vector<std::string> child_environment(const Command& c) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : c.env) replaced = replaced || k == name;
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [k, v] : c.env) env.push_back(k + "=" + v);
  return env;
}

// In the child: wire fds, chdir, exec. Never returns; exits 127 when exec fails.
[[noreturn]] void exec_child(const Command& c, const std::string& program, int in_fd, int out_fd,
                             int err_fd, std::vector<std::string>& env, const sigset_t& mask) {
  // Its own process group; stackctl's handler is not the child's; then the parent's usual mask.
  ::setpgid(0, 0);
  for (int sig : kForwarded) ::signal(sig, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
  ::dup2(in_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  if (!c.cwd.empty() && ::chdir(c.cwd.c_str()) != 0) ::_exit(127);
  std::vector<char*> argv, envp;
  for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  ::execve(program.c_str(), argv.data(), envp.data());
  ::_exit(127);
}

// Reads both pipes until EOF; streaming mode splits lines and forwards them.
void pump(const Command& c, int out_fd, int err_fd, Result& r, std::ofstream* log) {
  std::string pending;
  struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_count = (out_fd >= 0) + (err_fd >= 0);
  if (err_fd < 0) fds[1].fd = -1;
  char buf[8192];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      const std::string_view chunk(buf, static_cast<std::size_t>(n));
      if (log == nullptr && !c.on_line) {
        (i == 0 ? r.out : r.err).append(chunk);
        continue;
      }
      if (log) log->write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      pending.append(chunk);
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        if (c.on_line) c.on_line(std::string_view(pending).substr(0, nl));
        pending.erase(0, nl + 1);
      }
    }
  }
  if (!pending.empty() && c.on_line) c.on_line(pending);
  if (log) log->flush();
}

class PosixRunner final : public Runner {
 public:
  std::expected<Result, Failure> run(const Command& c) override {
    if (c.argv.empty()) return std::unexpected(Failure{"no program given"});
    const auto program = c.argv[0].find('/') == std::string::npos
                             ? find_executable(c.argv[0])
                             : std::filesystem::path(c.argv[0]);
    if (!program) return std::unexpected(Failure{c.argv[0] + ": not found in PATH"});
    const bool streaming = !c.log_file.empty() || static_cast<bool>(c.on_line);
    std::ofstream log;
    if (!c.log_file.empty()) {
      log.open(c.log_file, std::ios::app | std::ios::binary);
      if (!log) return std::unexpected(Failure{"cannot write log " + c.log_file.string()});
    }
    Pipe in, out, err;
    if (!in.open() || !out.open() || (!streaming && !err.open()))
      return std::unexpected(Failure{std::string("pipe: ") + std::strerror(errno)});
    auto env = child_environment(c);
    if (g_signal.load() != 0) return std::unexpected(Failure{"interrupted"});
    std::atomic<pid_t>* slot = reserve_slot();
    if (slot == nullptr) return std::unexpected(Failure{"too many child processes at once"});
    pid_t pid = 0;
    {
      BlockInterrupts blocked;
      pid = ::fork();
      if (pid == 0)
        exec_child(c, program->string(), in.fds[0], out.fds[1], streaming ? out.fds[1] : err.fds[1],
                   env, blocked.old_mask());
      if (pid < 0) {
        slot->store(0);
        return std::unexpected(Failure{std::string("fork: ") + std::strerror(errno)});
      }
      ::setpgid(pid, pid);  // also here, so the group exists before any signal is forwarded
      slot->store(pid);
      // Interrupted while forking: the handler saw only the reserved slot.
      if (const int sig = g_signal.load(); sig != 0) ::kill(-pid, sig);
    }
    ::close(in.fds[0]);
    in.fds[0] = -1;
    ::close(out.fds[1]);
    out.fds[1] = -1;
    if (!streaming) {
      ::close(err.fds[1]);
      err.fds[1] = -1;
    }
    if (!c.stdin_data.empty()) {
      std::string_view rest = c.stdin_data;
      while (!rest.empty()) {
        const ssize_t n = ::write(in.fds[1], rest.data(), rest.size());
        if (n <= 0) break;
        rest.remove_prefix(static_cast<std::size_t>(n));
      }
    }
    in.close_all();
    Result r;
    pump(c, out.fds[0], streaming ? -1 : err.fds[0], r, log.is_open() ? &log : nullptr);
    out.close_all();
    err.close_all();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    slot->store(0);
    // Whatever the child reports after stackctl was interrupted is not a result to act on: podman,
    // for one, ends a build it was asked to stop with exit 0.
    if (const int sig = g_signal.load(); sig != 0)
      return std::unexpected(Failure{c.argv[0] + " stopped: stackctl was interrupted (" +
                                     std::string(::strsignal(sig)) + ")"});
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r.exit_code == 127 && streaming == false && r.err.empty())
      r.err = c.argv[0] + ": could not be executed";
    return r;
  }
};

}  // namespace

std::unique_ptr<Runner> make_runner() {
  return std::make_unique<PosixRunner>();
}

void forward_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : kForwarded) ::sigaction(sig, &sa, nullptr);
}

int interrupted() {
  return g_signal.load();
}

std::optional<std::filesystem::path> find_executable(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = rest.find(':');
    const auto dir = rest.substr(0, colon);
    std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace stackctl::proc
