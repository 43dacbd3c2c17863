# Registry integration tests (included from tests/CMakeLists.txt): stackctl check --image against
# a real docker-registry on loopback, skopeo as the independent client, images made by hand as
# OCI layouts. Each script exits 77 (skipped) when docker-registry, skopeo, python3 or openssl is
# missing; the auth test runs its Basic (htpasswd) part only when apache2-utils is installed.
set(STACKCTL_REGISTRY_TESTS
  "registry: check --image (match, mismatch, index, digest vs skopeo, errors)=registry_check_image.sh"
  "registry: check --image with Basic and Bearer auth=registry_auth.sh")
foreach(entry IN LISTS STACKCTL_REGISTRY_TESTS)
  string(REGEX REPLACE "=[^=]*$" "" name "${entry}")
  string(REGEX REPLACE "^.*=" "" script "${entry}")
  add_test(NAME "${name}"
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/${script} $<TARGET_FILE:stackctl>)
  set_tests_properties("${name}" PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
