#!/usr/bin/env bash
# stackctl doctor at scale, on the project's real apiserver (tests/k8s): a namespace staged with
# PODS pods (default 1000) and EVENTS events (default 10000), pod status written through
# .../pods/NAME/status as kwok does (the harness has no kubelet), then
#   - stackctl doctor over it: the requests it made (counted from its -v log: one line per
#     request), its own CPU time (user+sys) and wall time;
#   - `kubectl describe pods` over the same namespace: its wall and CPU time;
#   - the ratio of the two wall times.
#
#   bash bench/doctor.sh [STACKCTL_BINARY]     (default build-tests/tool/stackctl)
#   PODS=200 EVENTS=2000 bash bench/doctor.sh  a smaller run
#   RUNS=5 bash bench/doctor.sh                best of RUNS for each side (default 3)
#   KUBECTL_RUNS=1 bash bench/doctor.sh        best of this many for kubectl (default RUNS; 0 skips
#                                              it: one describe of 1,000 pods can take minutes)
#   KEEP=1 bash bench/doctor.sh                keep the namespace and the outputs afterwards
#   BENCH_NS=NS KEEP=1 bash bench/doctor.sh    measure a namespace a KEEP=1 run staged (no staging)
#
# Uses the shared apiserver (tests/k8s/ensure.sh starts it when it is not running; it is never
# stopped); stages into a namespace of its own ($STACKCTL_K8S_NS_PREFIX-doctor-bench-XXXX, prefix
# "stackctl" by default) and deletes only that.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${1:-$root/build-tests/tool/stackctl}
PODS=${PODS:-1000}
EVENTS=${EVENTS:-10000}
RUNS=${RUNS:-3}
KUBECTL_RUNS=${KUBECTL_RUNS:-$RUNS}
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
bash "$root/tests/k8s/ensure.sh" >/dev/null
KC=$H/kubeconfig
K() { "$H/bin/kubectl" --kubeconfig "$KC" "$@"; }
NS=${BENCH_NS:-${STACKCTL_K8S_NS_PREFIX:-stackctl}-doctor-bench-$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')}
W=$(mktemp -d /tmp/stackctl-doctor-bench.XXXXXX)
# KEEP=1 leaves the namespace and the work folder for a look (delete them yourself).
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept namespace $NS and $W" >&2; return; fi
  K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT

if [ -n "${BENCH_NS:-}" ]; then
  echo "measuring the namespace $NS staged by an earlier KEEP=1 run" >&2
else
K create namespace "$NS" >/dev/null
K -n "$NS" create serviceaccount spark >/dev/null
K config view --raw -o json > "$W/kubeconfig.json"
chmod 600 "$W/kubeconfig.json"

echo "staging $PODS pods and $EVENTS events in $NS ..." >&2
start=$(date +%s.%N)
python3 - "$W/kubeconfig.json" "$NS" "$PODS" "$EVENTS" <<'PY'
# One keep-alive HTTPS connection: POST each pod, PUT its status (as kwok does), POST events.
import base64, http.client, json, ssl, sys, tempfile
cfg = json.load(open(sys.argv[1])); ns = sys.argv[2]; pods = int(sys.argv[3]); events = int(sys.argv[4])
ctx_name = cfg["current-context"]
ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
user = next(u["user"] for u in cfg["users"] if u["name"] == ctx["user"])
tls = ssl.create_default_context()
with tempfile.NamedTemporaryFile("wb", suffix=".crt") as ca:
    ca.write(base64.b64decode(cluster["certificate-authority-data"])); ca.flush()
    tls.load_verify_locations(ca.name)
host = cluster["server"].split("://", 1)[1]
conn = http.client.HTTPSConnection(host, context=tls)
headers = {"Authorization": "Bearer " + user["token"], "Content-Type": "application/json"}
def call(method, path, body):
    conn.request(method, path, json.dumps(body), headers)
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: sys.exit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)
# 95% running and ready, 2.5% ImagePullBackOff, 2.5% a missing Secret: the failing ones have
# no previous container, so no logs are read (the harness has no kubelet to serve them).
def status(i):
    if i % 40 == 1:
        st = {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"registry.local/notebook:nope\""}}
        return {"phase": "Pending", "containerStatuses": [{"name": "app", "ready": False, "restartCount": 0, "image": "registry.local/notebook:nope", "imageID": "", "state": st}]}
    if i % 40 == 2:
        st = {"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"spark-aws\" not found"}}
        return {"phase": "Pending", "containerStatuses": [{"name": "app", "ready": False, "restartCount": 0, "image": "registry.local/spark:test", "imageID": "", "state": st}]}
    return {"phase": "Running", "podIP": f"10.1.{i // 250}.{i % 250 + 1}",
            "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "image": "registry.local/spark:test", "imageID": "", "state": {"running": {"startedAt": "2026-12-01T10:00:00Z"}}}]}
uids = []
for i in range(pods):
    name = f"exec-{i:04d}"
    pod = call("POST", f"/api/v1/namespaces/{ns}/pods", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench", "spark-role": "executor"}},
        # A scheduler that does not exist: the default scheduler leaves the pod alone (a pod
        # bound to a node that does not exist would be deleted by the pod garbage collector).
        "spec": {"schedulerName": "stackctl-bench-none", "containers": [{"name": "app", "image": "registry.local/spark:test"}]}})
    pod["status"] = status(i)
    call("PUT", f"/api/v1/namespaces/{ns}/pods/{name}/status", pod)
    uids.append((name, pod["metadata"]["uid"]))
