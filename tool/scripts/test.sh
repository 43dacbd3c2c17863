#!/usr/bin/env bash
# Sets up a fresh machine, builds stackctl and its tests, and runs every test (unit, the bad-stack
# catalogue, golden files, and integration tests against real components on loopback).
#   bash tool/scripts/test.sh
# Tests build in build-tests/ (Debug: quicker to compile, assertions on), apart from build/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bash "$root/tool/scripts/setup.sh"
cmake -S "$root" -B "$root/build-tests" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$root/build-tests"
cd "$root/build-tests"
ctest --output-on-failure --timeout 900 -j2
