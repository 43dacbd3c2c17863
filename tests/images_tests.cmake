# Image builds (included from tests/CMakeLists.txt). The quickstart integration test renders
# examples/quickstart with stackctl and builds every rendered Dockerfile for real with buildah
# (vfs storage, chroot isolation) from a local debootstrap base. It needs root, buildah,
# debootstrap and Debian's mirror; without buildah or debootstrap it reports SKIPPED (exit 77).
# The first run on a machine also makes the base image (debootstrap: 25 s to a few minutes).
add_test(NAME "integration: build quickstart images"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/build_quickstart.sh
          $<TARGET_FILE:stackctl> ${PROJECT_SOURCE_DIR})
set_tests_properties("integration: build quickstart images" PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 1800
  LABELS "integration;images")
