# Vault integration test (included from tests/CMakeLists.txt): `render --vault` through the real
# client over loopback HTTPS against tests/servers/vault_server.py. Exits 77 (skipped) when
# python3, openssl or curl is missing.
add_test(NAME "vault: render --vault and check --vault against the test server (auth, KV, failures, retries, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/vault.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: render --vault and check --vault against the test server (auth, KV, failures, retries, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)

# deploy --vault onto the project's real apiserver (tests/k8s) with the Secret from the Vault test
# server: kubectl confirms the Secret, a Vault change rolls exactly the Kyuubi StatefulSet, --diff
# masks it, the canary leaks nowhere. Skipped (77) when the control plane cannot be built here.
add_test(NAME "vault: deploy --vault on the real apiserver (Secret, a Vault change rolls Kyuubi only, --diff masked, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/vault_deploy.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: deploy --vault on the real apiserver (Secret, a Vault change rolls Kyuubi only, --diff masked, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")

# A spark.env Spark setting from Vault reaches the spark-defaults.conf a pod writes at start: the
# rendered Kyuubi init container runs in a sandbox shell with spark.env, java.util.Properties reads
# the result; hostile values stop it. Skipped (77) without python3/PyYAML, openssl, curl or java.
add_test(NAME "vault: a spark.env Spark setting from Vault is what spark-defaults.conf says at pod start"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/spark_env_conf.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: a spark.env Spark setting from Vault is what spark-defaults.conf says at pod start"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
