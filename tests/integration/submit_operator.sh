#!/bin/bash
# `stackctl submit` on a target with `sparkOperator: true`, against the project's real apiserver
# (tests/k8s) with the kubeflow spark-operator's own CRD (tests/k8s/crds/, v2.5.2; no operator
# runs here, so the test plays it: kubectl writes .status through the status subresource):
#   - without the CRD: submit refuses (exit 1) naming the target and the missing API;
#   - with it: submit creates exactly the SparkApplication `--dry-run -o json` printed (kubectl
#     reads it back: every printed field is on the server with that value, so a field the schema
#     does not know, which the server prunes, fails the test), and the apiserver validates
#     objects against the CRD's schema (a wrong type is refused: shown with kubectl);
#   - a second submit of the same run is refused (exit 1), the object unchanged;
#   - .status.applicationState.state staged as COMPLETED, FAILED, and RUNNING past the deadline
#     gives exit 0, 7 and 9 within --wait's --timeout.
# The CRD is cluster-wide: the test holds a lock file while it installs, uses and deletes it, and
# deletes only the CRD and the namespace it made. Usage: submit_operator.sh STACKCTL. Exits 77
# only when the control plane cannot be built here. Never stops or resets the shared apiserver.
#
# The apiserver here is 1.20, which refuses the CRD's 47 `default: ""` lines (every one on the
# `name` of a Secret/ConfigMap reference inside pod-template types: "Invalid value: \"null\"");
# the test installs the file with exactly those lines removed. They only default a field that is
# absent; no SparkApplication stackctl makes has such a reference, and every other schema line is
# the published one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init submit-op-it
need_apiserver
W=$WORK
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NS="${STACKCTL_TEST_NS_PREFIX:-it}-sparkop-$SUFFIX"
CRD=sparkapplications.sparkoperator.k8s.io
BG=
CRD_OURS=
at_exit '[ -z "$BG" ] || kill "$BG" 2>/dev/null
$KUBECTL delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
[ -z "$CRD_OURS" ] || $KUBECTL delete crd "$CRD" --wait=false >/dev/null 2>&1 || true'
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
# Its own discovery cache: a cache another run wrote before or after a CRD came or went is not ours.
export XDG_CACHE_HOME="$W/cache"

exec 9> /tmp/stackctl-sparkapplication-crd.lock
flock -w 900 9 || fail "another run holds the SparkApplication CRD lock for 15 minutes"

