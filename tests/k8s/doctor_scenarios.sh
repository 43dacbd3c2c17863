#!/bin/bash
# stackctl doctor against the project's real apiserver (tests/k8s): stages a broken platform in a
# namespace of its own the way kwok does (pods created, then their status PUT through
# .../pods/NAME/status; Events POSTed), with a spark ServiceAccount that has no Role and a Service
# whose selector matches nothing, then checks that doctor names each with the right code and
# evidence; a healthy namespace gives no finding. The harness has no kubelet, so the logs call of
# the crash-looping pod fails for real: doctor must record that as a note and report the rest.
# Besides the staged states, the cluster's own controllers write some of the cases (a ResourceQuota
# refusing a Deployment's pods: ReplicaFailure and ProgressDeadlineExceeded; a claim naming a
# StorageClass that does not exist; a Service with no ready endpoint). The log-based rules are
# checked through the snapshot the run saved, with one log per signal added, replayed with --from;
# a refused token gives D_CLUSTER_AUTH.
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

# More of the catalogue, each on pods bound to the test's node (the live scheduler then leaves them
# alone, and no kubelet overwrites what is staged):
# a driver crashing with exit 1,
pod "$NS" driver driver "$NODE"
put_status "$NS" driver '{"phase":"Running","containerStatuses":[{"name":"driver","ready":false,"restartCount":3,"image":"registry.local/spark-connect:test","imageID":"","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s restarting failed container"}},"lastState":{"terminated":{"reason":"Error","exitCode":1,"startedAt":"2026-12-01T10:00:00Z","finishedAt":"2026-12-01T10:00:05Z"}}}]}'
# an executor evicted for ephemeral storage,
pod "$NS" exec-evicted executor "$NODE"
put_status "$NS" exec-evicted '{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: ephemeral-storage. Container executor was using 12Gi, which exceeds its request of 0."}'
# a pod whose mounted ConfigMap does not exist,
pending='{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable"}]}'
pod "$NS" mounter mounter "$NODE"
put_status "$NS" mounter '{"phase":"Pending"}'
event "$NS" mounter FailedMount 'MountVolume.SetUp failed for volume "spark-conf" : configmap "spark-defaults-missing" not found'
# pending pods with the scheduler's words: an unbound claim, and a taint nothing tolerates.
pod "$NS" claimer claimer "$NODE"
put_status "$NS" claimer "$pending"
event "$NS" claimer FailedScheduling '0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.'
pod "$NS" tainted tainted "$NODE"
put_status "$NS" tainted "$pending"
event "$NS" tainted FailedScheduling "0/1 nodes are available: 1 node(s) had taint {stackctl.test/no-kubelet: }, that the pod didn't tolerate."
# Written by the cluster's own controllers, not staged:
# a claim naming a StorageClass that does not exist (the PV controller leaves it Pending),
cat <<PVC | K apply -f - >/dev/null
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: history-logs, namespace: $NS}
spec: {storageClassName: no-such-class, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
PVC
# a Service selecting the crash-looping Connect pod, which the endpoints controller lists nowhere
# ready,
K -n "$NS" create service clusterip connect --tcp=15002:15002 >/dev/null
K -n "$NS" patch service connect --type=merge -p '{"spec":{"selector":{"app":"connect"}}}' >/dev/null
# and a Deployment whose pods a ResourceQuota refuses: the ReplicaSet controller records
# FailedCreate and ReplicaFailure, the Deployment controller ProgressDeadlineExceeded. The quota
# comes last, so only this Deployment's pods are refused.
K -n "$NS" create quota no-more-pods --hard=pods=0 >/dev/null
# The apiserver's quota admission reads quotas from its own cache: a pod created in the moment
# before the new quota reaches it is admitted, and the Deployment then never has a ReplicaFailure.
# Wait until a server-side dry run of a pod is refused by this quota.
for _ in $(seq 100); do
  K -n "$NS" run quota-probe --image=registry.local/spark-connect:test --restart=Never \
    --dry-run=server >/dev/null 2>"$W/quota-probe.err" || break
  sleep 0.1
done
grep -q "exceeded quota: no-more-pods" "$W/quota-probe.err" ||
  fail "the apiserver did not enforce the ResourceQuota within 10 s: $(cat "$W/quota-probe.err")"
cat <<DEP | K apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: history, namespace: $NS}
spec:
  replicas: 1
  progressDeadlineSeconds: 1
  selector: {matchLabels: {app: history}}
  template:
    metadata: {labels: {app: history}}
    spec: {containers: [{name: history, image: registry.local/spark-connect:test}]}
