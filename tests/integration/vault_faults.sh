#!/usr/bin/env bash
# The Vault client (`stackctl render --vault`) through tests/servers/fault_proxy.py terminating
# TLS (a certificate of the test's CA) in front of the Vault test server (tests/servers/
# vault_server.py, HTTPS):
#   1. transient faults on every request (seeded): render writes exactly the files a direct
#      render writes (diff -r);
#   2. AppRole with transient faults on the reads: as many logins as a direct render makes (the
#      server's log; no login repeated), the same files;
#   3. the login POST dropped after Vault acted on it: not repeated (one login in the server's
#      log), a clear failure, nothing written;
#   4. persistent faults on the KV read (503, dropped, stalled, truncated): a clear failure naming
#      the proxy's address and what happened, within a bound, and no output folder at all.
# Usage: vault_faults.sh PATH/TO/stackctl. Exit 77 without python3 or openssl.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init vault-faults python3 openssl curl
FW=$WORK
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/renders"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+' || true); do unset "$v"; done
source "$HERE/vault_lib.sh"
source "$HERE/faults_lib.sh"
cd "$WORK"
vault_certs "$WORK"
ROLE_ID=role-$(openssl rand -hex 8)
SECRET_ID=sid-$(openssl rand -hex 16)
echo "$SECRET_ID" >"$WORK/secret-id"
cat >state.json <<EOF
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {"": {
   "mounts": {"secret": {"version": 2, "secrets": {
     "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "test-only-value",
                          "executor_instances": "4"}}}},
   "tokens": {"reader-token": ["spark-ro"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]},
   "approle": {"mount": "approle", "role_id": "$ROLE_ID", "secret_id": "$SECRET_ID",
               "policies": ["spark-ro"]}}}}
EOF
vault_start "$WORK" state.json "$WORK/server.jsonl" || fail "the test server did not start"
copy_stack kyuubi-sql "$WORK" token
cp "$WORK/token.stack.yaml" "$WORK/approle.stack.yaml"
cat >>"$WORK/approle.stack.yaml" <<EOF

vault:
  auth:
    method: approle
    roleId: {env: TEST_ROLE_ID}
    secretId: {file: $WORK/secret-id}
EOF

# render NAME STACK ADDR [ENV...]: render --vault into $WORK/renders/NAME, within 60 s.
render() {
  local name=$1 stack=$2 addr=$3
  shift 3
  within 60 env VAULT_ADDR="$addr" VAULT_CACERT="$WORK/ca.pem" TEST_ROLE_ID="$ROLE_ID" "$@" \
    "$STACKCTL" render "$WORK/$stack.stack.yaml" --target minikube --vault --out "$WORK/renders/$name"
}
# Logins Vault granted: the server records a login request when it arrives and again, with the
# accessor it minted, when it grants it; the second record is the login.
logins() { grep '"path": "/v1/auth/approle/login"' "$WORK/server.jsonl" | grep -c '"minted"' || true; }
tls_proxy() { fproxy "$@" --cert "$WORK/server.pem" --key "$WORK/server.key" --ca "$WORK/ca.pem" --upstream "$ADDR"; }

step "direct renders"
render direct token "$ADDR" VAULT_TOKEN=reader-token
[ "$RC" = 0 ] || { cat "$FW/err"; fail "direct render"; }
grep -rq "test-only-value" "$WORK/renders/direct" || fail "the direct render has no value from Vault"
before=$(logins)
render direct-approle approle "$ADDR"
[ "$RC" = 0 ] || { cat "$FW/err"; fail "direct AppRole render"; }
DIRECT_LOGINS=$(($(logins) - before))
echo "   a direct AppRole render logs in $DIRECT_LOGINS time(s)"
[ "$DIRECT_LOGINS" = 1 ] || fail "a direct AppRole render logged in $DIRECT_LOGINS times; one session, one login"

step "1. transient faults on every request: the same files"
tls_proxy transient --seed "${FAULT_SEED:-4}" --limit 8 --stall-seconds 30 \
  --fault drop-connect=0.1 --fault drop-request=0.15 --fault stall-response=0.05 \
  --fault truncate-length=0.15 --fault truncate-chunked=0.1 --fault 429=0.1 --fault 502=0.1 \
  --fault 503-retry-after=0.1
