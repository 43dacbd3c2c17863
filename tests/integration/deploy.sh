#!/bin/bash
# `stackctl deploy` against the project's real apiserver (tests/k8s), kubectl as the independent
# client. For each shipped stack (minikube target, a fresh namespace of our own):
#   - deploy (with a lock this test writes: artifact checksums from a loopback mirror that answers
#     every checksum file with a made-up value, images with made-up digests); kubectl confirms
#     every object, field manager stackctl and the ApplySet labels;
#   - a second deploy leaves every resourceVersion as it was;
# a stack whose object store credentials Secret is not on the cluster is refused first (the
# kubectl command in the message, nothing applied), and proceeds once it is made;
# then, on the kyuubi-sql stack: Kyuubi turned off prunes exactly its objects; pods staged the way
# kwok does (status written through pods/NAME/status, events POSTed) make deploy fail within its
# timeout naming ImagePullBackOff, FailedScheduling Insufficient cpu, and OOMKilled; a field owned
# by another manager gives the 409 message and --force-conflicts resolves it; the limited user
# gets a 403.
# Usage: deploy.sh STACKCTL. Exits 77 only when the control plane cannot be built here. Never
# stops or resets the shared apiserver; deletes only the namespaces it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init deploy-it
need_apiserver
W=$WORK
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
# Namespaces are NS_PREFIX-<stack>-SUFFIX (STACKCTL_TEST_NS_PREFIX, default "it"), so runs sharing
# one apiserver can tell theirs apart.
NS_PREFIX=${STACKCTL_TEST_NS_PREFIX:-it}
NAMESPACES=()
at_exit 'for ns in "${NAMESPACES[@]}"; do $KUBECTL delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done'
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

source "$HERE/deploy_lib.sh"
mirror_start

# The stacks' minikube targets name the context "minikube": use the harness's own instead.
CTX=$($KUBECTL config current-context)
deploy() { "$STACKCTL" deploy "$@" --kubeconfig "$KC" --context "$CTX"; }


VALUES=
for stack in spark-connect kyuubi-sql custom-app; do
  [ -f "$SRC/stacks/$stack.stack.yaml" ] || continue
  step "$stack: first deploy"
  VALUES=
  if grep -q "from: vault" "$SRC/stacks/$stack.stack.yaml"; then
    # Vault-sourced spark.env keys: made-up values for this test (never secrets).
    python3 - "$SRC/stacks/$stack.stack.yaml" > "$W/$stack.values.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keys = sorted(set(re.findall(r"^\s*- name: [A-Z0-9_]+\n\s*from: vault\n\s*key: (\S+)", text, re.M)))
