#!/usr/bin/env bash
# Images reaching the cluster (targets[].images), with real parts where they run here:
#   A. push through a Docker credential helper: a real docker-registry with htpasswd auth, a
#      ~/.docker/config.json whose credHelpers / credsStore name a helper script on PATH that
#      counts its runs; `stackctl build --push` (buildah) and `check --image` authenticate
#      through it (one run per stackctl run), skopeo with the same credentials confirms the
#      pushed digests, and the password never appears in any output;
#   B. minikube-load: `stackctl deploy` of a target with `images: minikube-load` against the
#      project's apiserver (tests/k8s) with a stand-in `minikube` script on PATH that records its
#      arguments and checks each archive with `skopeo inspect docker-archive:FILE` (no real
#      minikube here); kubectl confirms the pods run the tag with imagePullPolicy Never.
#   image_transfer.sh PATH/TO/stackctl. Exit 77 when buildah, busybox, htpasswd, skopeo or
#   docker-registry is missing or not root; part B is skipped when the apiserver cannot be had.
source "$(dirname "$0")/registry_lib.sh"
need_tools buildah busybox htpasswd
need_root "buildah storage and chroot isolation"

T0=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - T0))" "$*"; }
FIXTURE=$ROOT/tests/fixtures/build
STORAGE_DRIVER=$(bash "$ROOT/tool/scripts/storage-driver.sh" "$WORK/storage")  # overlay, else vfs
export STORAGE_DRIVER BUILDAH_ROOT=$WORK/storage/root BUILDAH_RUNROOT=$WORK/storage/runroot
USER_NAME=pusher
PASSWORD='pw-Hk3-helper-never-printed'

step "base image (busybox), mirror, registry with htpasswd"
"$ROOT/examples/quickstart/make-base-image.sh" --busybox >"$WORK/base.log" 2>&1 ||
  { cat "$WORK/base.log"; echo "FAIL: make-base-image.sh --busybox"; exit 1; }
