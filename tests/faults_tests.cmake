# Fault tests per network client (included from tests/CMakeLists.txt): each runs one command
# through tests/servers/fault_proxy.py in front of the real server its other tests use, under
# transient faults (the command succeeds with the same result as without the proxy) and persistent
# ones (a clear failure within a bound, nothing partial written). docs/network.md says which
# requests are retried and how. The unit binary has the HTTP client's and the fetcher's own
# ("[faults]"). Each exits 77 (skipped) when its server or the control plane is missing.
set(STACKCTL_FAULT_TESTS
  "faults: lock reads published checksums through drops, stalls, truncations, 429 and 5xx=lock_faults.sh"
  "faults: check --image through a faulty registry and token server=registry_faults.sh"
  "faults: render --vault through a faulty HTTPS proxy (login POST not repeated, nothing written)=vault_faults.sh")
foreach(entry IN LISTS STACKCTL_FAULT_TESTS)
  string(REGEX REPLACE "=[^=]*$" "" name "${entry}")
  string(REGEX REPLACE "^.*=" "" script "${entry}")
  add_test(NAME "${name}"
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/${script} $<TARGET_FILE:stackctl>)
  set_tests_properties("${name}" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "integration;faults")
endforeach()
add_test(NAME "faults: doctor, drift --cluster and submit through a faulty apiserver proxy (one POST)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/kube_faults.sh $<TARGET_FILE:stackctl>)
set_tests_properties("faults: doctor, drift --cluster and submit through a faulty apiserver proxy (one POST)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s;faults")
