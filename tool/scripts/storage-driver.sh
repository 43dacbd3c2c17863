#!/usr/bin/env bash
# Prints the buildah/podman storage driver to use for a store under DIR: "overlay" when the kernel
# mounts overlayfs there (root, and DIR's filesystem can hold an upper layer), else "vfs", which
# works everywhere as root but copies every layer in full (minutes where overlay takes a second).
#
#   storage-driver.sh DIR              prints overlay or vfs
#   storage-driver.sh --release DIR    unmounts what the overlay driver left mounted under DIR
#
# containers/storage's overlay driver bind-mounts its "overlay" folder onto itself (private
# propagation) and leaves it mounted after buildah exits; `rm -rf` of the store then fails with
# "Device or resource busy". --release unmounts it (and any layer still mounted), deepest first;
# the next buildah run mounts it again.
# STACKCTL_STORAGE_DRIVER=vfs|overlay skips the probe. The probe mounts a throwaway overlay in a
# temporary folder under DIR and removes it; nothing else under DIR is touched.
set -euo pipefail
if [ "${1:-}" = --release ]; then
  dir=$(realpath -m "${2:?usage: storage-driver.sh --release DIR}")
  awk -v d="$dir/" 'index($2 "/", d) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  exit 0
fi
dir=${1:?usage: storage-driver.sh DIR}
if [ -n "${STACKCTL_STORAGE_DRIVER:-}" ]; then
  echo "$STACKCTL_STORAGE_DRIVER"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then echo vfs; exit 0; fi  # rootless overlay needs fuse-overlayfs
mkdir -p "$dir"
probe=$(mktemp -d "$dir/.overlay-probe.XXXXXX")
trap 'umount "$probe/m" 2>/dev/null || true; rm -rf "$probe"' EXIT
mkdir "$probe/l" "$probe/u" "$probe/w" "$probe/m"
if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" \
  2>/dev/null; then
  echo overlay
else
  echo vfs
fi
