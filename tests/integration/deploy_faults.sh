#!/bin/bash
# `stackctl deploy` through a faulty network, on the project's real apiserver (tests/k8s), kubectl
# as the independent client:
#   1. faults: the kyuubi-sql stack deployed directly into one namespace and, through
#      tests/servers/fault_proxy.py dropping 20% of connections (before TLS, after the
#      request, after the apiserver acted) and answering 429 + Retry-After: 1 to a third of the
#      requests, into another. kubectl reads both: the same objects with the same content (names
#      of the namespace and ApplySet id aside). The proxy's log must show every kind of fault
#      happened; a second deploy through the proxy changes no resourceVersion.
#   2. kill -9 at each ApplySet step: the proxy kills deploy (SIGKILL, from outside the process)
#      at an exact request: the parent's widen PATCH, the 3rd member apply (a first deploy), the
#      1st member apply of a deploy that turns Kyuubi off and changes a Spark setting, its 1st
#      prune DELETE, its narrow PATCH (after the apiserver acted on it, or before it saw it). A rerun must then
#      converge: kubectl finds every object labelled part-of in a kind the parent's
#      contains-group-kinds lists, the labelled objects are exactly the rendered ones, and a
#      bystander ConfigMap made by hand in the namespace is still there.
# Usage: deploy_faults.sh STACKCTL [faults|kill|all]. Exits 77 only when the control plane cannot
# be built here. Never stops or resets the shared apiserver; deletes only the namespaces it made.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
WHAT=${2:-all}
test_init deploy-faults
need_apiserver
W=$WORK
SUFFIX=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
NAMESPACES=()
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
# shellcheck source=deploy_faults_lib.sh
source "$HERE/deploy_faults_lib.sh"
at_exit 'lib_cleanup
for ns in "${NAMESPACES[@]}"; do $KUBECTL delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done'
CTX=$($KUBECTL config current-context)
KINDS=configmaps,secrets,services,serviceaccounts,roles,rolebindings,deployments,statefulsets

mirror_start
STACK=kyuubi-sql
values_for $STACK
prepare $STACK
S="$W/$STACK.stack.yaml"
PARENT="$STACK-applyset"

# The objects of namespace $1 that deploy made, as JSON with everything that differs between two
# namespaces by nature taken out: server fields, the namespace's name, the ApplySet id (a hash of
# the namespace), addresses the apiserver allocates, token Secrets the controller adds.
normalized() {
  $KUBECTL get "$KINDS" -n "$1" -l applyset.kubernetes.io/part-of -o json | python3 -c '
import json, sys
ns = sys.argv[1]
items = json.load(sys.stdin)["items"]
out = {}
def scrub(v):
    if isinstance(v, dict): return {k: scrub(x) for k, x in v.items()}
    if isinstance(v, list): return [scrub(x) for x in v]
    if isinstance(v, str): return v.replace(ns, "NS")
    return v
for o in items:
    m = o["metadata"]
    for k in ("namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields",
              "generation", "selfLink"):
        m.pop(k, None)
    m.get("labels", {})["applyset.kubernetes.io/part-of"] = "ID"
    m.get("annotations", {}).pop("deployment.kubernetes.io/revision", None)
    o.pop("status", None)
    # Checksums of the configuration on pod templates: the configuration names the namespace,
    # and it is compared itself (the ConfigMaps and Secrets, namespace scrubbed).
    tmpl = o.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
    for k in list(tmpl):
        if k.startswith("checksum/"): tmpl[k] = "CHECKSUM"
    if o["kind"] == "Service":
        o["spec"].pop("clusterIP", None); o["spec"].pop("clusterIPs", None)
    if o["kind"] == "ServiceAccount":
        o.pop("secrets", None)
    out[o["kind"] + "/" + m["name"]] = scrub(o)
print(json.dumps(out, indent=1, sort_keys=True))' "$1"
}

rvs() {
  $KUBECTL get "$KINDS" -n "$1" -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort
}

if [ "$WHAT" = faults ] || [ "$WHAT" = all ]; then
  direct="faults-direct-$SUFFIX"; faulty="faults-proxy-$SUFFIX"; NAMESPACES+=("$direct" "$faulty")
  step "direct deploy into $direct"
  "$STACKCTL" deploy "$S" --target minikube -n "$direct" --no-wait $VALUES --kubeconfig "$KC" \
    --context "$CTX" > "$W/direct.out" 2> "$W/direct.err" || { cat "$W/direct.err"; fail "direct deploy"; }

  step "deploy into $faulty through the proxy: 20% of connections dropped, 1/3 of requests 429"
  proxy_start faulty --seed "${FAULT_SEED:-7}" --drop 0.2 --throttle 0.333 --retry-after 1
  start=$(date +%s.%N)
  "$STACKCTL" deploy "$S" --target minikube -n "$faulty" --no-wait $VALUES --kubeconfig "$W/faulty.kubeconfig" \
    --context "$CTX" > "$W/faulty.out" 2> "$W/faulty.err" || { cat "$W/faulty.err"; fail "deploy through the proxy"; }
  took=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
  python3 - "$W/faulty.log" "$took" <<'PY' || fail "the proxy did not inject every kind of fault"
