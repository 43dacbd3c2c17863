// fs: bounded reads of files a stack names, and atomic writes that an interrupt cannot leave half
// done (interrupt::Deferral), with the leftovers of dead writers removed by the next one.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/fs.hpp"
#include "adapters/interrupt.hpp"

namespace stdfs = std::filesystem;
using namespace stackctl;

namespace {

struct TempDir {
  stdfs::path path;
  TempDir() {
    std::random_device rd;
    path = stdfs::temp_directory_path() /
           ("stackctl-fs-test-" + std::to_string(rd()) + std::to_string(rd()));
    stdfs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

void write(const stdfs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::vector<std::string> names_in(const stdfs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A pid that names no process: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("read_regular_file reads a regular file whole, up to the limit") {
  TempDir t;
  write(t.path / "env.yml", std::string(1000, 'x'));
  auto r = fs::read_regular_file(t.path / "env.yml", 1000);
  REQUIRE(r);
  CHECK(r->size() == 1000);
  auto big = fs::read_regular_file(t.path / "env.yml", 999);
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "cannot read " + (t.path / "env.yml").string() +
                                   ": it is larger than 999 bytes (the limit)");
  CHECK(fs::read_regular_file(t.path / "env.yml", 1024 * 1024));
}

TEST_CASE("read_regular_file refuses directories, devices and FIFOs without blocking") {
  TempDir t;
  auto dir = fs::read_regular_file("/etc", 1024);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message == "cannot read /etc: it is a directory");
  auto zero = fs::read_regular_file("/dev/zero", 1024);
  REQUIRE_FALSE(zero);
  CHECK(zero.error().message ==
        "cannot read /dev/zero: it is not a regular file (a character device)");
  const stdfs::path fifo = t.path / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto f = fs::read_regular_file(fifo, 1024);  // no writer: a blocking open would hang here
  REQUIRE_FALSE(f);
  CHECK(f.error().message ==
        "cannot read " + fifo.string() + ": it is not a regular file (a FIFO)");
  auto missing = fs::read_regular_file(t.path / "none.yml", 1024);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message ==
        "cannot read " + (t.path / "none.yml").string() + ": No such file or directory");
}

TEST_CASE("read_regular_file stops one byte past the limit of a file whose size it cannot see") {
  // /proc files report size 0 and have content.
  auto r = fs::read_regular_file("/proc/self/status", 16);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "cannot read /proc/self/status: it is larger than 16 bytes (the limit)");
}

TEST_CASE("a signal during a Deferral waits for its end, then acts as before") {
  TempDir t;
  const stdfs::path marker = t.path / "cleaned";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGINT, SIG_DFL);  // the test framework's handler would report the signal
    {
      const interrupt::Deferral outer;
      {
        const interrupt::Deferral inner;  // nested: the signal waits for the outermost
        ::raise(SIGINT);
        if (!inner.pending()) ::_exit(10);
      }
      if (!outer.pending()) ::_exit(11);
      write(marker, "done");  // the owner's cleanup runs before the signal takes effect
    }
    ::_exit(12);  // not reached: the default action of SIGINT ends the process
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGINT);
  CHECK(stdfs::exists(marker));
}

TEST_CASE("with no signal, a Deferral changes nothing") {
  const interrupt::Deferral d;
  CHECK_FALSE(d.pending());
}

TEST_CASE("replace_tree removes the staging folders of dead runs and keeps a live run's") {
  TempDir t;
  const stdfs::path out = t.path / "out";
  REQUIRE(fs::replace_tree(out, {{"a.txt", "old", stdfs::perms(0644)}}));
  const std::string dead = ".out.new-" + std::to_string(dead_pid()) + "-abc123";
  const std::string legacy = ".out.new-deadbeef";  // written before pids were in the name
  const std::string live = ".out.new-" + std::to_string(::getppid()) + "-abc123";
  const std::string old = ".out.old-" + std::to_string(dead_pid()) + "-abc123";
  for (const auto& n : {dead, legacy, live, old}) {
    stdfs::create_directories(t.path / n / "images");
    write(t.path / n / "images" / "f", "x");
  }
  REQUIRE(fs::replace_tree(out, {{"a.txt", "new", stdfs::perms(0644)}}));
  CHECK(names_in(t.path) == std::vector<std::string>{live, "out"});
  CHECK(*fs::read_file(out / "a.txt") == "new");
}

TEST_CASE("write_atomic removes temporary files of dead writers beside the file") {
  TempDir t;
  const stdfs::path lock = t.path / "stack.lock";
  const std::string dead = "stack.lock.tmp-" + std::to_string(dead_pid()) + "-abc";
  const std::string other = "other.lock.tmp-" + std::to_string(dead_pid()) + "-abc";
  write(t.path / dead, "half");
  write(t.path / other, "half");
  REQUIRE(fs::write_atomic(lock, "whole\n"));
  CHECK(names_in(t.path) == std::vector<std::string>{other, "stack.lock"});
  CHECK(*fs::read_file(lock) == "whole\n");
}

TEST_CASE("replace_tree names the real reason when a folder cannot be made, never \"Success\"") {
  // /proc refuses new entries (ENOENT from mkdir), as a read-only or foreign mount would.
  auto r =
      fs::replace_tree("/proc/stackctl-no-such-output", {{"a/b.txt", "x", stdfs::perms(0644)}});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "cannot write /proc/stackctl-no-such-output/a/b.txt: No such file or directory");
  CHECK_FALSE(stdfs::exists("/proc/stackctl-no-such-output"));
}
