// deploy's progress on stderr: steps as plain lines; workloads as one line each, rewritten in
// place on a terminal, printed as they change otherwise (logs, CI).
#pragma once

#include <ostream>

#include "app/deploy.hpp"

namespace stackctl::cli {

class StderrProgress final : public app::DeployProgress {
 public:
  StderrProgress(std::ostream& err, bool tty) : err_(err), tty_(tty) {}
  void step(const std::string& line) override;
  void workloads(const std::vector<app::WorkloadProgress>& all) override;

 private:
  std::ostream& err_;
  bool tty_;
  std::size_t drawn_ = 0;  // workload lines on screen below the cursor (tty)
  std::vector<std::string> last_;
};

}  // namespace stackctl::cli
