# Shared by the registry integration tests: a real docker-registry (CNCF distribution) on a free
# loopback port with storage in a temp folder, images made by hand as OCI layouts and pushed with
# skopeo. Sourced, not run. Exit 77 (ctest's SKIP_RETURN_CODE) when a component is missing.

set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
STACK="$ROOT/tests/fixtures/registry/demo.stack.yaml"

SKIP_HINT="(apt-get install docker-registry skopeo; see tool/scripts/setup.sh)"
test_init registry docker-registry skopeo python3 openssl
# An overlay store under $WORK stays mounted after buildah/podman exit.
at_exit 'bash "$ROOT/tool/scripts/storage-driver.sh" --release "$WORK"'

# No user auth files or registries.conf leak into the test: skopeo and stackctl read these.
own_home
unset REGISTRY_AUTH_FILE DOCKER_CONFIG
echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$WORK/policy.json"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL: until anything answers (any HTTP status), at most ~10 s.
wait_http() {
  for _ in $(seq 100); do
    if python3 - "$1" <<'EOF' 2>/dev/null; then return 0; fi
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
EOF
    sleep 0.1
  done
  echo "FAIL: nothing answered at $1"
  return 1
}

# start_registry NAME PORT [EXTRA_YAML]: docker-registry serving NAME's storage on 127.0.0.1:PORT.
start_registry() {
  local name=$1 port=$2 extra=${3:-}
  mkdir -p "$WORK/$name/storage"
  cat >"$WORK/$name/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/$name/storage
http:
  addr: 127.0.0.1:$port
$extra
EOF
  docker-registry serve "$WORK/$name/config.yml" >"$WORK/$name/log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/v2/"
}

# push LAYOUT TAG DEST [skopeo flags...]: copies an OCI layout's TAG to docker://DEST.
push() {
  local layout=$1 tag=$2 dest=$3
  shift 3
  skopeo --policy "$WORK/policy.json" copy --quiet --dest-tls-verify=false "$@" \
    "oci:$layout:$tag" "docker://$dest"
}

# skopeo_digest REF [skopeo flags...]: the digest skopeo reports for REF.
skopeo_digest() {
  local ref=$1
  shift
  skopeo --policy "$WORK/policy.json" inspect --tls-verify=false "$@" "docker://$ref" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Digest"])'
}

# The labels stackctl build writes for spark-base of tests/fixtures/registry/demo.stack.yaml
# (core/contracts/image_labels.hpp), as oci_layout.py arguments.
GOOD_LABELS=(
  --label io.stackctl.stack=registry-demo
  --label io.stackctl.image=spark-base
  --label io.stackctl.versions.spark=4.0.1
  --label io.stackctl.versions.scala=2.13
  --label io.stackctl.versions.java=17
  --label io.stackctl.versions.python=3.11
  --label io.stackctl.versions.hadoop=3.4.1
  --label io.stackctl.versions.aws-sdk=2.24.6
  --label io.stackctl.versions.pyspark=4.0.1
  --label org.opencontainers.image.version=spark-4.0.1-r1
)

FAILED=0
PASSED=0
pass() { echo "ok: $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }

# run NAME EXPECTED_RC CMD...: runs CMD, keeps stdout/stderr in $OUT/$ERR, checks the exit code.
run() {
  local name=$1 want=$2
  shift 2
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  if [[ $RC -eq $want ]]; then
    pass "$name (exit $RC)"
  else
    fail "$name: exit $RC, expected $want"
    echo "--- stdout"; echo "$OUT"; echo "--- stderr"; echo "$ERR"
  fi
}

# expect NAME TEXT HAYSTACK
expect() {
  if [[ $3 == *"$2"* ]]; then pass "$1"; else fail "$1: missing [$2] in:"; echo "$3"; fi
}
# reject NAME TEXT HAYSTACK: TEXT must not appear.
reject() {
  if [[ $3 != *"$2"* ]]; then pass "$1"; else fail "$1: found [$2] in:"; echo "$3"; fi
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}
