#!/usr/bin/env bash
# `stackctl render --out` against a Python renderer of the same templates: pystache (Debian's
# python3-pystache 0.6.0) expanding the very same template files from the very same views, which
# stackctl hands over as data (bench/dump_views.cpp, the bench-only stackctl_dump_views).
#
#   bash bench/render.sh [BUILD_DIR]     default build-rel; RUNS=N (default 10), NOTEBOOKS=N
#                                        (default 300: the synthetic stack's extra notebooks)
#   STACKCTL=BIN DUMP_VIEWS=BIN bash bench/render.sh   those two binaries, nothing built
#   REPEAT=N (default 20) rounds of the templating-only figure; ONLY=NAME one stack (custom-app,
#   kyuubi-sql, spark-connect or synthetic)
#
# BUILD_DIR is an optimised build: configure it once with
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKCTL_TESTS=OFF
# and the script builds the two targets it runs (stackctl, stackctl_dump_views). Needs
# /usr/bin/python3 with python3-pystache (tool/scripts/setup.sh) and hyperfine; installs either
# with apt-get when it is missing.
#
# For each shipped stack (stacks/*.stack.yaml, rendered as shipped; one that ships an example
# values file beside it, stacks/NAME.values.example.yaml, with `--values` that file) and a
# synthetic one (spark-connect with NOTEBOOKS more notebooks, each a Deployment and a Service):
#   1. stackctl_dump_views writes the views of every file render writes (views.json).
#   2. The two did the same work: every pystache expansion is byte-equal to stackctl's expansion
#      of the same view, or equal once empty lines are removed from both (kainjow 4.1 leaves the
#      line of a skipped standalone section tag or comment empty, pystache drops it as the spec
#      says; the templates concerned are named) (render_pystache.py --check); and the folders the
#      two write hold the same files with the same modes, each byte-equal or equal but for empty
#      lines, named (--compare). Any other difference stops the script.
#   3. Wall time, median of RUNS (after 2 warm-ups), with hyperfine -N:
#        stackctl render S --out DIR     reads and validates the stack, builds the views, expands,
#                                        turns each manifest into its object, writes atomically
#        render_pystache.py views.json DIR   starts Python, reads the views, expands, writes the
#                                        same way (staging folder, one syncfs, renames)
#      and the ratio stackctl / pystache. The Python side validates nothing and gets the views
#      made: that is stackctl's work alone, inside its figure.
#   4. Templating only, in-process: every dumped template expanded again from its dumped view,
#      by kainjow (stackctl_dump_views --repeat) and by pystache (--time-expand), median of 20
#      rounds each, and their ratio.
# The load average (/proc/loadavg: 1, 5, 15 minutes) is printed before and after each stack.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-rel}
runs=${RUNS:-10}
notebooks=${NOTEBOOKS:-300}
py=/usr/bin/python3
if [ -n "${STACKCTL:-}" ] && [ -n "${DUMP_VIEWS:-}" ]; then
  stackctl=$STACKCTL dump=$DUMP_VIEWS
else
  [ -f "$build/CMakeCache.txt" ] || {
    echo "bench/render.sh: configure $build first: cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKCTL_TESTS=OFF" >&2
    exit 2
  }
  grep -q '^CMAKE_BUILD_TYPE:STRING=\(RelWithDebInfo\|Release\)$' "$build/CMakeCache.txt" ||
    echo "bench/render.sh: warning: $build is not an optimised build" >&2
  cmake --build "$build" -j2 --target stackctl stackctl_dump_views >&2
  stackctl=$build/tool/stackctl dump=$build/bench/stackctl_dump_views
fi
echo "stackctl: $stackctl; views: $dump; $runs runs per side"
$py -c 'import pystache' 2>/dev/null || apt-get install -y -q python3-pystache >/dev/null
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
w=$(mktemp -d /tmp/stackctl-bench-render.XXXXXX)
trap 'rm -rf "$w"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

