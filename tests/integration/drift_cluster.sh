#!/bin/bash
# `stackctl drift --cluster` against the project's real apiserver (tests/k8s), kubectl as the
# independent client that makes the drift: the kyuubi-sql stack deployed into a namespace of our
# own is clean; a `kubectl patch` of a field stackctl applied, a ConfigMap joined to the ApplySet
# that the stack does not render, a pod running another digest of a locked image, and spark.env
# values changed since the deploy are each found, with their evidence. An eks target deployed with
# --terraform-outputs: drift without them skips the check (says why, exit 0); with them it is
# clean, and another role ARN in the outputs or a `kubectl annotate` of the live one is drift.
# Usage: drift_cluster.sh STACKCTL. Exits 77 only when the control plane cannot be built here.
# Never stops or resets the shared apiserver; deletes only the namespace it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init drift-it
need_apiserver
W=$WORK
NS="drift-it-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
at_exit '$KUBECTL delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
expect() { [[ $2 == *"$1"* ]] || { echo "$2"; fail "missing [$1]"; }; ok "$1"; }
unset GITHUB_ACTIONS

# shellcheck source=deploy_lib.sh
source "$HERE/deploy_lib.sh"
mirror_start

S="$W/kyuubi-sql.stack.yaml"
copy_stack kyuubi-sql "$W"
sed -i "s|^  mirror: .*|  mirror: $MIRROR|" "$S"
# Made-up values for the Vault-sourced spark.env keys (never secrets).
values() {
  python3 - "$S" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keys = sorted(set(re.findall(r"^\s*- name: [A-Z0-9_]+\n\s*from: vault\n\s*key: (\S+)", text, re.M)))
for k in keys: print(f'{k}: "4"' if "instances" in k or "cores" in k else f"{k}: {sys.argv[2]}")
PY
}
values test-value > "$W/values.yaml"
values changed-value > "$W/values2.yaml"
"$STACKCTL" lock "$S" >/dev/null 2>"$W/err" || { cat "$W/err"; fail "lock"; }
# Made-up digests for every image the target runs, as build --push would record them.
fake_digests "$S" --values "$W/values.yaml"
CTX=$($KUBECTL config current-context)
COMMON=(--target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX")
"$STACKCTL" deploy "$S" "${COMMON[@]}" --no-wait --values "$W/values.yaml" >/dev/null 2>"$W/err" \
  || { cat "$W/err"; fail "deploy"; }

drift() { # drift EXPECTED_RC [args]: runs drift --only cluster; output in $OUT
  local want=$1; shift
  set +e
  OUT=$("$STACKCTL" drift "$S" --only cluster --cluster "${COMMON[@]}" "$@" 2>"$W/err")
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { echo "$OUT"; cat "$W/err"; fail "drift exited $rc, expected $want"; }
}

drift 0 --values "$W/values.yaml"
expect "drift: clean" "$OUT"

WORKLOAD=$($KUBECTL get deployments,statefulsets -n "$NS" -o name | head -1)  # kind.group/name
KIND=$($KUBECTL get "$WORKLOAD" -n "$NS" -o jsonpath='{.kind}')
$KUBECTL patch "$WORKLOAD" -n "$NS" --type merge -p '{"spec":{"replicas":3}}' >/dev/null
drift 5 --values "$W/values.yaml"
expect "$KIND $NS/${WORKLOAD#*/}: live object differs from the stack" "$OUT"
expect "-  replicas: 3" "$OUT"

ID=$($KUBECTL get secret kyuubi-sql-applyset -n "$NS" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}')
$KUBECTL create configmap left-over -n "$NS" --from-literal=a=b >/dev/null
$KUBECTL label configmap left-over -n "$NS" "applyset.kubernetes.io/part-of=$ID" >/dev/null
drift 5 --values "$W/values.yaml"
expect "ConfigMap $NS/left-over: in the ApplySet but no longer rendered by the stack" "$OUT"

REPO=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"][0]["ref"].rsplit(":",1)[0])' "$W/kyuubi-sql.stack.lock")
OTHER="sha256:$(printf other | sha256sum | cut -d' ' -f1)"
$KUBECTL run other-digest -n "$NS" --image "$REPO@$OTHER" --restart=Never >/dev/null
drift 5 --values "$W/values.yaml"
expect "Pod $NS/other-digest container other-digest: runs another digest than the lock" "$OUT"
expect "runs $OTHER (from its spec)" "$OUT"

drift 5 --values "$W/values2.yaml"
expect "spark.env values: a spark.env value changed since the last deploy" "$OUT"
[[ $OUT != *changed-value* && $OUT != *test-value* ]] || fail "a spark.env value was printed"
ok "no spark.env value printed"
# An eks target: what deploy applied holds Terraform's outputs (the IRSA role ARN on the spark
# ServiceAccount). Deployed with --terraform-outputs into a second namespace of our own.
NS2="$NS-eks"
at_exit '$KUBECTL delete namespace "$NS2" --wait=false >/dev/null 2>&1 || true'
ROLE="arn:aws:iam::111122223333:role/drift-it-spark"  # made up; the apiserver never calls AWS
printf '{"spark_role_arn": {"sensitive": false, "type": "string", "value": "%s"}}\n' "$ROLE" >"$W/outputs.json"
printf '{"spark_role_arn": {"sensitive": false, "type": "string", "value": "%s-2"}}\n' "$ROLE" >"$W/outputs2.json"
EKS=(--target eks -n "$NS2" --kubeconfig "$KC" --context "$CTX")
"$STACKCTL" deploy "$S" "${EKS[@]}" --no-wait --values "$W/values.yaml" \
  --terraform-outputs "$W/outputs.json" >/dev/null 2>"$W/err" || { cat "$W/err"; fail "deploy eks"; }
[ "$($KUBECTL get serviceaccount spark -n "$NS2" -o jsonpath='{.metadata.annotations.eks\.amazonaws\.com/role-arn}')" = "$ROLE" ] ||
  fail "deploy did not put the role ARN on the spark ServiceAccount (test setup)"
drift_eks() { # drift_eks EXPECTED_RC [args]: drift --only cluster on the eks target; output in $OUT
  local want=$1; shift
  set +e
  OUT=$("$STACKCTL" drift "$S" --only cluster --cluster "${EKS[@]}" --values "$W/values.yaml" "$@" 2>"$W/err")
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { echo "$OUT"; cat "$W/err"; fail "drift (eks) exited $rc, expected $want"; }
}
drift_eks 0
expect "cluster: 0 passed, 0 drifted, 1 skipped" "$OUT"
expect "target eks is an eks target: the objects deploy applied hold Terraform's outputs (the IRSA role ARN), so nothing was compared; pass --terraform-outputs" "$OUT"
drift_eks 0 --terraform-outputs "$W/outputs.json"
expect "drift: clean" "$OUT"
drift_eks 5 --terraform-outputs "$W/outputs2.json"
expect "ServiceAccount $NS2/spark: live object differs from the stack" "$OUT"
expect "$ROLE-2" "$OUT"
$KUBECTL annotate serviceaccount spark -n "$NS2" --overwrite "eks.amazonaws.com/role-arn=$ROLE-edited" >/dev/null
drift_eks 5 --terraform-outputs "$W/outputs.json"
expect "ServiceAccount $NS2/spark: live object differs from the stack" "$OUT"
expect "$ROLE-edited" "$OUT"
echo '{"spark_role_arn": ' >"$W/broken.json"
drift_eks 8 --terraform-outputs "$W/broken.json"
expect "not \`terraform output -json\` output" "$(cat "$W/err")"
echo "all passed"
