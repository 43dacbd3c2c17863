#!/usr/bin/env bash
# Integration: render the offline quickstart (examples/quickstart) with the built stackctl and
# build EVERY rendered Dockerfile for real with buildah (overlay storage where the kernel allows
# it, else vfs; chroot isolation), parents first, then read each image's labels and config back and run a few commands inside.
#
# The Spark distribution, jars, Kyuubi and the notebook's Python packages are STAND-INS
# (make-standin-dist.sh); the base is a local Debian bookworm (make-base-image.sh), so Java and
# Python are installed from Debian's mirror for real (the builds need it reachable).
#
# Usage: build_quickstart.sh STACKCTL SOURCE_DIR
# Exit 77 (skipped) when buildah or debootstrap is missing, or when not run as root.
# Environment:
#   STACKCTL_TEST_STORAGE  buildah storage kept between runs so the base image is made once
#                          (default /var/tmp/stackctl-test-buildah); the quickstart images are
#                          removed before and after each run, so they are always built afresh
#   KEEP_WORK=1            keep the work folder (rendered contexts, build logs) and the images
set -euo pipefail

skip() { echo "SKIPPED: $*" >&2; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: $0 STACKCTL SOURCE_DIR" >&2; exit 2; }
stackctl="$(realpath "$1")"
src="$(realpath "$2")"
quickstart="$src/examples/quickstart"

command -v buildah > /dev/null || skip "buildah is not installed (apt-get install buildah)"
command -v debootstrap > /dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
[ "$(id -u)" -eq 0 ] || skip "needs root: buildah storage and chroot isolation, as CI runs it"
py="$(command -v /usr/bin/python3 || command -v python3)" || skip "python3 is not installed"

storage="${STACKCTL_TEST_STORAGE:-/var/tmp/stackctl-test-buildah}"
STORAGE_DRIVER=$(bash "$src/tool/scripts/storage-driver.sh" "$storage")  # overlay, else vfs
export STORAGE_DRIVER
export BUILDAH_ROOT="$storage/$STORAGE_DRIVER/root" BUILDAH_RUNROOT="$storage/$STORAGE_DRIVER/runroot"
bh() { buildah --storage-driver "$STORAGE_DRIVER" --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" "$@"; }

port=38517  # the quickstart stack's mirror URLs name this port
work="$(mktemp -d)"
server_pid=""
built=()
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "kept $work" >&2
  else
    local start=$SECONDS
    # vfs keeps a full copy of every layer: removing the images takes a while, but keeps the
    # storage at the base images (~130 MB) between runs.
    if [ ${#built[@]} -gt 0 ]; then bh rmi "${built[@]}" > /dev/null 2>&1 || true; fi
    bash "$src/tool/scripts/storage-driver.sh" --release "$storage"  # overlay's leftover mount
    rm -rf "$work"
    echo "cleanup: $((SECONDS - start)) s" >&2
  fi
}
trap cleanup EXIT

t0=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - t0))" "$*" >&2; }

step "base images (made once per storage, then reused)"
"$quickstart/make-base-image.sh" --busybox
"$quickstart/make-base-image.sh"

step "stand-in mirror"
"$quickstart/make-standin-dist.sh" "$work/mirror"

step "render"
"$stackctl" render "$quickstart/quickstart.stack.yaml" --out "$work/out" -o json > "$work/render.json" 2> "$work/render.log" ||
  { cat "$work/render.log" >&2; fail "stackctl render exited $?"; }
contexts=("$work"/out/images/*/)
[ ${#contexts[@]} -eq 5 ] || fail "expected 5 build contexts, got ${#contexts[@]}: ${contexts[*]}"
# Each build context as data, from render's JSON (docs/render.md, "JSON"), never read back from
# the rendered Dockerfiles or artifacts.txt: images.tsv has NAME REF FROM PARENT|-, artifacts.tsv
# NAME PATH URL CHECKSUM|-.
"$py" - "$work/render.json" "$work/images.tsv" "$work/artifacts.tsv" <<'PY' || fail "render -o json lacks the images' contexts"
import json, sys
doc, images, artifacts = sys.argv[1:]
with open(images, "w") as im, open(artifacts, "w") as ar:
    for i in json.load(open(doc))["images"]:
        print(i["name"], i["ref"], i["from"], i["parent"] or "-", file=im)
        for a in i["artifacts"]:
            print(i["name"], a["path"], a["url"] or "-", a["checksum"] or "-", file=ar)
PY
[ "$(wc -l < "$work/images.tsv")" -eq 5 ] || fail "render -o json lists $(wc -l < "$work/images.tsv") images, expected 5"

# Places each artifact a context needs (render's JSON) from the mirror, verifying checksums
# the stack pins: what stackctl's fetcher does, without the network.
place_artifacts() {
  local ctx="$1" name path url checksum file
  while read -r name path url checksum; do
    [ "$name" = "$(basename "$ctx")" ] || continue
    [[ "$url" == "http://127.0.0.1:$port/"* ]] || fail "$ctx: $path: $url is not on the stand-in mirror"
    file="$work/mirror/${url#http://127.0.0.1:$port/}"
    [ -f "$file" ] || fail "$ctx: the mirror has no $file for $path"
    if [ "$checksum" != "-" ]; then
      echo "${checksum#*:}  $file" | "${checksum%%:*}sum" --check --quiet ||
        fail "$ctx: $path does not match $checksum"
    fi
    mkdir -p "$ctx/$(dirname "$path")"
    cp "$file" "$ctx/$path"
  done < "$work/artifacts.tsv"
}
for ctx in "${contexts[@]}"; do place_artifacts "${ctx%/}"; done

step "serve the mirror on 127.0.0.1:$port (pip's index for the notebook image)"
# Another server on the port (a quickstart running beside the tests) would answer for this one.
curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2> /dev/null &&
  fail "127.0.0.1:$port is already served by another process (a quickstart running?)"
"$py" -m http.server "$port" --bind 127.0.0.1 --directory "$work/mirror" > "$work/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/pypi/simple/" 2> /dev/null && break
  kill -0 "$server_pid" 2> /dev/null || { cat "$work/http.log" >&2; fail "port $port is busy?"; }
  sleep 0.1
done
kill -0 "$server_pid" 2> /dev/null || { cat "$work/http.log" >&2; fail "the mirror did not start on port $port"; }

# A context's image reference, FROM and parent image (or -), from render's JSON.
ref_of() { awk -v n="$(basename "$1")" '$1 == n { print $2 }' "$work/images.tsv"; }
base_of() { awk -v n="$(basename "$1")" '$1 == n { print $3 }' "$work/images.tsv"; }
parent_of() { awk -v n="$(basename "$1")" '$1 == n { print $4 }' "$work/images.tsv"; }
for ref in $(for ctx in "${contexts[@]}"; do ref_of "$ctx"; done); do
  bh rmi "$ref" > /dev/null 2>&1 || true  # never reuse an image from an earlier run
done

created="2000-01-01T00:00:00Z"
# Builds every context whose parent is built (or external), until none is left.
pending=("${contexts[@]}")
while [ ${#pending[@]} -gt 0 ]; do
  next=()
  progressed=0
  for ctx in "${pending[@]}"; do
    parent="$(base_of "$ctx")"
    internal=0
    [ "$(parent_of "$ctx")" != - ] && internal=1
    if [ "$internal" = 1 ] && ! printf '%s\n' "${built[@]}" | grep -qxF "$parent"; then
      next+=("$ctx")
      continue
    fi
    name="$(basename "$ctx")"
    ref="$(ref_of "$ctx")"
    start=$SECONDS
    bh bud --isolation chroot --build-arg "CREATED=$created" \
      --build-arg "PYPI_INDEX_URL=http://127.0.0.1:$port/pypi/simple" \
      -t "$ref" "$ctx" > "$work/build-$name.log" 2>&1 ||
      { tail -40 "$work/build-$name.log" >&2; fail "buildah bud of $name failed"; }
    built+=("$ref")
    progressed=1
    step "built $name ($ref) in $((SECONDS - start)) s"
  done
  [ "$progressed" = 1 ] || fail "no context can be built; parents missing: ${next[*]}"
  pending=("${next[@]+"${next[@]}"}")
done

step "inspect labels and config"
for ctx in "${contexts[@]}"; do
  bh inspect --type image "$(ref_of "$ctx")" > "$work/inspect.json"
  # The labels render says the Dockerfile sets (render -o json), against the built image's.
  "$py" - "$work/render.json" "$(basename "$ctx")" "$work/inspect.json" "$created" <<'PY' || fail "labels of $ctx"
import json, sys
render, name, inspect, created = sys.argv[1:]
dockerfile = name  # for the messages
config = json.load(open(inspect))["OCIv1"]["config"]
labels = config.get("Labels", {})
want = dict(next(i for i in json.load(open(render))["images"] if i["name"] == name)["labels"])
want["org.opencontainers.image.created"] = created
errors = [f"{k}: want {v!r}, got {labels.get(k)!r}" for k, v in want.items() if labels.get(k) != v]
for k in ["spark", "scala", "java", "hadoop", "aws-sdk"]:
    if not labels.get(f"io.stackctl.versions.{k}"):
        errors.append(f"io.stackctl.versions.{k} missing")
if not labels.get("org.opencontainers.image.source"):
    errors.append("org.opencontainers.image.source missing")
if config.get("User") != "185":
    errors.append(f"User: want 185, got {config.get('User')!r}")
if config.get("Entrypoint") != ["/opt/entrypoint.sh"]:
    errors.append(f"Entrypoint: {config.get('Entrypoint')!r}")
for e in errors:
    print(f"{dockerfile}: {e}", file=sys.stderr)
print(f"{labels['io.stackctl.image']}: {len(want)} labels as rendered, user 185", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
done

# Runs a shell command in a container of `ref`, through the image's entrypoint.
run_in() {
  local c out
  c="$(bh from --quiet "$1")"
  out="$(bh run --isolation chroot "$c" -- /opt/entrypoint.sh sh -c "$2" 2>&1)" || {
    bh rm "$c" > /dev/null
    echo "$out" >&2
    fail "command in $1 failed: $2"
  }
  bh rm "$c" > /dev/null
  printf '%s\n' "$out"
}
expect() {  # TEXT PATTERN WHAT
  grep -qE "$2" <<< "$1" || { echo "$1" >&2; fail "$3: no match for /$2/"; }
}

step "run commands inside the images"
out="$(run_in "$(ref_of "$work/out/images/spark-base")" \
  'id -u; java -version 2>&1; "$PYSPARK_PYTHON" --version; echo "SPARK_HOME=$SPARK_HOME"; pwd;
   head -1 "$SPARK_HOME/RELEASE"; ls "$SPARK_HOME/jars"; command -v tini;
   /opt/entrypoint.sh driver --version 2>&1 || true')"
expect "$out" '^185$' "spark-base runs as uid 185"
expect "$out" 'openjdk version "17' "spark-base has Java 17"
expect "$out" '^Python 3\.11\.' "spark-base has Python 3.11"
expect "$out" '^SPARK_HOME=/opt/spark$' "SPARK_HOME"
expect "$out" '^/opt/spark/work-dir$' "WORKDIR"
expect "$out" '^Spark 4\.0\.1 \(git revision [0-9a-f]+\) built for Hadoop 3\.4\.1$' "RELEASE"
expect "$out" '^hadoop-aws-3\.4\.1\.jar$' "jars/ holds the stack's hadoop-aws"
expect "$out" '^bundle-2\.24\.6\.jar$' "jars/ holds the stack's AWS SDK bundle"
expect "$out" '^spark-core_2\.13-4\.0\.1\.jar$' "jars/ holds the distribution's jars"
expect "$out" 'tini$' "tini is installed"
expect "$out" 'spark-submit is a stand-in' "the entrypoint's driver mode runs spark-submit"
out="$(run_in "$(ref_of "$work/out/images/notebook")" \
  'python -c "import pyspark; print(\"pyspark\", pyspark.__version__)"; command -v jupyter; command -v marimo')"
expect "$out" '^pyspark 4\.0\.1\+standin$' "the notebook's PySpark client is pinned to 4.0.1"
expect "$out" '/opt/python/bin/marimo' "marimo is installed"
out="$(run_in "$(ref_of "$work/out/images/kyuubi")" 'echo "KYUUBI_HOME=$KYUUBI_HOME"; ls /opt/kyuubi/bin')"
expect "$out" '^KYUUBI_HOME=/opt/kyuubi$' "KYUUBI_HOME"
expect "$out" '^kyuubi$' "the Kyuubi distribution is unpacked"

step "PASS: ${#built[@]} images built, labelled and checked"
