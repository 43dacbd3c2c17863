// A proc::Runner that runs nothing: it records every command and answers from a script, as
// ninja's FakeCommandRunner does. For testing what drives processes (the builders) without them.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/process.hpp"

namespace stackctl::fakes {

class FakeRunner final : public proc::Runner {
 public:
  using Answer = std::function<std::expected<proc::Result, proc::Failure>(const proc::Command&)>;
  // Unset: every command exits 0 with no output.
  Answer answer;

  std::expected<proc::Result, proc::Failure> run(const proc::Command& command) override {
    {
      std::lock_guard lock(mu_);
      commands.push_back(command);
    }
    if (answer) return answer(command);
    return proc::Result{};
  }

  // argv joined with spaces, one string per command, in the order they ran.
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& c : commands) {
      std::string l;
      for (const auto& a : c.argv) l += (l.empty() ? "" : " ") + a;
      out.push_back(l);
    }
    return out;
  }

  std::vector<proc::Command> commands;

 private:
  mutable std::mutex mu_;
};

// Answers for FakeRunner::answer.
inline proc::Result exited(int code, std::string out = {}, std::string err = {}) {
  return proc::Result{code, std::move(out), std::move(err)};
}

}  // namespace stackctl::fakes
