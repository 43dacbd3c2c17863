# Vault integration test (included from tests/CMakeLists.txt): `render --vault` through the real
# client over loopback HTTPS against tests/servers/vault_server.py. Exits 77 (skipped) when
# python3, openssl or curl is missing.
add_test(NAME "vault: render --vault against the test server (auth, KV, failures, retries, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/vault.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: render --vault against the test server (auth, KV, failures, retries, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# deploy --vault onto the project's real apiserver (tests/k8s) with the Secret from the Vault test
# server: kubectl confirms the Secret, a Vault change rolls exactly the Kyuubi StatefulSet, --diff
# masks it, the canary leaks nowhere. Skipped (77) when the control plane cannot be built here.
add_test(NAME "vault: deploy --vault on the real apiserver (Secret, a Vault change rolls Kyuubi only, --diff masked, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/vault_deploy.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: deploy --vault on the real apiserver (Secret, a Vault change rolls Kyuubi only, --diff masked, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
