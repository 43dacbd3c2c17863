#!/usr/bin/env bash
# `stackctl deploy --vault` of the kyuubi-sql stack onto the project's real apiserver (tests/k8s),
# its spark.env Secret read through the real Vault client from the protocol-faithful test server
# (tests/servers/vault_server.py, loopback HTTPS); kubectl is the independent client.
#   - the Secret is on the apiserver with exactly the keys of the stack's sparkEnv and the values
#     from Vault (compared inside python; no value is printed);
#   - `deploy --diff` after one Vault value changed shows the Secret's change masked and the Kyuubi
#     pod template's checksum/secret line, and changes nothing;
#   - deploying again rolls the Kyuubi pods (the StatefulSet's pod template checksum changed, a new
#     generation) and nothing else (every other object's resourceVersion as it was);
#   - a Vault failure stops deploy before any request to the cluster (exit 4, nothing changed);
#   - a canary value in Vault appears in no output, log, error or file of any run (text, JSON,
#     --diff, -v) but spark.env and the Secret manifest that render writes.
# Usage: vault_deploy.sh STACKCTL. Exits 77 (skipped) when the control plane cannot be built here
# or python3, openssl or curl is missing. Never stops or resets the shared apiserver; deletes only
# the namespace it made (STACKCTL_TEST_NS_PREFIX-vault-SUFFIX, prefix default "it").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init vault-deploy python3 openssl curl
need_apiserver
W=$WORK
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NS="${STACKCTL_TEST_NS_PREFIX:-it}-vault-$SUFFIX"
at_exit '$KUBECTL delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
source "$HERE/deploy_lib.sh"
source "$HERE/vault_lib.sh"

export HOME="$W/home"
mkdir -p "$HOME" "$W/logs"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+' || true); do unset "$v"; done
CANARY="canary-$(openssl rand -hex 12)"

vault_certs "$W"
cat >"$W/state.json" <<EOF
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {"": {
   "mounts": {"secret": {"version": 2, "secrets": {
      "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "$CANARY",
                           "executor_instances": "4"}}}},
   "tokens": {"root-token-$CANARY": ["root"], "reader-token": ["spark-ro"],
              "nothing-token": ["default"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]}}}}
EOF
vault_start "$W" "$W/state.json" "$W/logs/server.jsonl" || fail "the Vault test server did not start"
export VAULT_ADDR="$ADDR" VAULT_CACERT="$W/ca.pem" VAULT_TOKEN=reader-token
mirror_start

step "render --vault and lock the kyuubi-sql stack"
prepare kyuubi-sql --vault
STACK="$W/kyuubi-sql.stack.yaml"
# What render --vault writes: the canary search allows the value only in spark.env and the Secret
# manifest here.
"$STACKCTL" render "$STACK" --target minikube --out "$W/r-kyuubi-sql" --vault >/dev/null \
  2>"$W/render-out.err" || { cat "$W/render-out.err"; fail "render --vault --out"; }
CTX=$($KUBECTL config current-context)
N=0
# run NAME WANT_RC ARGS...: stackctl -v deploy, keeping stdout and stderr under $W/logs.
run() {
  local name=$1 want=$2
  shift 2
  N=$((N + 1))
  set +e
  "$STACKCTL" -v deploy "$STACK" --target minikube -n "$NS" --kubeconfig "$KC" --context "$CTX" \
    --no-wait "$@" >"$W/logs/$name.stdout" 2>"$W/logs/$name.stderr"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { cat "$W/logs/$name.stderr"; fail "$name: exit $rc, expected $want"; }
  echo "ok: $name (exit $rc)"
}
secret_check() {  # secret_check EXECUTOR_INSTANCES: the live Secret's keys and values
  $KUBECTL get secret kyuubi-sql-spark-env -n "$NS" -o json | python3 -c '
import base64, json, sys
d = json.load(sys.stdin)["data"]
want = {"AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": sys.argv[1],
        "SPARK_EXECUTOR_INSTANCES": sys.argv[2]}
if sorted(d) != sorted(want):
    sys.exit("the Secret has the keys %s, expected %s" % (sorted(d), sorted(want)))
for k, v in want.items():
    if base64.b64decode(d[k]).decode() != v:
        sys.exit("the Secret key %s does not hold the value Vault has (value not shown)" % k)
print("keys", " ".join(sorted(d)))' "$CANARY" "$1"
}
sts() {  # sts FIELD: a jsonpath of the Kyuubi StatefulSet
  $KUBECTL get statefulset kyuubi-sql-kyuubi -n "$NS" -o jsonpath="$1"
}
checksum_path='{.spec.template.metadata.annotations.checksum/secret}'
# want_checksum: what checksum/secret must be by its documented contract (docs/vault.md), computed
# here from the live Secret and the stack file, not read back from rendered YAML: the SHA-256 of
# "KEY=value\n" for each Secret key, in the order the stack's sparkEnv lists them.
want_checksum() {
  $KUBECTL get secret kyuubi-sql-spark-env -n "$NS" -o json | python3 -c '
import base64, hashlib, json, sys, yaml
data = json.load(sys.stdin)["data"]
stack = yaml.safe_load(open(sys.argv[1]))
order = [k["name"] for k in stack["sparkEnv"]["keys"]]
for t in stack.get("targets", []):
    for k in ((t.get("overrides") or {}).get("sparkEnv") or {}).get("keys", []):
        if k["name"] not in order:
            order.append(k["name"])
missing = sorted(set(data) - set(order))
if missing:
    sys.exit("Secret keys %s are not in the stack file" % missing)
text = "".join("%s=%s\n" % (k, base64.b64decode(data[k]).decode()) for k in order if k in data)
print(hashlib.sha256(text.encode()).hexdigest())' "$STACK"
}

