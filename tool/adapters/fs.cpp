#include "adapters/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

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

}  // namespace

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

std::expected<void, Failure> write_atomic(const std::filesystem::path& path, std::string_view data,
                                          std::filesystem::perms mode) {
  const auto tmp = path.string() + ".tmp-" + random_suffix();
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return std::unexpected(errno_failure("cannot write", path));
  const bool ok =
      ::fchmod(fd, static_cast<mode_t>(mode)) == 0 && write_all(fd, data) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) errno = saved;
    auto failure = errno_failure("cannot write", path);
    ::unlink(tmp.c_str());
    return std::unexpected(failure);
  }
  return {};
}

std::expected<void, Failure> replace_tree(const std::filesystem::path& dir,
                                          const std::vector<OutputFile>& files) {
  std::error_code ec;
  const stdfs::path target = stdfs::absolute(dir, ec);
  const stdfs::path parent = target.parent_path();
  stdfs::create_directories(parent, ec);
  if (ec) return std::unexpected(Failure{"cannot create " + parent.string() + ": " + ec.message()});
  const stdfs::path staging =
      parent / ("." + target.filename().string() + ".new-" + random_suffix());
  auto cleanup = [&] { stdfs::remove_all(staging, ec); };
  for (const auto& f : files) {
    const stdfs::path p = staging / f.path;
    stdfs::create_directories(p.parent_path(), ec);
    if (ec) {
      cleanup();
      return std::unexpected(
          Failure{"cannot write " + (target / f.path).string() + ": " + ec.message()});
    }
    if (auto w = write_atomic(p, f.data, f.mode); !w) {
      cleanup();
      return std::unexpected(Failure{"cannot write " + (target / f.path).string() + ": " +
                                     w.error().message.substr(w.error().message.rfind(": ") + 2)});
    }
  }
  const stdfs::path old = parent / ("." + target.filename().string() + ".old-" + random_suffix());
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
