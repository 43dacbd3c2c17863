# `stackctl deploy` against the project's real apiserver (tests/integration/deploy.sh; included
# from tests/CMakeLists.txt). Skipped (77) only when the control plane cannot be built here; holds
# RESOURCE_LOCK k8s and works in namespaces of its own.
add_test(NAME "integration: deploy on the real apiserver (apply, no-op, prune, staged failures, 409, 403)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/deploy.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: deploy on the real apiserver (apply, no-op, prune, staged failures, 409, 403)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
