#!/usr/bin/env bash
# stackctl drift against real components: git repositories made here (commits, a branch, a dirty
# work tree with a file edited, deleted, added and renamed), a real docker-registry with skopeo
# pushing over a locked tag, JUnit parsed as XML (python3 xml.etree) and SARIF validated against
# the OASIS SARIF 2.1.0 schema (python3-jsonschema) and by Microsoft's SARIF Multitool (tests/sarif).
#   drift.sh PATH/TO/stackctl
# Exit 77 when git, docker-registry, skopeo or python3 is missing.
source "$(dirname "$0")/registry_lib.sh"
need_tools git

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t \
  GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1
unset GITHUB_ACTIONS

# A mirror that answers every checksum file with a made-up value (lock needs one per artifact;
# drift never downloads artifacts).
python3 "$ROOT/tests/servers/checksum_mirror.py" >"$WORK/mirror.port" &
PIDS+=($!)
for _ in $(seq 50); do [[ -s $WORK/mirror.port ]] && break; sleep 0.1; done
MIRROR="http://127.0.0.1:$(cat "$WORK/mirror.port")"

PORT=$(free_port)
start_registry anon "$PORT"
REGISTRY_PID=${PIDS[-1]}
REG=127.0.0.1:$PORT

# The repository: the registry demo stack with our registry and mirror, locked, rendered, committed.
REPO=$WORK/repo
mkdir -p "$REPO/stacks"
cd "$REPO"
git init -q -b main .
sed -e "s|^  jars:|  mirror: $MIRROR\n  jars:|" -e "s|url: https://archive.apache.org/dist|url: $MIRROR|" \
  "$STACK" >stacks/demo.stack.yaml
printf 'registry:\n  url: %s/demo\n  insecure: true\n' "$REG" >>stacks/demo.stack.yaml
S=stacks/demo.stack.yaml
"$STACKCTL" validate "$S" >/dev/null
"$STACKCTL" lock "$S" >/dev/null 2>"$WORK/lock.err" || { cat "$WORK/lock.err"; exit 1; }
# The image as build would lock it: ref and inputs digest from the build plan, digest from a push.
"$STACKCTL" build "$S" --dry-run --output json >"$WORK/plan.json" 2>"$WORK/plan.err" ||
  { cat "$WORK/plan.err"; exit 1; }
REF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["images"][0]["ref"])' "$WORK/plan.json")
LAYOUT=$WORK/layout
python3 "$HERE/oci_layout.py" "$LAYOUT" one "${GOOD_LABELS[@]}" >/dev/null
python3 "$HERE/oci_layout.py" "$LAYOUT" two --label maintainer=someone-else >/dev/null
push "$LAYOUT" one "$REF"
D1=$(skopeo_digest "$REF")
python3 - "$S" "$WORK/plan.json" "$D1" <<'PY'
import json, sys
stack, plan, digest = sys.argv[1:]
lock_path = stack.replace(".stack.yaml", ".stack.lock")
lock = json.load(open(lock_path))
img = json.load(open(plan))["images"][0]
lock["images"] = [{"name": img["image"], "ref": img["ref"], "inputsDigest": img["inputsDigest"],
                   "digest": digest}]
open(lock_path, "w").write(json.dumps(lock, indent=2, sort_keys=True) + "\n")
PY
"$STACKCTL" render "$S" >/dev/null 2>&1
git add -A && git commit -qm "stack, lock and rendered files"
for i in $(seq 5); do echo "$i" >>notes.txt; git add notes.txt; git commit -qm "unrelated $i"; done

# 1. Clean: every check passes; exit 0.
run "clean repository: nothing drifted" 0 "$STACKCTL" drift "$S"
expect "clean outcome" "drift: clean (0 drifted" "$OUT"
reject "no drifted line" "  drifted  " "$OUT"
expect "registry passed" "registry: 1 passed, 0 drifted" "$OUT"
expect "lock passed" "lock: 1 passed, 0 drifted" "$OUT"

