# Fault tests per network client (included from tests/CMakeLists.txt): each runs one command
# through tests/servers/fault_proxy.py in front of the real server its other tests use, under
# transient faults (the command succeeds with the same result as without the proxy) and persistent
# ones (a clear failure within a bound, nothing partial written). docs/network.md says which
# requests are retried and how. The unit binary has the HTTP client's and the fetcher's own
# ("[faults]"). Each exits 77 (skipped) when its server or the control plane is missing.
include(${CMAKE_CURRENT_LIST_DIR}/script_tests.cmake)
stackctl_script_test(
  "faults: lock reads published checksums through drops, stalls, truncations, 429 and 5xx"
  lock_faults.sh LABELS integration faults)
stackctl_script_test(
  "faults: build downloads its jar through a faulty mirror (ridden out, or exit 4 and an empty cache when persistent)"
  build_faults.sh TIMEOUT 600 LABELS integration faults images)
stackctl_script_test("faults: check --image through a faulty registry and token server"
  registry_faults.sh LABELS integration faults)
stackctl_script_test(
  "faults: render --vault through a faulty HTTPS proxy (login POST not repeated, nothing written)"
  vault_faults.sh LABELS integration faults)
stackctl_script_test(
  "faults: doctor, drift --cluster and submit through a faulty apiserver proxy (one POST)"
  kube_faults.sh TIMEOUT 600 RESOURCE_LOCK k8s LABELS integration k8s faults)
