#!/usr/bin/env bash
# `stackctl deploy` against `kubectl apply --server-side --prune` of the same rendered files, on
# the project's loopback apiserver (tests/k8s; built and started by tests/k8s/ensure.sh if needed).
#
#   bash bench/deploy.sh [STACKCTL]     RUNS=N runs per measurement (default 5)
#   PARALLEL=N bash bench/deploy.sh     stackctl deploy --parallel N (default: deploy's own, 8)
#
# Two stacks: the shipped spark-connect stack (12 objects in its namespace) and a synthetic one of
# 200 objects (spark-connect with 94 more notebooks: each notebook is a Deployment and a Service;
# deploy takes a stack, not raw files, so the synthetic stack is a stack that renders that many).
# Each tool gets a namespace of its own (so neither fights the other's field manager) and the same
# objects: kubectl gets the files `stackctl render` writes for a copy of the stack whose target
# namespace is kubectl's. For each tool and stack, after a first apply:
#   no-op     the same objects again (median of RUNS)
#   changed   spark.sql.shuffle.partitions toggled each run: the spark-defaults ConfigMap and the
#             Deployments whose pod templates carry the config checksum change (median)
# Requests are counted by running one no-op and one changed apply of each tool through
# tests/servers/fault_proxy.py with no faults (its log has one line per request); the wall
# times are measured directly against the apiserver, without the proxy.
#
# kubectl is the harness's own v1.20.2 build, which has no --applyset (kubectl's ApplySet pruning
# came later): its pruning here is the label-selector kind (`--prune -l
# app.kubernetes.io/part-of=STACK`, the default prune allowlist), which LISTs every allowlisted
# kind the same way. Both tools keep a warm discovery cache on disk (the bench's own folders).
# Prints one line per measurement and the ratios stackctl / kubectl (median over median), and the
# load average (/proc/loadavg) before and after each stack: wall time follows it on a shared
# machine.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACKCTL=${1:-}
if [ -z "$STACKCTL" ]; then
  for c in "$SRC/build/tool/stackctl" "$SRC/build-tests/tool/stackctl"; do [ -x "$c" ] && STACKCTL=$c && break; done
fi
[ -x "$STACKCTL" ] || { echo "bench/deploy.sh: build stackctl first (tool/scripts/build.sh stackctl)" >&2; exit 2; }
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
KC=$(bash "$SRC/tests/k8s/ensure.sh" | tail -1)
RUNS=${RUNS:-5}
PARALLEL_ARGS=()
[ -n "${PARALLEL:-}" ] && PARALLEL_ARGS=(--parallel "$PARALLEL")
W=$(mktemp -d /tmp/stackctl-bench-deploy.XXXXXX)
SUFFIX=$(od -An -N3 -tx1 /dev/urandom | tr -d ' ')
export XDG_CACHE_HOME=$W/cache
KUBECTL="$H/bin/kubectl --cache-dir $W/kube-cache"
NAMESPACES=()
fail() { echo "bench/deploy.sh: $*" >&2; exit 1; }
# shellcheck source=../tests/integration/deploy_faults_lib.sh
source "$SRC/tests/integration/deploy_faults_lib.sh"
cleanup() {
  lib_cleanup
  for ns in "${NAMESPACES[@]}"; do $KUBECTL --kubeconfig "$KC" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done
  rm -rf "$W"
}
trap cleanup EXIT
CTX=$($KUBECTL --kubeconfig "$KC" config current-context)

mirror_start
python3 - "$SRC/stacks/spark-connect.stack.yaml" "$W/synthetic.src.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
extra = "".join(f"    - name: nb{i:03d}\n      kind: marimo\n      mode: connect\n      image: notebook\n"
                for i in range(94))
anchor = "      image: notebook\n  external:"
assert anchor in s
s = s.replace(anchor, "      image: notebook\n" + extra + "  external:")
s = s.replace("  name: spark-connect\n", "  name: synthetic\n", 1)
open(sys.argv[2], "w").write(s)
PY
grep -q "^  name: synthetic$" "$W/synthetic.src.yaml" || fail "could not rename the synthetic stack"
VALUES=
prepare spark-connect "$W/spark-connect"
prepare synthetic "$W/synthetic" "$W/synthetic.src.yaml"

# variant STACK_FILE a|b: the stack with spark.sql.shuffle.partitions 200 (a) or 201 (b).
variant() {
  if [ "$2" = a ]; then sed -i 's|spark.sql.shuffle.partitions: "201"|spark.sql.shuffle.partitions: "200"|' "$1"
  else sed -i 's|spark.sql.shuffle.partitions: "200"|spark.sql.shuffle.partitions: "201"|' "$1"; fi
}

