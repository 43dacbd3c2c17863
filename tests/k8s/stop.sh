#!/bin/bash
# Stops exactly the processes recorded by start.sh in $H/run/pids
# (checking each PID still runs the recorded binary; never kills by name).
set -uo pipefail
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PIDS=$H/run/pids
if [ ! -s "$PIDS" ]; then echo "stop.sh: nothing recorded in $PIDS"; exit 0; fi

alive() { # pid exe -> true if pid is running the expected binary
  local pid=$1 exe=$2 cmd
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == "$exe "* ]]
}

# stop in reverse start order: scheduler, controller-manager, apiserver, etcd
tac "$PIDS" | while read -r name pid exe; do
  if ! alive "$pid" "$exe"; then
    echo "stop.sh: $name (pid $pid) not running"
    continue
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    alive "$pid" "$exe" || break
    sleep 0.5
  done
  if alive "$pid" "$exe"; then
    echo "stop.sh: $name (pid $pid) ignored SIGTERM for 30s; sending SIGKILL"
    kill -KILL "$pid"
    sleep 0.5
  fi
  echo "stop.sh: stopped $name (pid $pid)"
done
rm -f "$PIDS"