DEP
for _ in $(seq 60); do
  rf=$(K -n "$NS" get rs -l app=history -o jsonpath='{.items[*].status.conditions[?(@.type=="ReplicaFailure")].status}' 2>/dev/null || true)
  pd=$(K -n "$NS" get deployment history -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}' 2>/dev/null || true)
  [ "$rf" = True ] && [ "$pd" = ProgressDeadlineExceeded ] && break
  sleep 1
done
[ "$rf" = True ] && [ "$pd" = ProgressDeadlineExceeded ] ||
  fail "the controllers did not write ReplicaFailure ($rf) and ProgressDeadlineExceeded ($pd) within 60 s"

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
need("D_CRASH_LOOP", lambda f: f["object"] == f"Pod {ns}/driver container driver" and "exitCode 1" in f["evidence"], "driver exit 1")
need("D_EVICTED", lambda f: f["object"] == f"Pod {ns}/exec-evicted" and "ephemeral-storage" in f["evidence"], "evicted executor")
need("D_MOUNT_MISSING", lambda f: f["object"] == f"Pod {ns}/mounter" and 'configmap "spark-defaults-missing" not found' in f["evidence"], "missing ConfigMap mount")
need("D_UNBOUND_PVC", lambda f: f["object"] == f"Pod {ns}/claimer" and "unbound immediate PersistentVolumeClaims" in f["evidence"], "unbound claim")
# The live scheduler's own "were unschedulable" about the unbound pods is the same cause: one
# finding naming them all, the staged taint among them.
need("D_UNSCHEDULABLE", lambda f: f"Pod {ns}/tainted" in f["objects"], "taint")
need("D_CLAIM_PENDING", lambda f: f["object"] == f"PersistentVolumeClaim {ns}/history-logs" and "storageClassName no-such-class" in f["evidence"], "pending claim")
need("D_SERVICE_NO_READY_ENDPOINTS", lambda f: f["object"] == f"Service {ns}/connect" and "0 ready addresses" in f["evidence"], "connect Service")
need("D_REPLICA_FAILURE", lambda f: any(o.startswith(f"ReplicaSet {ns}/history-") for o in f["objects"]) and "exceeded quota: no-more-pods" in f["evidence"], "quota")
need("D_PROGRESS_DEADLINE", lambda f: f["object"] == f"Deployment {ns}/history" and "ProgressDeadlineExceeded" in f["evidence"], "deadline")
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

# Log-based rules through the saved snapshot (the harness has no kubelet, so no container logs
# exist to read): one previous-container log per signal, each in a container of its own, added to
# the snapshot the real cluster gave; replayed offline, each is named with its line as evidence.
python3 - "$W/snap.json" "$NS" > "$W/snap-logs.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1])); ns = sys.argv[2]
host = snap.get("objectStoreHost") or "minio.default.svc.cluster.local"
snap["objectStoreHost"] = host
lines = {
  "D_CONNECT_DAEMONIZED": "starting org.apache.spark.sql.connect.service.SparkConnectServer, logging to /opt/spark/logs/spark--org.apache.spark.sql.connect.service.SparkConnectServer-1-x.out",
  "D_DRIVER_RBAC": f'pods is forbidden: User "system:serviceaccount:{ns}:default" cannot create resource "pods" in API group "" in the namespace "{ns}".',
  "D_DRIVER_POD_NAME": f"org.apache.spark.SparkException: No pod was found named spark-connect-driver in the cluster in the namespace {ns} (this was supposed to be the driver pod.).",
  "D_S3_VIRTUAL_HOST": f"Caused by: java.net.UnknownHostException: warehouse.{host}",
  "D_CONNECT_IPV6": "25/12/01 10:00:03 INFO SparkConnectServer: Spark Connect server started at: 0:0:0:0:0:0:0:0:15002",
  "D_METASTORE_UNREACHABLE": "MetaException(message:Could not connect to meta store using any of the URIs provided. Most recent failure: org.apache.thrift.transport.TTransportException",
  "D_TABLE_NOT_FOUND": "org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `sales` cannot be found.",
  "D_KYUUBI_ENGINE_TIMEOUT": "org.apache.kyuubi.KyuubiSQLException: Timeout(180000 ms, you can modify kyuubi.session.engine.initialize.timeout to change it) to launched SPARK_SQL engine with /opt/spark/bin/spark-submit",
  "D_CONNECT_UNAVAILABLE": 'grpc._channel._InactiveRpcError: status = StatusCode.UNAVAILABLE details = "failed to connect to all addresses; last error: UNKNOWN: ipv4:10.96.0.15:15002: Failed to connect to remote host: Connection refused"',
  "D_DRIVER_UNREACHABLE": "Caused by: java.io.IOException: Failed to connect to demo-connect-5d8f-abc12:7078",
  "D_EXECUTOR_KILLED_137": "25/12/01 10:09:00 ERROR TaskSchedulerImpl: Lost executor 3 on 10.244.0.31: The executor with id 3 exited with exit code 137(SIGKILL, possible container OOM).",
  "D_JAVA_OOM": "java.lang.OutOfMemoryError: Java heap space",
}
for code, line in lines.items():
  snap["logs"].append({"namespace": ns, "pod": "driver", "container": "log-" + code.lower(),
                       "previous": True, "lines": ["a line that says nothing", line], "error": ""})