JAR_DIR=$WORK/mirror/maven2/org/example/stackctl/tiny/1.0
mkdir -p "$JAR_DIR" "$WORK/jar/META-INF"
printf 'Manifest-Version: 1.0\n' >"$WORK/jar/META-INF/MANIFEST.MF"
(cd "$WORK/jar" && python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.write("META-INF/MANIFEST.MF"); z.close()' "$JAR_DIR/tiny-1.0.jar")
sha1sum "$JAR_DIR/tiny-1.0.jar" | cut -d' ' -f1 >"$JAR_DIR/tiny-1.0.jar.sha1"
start_mirror "$WORK/mirror"
MIRROR_PORT=$MPORT
mkdir -p "$WORK/auth"
htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$WORK/auth/htpasswd"
REG_PORT=$(free_port)
start_registry reg "$REG_PORT" "auth:
  htpasswd:
    realm: stackctl-test
    path: $WORK/auth/htpasswd"
REG=127.0.0.1:$REG_PORT

mkdir -p "$WORK/stack"
STACK=$WORK/stack/tiny.stack.yaml
LOCK=$WORK/stack/tiny.stack.lock
# Fixed tags: deploy matches the lock's entries against the stack's tags, which it cannot
# compute for {inputs} tags without planning a build.
sed -e "s/@MIRROR@/127.0.0.1:$MIRROR_PORT/g" -e "s/@REGISTRY@/$REG/g" -e "s/@SPARK@/4.0.1/g" \
  -e 's/tag: "{spark}-{inputs}"/tag: "{spark}-{revision}"/' "$FIXTURE/tiny.stack.yaml.in" >"$STACK"
cp -r "$FIXTURE/templates" "$WORK/templates"
BUILDER_FLAGS=(--builder buildah --storage-driver "$STORAGE_DRIVER" --storage-root "$BUILDAH_ROOT" --storage-runroot "$BUILDAH_RUNROOT")
COMMON=("${BUILDER_FLAGS[@]}" --templates "$WORK/templates" --work-dir "$WORK/build" --cache-dir "$WORK/cache")

# The helper: the docker-credential-helpers protocol, counting its runs and what it was asked.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/docker-credential-counting" <<EOF
#!/bin/sh
[ "\$1" = get ] || { echo "unsupported action \$1"; exit 1; }
server=\$(cat)
echo "\$server \$(ps -o comm= -p \$PPID)" >>"$WORK/helper.calls"
if [ "\$server" = "$REG" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "\$server" "$USER_NAME" "$PASSWORD"
else
  echo "credentials not found in native keychain"; exit 1
fi
EOF
chmod +x "$WORK/bin/docker-credential-counting"
export PATH="$WORK/bin:$PATH"
calls() { if [[ -f $WORK/helper.calls ]]; then grep -c . "$WORK/helper.calls"; else echo 0; fi; }
mkdir -p "$HOME/.docker"

# --- A. push through the helper --------------------------------------------------------------
step "A. build --push with credHelpers"
run "lock" 0 "$STACKCTL" lock "$STACK" --cache-dir "$WORK/cache"
run "push without credentials is refused by the registry" 4 "$STACKCTL" build "$STACK" --push "${COMMON[@]}"
printf '{"credHelpers": {"%s": "counting"}}\n' "$REG" >"$HOME/.docker/config.json"
: >"$WORK/helper.calls"
run "build --push through credHelpers" 0 "$STACKCTL" build "$STACK" --push "${COMMON[@]}"
expect "push names the user and the helper" "as $USER_NAME (docker-credential-counting (credHelpers in $HOME/.docker/config.json))" "$ERR"
reject "push: password not printed" "$PASSWORD" "$OUT$ERR"
reject "push: password not in the build logs" "$PASSWORD" "$(cat "$WORK"/build/logs/*.log 2>/dev/null)"
# buildah (containers/image) reads credHelpers in ~/.docker/config.json on its own as well, so
# runs started by buildah are counted apart: stackctl itself must ask once for the whole build.
BY_STACKCTL=$(grep -c -v -e ' buildah$' -e ' podman$' "$WORK/helper.calls" || true)
if [[ $BY_STACKCTL -eq 1 ]]; then pass "stackctl ran the helper once for the whole build"; else fail "stackctl ran the helper $BY_STACKCTL times:"; cat "$WORK/helper.calls"; fi
echo "info: the helper was run $(grep -c -e ' buildah$' "$WORK/helper.calls" || true) time(s) by buildah itself"
expect "helper was asked about the registry host" "$REG" "$(cat "$WORK/helper.calls")"
leftover=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'stackctl-auth-*' -newer "$STACK" 2>/dev/null | head -1)
if [[ -z $leftover ]]; then pass "no credentials file left behind"; else fail "left behind: $leftover"; fi
for img in tiny-root tiny-child; do
  ref=$(python3 -c 'import json,sys; print(next(i["ref"] for i in json.load(open(sys.argv[1]))["images"] if i["name"]==sys.argv[2]))' "$LOCK" "$img")
  digest=$(python3 -c 'import json,sys; print(next(i["digest"] for i in json.load(open(sys.argv[1]))["images"] if i["name"]==sys.argv[2]))' "$LOCK" "$img")
  sk=$(skopeo_digest "$ref" --creds "$USER_NAME:$PASSWORD")
  if [[ -n $digest && $sk == "$digest" ]]; then pass "$img: skopeo sees the pushed digest $digest"; else fail "$img: skopeo $sk, lock $digest"; fi
done

step "A. check --image with credsStore"
ROOT_REF=$(python3 -c 'import json,sys; print(next(i["ref"] for i in json.load(open(sys.argv[1]))["images"] if i["name"]=="tiny-root"))' "$LOCK")
printf '{"credsStore": "counting"}\n' >"$HOME/.docker/config.json"
: >"$WORK/helper.calls"
run "check --image through credsStore" 0 "$STACKCTL" check "$STACK" --image "$ROOT_REF"
if [[ $(calls) -eq 1 ]]; then pass "credsStore helper ran once"; else fail "credsStore helper ran $(calls) times"; fi
reject "check: password not printed" "$PASSWORD" "$OUT$ERR"
printf '{"credHelpers": {"%s": "absent"}}\n' "$REG" >"$HOME/.docker/config.json"
run "a helper that is not installed" 4 "$STACKCTL" check "$STACK" --image "$ROOT_REF"
expect "names the helper and the file" "docker-credential-absent (credHelpers in $HOME/.docker/config.json)" "$ERR"
printf '{"credHelpers": {"other.test": "counting"}, "credsStore": "counting"}\n' >"$HOME/.docker/config.json"
sed -i "s/^if \[ \"\$server\" = \"$REG\" \]/if [ \"\$server\" = none ]/" "$WORK/bin/docker-credential-counting"
run "helper without credentials for the registry: anonymous, refused" 4 "$STACKCTL" check "$STACK" --image "$ROOT_REF"
expect "says no credentials were found" "no credentials for it were found" "$ERR"
rm -f "$HOME/.docker/config.json"

# --- B. minikube-load ------------------------------------------------------------------------
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
KC=
if [[ -x $H/bin/kube-apiserver ]]; then KC=$(bash "$ROOT/tests/k8s/ensure.sh" 2>/dev/null | tail -1 || true); fi
if [[ -z $KC || ! -f $KC ]]; then
  echo "SKIP (part B): the project's apiserver is not available here (tests/k8s/ensure.sh)"
  finish
fi
KUBECTL=("$H/bin/kubectl" --kubeconfig "$KC")
CONTEXT=$("${KUBECTL[@]}" config current-context)
NS=images-load-$(od -An -N3 -tx1 /dev/urandom | tr -d ' ')
at_exit '"${KUBECTL[@]}" delete namespace "$NS" --wait=false >/dev/null 2>&1 || true'

step "B. deploy a minikube-load target (fake minikube)"
cat >>"$STACK" <<EOF
services:
  connect:
    image: tiny-child
targets:
  - name: local
    kind: minikube
    context: $CONTEXT
    namespace: $NS
    images: minikube-load
EOF
cat >"$WORK/bin/minikube" <<EOF
#!/bin/sh
# Stand-in for minikube: records its arguments; "image load FILE" checks FILE is an archive.
echo "\$*" >>"$WORK/minikube.calls"
[ "\$1" = version ] && { echo "minikube version: v0.0.0-fake"; exit 0; }
for a in "\$@"; do file=\$a; done
skopeo inspect "docker-archive:\$file" >"$WORK/inspect.\$(basename "\$file").json" || exit 3
EOF
chmod +x "$WORK/bin/minikube"
run "build into the local store" 0 "$STACKCTL" build "$STACK" "${COMMON[@]}"
run "deploy --dry-run loads nothing" 0 "$STACKCTL" deploy "$STACK" --target local --kubeconfig "$KC" \
  --dry-run "${BUILDER_FLAGS[@]}" --work-dir "$WORK/build"
expect "dry run says what it would load" "would load  $REG/test/tiny-child:" "$ERR"
if [[ ! -f $WORK/minikube.calls ]]; then pass "dry run: minikube not run"; else fail "dry run ran minikube"; fi
run "deploy loads, then applies" 0 "$STACKCTL" deploy "$STACK" --target local --kubeconfig "$KC" \
  --no-wait "${BUILDER_FLAGS[@]}" --work-dir "$WORK/build"
CHILD_REF=$(python3 -c 'import json,sys; print(next(i["ref"] for i in json.load(open(sys.argv[1]))["images"] if i["name"]=="tiny-child"))' "$LOCK")
CHILD_INPUTS=$(python3 -c 'import json,sys; print(next(i["inputsDigest"] for i in json.load(open(sys.argv[1]))["images"] if i["name"]=="tiny-child"))' "$LOCK")
expect "minikube image load of the archive, with the context as profile" \
  "-p $CONTEXT image load $WORK/build/archives/tiny-child.tar" "$(cat "$WORK/minikube.calls" 2>/dev/null)"
if [[ -s $WORK/inspect.tiny-child.tar.json ]] &&
  python3 - "$WORK/inspect.tiny-child.tar.json" "$CHILD_INPUTS" <<'PY'; then pass "skopeo reads the archive: the lock's image (inputs digest label)"; else fail "archive not what the lock pins"; fi
import json, sys
d = json.load(open(sys.argv[1]))
assert d["Labels"]["io.stackctl.inputs-digest"] == sys.argv[2], d["Labels"]
PY
if [[ ! -e $WORK/build/archives/tiny-child.tar ]]; then pass "archive removed after loading"; else fail "archive left"; fi
IMAGE=$("${KUBECTL[@]}" -n "$NS" get deployment build-push-test-connect -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].imagePullPolicy}')
if [[ $IMAGE == "$CHILD_REF Never" ]]; then pass "kubectl: the pod runs the loaded tag, never pulled"; else fail "kubectl: [$IMAGE], want [$CHILD_REF Never]"; fi

