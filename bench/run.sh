#!/usr/bin/env bash
# stackctl's overhead against plain buildah, on the offline quickstart (run
# tool/scripts/quickstart.sh once first: it makes the mirror, the base image, the lock and the
# contexts under build/quickstart).
#
#   bash bench/run.sh            no-op builds (everything up to date): stackctl NOOP_RUNS times
#                                (default 10), plain buildah PLAIN_RUNS times (default 3; each
#                                run takes minutes on the vfs driver, seconds on overlay; see
#                                docs/benchmarks.md)
#   COLD=1 bash bench/run.sh     also cold builds (built images and layer cache removed first),
#                                COLD_RUNS=N runs each (default 1): about 10 minutes per run
#   NOOP=0 COLD=1 bash bench/run.sh   the cold pair only
#   STACKCTL=PATH                stackctl binary (default build/tool/stackctl)
#   STACKCTL_BENCH_WORK=DIR      the quickstart's work folder (default build/quickstart)
#
# Prints hyperfine's table for each pair and the ratio stackctl / plain buildah (median over
# median), with the load average (/proc/loadavg: 1, 5, 15 minutes) before and after each side:
# the machine may be shared, and wall time follows its load. A ratio near 1 for cold builds means stackctl adds little to the build itself; the
# no-op ratio is what "nothing changed" costs: stackctl skips by inputs digest, plain buildah
# walks its layer cache.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${STACKCTL_BENCH_WORK:-$root/build/quickstart}
[ -d "$work/storage" ] || { echo "run tool/scripts/quickstart.sh first" >&2; exit 2; }
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
stackctl=${STACKCTL:-$root/build/tool/stackctl}
[ -x "$stackctl" ] || { echo "no stackctl at $stackctl: build it (tool/scripts/build.sh stackctl) or set STACKCTL" >&2; exit 2; }
# The store the quickstart made, with its driver (tool/scripts/storage-driver.sh: overlay where the
# kernel mounts it, else vfs); both sides use it, so the baseline is the one a user would have.
driver=${STACKCTL_STORAGE_DRIVER:-$(bash "$root/tool/scripts/storage-driver.sh" "$work/storage")}
store="$work/storage/$driver"
[ -d "$store/root" ] || { echo "no $driver store under $work/storage: run tool/scripts/quickstart.sh first" >&2; exit 2; }
export STACKCTL_BENCH_DRIVER=$driver STACKCTL_BENCH_STORE=$store
echo "buildah storage for both sides: the $driver driver under $store" >&2
storage=(--storage-driver "$driver" --storage-root "$store/root" --storage-runroot "$store/runroot")
build="$stackctl build $root/examples/quickstart/quickstart.stack.yaml --lock $work/quickstart.stack.lock \
 --cache-dir $work/cache --work-dir $work/build --builder buildah ${storage[*]} \
 --build-arg PYPI_INDEX_URL=http://127.0.0.1:38517/pypi/simple"
plain="bash $root/bench/plain-buildah.sh $work"

python3 -m http.server 38517 --bind 127.0.0.1 --directory "$work/mirror" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; bash "$root/tool/scripts/storage-driver.sh" --release "$work/storage"' EXIT
sleep 1

load() { echo "load average $1: $(cut -d' ' -f1-3 /proc/loadavg)"; }

ratio() {  # JSON JSON: median of the first file's command over the second's
  python3 - "$1" "$2" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["results"][0]
b = json.load(open(sys.argv[2]))["results"][0]
print(f"ratio stackctl/plain-buildah (median over median): {a['median'] / b['median']:.4f}"
      f"  ({a['median']:.3f} s over {b['median']:.3f} s; runs {len(a['times'])} and {len(b['times'])})")
PY
}

if [ "${NOOP:-1}" = 1 ]; then
  echo "== no-op build (everything up to date)"
  $build >/dev/null 2>&1; $plain  # warm both: the first plain run may build everything
  load "before stackctl"
  hyperfine --warmup 1 --runs "${NOOP_RUNS:-10}" --export-json "$work/bench-noop-stackctl.json" -n stackctl "$build"
  load "after stackctl, before plain buildah"
  hyperfine --runs "${PLAIN_RUNS:-3}" --export-json "$work/bench-noop-plain.json" -n plain-buildah "$plain"
  load "after plain buildah"
  ratio "$work/bench-noop-stackctl.json" "$work/bench-noop-plain.json"
fi

if [ "${COLD:-0}" = 1 ]; then
  echo "== cold build (built images and cached layers removed before each run)"
  bh="buildah --storage-driver $driver --root $store/root --runroot $store/runroot"
  # Working containers left by an interrupted build hold their images (and so cached layers):
  # remove them first, then every image but the base, then whatever is dangling.
  clean="bash -c '$bh rm --all >/dev/null 2>&1; $bh images --format {{.Name}}:{{.Tag}} | grep -v stackctl-base | xargs -r $bh rmi -f >/dev/null 2>&1; $bh rmi --prune >/dev/null 2>&1 || true'"
  for side in plain stackctl; do  # stackctl last: its images stay for the next no-op run
    if [ $side = stackctl ]; then cmd=$build; else cmd=$plain; fi
    load "before $side"
    hyperfine --runs "${COLD_RUNS:-1}" --prepare "$clean" --export-json "$work/bench-cold-$side.json" \
      -n "$side" "$cmd"
    load "after $side"
  done
  ratio "$work/bench-cold-stackctl.json" "$work/bench-cold-plain.json"
fi
