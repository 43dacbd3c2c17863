# Tests against the project's real Kubernetes control plane (tests/k8s; included from
# tests/CMakeLists.txt). kube_client_tests.sh builds and starts it once per machine (ensure.sh)
# and exits 77 (skipped) only when it cannot be built here. The apiserver is shared: the tests
# hold RESOURCE_LOCK k8s and work in namespaces of their own.
add_executable(stackctl_k8s_tests k8s/test_kube_client.cpp unit/main.cpp)
target_link_libraries(stackctl_k8s_tests PRIVATE stackctl_adapters Catch2::Catch2)
stackctl_warnings(stackctl_k8s_tests)
add_test(NAME "k8s: kube client (tokens, client cert, token file, exec plugin, 403, discovery, apply)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/k8s/kube_client_tests.sh $<TARGET_FILE:stackctl_k8s_tests>)
set_tests_properties("k8s: kube client (tokens, client cert, token file, exec plugin, 403, discovery, apply)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s)

add_test(NAME "k8s: doctor names staged failures (kwok-style pod status, events, RBAC, selector) and a healthy namespace"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/k8s/doctor_scenarios.sh $<TARGET_FILE:stackctl>)
set_tests_properties("k8s: doctor names staged failures (kwok-style pod status, events, RBAC, selector) and a healthy namespace"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s)

add_test(NAME "k8s: every name render derives, each at its limit, passes a server-side dry run"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/derived_names.sh $<TARGET_FILE:stackctl>)
set_tests_properties("k8s: every name render derives, each at its limit, passes a server-side dry run"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK k8s LABELS "integration;k8s")
add_test(NAME "k8s: check --cluster names a running image that is not the stack's and a hand-edited ConfigMap"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/k8s/check_cluster.sh $<TARGET_FILE:stackctl>)
set_tests_properties("k8s: check --cluster names a running image that is not the stack's and a hand-edited ConfigMap"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s)
add_test(NAME "k8s: check --cluster reads real image labels: SL003 (server Spark vs notebook PySpark), SL004 (two Pythons), none when they agree"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/k8s/check_cluster_labels.sh $<TARGET_FILE:stackctl>)
set_tests_properties("k8s: check --cluster reads real image labels: SL003 (server Spark vs notebook PySpark), SL004 (two Pythons), none when they agree"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
add_test(NAME "k8s: Spark Connect notebooks' ServiceAccount may not create pods, the drivers' may (SubjectAccessReview)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/k8s/least_privilege.sh $<TARGET_FILE:stackctl>)
set_tests_properties("k8s: Spark Connect notebooks' ServiceAccount may not create pods, the drivers' may (SubjectAccessReview)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK k8s LABELS "integration;k8s")