source "$HERE/deploy_lib.sh"
mirror_start
CTX=$($KUBECTL config current-context)
S="$W/custom-app.stack.yaml"
submit() { "$STACKCTL" submit "$S" pi --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" "$@"; }

step "deploy custom-app with sparkOperator: true on its minikube target"
prepare custom-app
python3 - "$S" <<'PY'
import sys
p = sys.argv[1]; t = open(p).read()
old = "  - name: minikube\n    kind: minikube\n    namespace: analytics\n"
assert old in t, "custom-app's minikube target changed: update this test"
open(p, "w").write(t.replace(old, old + "    sparkOperator: true\n", 1))
PY
$KUBECTL create namespace "$NS" > /dev/null
$KUBECTL -n "$NS" create secret generic aws-credentials --from-literal=access-key-id=test-only \
  --from-literal=secret-access-key=test-only > /dev/null
"$STACKCTL" deploy "$S" --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" --no-wait \
  > "$W/deploy.out" 2> "$W/deploy.err" || { cat "$W/deploy.err"; fail "deploy"; }

step "without the CRD: refused, naming the target and the API"
if $KUBECTL get crd "$CRD" >/dev/null 2>&1; then
  # Left by a run that was killed (we hold the lock, so no run is using it).
  $KUBECTL delete crd "$CRD" > /dev/null
fi
set +e; submit --run r0 > "$W/r0.out" 2> "$W/r0.err"; rc=$?; set -e
[ "$rc" = 1 ] || { cat "$W/r0.err"; fail "no CRD: exit $rc, want 1"; }
grep -q "target \"minikube\" says sparkOperator: true ($S:[0-9]*:[0-9]*), but https://.* does not serve sparkoperator.k8s.io/v1beta2 sparkapplications" "$W/r0.err" \
  || { cat "$W/r0.err"; fail "no CRD: message"; }
$KUBECTL -n "$NS" get jobs -o name | grep -q . && fail "no CRD: a Job was created instead"

step "install the spark-operator's CRD (v2.5.2, as published; see the header for 1.20)"
grep -v '^ *default: ""$' "$SRC/tests/k8s/crds/sparkoperator.k8s.io_sparkapplications.yaml" > "$W/crd.yaml"
removed=$(( $(wc -l < "$SRC/tests/k8s/crds/sparkoperator.k8s.io_sparkapplications.yaml") - $(wc -l < "$W/crd.yaml") ))
[ "$removed" = 47 ] || fail "the CRD now has $removed default: \"\" lines, not 47: read the header again"
CRD_OURS=1
$KUBECTL create -f "$W/crd.yaml" > /dev/null
# Served once established (kubectl 1.20's `wait` fails on a CRD whose status has no conditions yet).
for _ in $(seq 120); do $KUBECTL get --raw /apis/sparkoperator.k8s.io/v1beta2 >/dev/null 2>&1 && break; sleep 0.5; done
$KUBECTL get --raw /apis/sparkoperator.k8s.io/v1beta2 | grep -q '"sparkapplications"' || fail "the CRD is not served"
[ "$($KUBECTL get crd "$CRD" -o jsonpath='{.spec.versions[0].subresources.status}')" = "{}" ] \
  || fail "the CRD has no status subresource"

step "submit creates exactly what --dry-run printed, and the schema accepts it"
submit --run r1 --dry-run -o json > "$W/dry.json" 2> "$W/dry.err" || { cat "$W/dry.err"; fail "dry run"; }
$KUBECTL -n "$NS" get sparkapplications -o name | grep -q . && fail "the dry run created a SparkApplication"
submit --run r1 > "$W/r1.out" 2> "$W/r1.err" || { cat "$W/r1.err"; fail "submit r1"; }
grep -q "^submitted  SparkApplication $NS/pi-r1  run r1$" "$W/r1.out" || { cat "$W/r1.out"; fail "submit r1 output"; }
$KUBECTL -n "$NS" get sparkapplication pi-r1 -o json > "$W/live.json"
python3 - "$W/dry.json" "$W/live.json" <<'PY' || fail "the live SparkApplication differs from the dry run"
import json, sys
dry = json.load(open(sys.argv[1])); live = json.load(open(sys.argv[2]))
assert len(dry) == 1 and dry[0]["kind"] == "SparkApplication", dry
def sub(a, b, path):
    # every field the dry run printed is on the server with that value: a field the CRD's schema
    # does not know is pruned by the server and fails here
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        for k, v in a.items():
            assert k in b, f"{path}.{k} missing on the server (pruned: not in the CRD's schema?)"
            sub(v, b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a} vs {b}"
        for i, (x, y) in enumerate(zip(a, b)): sub(x, y, f"{path}[{i}]")
    else:
        assert a == b, f"{path}: {a!r} printed, {b!r} on the server"
sub(dry[0], live, "SparkApplication")
spec = live["spec"]
assert spec["mode"] == "cluster" and spec["type"] == "Python", spec
assert spec["image"].split("@")[1].startswith("sha256:"), spec["image"]
assert spec["driver"]["serviceAccount"] == "spark"
assert spec["driver"]["labels"]["stackctl.dev/run"] == "r1"
env = {e["name"]: e for e in spec["driver"]["env"]}
assert env["AWS_SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "aws-credentials", "key": "secret-access-key"}, env
text = json.dumps(live)
assert "test-only" not in text, "a credential value in the SparkApplication"
assert not any("secret.key" in k or "access.key" in k for k in spec["sparkConf"]), spec["sparkConf"]
PY
# The schema is enforced: the same object with a wrong type is refused by the apiserver.
python3 - "$W/dry.json" > "$W/bad.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))[0]
o["metadata"]["name"] = "pi-bad"; o["spec"]["driver"]["cores"] = "two"
print(json.dumps(o))
PY
if $KUBECTL -n "$NS" create -f "$W/bad.json" > "$W/bad.out" 2>&1; then fail "the apiserver accepted driver.cores: \"two\""; fi
grep -q 'spec.driver.cores' "$W/bad.out" || { cat "$W/bad.out"; fail "the schema's refusal"; }

step "a second submit of run r1 is refused"
rv=$($KUBECTL -n "$NS" get sparkapplication pi-r1 -o jsonpath='{.metadata.resourceVersion}')
set +e; submit --run r1 > "$W/again.out" 2> "$W/again.err"; rc=$?; set -e
[ "$rc" = 1 ] || { cat "$W/again.err"; fail "second submit exit $rc, want 1"; }
grep -q "run \"r1\" was already submitted (SparkApplication $NS/pi-r1 exists); nothing was changed" "$W/again.err" \
  || { cat "$W/again.err"; fail "second submit message"; }
rv2=$($KUBECTL -n "$NS" get sparkapplication pi-r1 -o jsonpath='{.metadata.resourceVersion}')
[ "$rv" = "$rv2" ] || fail "the second submit changed the SparkApplication ($rv -> $rv2)"

K() { $KUBECTL "$@"; }
# state NAME STATE [ERROR]: what the operator writes, through the status subresource.
state() {
  K get --raw "/apis/sparkoperator.k8s.io/v1beta2/namespaces/$NS/sparkapplications/$1" > "$W/app.json"
  python3 - "$W/app.json" "$2" "${3:-}" > "$W/app-status.json" <<'PY'
import json, sys
app = json.load(open(sys.argv[1]))
app["status"] = {"applicationState": {"state": sys.argv[2]}, "driverInfo": {"podName": app["metadata"]["name"] + "-driver"}}
if sys.argv[3]: app["status"]["applicationState"]["errorMessage"] = sys.argv[3]
print(json.dumps(app))
PY
  K replace --raw "/apis/sparkoperator.k8s.io/v1beta2/namespaces/$NS/sparkapplications/$1/status" \
    -f "$W/app-status.json" > /dev/null
}
wait_run() {
  ( set +e; submit --run "$1" --wait --timeout "$2" > "$W/$1.out" 2> "$W/$1.err"; echo $? > "$W/$1.rc" ) &
  BG=$!
}
finish() { wait "$BG" || true; BG=; rc=$(cat "$W/$1.rc"); }
created() { for _ in $(seq 100); do K -n "$NS" get sparkapplication "$1" >/dev/null 2>&1 && return; sleep 0.1; done; fail "$1 not created"; }

step "SUBMITTED, RUNNING, COMPLETED: exit 0"
wait_run r2 60s
created pi-r2
state pi-r2 SUBMITTED; sleep 3
state pi-r2 RUNNING; sleep 3
state pi-r2 COMPLETED
finish r2
[ "$rc" = 0 ] || { cat "$W/r2.err"; fail "completed run exit $rc, want 0"; }
grep -q "SparkApplication pi-r2 SUBMITTED: no driver pod yet" "$W/r2.err" || { cat "$W/r2.err"; fail "r2: no SUBMITTED line"; }
grep -q "SparkApplication pi-r2 COMPLETED" "$W/r2.err" || { cat "$W/r2.err"; fail "r2: no COMPLETED line"; }
grep -q "^succeeded  SparkApplication $NS/pi-r2  run r2$" "$W/r2.out" || { cat "$W/r2.out"; fail "r2 output"; }
[ "$(K -n "$NS" get sparkapplication pi-r2 -o jsonpath='{.status.applicationState.state}')" = COMPLETED ] \
  || fail "r2: the staged status is not on the server"

step "FAILED with the operator's message: exit 7"
wait_run r3 60s
created pi-r3
state pi-r3 FAILED "driver container failed with ExitCode: 1, Reason: Error"
finish r3
[ "$rc" = 7 ] || { cat "$W/r3.err"; fail "failed run exit $rc, want 7"; }
grep -q "application pi-r3 failed: SparkApplication pi-r3 FAILED: no driver pod yet; driver container failed with ExitCode: 1, Reason: Error" "$W/r3.err" \
  || { cat "$W/r3.err"; fail "r3 message"; }

step "still RUNNING at the deadline: exit 9"
wait_run r4 6s
created pi-r4
state pi-r4 RUNNING
start=$(date +%s)
finish r4
took=$(( $(date +%s) - start ))
[ "$rc" = 9 ] || { cat "$W/r4.err"; fail "running run exit $rc, want 9"; }
[ "$took" -lt 30 ] || fail "running run took ${took}s with --timeout 6s"
grep -q "application pi-r4 did not finish within 6s: SparkApplication pi-r4 RUNNING" "$W/r4.err" \
  || { cat "$W/r4.err"; fail "r4 message"; }
echo "-- what the failed and the unfinished runs printed on stderr:"; cat "$W/r3.err" "$W/r4.err"
echo "submit through the spark-operator's CRD on the real apiserver: all passed"
