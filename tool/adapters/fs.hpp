// Files on disk: whole-file reads and atomic writes.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace stackctl::fs {

struct Failure {
  std::string message;  // "cannot read stacks/x.yaml: No such file or directory"
};

// A random hex string for names of temporary files ("x.tmp-<suffix>"), so that concurrent
// writers (threads or processes) never pick the same name.
std::string random_suffix();

// The whole file. A missing or unreadable file is a Failure naming the path and the reason.
std::expected<std::string, Failure> read_file(const std::filesystem::path& path);

// The whole file, when it is a regular file (symbolic links followed) of at most `max_bytes`.
// Anything else is a Failure naming the path and why: "cannot read /dev/zero: it is not a regular
// file (a character device)", "cannot read big.yml: it is larger than 1 MiB (the limit)". Never
// blocks on a FIFO and never reads more than max_bytes + 1 bytes, so a device or a growing file
// neither hangs the caller nor fills its memory.
std::expected<std::string, Failure> read_regular_file(const std::filesystem::path& path,
                                                      std::size_t max_bytes);

// Writes `data` to a temporary file beside `path` ("<path>.tmp-<pid>-<hex>"), fsyncs it, sets
// `mode`, then renames it over `path` and fsyncs the folder: readers see the old file or the new
// one, never half of either, and after a crash the new one is there in full or not at all.
// SIGINT/SIGTERM/SIGHUP during the write are deferred (interrupt::Deferral): the temporary file is
// removed, `path` is left as it was, then the signal takes effect. Temporary files of earlier
// writers that are no longer running (killed with SIGKILL, say) are removed first.
std::expected<void, Failure> write_atomic(
    const std::filesystem::path& path, std::string_view data,
    std::filesystem::perms mode = std::filesystem::perms(0644));

struct OutputFile {
  std::string path;  // relative to the output folder
  std::string data;
  std::filesystem::perms mode = std::filesystem::perms(0644);
};

// Replaces `dir` with exactly `files`: everything is written into a sibling staging folder
// (".<name>.new-<pid>-<hex>") first, flushed with one syncfs(2) (not one fsync per file), then
// swapped in with renames, and the parent folder is fsynced so the swap is durable. On any failure
// the previous `dir` is left as it was and the staging folder is removed. SIGINT/SIGTERM/SIGHUP are
// deferred (interrupt::Deferral) until staging is removed or the swap is complete, so an interrupt
// never leaves a staging folder or a missing `dir`. Staging and ".old-" folders of earlier runs
// whose process is gone (SIGKILL, power loss) are removed before staging; those of a run still
// going (another stackctl writing the same folder) are left alone.
std::expected<void, Failure> replace_tree(const std::filesystem::path& dir,
                                          const std::vector<OutputFile>& files);

// The filesystem as a port, for code that must be testable without a disk (tool/app): what build
// and lock do with files, nothing more. disk() is the real one (the functions above);
// tests/unit/fakes/memory_fs.hpp is an in-memory one that records every call.
class Filesystem {
 public:
  virtual ~Filesystem() = default;
  // True when `path` exists (a file or a folder); an error while asking counts as absent.
  virtual bool exists(const std::filesystem::path& path) = 0;
  virtual std::expected<std::string, Failure> read_file(const std::filesystem::path& path) = 0;
  // As write_atomic() above: readers see the old file or the new one.
  virtual std::expected<void, Failure> write_atomic(const std::filesystem::path& path,
                                                    std::string_view data,
                                                    std::filesystem::perms mode) = 0;
  // As replace_tree() above: `dir` holds exactly `files` afterwards, or is left as it was.
  virtual std::expected<void, Failure> replace_tree(const std::filesystem::path& dir,
                                                    const std::vector<OutputFile>& files) = 0;
  virtual std::expected<void, Failure> create_directories(const std::filesystem::path& dir) = 0;
  // Removes a file; a file that is not there is no failure.
  virtual std::expected<void, Failure> remove_file(const std::filesystem::path& path) = 0;
};

// The real filesystem. One instance for the process; safe to use from several threads.
Filesystem& disk();

}  // namespace stackctl::fs