render transient token "https://127.0.0.1:$PPORT" VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=8
[ "$RC" = 0 ] || { cat "$FW/err"; fail "render through transient faults: exit $RC"; }
faults_seen "$FW/transient.log" 3 || fail "too few faults"
diff -r "$WORK/renders/direct" "$WORK/renders/transient" || fail "the files differ from the direct render"
echo "   same files in ${TOOK} s"
fproxy_stop

step "2. AppRole, transient faults on the reads: one login, the same files"
before=$(logins)
tls_proxy approle --match '^GET ' --seed 1 --limit 3 --fault drop-response=0.5 --fault 503=0.5
render approle approle "https://127.0.0.1:$PPORT" VAULT_MAX_RETRIES=4
[ "$RC" = 0 ] || { cat "$FW/err"; fail "AppRole render through transient faults: exit $RC"; }
[ $(($(logins) - before)) = "$DIRECT_LOGINS" ] || fail "AppRole: $(($(logins) - before)) logins, a direct render makes $DIRECT_LOGINS"
faults_seen "$FW/approle.log" 1 || fail "no fault on the reads"
diff -r "$WORK/renders/direct-approle" "$WORK/renders/approle" || fail "the AppRole files differ"
fproxy_stop

step "3. the login POST dropped after Vault acted: sent once, a clear failure, nothing written"
before=$(logins)
tls_proxy login --match '^POST /v1/auth/approle/login' --fault drop-response=1
render login approle "https://127.0.0.1:$PPORT" VAULT_MAX_RETRIES=4
[ "$RC" != 0 ] || fail "the render succeeded without a token"
# Each Vault session of the render sends its login once (VAULT_MAX_RETRIES=4 would make five).
posts=$(log_count "$FW/login.log" '^POST ')
[ "$posts" -le "$DIRECT_LOGINS" ] || fail "the proxy saw $posts login POSTs; a direct render makes $DIRECT_LOGINS"
[ $(($(logins) - before)) -le "$DIRECT_LOGINS" ] || fail "Vault saw $(($(logins) - before)) logins; a direct render makes $DIRECT_LOGINS"
grep -qF "127.0.0.1:$PPORT" "$FW/err" || { cat "$FW/err"; fail "the message does not name Vault's address"; }
grep -qF "connection dropped without an answer" "$FW/err" || { cat "$FW/err"; fail "the message does not say what happened"; }
[ ! -e "$WORK/renders/login" ] || fail "files were written: $(find "$WORK/renders/login")"
echo "   $(grep -m1 -F "127.0.0.1:$PPORT" "$FW/err")"
fproxy_stop

step "4. persistent faults on the KV read: a clear failure, nothing written"
persistent() {
  local fault=$1 text=$2
  tls_proxy "p-$fault" --match '^GET /v1/secret/' --fault "$fault=1" --stall-seconds 30
  render "p-$fault" token "https://127.0.0.1:$PPORT" VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=1
  [ "$RC" != 0 ] || fail "$fault: the render succeeded"
  grep -qF "127.0.0.1:$PPORT" "$FW/err" || { cat "$FW/err"; fail "$fault: the message does not name Vault's address"; }
  grep -qF -- "$text" "$FW/err" || { cat "$FW/err"; fail "$fault: the message does not say: $text"; }
  [ ! -e "$WORK/renders/p-$fault" ] || fail "$fault: files were written: $(find "$WORK/renders/p-$fault")"
  # VAULT_MAX_RETRIES=1: two attempts; libcurl may resend a GET once more on a reused connection
  # that died before answering (safe for a GET), so at most four reach the proxy.
  local seen
  seen=$(log_count "$FW/p-$fault.log" '^GET /v1/secret/')
  [ "$seen" -ge 2 ] && [ "$seen" -le 4 ] || fail "$fault: $seen attempts (VAULT_MAX_RETRIES=1)"
  echo "   $fault: exit $RC in ${TOOK} s: $(grep -m1 -F "127.0.0.1:$PPORT" "$FW/err")"
  fproxy_stop
}
persistent 503 "HTTP 503"
persistent drop-request "connection dropped without an answer"
persistent stall-response "timed out"
persistent truncate-length "body truncated"
echo "vault_faults.sh: all passed"
