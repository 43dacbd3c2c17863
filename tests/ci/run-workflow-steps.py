#!/usr/bin/env python3
"""Runs the `run:` steps of a GitHub Actions workflow job in order, as the runner would, here.

    run-workflow-steps.py WORKFLOW.yml JOB WORKDIR RUNNER_TEMP [--skip NAME]... [--edit OLD=>NEW]...

For tests/integration/ci_examples.sh. Each `run:` step runs with GitHub's default shell on Linux,
`bash --noprofile --norc -eo pipefail {0}` (GitHub's "Workflow syntax": defaults.run.shell), in
WORKDIR, with the workflow's `env:`, the job's and the step's, plus GITHUB_ACTIONS=true and CI=true
as the runner sets them. `${{ runner.temp }}` is RUNNER_TEMP; any other expression is refused
(this runner does not evaluate them). A step with `if: always()` runs after a failure too; any
other step is skipped once a step failed. `uses:` steps are not run (they are actions from
GitHub's marketplace): each is reported as "not run". `--skip NAME` leaves out the step of that
name (reported); `--edit OLD=>NEW` replaces text in every run script (reported).
Prints one line per step: `step NAME: exit N`, `step NAME: skipped (...)`, `step NAME: not run
(uses: X)`; stdout and stderr of each step are kept in RUNNER_TEMP/step-N.{out,err}. Exits with
the first failed step's exit code, else 0.
"""
import os
import re
import subprocess
import sys

import yaml


def main():
    args = sys.argv[1:]
    workflow, job, workdir, temp = args[:4]
    skips, edits = [], []
    rest = args[4:]
    while rest:
        flag, value = rest[0], rest[1]
        rest = rest[2:]
        if flag == "--skip":
            skips.append(value)
        elif flag == "--edit":
            old, new = value.split("=>", 1)
            edits.append((old, new))
        else:
            sys.exit("unknown option " + flag)
    doc = yaml.safe_load(open(workflow))
    j = doc["jobs"][job]
    base_env = dict(os.environ)
    base_env.update({"GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": temp})

    def expand(text):
        def one(m):
            expr = m.group(1).strip()
            if expr == "runner.temp":
                return temp
            sys.exit("run-workflow-steps: cannot evaluate ${{ %s }}" % expr)
        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    for scope in (doc.get("env") or {}, j.get("env") or {}):
        base_env.update({k: expand(v) for k, v in scope.items()})
    failed = 0
    for n, step in enumerate(j["steps"]):
        name = step.get("name") or step.get("uses") or "step %d" % n
        if "uses" in step:
            print("step %s: not run (uses: %s)" % (name, step["uses"]))
            continue
        if name in skips:
            print("step %s: skipped (--skip)" % name)
            continue
        condition = str(step.get("if", "")).strip()
        if failed and condition not in ("always()", "${{ always() }}"):
            print("step %s: skipped (an earlier step failed)" % name)
            continue
        script = step["run"]
        for old, new in edits:
            if old in script:
                script = script.replace(old, new)
                print("step %s: edited: %r -> %r" % (name, old, new))
        env = dict(base_env)
        env.update({k: expand(v) for k, v in (step.get("env") or {}).items()})
        path = os.path.join(temp, "step-%d.sh" % n)
        with open(path, "w") as f:
            f.write(expand(script))
        with open(os.path.join(temp, "step-%d.out" % n), "w") as out, \
                open(os.path.join(temp, "step-%d.err" % n), "w") as err:
            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", path],
                                 cwd=workdir, env=env, stdout=out, stderr=err)
        print("step %s: exit %d" % (name, rc))
        if rc != 0 and not failed:
            failed = rc
    sys.exit(failed)


main()
