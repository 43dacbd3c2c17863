#!/usr/bin/env bash
# Sets up a fresh machine, builds stackctl and runs every test (unit, fixtures, integration).
#   bash tool/scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bash "$root/tool/scripts/setup.sh"
bash "$root/tool/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --timeout 900 -j2
