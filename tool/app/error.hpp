// How build and lock fail: a value the CLI turns into an exit code and prints, as text or JSON.
#pragma once

#include <string>
#include <vector>

#include "core/diag.hpp"

namespace stackctl::app {

struct Error {
  enum class Kind {
    findings,  // the stack or the plan is wrong (plan diagnostics, a conflict with a pinned tag)
    usage,     // the request itself is malformed (a --build-arg without '=')
    input,     // a file could not be read, parsed or written (the lock)
    external,  // the builder, the registry, a download or the network failed
    drift,     // --frozen and the lock would change
    internal,  // a bug in stackctl
  };
  Kind kind = Kind::internal;
  std::string message;               // one line, no secrets
  std::vector<std::string> details;  // more lines (lock differences, the builder's last lines)
  Diagnostics diags;                 // located problems, when the stack or the lock is the cause
};

const char* to_string(Error::Kind kind);  // "findings", "usage", "input", ...

}  // namespace stackctl::app
