#!/bin/bash
# Recreates $H from nothing but Debian bookworm's package repositories (run as root):
#   1. apt-get install golang-1.19-go etcd-server (policy-rc.d keeps etcd's service from starting)
#   2. apt-get source --download-only kubernetes  (1.20.5+really1.20.2-1.1+deb12u1: the full
#      upstream v1.20.2 tree with vendor/), via a private deb-src list under /tmp (the system's
#      apt sources are not modified)
#   3. unpack to $H/src, apply Debian's 3 patches (kubectl printing / CVE-2021-25743)
#   4. replace vendored modern-go/reflect2 1.0.1 + json-iterator 1.1.10 (panic under Go >= 1.18)
#      with Debian's golang-github-modern-go-reflect2-dev 1.0.2 / golang-github-json-iterator-go-dev 1.1.12
#   5. gen-openapi.sh (pkg/generated/openapi is generated at build time upstream)
#   6. build.sh: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl -> $H/bin
# Each step is skipped when its result is already there.
set -euo pipefail
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${SRC:-$H/src}
DEB=$H/debsrc
VER=1.20.5+really1.20.2
mkdir -p "$H" "$DEB" "$H/logs"

if ! [ -x /usr/lib/go-1.19/bin/go ] || ! [ -x /usr/bin/etcd ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends golang-1.19-go etcd-server
fi

APTO=(-o Dir::Etc::SourceList=/tmp/aptsrc/sources.list -o Dir::Etc::SourceParts=/nonexistent
      -o Dir::State::Lists=/tmp/aptsrc/lists)
if ! ls "$DEB"/kubernetes_${VER}.orig.tar.gz >/dev/null 2>&1 || ! ls "$DEB"/golang-github-modern-go-reflect2-dev_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/aptsrc/lists/partial
  cat > /tmp/aptsrc/sources.list <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bookworm-updates main
EOF
  apt-get "${APTO[@]}" update
  (cd "$DEB" && apt-get "${APTO[@]}" source --download-only kubernetes)
  (cd "$DEB" && apt-get download golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev)
fi

if [ ! -f "$SRC/cmd/kube-apiserver/apiserver.go" ]; then
  mkdir -p "$SRC"
  tar xzf "$DEB"/kubernetes_${VER}.orig.tar.gz -C "$SRC" --strip-components=1
  rm -rf "$DEB/debian"
  tar xJf "$DEB"/kubernetes_${VER}-*.debian.tar.xz -C "$DEB"
  for p in $(cat "$DEB/debian/patches/series"); do patch -d "$SRC" -p1 < "$DEB/debian/patches/$p"; done
fi

if [ ! -f "$SRC/vendor/github.com/modern-go/reflect2/go_above_118.go" ]; then
  X=$(mktemp -d /tmp/debx.XXXXXX)
  for d in "$DEB"/golang-github-modern-go-reflect2-dev_*.deb "$DEB"/golang-github-json-iterator-go-dev_*.deb; do
    dpkg-deb -x "$d" "$X"
  done
  for d in modern-go/reflect2 json-iterator/go; do
    v=$SRC/vendor/github.com/$d
    find "$v" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name go.mod -o -name go.sum \) -delete
    find "$X/usr/share/gocode/src/github.com/$d" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) \
      ! -name '*_test.go' -exec cp {} "$v/" \;
  done
  rm -rf "$X"
fi

if [ -n "${SETUP_PREP_ONLY:-}" ]; then echo "setup.sh: source prepared in $SRC"; exit 0; fi

if [ ! -f "$SRC/pkg/generated/openapi/zz_generated.openapi.go" ]; then
  "$HERE/gen-openapi.sh" 2>&1 | tee "$H/logs/gen-openapi.log"
fi

if [ ! -x "$H/bin/kube-apiserver" ] || [ ! -x "$H/bin/kube-controller-manager" ] || \
   [ ! -x "$H/bin/kube-scheduler" ] || [ ! -x "$H/bin/kubectl" ]; then
  "$HERE/build.sh" ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl \
    2>&1 | tee "$H/logs/build.log"
fi
echo "setup.sh: done; start with $HERE/start.sh, stop with $HERE/stop.sh"
