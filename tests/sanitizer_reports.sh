#!/usr/bin/env bash
# The two ends of the sanitizer fixture (tests/sanitizers.cmake).
#   sanitizer_reports.sh DIR setup KINDS BINARY...   proves each BINARY is built with the
#       sanitizers KINDS (asan, ubsan or asan,ubsan), then empties DIR (the reports folder)
#   sanitizer_reports.sh DIR check             fails when DIR holds a report, printing each one
#   sanitizer_reports.sh DIR selftest KINDS PROBE   runs tests/sanitizer_probe.cpp's binary with
#       this test's ASAN_OPTIONS/UBSAN_OPTIONS, its output thrown away as a test that captures a
#       command's stderr would, but log_path pointed at a scratch folder (DIR is not touched):
#       each fault must end the probe with exit code 99 and leave a report file
# Reports are named <test>.asan.<pid> or <test>.ubsan.<pid> (log_path in ASAN_OPTIONS and
# UBSAN_OPTIONS), <test> being the CTest name made an identifier ("unit" for the unit tests).
set -euo pipefail
usage="usage: sanitizer_reports.sh DIR setup KINDS BINARY... | DIR check | DIR selftest KINDS PROBE"
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
  selftest)
    kinds=${1:?$usage}
    probe=${2:?$usage}
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    opts() { sed "s|log_path=[^:]*|log_path=$scratch/$2|" <<<"$1"; }
    export ASAN_OPTIONS UBSAN_OPTIONS
    "$probe" none >/dev/null 2>&1 || { echo "the probe fails without a fault" >&2; exit 1; }
    modes=()
    [[ ,$kinds, == *,asan,* ]] && modes+=(heap:AddressSanitizer leak:AddressSanitizer)
    [[ ,$kinds, == *,ubsan,* ]] && modes+=("ub:runtime error: signed integer overflow")
    for m in "${modes[@]}"; do
      fault=${m%%:*} expect=${m#*:}
      rc=0
      ASAN_OPTIONS=$(opts "${ASAN_OPTIONS:?}" "$fault.asan") UBSAN_OPTIONS=$(opts "${UBSAN_OPTIONS:?}" "$fault.ubsan") \
        "$probe" "$fault" >/dev/null 2>&1 || rc=$?
      [ "$rc" = 99 ] || { echo "probe $fault: exit code $rc, not 99" >&2; exit 1; }
      shopt -s nullglob
      files=("$scratch/$fault".*)
      ((${#files[@]})) || { echo "probe $fault: no report file under $scratch" >&2; exit 1; }
      grep -q "$expect" "${files[@]}" || { echo "probe $fault: no \"$expect\" in:" >&2; cat "${files[@]}" >&2; exit 1; }
      echo "probe $fault: exit 99, report file $(basename "${files[0]}"): $(head -1 "${files[0]}")"
    done
    ;;
  *)
    echo "unknown mode $mode (setup, check or selftest)" >&2
    exit 2
    ;;
esac
