#!/usr/bin/env bash
# Least privilege on the project's real apiserver (tests/k8s): every manifest render makes of the
# spark-connect stack (two Spark Connect notebooks, the Connect server) is applied for real with
# server-side apply into a namespace of this test's own; then the apiserver's authorizer (RBAC) is
# asked through SubjectAccessReviews and `kubectl auth can-i`:
#   - the notebooks' ServiceAccount `notebook` may not create, list or delete pods (no Role binds it);
#   - the drivers' ServiceAccount `spark` (the Connect server's) may create and delete pods;
#   - the notebooks' pod templates, as stored, run as `notebook` without an automounted token, and
#     the ServiceAccount itself says automountServiceAccountToken: false.
# There is no kubelet here, so no pod runs: what the token would or would not be is not observed,
# only what the apiserver stores and what its authorizer answers.
# Usage: least_privilege.sh STACKCTL. Exits 77 (skipped) only when the control plane cannot be
# built here. Never stops the shared apiserver; deletes only the namespace it made.
set -euo pipefail
BIN=$(realpath "${1:?usage: $0 PATH/TO/stackctl}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
  echo "least_privilege: the control plane cannot be built here (needs root and apt-get): skipped"
  exit 77
fi
bash "$ROOT/tests/k8s/ensure.sh" >/dev/null
K() { "$H/bin/kubectl" --kubeconfig "$H/kubeconfig" "$@"; }
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NS="${STACKCTL_TEST_NS_PREFIX:-it}-rbac-$SUFFIX"
W=$(mktemp -d /tmp/stackctl-least-privilege.XXXXXX)
cleanup() { K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

sed "s/^    namespace: spark$/    namespace: $NS/" "$ROOT/stacks/spark-connect.stack.yaml" >"$W/s.stack.yaml"
grep -q "namespace: $NS$" "$W/s.stack.yaml" || fail "the stack's namespace was not replaced"
"$BIN" render "$W/s.stack.yaml" --target minikube --out "$W/out" >/dev/null 2>"$W/render.err" ||
  { cat "$W/render.err"; fail "render"; }
n=0
for f in "$W"/out/targets/minikube/kubernetes/*.yaml; do
  K apply --server-side --field-manager=stackctl-least-privilege -f "$f" >"$W/apply.out" 2>&1 ||
    { cat "$W/apply.out"; fail "the apiserver refuses $(basename "$f")"; }
  n=$((n + 1))
done
pass "applied all $n objects into $NS"

# sar SA VERB: the authorizer's answer (true/false) for SA creating/deleting/listing pods in NS.
sar() {
  cat >"$W/sar.json" <<JSON
{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
 "spec": {"user": "system:serviceaccount:$NS:$1",
          "groups": ["system:serviceaccounts", "system:serviceaccounts:$NS", "system:authenticated"],
          "resourceAttributes": {"namespace": "$NS", "verb": "$2", "resource": "pods"}}}
JSON
  K create -f "$W/sar.json" -o jsonpath='{.status.allowed}'
}
for verb in create list delete; do
  [ "$(sar notebook $verb)" = false ] || fail "the notebook ServiceAccount may $verb pods"
  [ "$(sar spark $verb)" = true ] || fail "the spark ServiceAccount may not $verb pods"
done
pass "SubjectAccessReview: notebook may not create/list/delete pods; spark may"
[ "$(K auth can-i create pods -n "$NS" --as="system:serviceaccount:$NS:notebook" 2>/dev/null || true)" = no ] ||
  fail "kubectl auth can-i says the notebook ServiceAccount may create pods"
[ "$(K auth can-i create pods -n "$NS" --as="system:serviceaccount:$NS:spark")" = yes ] ||
  fail "kubectl auth can-i says the spark ServiceAccount may not create pods"
pass "kubectl auth can-i create pods: notebook no, spark yes"

for nb in jupyterhub marimo; do
  got=$(K get deployment "spark-connect-$nb" -n "$NS" \
    -o jsonpath='{.spec.template.spec.serviceAccountName} {.spec.template.spec.automountServiceAccountToken}')
  [ "$got" = "notebook false" ] || fail "$nb runs as '$got', not 'notebook false'"
done
got=$(K get deployment spark-connect-connect -n "$NS" -o jsonpath='{.spec.template.spec.serviceAccountName}')
[ "$got" = spark ] || fail "the Connect server runs as '$got', not spark"
[ "$(K get serviceaccount notebook -n "$NS" -o jsonpath='{.automountServiceAccountToken}')" = false ] ||
  fail "the notebook ServiceAccount automounts its token"
pass "notebooks run as notebook without a token; the Connect server as spark"