# The synthetic stack, beside the shipped one so that the files it names are found.
synthetic=$root/stacks/.bench-render-synthetic.stack.yaml
trap 'rm -rf "$w" "$synthetic"' EXIT
$py - "$root/stacks/spark-connect.stack.yaml" "$synthetic" "$notebooks" <<'PY'
import sys
s = open(sys.argv[1]).read()
extra = "".join(f"    - name: nb{i:03d}\n      kind: marimo\n      mode: connect\n      image: notebook\n"
                for i in range(int(sys.argv[3])))
anchor = "      image: notebook\n  external:"
assert anchor in s, "spark-connect.stack.yaml changed: the synthetic stack's anchor is gone"
s = s.replace(anchor, "      image: notebook\n" + extra + "  external:")
open(sys.argv[2], "w").write(s)
PY

ratio() {  # A.json B.json: the medians and their ratio
  $py - "$1" "$2" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["results"][0]
b = json.load(open(sys.argv[2]))["results"][0]
print(f"  wall, median of {len(a['times'])}: stackctl render {1000 * a['median']:.1f} ms, pystache "
      f"{1000 * b['median']:.1f} ms; ratio stackctl/pystache {a['median'] / b['median']:.2f}")
PY
}

for stack in "$root"/stacks/*.stack.yaml "$synthetic"; do
  name=$(basename "$stack" .stack.yaml)
  name=${name#.bench-render-}
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ] && continue
  d=$w/$name
  mkdir -p "$d"
  echo "== $name (load average before: $(load))"
  # A stack shipped with an example values file (kyuubi-sql: its spark.env keys come from Vault)
  # is rendered with it, as its README says; both sides get the same values.
  values=()
  example=${stack%.stack.yaml}.values.example.yaml
  [ -f "$example" ] && values=(--values "$example")
  "$dump" "$stack" "${values[@]}" --repeat "${REPEAT:-20}" >"$d/views.json" 2>"$d/dump.log" || { cat "$d/dump.log" >&2; exit 1; }
  $py "$root/bench/render_pystache.py" "$d/views.json" --check 2>"$d/check.log" ||
    { cat "$d/check.log" >&2; echo "bench/render.sh: $name: the expansions differ" >&2; exit 1; }
  "$stackctl" render "$stack" "${values[@]}" --out "$d/stackctl" 2>"$d/render.log" || { cat "$d/render.log" >&2; exit 1; }
  $py "$root/bench/render_pystache.py" "$d/views.json" "$d/pystache" 2>"$d/py.log"
  $py "$root/bench/render_pystache.py" --compare "$d/stackctl" "$d/pystache" 2>"$d/compare.log" ||
    { cat "$d/compare.log" >&2; echo "bench/render.sh: $name: the written trees differ" >&2; exit 1; }
  echo "  same work: $(cat "$d/check.log")"
  echo "  written: $(cat "$d/compare.log")"
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$d/stackctl.json" \
    "$stackctl render $stack ${values[*]} --out $d/stackctl" >/dev/null 2>&1
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$d/pystache.json" \
    "$py $root/bench/render_pystache.py $d/views.json $d/pystache" >/dev/null 2>&1
  ratio "$d/stackctl.json" "$d/pystache.json"
  $py "$root/bench/render_pystache.py" "$d/views.json" --time-expand "${REPEAT:-20}" 2>"$d/expand.log"
  k=$(sed -n 's/^kainjow expansions.*median \([0-9.]*\) ms.*/\1/p' "$d/dump.log")
  p=$(sed -n 's/^pystache expansions.*median \([0-9.]*\) ms.*/\1/p' "$d/expand.log")
  r=$(sed -n 's/^render::render (views, \([0-9]*\) expansions, manifest objects): \([0-9.]*\) ms/\2/p' "$d/dump.log")
  echo "  templating only, median of ${REPEAT:-20} rounds: kainjow $k ms, pystache $p ms; ratio" \
    "$($py -c "print(f'{$k / $p:.2f}')")  (stackctl's whole render::render, views and objects included: $r ms)"
  echo "  load average after: $(load)"
done
