// An fs::Filesystem in memory, like ninja's VirtualFileSystem: files by path, every call
// recorded in order ("write PATH", "tree DIR", "mkdir DIR", "remove PATH", "read PATH"), and
// failures on request (a path whose writes fail). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "adapters/fs.hpp"

namespace stackctl::fakes {

class MemoryFs final : public fs::Filesystem {
 public:
  struct Entry {
    std::string data;
    std::filesystem::perms mode = std::filesystem::perms(0644);
  };
  std::map<std::string, Entry> files;    // by path as given
  std::set<std::string> failing_writes;  // write_atomic / replace_tree of these paths fail

  bool exists(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    const std::string p = path.string();
    if (files.contains(p)) return true;
    for (const auto& [name, e] : files)
      if (name.starts_with(p + "/")) return true;
    return false;
  }
  std::expected<std::string, fs::Failure> read_file(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    calls_.push_back("read " + path.string());
    auto it = files.find(path.string());
    if (it == files.end())
      return std::unexpected(fs::Failure{"cannot read " + path.string() + ": No such file"});
    return it->second.data;
  }
  std::expected<void, fs::Failure> write_atomic(const std::filesystem::path& path,
                                                std::string_view data,
                                                std::filesystem::perms mode) override {
    std::lock_guard lock(mu_);
    calls_.push_back("write " + path.string());
    if (failing_writes.contains(path.string()))
      return std::unexpected(
          fs::Failure{"cannot write " + path.string() + ": Read-only file system"});
    files[path.string()] = {std::string(data), mode};
    return {};
  }
  std::expected<void, fs::Failure> replace_tree(const std::filesystem::path& dir,
                                                const std::vector<fs::OutputFile>& out) override {
    std::lock_guard lock(mu_);
    calls_.push_back("tree " + dir.string());
    if (failing_writes.contains(dir.string()))
      return std::unexpected(
          fs::Failure{"cannot write " + dir.string() + ": No space left on device"});
    const std::string prefix = dir.string() + "/";
    for (auto it = files.begin(); it != files.end();)
      it = it->first.starts_with(prefix) ? files.erase(it) : std::next(it);
    for (const auto& f : out) files[prefix + f.path] = {f.data, f.mode};
    return {};
  }
  std::expected<void, fs::Failure> create_directories(const std::filesystem::path& dir) override {
    std::lock_guard lock(mu_);
    calls_.push_back("mkdir " + dir.string());
    return {};
  }
  std::expected<void, fs::Failure> remove_file(const std::filesystem::path& path) override {
    std::lock_guard lock(mu_);
    calls_.push_back("remove " + path.string());
    files.erase(path.string());
    return {};
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Only the calls that change something (write, tree), in order.
  std::vector<std::string> writes() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& c : calls_)
      if (c.starts_with("write ") || c.starts_with("tree ")) out.push_back(c);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace stackctl::fakes
