// Interrupts during work that leaves things on disk until it is done (a staging folder, a
// temporary file): Ctrl-C must not leave them behind.
//
// While a Deferral is alive, SIGINT, SIGTERM and SIGHUP are recorded instead of acted on. Its
// owner polls pending() between steps, removes what it made and returns; when the last Deferral
// ends, the recorded signal is raised again under the handlers that were installed before (the
// child forwarding of proc::forward_interrupts(), or the default action), so stackctl ends the way
// it would have, only after cleaning up. A signal is held for at most one step (one file written),
// so Ctrl-C still stops a large render at once. SIGKILL cannot be deferred: what it leaves is
// removed by the next run (see fs::replace_tree and fs::write_atomic).
#pragma once

namespace stackctl::interrupt {

class Deferral {
 public:
  Deferral();
  ~Deferral();
  Deferral(const Deferral&) = delete;
  Deferral& operator=(const Deferral&) = delete;

  // A signal arrived since the first live Deferral began: stop, clean up, return.
  bool pending() const;
};

}  // namespace stackctl::interrupt