# Keys that carry a Spark setting are judged as that setting (render refuses a non-number).
for k in keys: print(f'{k}: "4"' if "instances" in k or "cores" in k else f"{k}: test-value")
PY
    VALUES="--values $W/$stack.values.yaml"
  fi
  prepare "$stack" $VALUES
  ns="$NS_PREFIX-$stack-$SUFFIX"; NAMESPACES+=("$ns")
  # The object store's credentials Secret (services.external.objectStore.credentialsSecret) is
  # the user's: deploy refuses without it, with the command that makes it, and applies nothing.
  creds=$(sed -n 's/^ *credentialsSecret: *//p' "$W/$stack.stack.yaml" | head -1)
  if [ -n "$creds" ]; then
    step "$stack: no Secret $creds: refused before anything is applied"
    rc=0; deploy "$W/$stack.stack.yaml" --target minikube -n "$ns" --no-wait $VALUES > "$W/out" 2> "$W/err" || rc=$?
    [ "$rc" = 4 ] || { cat "$W/err"; fail "$stack: deploy without $creds: exit $rc, expected 4"; }
    grep -qxF "    kubectl create namespace $ns" "$W/err" || { cat "$W/err"; fail "$stack: no namespace command"; }
    cmd=$(grep "^    kubectl create secret generic $creds -n $ns --from-literal=" "$W/err" | sed 's/^    //') \
      || { cat "$W/err"; fail "$stack: the message has no command for $creds"; }
    if [ "$stack" = spark-connect ]; then
      # services.external.objectStore.credentialsSecret: the keys the AWS SDK reads from the env.
      [ "$cmd" = "kubectl create secret generic minio-credentials -n $ns --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=..." ] \
        || fail "$stack: command: $cmd"
    fi
    ! $KUBECTL get namespace "$ns" >/dev/null 2>&1 || fail "$stack: refused, yet namespace $ns was made"
    # The commands as the message gives them, with made-up values (never secrets).
    $KUBECTL create namespace "$ns" >/dev/null
    read -r -a words <<< "${cmd/#kubectl /}"
    first=() rest=()
    for w in "${words[@]}"; do
      case $w in
        --from-literal=*) if [ ${#rest[@]} = 0 ] && [[ " ${first[*]} " != *" --from-literal="* ]]; then first+=("${w%...}test-value"); else rest+=("${w%...}test-value"); fi ;;
        *) first+=("$w") ;;
      esac
    done
    [ ${#rest[@]} -gt 0 ] || fail "$stack: $creds needs one key only; the partial case needs two"
    missing=${rest[0]#--from-literal=}; missing=${missing%%=*}
    step "$stack: a Secret without $missing: refused, naming the key"
    $KUBECTL "${first[@]}" >/dev/null
    rc=0; deploy "$W/$stack.stack.yaml" --target minikube -n "$ns" --no-wait $VALUES > "$W/out" 2> "$W/err" || rc=$?
    [ "$rc" = 4 ] || { cat "$W/err"; fail "$stack: deploy with a partial $creds: exit $rc"; }
    grep -qF "Secret $ns/$creds has no key $missing" "$W/err" || { cat "$W/err"; fail "$stack: missing key not named"; }
    ! grep -q "test-value" "$W/err" "$W/out" || fail "$stack: a Secret's value was printed"
    # (kube-root-ca.crt is the controller-manager's, in every namespace.)
    applied=$($KUBECTL get deployments,statefulsets,configmaps,roles,rolebindings -n "$ns" -o name | grep -v "^configmap/kube-root-ca.crt$" || true)
    [ -z "$applied" ] || fail "$stack: refused, yet objects were applied: $applied"
    $KUBECTL delete secret "$creds" -n "$ns" >/dev/null
    $KUBECTL "${first[@]}" "${rest[@]}" >/dev/null
    step "$stack: with $creds made, deploy proceeds"
  fi
  deploy "$W/$stack.stack.yaml" --target minikube -n "$ns" --no-wait $VALUES > "$W/out" 2> "$W/err" \
    || { cat "$W/err"; fail "$stack: deploy"; }
  grep -Eq "^create  (Deployment|StatefulSet) $ns/" "$W/out" || { cat "$W/out"; fail "$stack: no workload created"; }
  id=$($KUBECTL get secret "$(sed -n 's/^  name: //p' "$W/$stack.stack.yaml" | head -1)-applyset" -n "$ns" \
        -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}')
  [[ $id == applyset-*-v1 ]] || fail "$stack: parent id label: $id"
  n_objects=$(grep -vc "^create  Namespace\|^unchanged  Namespace\|^skipped" "$W/out")
  n_members=$($KUBECTL get configmaps,secrets,services,serviceaccounts,roles,rolebindings,deployments,statefulsets \
      -n "$ns" -l "applyset.kubernetes.io/part-of=$id" -o name | wc -l)
  [ "$n_members" = "$n_objects" ] || fail "$stack: $n_objects applied, $n_members labelled part-of"
  managers=$($KUBECTL get deployments,statefulsets -n "$ns" -o jsonpath='{range .items[*]}{.metadata.managedFields[*].manager}{"\n"}{end}' | sort -u)
  # Every Deployment has stackctl among its field managers (the controller-manager owns status).
  while read -r line; do [[ " $line " == *" stackctl "* ]] || fail "$stack: field managers: $line"; done <<< "$managers"
  step "$stack: a second deploy changes nothing"
  before=$(rvs "$ns")
  deploy "$W/$stack.stack.yaml" --target minikube -n "$ns" --no-wait $VALUES > "$W/out2" 2>"$W/err" \
    || { cat "$W/err"; fail "$stack: second deploy"; }
  [ "$(rvs "$ns")" = "$before" ] || { diff <(echo "$before") <(rvs "$ns"); fail "$stack: resourceVersions changed"; }
  # (A Namespace made with kubectl, for the credentials Secret above, is left as it is: skipped.)
  ! grep -v "^skipped  Namespace $ns " "$W/out2" | grep -qv "^unchanged" || { cat "$W/out2"; fail "$stack: second deploy not all unchanged"; }
  LAST_STACK=$stack; LAST_NS=$ns; LAST_VALUES=$VALUES
done

if [ -f "$W/kyuubi-sql.stack.yaml" ]; then
  ns="$NS_PREFIX-kyuubi-sql-$SUFFIX"
  step "kyuubi-sql: Kyuubi off prunes exactly its objects"
  before=$($KUBECTL get all,configmaps,secrets -n "$ns" -o name | sort)
  sed -i 's|^  kyuubi:$|  kyuubi:\n    enabled: false|' "$W/kyuubi-sql.stack.yaml"
  $KUBECTL create configmap by-hand -n "$ns" --from-literal=a=b >/dev/null
  deploy "$W/kyuubi-sql.stack.yaml" --target minikube -n "$ns" --no-wait --values "$W/kyuubi-sql.values.yaml" \
    > "$W/out3" 2>"$W/err" || { cat "$W/err"; fail "kyuubi off: deploy"; }
  grep "^prune" "$W/out3" | grep -qv -i kyuubi && fail "pruned something not Kyuubi's: $(grep ^prune "$W/out3")"
  grep -q "^prune  StatefulSet $ns/" "$W/out3" || { cat "$W/out3"; fail "the Kyuubi StatefulSet was not pruned"; }
  $KUBECTL get configmap by-hand -n "$ns" >/dev/null || fail "a ConfigMap made by hand was deleted"
fi

ns=$LAST_NS
step "staged pod failures on $LAST_STACK are named by the wait"
deploy_name=$($KUBECTL get deployments -n "$ns" -o jsonpath='{.items[0].metadata.name}')
selector=$($KUBECTL get deployment "$deploy_name" -n "$ns" -o json | python3 -c '
import json,sys; m=json.load(sys.stdin)["spec"]["selector"]["matchLabels"]; print(",".join(f"{k}={v}" for k,v in m.items()))')
pod=""
for _ in $(seq 50); do
  pod=$($KUBECTL get pods -n "$ns" -l "$selector" -o jsonpath='{.items[0].metadata.name}' 2>/dev/null || true)
  [ -n "$pod" ] && break; sleep 0.2
done
[ -n "$pod" ] || fail "no pod of $deploy_name appeared"
uid=$($KUBECTL get pod "$pod" -n "$ns" -o jsonpath='{.metadata.uid}')
TOKEN=$(awk -F, '$2=="admin" {print $1}' "$H/pki/tokens.csv")
api() { curl -sf --cacert "$H/pki/ca.crt" -H "Authorization: Bearer $TOKEN" "$@" >/dev/null; }
stage() { # stage STATUS_JSON
  api -X PATCH -H 'Content-Type: application/merge-patch+json' \
    "https://127.0.0.1:6443/api/v1/namespaces/$ns/pods/$pod/status" -d "{\"status\": $1}"
}
expect_cause() { # expect_cause CODE TEXT
  set +e
  deploy "$W/$LAST_STACK.stack.yaml" --target minikube -n "$ns" --timeout 6s $LAST_VALUES > /dev/null 2> "$W/err"
  rc=$?; set -e
  [ "$rc" = 7 ] || { cat "$W/err"; fail "expected exit 7 for $1, got $rc"; }
  grep -q "$1" "$W/err" || { cat "$W/err"; fail "$1 not named"; }
  grep -qF "$2" "$W/err" || { cat "$W/err"; fail "$2 not quoted"; }
}
stage '{"phase":"Pending","containerStatuses":[{"name":"x","image":"registry.local/x@sha256:1","imageID":"","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}}]}'
expect_cause D_IMAGE_PULL 'registry.local/x@sha256:1'
stage '{"phase":"Running","containerStatuses":[{"name":"x","image":"x","imageID":"","ready":false,"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"reason":"OOMKilled","exitCode":137}}}]}'
expect_cause D_OOMKILLED 'OOMKilled exitCode 137'
stage '{"phase":"Pending","containerStatuses":null}'
api -X POST -H 'Content-Type: application/json' "https://127.0.0.1:6443/api/v1/namespaces/$ns/events" -d "{
  \"metadata\": {\"name\": \"$pod.staged\"}, \"involvedObject\": {\"kind\": \"Pod\", \"namespace\": \"$ns\",
  \"name\": \"$pod\", \"uid\": \"$uid\"}, \"reason\": \"FailedScheduling\", \"type\": \"Warning\",
  \"message\": \"0/3 nodes are available: 3 Insufficient cpu.\"}"
expect_cause D_INSUFFICIENT_RESOURCES '0/3 nodes are available: 3 Insufficient cpu.'

step "a conflicting field manager: 409, then --force-conflicts"
cm=$($KUBECTL get configmaps -n "$ns" -l "applyset.kubernetes.io/part-of" -o jsonpath='{.items[0].metadata.name}')
key=$($KUBECTL get configmap "$cm" -n "$ns" -o json | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["data"])[0])')
$KUBECTL get configmap "$cm" -n "$ns" -o json | python3 -c "
import json,sys; o=json.load(sys.stdin); print(json.dumps({'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':o['metadata']['name']},'data':{'$key':'changed by another manager'}}))" \
  > "$W/other.json"
$KUBECTL apply --server-side --field-manager=intruder --force-conflicts -n "$ns" -f "$W/other.json" >/dev/null
set +e
deploy "$W/$LAST_STACK.stack.yaml" --target minikube -n "$ns" --no-wait $LAST_VALUES >/dev/null 2>"$W/err"; rc=$?
set -e
[ "$rc" = 4 ] || { cat "$W/err"; fail "expected exit 4 on a conflict, got $rc"; }
grep -q 'apply conflict (409): fields another field manager owns' "$W/err" || { cat "$W/err"; fail "409 message"; }
grep -q 'conflict with "intruder"' "$W/err" || { cat "$W/err"; fail "the other manager is not named"; }
deploy "$W/$LAST_STACK.stack.yaml" --target minikube -n "$ns" --no-wait --force-conflicts $LAST_VALUES >/dev/null 2>"$W/err" \
  || { cat "$W/err"; fail "--force-conflicts"; }

step "the limited user gets a clear 403"
set +e
"$STACKCTL" deploy "$W/$LAST_STACK.stack.yaml" --target minikube -n "$ns" --no-wait $LAST_VALUES \
  --kubeconfig "$H/kubeconfig-limited" \
  --context "$($H/bin/kubectl --kubeconfig "$H/kubeconfig-limited" config current-context)" >/dev/null 2>"$W/err"; rc=$?
set -e
[ "$rc" = 4 ] || { cat "$W/err"; fail "expected exit 4 for the limited user, got $rc"; }
grep -qi 'forbidden\|403' "$W/err" || { cat "$W/err"; fail "no 403 message"; }
grep -q 'limited' "$W/err" || { cat "$W/err"; fail "the 403 does not name the user"; }
echo "deploy.sh: all passed"
