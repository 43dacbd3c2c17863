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

// Writes `data` to a temporary file beside `path`, fsyncs it, sets `mode`, then renames it over
// `path`: readers see the old file or the new one, never half of either.
std::expected<void, Failure> write_atomic(
    const std::filesystem::path& path, std::string_view data,
    std::filesystem::perms mode = std::filesystem::perms(0644));

struct OutputFile {
  std::string path;  // relative to the output folder
  std::string data;
  std::filesystem::perms mode = std::filesystem::perms(0644);
};

// Replaces `dir` with exactly `files`: everything is written into a sibling staging folder first,
// then swapped in with renames. On any failure the previous `dir` is left as it was.
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
