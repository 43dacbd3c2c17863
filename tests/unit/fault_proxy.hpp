// tests/servers/fault_proxy.py started as a child process in front of a loopback server, for the
// adapter tests that need a faulty network: the proxy's own log says what it did to each request.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mirror_server.hpp"

namespace stackctl::testing {

class FaultProxy {
 public:
  struct Entry {
    std::string method, path, fault;
    long status = 0;
  };

  // `upstream` is a URL (http://127.0.0.1:PORT); `args` are fault_proxy.py's flags.
  FaultProxy(const std::filesystem::path& python, const std::string& upstream,
             const std::vector<std::string>& args) {
    port_file_ = dir_.path() / "port";
    log_ = dir_.path() / "log";
    const std::string script = STACKCTL_SOURCE_DIR "/tests/servers/fault_proxy.py";
    std::vector<std::string> argv_s = {python.string(), script,        "--upstream",
                                       upstream,        "--port-file", port_file_.string(),
                                       "--log",         log_.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, python.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + script);
    for (int i = 0; i < 300 && !std::filesystem::exists(port_file_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(port_file_);
    if (!(in >> port_)) {
      stop();
      throw std::runtime_error("the fault proxy did not report its port");
    }
  }
  ~FaultProxy() { stop(); }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

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

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  TempDir dir_;
  std::filesystem::path port_file_, log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace stackctl::testing
