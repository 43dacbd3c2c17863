#!/bin/bash
# `stackctl submit` against the project's real apiserver (tests/k8s), kubectl as the independent
# client, in a namespace of its own with the custom-app stack deployed (--no-wait):
#   - submit creates exactly the Job `--dry-run -o json` printed (kubectl reads it back: every
#     field the dry run printed has that value on the server; the server only adds defaults);
#   - a second submit of the same run is refused (exit 1) and the Job is unchanged;
#   - driver pods staged the way kwok does (created with the run's labels, status written through
#     pods/NAME/status; no kubelet runs here) as Succeeded, Failed with OOMKilled, and stuck
#     Pending give exit 0, 7 and 9 with their messages within --wait's --timeout.
# Usage: submit.sh STACKCTL. Exits 77 only when the control plane cannot be built here. Never
# stops or resets the shared apiserver; deletes only the namespace it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init submit-it
need_apiserver
W=$WORK
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NS="${STACKCTL_TEST_NS_PREFIX:-it}-submit-$SUFFIX"
BG=
at_exit '[ -z "$BG" ] || kill "$BG" 2>/dev/null; $KUBECTL delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

source "$HERE/deploy_lib.sh"
mirror_start
CTX=$($KUBECTL config current-context)
S="$W/custom-app.stack.yaml"
submit() { "$STACKCTL" submit "$S" pi --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" "$@"; }

step "deploy custom-app (the spark-defaults ConfigMap and the spark ServiceAccount)"
prepare custom-app
# The object-store credentials are the user's to give (deploy refuses without them: docs/deploy.md).
$KUBECTL create namespace "$NS" > /dev/null
$KUBECTL -n "$NS" create secret generic aws-credentials --from-literal=access-key-id=test-only \
  --from-literal=secret-access-key=test-only > /dev/null
"$STACKCTL" deploy "$S" --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" --no-wait \
  > "$W/deploy.out" 2> "$W/deploy.err" || { cat "$W/deploy.err"; fail "deploy"; }

step "submit creates exactly what --dry-run printed"
submit --run r1 --dry-run -o json > "$W/dry.json" 2> "$W/dry.err" || { cat "$W/dry.err"; fail "dry run"; }
$KUBECTL -n "$NS" get jobs -o name | grep -q . && fail "the dry run created a Job"
submit --run r1 > "$W/r1.out" 2> "$W/r1.err" || { cat "$W/r1.err"; fail "submit r1"; }
grep -q "^submitted  Job $NS/pi-r1  run r1$" "$W/r1.out" || { cat "$W/r1.out"; fail "submit r1 output"; }
$KUBECTL -n "$NS" get job pi-r1 -o json > "$W/live.json"
python3 - "$W/dry.json" "$W/live.json" <<'PY' || fail "the live Job differs from the dry run"
import json, sys
dry = json.load(open(sys.argv[1])); live = json.load(open(sys.argv[2]))
assert len(dry) == 1 and dry[0]["kind"] == "Job", dry
def sub(a, b, path):
    # every field the dry run printed is on the server with that value (it may add defaults)
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        for k, v in a.items():
            assert k in b, f"{path}.{k} missing on the server"
            sub(v, b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a} vs {b}"
        for i, (x, y) in enumerate(zip(a, b)): sub(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} printed, {b!r} on the server"
sub(dry[0], live, "Job")
cmd = live["spec"]["template"]["spec"]["containers"][0]["command"]
assert "--deploy-mode" in cmd and cmd[cmd.index("--deploy-mode") + 1] == "cluster", cmd
assert "spark.kubernetes.driver.label.stackctl.dev/run=r1" in cmd, cmd
assert not any("access.key=" in c or "secret.key=" in c for c in cmd), cmd
PY
n=$($KUBECTL -n "$NS" get jobs -l stackctl.dev/run=r1 -o name | wc -l)
[ "$n" = 1 ] || fail "jobs labelled run r1: $n"

step "a second submit of run r1 is refused"
rv=$($KUBECTL -n "$NS" get job pi-r1 -o jsonpath='{.metadata.resourceVersion}')
set +e; submit --run r1 > "$W/again.out" 2> "$W/again.err"; rc=$?; set -e
[ "$rc" = 1 ] || { cat "$W/again.err"; fail "second submit exit $rc, want 1"; }
grep -q "run \"r1\" was already submitted (Job $NS/pi-r1 exists); nothing was changed" "$W/again.err" \
  || { cat "$W/again.err"; fail "second submit message"; }
rv2=$($KUBECTL -n "$NS" get job pi-r1 -o jsonpath='{.metadata.resourceVersion}')
[ "$rv" = "$rv2" ] || fail "the second submit changed the Job ($rv -> $rv2)"

K() { $KUBECTL "$@"; }
driver() { # run
  cat <<P | K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: pi-$1-driver
  namespace: $NS
  labels: {spark-role: driver, stackctl.dev/run: "$1", spark-app-selector: spark-$1}
spec:
  containers: [{name: spark-kubernetes-driver, image: registry.local/app:test}]
P
}
put_status() { # name status-json
  K get --raw "/api/v1/namespaces/$NS/pods/$1" > "$W/pod.json"
  python3 - "$W/pod.json" "$2" > "$W/pod-status.json" <<'PY'
import json, sys
pod = json.load(open(sys.argv[1])); pod["status"] = json.loads(sys.argv[2]); print(json.dumps(pod))
PY
  K replace --raw "/api/v1/namespaces/$NS/pods/$1/status" -f "$W/pod-status.json" >/dev/null
}
event() { # pod reason message
  local uid; uid=$(K -n "$NS" get pod "$1" -o jsonpath='{.metadata.uid}')
  cat > "$W/event.json" <<E
{"apiVersion":"v1","kind":"Event","metadata":{"name":"$1.$RANDOM$RANDOM","namespace":"$NS"},
 "involvedObject":{"kind":"Pod","namespace":"$NS","name":"$1","uid":"$uid"},
 "reason":"$2","message":"$3","type":"Warning","count":3,"source":{"component":"default-scheduler"}}
E
  K create --raw "/api/v1/namespaces/$NS/events" -f "$W/event.json" >/dev/null
}
# wait_run RUN TIMEOUT: submit --wait in the background; its exit code lands in $W/RUN.rc.
wait_run() {
  ( set +e; submit --run "$1" --wait --timeout "$2" > "$W/$1.out" 2> "$W/$1.err"; echo $? > "$W/$1.rc" ) &
  BG=$!
}
# finish RUN: waits for it (in this shell: $BG is its child) and sets rc.
finish() { wait "$BG" || true; BG=; rc=$(cat "$W/$1.rc"); }

step "driver pending, running, then Succeeded: exit 0"
wait_run r2 60s
sleep 2; driver r2
put_status pi-r2-driver '{"phase":"Pending"}'
sleep 3
put_status pi-r2-driver '{"phase":"Running","containerStatuses":[{"name":"spark-kubernetes-driver","ready":true,"restartCount":0,"image":"registry.local/app:test","imageID":"","state":{"running":{"startedAt":"2026-12-01T10:00:00Z"}}}]}'
sleep 3
put_status pi-r2-driver '{"phase":"Succeeded","containerStatuses":[{"name":"spark-kubernetes-driver","ready":false,"restartCount":0,"image":"registry.local/app:test","imageID":"","state":{"terminated":{"reason":"Completed","exitCode":0}}}]}'
finish r2
[ "$rc" = 0 ] || { cat "$W/r2.err"; fail "succeeded run exit $rc, want 0"; }
grep -q "driver pod pi-r2-driver running, 0 executors up" "$W/r2.err" || { cat "$W/r2.err"; fail "r2: no running line"; }
grep -q "driver pod pi-r2-driver succeeded" "$W/r2.err" || { cat "$W/r2.err"; fail "r2: no succeeded line"; }
grep -q "^succeeded  Job $NS/pi-r2  run r2  driver pi-r2-driver$" "$W/r2.out" || { cat "$W/r2.out"; fail "r2 output"; }

step "driver Failed with OOMKilled: exit 7 and D_OOMKILLED"
wait_run r3 60s
sleep 2; driver r3
put_status pi-r3-driver '{"phase":"Failed","containerStatuses":[{"name":"spark-kubernetes-driver","ready":false,"restartCount":0,"image":"registry.local/app:test","imageID":"","state":{"terminated":{"reason":"OOMKilled","exitCode":137}}}]}'
finish r3
[ "$rc" = 7 ] || { cat "$W/r3.err"; fail "OOMKilled run exit $rc, want 7"; }
grep -q "application pi-r3 failed: driver pod pi-r3-driver failed" "$W/r3.err" || { cat "$W/r3.err"; fail "r3 message"; }
grep -q "D_OOMKILLED Pod $NS/pi-r3-driver" "$W/r3.err" || { cat "$W/r3.err"; fail "r3: no D_OOMKILLED"; }

step "driver stuck Pending: exit 9 at the deadline, with the scheduler's reason"
driver r4
put_status pi-r4-driver '{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes are available: 1 Insufficient memory."}]}'
event pi-r4-driver FailedScheduling "0/1 nodes are available: 1 Insufficient memory."
start=$(date +%s)
set +e; submit --run r4 --wait --timeout 6s > "$W/r4.out" 2> "$W/r4.err"; rc=$?; set -e
took=$(( $(date +%s) - start ))
[ "$rc" = 9 ] || { cat "$W/r4.err"; fail "pending run exit $rc, want 9"; }
[ "$took" -lt 30 ] || fail "pending run took ${took}s with --timeout 6s"
grep -q "application pi-r4 did not finish within 6s: driver pod pi-r4-driver pending (Unschedulable)" "$W/r4.err" \
  || { cat "$W/r4.err"; fail "r4 message"; }
grep -q "D_INSUFFICIENT_RESOURCES" "$W/r4.err" || { cat "$W/r4.err"; fail "r4: no D_INSUFFICIENT_RESOURCES"; }
echo "-- what the OOMKilled and the stuck runs printed on stderr:"; cat "$W/r3.err" "$W/r4.err"
echo "submit on the real apiserver: all passed"
