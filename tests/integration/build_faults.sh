#!/usr/bin/env bash
# The fetcher's download path (the artifact itself, into the cache) through a real command:
# `stackctl build` of the two-image stack of tests/fixtures/build/ (its one jar from a loopback
# mirror, tests/servers/mirror_server.py, resolved from the .sha1 beside it), built for real with
# buildah FROM a local busybox base, with tests/servers/fault_proxy.py in front of the mirror
# faulting the jar's GET. build has no step that downloads without building (`--dry-run` fetches
# nothing), so the transient case builds both images.
#   1. transient faults on the jar (seeded; every attempt faulted until --limit: bodies cut short
#      of Content-Length or of the last chunk, a stall mid-body, the connection dropped after the
#      answer, 503): build succeeds, both images are built, and the cache holds exactly one file,
#      the jar, whole (the mirror's bytes) under its checksum; its tmp/ folder is empty;
#   2. each persistent fault on the jar (cut, stalled, dropped, 503): build fails within a bound
#      with exit 4 and a message that names the jar, the proxy's host:port and what happened;
#      the cache holds no file at all (tmp/ empty), no lock is written, nothing is built.
# Usage: build_faults.sh PATH/TO/stackctl. Exit 77 without python3, buildah or busybox, or when
# not run as root (buildah's storage and chroot isolation).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
test_init build-faults python3 buildah busybox
need_root "buildah storage and chroot isolation"
# An overlay store under $WORK stays mounted after buildah exits.
at_exit 'bash "$ROOT/tool/scripts/storage-driver.sh" --release "$WORK"'
FW=$WORK
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
source "$HERE/faults_lib.sh"
own_home

