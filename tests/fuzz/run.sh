#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, -fsanitize=fuzzer,address,
# undefined, in a build folder of their own, and runs each for SECONDS, one after another.
# A finding (crash, sanitizer report, broken invariant, an input running over 60 s or 2 GiB)
# fails the run and names the reproducer; rerun it with `BUILD/tests/fuzz/TARGET REPRODUCER`.
#   tests/fuzz/run.sh [-t SECONDS] [-b BUILD_DIR] [-k] [TARGET...]
#     -t  seconds per target (default 30)        -b  build folder (default build-fuzz)
#     -k  keep what the run found new: merge it, minimised, into tests/fuzz/corpus/TARGET
#   FUZZ_CXX=clang++-19 (the compiler), FUZZ_JOBS=N (build parallelism; default: cmake's).
# Seeds: tests/fuzz/corpus/TARGET, plus the fixtures and shipped stacks for the YAML, stack and
# catalog targets. The run's own corpus grows in BUILD_DIR/corpus; the source tree is not written
# unless -k is given.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=30 build=$src/build-fuzz keep=
while getopts "t:b:k" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    b) build=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,14p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
cxx=${FUZZ_CXX:-clang++-19}
command -v "$cxx" >/dev/null || {
  echo "fuzz: $cxx not found; tool/scripts/setup.sh installs clang-19 and libclang-rt-19-dev" >&2
  exit 1
}

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
start=$(date +%s)
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$cxx" \
  -DSTACKCTL_FUZZ=ON -DSTACKCTL_TESTS=OFF -DSTACKCTL_DEV=OFF "${launcher[@]}" >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$src"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
cmake --build "$build" --target "${targets[@]}" ${FUZZ_JOBS:+-j "$FUZZ_JOBS"}
echo "fuzz: built in $(($(date +%s) - start)) s" >&2

# Symbolised reports: clang-19 has no llvm-symbolizer of its own here; any version reads its DWARF.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer || true)
  export ASAN_SYMBOLIZER_PATH
fi

failed=()
summary=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: no target $t ($bin)" >&2; exit 2; }
  work=$build/corpus/$t findings=$build/findings/$t
  mkdir -p "$work" "$findings"
  seeds=("$src/tests/fuzz/corpus/$t")
  opts=(-max_len=4096)
  case $t in
    fuzz_yaml_doc | fuzz_stack)
      seeds+=("$src/stacks" "$src/tests/fixtures/good" "$src/tests/fixtures/bad"
              "$src/tests/fixtures/hostile")
      opts=(-max_len=65536 -dict="$src/tests/fuzz/yaml.dict") ;;
    fuzz_catalog) seeds+=("$src/stacks"); opts=(-max_len=262144 -dict="$src/tests/fuzz/yaml.dict") ;;
    fuzz_registry | fuzz_kube | fuzz_vault) opts=(-max_len=16384 -dict="$src/tests/fuzz/json.dict") ;;
  esac
  existing=()
  for d in "${seeds[@]}"; do [ -d "$d" ] && existing+=("$d"); done
  log=$build/findings/$t.log
  echo "fuzz: $t for $seconds s" >&2
  set +e
  "$bin" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "${opts[@]}" "$work" "${existing[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[A-Za-z]*' "$log" | tail -1 | cut -d' ' -f2)
  if ((rc != 0)); then
    found=$(ls -t "$findings" 2>/dev/null | head -1)
    summary+=("$t: FINDING after ${execs:-?} runs: $findings/$found (log $log)")
    failed+=("$t")
    grep -m1 -A25 -E "ERROR: |runtime error|fuzz invariant broken|deadly signal" "$log" >&2 || tail -30 "$log" >&2
  else
    summary+=("$t: ${seconds} s, ${execs:-?} runs (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (inputs/bytes), no finding")
  fi
  if [ -n "$keep" ]; then
    mkdir -p "$src/tests/fuzz/corpus/$t"
    "$bin" -merge=1 "${opts[@]}" "$src/tests/fuzz/corpus/$t" "$work" >>"$log" 2>&1 || true
  fi
done
printf 'fuzz: %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}; reproduce with $build/tests/fuzz/TARGET FILE" >&2
  exit 1
fi
