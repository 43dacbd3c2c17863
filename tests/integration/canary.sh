#!/usr/bin/env bash
# Secrets stay secret: a distinct canary value in every secret source stackctl
# reads, every command run on it at the most verbose logging (-vv), in text and --output json, in
# success and failure cases (wrong token, refused TLS, unreachable server, bad stack); then every
# stdout, stderr and file stackctl wrote is searched for each canary and its encodings
# (tests/integration/canary_scan.py: raw, base64 at every alignment, URL-safe base64, percent-
# and JSON-escaped). The only files allowed to hold a canary are named below (--allow), and each
# must be mode 0600. Self-checks first prove the scan fails on a planted leak, on a secret file of
# the wrong mode, and on a canary stackctl itself wrote (one put into a non-secret stack field). The test also checks that turning TLS verification off warns on stderr,
# naming the host, and that an untrusted certificate is refused, per client.
#
# Secret sources planted (each its own canary):
#   VAULT_VALUE     a Vault KV v2 field (the test server, tests/servers/vault_server.py, HTTPS)
#   VAULT_TOKEN     VAULT_TOKEN
#   VAULT_TOKENFILE ~/.vault-token
#   APPROLE_SECRET  an AppRole secret_id file (the stack's vault.auth.secretId: {file: ...})
#   VAULT_JWT       the Kubernetes auth JWT file of the stack's vault.auth (tokenFile)
#   FILE_VALUE      a spark.env `file:` source (a values file beside the stack)
#   VALUES_VALUE    a --values file
#   WRONG_VAULT     a token Vault refuses
#   REG_PASSWORD    a registry password in REGISTRY_AUTH_FILE (skopeo login; Bearer token server),
#                   and the same password as a docker-credential-* helper's answer (credHelpers)
#   MIRROR_PASSWORD user:password@ in the artifact mirror's URL
#   KUBE_TOKEN      a kubeconfig bearer token (a real ServiceAccount token of the apiserver), inline
#                   and as a tokenFile
#   EXEC_TOKEN      the token an exec credential plugin prints (another ServiceAccount's)
#   KUBE_KEY        a client certificate's private key (file, and inline client-key-data)
#   WRONG_KUBE      a bearer token the apiserver refuses
# Parts needing a component that is missing here are skipped with a line saying so (the registry
# part needs docker-registry and skopeo; the cluster part the apiserver of tests/k8s).
# Not run: a real `build` (it needs a base image and minutes); `build --dry-run` is.
# Usage: canary.sh PATH/TO/stackctl. Exit 77 (skipped) without python3, openssl or curl.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init canary python3 openssl curl
IN=$WORK/in      # planted inputs outside the stack's folder (kubeconfigs, keys, CA): not scanned
SRV=$WORK/srv    # the test servers' own state and logs: not scanned
OUT=$WORK/out    # every folder stackctl writes to: scanned
LOGS=$WORK/logs  # every stdout and stderr: scanned
ST=$WORK/stack   # the stack's folder (lock, values files, rendered/): scanned
W=$SRV           # deploy_lib.sh's scratch folder
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
NS_LIST=()
KUBECTL=
at_exit 'if [ -n "$KUBECTL" ]; then
  for ns in "${NS_LIST[@]}"; do $KUBECTL delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done
  $KUBECTL delete clusterrolebinding "canary-$SUFFIX" >/dev/null 2>&1 || true
fi'
own_home
mkdir -p "$IN" "$SRV" "$OUT" "$LOGS" "$ST"
for v in $(env | grep -oE '^(VAULT|BAO)_[A-Z_]+|^KUBECONFIG$|^REGISTRY_AUTH_FILE$|^DOCKER_CONFIG$' || true); do
  unset "$v"
done

