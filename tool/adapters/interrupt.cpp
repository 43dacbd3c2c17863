#include "adapters/interrupt.hpp"

#include <signal.h>

#include <array>
#include <atomic>
#include <mutex>

namespace stackctl::interrupt {

namespace {

constexpr std::array<int, 3> kDeferred = {SIGINT, SIGTERM, SIGHUP};

std::mutex g_mutex;  // guards g_depth and g_saved
int g_depth = 0;
std::array<struct sigaction, kDeferred.size()> g_saved{};
std::atomic<int> g_pending{0};

extern "C" void record(int sig) {
  g_pending.store(sig);
}

}  // namespace

Deferral::Deferral() {
  const std::lock_guard lock(g_mutex);
  if (g_depth++ > 0) return;
  struct sigaction sa {};
  sa.sa_handler = record;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < kDeferred.size(); ++i) ::sigaction(kDeferred[i], &sa, &g_saved[i]);
}

Deferral::~Deferral() {
  const std::lock_guard lock(g_mutex);
  if (--g_depth > 0) return;
  for (std::size_t i = 0; i < kDeferred.size(); ++i)
    ::sigaction(kDeferred[i], &g_saved[i], nullptr);
  if (const int sig = g_pending.exchange(0); sig != 0) ::raise(sig);
}

bool Deferral::pending() const {
  return g_pending.load() != 0;
}

}  // namespace stackctl::interrupt
