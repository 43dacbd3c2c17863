#include "adapters/fs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "adapters/interrupt.hpp"
#include "adapters/stack_files.hpp"

namespace stackctl::fs {

namespace stdfs = std::filesystem;

namespace {

Failure errno_failure(const std::string& what, const std::filesystem::path& p) {
  return {what + " " + p.string() + ": " + std::strerror(errno)};
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISCHR(mode)) return "it is not a regular file (a character device)";
  if (S_ISBLK(mode)) return "it is not a regular file (a block device)";
  if (S_ISFIFO(mode)) return "it is not a regular file (a FIFO)";
  if (S_ISSOCK(mode)) return "it is not a regular file (a socket)";
  return "it is not a regular file";
}

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::expected<std::string, Failure> read_regular_file(const std::filesystem::path& path,
                                                      std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) return std::unexpected(errno_failure("cannot read", path));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return std::unexpected(errno_failure("cannot read", path));
  const std::string too_big = "cannot read " + path.string() + ": it is larger than " +
                              size_text(max_bytes) + " (the limit)";
  if (!S_ISREG(st.st_mode))
    return std::unexpected(Failure{"cannot read " + path.string() + ": " + file_kind(st.st_mode)});
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) return std::unexpected(Failure{too_big});
  // st_size may be 0 for files that have content (/proc) or grow while read: read at most one
  // byte past the limit to tell.
  std::string data;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(errno_failure("cannot read", path));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > max_bytes) return std::unexpected(Failure{too_big});
  }
  return data;
}

std::expected<std::string, Failure> read_inside(const std::filesystem::path& dir,
                                                const std::filesystem::path& relative,
                                                std::size_t max_bytes) {
  namespace stdfs = std::filesystem;
  const stdfs::path shown = dir.empty() ? relative : dir / relative;
  std::error_code ec;
  const stdfs::path root = stdfs::canonical(dir.empty() ? stdfs::path(".") : dir, ec);
  if (ec) return std::unexpected(Failure{"cannot read " + shown.string() + ": " + ec.message()});
  const stdfs::path target = stdfs::weakly_canonical(root / relative, ec);
  if (ec) return std::unexpected(Failure{"cannot read " + shown.string() + ": " + ec.message()});
  const stdfs::path inside = target.lexically_relative(root);
  if (relative.is_absolute() || inside.empty() || *inside.begin() == "..")
    return std::unexpected(Failure{"cannot read " + shown.string() +
                                   ": it leads outside the stack's folder, to " + target.string()});
  auto data = read_regular_file(target, max_bytes);
  if (!data) {
    // Name the file as the stack does, not by its resolved path.
    Failure f = data.error();
    const std::string resolved = target.string();
    if (auto pos = f.message.find(resolved); pos != std::string::npos)
      f.message.replace(pos, resolved.size(), shown.string());
    return std::unexpected(std::move(f));
  }
  return data;
}

std::expected<std::string, Failure> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return std::unexpected(Failure{"cannot read " + path.string() + ": it is a directory"});
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(errno_failure("cannot read", path));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::unexpected(errno_failure("cannot read", path));
  return s.str();
}

namespace {

// Temporary names carry the writer's pid, "<pid>-<hex>", so a later run can tell the leftovers of
// a process that is gone (removed) from those of one still running (kept).
std::string owned_suffix() {
  return std::to_string(::getpid()) + "-" + random_suffix();
}

// True when `suffix` (what follows ".new-", ".old-" or ".tmp-") names no running process: its
// pid is dead, or it is a bare hex suffix from a version that wrote no pid.
bool stale_suffix(std::string_view suffix) {
  const auto dash = suffix.find('-');
  if (dash == std::string_view::npos)
    return !suffix.empty() && suffix.find_first_not_of("0123456789abcdef") == suffix.npos;
  pid_t pid = 0;
  for (const char c : suffix.substr(0, dash)) {
    if (c < '0' || c > '9' || pid > 100000000) return false;
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0 || pid == ::getpid()) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// Removes the entries of `dir` named `prefix` + a stale suffix.
void remove_stale(const std::filesystem::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(prefix) && stale_suffix(std::string_view(name).substr(prefix.size())))
      std::filesystem::remove_all(e.path(), ec);
  }
}

// fsync of a directory: makes a rename or a new entry in it durable (rename(2) alone is atomic
// but not durable; fsync(2): "calling fsync() on the file does not necessarily ensure that the
// entry in the directory containing the file has also reached disk").
bool sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// write_atomic without the deferral and the stale scan: a temporary file, fsync, rename.
std::expected<void, Failure> write_new(const std::filesystem::path& path, std::string_view data,
                                       std::filesystem::perms mode,
                                       const interrupt::Deferral& deferral) {
  const auto tmp = path.string() + ".tmp-" + owned_suffix();
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return std::unexpected(errno_failure("cannot write", path));
  const bool ok =
      ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && write_all(fd, data) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (ok && deferral.pending()) {
    ::unlink(tmp.c_str());
    return std::unexpected(Failure{"cannot write " + path.string() + ": interrupted"});
  }
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) errno = saved;
    auto failure = errno_failure("cannot write", path);
    ::unlink(tmp.c_str());
    return std::unexpected(failure);
  }
  return {};
}

