#include "adapters/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <utility>

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

// The child's environment as "KEY=VALUE" strings: the parent's, with `c.env` added or replacing.
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

// NULL-terminated pointers into `strings`, which must outlive the result.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn's attributes and file actions, destroyed on every path out.
class SpawnSetup {
 public:
  SpawnSetup() {
    ok_ = ::posix_spawnattr_init(&attr_) == 0;
    ok_ = ::posix_spawn_file_actions_init(&actions_) == 0 && ok_;
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // The child: its own process group (pgid = its pid), default dispositions for the forwarded
  // signals and SIGPIPE, `mask` as its signal mask, fds 0/1/2 from the pipes, `cwd` when given.
  bool prepare(const sigset_t& mask, int in_fd, int out_fd, int err_fd,
               const std::filesystem::path& cwd) {
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : kForwarded) sigaddset(&defaults, sig);
    sigaddset(&defaults, SIGPIPE);
    bool ok = ok_;
    ok = ok && ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                      POSIX_SPAWN_SETSIGMASK) == 0;
    ok = ok && ::posix_spawnattr_setpgroup(&attr_, 0) == 0;
    ok = ok && ::posix_spawnattr_setsigdefault(&attr_, &defaults) == 0;
    ok = ok && ::posix_spawnattr_setsigmask(&attr_, &mask) == 0;
    ok = ok && ::posix_spawn_file_actions_adddup2(&actions_, in_fd, STDIN_FILENO) == 0;
    ok = ok && ::posix_spawn_file_actions_adddup2(&actions_, out_fd, STDOUT_FILENO) == 0;
    ok = ok && ::posix_spawn_file_actions_adddup2(&actions_, err_fd, STDERR_FILENO) == 0;
    if (!cwd.empty())
      ok = ok && ::posix_spawn_file_actions_addchdir_np(&actions_, cwd.c_str()) == 0;
    return ok;
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_{};
  posix_spawn_file_actions_t actions_{};
  bool ok_ = false;
};

// Blocks SIGPIPE in this thread while the child's stdin is written: a child that exits without
// reading all of it makes write() fail with EPIPE instead of killing stackctl. A SIGPIPE left
// pending by such a write is taken (sigtimedwait) before the old mask comes back, so it is never
// delivered late. SIGPIPE raised by write() is sent to the writing thread, so other threads are
// not affected.
class QuietPipe {
 public:
  QuietPipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~QuietPipe() {
    if (broken_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{0, 0};
      while (::sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  QuietPipe(const QuietPipe&) = delete;
  QuietPipe& operator=(const QuietPipe&) = delete;
  void broken() { broken_ = true; }

 private:
  sigset_t old_{};
  bool broken_ = false;
};

// Writes `input` to in_fd (non-blocking) while reading out_fd and err_fd until EOF, all in one
// poll loop, so neither side can fill a pipe and wait for the other. in_fd is closed when all
// input is written or the child stopped reading (EPIPE). Streaming mode splits lines and
// forwards them.
void pump(const Command& c, int in_fd, int out_fd, int err_fd, Result& r, std::ofstream* log) {
  std::string pending;
  std::string_view input = c.stdin_data;
  QuietPipe quiet;
  struct pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
  const auto close_input = [&] {
    if (fds[2].fd >= 0) ::close(fds[2].fd);
    fds[2].fd = -1;
  };
  if (input.empty()) close_input();
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(fds[2].fd, input.data(), input.size());
      if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
      if (n < 0 && errno == EPIPE) quiet.broken();
      if (input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) close_input();
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        fds[i].fd = -1;
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
  close_input();
  if (!pending.empty() && c.on_line) c.on_line(pending);
  if (log) log->flush();
}

// Starts the child with posix_spawn: everything it needs (argv, envp, file actions) is built
// before, so nothing allocates between fork and exec (glibc spawns with CLONE_VM|CLONE_VFORK and
// reports an exec failure as the return value). The forwarded signals stay blocked in this thread
// until the child is in g_children, so the handler never misses a child it should stop.
struct Child {
  pid_t pid = 0;
  std::atomic<pid_t>* slot = nullptr;  // its entry in g_children, freed once it is reaped
};

std::expected<Child, Failure> spawn(const Command& c, const std::filesystem::path& program,
                                    int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> args = c.argv;
  std::vector<std::string> env = child_environment(c);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env);
  if (g_signal.load() != 0) return std::unexpected(Failure{"interrupted"});
  std::atomic<pid_t>* slot = reserve_slot();
  if (slot == nullptr) return std::unexpected(Failure{"too many child processes at once"});
  BlockInterrupts blocked;
  SpawnSetup setup;
  if (!setup.prepare(blocked.old_mask(), in_fd, out_fd, err_fd, c.cwd)) {
    slot->store(0);
    return std::unexpected(Failure{"cannot prepare to start " + c.argv[0]});
  }
  pid_t pid = 0;
  const int rc =
      ::posix_spawn(&pid, program.c_str(), setup.actions(), setup.attr(), argv.data(), envp.data());
  if (rc != 0) {
    slot->store(0);
    std::string why = std::strerror(rc);
    if (!c.cwd.empty() && rc == ENOENT && ::access(c.cwd.c_str(), F_OK) != 0)
      why = "no folder " + c.cwd.string();
    return std::unexpected(Failure{"cannot start " + program.string() + ": " + why});
  }
  slot->store(pid);
  // Interrupted while spawning: the handler saw only the reserved slot.
  if (const int sig = g_signal.load(); sig != 0) ::kill(-pid, sig);
  return Child{pid, slot};
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
    if (::fcntl(in.fds[1], F_SETFL, O_NONBLOCK) != 0)
      return std::unexpected(Failure{std::string("fcntl: ") + std::strerror(errno)});
    auto child = spawn(c, *program, in.fds[0], out.fds[1], streaming ? out.fds[1] : err.fds[1]);
    if (!child) return std::unexpected(child.error());
    // The parent keeps only its own ends, so EOF arrives when the child (and its children) exit.
    for (int* fd : {&in.fds[0], &out.fds[1], &err.fds[1]})
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
    Result r;
    const int in_fd = std::exchange(in.fds[1], -1);  // pump closes it
    pump(c, in_fd, out.fds[0], streaming ? -1 : err.fds[0], r, log.is_open() ? &log : nullptr);
    out.close_all();
    err.close_all();
    int status = 0;
    while (::waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
    }
    child->slot->store(0);
    // Whatever the child reports after stackctl was interrupted is not a result to act on: podman,
    // for one, ends a build it was asked to stop with exit 0.
    if (const int sig = g_signal.load(); sig != 0)
      return std::unexpected(Failure{c.argv[0] + " stopped: stackctl was interrupted (" +
                                     std::string(::strsignal(sig)) + ")"});
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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
