#!/bin/bash
# check --cluster's label rules on real images: SL003 (the Connect server's Spark against a
# notebook's PySpark) and SL004 (one Python major.minor), and nothing when the images agree.
# Images carrying the io.stackctl.versions.* labels (core/contracts/image_labels.hpp) are written
# as OCI layouts (tests/integration/oci_layout.py) and pushed with skopeo into a real
# docker-registry on loopback; the shipped spark-connect stack, with its registry pointed there and
# its namespace ours, is rendered; its ConfigMap is applied and the Connect server's and the two
# notebooks' pod templates are staged as pods on the harness apiserver, their status written as
# kwok does (running, imageID the pushed digest). Each case pushes the scenario's labels under the
# tags the pods run (a tag overwritten by another build) and runs check --cluster against it.
# Usage: check_cluster_labels.sh STACKCTL_BINARY
# Exits 77 (skipped) when the control plane cannot be built here or docker-registry/skopeo are
# missing. Never stops or resets the shared apiserver; deletes only its own namespace.
set -euo pipefail
BIN=$1
K8S=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
  echo "check_cluster_labels: the control plane cannot be built here (needs root and apt-get): skipped"
  exit 77
fi
bash "$K8S/ensure.sh" >/dev/null
# The registry, skopeo, pass/fail/run/expect helpers and a scratch $WORK (with HOME inside it).
source "$K8S/../integration/registry_lib.sh" "$BIN"
KC=$H/kubeconfig
K() { "$H/bin/kubectl" --kubeconfig "$KC" "$@"; }
W=$WORK
source "$K8S/pods_lib.sh"
NS=${STACKCTL_K8S_NS_PREFIX:-stackctl}-cclabels-$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
# test_lib.sh's exit trap (set by registry_lib.sh) runs this, then stops the registry.
at_exit 'K delete namespace "$NS" --wait=false >/dev/null 2>&1'

PORT=$(free_port)
start_registry anon "$PORT"
REG=127.0.0.1:$PORT/data-platform
sed -e "s/^    namespace: spark$/    namespace: $NS/" -e "s#^  url: registry.example.com/data-platform#  url: $REG#" \
  "$ROOT/stacks/spark-connect.stack.yaml" > "$W/stack.yaml"
grep -q "url: $REG" "$W/stack.yaml" || { echo "FAIL: the registry edit did not apply"; exit 1; }
"$BIN" render "$W/stack.yaml" --target minikube --out "$W/r" >/dev/null 2>"$W/render.err" || { cat "$W/render.err"; exit 1; }
M=$W/r/targets/minikube/kubernetes
CONNECT=$M/50-deployment-spark-connect-connect.yaml
SERVER_IMAGE=$(image_of "$CONNECT")
NOTEBOOK_IMAGE=$(image_of "$M/50-deployment-spark-connect-marimo.yaml")
[ "$NOTEBOOK_IMAGE" = "$(image_of "$M/50-deployment-spark-connect-jupyterhub.yaml")" ] ||
  { echo "FAIL: the two notebooks render different images"; exit 1; }
case $SERVER_IMAGE in "$REG"/spark-connect:*) ;; *) echo "FAIL: server image $SERVER_IMAGE"; exit 1 ;; esac

