#!/usr/bin/env bash
# stackctl lock + build --push end to end, for real: a TWO-image stack (tests/fixtures/build/:
# tiny-root FROM a local busybox base, tiny-child FROM tiny-root, recipes from --templates) built
# with buildah (overlay storage where the kernel allows it, else vfs, in a temp folder), one jar from a loopback HTTP mirror
# (tests/servers/mirror_server.py) verified against the .sha1 beside it, pushed to a real
# docker-registry on loopback, with skopeo as the independent client. Checks:
#   1. lock resolves the jar's checksum from its .sha1 (origin resolved);
#   2. build --push builds and pushes both; skopeo sees both tags, their digests are the lock's,
#      and the labels (inputs digest, the recipe's) are on the pushed images;
#   3. a second build --push skips both and leaves the lock byte-identical;
#   4. a change to the child's recipe rebuilds only the child; one to the root's rebuilds both;
#   5. --dry-run prints the plan and builds nothing;
#   5b. a malformed --build-arg or --push without registry.url fails before any download;
#   6. a jar that changed on the mirror after the lock pinned it is refused (both checksums);
#   7. check --image passes on a pushed image and fails on one with other version labels;
#   7b. check --image finds an application's local:// file in the pushed image's layers (through
#       a symlink), and reports one that is in no layer and one a whiteout deleted (SC030); the
#       seed's pi_s3.py (stacks/apps/), copied in by the image's `files`, is found at its `to`;
#   8. SIGTERM during a RUN step stops the builder and the step, exit 143, lock untouched;
#   8b. with an empty local store, images already in the registry skip and nothing is pushed;
#   9. a registry that is down is a clear error, exit 4, lock untouched.
#   build_push.sh PATH/TO/stackctl
# STACKCTL_TEST_BUILDER=podman runs the same checks with `--builder podman` (podman and buildah
# share the storage, so the test's own look inside the images still uses buildah).
# Exit 77 (skipped) when buildah (or the chosen builder), skopeo, docker-registry, python3 or
# busybox is missing, or when not run as root. KEEP_WORK=1 keeps the temp folder (storage, logs)
# for a look afterwards.
source "$(dirname "$0")/registry_lib.sh"
BUILDER=${STACKCTL_TEST_BUILDER:-buildah}
need_tools buildah busybox "$BUILDER"
need_root "$BUILDER storage and chroot isolation"

T0=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - T0))" "$*"; }
FIXTURE=$ROOT/tests/fixtures/build
STORAGE=$WORK/storage
STORAGE_DRIVER=$(bash "$ROOT/tool/scripts/storage-driver.sh" "$STORAGE")  # overlay, else vfs
export STORAGE_DRIVER BUILDAH_ROOT=$STORAGE/root BUILDAH_RUNROOT=$STORAGE/runroot
bh() { buildah --storage-driver "$STORAGE_DRIVER" --root "$BUILDAH_ROOT" --runroot "$BUILDAH_RUNROOT" "$@"; }
SK=(skopeo --policy "$WORK/policy.json")

step "base image (busybox, own storage)"
"$ROOT/examples/quickstart/make-base-image.sh" --busybox >"$WORK/base.log" 2>&1 ||
  { cat "$WORK/base.log"; echo "FAIL: make-base-image.sh --busybox"; exit 1; }

