// tests/servers/fault_proxy.py started as a child process (child_server.hpp) in front of a loopback
// server, for the adapter tests that need a faulty network: the proxy's own log says what it did
// to each request.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_server.hpp"

namespace stackctl::testing {

class FaultProxy : public ChildServer {
 public:
  struct Entry {
    std::string method, path, fault;
    long status = 0;
  };

  // `upstream` is a URL (http://127.0.0.1:PORT); `args` are fault_proxy.py's flags.
  FaultProxy(const std::filesystem::path& python, const std::string& upstream,
             const std::vector<std::string>& args) {
    const auto port_file = dir_.path() / "port";
    log_ = dir_.path() / "log";
    std::vector<std::string> argv = {
        python.string(), STACKCTL_SOURCE_DIR "/tests/servers/fault_proxy.py",
        "--upstream",    upstream,
        "--port-file",   port_file.string(),
        "--log",         log_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    start(std::move(argv), port_file);
  }
  ~FaultProxy() { stop(); }  // before dir_, which holds its log, is removed

  // What the proxy did, one entry per request or faulted connection, in order. The proxy writes
  // an entry just after it answered, so this waits a moment for the last one.
  std::vector<Entry> log() const {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<Entry> out;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      out.push_back({j["method"], j["path"], j["fault"], j["status"].get<long>()});
    }
    return out;
  }
  long count(const std::string& method) const {
    long n = 0;
    for (const auto& e : log()) n += e.method == method ? 1 : 0;
    return n;
  }

 private:
  TempDir dir_;
  std::filesystem::path log_;
};

}  // namespace stackctl::testing
