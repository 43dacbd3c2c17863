#!/usr/bin/env bash
# A spark.env key that carries a Spark setting changes what Spark reads. The kyuubi-sql stack is
# rendered with `--vault` from the protocol-faithful Vault test server (tests/servers/
# vault_server.py, loopback HTTPS), whose executor_instances differs from every value the stack
# itself has (1 on minikube, 4 on eks). Then the Kyuubi pod's init container `spark-env-conf`, taken
# from the rendered StatefulSet, runs in a sandbox shell (its /etc/spark paths moved under a temp
# folder) with the environment spark.env gives (`set -a; . spark.env`, which is what the pod's
# Secret holds), over the spark-defaults.conf of the rendered ConfigMap. The file it writes is read
# by java.util.Properties, as Spark's Utils.getPropertiesFromFile reads spark-defaults.conf, and
# spark.executor.instances must be the Vault value. Then hostile values (a newline that would add
# a property, a command substitution, an empty value) stop the script with exit 1, add nothing to
# the file, run nothing, and are not shown.
# What it does not run: Spark itself (no Spark distribution on this machine), so the step from
# spark-defaults.conf to SparkConf is Spark's documented precedence (docs/runtime.md), not observed.
# Usage: spark_env_conf.sh STACKCTL. Exits 77 (skipped) when python3 (with PyYAML), openssl, curl or
# java is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
need_tools python3
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 has no PyYAML"; exit 77; }
test_init spark-env-conf openssl curl java
W=$WORK
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
source "$HERE/vault_lib.sh"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+' || true); do unset "$v"; done

VALUE=7
vault_certs "$W"
cat >"$W/state.json" <<JSON
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {"": {
   "mounts": {"secret": {"version": 2, "secrets": {
      "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "s3cret",
                           "executor_instances": "$VALUE"}}}},
   "tokens": {"reader-token": ["spark-ro"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]}}}}
JSON
vault_start "$W" "$W/state.json" "$W/server.jsonl" || fail "the Vault test server did not start"
export VAULT_ADDR="$ADDR" VAULT_CACERT="$W/ca.pem" VAULT_TOKEN=reader-token

"$STACKCTL" render "$ROOT/stacks/kyuubi-sql.stack.yaml" --target minikube --vault --out "$W/r" \
  >/dev/null 2>"$W/render.err" || { cat "$W/render.err"; fail "render --vault"; }
K="$W/r/targets/minikube/kubernetes"
grep -qx "SPARK_EXECUTOR_INSTANCES='$VALUE'" "$W/r/targets/minikube/spark.env" ||
  fail "spark.env does not carry the Vault value"
pass "render --vault wrote SPARK_EXECUTOR_INSTANCES from Vault"

# The init container's script and the ConfigMap's file, from the rendered objects.
python3 - "$K/51-statefulset-kyuubi-sql-kyuubi.yaml" "$K/30-configmap-kyuubi-sql-spark-defaults.yaml" \
  "$W" <<'PY'
import sys, yaml
sts, cm, w = sys.argv[1:]
spec = yaml.safe_load(open(sts))["spec"]["template"]["spec"]
init = [c for c in spec.get("initContainers", []) if c["name"] == "spark-env-conf"]
assert init, "no init container spark-env-conf"
cmd = init[0]["command"]
assert cmd[:2] == ["/bin/sh", "-c"], cmd
open(w + "/script.sh", "w").write(cmd[2].replace("/etc/spark/", w + "/etc/spark/"))
open(w + "/base.conf", "w").write(yaml.safe_load(open(cm))["data"]["spark-defaults.conf"])
PY
grep -q "^spark.executor.instances 1$" "$W/base.conf" ||
  fail "the ConfigMap's spark-defaults lacks the stack's own spark.executor.instances 1"

cat >"$W/Props.java" <<'JAVA'
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
// Reads a properties file as Spark's Utils.getPropertiesFromFile does (UTF-8 reader,
// Properties.load, values trimmed) and prints one key's value.
public class Props {
  public static void main(String[] a) throws IOException {
    Properties p = new Properties();
    try (Reader r = new InputStreamReader(new FileInputStream(a[0]), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String v = p.getProperty(a[1]);
    System.out.println(v == null ? "<absent>" : v.trim());
  }
}
JAVA

# run_init ENV_FILE: the script in a clean environment holding only ENV_FILE's variables.
run_init() {
  rm -rf "$W/etc" && mkdir -p "$W/etc/spark/conf-base" "$W/etc/spark/conf"
  cp "$W/base.conf" "$W/etc/spark/conf-base/spark-defaults.conf"
  (cd "$W" && env -i PATH="$PATH" sh -c 'set -a; . "$1"; set +a; exec sh "$2"' sh "$1" \
    "$W/script.sh") >"$W/init.out" 2>"$W/init.err"
}

run_init "$W/r/targets/minikube/spark.env" || { cat "$W/init.err"; fail "the init script failed"; }
got=$(java "$W/Props.java" "$W/etc/spark/conf/spark-defaults.conf" spark.executor.instances)
[ "$got" = "$VALUE" ] || fail "spark.executor.instances read back as '$got', not the Vault value $VALUE"
pass "spark-defaults.conf written at start gives spark.executor.instances=$VALUE (java.util.Properties)"
# Everything else of the ConfigMap's file is kept, line for line, before the added lines.
head -c "$(wc -c <"$W/base.conf")" "$W/etc/spark/conf/spark-defaults.conf" | cmp -s - "$W/base.conf" ||
  fail "the written file does not start with the ConfigMap's file"
pass "the ConfigMap's settings are kept"

# Without the variable (an optional key left out), nothing is added: the stack's value holds.
: >"$W/none.env"
run_init "$W/none.env" || { cat "$W/init.err"; fail "the init script failed without the variable"; }
got=$(java "$W/Props.java" "$W/etc/spark/conf/spark-defaults.conf" spark.executor.instances)
[ "$got" = 1 ] || fail "without the variable spark.executor.instances is '$got', not the stack's 1"
pass "without the variable the stack's own setting holds"

# Hostile values: refused before Spark starts, nothing added, nothing run, the value not shown.
hostile() { # NAME VALUE
  python3 - "$W/bad.env" "$2" <<'PY'
import shlex, sys
open(sys.argv[1], "w").write("SPARK_EXECUTOR_INSTANCES=" + shlex.quote(sys.argv[2]) + "\n")
PY
  local rc=0
  run_init "$W/bad.env" || rc=$?
  [ "$rc" = 1 ] || fail "$1: the init script exited $rc, not 1"
  grep -q "SPARK_EXECUTOR_INSTANCES is not a valid spark.executor.instances (the value is not shown)" \
    "$W/init.err" || { cat "$W/init.err"; fail "$1: no clear message"; }
  [ -z "$2" ] || ! grep -qF -- "$2" "$W/init.err" "$W/init.out" || fail "$1: the value was shown"
  ! grep -q "^spark.executor.instances=" "$W/etc/spark/conf/spark-defaults.conf" ||
    fail "$1: a value was written"
  ! grep -q "100g" "$W/etc/spark/conf/spark-defaults.conf" || fail "$1: a property was injected"
  [ ! -e "$W/pwned" ] || fail "$1: the value ran a command"
}
hostile "newline" $'3\nspark.driver.memory=100g'
hostile "command substitution" '$(touch pwned)'
hostile "backquotes" '`touch pwned`'
hostile "empty" ''
hostile "equals" '3=4'
pass "hostile values stop the pod's start, add nothing, run nothing and are not shown"