import collections, json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
faults = collections.Counter(e["fault"] for e in log)
print(f"   {len(log)} requests/connections in {sys.argv[2]} s: " +
      ", ".join(f"{k} {v}" for k, v in sorted(faults.items())))
need = {"429", "drop-before-tls", "drop-request", "drop-response", "none"}
missing = need - set(faults)
if missing: print("   missing:", sorted(missing)); sys.exit(1)
PY
  normalized "$direct" > "$W/direct.json"
  normalized "$faulty" > "$W/faulty.json"
  [ "$(grep -c '"kind"' "$W/direct.json")" -gt 5 ] || fail "too few objects compared: $(cat "$W/direct.json")"
  diff -u "$W/direct.json" "$W/faulty.json" || fail "the deploy through the proxy differs from the direct one"
  echo "   same $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$W/direct.json") objects in both namespaces"
  step "a second deploy through the proxy changes nothing"
  before=$(rvs "$faulty")
  "$STACKCTL" deploy "$S" --target minikube -n "$faulty" --no-wait $VALUES --kubeconfig "$W/faulty.kubeconfig" \
    --context "$CTX" > "$W/faulty2.out" 2> "$W/faulty2.err" || { cat "$W/faulty2.err"; fail "second deploy through the proxy"; }
  [ "$(rvs "$faulty")" = "$before" ] || { diff <(echo "$before") <(rvs "$faulty"); fail "resourceVersions changed"; }
  ! grep -qv "^unchanged" "$W/faulty2.out" || { cat "$W/faulty2.out"; fail "second deploy not all unchanged"; }
  proxy_stop
fi

# converged NS RENDERED_DIR: nothing orphaned, nothing missing, nothing extra, the bystander kept.
converged() {
  local ns=$1 rendered=$2
  local id gks
  id=$($KUBECTL get secret "$PARENT" -n "$ns" -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id}')
  gks=$($KUBECTL get secret "$PARENT" -n "$ns" -o jsonpath='{.metadata.annotations.applyset\.kubernetes\.io/contains-group-kinds}')
  [ -n "$id" ] || fail "$ns: no parent"
  # Orphans: a labelled object of a kind the parent does not list would never be pruned.
  $KUBECTL get "$KINDS" -n "$ns" -l "applyset.kubernetes.io/part-of=$id" \
    -o jsonpath='{range .items[*]}{.kind}.{.apiVersion}{"\n"}{end}' | sed 's|\.v1$|.|; s|/v1$||' | sort -u > "$W/member-gks"
  tr , '\n' <<< "$gks" | sort -u > "$W/parent-gks"
  comm -23 "$W/member-gks" "$W/parent-gks" | grep . && fail "$ns: members of kinds the parent does not list (orphans)"
  comm -13 "$W/member-gks" "$W/parent-gks" | grep . && fail "$ns: the parent lists kinds without members (not narrowed)"
  $KUBECTL get "$KINDS" -n "$ns" -l "applyset.kubernetes.io/part-of=$id" -o name | sort > "$W/live"
  $KUBECTL create --dry-run=client -o name -f "$rendered/targets/minikube/kubernetes" \
    | grep -v '^namespace/' | sort > "$W/rendered"
  diff -u "$W/rendered" "$W/live" || fail "$ns: the ApplySet's members are not the rendered objects"
  $KUBECTL get configmap bystander -n "$ns" >/dev/null || fail "$ns: the bystander ConfigMap was deleted"
}

