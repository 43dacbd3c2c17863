#!/bin/bash
# Generates pkg/generated/openapi/zz_generated.openapi.go (not shipped in the source;
# the upstream Makefile.generated_files 'gen_openapi' target makes it at build time).
# Replicates that target for the KUBE output package only (the others are shipped).
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
set -euo pipefail
export PATH=/usr/lib/go-1.19/bin:$PATH
export GOPROXY=off GOFLAGS= GO111MODULE=off CGO_ENABLED=0
export GOCACHE=${GOCACHE_DIR:-/tmp/k8s-gocache} GOPATH=/tmp/k8s-gopath GOTOOLCHAIN=local
mkdir -p $GOPATH/src/k8s.io $H/tools
[ -L $GOPATH/src/k8s.io/kubernetes ] || ln -s $H/src $GOPATH/src/k8s.io/kubernetes
cd $GOPATH/src/k8s.io/kubernetes
go build -o $H/tools/openapi-gen ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
# same directory walk as hack/make-rules/helpers/cache_go_dirs.sh
dirs=$(find -H . -not \( \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune \) -type f -name '*.go' \
        | sed 's|^./staging/src|vendor|' | xargs -n1 dirname | sed 's|^\./||' | LC_ALL=C sort -u)
files=$(for d in $dirs; do find "$d" -maxdepth 1 -type f -name '*.go'; done | xargs grep --color=never -l '^// *+k8s:' || true)
inputs=$(echo "$files" | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
        | xargs grep --color=never -l '+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u \
        | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
echo "openapi-gen over $(echo "$inputs" | tr ',' '\n' | wc -l) packages"
$H/tools/openapi-gen --logtostderr \
  -i "$inputs" \
  -p k8s.io/kubernetes/pkg/generated/openapi \
  -O zz_generated.openapi \
  -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
  -r /tmp/k8s-openapi-violations.report
ls -la pkg/generated/openapi/
if diff -q /tmp/k8s-openapi-violations.report api/api-rules/violation_exceptions.list >/dev/null; then
  echo "API rule violations match api/api-rules/violation_exceptions.list"
else
  echo "WARNING: API rule violation report differs from the known list"
fi
