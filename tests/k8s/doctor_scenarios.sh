#!/bin/bash
# stackctl doctor against the project's real apiserver (tests/k8s): stages a broken platform in a
# namespace of its own the way kwok does (pods created, then their status PUT through
# .../pods/NAME/status; Events POSTed), with a spark ServiceAccount that has no Role and a Service
# whose selector matches nothing, then checks that doctor names each with the right code and
# evidence; a healthy namespace gives no finding. The harness has no kubelet, so the logs call of
# the crash-looping pod fails for real: doctor must record that as a note and report the rest.
# Usage: doctor_scenarios.sh STACKCTL_BINARY
# Exits 77 (skipped) only when the control plane cannot be built here. Never stops or resets the
# shared apiserver; deletes only its own namespaces.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
  echo "doctor_scenarios: the control plane cannot be built here (needs root and apt-get): skipped"
  exit 77
fi
bash "$HERE/ensure.sh" >/dev/null
KC=$H/kubeconfig
K() { "$H/bin/kubectl" --kubeconfig "$KC" "$@"; }
SUFFIX=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
NS=doctor-$SUFFIX
OK=doctor-ok-$SUFFIX
W=$(mktemp -d /tmp/stackctl-doctor.XXXXXX)
NODE=doctor-node-$SUFFIX
cleanup() {
  K delete namespace "$NS" "$OK" --wait=false >/dev/null 2>&1 || true
  K delete node "$NODE" --wait=false >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- doctor output:"; cat "$W/out.json" 2>/dev/null || true; exit 1; }

K create namespace "$NS" >/dev/null
K create namespace "$OK" >/dev/null
K -n "$NS" create serviceaccount spark >/dev/null  # no Role, no RoleBinding
K -n "$NS" create secret generic spark-env --from-literal=AWS_SECRET_ACCESS_KEY=do-not-show >/dev/null

pod() { # ns name app [nodeName]
  cat <<P | K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1, labels: {app: $3}}
spec:
  ${4:+nodeName: $4}
  containers: [{name: $3, image: registry.local/spark-connect:test}]
P
}
put_status() { # ns name status-json
  K get --raw "/api/v1/namespaces/$1/pods/$2" > "$W/pod.json"
  python3 - "$W/pod.json" "$3" > "$W/pod-status.json" <<'PY'
import json, sys
pod = json.load(open(sys.argv[1])); pod["status"] = json.loads(sys.argv[2]); print(json.dumps(pod))
PY
  K replace --raw "/api/v1/namespaces/$1/pods/$2/status" -f "$W/pod-status.json" >/dev/null
}
event() { # ns pod reason message
  local uid; uid=$(K -n "$1" get pod "$2" -o jsonpath='{.metadata.uid}')
  cat > "$W/event.json" <<E
{"apiVersion":"v1","kind":"Event","metadata":{"name":"$2.$RANDOM$RANDOM","namespace":"$1"},
 "involvedObject":{"kind":"Pod","namespace":"$1","name":"$2","uid":"$uid"},
 "reason":"$3","message":$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$4"),
 "type":"Warning","count":3,"source":{"component":"kubelet"}}
E
  K create --raw "/api/v1/namespaces/$1/events" -f "$W/event.json" >/dev/null
}

# Five executors kept from starting by one missing Secret key's Secret.
for i in 1 2 3 4 5; do
  pod "$NS" "exec-$i" executor
  put_status "$NS" "exec-$i" '{"phase":"Pending","containerStatuses":[{"name":"executor","ready":false,"restartCount":0,"image":"registry.local/spark-connect:test","imageID":"","state":{"waiting":{"reason":"CreateContainerConfigError","message":"secret \"spark-aws\" not found"}}}]}'
done
# An image that cannot be pulled.
pod "$NS" marimo marimo
put_status "$NS" marimo '{"phase":"Pending","containerStatuses":[{"name":"marimo","ready":false,"restartCount":0,"image":"registry.local/notebook:nope","imageID":"","state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"registry.local/notebook:nope\""}}}]}'
# (Insufficient cpu/memory is covered by the unit tests only: the harness's live scheduler writes
# its own FailedScheduling events about the pod after a staged one.)
# A Connect server restarting with exit 0, bound to a node with no kubelet: the apiserver's logs
# call fails for real (a pod with no node gets an empty 200 from a 1.20 apiserver instead). The Node
# object exists (with no address), so the pod garbage collector, which deletes pods bound to a node
# that does not exist, cannot remove the pod while the test runs. It is unschedulable and tainted so
# the scheduler never binds another test's pods to it; deleting it at the end lets the pod garbage
# collector remove the pod the namespace deletion leaves terminating.
K create -f - >/dev/null <<N
{"apiVersion":"v1","kind":"Node","metadata":{"name":"$NODE"},
 "spec":{"unschedulable":true,"taints":[{"key":"stackctl.test/no-kubelet","effect":"NoSchedule"}]}}