step "B. refusals"
bh() { buildah --storage-driver "$STORAGE_DRIVER" --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" "$@"; }
bh rmi "$CHILD_REF" >/dev/null 2>&1 || true
: >"$WORK/minikube.calls"
run "an image missing from the store is refused" 1 "$STACKCTL" deploy "$STACK" --target local --kubeconfig "$KC" \
  --no-wait "${BUILDER_FLAGS[@]}" --work-dir "$WORK/build"
expect "names the image and the build to run" "$CHILD_REF is not in the buildah store" "$ERR"
expect "names the build to run" "run \`stackctl build $STACK\`" "$ERR"
if [[ ! -s $WORK/minikube.calls ]]; then pass "refused: nothing loaded"; else fail "refused but loaded"; fi
rm "$WORK/bin/minikube"
if command -v minikube >/dev/null 2>&1; then
  echo "SKIP (minikube missing): a real minikube is installed here"
else
  run "build again" 0 "$STACKCTL" build "$STACK" "${COMMON[@]}"
  run "minikube not installed" 4 "$STACKCTL" deploy "$STACK" --target local --kubeconfig "$KC" \
    --no-wait "${BUILDER_FLAGS[@]}" --work-dir "$WORK/build"
  expect "says minikube cannot be run" "but minikube cannot be run" "$ERR"
fi
finish
