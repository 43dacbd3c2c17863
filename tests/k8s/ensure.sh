#!/bin/bash
# Makes sure the project's loopback Kubernetes control plane is built and answering, for the
# deploy tests: builds it once per machine (setup.sh; README.md has how long it took), starts it when
# nothing answers on 127.0.0.1:6443 (start.sh, about 10 s), and prints the admin kubeconfig path.
#   bash tests/k8s/ensure.sh            # -> /var/cache/stackctl-k8s/kubeconfig
# Nodes are kept as tests write them (no node lifecycle controller), so a staged Ready node
# stays Ready and pods can be bound to it the way kwok does.
set -euo pipefail
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export STACKCTL_K8S_HOME=$H
ready() {
  [ -s "$H/kubeconfig" ] && [ -s "$H/pki/tokens.csv" ] || return 1
  local tok
  tok=$(awk -F, '$2=="admin" {print $1}' "$H/pki/tokens.csv")
  curl -sf --max-time 5 --cacert "$H/pki/ca.crt" -H "Authorization: Bearer $tok" \
    https://127.0.0.1:6443/readyz 2>/dev/null | grep -qx ok
}
if ready; then echo "$H/kubeconfig"; exit 0; fi
bash "$HERE/setup.sh" >&2
KCM_CONTROLLERS=${KCM_CONTROLLERS:-'*,-nodelifecycle'} bash "$HERE/start.sh" >&2
ready || { echo "ensure.sh: the apiserver did not become ready; see $H/logs" >&2; exit 1; }
echo "$H/kubeconfig"
