# Vault integration test (included from tests/CMakeLists.txt): `render --vault` through the real
# client over loopback HTTPS against tests/servers/vault_server.py. Exits 77 (skipped) when
# python3, openssl or curl is missing.
add_test(NAME "vault: render --vault against the test server (auth, KV, failures, retries, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/vault.sh $<TARGET_FILE:stackctl>)
set_tests_properties("vault: render --vault against the test server (auth, KV, failures, retries, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
