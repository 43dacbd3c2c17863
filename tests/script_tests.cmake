# stackctl_script_test(NAME SCRIPT [TIMEOUT SECONDS] [RESOURCE_LOCK LOCK] [LABELS LABEL...]):
# a CTest test NAME that runs `bash tests/integration/SCRIPT path/to/stackctl`. Exit 77 is a skip
# (the scripts exit 77 when a component they need is missing: tests/integration/test_lib.sh);
# TIMEOUT defaults to 300 s. Included by the *_tests.cmake files that register scripts.
include_guard(GLOBAL)
function(stackctl_script_test name script)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "TIMEOUT;RESOURCE_LOCK" "LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "stackctl_script_test(${name}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  add_test(NAME "${name}"
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/${script} $<TARGET_FILE:stackctl>)
  set_tests_properties("${name}" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${arg_TIMEOUT})
  if(arg_RESOURCE_LOCK)
    set_tests_properties("${name}" PROPERTIES RESOURCE_LOCK "${arg_RESOURCE_LOCK}")
  endif()
  if(arg_LABELS)
    set_tests_properties("${name}" PROPERTIES LABELS "${arg_LABELS}")
  endif()
endfunction()