step "mirror and registry on 127.0.0.1"
MIRROR_DIR=$WORK/mirror
JAR_DIR=$MIRROR_DIR/maven2/org/example/stackctl/tiny/1.0
mkdir -p "$JAR_DIR" "$WORK/jar/META-INF"
printf 'Manifest-Version: 1.0\nCreated-By: stackctl build_push.sh\n' >"$WORK/jar/META-INF/MANIFEST.MF"
(cd "$WORK/jar" && python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.write("META-INF/MANIFEST.MF"); z.close()' "$JAR_DIR/tiny-1.0.jar")
sha1sum "$JAR_DIR/tiny-1.0.jar" | cut -d' ' -f1 >"$JAR_DIR/tiny-1.0.jar.sha1"
JAR_SHA1=$(cat "$JAR_DIR/tiny-1.0.jar.sha1")
start_mirror "$MIRROR_DIR"
MIRROR_PORT=$MPORT
REG_PORT=$(free_port)
start_registry reg "$REG_PORT"
REG_PID=${PIDS[-1]}
REG=127.0.0.1:$REG_PORT

# make_stack OUT SPARK: the fixture with this run's ports and Spark version.
make_stack() {
  sed -e "s/@MIRROR@/127.0.0.1:$MIRROR_PORT/g" -e "s/@REGISTRY@/$REG/g" -e "s/@SPARK@/$2/g" \
    "$FIXTURE/tiny.stack.yaml.in" >"$1"
}
mkdir -p "$WORK/stack"
STACK=$WORK/stack/tiny.stack.yaml
LOCK=$WORK/stack/tiny.stack.lock
make_stack "$STACK" 4.0.1
TEMPLATES=$WORK/templates
cp -r "$FIXTURE/templates" "$TEMPLATES"
COMMON=(--builder "$BUILDER" --storage-driver "$STORAGE_DRIVER" --storage-root "$BUILDAH_ROOT" --storage-runroot "$BUILDAH_RUNROOT"
  --templates "$TEMPLATES" --work-dir "$WORK/build")
CACHE=(--cache-dir "$WORK/cache")

# lock_field IMAGE FIELD: ref / inputsDigest / digest of IMAGE in the lock.
lock_field() {
  python3 - "$LOCK" "$1" "$2" <<'EOF'
import json, sys
lock = json.load(open(sys.argv[1]))
print(next(i[sys.argv[3]] for i in lock["images"] if i["name"] == sys.argv[2]))
EOF
}
# plan_line IMAGE: the plan line stackctl printed for IMAGE ("build  tiny-root  REF  (why)").
plan_line() { grep -E "^[a-z]+  $1  " <<<"$OUT" || true; }
# store: every image in the local store (id and names), to see that nothing was built.
store() { bh images --all --noheading --format '{{.ID}} {{.Name}}:{{.Tag}}' | sort; }
same_lock() {  # NAME SAVED_COPY
  if cmp -s "$2" "$LOCK"; then pass "$1"; else fail "$1"; diff "$2" "$LOCK" || true; fi
}

# 1. lock: the jar's checksum comes from the .sha1 beside it.
step "1. lock"
run "lock resolves checksums" 0 "$STACKCTL" lock "$STACK" --cache-dir "$WORK/cache"
expect "lock says where the checksum came from" "tiny-1.0.jar.sha1" "$ERR"
python3 - "$LOCK" "$JAR_SHA1" >"$WORK/check" 2>&1 <<'EOF' && pass "lock: jar sha1 resolved, spark pinned" || { fail "lock contents"; cat "$WORK/check"; }
import json, sys
lock = json.load(open(sys.argv[1]))
arts = {a["name"]: a for a in lock["artifacts"]}
jar = arts["org.example.stackctl:tiny:1.0"]
assert jar["checksum"] == "sha1:" + sys.argv[2], jar
assert jar["origin"] == "resolved", jar
assert arts["spark"]["origin"] == "stack", arts["spark"]
EOF

# 2. build --push: both built and pushed; skopeo agrees with the lock.
step "2. build --push"
run "build --push" 0 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
expect "root built" "build  tiny-root  $REG/test/tiny-root:4.0.1-" "$OUT"
expect "child built" "build  tiny-child  $REG/test/tiny-child:4.0.1-" "$OUT"
expect "one line a step on stderr" "[tiny-root " "$ERR"
for img in tiny-root tiny-child; do
  ref=$(lock_field $img ref)
  inputs=$(lock_field $img inputsDigest)
  digest=$(lock_field $img digest)
  [[ $ref == "$REG/test/$img:4.0.1-${inputs:7:12}" ]] && pass "$img: tag carries the inputs digest" ||
    fail "$img: ref $ref, inputs $inputs"
  if "${SK[@]}" inspect --tls-verify=false "docker://$ref" >"$WORK/$img.inspect.json" 2>"$WORK/skopeo.err"; then
    pass "$img: skopeo finds $ref"
  else
    fail "$img: skopeo inspect $ref"; cat "$WORK/skopeo.err"; continue
  fi
  python3 - "$WORK/$img.inspect.json" "$digest" "$inputs" "$img" >"$WORK/check" 2>&1 <<'EOF' && pass "$img: registry digest = lock digest, labels present" || { fail "$img: skopeo vs lock"; cat "$WORK/check"; }
import json, sys
info = json.load(open(sys.argv[1]))
digest, inputs, img = sys.argv[2:]
assert digest.startswith("sha256:") and info["Digest"] == digest, (info["Digest"], digest)
labels = info["Labels"]
want = {"io.stackctl.inputs-digest": inputs, "io.stackctl.test.recipe": img,
        "io.stackctl.image": img, "io.stackctl.stack": "build-push-test",
        "io.stackctl.versions.spark": "4.0.1",
        "org.opencontainers.image.version": "4.0.1-" + inputs[7:19]}
bad = {k: (v, labels.get(k)) for k, v in want.items() if labels.get(k) != v}
assert not bad, bad
EOF
done
ROOT_REF=$(lock_field tiny-root ref)
CHILD_REF=$(lock_field tiny-child ref)
# The jar really is in the root image, and the child is FROM the root.
c=$(bh from --quiet "$CHILD_REF")
m=$(bh mount "$c")
cmp -s "$m/opt/jars/tiny-1.0.jar" "$JAR_DIR/tiny-1.0.jar" && pass "child has the root's verified jar" || fail "jar in child"
[[ $(cat "$m/etc/tiny-child.txt") == "tiny-child v1" ]] && pass "child has its recipe file" || fail "child.txt"
bh umount "$c" >/dev/null
bh rm "$c" >/dev/null

# 3. Nothing changed: both skip, the lock is the same bytes.
step "3. second build --push"
cp "$LOCK" "$WORK/lock.2"
# A spy in front of the builder counts how often the local store is asked: podman takes both
# images in one `image inspect`, buildah's inspect takes one image per call.
mkdir -p "$WORK/spy"
printf '#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n' "$WORK/spy.log" "$(command -v "$BUILDER")" \
  > "$WORK/spy/$BUILDER"
chmod +x "$WORK/spy/$BUILDER"
: > "$WORK/spy.log"
PATH="$WORK/spy:$PATH" run "second build --push" 0 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
inspects=$(grep -c ' inspect ' "$WORK/spy.log" || true)
if [ "$BUILDER" = podman ]; then want_inspects=1; else want_inspects=2; fi
[ "$inspects" = "$want_inspects" ] && pass "no-op: the store asked $inspects time(s) for 2 images ($BUILDER)" ||
  { cat "$WORK/spy.log"; fail "no-op: $BUILDER was asked $inspects times, expected $want_inspects"; }
expect "root skipped" "skip  tiny-root  $ROOT_REF  (up to date" "$OUT"
expect "child skipped" "skip  tiny-child  $CHILD_REF  (up to date" "$OUT"
reject "nothing built" "building " "$ERR"
same_lock "lock byte-identical after a no-op build" "$WORK/lock.2"
reject "lock not rewritten" "wrote " "$ERR"
run "frozen build, nothing changed" 0 "$STACKCTL" build "$STACK" --frozen --push "${COMMON[@]}" "${CACHE[@]}"
expect "frozen: both skip" "skip  tiny-child  $CHILD_REF" "$OUT"
same_lock "frozen: lock byte-identical" "$WORK/lock.2"

# 4a. A child recipe file changes: only the child is rebuilt, under a new tag.
step "4. recipe changes"
echo "tiny-child v2" >"$TEMPLATES/images/tiny-child/child.txt"
run "build after a child change" 0 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
expect "root still skipped" "skip  tiny-root  $ROOT_REF  (up to date" "$OUT"
expect "child rebuilt" "build  tiny-child  $REG/test/tiny-child:4.0.1-" "$OUT"
CHILD_REF2=$(lock_field tiny-child ref)
[[ $CHILD_REF2 != "$CHILD_REF" ]] && pass "child has a new tag ($CHILD_REF2)" || fail "child tag unchanged"
[[ $(lock_field tiny-root ref) == "$ROOT_REF" ]] && pass "root unchanged in the lock" || fail "root ref changed"
[[ $(skopeo_digest "$CHILD_REF2") == "$(lock_field tiny-child digest)" ]] && pass "new child pushed, digest in lock" ||
  fail "new child digest"
# 4b. A root recipe file changes: both are rebuilt.
echo "tiny-root v2" >"$TEMPLATES/images/tiny-root/root.txt"
run "build after a root change" 0 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
expect "root rebuilt" "build  tiny-root  " "$OUT"
expect "child rebuilt with it" "build  tiny-child  " "$OUT"
[[ $(lock_field tiny-root ref) != "$ROOT_REF" && $(lock_field tiny-child ref) != "$CHILD_REF2" ]] &&
  pass "both have new tags" || fail "tags after a root change"
ROOT_REF=$(lock_field tiny-root ref)
CHILD_REF=$(lock_field tiny-child ref)

# 5. --dry-run: the plan, nothing built, lock untouched.
step "5. --dry-run"
echo "tiny-child v3" >"$TEMPLATES/images/tiny-child/child.txt"
store >"$WORK/store.before"
cp "$LOCK" "$WORK/lock.5"
run "dry run" 0 "$STACKCTL" build "$STACK" --push --dry-run "${COMMON[@]}" "${CACHE[@]}"
expect "dry run: root skip" "skip  tiny-root  $ROOT_REF" "$OUT"
expect "dry run: child build" "build  tiny-child  $REG/test/tiny-child:4.0.1-" "$OUT"
expect "dry run: says why" "(not built yet)" "$OUT"
reject "dry run: nothing built" "building " "$ERR"
store >"$WORK/store.after"
if cmp -s "$WORK/store.before" "$WORK/store.after"; then pass "dry run: local store unchanged"; else
  fail "dry run changed the store"; diff "$WORK/store.before" "$WORK/store.after" || true; fi
same_lock "dry run: lock untouched" "$WORK/lock.5"
run "dry run as json" 0 "$STACKCTL" build "$STACK" --push --dry-run "${COMMON[@]}" "${CACHE[@]}" -o json
expect "json plan" '"action": "build"' "$OUT"
python3 - "$OUT" <<'PY' && pass "json plan: each image's parent, FROM, tag and artifacts as data" || fail "json plan lacks the plan's data: $OUT"
import json, sys
images = {i["image"]: i for i in json.loads(sys.argv[1])["images"]}
root, child = images["tiny-root"], images["tiny-child"]
assert root["parent"] is None and child["parent"] == "tiny-root", images
assert child["baseRef"] == root["ref"] and root["ref"].endswith(":" + root["tag"]), images
assert root["artifacts"] and all(a["url"] and a["checksum"] and a["path"].startswith("artifacts/") for a in root["artifacts"]), root
PY
run "frozen refuses a changed recipe" 5 "$STACKCTL" build "$STACK" --frozen --push "${COMMON[@]}" "${CACHE[@]}"
expect "frozen: names what would change" "tiny-child" "$ERR"
same_lock "frozen: lock untouched" "$WORK/lock.5"
store >"$WORK/store.after"
cmp -s "$WORK/store.before" "$WORK/store.after" && pass "frozen: nothing built" || fail "frozen: store changed"
echo "tiny-child v2" >"$TEMPLATES/images/tiny-child/child.txt"

# 5b. Command-line mistakes are reported before anything is fetched: this stack has no lock, no
# registry, and a mirror where nothing listens, so reaching for the network would exit 4.
step "5b. bad command lines"
grep -v -e '^registry:' -e '^  url: @' -e '^  insecure: ' "$FIXTURE/tiny.stack.yaml.in" |
  sed -e "s/@MIRROR@/127.0.0.1:9/g" -e "s/@SPARK@/4.0.1/g" >"$WORK/stack/no-registry.stack.yaml"
run "malformed --build-arg" 2 "$STACKCTL" build "$WORK/stack/no-registry.stack.yaml" --build-arg NOEQUALS "${COMMON[@]}" "${CACHE[@]}"
expect "build-arg: says what is expected" "stackctl: --build-arg NOEQUALS: expected KEY=VALUE" "$ERR"
run "--push without registry.url" 1 "$STACKCTL" build "$WORK/stack/no-registry.stack.yaml" --push "${COMMON[@]}" "${CACHE[@]}"
expect "push: names the missing key" 'stackctl: --push needs `registry.url` in the stack' "$ERR"

# 6. The jar on the mirror changed after the lock pinned it: refused, both checksums shown.
step "6. corrupted artifact"
cp "$JAR_DIR/tiny-1.0.jar" "$WORK/tiny-1.0.jar.good"
echo "tampered" >>"$JAR_DIR/tiny-1.0.jar"
BAD_SHA1=$(sha1sum "$JAR_DIR/tiny-1.0.jar" | cut -d' ' -f1)
echo "tiny-root v3" >"$TEMPLATES/images/tiny-root/root.txt"  # so the root (and its jar) is built
cp "$LOCK" "$WORK/lock.6"
store >"$WORK/store.before"
run "corrupted jar refused" 4 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" --cache-dir "$WORK/cache-fresh"
expect "names the artifact" "checksum mismatch for org.example.stackctl:tiny:1.0" "$ERR"
expect "shows the expected checksum" "$JAR_SHA1" "$ERR"
expect "shows the actual checksum" "$BAD_SHA1" "$ERR"
same_lock "corrupted jar: lock untouched" "$WORK/lock.6"
store >"$WORK/store.after"
cmp -s "$WORK/store.before" "$WORK/store.after" && pass "corrupted jar: nothing built" || fail "corrupted jar: store changed"
cp "$WORK/tiny-1.0.jar.good" "$JAR_DIR/tiny-1.0.jar"
echo "tiny-root v2" >"$TEMPLATES/images/tiny-root/root.txt"

# 7. check --image: the pushed image matches the stack; one built with Spark 3.5.1 labels does not.
step "7. check --image"
# The tag template has {inputs}: SI003 accepts any 12 hex digits there (core/knowledge/check_image.cpp).
run "check pushed image" 0 "$STACKCTL" check "$STACK" --image "$ROOT_REF"
expect "matches" "matches the stack" "$OUT"
make_stack "$WORK/stack/variant.stack.yaml" 3.5.1
run "build a 3.5.1 variant" 0 "$STACKCTL" build "$WORK/stack/variant.stack.yaml" --push "${COMMON[@]}" "${CACHE[@]}" -o json
# The reference from the build's JSON (docs/build.md, "JSON"), not from its text.
VARIANT_REF=$(python3 -c 'import json, sys; print(next(i["ref"] for i in json.load(sys.stdin)["images"] if i["image"] == "tiny-root"))' <<<"$OUT")
[[ $VARIANT_REF == "$REG/test/tiny-root:3.5.1-"* ]] && pass "variant pushed ($VARIANT_REF)" || fail "variant ref [$VARIANT_REF]"
run "check mismatched image" 1 "$STACKCTL" check "$STACK" --image "$VARIANT_REF"
expect "SI002 names the label and both values" \
  "has label io.stackctl.versions.spark \"3.5.1\" but the stack has versions.spark \"4.0.1\" [SI002]" "$OUT"

# 7b. Applications' local:// files in the layers of the image they run (SC030). A third image,
# tiny-app FROM tiny-child (tests/fixtures/build/templates/images/tiny-app), deletes
# /etc/tiny-root.txt in its layer (a whiteout) and links /opt/etc-link -> /etc, then COPYs the
# stack's own file apps/pi_s3.py (images[].files, the seed's application of custom-app) in a layer
# of its own; root and child are already pushed and skip, so only that one small image is built.
step "7b. check --image: applications' files"
APPS=$WORK/stack/apps.stack.yaml
mkdir -p "$WORK/stack/apps"
cp "$ROOT/stacks/apps/pi_s3.py" "$WORK/stack/apps/pi_s3.py"
cat "$STACK" - >"$APPS" <<'YAML'
  - name: tiny-app
    from: {image: tiny-child}
    recipe: tiny-app
    tag: "{spark}-{inputs}"
    python: true
    files:
      - {from: apps/pi_s3.py, to: /opt/app/pi_s3.py}
applications:
  - name: present
    image: tiny-app
    mainResource: local:///opt/etc-link/tiny-child.txt
  - name: absent
    image: tiny-app
    mainResource: local:///opt/none/missing.py
  - name: deleted
    image: tiny-app
    mainResource: local:///etc/tiny-root.txt
  - name: pi-s3
    image: tiny-app
    mainResource: local:///opt/app/pi_s3.py
YAML
run "build the application image" 0 "$STACKCTL" build "$APPS" --push "${COMMON[@]}" "${CACHE[@]}" -o json
APP_DIGEST=$(python3 -c 'import json, sys; print(next(i["digest"] for i in json.load(sys.stdin)["images"] if i["image"] == "tiny-app"))' <<<"$OUT")
APP_AT="$REG/test/tiny-app@$APP_DIGEST"
APP_LAYERS=$("${SK[@]}" inspect --tls-verify=false "docker://$APP_AT" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["Layers"]))')
CHILD_LAYERS=$("${SK[@]}" inspect --tls-verify=false "docker://$CHILD_REF" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["Layers"]))')
[[ $APP_LAYERS -eq $((CHILD_LAYERS + 2)) ]] && pass "tiny-app has $APP_LAYERS layers (RUN and COPY over tiny-child's $CHILD_LAYERS)" || fail "tiny-app layers [$APP_LAYERS, child $CHILD_LAYERS]"
# The built image holds the stack's file byte for byte, owned by 185 (--chown in the COPY).
c=$(bh from --quiet --tls-verify=false "$APP_AT")  # the pushed image, from the registry
m=$(bh mount "$c")
cmp -s "$m/opt/app/pi_s3.py" "$ROOT/stacks/apps/pi_s3.py" && pass "images[].files: pi_s3.py in the image at its to" || fail "pi_s3.py in the image"
[[ $(stat -c %u:%g "$m/opt/app/pi_s3.py") == 185:185 ]] && pass "images[].files: owned by 185:185" || fail "owner $(stat -c %u:%g "$m/opt/app/pi_s3.py")"
bh umount "$c" >/dev/null
bh rm "$c" >/dev/null
run "check the applications' files" 1 "$STACKCTL" check "$APPS" --image "$APP_AT"
expect "a file through a symlink is found in tiny-child's layer" \
  "  application present: mainResource local:///opt/etc-link/tiny-child.txt: found (/etc/tiny-child.txt, layer $CHILD_LAYERS of $APP_LAYERS)" "$OUT"
