#!/bin/bash
# stackctl check --cluster against the project's real apiserver (tests/k8s): the shipped stack's
# minikube target in a namespace of its own, its spark-defaults ConfigMap applied from
# `stackctl render` and then edited by hand, a Connect server pod (the rendered pod template)
# running an older tag, a notebook pod running the rendered image. check --cluster must name the
# image (SL001) and the edited key at its stack key (SL002); with the ConfigMap and pod as
# rendered, no error. The harness has no registry for registry.example.com: the running images'
# labels cannot be read, which must be SL005 warnings, not a failure (the label rules SL003 and
# SL004 on images in a real registry: check_cluster_labels.sh).
# Usage: check_cluster.sh STACKCTL_BINARY
# Exits 77 (skipped) only when the control plane cannot be built here. Never stops or resets the
# shared apiserver; deletes only its own namespace.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
  echo "check_cluster: the control plane cannot be built here (needs root and apt-get): skipped"
  exit 77
fi
bash "$HERE/ensure.sh" >/dev/null
KC=$H/kubeconfig
K() { "$H/bin/kubectl" --kubeconfig "$KC" "$@"; }
NS=${STACKCTL_K8S_NS_PREFIX:-stackctl}-checkcluster-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
W=$(mktemp -d /tmp/stackctl-check-cluster.XXXXXX)
cleanup() { K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- check output:"; cat "$W/out.json" 2>/dev/null || true; cat "$W/err.txt" 2>/dev/null || true; exit 1; }

# The shipped stack with the targets' namespace set to ours (it names no files beside it).
sed "s/^    namespace: spark$/    namespace: $NS/" "$ROOT/stacks/spark-connect.stack.yaml" > "$W/stack.yaml"
"$BIN" render "$W/stack.yaml" --target minikube --out "$W/r" >/dev/null 2>"$W/render.err" || { cat "$W/render.err"; fail "render"; }
M=$W/r/targets/minikube/kubernetes
K create namespace "$NS" >/dev/null
# The pods below run as the rendered ServiceAccounts (spark; notebook for the Connect notebooks).
for f in "$M"/10-serviceaccount-*.yaml; do K apply -f "$f" >/dev/null; done
sed 's/^    spark.executor.instances 1$/    spark.executor.instances 4/' "$M"/30-configmap-*-spark-defaults.yaml > "$W/edited.yaml"
cmp -s "$W/edited.yaml" "$M"/30-configmap-*-spark-defaults.yaml && fail "the ConfigMap edit did not apply"
K apply -f "$W/edited.yaml" >/dev/null

source "$HERE/pods_lib.sh"  # pod_from, image_of
CONNECT=$M/50-deployment-spark-connect-connect.yaml
MARIMO=$M/50-deployment-spark-connect-marimo.yaml
OLD=registry.example.com/data-platform/spark-connect:spark-4.0.0-uc-0.3.1-fix-v3
pod_from "$CONNECT" connect-old "$OLD"
pod_from "$MARIMO" marimo "$(image_of "$MARIMO")"

CTX=$(K config current-context)
run_check() {
  set +e
  "$BIN" check "$W/stack.yaml" --target minikube --cluster --kubeconfig "$KC" --context "$CTX" \
    -o json > "$W/out.json" 2> "$W/err.txt"
  rc=$?
  set -e
}
run_check
[ "$rc" = 1 ] || fail "check --cluster exit $rc, expected 1 (findings)"
python3 - "$W/out.json" "$NS" "$OLD" "$(image_of "$CONNECT")" <<'PY' || fail "findings"
import json, sys
out = json.load(open(sys.argv[1])); ns, old, want = sys.argv[2:5]
by = {}
for f in out["findings"]:
    by.setdefault(f["code"], []).append(f)
def need(code, cond, what):
    if not any(cond(f) for f in by.get(code, [])):
        print(f"missing {code}: {what}; have {sorted(by)}"); sys.exit(1)
need("SL001", lambda f: f["message"] == f"Pod {ns}/connect-old container spark-connect (Deployment {ns}/spark-connect-connect) runs {old}; the stack and stack.lock say {want}" and f["severity"] == "error", "the older tag")
need("SL002", lambda f: f["path"] == "spark.executor.instances" and "spark.executor.instances is 4 on the cluster; the stack renders 1" in f["message"] and f["line"] > 0, "the hand edit")
need("SL005", lambda f: f["severity"] == "warning" and old in f["message"], "unreadable labels")
assert out["cluster"]["namespace"] == ns and out["cluster"]["pods"] == 2, out["cluster"]
assert [f for f in out["findings"] if f["code"] == "SL001" and "marimo" in f["message"]] == [], "marimo runs the rendered image"
print("check --cluster named:", sorted(by))
PY

# As rendered: the ConfigMap re-applied, the Connect pod on the stack's image. Warnings only.
K apply -f "$M"/30-configmap-*-spark-defaults.yaml >/dev/null
K -n "$NS" delete pod connect-old --grace-period=0 --force >/dev/null 2>&1
pod_from "$CONNECT" connect "$(image_of "$CONNECT")"
run_check
[ "$rc" = 0 ] || fail "as rendered: exit $rc, expected 0"
python3 -c 'import json,sys; e=[f for f in json.load(open(sys.argv[1]))["findings"] if f["severity"]=="error"]; print(e) if e else None; sys.exit(1 if e else 0)' "$W/out.json" || fail "as rendered: error findings"
echo "check --cluster: ok ($NS)"
