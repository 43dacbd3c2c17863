#!/usr/bin/env bash
# stackctl drift's cost, two ratios (docs/benchmarks.md, "drift"):
#
#   files:    `stackctl drift S --only files` on a repository with COMMITS commits (default 2000)
#             holding the three shipped stacks rendered, against a fresh `stackctl render S` of
#             the same tree followed by `git diff --quiet` (what a CI job would do without drift),
#             summed over the three stacks; RUNS runs each (default 5), medians compared.
#   registry: `stackctl drift --only registry` over IMAGES locked images (default 50) on a local
#             docker-registry, --parallel 8 against --parallel 1; RUNS runs each.
#
#   bash bench/drift.sh [PATH/TO/stackctl]      (default build-tests/tool/stackctl)
# Needs git, python3, docker-registry and skopeo. Everything lives in a temp folder, removed after.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stackctl=$(realpath "${1:-$root/build-tests/tool/stackctl}")
COMMITS=${COMMITS:-2000}
IMAGES=${IMAGES:-50}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/stackctl-drift-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.invalid GIT_COMMITTER_NAME=b \
  GIT_COMMITTER_EMAIL=b@example.invalid GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"

median() {  # median of the numbers on stdin
  python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.stdin.read().split()))'
}
# timeit RUNS CMD...: prints each run's wall time in seconds (CMD's exit code is ignored).
timeit() {
  local n=$1; shift
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
  done
}

# --- files ---------------------------------------------------------------------------------
repo=$work/repo
mkdir -p "$repo"
cd "$repo"
git init -q -b main .
cp -r "$root/stacks" .
# Made-up values for kyuubi-sql's Vault-sourced spark.env keys (never secrets).
python3 - stacks/kyuubi-sql.stack.yaml >values.yaml <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keys = sorted(set(re.findall(r"^\s*- name: [A-Z0-9_]+\n\s*from: vault\n\s*key: (\S+)", text, re.M)))
for k in keys: print(f'{k}: "4"' if "instances" in k or "cores" in k else f"{k}: bench-value")
PY
stacks=(spark-connect kyuubi-sql custom-app)
for s in "${stacks[@]}"; do "$stackctl" render "stacks/$s.stack.yaml" --values values.yaml >/dev/null 2>&1; done
git add -A
git commit -qm "stacks and rendered files"
# COMMITS-1 more commits touching a file outside the rendered trees, through fast-import (fast).
python3 - "$COMMITS" <<'PY' | git fast-import --quiet
import sys
n = int(sys.argv[1]) - 1
for i in range(n):
    data = f"change {i}\n".encode()
    print("commit refs/heads/main")
    print(f"committer b <b@example.invalid> {1700000000 + i} +0000")
    msg = f"history {i}".encode()
    print(f"data {len(msg)}"); sys.stdout.flush(); sys.stdout.buffer.write(msg + b"\n")
    if i == 0:
        print("from refs/heads/main^0")
    print("M 644 inline history.txt")
    print(f"data {len(data)}"); sys.stdout.flush(); sys.stdout.buffer.write(data + b"\n")
PY
git reset -q --hard main
echo "repository: $(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files"

drift_files() {
  for s in "${stacks[@]}"; do "$stackctl" drift "stacks/$s.stack.yaml" --only files --values values.yaml; done
}
render_diff() {
  for s in "${stacks[@]}"; do
    "$stackctl" render "stacks/$s.stack.yaml" --values values.yaml --out "rendered/$s" >/dev/null 2>&1
    git diff --quiet -- "rendered/$s"
  done
}
drift_files >/dev/null 2>&1 || { echo "drift --only files is not clean on the fresh repository" >&2; exit 1; }
a=$(timeit "$RUNS" drift_files | median)
b=$(timeit "$RUNS" render_diff | median)
python3 -c "print(f'files: drift --only files {$a:.3f} s, render + git diff --quiet {$b:.3f} s (three stacks, median of $RUNS): ratio {$a / $b:.2f}')"

# --- registry --------------------------------------------------------------------------------
command -v docker-registry >/dev/null && command -v skopeo >/dev/null ||
  { echo "registry: skipped (docker-registry or skopeo missing)"; exit 0; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/reg"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/reg" "$port" >"$work/reg.yml"
docker-registry serve "$work/reg.yml" >/dev/null 2>&1 &
pids+=($!)
sleep 1
echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$work/policy.json"
python3 "$root/tests/integration/oci_layout.py" "$work/layout" one --label a=b >/dev/null
for i in $(seq "$IMAGES"); do
  skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false \
    "oci:$work/layout:one" "docker://127.0.0.1:$port/bench/img$i:t1"
done
digest=$(skopeo --policy "$work/policy.json" inspect --tls-verify=false "docker://127.0.0.1:$port/bench/img1:t1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
# The lock the registry check reads: IMAGES images locked at that digest (only `images` matters).
cp stacks/spark-connect.stack.yaml bench.stack.yaml
python3 - "$IMAGES" "$port" "$digest" >bench.stack.lock <<'PY'
import json, sys
n, port, digest = int(sys.argv[1]), sys.argv[2], sys.argv[3]
images = [{"name": f"img{i}", "ref": f"127.0.0.1:{port}/bench/img{i}:t1", "inputsDigest": digest,
           "digest": digest} for i in range(1, n + 1)]
print(json.dumps({"lockVersion": 1, "stack": "spark-connect", "versions": {}, "artifacts": [],
                  "images": images}, indent=2, sort_keys=True))
PY
"$stackctl" drift bench.stack.yaml --only registry >/dev/null ||
  { "$stackctl" drift bench.stack.yaml --only registry | tail -3; echo "registry check not clean" >&2; exit 1; }
p=$(timeit "$RUNS" "$stackctl" drift bench.stack.yaml --only registry --parallel 8 | median)
q=$(timeit "$RUNS" "$stackctl" drift bench.stack.yaml --only registry --parallel 1 | median)
python3 -c "print(f'registry: $IMAGES images, --parallel 8 {$p:.3f} s, --parallel 1 {$q:.3f} s (median of $RUNS): ratio {$p / $q:.2f}')"
