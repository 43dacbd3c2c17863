# The canary test (docs/security.md): a distinct canary in every secret source
# (Vault values and tokens, AppRole secret_id, spark.env values files, registry credentials, the
# mirror URL's password, kubeconfig token, client key, exec-plugin token), every command at -vv in
# text and JSON, successes and failures; every output and written file is searched for each
# canary and its encodings, the 0600 files allowed to hold one named. Also: the TLS warnings and
# refusals per client. Parts whose components are missing (docker-registry and skopeo, the
# tests/k8s apiserver) are skipped with a line saying so; 77 without python3, openssl or curl.
add_test(NAME "security: canary secrets appear in no output, log or written file (every command, -vv, text and JSON)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/canary.sh $<TARGET_FILE:stackctl>)
set_tests_properties("security: canary secrets appear in no output, log or written file (every command, -vv, text and JSON)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 RESOURCE_LOCK k8s LABELS "integration;k8s")