N
pod "$NS" connect connect "$NODE"
put_status "$NS" connect '{"phase":"Running","containerStatuses":[{"name":"connect","ready":false,"restartCount":4,"image":"registry.local/spark-connect:test","imageID":"","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 1m20s restarting failed container"}},"lastState":{"terminated":{"reason":"Completed","exitCode":0,"startedAt":"2026-12-01T10:00:00Z","finishedAt":"2026-12-01T10:00:02Z"}}}]}'
# A Service whose selector matches nothing.
K -n "$NS" create service clusterip kyuubi --tcp=10009:10009 >/dev/null
K -n "$NS" patch service kyuubi --type=merge -p '{"spec":{"selector":{"app":"kyuubi-server"}}}' >/dev/null

# The healthy namespace: a Running ready pod, a Service selecting it, spark allowed to create pods.
K -n "$OK" create serviceaccount spark >/dev/null
K -n "$OK" create role spark --verb=get,list,watch,create,delete --resource=pods,services,configmaps >/dev/null
K -n "$OK" create rolebinding spark --role=spark --serviceaccount="$OK:spark" >/dev/null
pod "$OK" hub hub
put_status "$OK" hub '{"phase":"Running","podIP":"10.0.0.7","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"hub","ready":true,"restartCount":0,"image":"registry.local/notebook:test","imageID":"","state":{"running":{"startedAt":"2026-12-01T10:00:00Z"}}}]}'
K -n "$OK" create service clusterip hub --tcp=8000:8000 >/dev/null
K -n "$OK" patch service hub --type=merge -p '{"spec":{"selector":{"app":"hub"}}}' >/dev/null
# No endpoints controller sees a pod without a node as ready: write the Endpoints as it would.
cat <<EP | K apply -f - >/dev/null
apiVersion: v1
kind: Endpoints
metadata: {name: hub, namespace: $OK}
subsets: [{addresses: [{ip: 10.0.0.7}], ports: [{port: 8000}]}]
EP

STACK=$ROOT/stacks/spark-connect.stack.yaml
CTX=$(K config current-context)
set +e
# --no-alignment: these namespaces hold the staged cases, not the stack's rendered platform (the
# alignment with the stack is tested on its own in check_cluster_labels.sh).
"$BIN" doctor "$STACK" --target minikube --kubeconfig "$KC" --context "$CTX" -n "$NS" -o json \
  --no-alignment --save "$W/snap.json" > "$W/out.json" 2> "$W/err.txt"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$W/err.txt"; fail "doctor exit $rc, expected 1 (findings)"; }
python3 - "$W/out.json" "$NS" <<'PY' || fail "findings"
import json, sys
out = json.load(open(sys.argv[1])); ns = sys.argv[2]
by = {}
for f in out["findings"]:
    by.setdefault(f["code"], []).append(f)
def need(code, cond, what):
    fs = by.get(code, [])
    if not fs or not any(cond(f) for f in fs):
        print(f"missing {code}: {what}; have {sorted(by)}"); sys.exit(1)
need("D_CONFIG_MISSING", lambda f: len(f["objects"]) == 5 and 'secret "spark-aws" not found' in f["evidence"], "one finding naming five pods")
need("D_IMAGE_PULL", lambda f: f["object"] == f"Pod {ns}/marimo container marimo" and "ImagePullBackOff" in f["evidence"], "marimo")
need("D_EXITED_ZERO", lambda f: "exitCode 0" in f["evidence"], "connect exit 0")
need("D_SERVICE_SELECTS_NOTHING", lambda f: f["object"] == f"Service {ns}/kyuubi" and "app=kyuubi-server" in f["evidence"], "kyuubi selector")
need("D_RBAC_DENIED", lambda f: f["object"] == f"system:serviceaccount:{ns}:spark in namespace {ns}" and "allowed=false" in f["evidence"], "spark SA")
# The real logs call fails (no kubelet): a note, and the rest is still reported.
need("D_PARTIAL_SNAPSHOT", lambda f: f["object"].startswith(f"Pod {ns}/connect container connect") and f["evidence"].startswith("logs: "), "the failed logs call")
print("doctor named:", sorted(by))
PY
grep -q do-not-show "$W/snap.json" && fail "the saved snapshot holds a Secret value"
grep -q '"AWS_SECRET_ACCESS_KEY"' "$W/snap.json" || fail "the saved snapshot lacks the Secret's key name"
# The saved snapshot replays offline to the same findings.
set +e
"$BIN" doctor --from "$W/snap.json" -o json > "$W/replay.json" 2>/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "replay exit $rc"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if [f["code"] for f in a["findings"]]==[f["code"] for f in b["findings"]] else 1)' "$W/out.json" "$W/replay.json" || fail "replay differs"

# The healthy namespace: no finding, exit 0.
"$BIN" doctor "$STACK" --target minikube --kubeconfig "$KC" --context "$CTX" -n "$OK" -o json \
  --no-alignment > "$W/out.json" 2> "$W/err.txt" || { cat "$W/err.txt"; fail "healthy namespace: exit $?"; }
python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; print(f) if f else None; sys.exit(1 if f else 0)' "$W/out.json" || fail "healthy namespace has findings"
echo "doctor scenarios: ok ($NS, $OK)"
