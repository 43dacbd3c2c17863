#!/usr/bin/env bash
# The main job on a fresh machine, offline: set up, build stackctl, then validate and check the
# shipped stacks, lock, render and build the quickstart stack's images with buildah, and deploy
# the quickstart stack onto the project's own loopback Kubernetes control plane
# (tool/scripts/quickstart-deploy.sh: built from Debian's packages the first time, then reused).
#
#   bash tool/scripts/quickstart.sh
#   QUICKSTART_DEPLOY=0 bash tool/scripts/quickstart.sh   # stop after the images
#
# The quickstart (examples/quickstart) is a STAND-IN: its Spark distribution, jars and Python
# packages are placeholder files with the real names and layout, served from a local mirror on
# 127.0.0.1:38517, and its base image is a local Debian bookworm made with debootstrap. Java and
# Python come from Debian's packages for real. Nothing is downloaded from Apache or Maven.
# Everything it makes stays under build/quickstart/ (the buildah storage too); run it again and
# the second build skips every image whose inputs did not change.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bash "$root/tool/scripts/setup.sh"
bash "$root/tool/scripts/build.sh" stackctl

stackctl="$root/build/tool/stackctl"
quick="$root/examples/quickstart"
stack="$quick/quickstart.stack.yaml"
work="$root/build/quickstart"
port=38517  # the quickstart stack's mirror URLs name this port
mkdir -p "$work"
say() { printf '\n== %s\n' "$*" >&2; }

say "validate and check the shipped stacks"
for s in "$root"/stacks/*.stack.yaml; do
  "$stackctl" validate "$s"
  "$stackctl" check "$s"
done

say "stand-in artifacts in a local mirror, served on 127.0.0.1:$port"
"$quick/make-standin-dist.sh" "$work/mirror" >&2
# The stack's mirror URLs name this port: another server on it (a second quickstart, or the
# quickstart image test) would answer for this one.
if curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
  echo "quickstart: 127.0.0.1:$port is already served by another process (another quickstart or test run?); stop it and run again" >&2
  exit 1
fi
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/mirror" > "$work/mirror.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  sleep 0.1
done
kill -0 "$server" 2>/dev/null || { cat "$work/mirror.log" >&2; echo "quickstart: the mirror did not start on 127.0.0.1:$port" >&2; exit 1; }

say "a local base image (debootstrap; made once, then reused)"
# overlay where the kernel mounts it here (a cached no-op build in about a second), else vfs.
STORAGE_DRIVER=$(bash "$root/tool/scripts/storage-driver.sh" "$work/storage")
export STORAGE_DRIVER
export BUILDAH_ROOT="$work/storage/$STORAGE_DRIVER/root" BUILDAH_RUNROOT="$work/storage/$STORAGE_DRIVER/runroot"
echo "buildah storage: $STORAGE_DRIVER driver under $work/storage/$STORAGE_DRIVER" >&2
"$quick/make-base-image.sh" >&2

say "validate, check, lock and render the quickstart"
"$stackctl" validate "$stack"
"$stackctl" check "$stack"
lock="$work/quickstart.stack.lock"
"$stackctl" lock "$stack" --lock "$lock" --cache-dir "$work/cache"
"$stackctl" render "$stack" --out "$work/rendered"

say "build the images with buildah (then once more: nothing changed, nothing is rebuilt)"
build=("$stackctl" build "$stack" --lock "$lock" --cache-dir "$work/cache" --work-dir "$work/build"
  --builder buildah --storage-driver "$STORAGE_DRIVER" --storage-root "$BUILDAH_ROOT"
  --storage-runroot "$BUILDAH_RUNROOT" --build-arg "PYPI_INDEX_URL=http://127.0.0.1:$port/pypi/simple")
"${build[@]}"
"${build[@]}"

say "done: images are in buildah's store at $BUILDAH_ROOT; the lock is $lock"
buildah --storage-driver "$STORAGE_DRIVER" --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" images
# The overlay driver leaves its folder mounted; unmounted, `rm -rf build` works (buildah mounts it
# again when next used).
bash "$root/tool/scripts/storage-driver.sh" --release "$work/storage"

if [ "${QUICKSTART_DEPLOY:-1}" != 0 ]; then
  bash "$root/tool/scripts/quickstart-deploy.sh" "$stackctl" "$lock" "$work/deploy"
fi
