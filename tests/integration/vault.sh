#!/usr/bin/env bash
# `stackctl render --vault` through the real Vault client (libcurl, TLS) against the project's
# protocol-faithful test server (tests/servers/vault_server.py) on loopback HTTPS with a CA made
# here: every auth method, KV v1 and v2, a namespace, a pinned version, every failure with its
# message and exit code, retries with a bound, a wrong CA refused, minted tokens revoked, and a
# canary value that appears nowhere but spark.env and the Secret manifest; and `check --vault` /
# `check --values` judging the same values (SC028).
# Usage: vault.sh PATH/TO/stackctl. Exit 77 (skipped) without python3 or openssl.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init vault python3 openssl curl
export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/out" "$WORK/logs"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+' || true); do unset "$v"; done

CANARY="canary-$(openssl rand -hex 12)"
FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }

# --- certificates: a CA, a server certificate for 127.0.0.1, and an unrelated CA ------------------
source "$HERE/vault_lib.sh"
cd "$WORK"
vault_certs "$WORK"

# --- server state ---------------------------------------------------------------------------------
ROLE_ID=role-$(openssl rand -hex 8)
SECRET_ID=sid-$(openssl rand -hex 16)
JWT=eyJhbGciOiJSUzI1NiJ9.$(openssl rand -hex 20).sig
echo "$JWT" >"$WORK/sa-token"
echo "$SECRET_ID" >"$WORK/secret-id"
cat >state.json <<EOF
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {
  "": {
   "mounts": {
     "secret": {"version": 2, "secrets": {
        "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "$CANARY",
                             "executor_instances": "4"},
        "spark/bad-setting": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "$CANARY",
                              "executor_instances": "lots-$CANARY"},
        "spark/no-key": {"aws_access_key_id": "AKIATEST", "executor_instances": "4"}}},
     "kv1": {"version": 1, "secrets": {
        "spark/kyuubi-sql": {"aws_access_key_id": "AKIAV1", "aws_secret_access_key": "$CANARY",
                             "executor_instances": "3"}}}},
   "tokens": {"root-token-$CANARY": ["root"], "reader-token": ["spark-ro"],
              "nothing-token": ["default"]},
   "policies": {"spark-ro": ["secret/data/spark/*", "kv1/spark/*"]},
   "approle": {"mount": "approle", "role_id": "$ROLE_ID", "secret_id": "$SECRET_ID",
               "policies": ["spark-ro"]},
   "kubernetes": {"mount": "k8s-ci", "role": "stackctl-ci", "jwt": "$JWT", "policies": ["spark-ro"]}},
  "team-a": {
   "mounts": {"secret": {"version": 2, "secrets": {
        "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEAMA", "aws_secret_access_key": "$CANARY",
                             "executor_instances": "7"}}}},
   "tokens": {"team-a-token": ["spark-ro"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]}}}}
EOF
vault_start "$WORK" state.json "$WORK/logs/server.jsonl" || { echo "FAIL: the test server did not start"; exit 1; }
vput_root() { vput "root-token-$CANARY" "$@"; }

# --- stacks: kyuubi-sql with a vault block and variants of its source -------------------------------
BASE="$ROOT/stacks/kyuubi-sql.stack.yaml"
mkstack() {  # mkstack NAME [SOURCE_EXTRA_YAML] [VAULT_BLOCK]: a copy of kyuubi-sql
  local name=$1 extra=${2:-} block=${3:-}
  python3 - "$BASE" "$WORK/$name.stack.yaml" "$extra" "$block" <<'PY'
import sys
src, dst, extra, block = sys.argv[1:]
text = open(src).read()
anchor = "        path: spark/kyuubi-sql\n"
assert anchor in text
if extra:
    text = text.replace(anchor, extra)
if block:
    text += "\n" + block
open(dst, "w").write(text)
PY
}
mkstack token
mkstack approle "" "vault:
  auth:
    method: approle
    roleId: {env: TEST_ROLE_ID}
    secretId: {file: $WORK/secret-id}"
mkstack kubernetes "" "vault:
  auth:
    method: kubernetes
    mount: k8s-ci
    role: stackctl-ci
    tokenFile: $WORK/sa-token"
mkstack kv1 "        path: spark/kyuubi-sql
" ""
sed -i 's/        mount: secret/        mount: kv1/' "$WORK/kv1.stack.yaml"
mkstack pinned "        path: spark/kyuubi-sql
        version: 1
"
mkstack missing "        path: spark/not-there
"
mkstack nokey "        path: spark/no-key
"
mkstack badsetting "        path: spark/bad-setting
"

