#!/usr/bin/env bash
# stackctl check --image against registries that require auth: docker-registry with htpasswd
# (Basic), and docker-registry with token auth served by tests/servers/registry_token_server.py
# (Bearer). Credentials come from the auth.json that `skopeo login` writes (REGISTRY_AUTH_FILE)
# and from a docker-style ~/.docker/config.json; no password or token may appear in any output.
#   registry_auth.sh PATH/TO/stackctl
source "$(dirname "$0")/registry_lib.sh"

USER_NAME=tester
PASSWORD='pw-Zq8-never-printed'
CREDS="$USER_NAME:$PASSWORD"
LAYOUT=$WORK/layout
python3 "$HERE/oci_layout.py" "$LAYOUT" good "${GOOD_LABELS[@]}" >/dev/null

# skopeo login writes the auth file stackctl must read (the format podman and buildah share).
login() {  # login REGISTRY AUTHFILE USER PASSWORD
  skopeo login --tls-verify=false --authfile "$2" -u "$3" -p "$4" "$1" >/dev/null
}

secrets_absent() {  # secrets_absent NAME: neither the password nor a JWT in stdout/stderr
  reject "$1: password not printed" "$PASSWORD" "$OUT$ERR"
  reject "$1: no token printed" "eyJ" "$OUT$ERR"
}

# --- Basic auth (htpasswd) -------------------------------------------------------------------
basic_auth_tests() {
mkdir -p "$WORK/basic"
htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$WORK/basic/htpasswd"
BPORT=$(free_port)
start_registry basic "$BPORT" "auth:
  htpasswd:
    realm: stackctl-test
    path: $WORK/basic/htpasswd"
BREG=127.0.0.1:$BPORT
push "$LAYOUT" good "$BREG/demo/spark-base:good" --dest-creds "$CREDS"

run "basic: anonymous is refused" 4 "$STACKCTL" check "$STACK" --image "$BREG/demo/spark-base:good"
expect "basic: says credentials are missing" "requires authentication for demo/spark-base and no credentials for it were found" "$ERR"
expect "basic: says how to log in" "skopeo login $BREG" "$ERR"

login "$BREG" "$WORK/basic/auth.json" "$USER_NAME" "$PASSWORD"
run "basic: REGISTRY_AUTH_FILE from skopeo login" 0 env REGISTRY_AUTH_FILE="$WORK/basic/auth.json" \
  "$STACKCTL" check "$STACK" --image "$BREG/demo/spark-base:good"
expect "basic: matches" "matches the stack" "$OUT"
secrets_absent "basic"

mkdir -p "$HOME/.docker"
AUTH=$(printf '%s' "$CREDS" | base64 -w0)
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$BREG" "$AUTH" >"$HOME/.docker/config.json"
run "basic: ~/.docker/config.json" 0 "$STACKCTL" check "$STACK" --image "$BREG/demo/spark-base:good"
rm "$HOME/.docker/config.json"

login "$BREG" "$WORK/basic/wrong.json" "$USER_NAME" "$PASSWORD"
python3 - "$WORK/basic/wrong.json" <<'PY'
import base64, json, sys
p = sys.argv[1]; d = json.load(open(p))
for v in d["auths"].values(): v["auth"] = base64.b64encode(b"tester:not-the-password").decode()
json.dump(d, open(p, "w"))
PY
run "basic: wrong password" 4 env REGISTRY_AUTH_FILE="$WORK/basic/wrong.json" \
  "$STACKCTL" check "$STACK" --image "$BREG/demo/spark-base:good"
expect "basic: says access was refused, for whom" "refused access to demo/spark-base for user tester from $WORK/basic/wrong.json (HTTP 401" "$ERR"
reject "basic: wrong password not printed" "not-the-password" "$OUT$ERR"

echo '{"auths": {' >"$WORK/basic/broken.json"
run "basic: broken auth file" 4 env REGISTRY_AUTH_FILE="$WORK/basic/broken.json" \
  "$STACKCTL" check "$STACK" --image "$BREG/demo/spark-base:good"
expect "basic: names the broken file" "$WORK/basic/broken.json: not a JSON object" "$ERR"
}
if command -v htpasswd >/dev/null 2>&1; then
  basic_auth_tests
