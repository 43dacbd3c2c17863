#!/bin/bash
# The Kubernetes client beyond deploy (deploy has deploy_faults.sh): doctor, drift --cluster and
# submit on the project's real apiserver (tests/k8s), through tests/servers/fault_proxy.py
# terminating TLS with a certificate of the harness CA; kubectl as the independent client. The
# custom-app stack is deployed directly into a namespace of its own first.
#   1. transient faults (seeded: connections dropped before TLS, after the request, after the
#      apiserver acted; 429 with Retry-After; 502, 503; truncated and stalled bodies): doctor and
#      drift --cluster print what they print without the proxy, with the same exit code; the
#      discovery cache they write is whole JSON;
#   2. submit through faults on its reads: the run is created, with exactly one POST;
#   3. submit's POST dropped after the apiserver created the Job: not sent again (one POST in the
#      proxy's log), a clear failure naming the host and what happened; kubectl finds the Job
#      once, and a second submit of the run is refused as existing;
#   4. persistent faults (503, stalled, truncated): doctor fails within a bound naming the host
#      and what happened, and leaves no discovery cache for the proxy's address.
# Usage: kube_faults.sh STACKCTL. Exits 77 only when the control plane cannot be built here.
# Never stops or resets the shared apiserver; deletes only the namespace it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init kube-faults
need_apiserver
W=$WORK
FW=$W
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NS="faults-kube-$SUFFIX"
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
source "$HERE/deploy_faults_lib.sh"
source "$HERE/faults_lib.sh"
at_exit 'lib_cleanup; $KUBECTL delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'
export XDG_CACHE_HOME="$W/cache"
CTX=$($KUBECTL config current-context)
mirror_start
VALUES=
prepare custom-app
S="$W/custom-app.stack.yaml"
$KUBECTL create namespace "$NS" >/dev/null
$KUBECTL -n "$NS" create secret generic aws-credentials --from-literal=access-key-id=test-only \
  --from-literal=secret-access-key=test-only >/dev/null
"$STACKCTL" deploy "$S" --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" --no-wait \
  >"$W/deploy.out" 2>"$W/deploy.err" || { cat "$W/deploy.err"; fail "deploy"; }

doctor() { "$STACKCTL" doctor "$S" -t minikube -n "$NS" --context "$CTX" -o json --kubeconfig "$@"; }
drift() { "$STACKCTL" drift "$S" --only cluster --cluster -t minikube -n "$NS" --context "$CTX" --kubeconfig "$@"; }
# The cached discovery documents are whole JSON (a cut body never lands there).
cache_whole() {
  local n=0 f
  while IFS= read -r -d '' f; do
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || fail "a cached discovery file is not JSON: $f"
    n=$((n + 1))
  done < <(find "$XDG_CACHE_HOME" -type f -print0 2>/dev/null)
  echo "   discovery cache: $n files, every one whole JSON"
}

step "direct doctor and drift"
within 60 doctor "$KC"
DOCTOR_RC=$RC
cp "$FW/out" "$W/doctor.direct"
[ -s "$W/doctor.direct" ] || { cat "$FW/err"; fail "doctor printed nothing (exit $RC)"; }
within 60 drift "$KC"
DRIFT_RC=$RC
cp "$FW/out" "$W/drift.direct"
[ -s "$W/drift.direct" ] || { cat "$FW/err"; fail "drift printed nothing (exit $RC)"; }
echo "   doctor exit $DOCTOR_RC, drift exit $DRIFT_RC"

step "1. transient faults: doctor and drift print the same"
proxy_start transient --seed "${FAULT_SEED:-3}" --drop 0.15 --throttle 0.15 --retry-after 1 \
  --limit 10 --stall-seconds 30 --fault truncate-length=0.08 --fault truncate-chunked=0.05 \
  --fault stall-body=0.02 --fault 502=0.05 --fault 503=0.05 --fault 503-retry-after=0.03