N=0
# run NAME EXPECTED_RC STACK [ENV...] -- [ARGS]: render --vault, keeping every stream and file.
run() {
  local name=$1 want=$2 stack=$3
  shift 3
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  N=$((N + 1))
  local out="$WORK/out/$name"
  set +e
  env "${envs[@]}" "$STACKCTL" -v render "$WORK/$stack.stack.yaml" --target minikube --vault \
    --out "$out" "$@" >"$WORK/logs/$name.stdout" 2>"$WORK/logs/$name.stderr"
  local rc=$?
  set -e
  if [ "$rc" != "$want" ]; then
    fail "$name: exit $rc, expected $want"; sed 's/^/    /' "$WORK/logs/$name.stderr"
    return 0
  fi
  pass "$name (exit $rc)"
}
expect_err() {  # expect_err NAME TEXT: stderr of run NAME holds TEXT
  if grep -qF -- "$2" "$WORK/logs/$1.stderr"; then pass "$1 says: $2"; else
    fail "$1: stderr lacks: $2"; sed 's/^/    /' "$WORK/logs/$1.stderr"; fi
}
env_of() { cat "$WORK/out/$1/targets/minikube/spark.env"; }
COMMON=(VAULT_ADDR="$ADDR" VAULT_CACERT="$WORK/ca.pem")

# --- every auth method -----------------------------------------------------------------------------
run token 0 token "${COMMON[@]}" VAULT_TOKEN=reader-token
env_of token | grep -q "^SPARK_EXECUTOR_INSTANCES='4'$" && pass "token: spark.env from KV v2" ||
  fail "token: spark.env lacks SPARK_EXECUTOR_INSTANCES='4'"
[ "$(stat -c %a "$WORK/out/token/targets/minikube/spark.env")" = 600 ] && pass "spark.env is 0600" ||
  fail "spark.env is not 0600"
grep -q "AWS_SECRET_ACCESS_KEY: $CANARY" "$WORK/out/token/targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml" &&
  pass "the Secret manifest carries the value" || fail "the Secret manifest lacks the value"

echo reader-token >"$HOME/.vault-token"
run token-file 0 token "${COMMON[@]}"
rm "$HOME/.vault-token"

run approle 0 approle "${COMMON[@]}" TEST_ROLE_ID="$ROLE_ID"
run kubernetes 0 kubernetes "${COMMON[@]}"
minted=$(grep -c '"minted"' "$WORK/logs/server.jsonl" || true)
revoked=$(grep -c '"revoked": "[0-9a-f]' "$WORK/logs/server.jsonl" || true)
live=$(curl -s --cacert "$WORK/ca.pem" "$ADDR/_test/tokens")
[ "$minted" = 2 ] && [ "$revoked" = 2 ] && [ "$live" = '{"live": []}' ] &&
  pass "both minted tokens were revoked (minted $minted, revoked $revoked)" ||
  fail "minted $minted, revoked $revoked, live $live"
grep '"path": "/v1/auth/approle/login"' "$WORK/logs/server.jsonl" | grep -q '"token_sent": false' &&
  pass "logins are unauthenticated" || fail "a login carried a token"
grep -v '"/_test' "$WORK/logs/server.jsonl" | grep -q '"vault_request": ""' &&
  fail "a request lacked X-Vault-Request: true" || pass "every request sent X-Vault-Request: true"

run approle-bad 4 approle "${COMMON[@]}" TEST_ROLE_ID=wrong-role
expect_err approle-bad 'Vault refused the AppRole login at auth/approle/login (HTTP 400: invalid role or secret ID)'
run approle-noenv 2 approle "${COMMON[@]}"
expect_err approle-noenv 'AppRole role_id: environment variable TEST_ROLE_ID is not set'
run no-token 2 token "${COMMON[@]}"
expect_err no-token 'no Vault token: VAULT_TOKEN is not set and there is no ~/.vault-token'
run bad-token 4 token "${COMMON[@]}" VAULT_TOKEN=expired-token
expect_err bad-token 'Vault refused the token from VAULT_TOKEN (permission denied to GET /v1/auth/token/lookup-self)'

# --- KV v1, namespaces, OpenBao names, a pinned version, VAULT_CAPATH --------------------------------
run kv1 0 kv1 "${COMMON[@]}" VAULT_TOKEN=reader-token
env_of kv1 | grep -q "^SPARK_EXECUTOR_INSTANCES='3'$" && pass "kv1: detected KV v1 and read it" ||
  fail "kv1: wrong spark.env"