# push_labelled IMAGE_REF NAME SPARK PYSPARK PYTHON: an image built by stackctl from this stack
# (its labels as check_image::expected_labels writes them), but with these three versions.
push_labelled() {
  local ref=$1 name=$2 tag=${1##*:}
  python3 "$HERE/oci_layout.py" "$W/layout" "$name" \
    --label io.stackctl.stack=spark-connect --label "io.stackctl.image=$name" \
    --label "io.stackctl.versions.spark=$3" --label io.stackctl.versions.scala=2.13 \
    --label io.stackctl.versions.java=17 --label "io.stackctl.versions.python=$5" \
    --label io.stackctl.versions.hadoop=3.4.1 --label io.stackctl.versions.aws-sdk=2.24.6 \
    --label "io.stackctl.versions.pyspark=$4" --label "org.opencontainers.image.version=$tag" >/dev/null
  push "$W/layout" "$name" "$ref"
}
# stage SERVER_SPARK SERVER_PYTHON NOTEBOOK_PYSPARK NOTEBOOK_PYTHON: push both images under the
# tags the pods run, and write the pods' status with the digests now behind those tags.
stage() {
  push_labelled "$SERVER_IMAGE" spark-connect "$1" "$1" "$2"
  push_labelled "$NOTEBOOK_IMAGE" notebook "$3" "$3" "$4"
  local s n
  s=$(skopeo_digest "$SERVER_IMAGE")
  n=$(skopeo_digest "$NOTEBOOK_IMAGE")
  running "$NS" connect "$s"
  running "$NS" jupyterhub "$n"
  running "$NS" marimo "$n"
}
check() { "$BIN" check "$W/stack.yaml" --target minikube --cluster --kubeconfig "$KC" --context "$CTX" "$@"; }
# doctor includes the same alignment (check --cluster's rules over its snapshot's pods).
doctor() { "$BIN" doctor "$W/stack.yaml" --target minikube --kubeconfig "$KC" --context "$CTX" -o json "$@"; }
# sl_codes JSON: the sorted SL codes among doctor's findings ("SL003").
sl_codes() { python3 -c 'import json,sys; print(" ".join(sorted({f["code"] for f in json.load(sys.stdin)["findings"] if f["code"].startswith("SL")})))' <<<"$1"; }
# codes JSON: the sorted codes of the findings, one line ("SI002 SL003").
codes() { python3 -c 'import json,sys; print(" ".join(sorted({f["code"] for f in json.load(sys.stdin)["findings"]})))' <<<"$1"; }

K create namespace "$NS" >/dev/null
for f in "$M"/10-serviceaccount-*.yaml "$M"/30-configmap-*.yaml; do K apply -f "$f" >/dev/null; done
pod_from "$CONNECT" connect "$SERVER_IMAGE"
pod_from "$M/50-deployment-spark-connect-jupyterhub.yaml" jupyterhub "$NOTEBOOK_IMAGE"
pod_from "$M/50-deployment-spark-connect-marimo.yaml" marimo "$NOTEBOOK_IMAGE"
CTX=$(K config current-context)

# 1. The images agree with the stack and each other: no finding at all.
stage 4.0.1 3.11 4.0.1 3.11
run "agreeing images: exit 0" 0 check -o json
expect "3 pods read" '"pods": 3' "$OUT"
expect "the server image's labels were read" "$SERVER_IMAGE" "$OUT"
expect "the notebook image's labels were read" "$NOTEBOOK_IMAGE" "$OUT"
C=$(codes "$OUT")
[ -z "$C" ] && pass "agreeing images: no finding" || fail "agreeing images gave findings: $C"
run "agreeing images, text" 0 check
set +e; OUT=$(doctor 2>"$W/doctor.err"); set -e
[ -z "$(sl_codes "$OUT")" ] && pass "doctor: agreeing images, no SL finding" ||
  { cat "$W/doctor.err"; fail "doctor gave SL findings on agreeing images: $(sl_codes "$OUT")"; }
reject "text: no SL003" "SL003" "$OUT"
reject "text: no SL004" "SL004" "$OUT"

# 2. The notebooks' image carries PySpark 3.5.3 (built from an older stack); the server Spark 4.0.1.
stage 4.0.1 3.11 3.5.3 3.11
run "PySpark 3.5.3 against Spark 4.0.1: exit 1" 1 check -o json
python3 - "$W/out" "$NOTEBOOK_IMAGE" "$SERVER_IMAGE" >"$W/py.out" 2>&1 <<'PY' && pass "SL003 names both images and versions at versions.pyspark" || { fail "SL003"; cat "$W/py.out"; echo "$OUT"; }
import json, sys
nb, server = sys.argv[2:4]
f = [f for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "SL003"]
assert len(f) == 1, f
f = f[0]
assert f["severity"] == "error", f
assert f["message"] == f"notebook image {nb} runs PySpark 3.5.3 but the Connect server's image {server} is Spark 4.0.1", f["message"]
assert f["path"] == "versions.pyspark" and f["line"] > 0, f
PY
C=$(codes "$OUT")
[[ " $C " != *" SL004 "* ]] && pass "one Python: no SL004 ($C)" || fail "SL004 with one Python: $C"
[[ " $C " != *" SL001 "* && " $C " != *" SL005 "* ]] && pass "no SL001/SL005 ($C)" || fail "unexpected: $C"
set +e; OUT=$(doctor 2>"$W/doctor.err"); rc=$?; set -e
[ "$(sl_codes "$OUT")" = SL003 ] && [ "$rc" = 1 ] && pass "doctor names SL003 too (exit $rc)" ||
  { cat "$W/doctor.err"; fail "doctor: SL codes [$(sl_codes "$OUT")], exit $rc"; }
expect "doctor quotes SL003's evidence" "runs PySpark 3.5.3 but the Connect server's image $SERVER_IMAGE is Spark 4.0.1" "$OUT"
set +e; OUT=$(doctor --no-alignment 2>"$W/doctor.err"); set -e
[ -z "$(sl_codes "$OUT")" ] && pass "doctor --no-alignment: no SL finding" || fail "doctor --no-alignment gave $(sl_codes "$OUT")"
run "SL003 in text" 1 check
expect "text names SL003" "[SL003]" "$OUT"
expect "text says the fix" "the Spark Connect client must match the server" "$OUT"

# 3. The server's Spark is the one that differs: 4.0.0 on the server, the notebooks' PySpark 4.0.1.
stage 4.0.0 3.11 4.0.1 3.11
run "Spark 4.0.0 server, PySpark 4.0.1 notebooks: exit 1" 1 check -o json
expect "SL003 from the server side" "runs PySpark 4.0.1 but the Connect server's image $SERVER_IMAGE is Spark 4.0.0" "$OUT"

# 4. Two Python minors: 3.11 on the server (and its executors), 3.12 in the notebooks.
stage 4.0.1 3.11 4.0.1 3.12
run "Python 3.11 and 3.12: exit 1" 1 check -o json
python3 - "$W/out" "$NOTEBOOK_IMAGE" "$SERVER_IMAGE" >"$W/py.out" 2>&1 <<'PY' && pass "SL004 names each image with its Python at versions.python" || { fail "SL004"; cat "$W/py.out"; echo "$OUT"; }
import json, sys
nb, server = sys.argv[2:4]
f = [f for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "SL004"]
assert len(f) == 1, f
f = f[0]
assert f["severity"] == "error", f
assert f["message"] == f"the running images carry more than one Python: {server} Python 3.11, {nb} Python 3.12", f["message"]
assert f["path"] == "versions.python" and f["line"] > 0, f
PY
C=$(codes "$OUT")
[[ " $C " != *" SL003 "* ]] && pass "PySpark agrees: no SL003 ($C)" || fail "SL003 with agreeing PySpark: $C"
# A patch release is the same minor: 3.11.9 on the server, 3.11 in the notebooks.
stage 4.0.1 3.11.9 4.0.1 3.11
run "Python 3.11.9 and 3.11: one minor" 0 check -o json
reject "no SL004 for one minor" "SL004" "$OUT"

finish
