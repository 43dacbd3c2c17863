#!/usr/bin/env bash
# SIGINT (and SIGTERM) at many moments of a large render's staging into an existing --out: afterwards there
# is no staging folder beside the output, and the output is byte for byte either the previous
# render or the complete new one, never a mix. Then SIGKILL during staging (which no process can
# clean up after) and a next run, which removes the dead run's staging folder.
#   render_interrupt.sh STACKCTL
set -euo pipefail
stackctl=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# A stack with many notebooks and targets renders a few thousand files.
make_stack() {  # make_stack REVISION NOTEBOOKS TARGETS
  cat <<YAML
apiVersion: stackctl.dev/v1
kind: Stack
metadata: {name: big, revision: $1}
versions: {spark: "3.5.7", java: "17", python: "3.11"}
artifacts:
  spark: {url: https://archive.apache.org/dist/spark/spark-3.5.7/spark-3.5.7-bin-hadoop3.tgz}
python:
  conda:
    - {name: app, file: env.yml}
images:
  - name: spark-base
    from: {external: "debian:bookworm-slim"}
    tag: "spark-{spark}-{revision}"
    python: true
    conda: [app]
  - name: spark-connect
    from: {image: spark-base}
    tag: "spark-{spark}-{revision}"
    python: true
  - name: notebook
    from: {image: spark-base}
    tag: "spark-{spark}-{revision}"
    python: true
services:
  connect: {image: spark-connect}
  notebooks:
YAML
  for i in $(seq 1 "$2"); do
    echo "    - {name: nb$i, kind: jupyterhub, mode: connect, image: notebook}"
  done
  echo "targets:"
  for i in $(seq 1 "$3"); do
    echo "  - {name: t$i, kind: minikube, context: minikube, namespace: ns$i}"
  done
}
{
  echo "name: app"
  echo "dependencies:"
  for i in $(seq 1 20000); do echo "  - package-number-$i=1.0"; done
} > env.yml
make_stack r1 40 6 > a.stack.yaml
make_stack r2 40 6 > b.stack.yaml

sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
leftovers() { find . -maxdepth 1 -name '.out.*' | sort; }

"$stackctl" render b.stack.yaml --out full-b 2>/dev/null
sums full-b > b.sums
files=$(wc -l < b.sums)
"$stackctl" render a.stack.yaml --out out 2>/dev/null
sums out > a.sums
cmp -s a.sums b.sums && { echo "FAIL: the two stacks render the same files"; exit 1; }
echo "each render writes $files files"

# Starts a render of b into out, waits until its staging folder exists, waits `delay` ms more and
# sends `sig`. Prints the exit code.
interrupt_render() {  # interrupt_render SIGNAL DELAY_MS
  "$stackctl" render b.stack.yaml --out out 2>/dev/null &
  local pid=$! rc=0
  while kill -0 "$pid" 2>/dev/null && [ -z "$(leftovers)" ]; do sleep 0.005; done
  sleep "$(printf '%d.%03d' $(($2 / 1000)) $(($2 % 1000)))"
  kill -s "$1" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || rc=$?
  echo "$rc"
}

staged=0 finished=0 failures=0 round=0
for sig in INT TERM; do
  for delay in 0 5 20 50 100 200 400 800; do
    round=$((round + 1))
    rc=$(interrupt_render "$sig" "$delay")
    left=$(leftovers)
    sums out > now.sums
    if [ -n "$left" ]; then
      echo "FAIL: SIG$sig ${delay} ms into staging left: $left"
      failures=$((failures + 1))
    fi
    if cmp -s now.sums a.sums; then
      staged=$((staged + 1))
    elif cmp -s now.sums b.sums; then
      finished=$((finished + 1))
      "$stackctl" render a.stack.yaml --out out 2>/dev/null  # back to the previous output
    else
      echo "FAIL: SIG$sig ${delay} ms into staging (exit $rc): the output is neither render"
      failures=$((failures + 1))
      "$stackctl" render a.stack.yaml --out out 2>/dev/null
    fi
  done
done
echo "$round interrupts during staging: $staged left the previous output intact, $finished came" \
  "after the swap"
if [ "$staged" -eq 0 ]; then
  echo "FAIL: no interrupt landed before the swap; the test shows nothing"
  failures=$((failures + 1))
fi

# SIGKILL cannot be handled: the staging folder stays, and the next run removes it.
killed=0
for delay in 0 20 100; do
  interrupt_render KILL "$delay" > /dev/null
  if [ -n "$(leftovers)" ]; then killed=$((killed + 1)); fi
done
"$stackctl" render a.stack.yaml --out out 2>/dev/null
if [ -n "$(leftovers)" ]; then
  echo "FAIL: the next run left the killed runs' folders: $(leftovers)"
  failures=$((failures + 1))
fi
sums out > now.sums
cmp -s now.sums a.sums || { echo "FAIL: the run after SIGKILL did not render"; failures=$((failures + 1)); }
echo "SIGKILL during staging left its folder $killed of 3 times; the next run removed it"
[ "$killed" -gt 0 ] || { echo "FAIL: no SIGKILL landed during staging"; failures=$((failures + 1)); }

# The lock: an interrupted write_atomic leaves no temporary file either (covered by unit tests of
# fs::write_atomic's deferral; the lock command needs the network, so it is not run here).
[ "$failures" -eq 0 ] || exit 1
echo "PASS"
