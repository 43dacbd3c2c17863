# Registry integration tests (included from tests/CMakeLists.txt): stackctl check --image against
# a real docker-registry on loopback, skopeo as the independent client, images made by hand as
# OCI layouts. Each script exits 77 (skipped) when docker-registry, skopeo, python3 or openssl is
# missing; the auth test runs its Basic (htpasswd) part only when apache2-utils is installed.
include(${CMAKE_CURRENT_LIST_DIR}/script_tests.cmake)
stackctl_script_test("registry: check --image (match, mismatch, index, digest vs skopeo, errors)"
  registry_check_image.sh)
stackctl_script_test("registry: check --image with Basic and Bearer auth" registry_auth.sh)
