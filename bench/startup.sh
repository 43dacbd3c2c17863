#!/usr/bin/env bash
# What starting stackctl costs (issue: startup measured): `stackctl --version` and `validate` of a
# shipped stack, with hyperfine (-N: no shell in between), against /bin/true as the floor of
# starting any process here; then the dynamic loader's own share (LD_DEBUG=statistics) and the
# number of shared libraries loaded.
#   bash bench/startup.sh [STACKCTL]     (default build/tool/stackctl; RUNS=N, default 100)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/tool/stackctl}
[ -x "$bin" ] || { echo "bench/startup.sh: build stackctl first (tool/scripts/build.sh stackctl)" >&2; exit 2; }
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 5 --runs "${RUNS:-100}" "$bin --version" \
  "$bin validate $root/stacks/spark-connect.stack.yaml" /bin/true
echo "shared libraries loaded: $(ldd "$bin" | wc -l) ($(readelf -d "$bin" | grep -c NEEDED) linked directly)"
LD_DEBUG=statistics "$bin" --version 2>&1 >/dev/null | grep -E 'total startup time|time needed for relocation' |
  sed 's/^ *[0-9]*: *//'
