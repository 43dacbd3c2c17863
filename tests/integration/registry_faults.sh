#!/usr/bin/env bash
# The registry client (`stackctl check --image`: the token request, manifest and config reads)
# through tests/servers/fault_proxy.py: a real docker-registry with token auth served by
# tests/servers/registry_token_server.py, one proxy in front of each (the registry's token realm
# names the token proxy's port, so the token request crosses it too). skopeo pushes and reads
# directly, as the independent client.
#   1. transient faults on both (seeded): check --image succeeds, says the image matches, and its
#      -o json digest is skopeo's;
#   2. persistent faults in front of the registry (503, 500, dropped, stalled, truncated) and of
#      the token server (503, dropped): check --image fails within a bound naming the host:port
#      and what happened; it writes nothing.
# Usage: registry_faults.sh PATH/TO/stackctl. Exit 77 without docker-registry, skopeo, python3 or
# openssl.
source "$(dirname "$0")/registry_lib.sh"
FW=$WORK
source "$HERE/faults_lib.sh"

USER_NAME=tester
PASSWORD='pw-faults-never-printed'
LAYOUT=$WORK/layout
python3 "$HERE/oci_layout.py" "$LAYOUT" good "${GOOD_LABELS[@]}" >/dev/null

mkdir -p "$WORK/token"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=stackctl-test-token-signer \
  -keyout "$WORK/token/key.pem" -out "$WORK/token/cert.pem" 2>/dev/null
python3 "$ROOT/tests/servers/registry_token_server.py" --key "$WORK/token/key.pem" \
  --cert "$WORK/token/cert.pem" --issuer stackctl-test-issuer --service stackctl-test-registry \
  --user "$USER_NAME:$PASSWORD" --log "$WORK/token/requests.log" >"$WORK/token/stdout" 2>"$WORK/token/stderr" &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^port ' "$WORK/token/stdout" 2>/dev/null && break; sleep 0.1; done
TPORT=$(sed -n 's/^port //p' "$WORK/token/stdout")
[[ -n $TPORT ]] || { cat "$WORK/token/stderr"; echo "FAIL: token server did not start"; exit 1; }

# The token proxy keeps one port across restarts (the registry's realm names it). Its faults touch
# only stackctl's pull-scoped token requests, not skopeo's push.
TOKEN_MATCH='^GET /token\?(?!.*push)'
TPROXY_PORT=$(free_port)
token_proxy() { fproxy token --port "$TPROXY_PORT" --upstream "http://127.0.0.1:$TPORT" --match "$TOKEN_MATCH" "$@"; }
token_proxy
RPORT=$(free_port)
start_registry reg "$RPORT" "auth:
  token:
    realm: http://127.0.0.1:$TPROXY_PORT/token
    service: stackctl-test-registry
    issuer: stackctl-test-issuer
    rootcertbundle: $WORK/token/cert.pem"
push "$LAYOUT" good "127.0.0.1:$RPORT/demo/spark-base:good" --dest-creds "$USER_NAME:$PASSWORD"
skopeo login --tls-verify=false --authfile "$WORK/auth.json" -u "$USER_NAME" -p "$PASSWORD" \
  "127.0.0.1:$RPORT" >/dev/null
SKOPEO=$(skopeo_digest "127.0.0.1:$RPORT/demo/spark-base:good" --authfile "$WORK/auth.json")
export REGISTRY_AUTH_FILE=$WORK/auth.json

run "direct: check --image" 0 "$STACKCTL" check "$STACK" --image "127.0.0.1:$RPORT/demo/spark-base:good"
expect "direct: matches" "matches the stack" "$OUT"
fproxy_stop

