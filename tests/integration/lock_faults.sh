#!/usr/bin/env bash
# `stackctl lock` (the fetcher's published-checksum path) through tests/servers/fault_proxy.py in
# front of the loopback mirror (tests/servers/mirror_server.py serving three jars and their
# checksum files):
#   1. transient faults of every kind the proxy has but the 500 (seeded; drops before and after the
#      request, stalls, truncated bodies, 429 and 5xx with and without Retry-After): lock succeeds
#      and writes the same lock as a direct run, byte for byte (the mirror's port aside);
#   2. each persistent fault (dropped, stalled, truncated, 500, 503 with Retry-After): lock fails
#      within a bound, the message names the mirror's host:port and what happened, no lock is
#      written and the folder holds exactly what it held before; a lock already there is kept
#      byte for byte.
# The download path (the artifact itself, into the cache) is build_faults.sh's, and the unit
# binary's (tests/unit/test_network_faults.cpp). Usage: lock_faults.sh STACKCTL.
# Exit 77 without python3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init lock-faults python3
FW=$WORK
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
source "$HERE/faults_lib.sh"
own_home

# The mirror: three jars, each with the checksum files Maven Central publishes (.sha1, and for
# one a .sha512 too), so one lock makes about ten requests.
M=$FW/mirror/maven2/org/example/stackctl
for j in tiny:1.0 small:2.0 wee:3.0 extra:4.0; do
  name=${j%%:*} v=${j##*:}
  mkdir -p "$M/$name/$v"
  head -c 4096 /dev/urandom >"$M/$name/$v/$name-$v.jar"
  sha1sum "$M/$name/$v/$name-$v.jar" | cut -d' ' -f1 >"$M/$name/$v/$name-$v.jar.sha1"
done
sha512sum "$M/wee/3.0/wee-3.0.jar" | sed 's|  .*/|  |' >"$M/wee/3.0/wee-3.0.jar.sha512"
start_mirror "$FW/mirror"

# stack DIR HOSTPORT [JAR]: the build fixture with three unpinned jars from HOSTPORT (and a
# fourth, JAR), in DIR.
stack() {
  local more=${3:+\\n    - maven: org.example.stackctl:$3}
  mkdir -p "$1"
  sed -e "s/@MIRROR@/$2/g" -e "s/@REGISTRY@/127.0.0.1:1/g" -e "s/@SPARK@/4.0.1/g" \
    -e "s|^    - maven: org.example.stackctl:tiny:1.0\$|    - maven: org.example.stackctl:tiny:1.0\\n    - maven: org.example.stackctl:small:2.0\\n    - maven: org.example.stackctl:wee:3.0$more|" \
    "$SRC/tests/fixtures/build/tiny.stack.yaml.in" >"$1/tiny.stack.yaml"
}

step "direct lock"
stack "$FW/direct" "127.0.0.1:$MPORT"
"$STACKCTL" lock "$FW/direct/tiny.stack.yaml" >"$FW/direct.out" 2>"$FW/direct.err" ||
  { cat "$FW/direct.err"; fail "direct lock"; }
grep -q '"sha512:' "$FW/direct/tiny.stack.lock" || fail "the direct lock has no sha512 (wee): $(cat "$FW/direct/tiny.stack.lock")"
normal() { sed "s/127\.0\.0\.1:$2/MIRROR/g" "$1"; }

step "1. transient faults: the same lock"
fproxy transient --upstream "http://127.0.0.1:$MPORT" --seed "${FAULT_SEED:-2}" --limit 14 \
  --stall-seconds 30 --fault drop-connect=0.07 --fault stall-connect=0.03 \
  --fault drop-request=0.08 --fault drop-response=0.08 --fault stall-response=0.03 \
  --fault stall-body=0.03 --fault truncate-length=0.08 --fault truncate-chunked=0.08 \
  --fault 429=0.06 --fault 502=0.06 --fault 503-retry-after=0.06 --fault 503=0.06
stack "$FW/t" "127.0.0.1:$PPORT"
STACKCTL_HTTP_RETRIES=8 within 60 "$STACKCTL" lock "$FW/t/tiny.stack.yaml"
[ "$RC" = 0 ] || { cat "$FW/err"; fail "lock through transient faults: exit $RC"; }
faults_seen "$FW/transient.log" 6
diff <(normal "$FW/direct/tiny.stack.lock" "$MPORT") <(normal "$FW/t/tiny.stack.lock" "$PPORT") ||
  fail "the lock through the proxy differs from the direct one"
echo "   same lock in ${TOOK} s"
fproxy_stop

step "2. persistent faults: a clear failure, nothing written"
# persistent FAULT TEXT [kept]: lock through a proxy that injects FAULT into every request (one
# retry: each of the three jars fails after two attempts); with `kept`, also over an existing lock.
export STACKCTL_HTTP_RETRIES=1
persistent() {
  local fault=$1 text=$2 d="$FW/p-$1"
  fproxy "p-$fault" --upstream "http://127.0.0.1:$MPORT" --fault "$fault=1" --stall-seconds 30
  stack "$d" "127.0.0.1:$PPORT"
  local before
  before=$(ls -lA --time-style=+ "$d")
  within 30 "$STACKCTL" lock "$d/tiny.stack.yaml"
  [ "$RC" != 0 ] || fail "$fault: lock succeeded"
  grep -qF "127.0.0.1:$PPORT" "$FW/err" || { cat "$FW/err"; fail "$fault: the message does not name the host"; }
  grep -qF -- "$text" "$FW/err" || { cat "$FW/err"; fail "$fault: the message does not say: $text"; }
  [ ! -e "$d/tiny.stack.lock" ] || fail "$fault: a lock was written"
  [ "$(ls -lA --time-style=+ "$d")" = "$before" ] || fail "$fault: the folder changed: $(ls -lA "$d")"
  echo "   $fault: exit $RC in ${TOOK} s: $(grep -m1 -F "127.0.0.1:$PPORT" "$FW/err")"
  [ "${3:-}" = kept ] || { fproxy_stop; return 0; }
  # A lock already there is kept byte for byte, when a jar added to the stack needs the mirror.
  stack "$d" "127.0.0.1:$PPORT" extra:4.0
  cp "$FW/direct/tiny.stack.lock" "$d/tiny.stack.lock"
  sed -i "s/127\.0\.0\.1:$MPORT/127.0.0.1:$PPORT/g" "$d/tiny.stack.lock"
  cp "$d/tiny.stack.lock" "$FW/kept"
  within 30 "$STACKCTL" lock "$d/tiny.stack.yaml"
  within 30 "$STACKCTL" lock "$d/tiny.stack.yaml" --upgrade 2>/dev/null || true
  [ "$RC" != 0 ] || fail "$fault: lock --upgrade succeeded"
  cmp -s "$FW/kept" "$d/tiny.stack.lock" || fail "$fault: the existing lock was changed"
  fproxy_stop
}
persistent drop-request "connection dropped without an answer" kept
persistent stall-response "timed out"
persistent truncate-chunked "body truncated"
persistent 500 "HTTP 500 from http://127.0.0.1:" kept
persistent 503-retry-after "HTTP 503 from http://127.0.0.1:"
echo "lock_faults.sh: all passed"
