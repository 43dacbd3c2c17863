#!/usr/bin/env bash
# Integration: every object render makes of tests/fixtures/names/max-names.stack.yaml, whose
# derived names are all at their limits, is accepted by the project's real apiserver (tests/k8s)
# in a server-side dry run (`kubectl apply --server-side --dry-run=server`: the apiserver's own
# validation, nothing stored); the same stack with one character more in metadata.name, or in a
# notebook name, fails `stackctl validate` with E_DERIVED_NAME at that key.
# What a dry run cannot show: the Kyuubi StatefulSet's 52-character limit is the StatefulSet
# controller's (kubernetes/kubernetes#64023); the apiserver accepts up to 253, so the unit test
# "a derived name one character over its limit fails validate at the key" covers it.
# Usage: [STACKCTL_TEST_NS_PREFIX=names] derived_names.sh STACKCTL_BINARY
# Exits 77 (skipped) only when the control plane cannot be built here. Never stops the shared
# apiserver; creates and deletes one namespace of its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init names
need_apiserver
BIN=$STACKCTL
K() { $KUBECTL "$@"; }
SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS="${STACKCTL_TEST_NS_PREFIX:-names}-$SUFFIX-"  # the prefix: whose namespace it is, on a shared apiserver
while [ ${#NS} -lt 63 ]; do NS="${NS}x"; done  # a namespace of 63 characters, the most there is
W=$WORK
at_exit 'K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'
fail() { echo "FAIL: $*"; exit 1; }

sed "s/namespace: n\{63\}}/namespace: $NS}/" "$ROOT/tests/fixtures/names/max-names.stack.yaml" >"$W/max.stack.yaml"
grep -q "namespace: $NS}" "$W/max.stack.yaml" || fail "the fixture's namespace was not replaced"
"$BIN" validate "$W/max.stack.yaml" >"$W/validate.out" || { cat "$W/validate.out"; fail "validate"; }
"$BIN" render "$W/max.stack.yaml" --target minikube --out "$W/out" >/dev/null 2>"$W/render.err" ||
  { cat "$W/render.err"; fail "render"; }

# Namespaced objects need their namespace to exist even in a dry run: this one is created for real.
K create namespace "$NS" >/dev/null
n=0
for f in "$W"/out/targets/minikube/kubernetes/*.yaml; do
  K apply --server-side --dry-run=server --field-manager=stackctl-names-test -f "$f" \
    >"$W/apply.out" 2>&1 || { cat "$W/apply.out"; fail "the apiserver refuses $(basename "$f")"; }
  n=$((n + 1))
done
[ "$n" -ge 15 ] || fail "only $n objects rendered"
echo "ok: the apiserver accepts all $n objects (server-side dry run, namespace $NS)"

over() { # FROM TO KEY: the stack with FROM replaced by TO fails validate at KEY
  sed "s/$1/$2/" "$W/max.stack.yaml" >"$W/over.stack.yaml"
  rc=0
  "$BIN" validate "$W/over.stack.yaml" >"$W/over.out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || { cat "$W/over.out"; fail "validate of $2 exited $rc, not 1"; }
  grep -q "error: $3: .*\[E_DERIVED_NAME\]" "$W/over.out" || { cat "$W/over.out"; fail "no E_DERIVED_NAME at $3"; }
}
over "name: a\{45\}," "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa," metadata.name
over "name: cccccccccc," "name: ccccccccccc," "services.notebooks\[0\].name"
over "name: t\{17\}," "name: tttttttttttttttttt," "services.notebooks\[1\].name"
echo "ok: one character more fails validate at the key"
