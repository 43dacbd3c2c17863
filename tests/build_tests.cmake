# `stackctl lock` and `stackctl build --push` end to end (included from tests/CMakeLists.txt): a
# two-image stack (tests/fixtures/build/) built for real with buildah (vfs storage in a temp
# folder, FROM a local busybox base), one jar from a loopback mirror, pushed to a real
# docker-registry on loopback and read back with skopeo. Needs root, buildah, busybox-static,
# skopeo, docker-registry, python3 and openssl; without them it reports SKIPPED (exit 77). No
# network beyond 127.0.0.1. 40 to 55 s here (vfs copies every layer).
add_test(NAME "integration: build --push (lock, skip, rebuild, dry-run, bad artifact, interrupt, registry down)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/build_push.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: build --push (lock, skip, rebuild, dry-run, bad artifact, interrupt, registry down)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "integration;images;registry")

# The same, with `stackctl build --builder podman` (podman shares buildah's storage and build
# engine; this checks stackctl's podman command lines and how it reads podman's output).
add_test(NAME "integration: build --push with podman"
  COMMAND ${CMAKE_COMMAND} -E env STACKCTL_TEST_BUILDER=podman
          bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/build_push.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: build --push with podman"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "integration;images;registry")

# Images reaching the cluster: build --push and check --image through a Docker credential helper
# against docker-registry with htpasswd auth; deploy of an `images: minikube-load` target with a
# stand-in minikube script (no real minikube here) against the project's apiserver.
add_test(NAME "integration: images reach the cluster (credential helpers, minikube-load)"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/image_transfer.sh $<TARGET_FILE:stackctl>)
set_tests_properties("integration: images reach the cluster (credential helpers, minikube-load)"
  PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "integration;images;registry")
