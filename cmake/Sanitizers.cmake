# _san: the -fsanitize= names; STACKCTL_SANITIZER_KINDS: the same sanitizers by the names of their
# report files (asan, ubsan), for tests/sanitizers.cmake.
set(_san "")
set(STACKCTL_SANITIZER_KINDS "")
if(STACKCTL_ASAN)
  list(APPEND _san address)
  list(APPEND STACKCTL_SANITIZER_KINDS asan)
endif()
if(STACKCTL_UBSAN)
  list(APPEND _san undefined)
  list(APPEND STACKCTL_SANITIZER_KINDS ubsan)
endif()
if(_san)
  list(JOIN _san "," _san_list)
  add_compile_options(-fsanitize=${_san_list} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_san_list})
  # With both, GCC links libasan and libubsan as two shared runtimes, and UBSan then ignores
  # log_path (its reports reach only stderr, where a test may throw them away). Linked statically,
  # UBSan writes each report to UBSAN_OPTIONS' log_path, and ASan its SUMMARY line to its own
  # (tests/sanitizers.cmake; "sanitizers: a report ... is still caught" checks both).
  if(STACKCTL_ASAN AND STACKCTL_UBSAN AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_link_options(-static-libubsan)
  endif()
  if(STACKCTL_UBSAN)
    # UBSan's null and alignment checks leave a static descriptor at every pointer use: with them
    # stackctl was a 422 MB binary (.data 147 MB, .rela.dyn 129 MB) whose start alone took 0.37 s
    # of CPU and 52,000 page faults, and the test suite starts it thousands of times. ASan still
    # reports a null dereference (SEGV on address 0x0); x86-64 loads misaligned data without a
    # fault. The rest of -fsanitize=undefined stays (docs/testing.md has the figures).
    add_compile_options(-fno-sanitize=null,alignment)
  endif()
  # Line tables only (after the build type's -g, so it wins): reports keep file:line in every
  # frame, and an object compiles in about 10% less time, half the size (render.cpp: 6.7 s and
  # 3.4 MB with -g, 6.1 s and 1.6 MB with -g1).
  add_compile_options(-g1)
  # Position-dependent: the loader then has no relocations to apply to the instrumented data at
  # each start (docs/testing.md). The project builds no shared library.
  add_compile_options(-fno-pie)
  add_link_options(-no-pie)
endif()