# 2. A dirty work tree: an edited, a deleted, an added and a renamed file, none committed.
K=rendered/registry-demo/targets/minikube/kubernetes
EDITED=$(ls $K | head -1)
DELETED=$(ls $K | sed -n 2p)
RENAMED=$(ls $K | sed -n 3p)
sed -i '2a # edited by hand' "$K/$EDITED"
rm "$K/$DELETED"
git mv "$K/$RENAMED" "$K/99-renamed.yaml"
echo "extra: true" >"$K/98-added.yaml"
run "dirty work tree drifts (exit 5)" 5 "$STACKCTL" drift "$S" --only files
expect "edited file" "targets/minikube/kubernetes/$EDITED: modified (modified in the work tree)" "$OUT"
expect "the diff line" "-# edited by hand" "$OUT"
expect "located at the committed line" "rendered/registry-demo/targets/minikube/kubernetes/$EDITED:3:1" "$OUT"
expect "deleted file" "targets/minikube/kubernetes/$DELETED: rendered but not committed (deleted in the work tree)" "$OUT"
expect "renamed file, old name" "$RENAMED: rendered but not committed (renamed to targets/minikube/kubernetes/99-renamed.yaml in the work tree)" "$OUT"
expect "renamed file, new name" "99-renamed.yaml: committed but no longer rendered (renamed from targets/minikube/kubernetes/$RENAMED in the work tree)" "$OUT"
expect "added file" "98-added.yaml: committed but no longer rendered (untracked)" "$OUT"
expect "the stack key of a target file" "[from targets[0]]" "$OUT"
run "an older commit: the work tree is not read, and it matches" 0 \
  "$STACKCTL" drift "$S" --only files --against HEAD~1
expect "says the work tree was not read" "not HEAD" "$("$STACKCTL" drift "$S" --only files --against HEAD~1 --output json -v 2>/dev/null || true)"
git stash -q -u
run "stashed: clean again" 0 "$STACKCTL" drift "$S" --only files

# 3. A branch whose committed rendering was edited by hand, and main compared without a checkout.
git checkout -q -b hand-edit
sed -i '2a # committed hand edit' "$K/$EDITED"
git commit -qam "edit a rendered manifest by hand"
run "branch with a hand-edited manifest drifts" 5 "$STACKCTL" drift "$S" --only files
expect "names the edited file" "$EDITED: modified" "$OUT"
run "main compared from the branch (no checkout)" 0 "$STACKCTL" drift "$S" --only files --against main
git checkout -q main
run "unknown revision: could not check (exit 8)" 8 "$STACKCTL" drift "$S" --only files --against no-such-ref
expect "names the revision" "unknown revision \"no-such-ref\"" "$OUT"

# 4. The stack changed (a new revision) but nothing was re-rendered or relocked.
sed -i 's/^  revision: r1/  revision: r2/' "$S"
run "stack edited: files and lock drift" 5 "$STACKCTL" drift "$S" --only files,lock
expect "lock names the image" "image spark-base" "$OUT"
git checkout -q -- "$S"

# 5. Registry: skopeo pushes another image over the locked tag.
push "$LAYOUT" two "$REF"
D2=$(skopeo_digest "$REF")
[[ $D1 != "$D2" ]] || fail "the second image has the same digest"
run "tag moved: registry drifts" 5 "$STACKCTL" drift "$S" --only registry
expect "tag moved" "tag moved" "$OUT"
expect "new digest as skopeo sees it" "now points at $D2" "$OUT"
expect "locked digest" "locks $D1" "$OUT"
run "sequential requests give the same answer" 5 "$STACKCTL" drift "$S" --only registry --parallel 1
push "$LAYOUT" one "$REF"
run "tag restored: registry clean" 0 "$STACKCTL" drift "$S" --only registry

