#!/bin/bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl from
# $H/src (Debian bookworm's kubernetes 1.20.5+really1.20.2 source) with Go 1.19.
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
set -euo pipefail
# Kubernetes 1.20's own build (hack/lib/init.sh) uses GOPATH mode (GO111MODULE=off) with
# the committed vendor/ tree; Debian's package builds it the same way. Module mode with
# -mod=vendor fails on this tree ("updates to go.mod needed"), so GOPATH mode is used.
export PATH=/usr/lib/go-1.19/bin:$PATH
export GOPROXY=off GOFLAGS= GO111MODULE=off CGO_ENABLED=0
export GOCACHE=${GOCACHE_DIR:-/tmp/k8s-gocache} GOPATH=/tmp/k8s-gopath GOTOOLCHAIN=local
mkdir -p $GOPATH/src/k8s.io
[ -L $GOPATH/src/k8s.io/kubernetes ] || ln -s $H/src $GOPATH/src/k8s.io/kubernetes
cd $GOPATH/src/k8s.io/kubernetes
V=v1.20.2
LD="-s -w"
for p in k8s.io/client-go/pkg/version k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version k8s.io/kubernetes/vendor/k8s.io/component-base/version; do
  LD="$LD -X $p.gitVersion=$V -X $p.gitMajor=1 -X $p.gitMinor=20 -X $p.gitTreeState=clean -X $p.gitCommit=debian-1.20.5+really1.20.2-1.1+deb12u1 -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done
go version
start=$(date +%s)
OUT=${OUT_DIR:-$H/bin}; mkdir -p "$OUT"
go build -ldflags "$LD" -o "$OUT/" "$@"
echo "build of $* took $(( $(date +%s) - start ))s"
