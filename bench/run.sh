#!/usr/bin/env bash
# stackctl's overhead against plain buildah, on the offline quickstart (run
# tool/scripts/quickstart.sh once first: it makes the mirror, the base image, the lock and the
# contexts under build/quickstart).
#
#   bash bench/run.sh            no-op builds (everything up to date), 5 runs each
#   COLD=1 bash bench/run.sh     also cold builds (built images and layer cache removed first),
#                                COLD_RUNS=N runs each (default 2): minutes per run, dominated
#                                by apt inside the builds
#
# Prints hyperfine's table for each pair and the ratio stackctl / plain buildah (median over
# median). A ratio near 1 for cold builds means stackctl adds little to the build itself; the
# no-op ratio is what "nothing changed" costs: stackctl skips by inputs digest, plain buildah
# walks its layer cache.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work="$root/build/quickstart"
[ -d "$work/storage" ] || { echo "run tool/scripts/quickstart.sh first" >&2; exit 2; }
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
stackctl="$root/build/tool/stackctl"
storage=(--storage-driver vfs --storage-root "$work/storage/root" --storage-runroot "$work/storage/runroot")
build="$stackctl build $root/examples/quickstart/quickstart.stack.yaml --lock $work/quickstart.stack.lock \
 --cache-dir $work/cache --work-dir $work/build --builder buildah ${storage[*]} \
 --build-arg PYPI_INDEX_URL=http://127.0.0.1:38517/pypi/simple"
plain="bash $root/bench/plain-buildah.sh $work"

python3 -m http.server 38517 --bind 127.0.0.1 --directory "$work/mirror" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1

ratio() {  # JSON: median of the first command over the second's
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print(f"ratio stackctl/plain-buildah (median): {a / b:.2f}  ({a:.2f} s vs {b:.2f} s)")
PY
}

echo "== no-op build (everything up to date)"
$build >/dev/null 2>&1; $plain  # warm both
hyperfine --warmup 1 --runs 5 --export-json "$work/bench-noop.json" -n stackctl "$build" -n plain-buildah "$plain"
ratio "$work/bench-noop.json"

if [ "${COLD:-0}" = 1 ]; then
  echo "== cold build (built images and cached layers removed before each run)"
  bh="buildah --storage-driver vfs --root $work/storage/root --runroot $work/storage/runroot"
  clean="bash -c '$bh images --format {{.Name}}:{{.Tag}} | grep -v stackctl-base | xargs -r $bh rmi -f >/dev/null 2>&1; $bh rmi --prune >/dev/null 2>&1 || true'"
  hyperfine --runs "${COLD_RUNS:-2}" --prepare "$clean" --export-json "$work/bench-cold.json" \
    -n stackctl "$build" -n plain-buildah "$plain"
  ratio "$work/bench-cold.json"
fi
