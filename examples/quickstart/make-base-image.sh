#!/usr/bin/env bash
# Makes a local base image for the offline quickstart, since no base image can be pulled here:
#
#   make-base-image.sh            localhost/stackctl-base:bookworm  Debian bookworm, from
#                                 `debootstrap --variant=minbase` (~25 s, ~200 MB); its apt reaches
#                                 Debian's mirror, so Java and Python install for real in builds
#   make-base-image.sh --busybox  localhost/stackctl-base:busybox   busybox-static alone (~2 MB),
#                                 for fast builder tests that need no package manager
#
# An image that already exists is kept (--force rebuilds it). Storage: the driver STORAGE_DRIVER
# names (default vfs, which works as root without overlay or a daemon; callers pick overlay with
# tool/scripts/storage-driver.sh where the kernel allows it), in buildah's default location unless
# BUILDAH_ROOT / BUILDAH_RUNROOT name others (tests use their own).
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), SUITE (default bookworm).
# Needs: buildah, and debootstrap (Debian base) or busybox-static (busybox base).
set -euo pipefail

usage() { echo "usage: $0 [--busybox] [--force]" >&2; exit 2; }
kind=debian
force=0
for arg in "$@"; do
  case "$arg" in
    --busybox) kind=busybox ;;
    --force) force=1 ;;
    *) usage ;;
  esac
done
suite="${SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

bh() {
  buildah --storage-driver "${STORAGE_DRIVER:-vfs}" ${BUILDAH_ROOT:+--root "$BUILDAH_ROOT"} \
    ${BUILDAH_RUNROOT:+--runroot "$BUILDAH_RUNROOT"} "$@"
}

need() {
  command -v "$1" > /dev/null 2>&1 || { echo "$0: $1 is not installed (apt-get install $2)" >&2; exit 1; }
}

if [ "$kind" = debian ]; then ref="localhost/stackctl-base:$suite"; else ref="localhost/stackctl-base:busybox"; fi
need buildah buildah
if [ "$force" = 0 ] && bh inspect --type image "$ref" > /dev/null 2>&1; then
  echo "$ref exists (--force rebuilds it)" >&2
  exit 0
fi

work="$(mktemp -d)"
container=""
cleanup() {
  if [ -n "$container" ]; then bh rm "$container" > /dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
rootfs="$work/rootfs"

if [ "$kind" = debian ]; then
  need debootstrap debootstrap
  echo "debootstrap --variant=minbase $suite from $mirror ..." >&2
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    exit 1
  }
  # Package lists and caches are fetched again by every build's `apt-get update`.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
else
  need busybox busybox-static
  busybox_bin="$(command -v busybox)"
  mkdir -p "$rootfs"/{bin,etc,tmp,root}
  cp "$busybox_bin" "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
fi

container="$(bh from --name "stackctl-base-$kind-$$" scratch)"
mnt="$(bh mount "$container")"
cp -a "$rootfs/." "$mnt/"
bh umount "$container" > /dev/null
bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd "$([ "$kind" = debian ] && echo /bin/bash || echo /bin/sh)" \
  --label "org.opencontainers.image.title=stackctl-base" \
  "$container"
bh commit --quiet "$container" "$ref" > /dev/null
echo "made $ref" >&2