run namespace 0 token "${COMMON[@]}" VAULT_TOKEN=team-a-token VAULT_NAMESPACE=team-a
env_of namespace | grep -q "^SPARK_EXECUTOR_INSTANCES='7'$" && pass "namespace team-a read" ||
  fail "namespace: wrong spark.env"
run bao-names 0 token BAO_ADDR="$ADDR" BAO_CACERT="$WORK/ca.pem" BAO_TOKEN=reader-token \
  VAULT_ADDR=https://127.0.0.1:1
run capath 0 token VAULT_ADDR="$ADDR" VAULT_CAPATH="$WORK/capath" VAULT_TOKEN=reader-token
run cacert-bytes 0 token VAULT_ADDR="$ADDR" VAULT_CACERT_BYTES="$(cat "$WORK/ca.pem")" VAULT_TOKEN=reader-token
run server-name 0 token "${COMMON[@]}" VAULT_TLS_SERVER_NAME=localhost VAULT_TOKEN=reader-token
run server-name-wrong 4 token "${COMMON[@]}" VAULT_TLS_SERVER_NAME=vault.example VAULT_TOKEN=reader-token
expect_err server-name-wrong "TLS verification of Vault at $ADDR failed"
vput_root spark/kyuubi-sql "{\"aws_access_key_id\": \"AKIATEST\", \"aws_secret_access_key\": \"$CANARY\", \"executor_instances\": \"5\"}"
run pinned 0 pinned "${COMMON[@]}" VAULT_TOKEN=reader-token
env_of pinned | grep -q "^SPARK_EXECUTOR_INSTANCES='4'$" && pass "pinned version 1 read, not the latest (5)" ||
  fail "pinned: wrong spark.env"

# --- a Vault change rolls exactly the pods that read it ----------------------------------------------
run after-change 0 token "${COMMON[@]}" VAULT_TOKEN=reader-token
changed=$( { diff -rq "$WORK/out/token" "$WORK/out/after-change" || true; } | sed "s|$WORK/out/token/||;s| and .*||;s|^Files ||" | sort | tr '\n' ' ')
[ "$changed" = "targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml targets/minikube/kubernetes/51-statefulset-kyuubi-sql-kyuubi.yaml targets/minikube/spark.env " ] &&
  pass "a Vault change altered only spark.env, the Secret and the Kyuubi pod template" ||
  fail "a Vault change altered: $changed"
diff "$WORK/out/token/targets/minikube/kubernetes/51-statefulset-kyuubi-sql-kyuubi.yaml" \
  "$WORK/out/after-change/targets/minikube/kubernetes/51-statefulset-kyuubi-sql-kyuubi.yaml" |
  grep '^[<>]' | grep -vq 'checksum/secret' && fail "the pod template changed beyond checksum/secret" ||
  pass "the pod template changed in checksum/secret only"

# --- failures, each with its message and exit code -----------------------------------------------------
run missing-path 4 missing "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err missing-path 'no Vault secret at secret/spark/not-there (KV v2: GET /v1/secret/data/spark/not-there answered 404)'
# --output json: a failure is a JSON error object on stdout, with the same exit code.
json_error() {  # json_error NAME KIND MESSAGE_PREFIX: stdout of run NAME is {"written": false, "error": ...}
  if python3 - "$WORK/logs/$1.stdout" "$2" "$3" <<'PY'; then pass "$1: JSON error of kind $2"; else
import json, sys
j = json.load(open(sys.argv[1]))
assert j["written"] is False, j
assert j["error"]["kind"] == sys.argv[2], j
assert j["error"]["message"].startswith(sys.argv[3]), j
PY
    fail "$1: stdout is not the JSON error"; sed 's/^/    /' "$WORK/logs/$1.stdout"; fi
}
run json-missing 4 missing "${COMMON[@]}" VAULT_TOKEN=reader-token -- --output json
json_error json-missing external 'no Vault secret at secret/spark/not-there (KV v2:'
expect_err json-missing 'no Vault secret at secret/spark/not-there'
run json-config 2 token "${COMMON[@]}" VAULT_SKIP_VERIFY=yes VAULT_TOKEN=reader-token -- -o json
json_error json-config usage 'could not parse VAULT_SKIP_VERIFY ("yes")'
run missing-key 4 nokey "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err missing-key 'Vault secret secret/spark/no-key (version 1) has no field "aws_secret_access_key" (spark.env key AWS_SECRET_ACCESS_KEY); its fields: aws_access_key_id, executor_instances'
ctl delete '{"mount": "secret", "path": "spark/kyuubi-sql", "version": 2}'
run deleted 4 token "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err deleted 'version 2 of Vault secret secret/spark/kyuubi-sql is deleted (at '
ctl destroy '{"mount": "secret", "path": "spark/kyuubi-sql", "version": 2}'
run destroyed 4 token "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err destroyed 'version 2 of Vault secret secret/spark/kyuubi-sql is destroyed (its data is gone for good)'
vput_root spark/kyuubi-sql "{\"aws_access_key_id\": \"AKIATEST\", \"aws_secret_access_key\": \"$CANARY\", \"executor_instances\": \"4\"}"
run denied 4 token "${COMMON[@]}" VAULT_TOKEN=nothing-token
expect_err denied 'Vault denied GET /v1/sys/internal/ui/mounts/secret/spark/kyuubi-sql: permission denied (detecting the KV version of mount "secret")'
sed 's/        path: spark\/kyuubi-sql/        path: spark\/kyuubi-sql\n        kv: 2/' "$WORK/token.stack.yaml" >"$WORK/kv2.stack.yaml"
run denied-read 4 kv2 "${COMMON[@]}" VAULT_TOKEN=nothing-token
expect_err denied-read 'Vault denied GET /v1/secret/data/spark/kyuubi-sql: permission denied'
expect_err denied-read 'needs the read capability on the KV v2 data path: path "secret/data/spark/kyuubi-sql" { capabilities = ["read"] }'
run bad-setting 1 badsetting "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err bad-setting 'spark.env key SPARK_EXECUTOR_INSTANCES (from Vault secret secret/spark/bad-setting field "executor_instances") is not a valid spark.executor.instances: expected a whole number from 0 to 10000 (the value is not shown)'
[ -e "$WORK/out/bad-setting" ] && fail "bad-setting wrote output" || pass "bad-setting wrote nothing"

