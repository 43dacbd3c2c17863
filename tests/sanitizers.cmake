# The sanitizer build of the whole suite (included last from tests/CMakeLists.txt when the build has
# -DSTACKCTL_ASAN=ON and/or -DSTACKCTL_UBSAN=ON; tool/scripts/test.sh builds build-tests that way).
# Every test, and every process it starts that inherits its environment (stackctl, the unit and
# k8s test binaries), runs with the options below:
# - ASan: halt_on_error, detect_leaks (LeakSanitizer at exit), exitcode 99 (no stackctl exit code,
#   docs/exit-codes.md); UBSan: the build has -fno-sanitize-recover=all, so any finding ends the
#   process, with a stack trace, exit code 99.
# - Every report leaves a file, log_path=<build>/sanitizer-reports/<test>.{asan,ubsan}.<pid>: many
#   tests capture a command's stderr, or only expect it to fail, and a report on stderr alone
#   would be lost or pass for the failure the test wanted. With GCC's runtimes as linked here
#   (cmake/Sanitizers.cmake: UBSan static), a UBSan report goes whole to its file, an ASan or
#   LeakSanitizer report to stderr with its SUMMARY line (kind and place) in the file; the test
#   "sanitizers: a report in a process whose output is thrown away is still caught" proves it. The fixture's cleanup test
#   "sanitizers: no report from any test" runs after every other test and fails, printing each
#   report and the test it came from, when there is one; the test that crashed usually fails too
#   (exit code 99 where it expected another).
# - LeakSanitizer suppressions: tests/lsan.supp (each entry a Debian library's global state, with
#   its reason; none for the project's own code).
# The fixture's setup test proves the binaries are instrumented (nm: __asan_init, __ubsan_handle_*),
# so that a build without the flags cannot pass this suite vacuously, and empties the reports folder.
set(STACKCTL_SANITIZER_REPORTS ${PROJECT_BINARY_DIR}/sanitizer-reports)
set(_supp ${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp)
set(_fixture stackctl_sanitizers)

# ENVIRONMENT for one test; SLUG names its report files.
function(stackctl_sanitizer_env slug out)
  set(log ${STACKCTL_SANITIZER_REPORTS}/${slug})
  set(${out}
      "ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:exitcode=99:log_path=${log}.asan"
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99:log_path=${log}.ubsan"
      "LSAN_OPTIONS=suppressions=${_supp}:print_suppressions=0"
      PARENT_SCOPE)
endfunction()

set(_check bash ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer_reports.sh ${STACKCTL_SANITIZER_REPORTS})
list(JOIN STACKCTL_SANITIZER_KINDS "," _kinds)  # cmake/Sanitizers.cmake
add_test(NAME "sanitizers: stackctl and the test binaries are instrumented"
  COMMAND ${_check} setup ${_kinds} $<TARGET_FILE:stackctl> $<TARGET_FILE:stackctl_unit_tests>
          $<TARGET_FILE:stackctl_k8s_tests>)
set_tests_properties("sanitizers: stackctl and the test binaries are instrumented" PROPERTIES
  FIXTURES_SETUP ${_fixture})
add_test(NAME "sanitizers: no report from any test" COMMAND ${_check} check)
set_tests_properties("sanitizers: no report from any test" PROPERTIES FIXTURES_CLEANUP ${_fixture})
# The mechanism itself: a heap overflow, a leak and a signed overflow in a child process whose
# output is thrown away each end it with 99 and leave a report file.
add_executable(stackctl_sanitizer_probe sanitizer_probe.cpp)
stackctl_warnings(stackctl_sanitizer_probe)
add_test(NAME "sanitizers: a report in a process whose output is thrown away is still caught"
  COMMAND ${_check} selftest ${_kinds} $<TARGET_FILE:stackctl_sanitizer_probe>)

# Every test defined so far in this folder (add_test above and in the included *_tests.cmake).
get_property(_tests DIRECTORY PROPERTY TESTS)
foreach(t IN LISTS _tests)
  if(t MATCHES "^sanitizers: (stackctl and the test binaries are instrumented|no report from any test)$")
    continue()
  endif()
  string(MAKE_C_IDENTIFIER "${t}" slug)
  string(SUBSTRING "${slug}" 0 100 slug)
  stackctl_sanitizer_env(${slug} env)
  set_property(TEST "${t}" APPEND PROPERTY ENVIRONMENT ${env})
  set_property(TEST "${t}" APPEND PROPERTY FIXTURES_REQUIRED ${_fixture})
endforeach()

# The unit tests are discovered when ctest runs (catch_discover_tests writes their add_test calls
# into a file ctest includes), and catch_discover_tests' PROPERTIES cannot carry a list such as
# three variables for ENVIRONMENT. This file is included after the discovered one and sets the
# same properties on each name it listed (stackctl_unit_tests_TESTS).
stackctl_sanitizer_env(unit env)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/sanitizers_unit_tests.cmake
  "foreach(t IN LISTS stackctl_unit_tests_TESTS)\n"
  "  set_tests_properties(\"\${t}\" PROPERTIES ENVIRONMENT \"${env}\" FIXTURES_REQUIRED ${_fixture})\n"
  "endforeach()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
  ${CMAKE_CURRENT_BINARY_DIR}/sanitizers_unit_tests.cmake)
