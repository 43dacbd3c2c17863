#!/usr/bin/env bash
# stackctl check --image against a real docker-registry, with skopeo as the independent client:
# a matching image passes, a mismatched one fails with SI002, an unlabelled one warns with SI001,
# a multi-platform index resolves to --platform, the digest stackctl reports is skopeo's, and a
# registry that is down or a tag that does not exist is a clear external error (exit 4).
#   registry_check_image.sh PATH/TO/stackctl
source "$(dirname "$0")/registry_lib.sh"

PORT=$(free_port)
start_registry anon "$PORT"
REG=127.0.0.1:$PORT
LAYOUT=$WORK/layout

python3 "$HERE/oci_layout.py" "$LAYOUT" good "${GOOD_LABELS[@]}" >/dev/null
BAD_LABELS=("${GOOD_LABELS[@]}")
BAD_LABELS[5]=io.stackctl.versions.spark=3.5.1
python3 "$HERE/oci_layout.py" "$LAYOUT" bad "${BAD_LABELS[@]}" >/dev/null
python3 "$HERE/oci_layout.py" "$LAYOUT" plain --label maintainer=someone-else >/dev/null
python3 "$HERE/oci_layout.py" "$LAYOUT" multi "${GOOD_LABELS[@]}" \
  --platform linux/amd64 --platform linux/arm64 >/dev/null
push "$LAYOUT" good "$REG/demo/spark-base:good"
push "$LAYOUT" bad "$REG/demo/spark-base:bad"
push "$LAYOUT" plain "$REG/demo/other:plain"
push "$LAYOUT" multi "$REG/demo/spark-base:multi" --all

# 1. The image built from the stack: passes, and its digest is the one skopeo reports.
run "matching image passes" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:good"
expect "text names the image and says it matches" "image $REG/demo/spark-base:good: sha256:" "$OUT"
expect "10 labels read" "(linux/amd64, 10 labels): matches the stack" "$OUT"
expect "stack still compatible" "compatible (0 errors, 0 warnings)" "$OUT"
SKOPEO=$(skopeo_digest "$REG/demo/spark-base:good")
run "json output" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:good" --output json
MINE=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["digest"])' <<<"$OUT")
if [[ -n $SKOPEO && $MINE == "$SKOPEO" ]]; then pass "digest equals skopeo's ($MINE)"; else fail "digest $MINE, skopeo says $SKOPEO"; fi
LABEL=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["labels"]["io.stackctl.versions.spark"])' <<<"$OUT")
expect "json carries the labels" "4.0.1" "$LABEL"
# By digest: the same image, verified against the digest in the reference.
run "by digest" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base@$SKOPEO"
expect "by digest matches" "matches the stack" "$OUT"

# 2. Spark 3.5.1 in the image, 4.0.1 in the stack: SI002, exit 1.
run "mismatched image fails" 1 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:bad"
expect "SI002 names label, values and key" \
  "versions.spark: image $REG/demo/spark-base:bad has label io.stackctl.versions.spark \"3.5.1\" but the stack has versions.spark \"4.0.1\" [SI002]" "$OUT"
expect "SI002 points into the stack file" "demo.stack.yaml:9:" "$OUT"
expect "SI002 says the fix" "stackctl build" "$OUT"
expect "summary says incompatible" "incompatible (1 error" "$OUT"
run "mismatch as json" 1 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:bad" -o json
expect "json finding" '"code": "SI002"' "$OUT"

# 3. An image stackctl did not build: SI001 warning, exit 0.
run "unlabelled image warns" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/other:plain"
expect "SI001" "[SI001]" "$OUT"
expect "SI001 explains" "not built by stackctl" "$OUT"

# 4. Multi-platform: the index's digest (as skopeo reports it), linux/amd64 by default.
SKOPEO_MULTI=$(skopeo_digest "$REG/demo/spark-base:multi")
run "index, default platform" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:multi" -o json
echo "$OUT" >"$WORK/multi.json"
python3 - "$SKOPEO_MULTI" "$WORK/multi.json" >"$WORK/check" 2>&1 <<'EOF' && pass "index digest and amd64 child" || { fail "index"; cat "$WORK/check"; }
import json, sys
img = json.load(open(sys.argv[2]))["images"][0]
assert img["digest"] == sys.argv[1], (img["digest"], sys.argv[1])
assert img["manifestDigest"] != img["digest"], img
assert img["labels"]["test.platform"] == "linux/amd64", img["labels"]
assert img["platform"] == "linux/amd64", img["platform"]
EOF
run "index, --platform linux/arm64" 0 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:multi" --platform linux/arm64 -o json
expect "arm64 child picked" '"test.platform": "linux/arm64"' "$OUT"
run "index, absent platform" 4 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:multi" --platform linux/s390x
expect "lists the platforms it has" "no image for platform linux/s390x; it has linux/amd64, linux/arm64" "$ERR"

# 5. Several images at once: findings from each; one bad image fails the run.
run "two images" 1 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:good" --image "$REG/demo/spark-base:bad"
expect "both reported" "image $REG/demo/spark-base:bad:" "$OUT"

# 6. Clear errors: unknown tag, registry down, bad reference.
run "unknown tag" 4 "$STACKCTL" check "$STACK" --image "$REG/demo/spark-base:nope"
expect "unknown tag message" "manifest nope in $REG/demo/spark-base: HTTP 404 (MANIFEST_UNKNOWN" "$ERR"
DOWN=$(free_port)
run "registry down" 4 "$STACKCTL" check "$STACK" --image "127.0.0.1:$DOWN/demo/spark-base:good"
expect "down: says it cannot reach the registry" "cannot reach registry 127.0.0.1:$DOWN" "$ERR"
expect "down: says how to fix" "is the registry running" "$ERR"
expect "down: says what was not checked" "not checked: 1 of 1 image could not be read (0 errors, 0 warnings)" "$OUT"
reject "down: never says compatible" ": compatible" "$OUT"
run "bad reference" 2 "$STACKCTL" check "$STACK" --image "127.0.0.1:$PORT/Demo/X:good"
expect "bad reference message" "must be lower case" "$ERR"

finish