STORAGE=$WORK/storage
STORAGE_DRIVER=$(bash "$ROOT/tool/scripts/storage-driver.sh" "$STORAGE")  # overlay, else vfs
export STORAGE_DRIVER BUILDAH_ROOT=$STORAGE/root BUILDAH_RUNROOT=$STORAGE/runroot
bh() { buildah --storage-driver "$STORAGE_DRIVER" --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" "$@"; }
store() { bh images --all --noheading --format '{{.ID}} {{.Name}}:{{.Tag}}' | sort; }
COMMON=(--builder buildah --storage-driver "$STORAGE_DRIVER" --storage-root "$BUILDAH_ROOT"
  --storage-runroot "$BUILDAH_RUNROOT" --templates "$ROOT/tests/fixtures/build/templates")

step "base image (busybox, own storage), mirror"
"$ROOT/examples/quickstart/make-base-image.sh" --busybox >"$WORK/base.log" 2>&1 ||
  { cat "$WORK/base.log"; fail "make-base-image.sh --busybox"; }
# The jar: 256 KiB of random bytes, so that half a body is well over a TCP segment.
JAR_DIR=$WORK/mirror/maven2/org/example/stackctl/tiny/1.0
JAR=$JAR_DIR/tiny-1.0.jar
mkdir -p "$JAR_DIR"
head -c 262144 /dev/urandom >"$JAR"
JAR_SHA1=$(sha1sum "$JAR" | cut -d' ' -f1)
echo "$JAR_SHA1" >"$JAR.sha1"
start_mirror "$WORK/mirror"

# stack DIR PORT: the fixture with the mirror at 127.0.0.1:PORT in DIR (no registry: no --push).
stack() {
  mkdir -p "$1"
  sed -e "s/@MIRROR@/127.0.0.1:$2/g" -e "s/@REGISTRY@/127.0.0.1:1/g" -e "s/@SPARK@/4.0.1/g" \
    "$ROOT/tests/fixtures/build/tiny.stack.yaml.in" >"$1/tiny.stack.yaml"
}
# cache_holds CACHE N: CACHE holds exactly N files, each a whole artifact named by its checksum
# (CACHE/ALGORITHM/HEX, its content hashing to HEX), and its tmp/ folder holds nothing.
cache_holds() {
  python3 - "$1" "$2" <<'PY'
import hashlib, os, sys
cache, want = sys.argv[1], int(sys.argv[2])
files = [os.path.join(d, f) for d, _, fs in os.walk(cache) for f in fs]
bad = []
for f in files:
    parts = os.path.relpath(f, cache).split(os.sep)
    if len(parts) != 2 or parts[0] not in ("sha1", "sha256", "sha512"):
        bad.append(f"{f}: not an artifact (CACHE/ALGORITHM/HEX)")
    elif hashlib.new(parts[0], open(f, "rb").read()).hexdigest() != parts[1]:
        bad.append(f"{f}: its content does not hash to its name (a partial download)")
if len(files) != want or bad:
    print(f"   FAIL: the cache {cache} holds {len(files)} file(s), want {want} whole ones:")
    for f in files: print(f"     {f} ({os.path.getsize(f)} bytes)")
    for b in bad: print(f"     {b}")
    sys.exit(1)
PY
}

# Self-check: cache_holds refuses a partial file left in tmp/, and one under a checksum it lacks.
mkdir -p "$WORK/self/a/tmp" "$WORK/self/b/sha1"
head -c 1000 "$JAR" >"$WORK/self/a/tmp/partial"
head -c 1000 "$JAR" >"$WORK/self/b/sha1/$JAR_SHA1"
! cache_holds "$WORK/self/a" 0 >/dev/null || fail "self-check: a partial file in tmp/ passed"
! cache_holds "$WORK/self/b" 1 >/dev/null || fail "self-check: a cut artifact under its checksum passed"

step "1. transient faults on the jar's download: built, the whole jar alone in the cache"
fproxy transient --upstream "http://127.0.0.1:$MPORT" --match '\.jar$' --seed "${FAULT_SEED:-1}" \
  --limit 4 --stall-seconds 30 --fault truncate-length=0.25 --fault truncate-chunked=0.25 \
  --fault stall-body=0.2 --fault drop-response=0.15 --fault 503=0.15
stack "$WORK/t" "$PPORT"
STACKCTL_HTTP_RETRIES=8 within 120 "$STACKCTL" build "$WORK/t/tiny.stack.yaml" "${COMMON[@]}" \
  --cache-dir "$WORK/cache-t" --work-dir "$WORK/build-t"
[ "$RC" = 0 ] || { cat "$FW/err"; fail "build through transient faults: exit $RC"; }
grep -q '^build  tiny-root  ' "$FW/out" && grep -q '^build  tiny-child  ' "$FW/out" ||
  { cat "$FW/out"; fail "build did not say it built both images"; }
faults_seen "$FW/transient.log" 2 || fail "too few kinds of fault"
# Every attempt but the last was faulted, at least one of them after part of the body was sent.
python3 - "$FW/transient.log" <<'PY' || fail "the jar's download did not meet the faults it should"
import json, sys
gets = [e for e in map(json.loads, open(sys.argv[1])) if e["path"].endswith(".jar")]
faults = [e["fault"] for e in gets]
print(f"   the jar's GETs met: {', '.join(faults)}")
assert faults[:-1] and all(f != "none" for f in faults[:-1]) and faults[-1] == "none", faults
assert {"truncate-length", "truncate-chunked", "stall-body"} & set(faults), faults
PY
cache_holds "$WORK/cache-t" 1 || fail "transient: the cache"
cmp -s "$JAR" "$WORK/cache-t/sha1/$JAR_SHA1" || fail "the cached jar is not the mirror's"
placed=$(grep -o '^[^ #][^ ]*' "$WORK/build-t/contexts/tiny-root/artifacts.txt" | head -1)
cmp -s "$JAR" "$WORK/build-t/contexts/tiny-root/$placed" || fail "the jar in the build context is not the mirror's"
c=$(bh from --quiet "$(sed -n 's/^build  tiny-root  \([^ ]*\) .*/\1/p' "$FW/out")")
m=$(bh mount "$c")
cmp -s "$JAR" "$m/opt/jars/tiny-1.0.jar" || fail "the jar in the built image is not the mirror's"
bh umount "$c" >/dev/null
bh rm "$c" >/dev/null
echo "   built in ${TOOK} s; the cache holds the whole jar and nothing else"
fproxy_stop

step "2. persistent faults on the jar's download: exit 4, a clear message, nothing in the cache"
export STACKCTL_HTTP_RETRIES=1
before=$(store)
# persistent FAULT TEXT: every GET of the jar faulted (two attempts).
persistent() {
  local fault=$1 text=$2 d="$WORK/p-$1"
  fproxy "p-$fault" --upstream "http://127.0.0.1:$MPORT" --match '\.jar$' --fault "$fault=1" \
    --stall-seconds 30
  stack "$d" "$PPORT"
  within 60 "$STACKCTL" build "$d/tiny.stack.yaml" "${COMMON[@]}" --cache-dir "$d/cache" \
    --work-dir "$d/build"
  [ "$RC" = 4 ] || { cat "$FW/err"; fail "$fault: exit $RC, want 4"; }
  # Each message says how often it was tried; a status is the server's last answer.
  local status=
  [ "$fault" != 503 ] || status="HTTP 503 from http://127.0.0.1:$PPORT/"
  for want in "cannot download org.example.stackctl:tiny:1.0" "127.0.0.1:$PPORT" "$text" \
    "(after 2 attempts)" ${status:+"$status"}; do
    grep -qF -- "$want" "$FW/err" || { cat "$FW/err"; fail "$fault: the message does not say: $want"; }
  done
  # Two attempts (STACKCTL_HTTP_RETRIES=1). A connection dropped before any answer can be met
  # once more per attempt: libcurl itself resends a GET on a reused connection (the .sha1 read
  # left one) that closed before answering.
  local gets most=2
  gets=$(log_count "$FW/p-$fault.log" '^GET .*\.jar$')
  [ "$fault" != drop-response ] || most=4
  [ "$gets" -ge 2 ] && [ "$gets" -le "$most" ] || fail "$fault: $gets GETs of the jar, want 2 (at most $most)"
  # The download went through the cache's tmp/ folder (the fetcher makes it first), and left nothing.
  [ -d "$d/cache/tmp" ] || fail "$fault: no $d/cache/tmp: the download did not go through the cache"
  cache_holds "$d/cache" 0 || fail "$fault: the cache"
  [ ! -e "$d/tiny.stack.lock" ] || fail "$fault: a lock was written"
  [ "$(store)" = "$before" ] || fail "$fault: the local store changed"
  echo "   $fault: exit $RC in ${TOOK} s, $gets GETs: $(grep -m1 -F "cannot download" "$FW/err")"
  fproxy_stop
}
persistent truncate-length "body truncated"
persistent truncate-chunked "body truncated"
persistent stall-body "timed out"
persistent drop-response "connection dropped"
persistent 503 "HTTP 503"
echo "build_faults.sh: all passed"
