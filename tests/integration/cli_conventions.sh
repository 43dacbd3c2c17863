#!/bin/bash
# Conventions every command shares (docs/validate.md, docs/exit-codes.md): STACK `-` reads the stack
# from standard input; the failure of a system call names its real reason.
# Usage: cli_conventions.sh STACKCTL_BINARY SOURCE_DIR
set -euo pipefail
BIN=$1
SRC=$2
W=$(mktemp -d /tmp/stackctl-cli.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# --- `-` reads the stack from standard input, named <stdin> in what is printed.
out=$("$BIN" validate - < "$SRC/stacks/spark-connect.stack.yaml")
[ "$out" = "<stdin>: valid (0 errors, 0 warnings)" ] || fail "validate -: $out"
"$BIN" validate - -o json < "$SRC/stacks/spark-connect.stack.yaml" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["file"]=="<stdin>" and d["valid"], d'
set +e
printf 'metadata: {name: x}\nimages: [\n' | "$BIN" validate - > "$W/bad.out" 2>&1
rc=$?
set -e
[ $rc = 1 ] || fail "a broken stack on stdin: exit $rc, want 1"
grep -q '^<stdin>:3:1: error: ' "$W/bad.out" || fail "no <stdin>:line:column in: $(cat "$W/bad.out")"
# check and render read it once each, and render finds the files the stack names from the current
# folder (the custom-app stack names conda environment files under envs/). Only the recorded
# source name differs.
(cd "$SRC/stacks" && "$BIN" check - < custom-app.stack.yaml > "$W/check.out") ||
  fail "check -: $(cat "$W/check.out")"
grep -q '^<stdin>' "$W/check.out" || fail "check - does not say <stdin>: $(cat "$W/check.out")"
(cd "$SRC/stacks" && "$BIN" render - --out "$W/from-stdin" < custom-app.stack.yaml) 2> "$W/render.err" ||
  fail "render -: $(cat "$W/render.err")"
"$BIN" render "$SRC/stacks/custom-app.stack.yaml" --out "$W/from-file" 2>/dev/null
diff -r -I "^ARG SOURCE=" "$W/from-stdin" "$W/from-file" > /dev/null || fail "render - differs from render FILE"

# --- a failed system call says why, never "Success".
set +e
"$BIN" render "$SRC/stacks/spark-connect.stack.yaml" --out /proc/stackctl-cli-test > "$W/proc.out" 2>&1
rc=$?
set -e
[ $rc = 3 ] || fail "render --out /proc/...: exit $rc, want 3"
grep -q 'No such file or directory' "$W/proc.out" || fail "render --out /proc/...: $(cat "$W/proc.out")"
grep -q 'Success' "$W/proc.out" && fail "\"Success\" in a failure: $(cat "$W/proc.out")"
echo "cli conventions: ok"
