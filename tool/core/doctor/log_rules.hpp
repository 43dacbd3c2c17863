// Rules that read pods' log lines (Snapshot::logs): the Spark-specific signals of the failure
// catalogue (/work/shared/facts/kubernetes.md items 8-17) and the users' troubleshooting table
// (facts/errors.md "Platform"). Data: one LogSignal per code, matched line by line; a line is
// claimed by the first signal (table order) it matches, so an UnknownHostException naming the
// object store's virtual host is D_S3_VIRTUAL_HOST and not also D_DRIVER_UNREACHABLE. One
// finding per container and code, quoting the first matching line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/doctor/rules.hpp"

namespace stackctl::doctor {

struct LogSignal {
  std::string code;
  std::string title;
  Severity severity = Severity::error;
  // The line matches when it contains every string of one of these groups.
  std::vector<std::vector<std::string>> any_of;
  std::string cause;
  std::string fix;
  std::string stack_key;  // "" when the fix is not a stack change
};

const std::vector<LogSignal>& log_signals();

// The code of the first signal `line` matches, or "" (object_store_host: Snapshot's).
std::string match_log_line(std::string_view line, const std::string& object_store_host);

std::vector<Rule> log_rules();

}  // namespace stackctl::doctor

namespace stackctl::doctor {

// The logs worth reading of one pod: containers (init ones too) that are crash-looping, waiting
// after a failure, terminated with a non-zero exit, or running but not ready. `previous` for
// each that has a last terminated state (the crash's log), the current log otherwise (and for
// running ones too). Healthy pods need none.
struct LogRequest {
  std::string container;
  bool previous = false;
};
std::vector<LogRequest> logs_to_read(const kube::Json& pod);

}  // namespace stackctl::doctor