step "deploy --vault: the Secret from Vault on the apiserver"
run first 0 --vault
grep -q "^create  Secret $NS/kyuubi-sql-spark-env$" "$W/logs/first.stdout" ||
  { cat "$W/logs/first.stdout"; fail "the spark.env Secret was not created"; }
grep -q "read spark.env values from Vault at $ADDR" "$W/logs/first.stderr" ||
  fail "deploy did not say it read Vault"
secret_check 4 || fail "the live Secret is not what Vault holds"
echo "ok: the live Secret holds the keys and the values from Vault"
gen1=$(sts '{.metadata.generation}')
sum1=$(sts "$checksum_path")
[ -n "$sum1" ] || fail "the Kyuubi pod template has no checksum/secret"
[ "$sum1" = "$(want_checksum)" ] ||
  fail "live checksum/secret $sum1, but the live Secret's keys and values hash to $(want_checksum)"

step "a second deploy with Vault unchanged changes nothing"
before=$(rvs "$NS")
run again 0 --vault
[ "$(rvs "$NS")" = "$before" ] || { diff <(echo "$before") <(rvs "$NS"); fail "resourceVersions changed"; }
! grep -qv "^unchanged" "$W/logs/again.stdout" || { cat "$W/logs/again.stdout"; fail "not all unchanged"; }

step "a Vault failure: exit 4 before any request to the cluster"
before=$(rvs "$NS")
VAULT_TOKEN=nothing-token run denied 4 --vault
grep -qF "stackctl: error: Vault denied GET /v1/sys/internal/ui/mounts/secret/spark/kyuubi-sql: permission denied" \
  "$W/logs/denied.stderr" || { cat "$W/logs/denied.stderr"; fail "the denial is not named"; }
grep -q "nothing was deployed" "$W/logs/denied.stderr" || fail "deploy did not say nothing was deployed"
[ ! -s "$W/logs/denied.stdout" ] || fail "a failed deploy printed a plan"
[ "$(rvs "$NS")" = "$before" ] || fail "a failed Vault read changed the cluster"

# drift_vault NAME WANT_RC: `stackctl drift --only cluster --cluster --vault`, output kept.
drift_vault() {
  local name=$1 want=$2
  set +e
  "$STACKCTL" drift "$STACK" --target minikube --only cluster --cluster --vault -n "$NS" \
    --kubeconfig "$KC" --context "$CTX" >"$W/logs/$name.stdout" 2>"$W/logs/$name.stderr"
  local rc=$?
  set -e
  [ "$rc" = "$want" ] || { cat "$W/logs/$name.stdout" "$W/logs/$name.stderr"; fail "$name: exit $rc, expected $want"; }
  echo "ok: $name (exit $rc)"
}
step "drift --cluster --vault with Vault unchanged: clean"
drift_vault drift-clean 0
grep -q "drift: clean" "$W/logs/drift-clean.stdout" || { cat "$W/logs/drift-clean.stdout"; fail "drift not clean"; }

step "one Vault value changes (terraform apply): --diff shows it masked, changes nothing"
vput "root-token-$CANARY" spark/kyuubi-sql \
  "{\"aws_access_key_id\": \"AKIATEST\", \"aws_secret_access_key\": \"$CANARY\", \"executor_instances\": \"3\"}"