json.dump(snap, open(sys.argv[1] + ".codes", "w"))
json.dump(sorted(lines), sys.stdout)
PY
mv "$W/snap.json.codes" "$W/snap-logs.json.in"
set +e
"$BIN" doctor --from "$W/snap-logs.json.in" -o json > "$W/out.json" 2> "$W/err.txt"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$W/err.txt"; fail "log replay exit $rc"; }
python3 - "$W/out.json" "$NS" "$W/snap-logs.json" <<'PY' || fail "log rules from the saved snapshot"
import json, sys
out = json.load(open(sys.argv[1])); ns = sys.argv[2]; want = json.load(open(sys.argv[3]))
have = {}
for f in out["findings"]:
    for o in f["objects"]:
        have[(f["code"], o)] = f
missing = [c for c in want
           if not any(k[0] == c and k[1] == f"Pod {ns}/driver container log-{c.lower()}"
                      and have[k]["evidence"].startswith("previous log: ") for k in have)]
if missing:
    print("log rules not named:", missing, "have:", sorted({k[0] for k in have})); sys.exit(1)
print("log rules named from the saved snapshot:", len(want))
PY

# A credential the apiserver refuses: 401, reported as D_CLUSTER_AUTH, exit 4.
K config view --raw --flatten > "$W/bad-kubeconfig"
chmod 600 "$W/bad-kubeconfig"
"$H/bin/kubectl" --kubeconfig "$W/bad-kubeconfig" config set-credentials \
  "$(K config view -o jsonpath='{.contexts[0].context.user}')" --token=not-a-valid-token >/dev/null
set +e
"$BIN" doctor "$STACK" --target minikube --kubeconfig "$W/bad-kubeconfig" --context "$CTX" -n "$NS" \
  -o json --no-alignment > "$W/out.json" 2> "$W/err.txt"
rc=$?
set -e
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=[f["code"] for f in j.get("findings", [])]; print("401:", c); sys.exit(0 if "D_CLUSTER_AUTH" in c else 1)' "$W/out.json" ||
  { cat "$W/err.txt"; fail "a refused token: no D_CLUSTER_AUTH (exit $rc)"; }
[ "$rc" = 4 ] || fail "a refused token: exit $rc, expected 4 (an external refusal, docs/exit-codes.md)"
grep -q not-a-valid-token "$W/out.json" "$W/err.txt" && fail "the refused token is shown"
echo "refused token: exit $rc"

# The healthy namespace: no finding, exit 0.
"$BIN" doctor "$STACK" --target minikube --kubeconfig "$KC" --context "$CTX" -n "$OK" -o json \
  --no-alignment > "$W/out.json" 2> "$W/err.txt" || { cat "$W/err.txt"; fail "healthy namespace: exit $?"; }
python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["findings"]; print(f) if f else None; sys.exit(1 if f else 0)' "$W/out.json" || fail "healthy namespace has findings"
echo "doctor scenarios: ok ($NS, $OK)"