// A new file inside a staging folder no reader sees: written in place, not synced (replace_tree
// syncs the whole staging folder once, with syncfs, before it is swapped in).
std::expected<void, Failure> write_staged(const std::filesystem::path& path, std::string_view data,
                                          std::filesystem::perms mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return std::unexpected(errno_failure("cannot write", path));
  const bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && write_all(fd, data);
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    errno = saved;
    return std::unexpected(errno_failure("cannot write", path));
  }
  return {};
}

// One syncfs(2) for everything written under `dir` (its files' data and the directory entries
// all live on one filesystem): one flush instead of one fsync per file.
bool sync_filesystem_of(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::syncfs(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::expected<void, Failure> write_atomic(const std::filesystem::path& path, std::string_view data,
                                          std::filesystem::perms mode) {
  const interrupt::Deferral deferral;
  const std::filesystem::path parent = path.parent_path().empty() ? "." : path.parent_path();
  remove_stale(parent, path.filename().string() + ".tmp-");
  if (auto w = write_new(path, data, mode, deferral); !w) return w;
  if (!sync_directory(parent)) return std::unexpected(errno_failure("cannot sync", parent));
  return {};
}

std::expected<void, Failure> replace_tree(const std::filesystem::path& dir,
                                          const std::vector<OutputFile>& files) {
  const interrupt::Deferral deferral;
  std::error_code ec;
  const stdfs::path target = stdfs::absolute(dir, ec);
  const stdfs::path parent = target.parent_path();
  const std::string name = target.filename().string();
  stdfs::create_directories(parent, ec);
  if (ec) return std::unexpected(Failure{"cannot create " + parent.string() + ": " + ec.message()});
  remove_stale(parent, "." + name + ".new-");
  // A stale ".old-" folder is the previous output only when the swap was cut between its two
  // renames; with the output in place, it is garbage.
  if (stdfs::exists(target, ec)) remove_stale(parent, "." + name + ".old-");
  const stdfs::path staging = parent / ("." + name + ".new-" + owned_suffix());
  // Its own error_code: a cleanup must not overwrite the reason of the failure it follows.
  auto cleanup = [&] {
    std::error_code ignored;
    stdfs::remove_all(staging, ignored);
  };
  const Failure interrupted{"interrupted; nothing was changed in " + target.string()};
  for (const auto& f : files) {
    if (deferral.pending()) {
      cleanup();
      return std::unexpected(interrupted);
    }
    const stdfs::path p = staging / f.path;
    stdfs::create_directories(p.parent_path(), ec);
    if (ec) {
      cleanup();
      return std::unexpected(
          Failure{"cannot write " + (target / f.path).string() + ": " + ec.message()});
    }
    if (auto w = write_staged(p, f.data, f.mode); !w) {
      cleanup();
      if (deferral.pending()) return std::unexpected(interrupted);
      return std::unexpected(Failure{"cannot write " + (target / f.path).string() + ": " +
                                     w.error().message.substr(w.error().message.rfind(": ") + 2)});
    }
  }
  if (deferral.pending()) {
    cleanup();
    return std::unexpected(interrupted);
  }
  // Every staged byte reaches the disk before the swap, so a crash after it never shows a
  // half-written file: once, for the whole folder.
  if (!sync_filesystem_of(staging)) {
    auto failure = errno_failure("cannot sync", staging);
    cleanup();
    return std::unexpected(failure);
  }
  // From here on the swap runs to its end (or its rollback) before a signal is acted on.
  const stdfs::path old = parent / ("." + name + ".old-" + owned_suffix());
  const bool had_old = stdfs::exists(target, ec);
  if (had_old && ::rename(target.c_str(), old.c_str()) != 0) {
    auto failure = errno_failure("cannot replace", target);
    cleanup();
    return std::unexpected(failure);
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    auto failure = errno_failure("cannot replace", target);
    if (had_old) ::rename(old.c_str(), target.c_str());
    cleanup();
    return std::unexpected(failure);
  }
  // The renames themselves are durable once the parent folder is synced.
  if (!sync_directory(parent)) {
    auto failure = errno_failure("cannot sync", parent);
    if (had_old) stdfs::remove_all(old, ec);
    return std::unexpected(failure);
  }
  if (had_old) stdfs::remove_all(old, ec);
  return {};
}

std::string random_suffix() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd() << rd();
  return s.str();
}

namespace {

class Disk final : public Filesystem {
 public:
  bool exists(const stdfs::path& path) override {
    std::error_code ec;
    return stdfs::exists(path, ec);
  }
  std::expected<std::string, Failure> read_file(const stdfs::path& path) override {
    return fs::read_file(path);
  }
  std::expected<void, Failure> write_atomic(const stdfs::path& path, std::string_view data,
                                            stdfs::perms mode) override {
    return fs::write_atomic(path, data, mode);
  }
  std::expected<void, Failure> replace_tree(const stdfs::path& dir,
                                            const std::vector<OutputFile>& files) override {
    return fs::replace_tree(dir, files);
  }
  std::expected<void, Failure> create_directories(const stdfs::path& dir) override {
    std::error_code ec;
    stdfs::create_directories(dir, ec);
    if (ec) return std::unexpected(Failure{"cannot create " + dir.string() + ": " + ec.message()});
    return {};
  }
  std::expected<void, Failure> remove_file(const stdfs::path& path) override {
    std::error_code ec;
    stdfs::remove(path, ec);
    if (ec) return std::unexpected(Failure{"cannot remove " + path.string() + ": " + ec.message()});
    return {};
  }
};

}  // namespace

Filesystem& disk() {
  static Disk instance;
  return instance;
}

}  // namespace stackctl::fs