# kill_case NAME SETUP MATCH NTH WHEN EXPECT: in a fresh namespace, SETUP (full: Kyuubi on deployed
# first, then the killed deploy turns it off; fresh: the killed deploy is the first), deploy killed
# by the proxy at the NTH request matching MATCH, then a direct rerun, whose stdout and stderr must
# match the regex EXPECT (what was left to do); converged must hold.
kill_case() {
  local name=$1 setup=$2 match=$3 nth=$4 when=$5 expect=$6
  local ns="kill-$name-$SUFFIX" dir="$W/$name"
  NAMESPACES+=("$ns")
  step "kill -9 at $name ($match #$nth, $when the apiserver acted)"
  mkdir -p "$dir"
  cp "$S" "$W/$STACK.stack.lock" "$dir/"
  [ -d "$W/envs" ] && cp -r "$W/envs" "$dir/"
  [ -d "$W/apps" ] && cp -r "$W/apps" "$dir/"
  local sd="$dir/$STACK.stack.yaml"
  if [ "$setup" = full ]; then
    "$STACKCTL" deploy "$sd" --target minikube -n "$ns" --no-wait $VALUES --kubeconfig "$KC" --context "$CTX" \
      > /dev/null 2> "$W/err" || { cat "$W/err"; fail "$name: first deploy"; }
    # Kyuubi off, and a Spark setting changed, so the killed deploy has members to apply (the
    # unchanged ones are skipped: docs/deploy.md, "Skipped applies").
    sed -i 's|^  kyuubi:$|  kyuubi:\n    enabled: false|; s|spark.sql.shuffle.partitions: "200"|spark.sql.shuffle.partitions: "201"|' "$sd"
  else
    $KUBECTL create namespace "$ns" >/dev/null
  fi
  $KUBECTL create configmap bystander -n "$ns" --from-literal=a=b >/dev/null
  "$STACKCTL" render "$sd" --target minikube --out "$dir/r" $VALUES >/dev/null 2>"$W/err" || { cat "$W/err"; fail "render"; }
  proxy_start "kill-$name" --kill-pid-file "$W/deploy.pid" --kill-match "$match" --kill-nth "$nth" --kill-when "$when"
  set +e
  "$STACKCTL" deploy "$sd" --target minikube -n "$ns" --no-wait $VALUES --kubeconfig "$W/kill-$name.kubeconfig" \
    --context "$CTX" > "$W/killed.out" 2> "$W/killed.err" &
  local pid=$!
  echo "$pid" > "$W/deploy.pid"
  wait "$pid" 2>/dev/null; local rc=$?
  set -e
  [ "$rc" = 137 ] || { cat "$W/killed.err" "$W/kill-$name.err"; fail "$name: deploy was not killed (exit $rc)"; }
  # The proxy prints its line just after the SIGKILL, so `wait` can return before it is written
  # (more so while other requests of the wave keep the proxy's threads busy): give it 5 s.
  for _ in $(seq 50); do grep -q "killed $pid at" "$W/kill-$name.err" && break; sleep 0.1; done
  grep -q "killed $pid at" "$W/kill-$name.err" || fail "$name: the proxy did not report the kill"
  proxy_stop
  echo "   at the kill: $($KUBECTL get "$KINDS" -n "$ns" -l applyset.kubernetes.io/part-of -o name | wc -l) members," \
    "parent kinds: $($KUBECTL get secret "$PARENT" -n "$ns" -o jsonpath='{.metadata.annotations.applyset\.kubernetes\.io/contains-group-kinds}' 2>/dev/null || echo 'no parent')"
  "$STACKCTL" deploy "$sd" --target minikube -n "$ns" --no-wait $VALUES --kubeconfig "$KC" --context "$CTX" \
    > "$W/rerun.out" 2> "$W/rerun.err" || { cat "$W/rerun.err"; fail "$name: rerun"; }
  # grep reads the files itself: `cat ... | grep -q` under pipefail fails when grep stops early
  # and cat gets SIGPIPE.
  grep -Eqh "$expect" "$W/rerun.out" "$W/rerun.err" \
    || { cat "$W/rerun.out" "$W/rerun.err"; fail "$name: the rerun did not do what was left ($expect)"; }
  converged "$ns" "$dir/r"
  echo "   converged: $(wc -l < "$W/live") members, kinds $(paste -sd, "$W/parent-gks"), bystander kept"
}

if [ "$WHAT" = kill ] || [ "$WHAT" = all ]; then
  P="/api/v1/namespaces/[^/]+/secrets/$PARENT\\?"
  M="/namespaces/[^/]+/(configmaps|services|serviceaccounts|deployments|statefulsets|roles|rolebindings|secrets/$STACK-spark-env)/[^/?]+\\?"
  # A first deploy writes the parent once (widen from nothing; nothing to narrow).
  kill_case widen fresh "PATCH $P" 1 after "^create  ConfigMap"
  kill_case widen-unsent fresh "PATCH $P" 1 before "widen to"
  kill_case apply fresh "PATCH $M" 3 after "^create  StatefulSet"
  # Kyuubi off: the parent is not widened (no new kind), members are applied, the Kyuubi objects
  # pruned, then the parent narrowed (StatefulSet.apps no longer listed).
  kill_case apply-on-prune full "PATCH $M" 1 after "^prune  StatefulSet"
  kill_case prune full "DELETE /" 1 after "^prune  "
  kill_case narrow full "PATCH $P" 1 before "narrow to"
  kill_case narrowed full "PATCH $P" 1 after "^unchanged  ConfigMap"
fi
echo "deploy_faults.sh: all passed"
