# Sourced by the fault tests of each network client (lock_faults.sh, registry_faults.sh,
# vault_faults.sh, kube_faults.sh): tests/servers/fault_proxy.py in front of the real server a
# test uses, and checks on what the proxy did. Needs SRC (the repository), FW (a scratch folder)
# and the array PIDS (the caller kills them on exit).
#
#   fproxy NAME ARGS...          starts the proxy with ARGS (--upstream, --fault, ...); its port in
#                                $PPORT, its log $FW/NAME.log, its stderr $FW/NAME.err
#   fproxy_stop                  stops the last proxy started
#   faults_seen LOG MIN [KIND..] the log shows at least MIN kinds of fault, and each KIND; prints a
#                                one-line summary
#   log_count LOG REGEX          how many requests of the log match "METHOD PATH" REGEX
#   within SECONDS CMD...        runs CMD (stdout $FW/out, stderr $FW/err), sets RC and TOOK
#                                (seconds); fails when it ran longer than SECONDS
#
# The environment every fault test gives stackctl (docs/network.md): short waits and timeouts,
# so a persistent fault ends in seconds. Transient runs raise STACKCTL_HTTP_RETRIES themselves.
export STACKCTL_HTTP_BACKOFF_MS=50 STACKCTL_HTTP_STALL_TIMEOUT=2 STACKCTL_HTTP_CONNECT_TIMEOUT=2 \
  STACKCTL_HTTP_MAX_WAIT=2 STACKCTL_HTTP_RETRIES=2

FPROXY_PIDS=()
fproxy() {
  local name=$1
  shift
  rm -f "$FW/$name.port" "$FW/$name.log"
  python3 "$SRC/tests/servers/fault_proxy.py" --port-file "$FW/$name.port" --log "$FW/$name.log" \
    "$@" 2>>"$FW/$name.err" &
  PIDS+=($!)
  FPROXY_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$FW/$name.port" ] && break; sleep 0.05; done
  [ -s "$FW/$name.port" ] || { cat "$FW/$name.err"; echo "FAIL: the proxy $name did not start"; exit 1; }
  PPORT=$(cat "$FW/$name.port")
}

fproxy_stop() {
  local last=${FPROXY_PIDS[-1]}
  kill "$last" 2>/dev/null || true
  wait "$last" 2>/dev/null || true
  unset 'FPROXY_PIDS[-1]'
}

faults_seen() {
  python3 - "$@" <<'PY'
import collections, json, sys
log, least, need = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
entries = [json.loads(l) for l in open(log)]
faults = collections.Counter(e["fault"] for e in entries)
print(f"   proxy: {len(entries)} requests/connections: " +
      ", ".join(f"{k} {v}" for k, v in sorted(faults.items())))
kinds = set(faults) - {"none"}
missing = need - kinds
if missing or len(kinds) < least:
    print(f"   FAIL: wanted {least} kinds of fault and {sorted(need)}; missing {sorted(missing)}")
    sys.exit(1)
PY
}

log_count() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
rx = re.compile(sys.argv[2])
print(sum(1 for l in open(sys.argv[1])
          if rx.search(json.loads(l)["method"] + " " + json.loads(l)["path"])))
PY
}

within() {
  local limit=$1
  shift
  local start end
  start=$(date +%s.%N)
  set +e
  "$@" >"$FW/out" 2>"$FW/err"
  RC=$?
  set -e
  end=$(date +%s.%N)
  TOOK=$(python3 -c "print(f'{$end - $start:.1f}')")
  if python3 -c "import sys; sys.exit(0 if $TOOK <= $limit else 1)"; then :; else
    echo "FAIL: took ${TOOK} s, more than the ${limit} s allowed: $*"
    cat "$FW/err"
    exit 1
  fi
}
