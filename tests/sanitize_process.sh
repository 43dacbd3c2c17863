#!/usr/bin/env bash
# The process runner's tests (tests/unit/test_process.cpp: 10 MiB through a child's stdin while it
# writes 10 MiB to stdout, children started from several threads at once, signals, a child that
# reads nothing) built with AddressSanitizer and UndefinedBehaviorSanitizer (cmake/Sanitizers.cmake:
# -fno-sanitize-recover=all, so any report fails the run) and run. Only the stackctl_process_tests
# target is built, in BUILD_DIR (its own folder: the sanitizer flags apply to the whole build).
#   sanitize_process.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?usage: sanitize_process.sh SOURCE_DIR BUILD_DIR} dir=${2:?usage: sanitize_process.sh SOURCE_DIR BUILD_DIR}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTACKCTL_ASAN=ON -DSTACKCTL_UBSAN=ON \
  "${launcher[@]}" >/dev/null
cmake --build "$dir" --target stackctl_process_tests
bin="$dir/tests/stackctl_process_tests"
# Prove the binary is instrumented: a test run without sanitizers would pass vacuously.
# (nm's output is kept whole: `nm | grep -q` would give nm SIGPIPE, a failure under pipefail.)
symbols=$(nm "$bin")
[[ $symbols == *__asan_init* ]] || { echo "$bin is not built with AddressSanitizer" >&2; exit 1; }
[[ $symbols == *__ubsan_handle* ]] || { echo "$bin is not built with UBSan" >&2; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1
"$bin" --reporter compact
