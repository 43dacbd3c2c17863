#!/usr/bin/env bash
# `stackctl drift --only files --vault`: the files check renders spark.env and the spark.env
# Secret with the values Vault holds now (the project's HTTPS test server, tests/servers/
# vault_server.py, through the real client), against a rendered tree committed in a git
# repository made here. Clean when Vault still holds what was rendered; a value changed in Vault
# is drift whose evidence names the key and never the value; the canary value appears in no
# output (text, JSON, JUnit, SARIF, GitHub annotations, stderr with -v).
# Usage: drift_vault.sh PATH/TO/stackctl. Exit 77 (skipped) without git, python3, openssl or curl.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init drift-vault git python3 openssl curl
export HOME="$WORK/home" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid \
  GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$WORK/logs"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+' || true); do unset "$v"; done
unset GITHUB_ACTIONS

CANARY="canary-$(openssl rand -hex 12)"
CANARY2="canary2-$(openssl rand -hex 12)"
FAILURES=0
PASSES=0
N=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }

source "$HERE/vault_lib.sh"
vault_certs "$WORK"
cat >"$WORK/state.json" <<EOF
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {"": {
   "mounts": {"secret": {"version": 2, "secrets": {
     "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "$CANARY",
                          "executor_instances": "4"}}}},
   "tokens": {"root-token": ["root"], "reader-token": ["spark-ro"], "nothing-token": ["default"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]}}}}
EOF
vault_start "$WORK" "$WORK/state.json" "$WORK/logs/server.jsonl" ||
  { echo "FAIL: the test server did not start"; exit 1; }
COMMON=(VAULT_ADDR="$ADDR" VAULT_CACERT="$WORK/ca.pem")

# The repository: kyuubi-sql (its spark.env keys all come from Vault), rendered for minikube with
# Vault's values and committed, as a platform team keeps it.
REPO=$WORK/repo
copy_stack kyuubi-sql "$REPO/stacks"
cd "$REPO"
git init -q -b main .
S=stacks/kyuubi-sql.stack.yaml
env "${COMMON[@]}" VAULT_TOKEN=reader-token "$STACKCTL" render "$S" --target minikube --vault \
  >/dev/null 2>"$WORK/logs/render.err" || { cat "$WORK/logs/render.err"; exit 1; }
SECRET_FILE=$(cd rendered/kyuubi-sql && ls targets/minikube/kubernetes/*secret*spark-env*.yaml)
grep -qF -- "$CANARY" "rendered/kyuubi-sql/$SECRET_FILE" ||
  { echo "FAIL: the rendered Secret lacks the Vault value (test bug)"; exit 1; }
git add -A && git commit -qm "kyuubi-sql rendered with Vault's values"

# run NAME EXPECTED_RC [ENV...] -- ARGS: drift --only files --target minikube, streams kept.
run() {
  local name=$1 want=$2
  shift 2
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  N=$((N + 1))
  set +e
  env "${envs[@]}" "$STACKCTL" -v drift "$S" --only files --target minikube "$@" \
    >"$WORK/logs/$name.out" 2>"$WORK/logs/$name.err"
  local rc=$?
  set -e
  if [ "$rc" != "$want" ]; then
    fail "$name: exit $rc, expected $want"; sed 's/^/    /' "$WORK/logs/$name.out" "$WORK/logs/$name.err"
    return 0
  fi
  pass "$name (exit $rc)"
}
expect() {  # expect NAME TEXT: stdout or stderr of run NAME holds TEXT
  if grep -qF -- "$2" "$WORK/logs/$1.out" "$WORK/logs/$1.err"; then pass "$1 says: $2"; else
    fail "$1 lacks: $2"; sed 's/^/    /' "$WORK/logs/$1.out" "$WORK/logs/$1.err"; fi
}

# 1. Vault holds what was committed: clean. Without --vault the stack cannot be rendered as it was.
run clean 0 "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault
expect clean "drift: clean (0 drifted"
expect clean "read spark.env values from Vault at $ADDR"
run no-vault 8
expect no-vault "E_SECRET_MISSING"
run both 2 "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault --values /dev/null

# 2. Vault refuses the token: could not check (8), the path named.
run denied 8 "${COMMON[@]}" VAULT_TOKEN=nothing-token -- --vault
expect denied "spark/kyuubi-sql"

# 3. An SRE changes two values in Vault: spark.env and the Secret drift, keys named, values not.
vput root-token spark/kyuubi-sql \
  "{\"aws_access_key_id\": \"AKIATEST\", \"aws_secret_access_key\": \"$CANARY2\", \"executor_instances\": \"5\"}"
run changed 5 "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault
expect changed "targets/minikube/spark.env: modified"
expect changed "-AWS_SECRET_ACCESS_KEY=*** (before)"
expect changed "+AWS_SECRET_ACCESS_KEY=*** (after)"
expect changed "+SPARK_EXECUTOR_INSTANCES=*** (after)"
expect changed " AWS_ACCESS_KEY_ID=***"
expect changed "$SECRET_FILE: modified"
expect changed '-  AWS_SECRET_ACCESS_KEY: "*** (before)"'
expect changed "checksum/secret"  # the pod templates' checksum annotation (a hash, not a value)
for fmt in json junit sarif; do
  run "changed-$fmt" 5 "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault --output "$fmt"
done
run changed-gha 5 "${COMMON[@]}" VAULT_TOKEN=reader-token GITHUB_ACTIONS=true -- --vault
expect changed-gha "::error file=rendered/kyuubi-sql/targets/minikube/spark.env,line="
python3 - "$WORK/logs/changed-json.out" <<'PY' && pass "json: the spark.env result is located at its first changed line" || fail "json location"
import json, sys
r = [x for x in json.load(open(sys.argv[1]))["results"] if x["item"] == "targets/minikube/spark.env"]
assert r and r[0]["status"] == "drifted" and r[0]["location"]["line"] > 0, r
PY

# 4. Committed again with the new values: clean.
env "${COMMON[@]}" VAULT_TOKEN=reader-token "$STACKCTL" render "$S" --target minikube --vault \
  >/dev/null 2>&1
git commit -qam "re-rendered after the Vault change"
run recommitted 0 "${COMMON[@]}" VAULT_TOKEN=reader-token -- --vault

# The canaries: in the committed files only, never in anything stackctl printed.
leaks=$(grep -lF -e "$CANARY" -e "$CANARY2" "$WORK"/logs/*.out "$WORK"/logs/*.err || true)
[ -z "$leaks" ] && pass "no Vault value in any output or log ($N drift runs, -v)" ||
  fail "a Vault value leaked into: $leaks"

echo "$PASSES passed, $FAILURES failed"
[ "$FAILURES" = 0 ]
