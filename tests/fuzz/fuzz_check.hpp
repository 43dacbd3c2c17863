// FUZZ_CHECK: an invariant of a fuzz target. A broken one prints what it says and aborts, which
// libFuzzer reports as a crash and saves the input (crash-<sha1>) as the reproducer.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