expect "a file in no layer: SC030 with the exact message" \
  "apps.stack.yaml:51:19: error: applications[1].mainResource: application \"absent\": mainResource local:///opt/none/missing.py is not in image $APP_AT: /opt/none is in no layer of the image [SC030]" "$OUT"
expect "a file deleted by a whiteout: SC030" \
  "applications[2].mainResource: application \"deleted\": mainResource local:///etc/tiny-root.txt is not in image $APP_AT: /etc/tiny-root.txt is deleted in layer $((APP_LAYERS - 1)) (whiteout /etc/.wh.tiny-root.txt) [SC030]" "$OUT"
expect "images[].files: the stack's own file is found at its to, in the COPY's layer" \
  "  application pi-s3: mainResource local:///opt/app/pi_s3.py: found (/opt/app/pi_s3.py, layer $APP_LAYERS of $APP_LAYERS)" "$OUT"
expect "the image was read once, all its layers" "  read $APP_LAYERS of $APP_LAYERS layers from the top" "$OUT"
expect "its labels judged too" "image $APP_AT: $APP_DIGEST (linux/amd64" "$OUT"
run "json: each file's state" 1 "$STACKCTL" check "$APPS" --image "$APP_AT" -o json
python3 - "$OUT" <<'PY' && pass "json: found, missing, missing, found" || fail "json files: $OUT"
import json, sys
files = json.loads(sys.argv[1])["images"][0]["files"]
assert [(f["application"], f["state"]) for f in files] == [("present", "found"), ("absent", "missing"), ("deleted", "missing"), ("pi-s3", "found")], files
assert files[0]["links"] == ["/opt/etc-link -> /etc"], files[0]
PY
# Only with --image does check read a registry: without it, no SC030 and no registry traffic.
run "no --image, no layers read" 0 "$STACKCTL" check "$APPS"
reject "no SC030 without --image" "SC030" "$OUT"

