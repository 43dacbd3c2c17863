#!/usr/bin/env bash
# The two ends of the sanitizer fixture (tests/sanitizers.cmake).
#   sanitizer_reports.sh DIR setup KINDS BINARY...   proves each BINARY is built with the
#       sanitizers KINDS (asan, ubsan or asan,ubsan), then empties DIR (the reports folder)
#   sanitizer_reports.sh DIR check             fails when DIR holds a report, printing each one
# Reports are named <test>.asan.<pid> or <test>.ubsan.<pid> (log_path in ASAN_OPTIONS and
# UBSAN_OPTIONS), <test> being the CTest name made an identifier ("unit" for the unit tests).
set -euo pipefail
usage="usage: sanitizer_reports.sh DIR setup KINDS BINARY... | DIR check"
dir=${1:?$usage}
mode=${2:?$usage}
shift 2
case $mode in
  setup)
    kinds=${1:?$usage}
    shift
    (($#)) || { echo "$usage" >&2; exit 2; }
    for bin in "$@"; do
      # A run without sanitizers would pass every test vacuously. nm's output is kept whole:
      # `nm | grep -q` would give nm SIGPIPE, a failure under pipefail.
      symbols=$(nm "$bin")
      if [[ ,$kinds, == *,asan,* && $symbols != *__asan_init* ]]; then
        echo "$bin is not built with AddressSanitizer" >&2
        exit 1
      fi
      if [[ ,$kinds, == *,ubsan,* && $symbols != *__ubsan_handle_* ]]; then
        echo "$bin is not built with UBSan" >&2
        exit 1
      fi
      echo "instrumented ($kinds): $bin"
    done
    rm -rf "$dir"
    mkdir -p "$dir"
    ;;
  check)
    [ -d "$dir" ] || { echo "no reports folder $dir: the setup test did not run" >&2; exit 1; }
    shopt -s nullglob
    reports=("$dir"/*)
    if ((${#reports[@]} == 0)); then
      echo "no sanitizer report in $dir"
      exit 0
    fi
    for r in "${reports[@]}"; do
      name=$(basename "$r")
      echo "==== sanitizer report from test ${name%.*san.*} (pid ${name##*.}): $r"
      cat "$r"
    done
    echo "${#reports[@]} sanitizer report(s) under $dir" >&2
    exit 1
    ;;
  *)
    echo "unknown mode $mode (setup or check)" >&2
    exit 2
    ;;
esac