else
  echo "SKIP: the Basic auth part needs htpasswd (apt-get install apache2-utils)"
fi

# --- Bearer tokens (token server) ------------------------------------------------------------
mkdir -p "$WORK/token"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=stackctl-test-token-signer \
  -keyout "$WORK/token/key.pem" -out "$WORK/token/cert.pem" 2>/dev/null
python3 "$ROOT/tests/servers/registry_token_server.py" --key "$WORK/token/key.pem" \
  --cert "$WORK/token/cert.pem" --issuer stackctl-test-issuer --service stackctl-test-registry \
  --user "$CREDS" --log "$WORK/token/requests.log" >"$WORK/token/stdout" 2>"$WORK/token/stderr" &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^port ' "$WORK/token/stdout" 2>/dev/null && break; sleep 0.1; done
TPORT=$(sed -n 's/^port //p' "$WORK/token/stdout")
[[ -n $TPORT ]] || { cat "$WORK/token/stderr"; echo "FAIL: token server did not start"; exit 1; }
RPORT=$(free_port)
start_registry token "$RPORT" "auth:
  token:
    realm: http://127.0.0.1:$TPORT/token
    service: stackctl-test-registry
    issuer: stackctl-test-issuer
    rootcertbundle: $WORK/token/cert.pem"
TREG=127.0.0.1:$RPORT
push "$LAYOUT" good "$TREG/demo/spark-base:good" --dest-creds "$CREDS"

run "token: anonymous is refused" 4 "$STACKCTL" check "$STACK" --image "$TREG/demo/spark-base:good"
expect "token: the token server refused anonymous access" "refused anonymous access (HTTP 401)" "$ERR"

login "$TREG" "$WORK/token/auth.json" "$USER_NAME" "$PASSWORD"
: >"$WORK/token/requests.log"
run "token: credentials get a token" 0 env REGISTRY_AUTH_FILE="$WORK/token/auth.json" \
  "$STACKCTL" check "$STACK" --image "$TREG/demo/spark-base:good"
expect "token: matches" "matches the stack" "$OUT"
secrets_absent "token"
LOG=$(cat "$WORK/token/requests.log")
expect "token: asked for pull on the repository" "service=stackctl-test-registry scope=repository:demo/spark-base:pull credentials=ok" "$LOG"
COUNT=$(grep -c . "$WORK/token/requests.log")
if [[ $COUNT -eq 1 ]]; then pass "token: one token for the whole inspection"; else fail "token: $COUNT token requests"; fi
SKOPEO=$(skopeo_digest "$TREG/demo/spark-base:good" --authfile "$WORK/token/auth.json")
run "token: json" 0 env REGISTRY_AUTH_FILE="$WORK/token/auth.json" \
  "$STACKCTL" check "$STACK" --image "$TREG/demo/spark-base:good" -o json
expect "token: digest equals skopeo's" "\"digest\": \"$SKOPEO\"" "$OUT"

python3 - "$WORK/token/auth.json" "$WORK/token/wrong.json" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
for v in d["auths"].values(): v["auth"] = base64.b64encode(b"tester:not-the-password").decode()
json.dump(d, open(sys.argv[2], "w"))
PY
run "token: wrong password" 4 env REGISTRY_AUTH_FILE="$WORK/token/wrong.json" \
  "$STACKCTL" check "$STACK" --image "$TREG/demo/spark-base:good"
expect "token: names user and file" "refused the credentials of user tester from $WORK/token/wrong.json" "$ERR"
reject "token: wrong password not printed" "not-the-password" "$OUT$ERR"

finish
