set(_san "")
if(STACKCTL_ASAN)
  list(APPEND _san address)
endif()
if(STACKCTL_UBSAN)
  list(APPEND _san undefined)
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
endif()