# 8. Interrupted: SIGTERM while a RUN step runs stops the builder and the step; exit 143.
step "8. interrupted build"
CHILD_RECIPE=$TEMPLATES/images/tiny-child/Dockerfile.mustache
cp "$CHILD_RECIPE" "$WORK/child-recipe.good"
echo 'RUN sleep 299' >>"$CHILD_RECIPE"
cp "$LOCK" "$WORK/lock.int"
"$STACKCTL" build "$STACK" "${COMMON[@]}" "${CACHE[@]}" >"$WORK/int.out" 2>"$WORK/int.err" &
SC_PID=$!
for _ in $(seq 1200); do pgrep -x -f 'sleep 299' >/dev/null && break; sleep 0.1; done
if pgrep -x -f 'sleep 299' >/dev/null; then pass "interrupt: the RUN step is running"; else
  fail "interrupt: the RUN step never started"; cat "$WORK/int.err"; fi
T_INT=$SECONDS
kill -TERM "$SC_PID"
RC=0
wait "$SC_PID" || RC=$?
[[ $RC == 143 ]] && pass "interrupt: exit 143 (128 + SIGTERM)" || { fail "interrupt: exit $RC"; cat "$WORK/int.err"; }
((SECONDS - T_INT < 30)) && pass "interrupt: stopped within 30 s" || fail "interrupt: took $((SECONDS - T_INT)) s"
expect "interrupt: says so" "stackctl: interrupted (Terminated); stopped the processes it had started" "$(cat "$WORK/int.err")"
sleep 1
pgrep -x -f 'sleep 299' >/dev/null && fail "interrupt: the RUN step still runs" || pass "interrupt: the RUN step was stopped"
pgrep -f "$BUILDER .*$BUILDAH_ROOT" >/dev/null && fail "interrupt: $BUILDER still runs" || pass "interrupt: no $BUILDER left"
same_lock "interrupt: lock untouched" "$WORK/lock.int"
bh rm --all >/dev/null  # buildah leaves its working container behind when stopped
cp "$WORK/child-recipe.good" "$CHILD_RECIPE"

