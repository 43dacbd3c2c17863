// A real HTTP mirror on loopback for adapter tests: tests/servers/mirror_server.py started as a
// child process (child_server.hpp) over a folder the test fills; it prints its port once
// listening.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "child_server.hpp"

namespace stackctl::testing {

class MirrorServer : public ChildServer {
 public:
  MirrorServer(const std::filesystem::path& python, const std::filesystem::path& root,
               const std::vector<std::string>& extra_args = {}) {
    std::vector<std::string> args = {python.string(),
                                     STACKCTL_SOURCE_DIR "/tests/servers/mirror_server.py",
                                     "--root", root.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    start(std::move(args), std::nullopt);
  }
};

}  // namespace stackctl::testing