# --- check --vault / --values: the same values judged by check's core rules (SC028) ---------------
# runcheck NAME EXPECTED_RC STACK [ENV...] -- [ARGS]: `check --target minikube ARGS`; findings on stdout.
runcheck() {
  local name=$1 want=$2 stack=$3
  shift 3
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  N=$((N + 1))
  set +e
  env "${envs[@]}" "$STACKCTL" -v check "$WORK/$stack.stack.yaml" --target minikube "$@" \
    >"$WORK/logs/$name.stdout" 2>"$WORK/logs/$name.stderr"
  local rc=$?
  set -e
  if [ "$rc" != "$want" ]; then
    fail "$name: exit $rc, expected $want"; sed 's/^/    /' "$WORK/logs/$name.stdout" "$WORK/logs/$name.stderr"
    return 0
  fi
  pass "$name (exit $rc)"
}
expect_out() {  # expect_out NAME TEXT: stdout of run NAME holds TEXT
  if grep -qF -- "$2" "$WORK/logs/$1.stdout"; then pass "$1 prints: $2"; else
    fail "$1: stdout lacks: $2"; sed 's/^/    /' "$WORK/logs/$1.stdout"; fi
}
runcheck check-vault-bad 1 badsetting "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault
expect_out check-vault-bad 'spark.env key SPARK_EXECUTOR_INSTANCES (from Vault secret secret/spark/bad-setting field "executor_instances") is not a valid spark.executor.instances: expected a whole number from 0 to 10000 (the value is not shown) [SC028]'
expect_out check-vault-bad 'incompatible (1 error,'
runcheck check-vault-bad-json 1 badsetting "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault -o json
python3 - "$WORK/logs/check-vault-bad-json.stdout" <<'PY' && pass "check --vault -o json: ok false, one SC028 at sparkEnv.keys[2]" || fail "check --vault -o json lacks the SC028 finding"
import json, sys
j = json.load(open(sys.argv[1]))
sc024 = [f for f in j["findings"] if f["code"] == "SC028"]
assert j["ok"] is False and len(sc024) == 1 and sc024[0]["path"] == "sparkEnv.keys[2]", j
assert not [f for f in j["findings"] if f["code"] == "SC023"], j
PY
runcheck check-vault-good 0 token "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault
grep -qF '[SC02' "$WORK/logs/check-vault-good.stdout" && fail "check --vault of valid values: a settings finding" ||
  pass "check --vault of valid values: no SC023/SC028"
