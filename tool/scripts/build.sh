#!/usr/bin/env bash
# Configures and builds stackctl into build/ (Release with debug info; warnings are errors).
#   build.sh            everything (the tool and the tests)
#   build.sh stackctl   the tool alone
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if (($#)); then
  cmake --build "$root/build" --target "$@"
else
  cmake --build "$root/build"
fi