# 6. JUnit, SARIF and workflow commands of a drifted run (dirty tree again, registry down).
git stash pop -q
kill "$REGISTRY_PID" 2>/dev/null || true
wait "$REGISTRY_PID" 2>/dev/null || true
run "registry down and files drifted: drift wins (exit 5)" 5 "$STACKCTL" drift "$S"
expect "registry could not be checked" "registry: 0 passed, 0 drifted, 1 could not be checked" "$OUT"
run "registry down alone: could not check (exit 8)" 8 "$STACKCTL" drift "$S" --only registry
set +e
"$STACKCTL" drift "$S" --output junit >"$WORK/drift.xml" 2>/dev/null
"$STACKCTL" drift "$S" --output sarif >"$WORK/drift.sarif" 2>/dev/null
GITHUB_ACTIONS=true "$STACKCTL" drift "$S" --only files >/dev/null 2>"$WORK/gha.err"
set -e
if python3 - "$WORK/drift.xml" "$EDITED" <<'PY'; then pass "junit parses as XML with the right cases"; else fail "junit"; fi
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert set(suites) >= {"drift.files", "drift.lock", "drift.registry", "drift.catalog"}, suites
files = suites["drift.files"]
cases = files.findall("testcase")
assert int(files.get("tests")) == len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert int(files.get("failures")) == len(failed) == 5, len(failed)
assert any(c.get("name").endswith(sys.argv[2]) for c in failed)
assert suites["drift.registry"].find("testcase/error") is not None
PY
# SARIF: the OASIS standard's schema (committed, tests/sarif/README.md) with python3-jsonschema,
# then Microsoft's SARIF Multitool (npm, installed on first use) as a SARIF consumer reads it.
SCHEMA="$ROOT/tests/sarif/oasis/sarif-schema-2.1.0.json"
if python3 -c 'import jsonschema' 2>/dev/null; then
  if python3 "$ROOT/tests/sarif/validate.py" "$SCHEMA" "$WORK/drift.sarif"; then
    pass "sarif validates against the OASIS SARIF 2.1.0 schema (errata 01)"
  else
    fail "sarif does not validate against the OASIS SARIF 2.1.0 schema"
  fi
  python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); l["runs"][0]["results"][0]["level"]="fatal"; json.dump(l,open(sys.argv[2],"w"))' \
    "$WORK/drift.sarif" "$WORK/bad-level.sarif"
  if ! python3 "$ROOT/tests/sarif/validate.py" "$SCHEMA" "$WORK/bad-level.sarif" >/dev/null; then
    pass "the OASIS schema refuses a result level it does not define"
  else
    fail "the OASIS schema check accepted level \"fatal\""
  fi
else
  fail "cannot validate the SARIF: python3-jsonschema is missing (tool/scripts/setup.sh)"
fi
MULTITOOL="$ROOT/tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [[ ! -f $MULTITOOL ]] && command -v npm >/dev/null; then
  (cd "$ROOT/tests/sarif" && flock .npm-install.lock npm ci --ignore-scripts --no-audit --no-fund \
    >/dev/null 2>&1) || true
fi
if [[ -f $MULTITOOL ]]; then
  chmod u+x "$MULTITOOL"  # its postinstall does this; npm ci ran with --ignore-scripts
  # validate writes its findings as a SARIF log (--output) and exits 0 whatever it found: the
  # test reads that log, and an error-level finding (the level defaults to warning) fails.
  # Invariant globalization: the .NET runtime inside needs no libicu then.
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  if "$MULTITOOL" validate "$WORK/drift.sarif" \
    --output "$WORK/multitool.sarif" --log ForceOverwrite >"$WORK/multitool.out" 2>&1 &&
    python3 - "$WORK/multitool.sarif" <<'PY'; then
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0].get("results", [])
for r in results:
    m = r["message"]
    print("  SARIF Multitool %s %s: %s" % (r.get("level", "warning"), r["ruleId"],
                                          m.get("text") or m.get("arguments")))
sys.exit(1 if any(r.get("level", "warning") == "error" for r in results) else 0)
PY
    pass "sarif passes the SARIF Multitool's validate (schema and rules, no error)"
  else
    cat "$WORK/multitool.out"
    fail "the SARIF Multitool rejects the sarif"
  fi
  # The same reading fails on what drift wrote before: a relative helpUri (the schema's format
  # "uri" is an absolute URI).
  python3 - "$WORK/drift.sarif" "$WORK/bad.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/drift.md#files"
json.dump(log, open(sys.argv[2], "w"))
PY
  "$MULTITOOL" validate "$WORK/bad.sarif" \
    --output "$WORK/multitool-bad.sarif" --log ForceOverwrite >/dev/null 2>&1 || true
  if grep -q '"SARIF1002"' "$WORK/multitool-bad.sarif" 2>/dev/null; then
    pass "the SARIF Multitool flags a relative helpUri (SARIF1002), so its pass above means something"
  else
    fail "the SARIF Multitool did not flag a relative helpUri"
  fi
else
  fail "cannot run the SARIF Multitool: npm ci in tests/sarif failed or npm is missing"
fi
if python3 - "$WORK/drift.sarif" "$EDITED" <<'PY'; then pass "sarif results located in the rendered files"; else fail "sarif locations"; fi
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0"
run = log["runs"][0]
uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"] if r["ruleId"] == "drift/files"]
edited = [u for u in uris if u.endswith(sys.argv[2])]
assert edited == ["rendered/registry-demo/targets/minikube/kubernetes/" + sys.argv[2]], uris
assert run["invocations"][0]["executionSuccessful"] is False
PY
GHA=$(cat "$WORK/gha.err")
expect "GitHub annotation for the edited file" "::error file=rendered/registry-demo/targets/minikube/kubernetes/$EDITED,line=3,col=1,title=drift files%3A" "$GHA"

finish
