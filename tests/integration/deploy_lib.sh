# Shared by the integration tests on the apiserver (deploy.sh, vault_deploy.sh, submit.sh,
# drift_cluster.sh, deploy_faults_lib.sh); source it, do not run it.
# Needs W (a scratch folder), SRC (the project) and STACKCTL set by the caller.
# copy_stack and stack_folders: test_lib.sh's.
# shellcheck source=test_lib.sh
declare -F copy_stack >/dev/null || source "$SRC/tests/integration/test_lib.sh"

# mirror_start: a loopback mirror that answers every checksum file (the lock's artifacts need one;
# deploy never reads them) and nothing else. Sets MIRROR (its URL) and MIRROR_PID, also added to
# PIDS (test_lib.sh kills those on exit; a caller without it kills MIRROR_PID).
mirror_start() {
  python3 "$SRC/tests/servers/checksum_mirror.py" > "$W/mirror.port" &
  MIRROR_PID=$!
  PIDS+=("$MIRROR_PID")
  for _ in $(seq 50); do [ -s "$W/mirror.port" ] && break; sleep 0.1; done
  MIRROR="http://127.0.0.1:$(cat "$W/mirror.port")"
}

# fake_digests STACK [RENDER_ARGS...]: records a made-up digest in STACK's lock (STACK with .lock)
# for every image the minikube target runs (pods never run here: no kubelet). The images' names
# and refs are data stackctl gives (`render --list -o json` with RENDER_ARGS, e.g. --values FILE or
# --vault: each image and its reference), never the rendered manifests read back.
fake_digests() {
  local s=$1
  shift
  "$STACKCTL" render "$s" --target minikube --list -o json "$@" >"$s.images.json" \
    2>"$W/render.err" || { cat "$W/render.err"; fail "render --list $s"; }
  python3 - "${s%.yaml}.lock" "$s.images.json" <<'PY'
import json, sys, hashlib
lock_path, render_path = sys.argv[1], sys.argv[2]
lock = json.load(open(lock_path))
listed = json.load(open(render_path))["images"]
names = {i["name"] for i in listed}
images = [i for i in lock.get("images", []) if i["name"] not in names]
for i in listed:
    digest = "sha256:" + hashlib.sha256(i["ref"].encode()).hexdigest()
    images.append({"name": i["name"], "ref": i["ref"], "inputsDigest": digest, "digest": digest})
lock["images"] = sorted(images, key=lambda i: i["name"])
open(lock_path, "w").write(json.dumps(lock, indent=2, sort_keys=True) + "\n")
PY
}

# prepare NAME [RENDER_ARGS...]: copies stacks/NAME.stack.yaml (copy_stack) into $W with the loopback mirror,
# locks it, and records a made-up digest for every image of the stack (fake_digests).
prepare() {
  local name=$1 s="$W/$1.stack.yaml"
  shift
  copy_stack "$name" "$W"
  sed -i "s|^  mirror: .*|  mirror: $MIRROR|" "$s"
  "$STACKCTL" lock "$s" >/dev/null 2>"$W/lock.err" || { cat "$W/lock.err"; fail "lock $name"; }
  fake_digests "$s" "$@"
}

# rvs NS: every stackctl-managed object's kind/name=resourceVersion in namespace NS, sorted.
rvs() {
  $KUBECTL get configmaps,secrets,services,serviceaccounts,roles,rolebindings,deployments,statefulsets \
    -n "$1" -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\n"}{end}' | sort
}
