# `stackctl deploy` against the project's real apiserver (tests/integration/deploy.sh; included
# from tests/CMakeLists.txt). Skipped (77) only when the control plane cannot be built here; holds
# RESOURCE_LOCK k8s and works in namespaces of its own.
add_test(NAME "integration: deploy on the real apiserver (apply, no-op, prune, staged failures, 409, 403)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/deploy.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: deploy on the real apiserver (apply, no-op, prune, staged failures, 409, 403)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
# Faults (tests/integration/deploy_faults.sh): through tests/servers/fault_proxy.py dropping
# 20% of connections and answering 429 + Retry-After to a third of the requests, deploy converges
# to the objects a direct deploy makes; killed (SIGKILL, by the proxy at an exact request) at each
# ApplySet step, a rerun converges with nothing orphaned and nothing extra deleted.
add_test(NAME "integration: deploy through a faulty network converges (drops, 429 Retry-After)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/deploy_faults.sh $<TARGET_FILE:stackctl> faults)
add_test(NAME "integration: deploy killed at each ApplySet step, then rerun, orphans nothing"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/deploy_faults.sh $<TARGET_FILE:stackctl> kill)
set_tests_properties("integration: deploy through a faulty network converges (drops, 429 Retry-After)"
  "integration: deploy killed at each ApplySet step, then rerun, orphans nothing"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s LABELS "integration;k8s")
# `stackctl submit` on the real apiserver (tests/integration/submit.sh): the Job --dry-run printed,
# a second submit of a run refused, staged driver pods (Succeeded, OOMKilled, stuck Pending) give
# exit 0, 7 and 9.
add_test(NAME "integration: submit on the real apiserver (dry run = created, second run refused, staged drivers)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/submit.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: submit on the real apiserver (dry run = created, second run refused, staged drivers)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
# `stackctl submit` on a target with sparkOperator: true (tests/integration/submit_operator.sh):
# refused without the operator's CRD; with the CRD vendored from the operator's chart
# (tests/k8s/crds/) the SparkApplication --dry-run printed, validated by the apiserver, a second
# run refused, staged states COMPLETED / FAILED / RUNNING give exit 0, 7 and 9.
add_test(NAME "integration: submit through the spark-operator's CRD (missing API refused, dry run = created, staged states)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/submit_operator.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: submit through the spark-operator's CRD (missing API refused, dry run = created, staged states)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s LABELS "integration;k8s")
