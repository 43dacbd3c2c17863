# `stackctl render` golden tests: one per shipped stack, comparing every rendered file with
# tests/golden/<stack>/ (golden.cmake). Included from tests/CMakeLists.txt.
# To regenerate after an intended change (then review the diff):
#   cmake -DSTACKCTL=<build>/tool/stackctl -DROOT=<project> -DWORK=/tmp/golden -DUPDATE=1 \
#         -P tests/golden.cmake
file(GLOB STACKCTL_GOLDEN_STACKS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/stacks/*.stack.yaml)
foreach(s IN LISTS STACKCTL_GOLDEN_STACKS)
  get_filename_component(file ${s} NAME)
  string(REGEX REPLACE "\\.stack\\.yaml$" "" name ${file})
  add_test(NAME "render: golden ${name}"
    COMMAND ${CMAKE_COMMAND} -DSTACKCTL=$<TARGET_FILE:stackctl> -DROOT=${PROJECT_SOURCE_DIR}
            -DWORK=${CMAKE_CURRENT_BINARY_DIR}/golden-work -DSTACK=${name}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/golden.cmake)
endforeach()

# SIGINT/SIGTERM at many moments of a large render's staging leave no staging folder and the
# previous output byte for byte; SIGKILL's leftovers are removed by the next run.
add_test(NAME "render: interrupts leave no staging folder"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/render_interrupt.sh $<TARGET_FILE:stackctl>)
set_tests_properties("render: interrupts leave no staging folder" PROPERTIES TIMEOUT 900)
