// A program that makes each kind of sanitizer report on demand, built with the suite's flags, so
// that tests/sanitizer_reports.sh can prove a report in any process of a test is caught (the
// "sanitizers: ..." tests, tests/sanitizers.cmake). Not part of stackctl.
//   stackctl_sanitizer_probe heap|leak|ub|none
#include <cstdlib>
#include <cstring>
#include <limits>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const char* mode = argv[1];
  // volatile: the compiler must not see through the values and fold the faults away.
  volatile int n = argc;
  if (std::strcmp(mode, "heap") == 0) {
    auto* p = static_cast<char*>(std::malloc(4));
    p[n + 2] = 1;  // 4 is one past the end
    const int r = p[0];
    std::free(p);
    return r;
  }
  if (std::strcmp(mode, "leak") == 0) {
    void* volatile p = std::malloc(77);
    p = nullptr;
    return p == nullptr ? 0 : 1;
  }
  if (std::strcmp(mode, "ub") == 0) {
    volatile int big = std::numeric_limits<int>::max();
    return big + n;  // signed overflow
  }
  return std::strcmp(mode, "none") == 0 ? 0 : 2;
}