STACKCTL_HTTP_RETRIES=8 within 60 doctor "$W/transient.kubeconfig"
[ "$RC" = "$DOCTOR_RC" ] || { cat "$FW/err"; fail "doctor through the proxy: exit $RC, direct $DOCTOR_RC"; }
diff -u "$W/doctor.direct" "$FW/out" || fail "doctor through the proxy printed something else"
echo "   doctor: same output in ${TOOK} s"
STACKCTL_HTTP_RETRIES=8 within 60 drift "$W/transient.kubeconfig"
[ "$RC" = "$DRIFT_RC" ] || { cat "$FW/err"; fail "drift through the proxy: exit $RC, direct $DRIFT_RC"; }
diff -u "$W/drift.direct" "$FW/out" || fail "drift through the proxy printed something else"
echo "   drift: same output in ${TOOK} s"
faults_seen "$W/transient.log" 5 || fail "too few faults"
cache_whole
proxy_stop

submit() { "$STACKCTL" submit "$S" pi --target minikube -n "$NS" --context "$CTX" "$@"; }

step "2. submit through faults on its reads: created, one POST"
proxy_start reads --match '^GET ' --seed 2 --limit 4 --retry-after 1 --fault drop-response=0.3 \
  --fault 429=0.3 --fault truncate-length=0.3
STACKCTL_HTTP_RETRIES=8 within 60 submit --run r1 --kubeconfig "$W/reads.kubeconfig"
[ "$RC" = 0 ] || { cat "$FW/err"; fail "submit r1 through the proxy: exit $RC"; }
[ "$(log_count "$W/reads.log" '^POST ')" = 1 ] || fail "submit r1: not exactly one POST"
faults_seen "$W/reads.log" 1 || fail "no fault on submit's reads"
$KUBECTL -n "$NS" get job pi-r1 >/dev/null || fail "no Job pi-r1"
proxy_stop

step "3. submit's POST dropped after the apiserver acted: sent once"
proxy_start create --match '^POST ' --fault drop-response=1
within 60 submit --run r2 --kubeconfig "$W/create.kubeconfig"
[ "$RC" != 0 ] || fail "submit r2 succeeded though its answer was dropped"
[ "$(log_count "$W/create.log" '^POST ')" = 1 ] || fail "the POST was sent $(log_count "$W/create.log" '^POST ') times"
PORT=$(cat "$W/create.port")
grep -qF "127.0.0.1:$PORT" "$FW/err" || { cat "$FW/err"; fail "the failure does not name the host"; }
grep -qF "connection dropped without an answer" "$FW/err" || { cat "$FW/err"; fail "the failure does not say what happened"; }
echo "   $(grep -m1 -F "127.0.0.1:$PORT" "$FW/err")"
$KUBECTL -n "$NS" get job pi-r2 >/dev/null || fail "the apiserver did not create pi-r2 (the proxy dropped the answer after it acted)"
proxy_stop
within 60 submit --run r2 --kubeconfig "$KC"
[ "$RC" != 0 ] || fail "a second submit of r2 was not refused"
echo "   a second submit of r2: exit $RC: $(head -1 "$FW/err")"

step "4. persistent faults: doctor fails within a bound, naming host and cause"
persistent() {
  local fault=$1 text=$2
  rm -rf "$XDG_CACHE_HOME"
  proxy_start "p-$fault" --fault "$fault=1" --stall-seconds 30
  within 40 doctor "$W/p-$fault.kubeconfig"
  local port
  port=$(cat "$W/p-$fault.port")
  [ "$RC" != 0 ] || fail "$fault: doctor succeeded"
  grep -qF "127.0.0.1:$port" "$FW/err" || { cat "$FW/err"; fail "$fault: the failure does not name the host"; }
  grep -qF -- "$text" "$FW/err" || { cat "$FW/err"; fail "$fault: the failure does not say: $text"; }
  [ -z "$(find "$XDG_CACHE_HOME" -type f 2>/dev/null)" ] || fail "$fault: a discovery cache was written: $(find "$XDG_CACHE_HOME" -type f)"
  echo "   $fault: exit $RC in ${TOOK} s: $(grep -m1 -F "127.0.0.1:$port" "$FW/err" | cut -c1-200)"
  proxy_stop
}
persistent 503 "503"
persistent stall-response "timed out"
persistent truncate-length "body truncated"
echo "kube_faults.sh: all passed"