# 8b. A fresh machine (CI): nothing in the local store, both images in the registry. Both skip
# as up to date in the registry, nothing is pushed, and the lock stays byte-identical.
step "8b. up to date in the registry only"
bh rmi -f "$CHILD_REF" "$ROOT_REF" >/dev/null
cp "$LOCK" "$WORK/lock.8b"
run "build --push with an empty local store" 0 "$STACKCTL" build "$STACK" --frozen --push "${COMMON[@]}" "${CACHE[@]}"
expect "registry-only: root skipped" "skip  tiny-root  $ROOT_REF  (up to date (registry))  $(lock_field tiny-root digest)" "$OUT"
expect "registry-only: child skipped" "skip  tiny-child  $CHILD_REF  (up to date (registry))  $(lock_field tiny-child digest)" "$OUT"
reject "registry-only: nothing built" "building " "$ERR"
reject "registry-only: nothing pushed" "pushing " "$ERR"
same_lock "registry-only: lock byte-identical" "$WORK/lock.8b"
for ref in "$ROOT_REF" "$CHILD_REF"; do  # back into the local store for step 9
  bh pull --quiet --tls-verify=false "docker://$ref" >/dev/null
done

# 9. The registry is down: a clear error, exit 4, the lock as it was.
step "9. registry down"
kill "$REG_PID"
wait "$REG_PID" 2>/dev/null || true
cp "$LOCK" "$WORK/lock.8"
run "push to a registry that is down" 4 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
expect "down: the builder's own words" "connection refused" "$ERR"
expect "down: stackctl says the registry cannot be reached" "cannot push $ROOT_REF: cannot reach registry $REG" "$ERR"
same_lock "registry down: lock untouched" "$WORK/lock.8"
# Something to build too: the registry is asked whether the new tag exists, and cannot answer.
echo "tiny-child v4" >"$TEMPLATES/images/tiny-child/child.txt"
run "plan against a registry that is down" 4 "$STACKCTL" build "$STACK" --push "${COMMON[@]}" "${CACHE[@]}"
expect "down: cannot reach" "cannot reach registry $REG" "$ERR"
same_lock "registry down (plan): lock untouched" "$WORK/lock.8"

step "done"
finish
