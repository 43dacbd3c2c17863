#!/usr/bin/env bash
# Sets up a fresh machine, builds stackctl and its tests, and runs every test (unit, the bad-stack
# catalogue, golden files, and integration tests against real components on loopback: buildah,
# podman, docker-registry, skopeo, a Kubernetes control plane, a Vault test server).
#   bash tool/scripts/test.sh
# Tests build in build-tests/ (Debug: quicker to compile, assertions on), apart from build/, with
# AddressSanitizer and UBSan: every test runs sanitized, any report fails it (docs/testing.md).
# The Kubernetes control plane (tests/k8s/) is built once per machine (README.md has how long it took)
# and started for the run; if this script started it, it stops it at the end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bash "$root/tool/scripts/setup.sh"
cmake -S "$root" -B "$root/build-tests" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTACKCTL_ASAN=ON -DSTACKCTL_UBSAN=ON >/dev/null
cmake --build "$root/build-tests"

k8s_started=
if [ "$(id -u)" = 0 ]; then
  if ! curl -sk --max-time 3 https://127.0.0.1:6443/readyz >/dev/null 2>&1; then k8s_started=1; fi
  bash "$root/tests/k8s/ensure.sh" >/dev/null
  if [ -n "$k8s_started" ]; then
    trap 'bash "$root/tests/k8s/stop.sh" >/dev/null 2>&1 || true' EXIT
  fi
fi

cd "$root/build-tests"
ctest --output-on-failure --timeout 900 -j2