before=$(rvs "$NS")
run diff 0 --vault --diff
run diff-json 0 --vault --diff --output json
[ "$(rvs "$NS")" = "$before" ] || fail "--diff changed the cluster"
grep -q "^+++ intended/Secret $NS/kyuubi-sql-spark-env$" "$W/logs/diff.stdout" ||
  { cat "$W/logs/diff.stdout"; fail "--diff does not show the Secret"; }
grep -qF '+  SPARK_EXECUTOR_INSTANCES: "*** (after)"' "$W/logs/diff.stdout" ||
  { cat "$W/logs/diff.stdout"; fail "--diff does not show the changed Secret key masked"; }
grep -q '^+ *checksum/secret: ' "$W/logs/diff.stdout" || { cat "$W/logs/diff.stdout"; fail "--diff does not show the new checksum/secret"; }
[ "$(grep -c '^+++ ' "$W/logs/diff.stdout")" = 2 ] || { cat "$W/logs/diff.stdout"; fail "--diff shows more than the Secret and the StatefulSet"; }
python3 - "$W/logs/diff-json.stdout" <<'PY' || fail "--diff --output json"
import json, sys
j = json.load(open(sys.argv[1]))
diffs = {o["object"]: o.get("diff", "") for o in j["objects"]}
changed = sorted(k for k, d in diffs.items() if d)
assert any("kyuubi-sql-spark-env" in k for k in changed), changed
assert any("kyuubi-sql-kyuubi" in k and "StatefulSet" in k for k in changed), changed
assert len(changed) == 2, changed
PY
echo "ok: --diff names exactly the Secret (masked) and the Kyuubi StatefulSet"

step "drift --cluster --vault after the Vault change: a spark.env value changed since the last deploy"
drift_vault drift-changed 5
grep -q "a spark.env value changed since the last deploy" "$W/logs/drift-changed.stdout" ||
  { cat "$W/logs/drift-changed.stdout"; fail "drift does not name the changed Vault value"; }

step "deploy again: the Kyuubi pods roll, nothing else changes"
run change 0 --vault --output json
secret_check 3 || fail "the live Secret does not hold the new value"
gen2=$(sts '{.metadata.generation}')
sum2=$(sts "$checksum_path")
[ "$gen2" = $((gen1 + 1)) ] || fail "the Kyuubi StatefulSet's generation went $gen1 -> $gen2, expected +1"
[ "$sum2" != "$sum1" ] || fail "checksum/secret did not change"
[ "$sum2" = "$(want_checksum)" ] || fail "live checksum/secret $sum2 is not the new Secret's $(want_checksum)"
echo "ok: the Kyuubi StatefulSet rolled (generation $gen1 -> $gen2, checksum/secret changed)"
changed=$( { diff <(echo "$before") <(rvs "$NS") || true; } | sed -n 's/^> \(.*\)=.*/\1/p' | sort | tr '\n' ' ')
# The ApplySet parent (kyuubi-sql-applyset) changes too: it records what each member was applied
# with (stackctl.io/applied, docs/deploy.md), and two members were updated.
[ "$changed" = "Secret/kyuubi-sql-applyset Secret/kyuubi-sql-spark-env StatefulSet/kyuubi-sql-kyuubi " ] ||
  fail "a Vault change altered: $changed"
echo "ok: a Vault change altered exactly the Secret and the Kyuubi StatefulSet"
python3 - "$W/logs/change.stdout" <<'PY' || fail "deploy --output json"
import json, sys
j = json.load(open(sys.argv[1]))
acts = {o["object"]: o["action"] for o in j["objects"]}
upd = sorted(k for k, a in acts.items() if a != "unchanged")
assert len(upd) == 2 and all("kyuubi-sql-spark-env" in k or "kyuubi-sql-kyuubi" in k for k in upd), acts
PY

step "the canary: nowhere but spark.env and the Secret manifest"
leaks=$(grep -rlF -- "$CANARY" "$W" 2>/dev/null |
  grep -v "^$W/r-kyuubi-sql/targets/minikube/spark.env$" |
  grep -v "^$W/r-kyuubi-sql/targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml$" |
  grep -v "^$W/state.json$" || true)
[ -z "$leaks" ] || fail "the canary leaked into: $leaks"
echo "ok: the canary appears in no output, log, error or other file ($N deploy runs, -v, text, JSON, --diff)"
for cred in reader-token nothing-token; do
  found=$(grep -rlF -- "$cred" "$W" 2>/dev/null | grep -v "^$W/state.json$" | grep -v "^$W/logs/server.jsonl$" || true)
  [ -z "$found" ] || fail "the token $cred leaked into: $found"
done
echo "ok: no Vault token appears in any output or file"
echo "vault_deploy.sh: all passed"