# Rendered files for kubectl: the stack with kubectl's namespace as the target's, per variant.
kubectl_files() { # STACK NS -> $W/STACK/kubectl-{a,b}/
  local name=$1 ns=$2 d="$W/$1"
  cp "$d/$name.stack.yaml" "$d/kubectl.stack.yaml"
  cp "$d/$name.stack.lock" "$d/kubectl.stack.lock"
  sed -i "s|^    namespace: spark$|    namespace: $ns|" "$d/kubectl.stack.yaml"
  for v in a b; do
    variant "$d/kubectl.stack.yaml" $v
    "$STACKCTL" render "$d/kubectl.stack.yaml" --target minikube --out "$d/kr-$v" >/dev/null 2>&1 \
      || fail "render for kubectl"
    grep -rq "namespace: $ns" "$d/kr-$v/targets/minikube/kubernetes" || fail "kubectl's files do not name $ns"
  done
}

stackctl_apply() { # STACK NS VARIANT KUBECONFIG
  variant "$W/$1/$1.stack.yaml" "$3"
  "$STACKCTL" deploy "$W/$1/$1.stack.yaml" --target minikube -n "$2" --no-wait --kubeconfig "$4" \
    --context "$CTX" "${PARALLEL_ARGS[@]}" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; fail "stackctl deploy $1 failed"; }
}
kubectl_apply() { # STACK NS VARIANT KUBECONFIG
  $KUBECTL --kubeconfig "$4" --context "$CTX" apply --server-side --prune \
    -l "app.kubernetes.io/part-of=$1" -f "$W/$1/kr-$3/targets/minikube/kubernetes" >/dev/null 2>"$W/err" \
    || { cat "$W/err" >&2; fail "kubectl apply $1 failed"; }
}

now() { date +%s.%N; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }
# measure TOOL STACK NS MODE: prints the median wall time of RUNS applies.
measure() {
  local tool=$1 name=$2 ns=$3 mode=$4 times=() i v t0
  for i in $(seq "$RUNS"); do
    v=a; [ "$mode" = changed ] && { [ $((i % 2)) = 1 ] && v=b || v=a; }
    t0=$(now)
    "${tool}_apply" "$name" "$ns" $v "$KC"
    times+=("$(python3 -c "import time; print(time.time() - $t0)")")
  done
  [ "$mode" = changed ] && [ $((RUNS % 2)) = 1 ] && "${tool}_apply" "$name" "$ns" a "$KC"  # back to a
  median "${times[@]}"
}
# count TOOL STACK NS MODE: requests of one apply through the counting proxy.
count() {
  local before after v=a
  [ "$4" = changed ] && v=b
  before=$(wc -l < "$W/counter.log")
  "${1}_apply" "$2" "$3" $v "$W/counter.kubeconfig"
  after=$(wc -l < "$W/counter.log")
  [ "$4" = changed ] && "${1}_apply" "$2" "$3" a "$W/counter.kubeconfig"
  echo $((after - before))
}

proxy_start counter
declare -A T N
for name in spark-connect synthetic; do
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  for tool in stackctl kubectl; do
    ns="deploy2-bench-$name-$tool-$SUFFIX"; NAMESPACES+=("$ns")
    [ $tool = kubectl ] && kubectl_files "$name" "$ns"
    $KUBECTL --kubeconfig "$KC" create namespace "$ns" >/dev/null
    # The object store's credentials: the user's to make (deploy refuses without them).
    $KUBECTL --kubeconfig "$KC" -n "$ns" create secret generic minio-credentials \
      --from-literal=AWS_ACCESS_KEY_ID=bench --from-literal=AWS_SECRET_ACCESS_KEY=bench >/dev/null
    t0=$(now); "${tool}_apply" "$name" "$ns" a "$KC"
    T[$name,$tool,first]=$(python3 -c "import time; print(f'{time.time() - $t0:.3f}')")
    "${tool}_apply" "$name" "$ns" a "$W/counter.kubeconfig"  # warms the discovery cache for the proxy's URL
    T[$name,$tool,noop]=$(measure $tool "$name" "$ns" noop)
    T[$name,$tool,changed]=$(measure $tool "$name" "$ns" changed)
    N[$name,$tool,noop]=$(count $tool "$name" "$ns" noop)
    N[$name,$tool,changed]=$(count $tool "$name" "$ns" changed)
  done
  objects=$(find "$W/$name/r-$name/targets/minikube/kubernetes" -name '*.yaml' ! -name '00-namespace-*' | wc -l)
  echo "== $name: $objects objects (and the Namespace), $RUNS runs each, median wall time" \
    "(load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg))"
  for tool in stackctl kubectl; do
    printf '  %-8s first %7ss  no-op %7ss (%4s requests)  changed %7ss (%4s requests)\n' $tool \
      "${T[$name,$tool,first]}" "${T[$name,$tool,noop]}" "${N[$name,$tool,noop]}" \
      "${T[$name,$tool,changed]}" "${N[$name,$tool,changed]}"
  done
  python3 - "$objects" "${T[$name,stackctl,noop]}" "${T[$name,kubectl,noop]}" "${T[$name,stackctl,changed]}" \
    "${T[$name,kubectl,changed]}" "${N[$name,stackctl,noop]}" <<'PY'
import sys
objects, sn, kn, sc, kc, req = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
print(f"  ratio stackctl/kubectl: no-op {sn / kn:.2f}, changed {sc / kc:.2f} (goal: at most 0.50)")
print(f"  stackctl no-op requests per object: {req / objects:.2f} (goal: at most 1)")
PY
done