FAILURES=0
N=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok: $*"; }
SUFFIX=$(openssl rand -hex 4)
R=$(openssl rand -hex 10)
CANARIES=$SRV/canaries.tsv
: >"$CANARIES"
plant() {  # plant NAME VALUE: records a canary (VALUE may hold newlines)
  python3 -c 'import sys; print(sys.argv[1] + "\t" + sys.argv[2].encode("unicode_escape").decode())' \
    "$1" "$2" >>"$CANARIES"
}
# The values carry "+" and "/" so that percent-encoding and JSON escaping change them.
VAULT_VALUE="cnry+vault/$R-value"
VAULT_TOKEN_C="cnry-vault-token-$R"
VAULT_TOKENFILE="cnry-vault-tokenfile-$R"
APPROLE_SECRET="cnry-approle-secret-$R"
VAULT_JWT="eyJhbGciOiJSUzI1NiJ9.cnry-vault-jwt-$R.sig"
FILE_VALUE="cnry+file/$R-value"
VALUES_VALUE="cnry+values/$R-value"
WRONG_VAULT="cnry-wrong-vault-token-$R"
REG_PASSWORD="cnry+reg/$R-password"
MIRROR_PASSWORD="cnry-mirror-password-$R"
WRONG_KUBE="cnry-wrong-kube-token-$R"
PRESIGN_SIG="cnry-presigned-signature-$R"
SAS_SIG="cnry-sas-signature-$R"
for n in VAULT_VALUE:VAULT_VALUE VAULT_TOKEN:VAULT_TOKEN_C VAULT_TOKENFILE:VAULT_TOKENFILE \
  APPROLE_SECRET:APPROLE_SECRET VAULT_JWT:VAULT_JWT FILE_VALUE:FILE_VALUE VALUES_VALUE:VALUES_VALUE \
  WRONG_VAULT:WRONG_VAULT REG_PASSWORD:REG_PASSWORD MIRROR_PASSWORD:MIRROR_PASSWORD \
  WRONG_KUBE:WRONG_KUBE PRESIGN_SIG:PRESIGN_SIG SAS_SIG:SAS_SIG; do
  var=${n#*:}
  plant "${n%%:*}" "${!var}"
done

# run NAME WANT_RC CMD...: one stackctl run (CMD starts with env assignments or stackctl's
# arguments), stdout and stderr kept as $LOGS/NAME.out / NAME.err. WANT_RC may be "a|b".
run() {
  local name=$1 want=$2
  shift 2
  N=$((N + 1))
  local envs=()
  while [ $# -gt 0 ] && [[ $1 == *=* ]] && [[ $1 != -* ]]; do envs+=("$1"); shift; done
  env "${envs[@]}" "$STACKCTL" -vv "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" </dev/null
  local rc=$?
  if [[ "|$want|" == *"|$rc|"* ]]; then
    pass "$name (exit $rc)"
  else
    fail "$name: exit $rc, expected $want"
    sed 's/^/    /' "$LOGS/$name.err" | tail -15
  fi
}
# both NAME WANT_RC CMD...: run in text and in --output json (NAME.text, NAME.json).
both() {
  local name=$1 want=$2
  shift 2
  run "$name.text" "$want" "$@"
  run "$name.json" "$want" "$@" -o json
}
says() {  # says NAME.STREAM TEXT: the file $LOGS/NAME.STREAM holds TEXT
  if grep -qF -- "$2" "$LOGS/$1"; then pass "$1 says: $2"; else
    fail "$1 lacks: $2"; sed 's/^/    /' "$LOGS/$1" | tail -15; fi
}

# --- Vault: certificates, the test server, its state -----------------------------------------
source "$HERE/vault_lib.sh"
vault_certs "$SRV"
ROLE_ID=role-$(openssl rand -hex 6)
cat >"$SRV/vault.json" <<EOF
{"sealed": false, "initialized": true, "ui_mounts": true,
 "namespaces": {"": {
   "mounts": {"secret": {"version": 2, "secrets": {
      "spark/kyuubi-sql": {"aws_access_key_id": "AKIATEST", "aws_secret_access_key": "$VAULT_VALUE",
                           "executor_instances": "4"}}}},
   "tokens": {"$VAULT_TOKEN_C": ["spark-ro"], "$VAULT_TOKENFILE": ["spark-ro"]},
   "policies": {"spark-ro": ["secret/data/spark/*"]},
   "approle": {"mount": "approle", "role_id": "$ROLE_ID", "secret_id": "$APPROLE_SECRET",
               "policies": ["spark-ro"]},
   "kubernetes": {"mount": "k8s-ci", "role": "stackctl-ci", "jwt": "$VAULT_JWT", "policies": ["spark-ro"]}}}}
EOF
vault_start "$SRV" "$SRV/vault.json" "$SRV/vault.log" || { echo "FAIL: the Vault test server did not start"; exit 1; }
VOK=(VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" VAULT_TOKEN="$VAULT_TOKEN_C")

# --- the artifact mirror, with credentials in its URL ----------------------------------------
python3 "$SRC/tests/servers/checksum_mirror.py" >"$SRV/mirror.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$SRV/mirror.port" ] && break; sleep 0.1; done
MIRROR="http://127.0.0.1:$(cat "$SRV/mirror.port")"
MIRROR_WITH_PASSWORD="http://stackctl:$MIRROR_PASSWORD@127.0.0.1:$(cat "$SRV/mirror.port")"

# --- the stack: kyuubi-sql with a `file:` spark.env source and an AppRole variant --------------
S=$ST/kyuubi-sql.stack.yaml
python3 - "$SRC/stacks/kyuubi-sql.stack.yaml" "$S" "$MIRROR" <<'PY'
import re, sys
src, dst, mirror = sys.argv[1:]
t = open(src).read()
assert "\nartifacts:\n" in t and "  mirror:" not in t
t = t.replace("\nartifacts:\n", "\nartifacts:\n  mirror: " + mirror + "\n", 1)
anchor = "  keys:\n    - name: AWS_ACCESS_KEY_ID\n"
assert anchor in t and "sparkEnv:\n  sources:\n" in t
t = t.replace("sparkEnv:\n  sources:\n",
              "sparkEnv:\n  sources:\n    - name: extra\n      file: extra.values.yaml\n", 1)
t = t.replace(anchor, "  keys:\n    - name: EXTRA_TOKEN\n      from: extra\n      key: extra_token\n"
              "    - name: AWS_ACCESS_KEY_ID\n", 1)
open(dst, "w").write(t)
PY
printf 'extra_token: "%s"\n' "$FILE_VALUE" >"$ST/extra.values.yaml"
chmod 600 "$ST/extra.values.yaml"
printf 'aws_access_key_id: AKIATEST\naws_secret_access_key: "%s"\nexecutor_instances: "2"\nextra_token: "%s"\n' \
  "$VALUES_VALUE" "$VALUES_VALUE" >"$ST/kyuubi.values.yaml"
chmod 600 "$ST/kyuubi.values.yaml"
printf '%s\n' "$APPROLE_SECRET" >"$IN/secret-id"
chmod 600 "$IN/secret-id"
SA=$ST/approle.stack.yaml
cp "$S" "$SA"
printf '\nvault:\n  auth:\n    method: approle\n    roleId: {env: TEST_ROLE_ID}\n    secretId: {file: %s}\n' \
  "$IN/secret-id" >>"$SA"
# A mirror URL with credentials is refused (they would be copied into stack.lock, build contexts
# and JSON output); the stack holding it is an input, kept out of the scanned folders.
SM=$IN/mirror-credentials.stack.yaml
sed "s|^  mirror: .*|  mirror: $MIRROR_WITH_PASSWORD|" "$S" >"$SM"
# The same for credentials in a URL's query: a presigned S3 URL's signature, an Azure SAS's.
SQ=$IN/mirror-presigned.stack.yaml
sed "s|^  mirror: .*|  mirror: \"http://127.0.0.1:$(cat "$SRV/mirror.port")/?X-Amz-Algorithm=AWS4-HMAC-SHA256\&X-Amz-Expires=60\&X-Amz-Signature=$PRESIGN_SIG\"|" "$S" >"$SQ"
SZ=$IN/mirror-sas.stack.yaml
sed "s|^  mirror: .*|  mirror: \"http://127.0.0.1:$(cat "$SRV/mirror.port")/?sv=2022-11-02\&sp=r\&sig=$SAS_SIG\"|" "$S" >"$SZ"
printf '%s\n' "$VAULT_JWT" >"$IN/vault-jwt"
chmod 600 "$IN/vault-jwt"
SK=$ST/vault-kubernetes.stack.yaml
cp "$S" "$SK"
printf '\nvault:\n  auth:\n    method: kubernetes\n    mount: k8s-ci\n    role: stackctl-ci\n    tokenFile: %s\n' \
  "$IN/vault-jwt" >>"$SK"
BAD=$ST/bad.stack.yaml
sed 's/^  spark: .*/  spark: [not, a, version/' "$S" >"$BAD"

# --- self-check: the scan finds a planted leak and a secret file of the wrong mode ---------------
mkdir -p "$SRV/selfcheck/a"
printf 'log line with %s inside\n' "$(printf 'xx%s' "$VAULT_TOKEN_C" | base64 -w0)" >"$SRV/selfcheck/a/planted.log"
if python3 "$HERE/canary_scan.py" --canaries "$CANARIES" --root "$SRV/selfcheck" >"$SRV/self1" 2>&1; then
  fail "self-check: a base64-encoded canary in a scanned file was not found"; cat "$SRV/self1"
else
  grep -q "LEAK: $SRV/selfcheck/a/planted.log: holds VAULT_TOKEN (base64)" "$SRV/self1" &&
    pass "self-check: a planted base64 canary fails the scan" ||
    { fail "self-check: the scan failed without naming the planted file"; cat "$SRV/self1"; }
fi
rm "$SRV/selfcheck/a/planted.log"
printf 'X=%s\n' "$VAULT_VALUE" >"$SRV/selfcheck/a/spark.env"
chmod 644 "$SRV/selfcheck/a/spark.env"
if python3 "$HERE/canary_scan.py" --canaries "$CANARIES" --root "$SRV/selfcheck" \
  --allow "*/spark.env=VAULT_VALUE" >"$SRV/self2" 2>&1; then
  fail "self-check: an allowed file of mode 0644 holding its canary passed"; cat "$SRV/self2"
else
  pass "self-check: an allowed secret file of mode 0644 fails the scan"
fi
chmod 600 "$SRV/selfcheck/a/spark.env"
python3 "$HERE/canary_scan.py" --canaries "$CANARIES" --root "$SRV/selfcheck" \
  --allow "*/spark.env=VAULT_VALUE" >"$SRV/self3" 2>&1 &&
  pass "self-check: the same file at 0600 is allowed" || { fail "self-check: 0600 refused"; cat "$SRV/self3"; }

# The same scan over what stackctl itself wrote: a canary value put into a field that is not
# secret (the stack's description) reaches rendered files and JSON output, and the scan must
# name them. This is the leak path the real scan guards, exercised end to end.
mkdir -p "$SRV/selfcheck-render"
SELF_VALUE="cnry-selfcheck-$R"
printf 'SELFCHECK\t%s\n' "$SELF_VALUE" >"$SRV/selfcheck.tsv"
sed "s|^  description: .*|  description: \"$SELF_VALUE\"|" "$S" >"$SRV/selfcheck.stack.yaml"
cp "$ST/extra.values.yaml" "$SRV/"
"$STACKCTL" -vv render "$SRV/selfcheck.stack.yaml" --target minikube --values "$ST/kyuubi.values.yaml" \
  --out "$SRV/selfcheck-render/out" -o json >"$SRV/selfcheck-render/stdout" 2>"$SRV/selfcheck-render/stderr"
if python3 "$HERE/canary_scan.py" --canaries "$SRV/selfcheck.tsv" --root "$SRV/selfcheck-render" \
  >"$SRV/self4" 2>&1; then
  fail "self-check: a canary stackctl wrote into rendered files was not found"; cat "$SRV/self4"
else
  pass "self-check: a canary in a non-secret stack field is found in $(grep -c '^LEAK' "$SRV/self4") (file, encoding) places stackctl wrote"
fi

# --- validate, check, explain, version, completion --------------------------------------------
both validate 0 validate "$S"
both validate-bad 1 validate "$BAD"
both validate-url-credentials 1 validate "$SM"
says validate-url-credentials.text.out "artifacts.mirror: the URL carries credentials (user:password@ before the host, not shown)"
both lock-url-credentials 1 lock "$SM" --cache-dir "$OUT/cache" --lock "$OUT/url-credentials.lock"
[ -e "$OUT/url-credentials.lock" ] && fail "lock wrote a lock for a stack with credentials in a URL" ||
  pass "lock wrote nothing for a stack with credentials in a URL"
for q in SQ:X-Amz-Signature SZ:sig; do
  qs=${q%%:*}
  both "validate-url-query-$qs" 1 validate "${!qs}"
  says "validate-url-query-$qs.text.out" "artifacts.mirror: the URL's query carries a credential (${q#*:}=..., not shown)"
  both "lock-url-query-$qs" 1 lock "${!qs}" --cache-dir "$OUT/cache" --lock "$OUT/url-query-$qs.lock"
  [ -e "$OUT/url-query-$qs.lock" ] && fail "lock wrote a lock for a stack with ${q#*:}= in a URL" ||
    pass "lock wrote nothing for a stack with ${q#*:}= in a URL"
done
both check "0|1" check "$S" --target minikube
both check-vault "0|1" "${VOK[@]}" check "$S" --target minikube --vault
both check-values "0|1" check "$S" --target minikube --values "$ST/kyuubi.values.yaml"
both check-bad 1 check "$BAD"
both check-vault-wrong-token 4 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" VAULT_TOKEN="$WRONG_VAULT" \
  check "$S" --target minikube --vault
both explain 0 explain "java.lang.ClassNotFoundException: org.apache.hadoop.fs.s3a.S3AFileSystem" --stack "$S"
both explain-none 6 explain "nothing anyone has seen before $R"
run version 0 version
run version-json 0 version -o json
run completion 0 completion bash
run help 0 help deploy

# --- render: Vault (every token source, AppRole), --values, failures, skip-verify --------------
both render-vault 0 "${VOK[@]}" render "$S" --target minikube --vault --out "$OUT/render-vault"
echo "$VAULT_TOKENFILE" >"$HOME/.vault-token"
chmod 600 "$HOME/.vault-token"
run render-tokenfile 0 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" \
  render "$S" --target minikube --vault --out "$OUT/render-tokenfile"
run render-approle 0 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" TEST_ROLE_ID="$ROLE_ID" \
  render "$SA" --target minikube --vault --out "$OUT/render-approle"
run render-approle-bad 4 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" TEST_ROLE_ID=wrong \
  render "$SA" --target minikube --vault --out "$OUT/render-approle-bad"
run render-vault-kubernetes 0 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" \
  render "$SK" --target minikube --vault --out "$OUT/render-vault-kubernetes"
both render-values 0 render "$S" --target minikube --values "$ST/kyuubi.values.yaml" --out "$OUT/render-values"
run render-list 0 "${VOK[@]}" render "$S" --target minikube --vault --list -o json
both render-wrong-token 4 VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" VAULT_TOKEN="$WRONG_VAULT" \
  render "$S" --target minikube --vault --out "$OUT/render-wrong-token"
both render-untrusted 4 VAULT_ADDR="$ADDR" VAULT_CACERT="$SRV/other.pem" VAULT_TOKEN="$VAULT_TOKEN_C" \
  render "$S" --target minikube --vault --out "$OUT/render-untrusted"
says render-untrusted.text.err "TLS verification of Vault at $ADDR failed"
run render-no-ca 4 VAULT_ADDR="$ADDR" VAULT_TOKEN="$VAULT_TOKEN_C" \
  render "$S" --target minikube --vault --out "$OUT/render-no-ca"
says render-no-ca.err "TLS verification of Vault at $ADDR failed"
both render-unreachable 4 VAULT_ADDR=https://127.0.0.1:1 VAULT_TOKEN="$VAULT_TOKEN_C" VAULT_MAX_RETRIES=0 \
  render "$S" --target minikube --vault --out "$OUT/render-unreachable"
run render-skip-verify 0 VAULT_ADDR="$ADDR" VAULT_SKIP_VERIFY=true VAULT_TOKEN="$VAULT_TOKEN_C" \
  render "$S" --target minikube --vault --out "$OUT/render-skip-verify"
says render-skip-verify.err "TLS verification of Vault at $ADDR is off (VAULT_SKIP_VERIFY)"
run render-bad 1 render "$BAD" --out "$OUT/render-bad"
rm "$HOME/.vault-token"
# What render --vault wrote where: spark.env and the Secret manifest hold the values, 0600.
for f in "$OUT/render-vault/targets/minikube/spark.env" \
  "$OUT/render-vault/targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml"; do
  [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] && grep -qF "$FILE_VALUE" "$f" &&
    pass "$(basename "$f") holds the values and is 0600" || fail "$f: not 0600 or without the values"
done

# --- lock and build --dry-run (the mirror's URL carries credentials) ---------------------------
both lock 0 lock "$S" --cache-dir "$OUT/cache"
run lock-frozen 0 lock "$S" --frozen --cache-dir "$OUT/cache"
both lock-offline "0|4" lock "$S" --offline --cache-dir "$OUT/cache-empty" --lock "$OUT/offline.lock"
# The fetcher refuses a mirror whose certificate no system CA signed (the Vault test CA's).
TLS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
openssl s_server -quiet -accept "127.0.0.1:$TLS_PORT" -cert "$SRV/server.pem" -key "$SRV/server.key" -www \
  >/dev/null 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do curl -s --cacert "$SRV/ca.pem" -o /dev/null "https://127.0.0.1:$TLS_PORT/" && break; sleep 0.1; done
# The jars' checksums dropped, so lock asks the mirror for them (the stack pins them all).
sed -e "s|^  mirror: .*|  mirror: https://127.0.0.1:$TLS_PORT/maven2|" -e '/^      sha\(1\|256\|512\): /d' \
  "$S" >"$ST/tls-mirror.stack.yaml"
run lock-untrusted-mirror 4 lock "$ST/tls-mirror.stack.yaml" --cache-dir "$OUT/cache-tls" --lock "$OUT/tls.lock"
says lock-untrusted-mirror.err "SSL certificate problem"
# custom-app: a stack whose images build (kyuubi-sql gives no Kyuubi distribution); submit uses it.
C=$ST/custom-app.stack.yaml
copy_stack custom-app "$ST"
sed -i "s|^artifacts:\$|artifacts:\n  mirror: $MIRROR|" "$C"
grep -qF "  mirror: $MIRROR" "$C" || fail "custom-app: the mirror was not set"
run lock-custom 0 lock "$C" --cache-dir "$OUT/cache"
both build-dry-run "0|4" build "$C" --dry-run --cache-dir "$OUT/cache" --work-dir "$OUT/build"
both build-dry-run-kyuubi 1 build "$S" --dry-run --cache-dir "$OUT/cache" --work-dir "$OUT/build"

# --- the registry: Bearer auth with credentials from REGISTRY_AUTH_FILE; TLS with a private CA --
registry_part() {
  local port tport layout="$SRV/layout" demo="$SRC/tests/fixtures/registry/demo.stack.yaml"
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  python3 "$HERE/oci_layout.py" "$layout" good --label io.stackctl.stack=registry-demo \
    --label io.stackctl.image=spark-base >/dev/null
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$SRV/policy.json"
  mkdir -p "$SRV/token"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=canary-token-signer \
    -keyout "$SRV/token/key.pem" -out "$SRV/token/cert.pem" 2>/dev/null
  python3 "$SRC/tests/servers/registry_token_server.py" --key "$SRV/token/key.pem" \
    --cert "$SRV/token/cert.pem" --issuer canary-issuer --service canary-registry \
    --user "tester:$REG_PASSWORD" >"$SRV/token/stdout" 2>"$SRV/token/stderr" &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q '^port ' "$SRV/token/stdout" 2>/dev/null && break; sleep 0.1; done
  tport=$(sed -n 's/^port //p' "$SRV/token/stdout")
  port=$(free_port)
  mkdir -p "$SRV/reg/storage"
  cat >"$SRV/reg/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $SRV/reg/storage}}
http: {addr: 127.0.0.1:$port}
auth:
  token: {realm: "http://127.0.0.1:$tport/token", service: canary-registry, issuer: canary-issuer,
          rootcertbundle: $SRV/token/cert.pem}
EOF
  docker-registry serve "$SRV/reg/config.yml" >"$SRV/reg/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  local reg=127.0.0.1:$port
  skopeo --policy "$SRV/policy.json" copy --quiet --dest-tls-verify=false \
    --dest-creds "tester:$REG_PASSWORD" "oci:$layout:good" "docker://$reg/demo/spark-base:good"
  skopeo login --tls-verify=false --authfile "$SRV/auth.json" -u tester -p "$REG_PASSWORD" "$reg" >/dev/null
  python3 - "$SRV/auth.json" "$SRV/wrong.json" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
for v in d["auths"].values(): v["auth"] = base64.b64encode(b"tester:not-the-password").decode()
json.dump(d, open(sys.argv[2], "w"))
PY
  both image "0|1" REGISTRY_AUTH_FILE="$SRV/auth.json" check "$demo" --image "$reg/demo/spark-base:good"
  says image.text.out "demo/spark-base:good"
  both image-wrong-password 4 REGISTRY_AUTH_FILE="$SRV/wrong.json" check "$demo" --image "$reg/demo/spark-base:good"
  # The same password from a credential helper named by ~/.docker/config.json (credHelpers).
  mkdir -p "$SRV/bin" "$HOME/.docker"
  cat >"$SRV/bin/docker-credential-canary" <<EOF
#!/bin/sh
[ "\$1" = get ] || exit 1
server=\$(cat)
echo "\$server" >>"$SRV/helper.calls"
printf '{"ServerURL":"%s","Username":"tester","Secret":"%s"}\n' "\$server" '$REG_PASSWORD'
EOF
  chmod 700 "$SRV/bin/docker-credential-canary"
  printf '{"credHelpers": {"%s": "canary"}}\n' "$reg" >"$HOME/.docker/config.json"
  both image-helper "0|1" PATH="$SRV/bin:$PATH" check "$demo" --image "$reg/demo/spark-base:good"
  # The registry refuses anonymous pulls (its token server has no anonymous access): exit 0 means
  # the helper's answer was used; the helper records that it was asked.
  grep -qx "$reg" "$SRV/helper.calls" 2>/dev/null && pass "the credential helper was asked for $reg" ||
    fail "the credential helper was not run"
  rm "$HOME/.docker/config.json"
  both image-unreachable 4 REGISTRY_AUTH_FILE="$SRV/auth.json" check "$demo" --image "127.0.0.1:1/demo/spark-base:good"
  # TLS: a registry on this machine's non-loopback address (loopback registries are plain HTTP by
  # Docker's rule), its certificate signed by the Vault test CA of $SRV.
  local ip
  ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -1)
  if [ -z "$ip" ]; then echo "SKIP: the registry TLS part needs a non-loopback IPv4 address"; return; fi
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$ip" -keyout "$SRV/reg-tls.key" -out "$SRV/reg-tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\n' "$ip" >"$SRV/reg-san.ext"
  openssl x509 -req -in "$SRV/reg-tls.csr" -CA "$SRV/ca.pem" -CAkey "$SRV/ca.key" -CAcreateserial -days 2 \
    -extfile "$SRV/reg-san.ext" -out "$SRV/reg-tls.pem" 2>/dev/null
  local tlsport
  tlsport=$(free_port)
  mkdir -p "$SRV/regtls/storage"
  cp -r "$SRV/reg/storage/." "$SRV/regtls/storage/"
  cat >"$SRV/regtls/config.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $SRV/regtls/storage}}
http: {addr: "$ip:$tlsport", tls: {certificate: $SRV/reg-tls.pem, key: $SRV/reg-tls.key}}
EOF
  docker-registry serve "$SRV/regtls/config.yml" >"$SRV/regtls/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -s --cacert "$SRV/ca.pem" -o /dev/null "https://$ip:$tlsport/v2/" && break; sleep 0.1; done
  both image-tls-untrusted 4 check "$demo" --image "$ip:$tlsport/demo/spark-base:good"
  says image-tls-untrusted.text.err "For a private CA pass --registry-ca-file FILE"
  both image-tls-ca "0|1" check "$demo" --image "$ip:$tlsport/demo/spark-base:good" --registry-ca-file "$SRV/ca.pem"
  run image-plain-http 4 check "$demo" --image "$ip:$tlsport/demo/spark-base:good" --registry-insecure
  says image-plain-http.err "registry $ip:$tlsport is reached over plain HTTP"
}
if command -v docker-registry >/dev/null 2>&1 && command -v skopeo >/dev/null 2>&1; then
  plant REG_PASSWORD_B64 "$(printf 'tester:%s' "$REG_PASSWORD" | base64 -w0)"
  registry_part
else
  echo "SKIP: the registry part needs docker-registry and skopeo"
fi

# --- the cluster: kubeconfig token, client key, exec plugin; deploy, doctor, drift, submit -------
cluster_part() {
  KC_ADMIN=$H/kubeconfig
  KUBECTL="$H/bin/kubectl --kubeconfig $KC_ADMIN"
  local auth_ns="canary-$SUFFIX-auth" ns="canary-$SUFFIX"
  NS_LIST+=("$auth_ns" "$ns")
  $KUBECTL create namespace "$auth_ns" >/dev/null || { fail "cannot create namespace $auth_ns"; return; }
  $KUBECTL -n "$auth_ns" create serviceaccount token-user >/dev/null
  $KUBECTL -n "$auth_ns" create serviceaccount exec-user >/dev/null
  $KUBECTL create clusterrolebinding "canary-$SUFFIX" --clusterrole=cluster-admin \
    --serviceaccount="$auth_ns:token-user" --serviceaccount="$auth_ns:exec-user" >/dev/null
  sa_token() {  # the legacy token Secret the token controller makes for a ServiceAccount (1.20)
    local s
    for _ in $(seq 100); do
      s=$($KUBECTL -n "$auth_ns" get serviceaccount "$1" -o jsonpath='{.secrets[0].name}' 2>/dev/null)
      [ -n "$s" ] && break; sleep 0.2
    done
    $KUBECTL -n "$auth_ns" get secret "$s" -o jsonpath='{.data.token}' | base64 -d
  }
  KUBE_TOKEN=$(sa_token token-user)
  EXEC_TOKEN=$(sa_token exec-user)
  [ -n "$KUBE_TOKEN" ] && [ -n "$EXEC_TOKEN" ] || { fail "no ServiceAccount tokens"; return; }
  plant KUBE_TOKEN "$KUBE_TOKEN"
  plant EXEC_TOKEN "$EXEC_TOKEN"
  # A client certificate for a member of system:masters, signed by the harness's client CA.
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=canary-$SUFFIX" \
    -keyout "$IN/client.key" -out "$IN/client.csr" 2>/dev/null
  openssl x509 -req -in "$IN/client.csr" -CA "$H/pki/ca.crt" -CAkey "$H/pki/ca.key" \
    -CAcreateserial -CAserial "$IN/ca.srl" -days 1 -out "$IN/client.crt" 2>/dev/null
  chmod 600 "$IN/client.key"
  plant KUBE_KEY "$(cat "$IN/client.key")"
  cat >"$IN/exec-plugin.sh" <<EOF
#!/bin/sh
printf '{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "%s"}}\n' '$EXEC_TOKEN'
EOF
  chmod 700 "$IN/exec-plugin.sh"
  local ca_data
  ca_data=$(base64 -w0 <"$H/pki/ca.crt")
  kc() {  # kc NAME CLUSTER_YAML USER_YAML: a kubeconfig in $IN, mode 0600
    cat >"$IN/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: harness
  cluster:
$2
users:
- name: u
  user:
$3
contexts:
- name: minikube
  context: {cluster: harness, user: u}
current-context: minikube
EOF
    chmod 600 "$IN/$1.kubeconfig"
  }
  local good="    server: https://127.0.0.1:6443
    certificate-authority-data: $ca_data"
  kc token "$good" "    token: $KUBE_TOKEN"
  kc cert "$good" "    client-certificate: $IN/client.crt
    client-key: $IN/client.key"
  kc certdata "$good" "    client-certificate-data: $(base64 -w0 <"$IN/client.crt")
    client-key-data: $(base64 -w0 <"$IN/client.key")"
  kc exec "$good" "    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: $IN/exec-plugin.sh
      interactiveMode: Never"
  printf '%s\n' "$KUBE_TOKEN" >"$IN/kube-token"
  chmod 600 "$IN/kube-token"
  kc tokenfile "$good" "    tokenFile: $IN/kube-token"
  kc wrong "$good" "    token: $WRONG_KUBE"
  kc untrusted "    server: https://127.0.0.1:6443
    certificate-authority: $SRV/other.pem" "    token: $KUBE_TOKEN"
  # A name that does not resolve (RFC 6761 .invalid): a refused connection is retried for minutes.
  kc unreachable "    server: https://stackctl-canary.invalid:6443
    certificate-authority-data: $ca_data" "    token: $KUBE_TOKEN"
  kc insecure "    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true" "    token: $KUBE_TOKEN"

  source "$HERE/deploy_lib.sh"
  VAULT_ADDR="$ADDR" VAULT_CACERT="$VAULT_CA" VAULT_TOKEN="$VAULT_TOKEN_C" fake_digests "$S" --vault >/dev/null 2>&1 ||
    fail "fake_digests: $(cat "$W/render.err")"
  local D=(deploy "$S" --target minikube -n "$ns" --no-wait --vault)
  both deploy-dry-run 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/token.kubeconfig" --dry-run
  run deploy-token 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/token.kubeconfig"
  run deploy-token-json 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/token.kubeconfig" -o json
  both deploy-diff "0|5" "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/cert.kubeconfig" --diff
  both deploy-certdata 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/certdata.kubeconfig"
  both deploy-exec 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/exec.kubeconfig"
  both deploy-values 0 "${D[@]:0:7}" --values "$ST/kyuubi.values.yaml" --kubeconfig "$IN/exec.kubeconfig" --dry-run
  both deploy-wrong-token 4 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/wrong.kubeconfig"
  both deploy-untrusted 4 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/untrusted.kubeconfig"
  both deploy-unreachable 4 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/unreachable.kubeconfig"
  both deploy-tokenfile 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/tokenfile.kubeconfig" --dry-run
  run deploy-insecure 0 "${VOK[@]}" "${D[@]}" --kubeconfig "$IN/insecure.kubeconfig" --dry-run
  says deploy-insecure.err "skips TLS verification of https://127.0.0.1:6443 (insecure-skip-tls-verify)"
  run deploy-bad 1 deploy "$BAD" --target minikube -n "$ns" --kubeconfig "$IN/token.kubeconfig"
  # The live Secret holds the values (what deploy is for), checked without printing them.
  $KUBECTL -n "$ns" get secret kyuubi-sql-spark-env -o json | python3 -c '
import base64, json, sys
d = json.load(sys.stdin)["data"]
sys.exit(0 if base64.b64decode(d["EXTRA_TOKEN"]).decode() == sys.argv[1] else 1)' "$FILE_VALUE" &&
    pass "the live spark.env Secret holds the file source's value" || fail "the live Secret lacks it"

  both doctor "0|1" doctor "$S" --target minikube -n "$ns" --kubeconfig "$IN/exec.kubeconfig"
  run doctor-save "0|1" doctor "$S" --target minikube -n "$ns" --kubeconfig "$IN/token.kubeconfig" \
    --save "$OUT/doctor-snapshot.json"
  run doctor-from "0|1" doctor "$S" --target minikube --from "$OUT/doctor-snapshot.json"
  both doctor-wrong-token 4 doctor "$S" --target minikube -n "$ns" --kubeconfig "$IN/wrong.kubeconfig"
  says doctor-wrong-token.text.out "D_CLUSTER_AUTH: the cluster refused stackctl's credentials"
  both drift-cluster "0|5|8" "${VOK[@]}" drift "$S" --target minikube --only cluster,lock --cluster --vault \
    -n "$ns" --kubeconfig "$IN/certdata.kubeconfig"
  both drift-wrong-token 8 "${VOK[@]}" drift "$S" --target minikube --only cluster --cluster --vault \
    -n "$ns" --kubeconfig "$IN/wrong.kubeconfig"
  both check-cluster "0|1" check "$S" --target minikube --cluster -n "$ns" --kubeconfig "$IN/exec.kubeconfig"

  # submit: the custom-app stack's application (its secrets are Kubernetes Secret references).
  fake_digests "$C" >/dev/null 2>&1 || true
  both submit-dry-run 0 submit "$C" pi --target minikube --run r1 --dry-run --kubeconfig "$IN/exec.kubeconfig"
  both submit-not-deployed 1 submit "$C" pi --target minikube --run r1 -n "$ns-none" --kubeconfig "$IN/exec.kubeconfig"
  both submit-wrong-token 4 submit "$C" pi --target minikube --run r1 -n "$ns" --kubeconfig "$IN/wrong.kubeconfig"
}
if [ -x "$H/bin/kube-apiserver" ] && [ -r "$H/pki/ca.key" ] && bash "$SRC/tests/k8s/ensure.sh" >/dev/null 2>&1; then
  cluster_part
else
  echo "SKIP: the cluster part needs the apiserver of tests/k8s (bash tests/k8s/ensure.sh)"
fi

# --- the scan ---------------------------------------------------------------------------------
# Files allowed to hold a canary, each mode 0600: the rendered spark.env and spark.env Secret
# manifest (the values from Vault, the `file:` source and --values), the values files the test
# wrote beside the stack (inputs), and ~/.vault-token (an input, removed before the scan).
ALLOW=(--allow "*/targets/minikube/spark.env=VAULT_VALUE,FILE_VALUE,VALUES_VALUE"
  --allow "*/targets/minikube/kubernetes/31-secret-kyuubi-sql-spark-env.yaml=VAULT_VALUE,FILE_VALUE,VALUES_VALUE"
  --allow "$ST/extra.values.yaml=FILE_VALUE" --allow "$ST/kyuubi.values.yaml=VALUES_VALUE")
if python3 "$HERE/canary_scan.py" --canaries "$CANARIES" --root "$OUT" --root "$LOGS" --root "$ST" \
  --root "$HOME" "${ALLOW[@]}" --report "$SRV/scan.txt"; then
  pass "no canary in any output, log or written file ($N runs at -vv, text and JSON)"
else
  fail "a canary leaked (see the LEAK lines above)"
fi
echo "covered: $(cut -f1 "$CANARIES" | tr '\n' ' ')"
echo "covered: $N runs: $(ls "$LOGS" | sed -n 's/\.err$//p' | tr '\n' ' ')"
[ "$FAILURES" = 0 ] && { echo "canary: all passed"; exit 0; }
echo "canary: $FAILURES failure(s)"
exit 1
