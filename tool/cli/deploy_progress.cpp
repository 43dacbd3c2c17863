#include "cli/deploy_progress.hpp"

namespace stackctl::cli {

namespace {

const char* mark(deploy::Rollout::State s) {
  switch (s) {
    case deploy::Rollout::State::done:
      return "ok     ";
    case deploy::Rollout::State::failed:
      return "FAILED ";
    case deploy::Rollout::State::waiting:
      break;
  }
  return "waiting";
}

}  // namespace

void StderrProgress::step(const std::string& line) {
  drawn_ = 0;  // the block of workload lines is above now: start a new one
  err_ << line << '\n';
}

void StderrProgress::workloads(const std::vector<app::WorkloadProgress>& all) {
  std::vector<std::string> lines;
  for (const auto& w : all)
    lines.push_back(std::string(mark(w.state)) + " " + w.object + ": " + w.message);
  if (tty_) {
    // Move up over the previous block and redraw it, erasing each line.
    if (drawn_ > 0) err_ << "\x1b[" << drawn_ << "A";
    for (const auto& l : lines) err_ << "\r\x1b[2K" << l << '\n';
    drawn_ = lines.size();
  } else {
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (i >= last_.size() || last_[i] != lines[i]) err_ << lines[i] << '\n';
  }
  err_.flush();
  last_ = std::move(lines);
}

}  // namespace stackctl::cli