runcheck check-vault-denied 4 token "${COMMON[@]}" VAULT_TOKEN=nothing-token -- --vault
expect_err check-vault-denied 'permission denied'
runcheck check-plain 0 badsetting
expect_out check-plain 'check read no Vault value for it, so this setting was not judged [SC023]'
printf 'aws_access_key_id: AKIATEST\nexecutor_instances: "lots-%s"\n' "$CANARY" >"$WORK/bad.values.yaml"
runcheck check-values-bad 1 token -- --values "$WORK/bad.values.yaml"
expect_out check-values-bad "spark.env key SPARK_EXECUTOR_INSTANCES (from values file $WORK/bad.values.yaml:2:21 field \"executor_instances\") is not a valid spark.executor.instances"
rm "$WORK/bad.values.yaml"
ctl seal '{"sealed": true}'
run sealed 4 token "${COMMON[@]}" VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=0
expect_err sealed "Vault at $ADDR is sealed (HTTP 503 to GET /v1/auth/token/lookup-self: Vault is sealed)"
ctl seal '{"sealed": false}'
ctl init '{"initialized": false}'
run uninitialised 4 token "${COMMON[@]}" VAULT_TOKEN=reader-token
expect_err uninitialised "Vault at $ADDR is not initialized (HTTP 501 to GET /v1/auth/token/lookup-self: Vault is not initialized)"
ctl init '{"initialized": true}'
run wrong-ca 4 token VAULT_ADDR="$ADDR" VAULT_CACERT="$WORK/other.pem" VAULT_TOKEN=reader-token
expect_err wrong-ca "TLS verification of Vault at $ADDR failed"
expect_err wrong-ca "the CA given (VAULT_CACERT=$WORK/other.pem) did not verify Vault's certificate"
run no-ca 4 token VAULT_ADDR="$ADDR" VAULT_TOKEN=reader-token
expect_err no-ca "pass the CA that signed Vault's certificate: VAULT_CACERT=FILE (PEM) or VAULT_CAPATH=DIR"
run skip-verify 0 token VAULT_ADDR="$ADDR" VAULT_SKIP_VERIFY=T VAULT_TOKEN=reader-token
run skip-verify-bad 2 token VAULT_ADDR="$ADDR" VAULT_SKIP_VERIFY=yes VAULT_TOKEN=reader-token
expect_err skip-verify-bad 'could not parse VAULT_SKIP_VERIFY ("yes")'
run unreachable 4 token VAULT_ADDR=https://127.0.0.1:1 VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=0
expect_err unreachable 'cannot reach Vault at https://127.0.0.1:1'

# --- retries: 503 and 412 retried up to VAULT_MAX_RETRIES, 501 never ---------------------------------
count_lookups() { grep -c '"path": "/v1/auth/token/lookup-self"' "$WORK/logs/server.jsonl" || true; }
before=$(count_lookups)
ctl fail '{"status": 503, "count": 2}'
run retry-503 0 token "${COMMON[@]}" VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=2
[ $(($(count_lookups) - before)) = 3 ] && pass "two 503s retried (3 attempts)" || fail "retry-503: $(($(count_lookups) - before)) attempts"
ctl fail '{"status": 412, "count": 1}'
run retry-412 0 token "${COMMON[@]}" VAULT_TOKEN=reader-token
before=$(count_lookups)
ctl fail '{"status": 503, "count": 5}'
run retry-bound 4 token "${COMMON[@]}" VAULT_TOKEN=reader-token VAULT_MAX_RETRIES=1
[ $(($(count_lookups) - before)) = 2 ] && pass "VAULT_MAX_RETRIES=1 bounds it to 2 attempts" ||
  fail "retry-bound: $(($(count_lookups) - before)) attempts"
expect_err retry-bound 'HTTP 503'

# --- the canary: nowhere but spark.env and the Secret manifest ------------------------------------
leaks=$(grep -rlF -- "$CANARY" "$WORK/logs" "$WORK/out" 2>/dev/null |
  grep -v '/targets/minikube/spark.env$' |
  grep -v '/targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml$' |
  grep -v '/logs/server.jsonl$' || true)
[ -z "$leaks" ] && pass "the canary appears in no output, log or other file ($N runs, -v)" ||
  fail "the canary leaked into: $leaks"
grep -qF -- "$CANARY" "$WORK/logs/server.jsonl" && fail "the server log holds the canary (test bug)" || true
for name in SECRET_ID ROLE_ID JWT READER_TOKEN TEAM_A_TOKEN; do
  case $name in
    READER_TOKEN) cred=reader-token ;; TEAM_A_TOKEN) cred=team-a-token ;; *) cred=${!name} ;;
  esac
  found=$(grep -rlF -- "$cred" "$WORK/logs" "$WORK/out" 2>/dev/null | grep -v '/logs/server.jsonl$' || true)
  [ -z "$found" ] && pass "credential $name appears in no output or file" ||
    fail "credential $name leaked into: $found"
done
echo "$N runs, $FAILURES failures"
[ "$FAILURES" = 0 ]