# --- 1. transient faults ---------------------------------------------------------------------
echo "== 1. transient faults in front of the registry and the token server"
token_proxy --seed 3 --limit 2 --fault drop-request=0.4 --fault 503=0.3 --fault truncate-length=0.3
TLOG=$FW/token.log
fproxy reg --keep-host --upstream "http://127.0.0.1:$RPORT" --seed "${FAULT_SEED:-2}" --limit 12 \
  --stall-seconds 30 --fault drop-connect=0.05 --fault drop-request=0.1 --fault drop-response=0.1 \
  --fault stall-response=0.03 --fault stall-body=0.03 --fault truncate-length=0.1 \
  --fault truncate-chunked=0.1 --fault 429=0.06 --fault 502=0.06 --fault 503-retry-after=0.06 \
  --fault 503=0.06
PROXIED=127.0.0.1:$PPORT
# The credentials skopeo login wrote for the registry, also for its address through the proxy.
python3 - "$WORK/auth.json" "127.0.0.1:$RPORT" "$PROXIED" <<'PY'
import json, sys
p, direct, proxied = sys.argv[1:]
d = json.load(open(p))
d["auths"][proxied] = d["auths"][direct]
json.dump(d, open(p, "w"))
PY
STACKCTL_HTTP_RETRIES=8 within 60 "$STACKCTL" check "$STACK" --image "$PROXIED/demo/spark-base:good" -o json
[[ $RC -eq 0 ]] && pass "transient: check --image -o json (exit 0, ${TOOK} s)" ||
  { fail "transient: exit $RC"; cat "$FW/err"; }
expect "transient: digest equals skopeo's" "\"digest\": \"$SKOPEO\"" "$(cat "$FW/out")"
reject "transient: no password printed" "$PASSWORD" "$(cat "$FW/out" "$FW/err")"
if faults_seen "$FW/reg.log" 3; then pass "transient: the registry proxy injected faults"; else fail "too few faults"; fi
if faults_seen "$TLOG" 1; then pass "transient: the token proxy injected faults"; else fail "no token fault"; fi
fproxy_stop
fproxy_stop

# --- 2. persistent faults ----------------------------------------------------------------------
echo "== 2. persistent faults"
token_proxy
TOKEN_PID=${FPROXY_PIDS[-1]}
# persistent FAULT TEXT: every request to the registry faulted.
persistent() {
  fproxy "reg-$1" --keep-host --upstream "http://127.0.0.1:$RPORT" --fault "$1=1" --stall-seconds 30
  within 30 "$STACKCTL" check "$STACK" --image "127.0.0.1:$PPORT/demo/spark-base:good"
  local err
  err=$(cat "$FW/err")
  [[ $RC -ne 0 ]] && pass "registry $1: fails (exit $RC, ${TOOK} s)" || fail "registry $1: exit 0"
  expect "registry $1: names the host" "127.0.0.1:$PPORT" "$err"
  expect "registry $1: says what happened" "$2" "$err"
  echo "   $(grep -m1 -F "127.0.0.1:$PPORT" "$FW/err")"
  fproxy_stop
}
persistent 503 "answered HTTP 503 to GET"
persistent 500 "answered HTTP 500 to GET"
persistent drop-request "connection dropped without an answer"
persistent stall-response "timed out"
persistent truncate-length "body truncated"
# The token server behind a persistent fault (the registry itself answers).
token_fault() {
  kill "$TOKEN_PID" 2>/dev/null || true
  wait "$TOKEN_PID" 2>/dev/null || true
  unset 'FPROXY_PIDS[-1]'
  token_proxy --fault "$1=1"
  TOKEN_PID=${FPROXY_PIDS[-1]}
  within 30 "$STACKCTL" check "$STACK" --image "127.0.0.1:$RPORT/demo/spark-base:good"
  local err
  err=$(cat "$FW/err")
  [[ $RC -ne 0 ]] && pass "token $1: fails (exit $RC, ${TOOK} s)" || fail "token $1: exit 0"
  expect "token $1: names the token server" "127.0.0.1:$TPROXY_PORT" "$err"
  expect "token $1: says what happened" "$2" "$err"
  reject "token $1: no password printed" "$PASSWORD" "$err"
  echo "   $(grep -m1 -F "127.0.0.1:$TPROXY_PORT" "$FW/err")"
}
token_fault 503 "HTTP 503"
token_fault drop-response "connection dropped without an answer"
finish
