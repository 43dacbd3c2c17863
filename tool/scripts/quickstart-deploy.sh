#!/usr/bin/env bash
# The quickstart's last step: deploy the quickstart stack onto the project's own loopback
# Kubernetes control plane (tests/k8s: kube-apiserver, etcd, controller-manager and scheduler
# built from Debian's `kubernetes` source package; no kubelet), show the objects with that
# build's kubectl, and deploy again to show that a second deploy changes nothing.
#
#   bash tool/scripts/quickstart-deploy.sh STACKCTL LOCK WORK
#
# STACKCTL the binary, LOCK the quickstart's stack.lock (quickstart.sh makes both), WORK a folder
# for the deploy's copy of the stack. QUICKSTART_NS overrides the namespace (default quickstart).
#
# What is honest here, and what is not:
# - No kubelet runs, so no pod ever starts: deploy runs with --no-wait (it would otherwise wait
#   for rollouts that cannot happen). The controllers do run, so the Deployments get their
#   ReplicaSets and Pods, which stay Pending.
# - The images are in buildah's local store, never pushed, so the stack.lock records no registry
#   digest. The deploy uses a copy of the stack whose target says `images: none` (run the tags
#   as they are, refuse nothing about images) and names the control plane's kubeconfig context.
#   The shipped target (`images: push`) would refuse, naming `stackctl build --push`.
# - The object store's credentials Secret (minio-credentials) is the user's to make
#   (docs/deploy.md, "Before anything is sent"); made here with placeholder values.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
stackctl=$1 lock=$2 work=$3
ns=${QUICKSTART_NS:-quickstart}
say() { printf '\n== %s\n' "$*" >&2; }

say "the loopback Kubernetes control plane (tests/k8s/ensure.sh: built once per machine, then started)"
t0=$(date +%s)
kubeconfig=$(bash "$root/tests/k8s/ensure.sh" | tail -1)
echo "ready in $(($(date +%s) - t0)) s: $kubeconfig" >&2
kubectl="${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}/bin/kubectl --kubeconfig $kubeconfig"
context=$($kubectl config current-context)

mkdir -p "$work"
stack="$work/quickstart.stack.yaml"
python3 - "$root/examples/quickstart/quickstart.stack.yaml" "$stack" "$context" "$ns" <<'PY'
import sys
src, dst, context, ns = sys.argv[1:]
s = open(src).read()
target = "  - name: minikube\n    kind: minikube\n    context: minikube\n    namespace: quickstart\n"
assert target in s, "the quickstart stack's target is not as expected"
s = s.replace(target, "  - name: minikube\n    kind: minikube\n"
              f"    context: {context}\n    namespace: {ns}\n    images: none\n")
open(dst, "w").write(s)
PY
cp "$lock" "$work/quickstart.stack.lock"
deploy=("$stackctl" deploy "$stack" --target minikube --kubeconfig "$kubeconfig" --no-wait)

say "namespace $ns and the object store's credentials Secret (placeholder values)"
$kubectl create namespace "$ns" --dry-run=client -o yaml | $kubectl apply -f - >/dev/null
$kubectl -n "$ns" create secret generic minio-credentials --from-literal=AWS_ACCESS_KEY_ID=quickstart \
  --from-literal=AWS_SECRET_ACCESS_KEY=quickstart-placeholder --dry-run=client -o yaml |
  $kubectl apply -f - >/dev/null

say "the plan (a server-side dry run: nothing is written)"
"${deploy[@]}" --dry-run

say "deploy (server-side apply, pruned with an ApplySet; --no-wait: no kubelet runs here)"
t0=$(date +%s.%N)
"${deploy[@]}"
echo "deployed in $(python3 -c "import time; print(f'{time.time() - $t0:.2f}')") s" >&2

say "the objects, as the control plane's own kubectl sees them"
$kubectl -n "$ns" get all,configmaps,secrets,serviceaccounts,roles,rolebindings \
  -l "app.kubernetes.io/part-of" -o wide
$kubectl -n "$ns" get deployments -o custom-columns='NAME:.metadata.name,MANAGER:.metadata.managedFields[0].manager,APPLYSET:.metadata.labels.applyset\.kubernetes\.io/part-of'

say "deploy again: nothing changed, so nothing is written"
"${deploy[@]}"