for e in range(events):
    name, uid = uids[e % pods]
    i = e % pods
    warning = i % 40 in (1, 2)
    reason, msg = (("BackOff", "Back-off pulling image \"registry.local/notebook:nope\"") if i % 40 == 1 else
                   ("Failed", "Error: secret \"spark-aws\" not found") if i % 40 == 2 else
                   ("Pulled", "Container image \"registry.local/spark:test\" already present on machine"))
    call("POST", f"/api/v1/namespaces/{ns}/events", {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{name}.{e:06d}"},
        "involvedObject": {"kind": "Pod", "namespace": ns, "name": name, "uid": uid},
        "reason": reason, "message": msg, "type": "Warning" if warning else "Normal",
        "count": 1, "source": {"component": "kubelet", "host": "bench-node"},
        "firstTimestamp": "2026-12-01T10:00:00Z", "lastTimestamp": "2026-12-01T10:00:00Z"})
PY
rm -f "$W/kubeconfig.json"
echo "staged in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s" >&2
fi
echo "namespace $NS: $(K -n "$NS" get pods --no-headers | wc -l) pods, $(K -n "$NS" get events --no-headers | wc -l) events"

echo "load average (1, 5, 15 min) before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
CTX=$(K config current-context)
STACK=$root/stacks/spark-connect.stack.yaml
timed() {  # OUT ERR CMD...: prints "wall user sys" of CMD to $W/time
  local out=$1 err=$2; shift 2
  /usr/bin/time -f "%e %U %S" -o "$W/time" "$@" > "$out" 2> "$err" || true
  tail -1 "$W/time"  # (a first line says when the command exited non-zero)
}
best=""; best_line=""
for run in $(seq "$RUNS"); do
  line=$(timed "$W/doctor.json" "$W/doctor.err" "$BIN" -v doctor "$STACK" --target minikube \
    --kubeconfig "$KC" --context "$CTX" -n "$NS" -o json)
  wall=${line%% *}
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$wall" "$best"; then
    best=$wall; best_line=$line; cp "$W/doctor.err" "$W/doctor.best.err"; cp "$W/doctor.json" "$W/doctor.best.json"
  fi
done
read -r d_wall d_user d_sys <<< "$best_line"
requests=$(grep -c 'kube: [A-Z]* https' "$W/doctor.best.err" || true)
lists=$(grep -c 'kube: GET https[^ ]*/namespaces/'"$NS"'/[a-z]* \|kube: GET https[^ ]*/nodes ' "$W/doctor.best.err" || true)
logs=$(grep -c 'kube: GET https[^ ]*/log?' "$W/doctor.best.err" || true)
python3 - "$W/doctor.best.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("doctor findings:", ", ".join(f'{f["code"]} ({len(f.get("objects") or [f["object"]])} objects)' for f in j["findings"]), "|", j["summary"])
PY
best=""; best_line="0 0 0"
: > "$W/describe.txt"
for run in $(seq "$KUBECTL_RUNS"); do
  line=$(timed "$W/describe.txt" "$W/describe.err" "$H/bin/kubectl" --kubeconfig "$KC" -n "$NS" describe pods)
  wall=${line%% *}
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$wall" "$best"; then
    best=$wall; best_line=$line
  fi
done
read -r k_wall k_user k_sys <<< "$best_line"
[ "$KUBECTL_RUNS" -gt 0 ] && echo "kubectl describe pods: $(grep -c '^Name: ' "$W/describe.txt") pods described"
python3 - "$PODS" "$EVENTS" "$requests" "$lists" "$logs" "$d_wall" "$d_user" "$d_sys" "$k_wall" "$k_user" "$k_sys" "$RUNS" "$KUBECTL_RUNS" <<'PY'
import os, sys
pods, events, req, lists, logs = sys.argv[1:6]
dw, du, ds, kw, ku, ks = map(float, sys.argv[6:12]); runs, kruns = sys.argv[12:14]
print(f"stackctl doctor: {req} requests ({lists} LISTs, {logs} log reads; the rest discovery and the review) for {pods} pods and {events} events")
print(f"stackctl doctor: own time {du + ds:.3f} s (user {du:.3f} + sys {ds:.3f}), wall {dw:.3f} s (best of {runs})")
if int(kruns) > 0:
    print(f"kubectl describe pods: own time {ku + ks:.3f} s (user {ku:.3f} + sys {ks:.3f}), wall {kw:.3f} s (best of {kruns})")
    print(f"ratio stackctl doctor / kubectl describe pods (wall): {dw / kw:.3f}; (own time): {(du + ds) / (ku + ks):.3f}")
else:
    print("kubectl describe pods: not run (KUBECTL_RUNS=0)")
print("load average (1, 5, 15 min) at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
PY
