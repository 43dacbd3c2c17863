# The prologue the integration scripts share; source it first, then call test_init. Sourced
# without arguments it sees the script's own: $1 is the stackctl binary under test.
#
#   HERE, SRC (= ROOT), STACKCTL  this folder, the repository, $1 made absolute (set on sourcing)
#   need_tools TOOL...            exits 77 (ctest's SKIP_RETURN_CODE) naming the first TOOL not on
#                                 PATH (and $SKIP_HINT, how to get it, when set)
#   test_init NAME [TOOL...]      need_tools TOOL...; makes WORK, a fresh folder ${TMPDIR:-/tmp}/stackctl-NAME.*;
#                                 PIDS=(); on exit: the at_exit commands (last added first), every
#                                 process in PIDS killed and reaped, WORK removed (kept, and said,
#                                 when KEEP_WORK=1)
#   at_exit CMD                   one more command (a string, eval'd) for the exit
#   own_home                      HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_RUNTIME_DIR under
#                                 $WORK/home, so no user file (auth files, caches) leaks in or out
#   need_root WHY                 exits 77 saying WHY unless run as root
#   copy_stack NAME DIR [AS]      stacks/NAME.stack.yaml into DIR as AS.stack.yaml (default NAME)
#                                 with stack_folders DIR
#   stack_folders DIR             every folder beside the shipped stacks (envs/, apps/: what their
#                                 `file:` sources and images[].files name) into DIR, so that a
#                                 stack copied there resolves its relative references as in stacks/
#   need_apiserver                the project's apiserver (tests/k8s/ensure.sh builds and starts it
#                                 when nothing answers; it is shared: never stopped here): sets H
#                                 (the harness), KC (its admin kubeconfig), KUBECTL (kubectl with
#                                 it); exits 77 when the control plane cannot be built here
#   start_mirror ROOT             tests/servers/mirror_server.py serving ROOT on a free loopback
#                                 port, in PIDS; its port in $MPORT
# A library that sources this one (deploy_lib.sh, for copy_stack) keeps its caller's HERE and
# STACKCTL.
HERE=${HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOT=$SRC
[ -n "${STACKCTL:-}" ] || STACKCTL=${1:+$(realpath "$1")}

need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 ||
      { echo "SKIP: $tool is not installed${SKIP_HINT:+ $SKIP_HINT}"; exit 77; }
  done
}

test_init() {
  local name=$1
  shift
  [ -n "$STACKCTL" ] || { echo "usage: $0 PATH/TO/stackctl" >&2; exit 2; }
  need_tools "$@"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/stackctl-$name.XXXXXX")
  PIDS=()
  AT_EXIT=()
  trap test_cleanup EXIT
}

at_exit() { AT_EXIT+=("$1"); }

test_cleanup() {
  local i p
  for ((i = ${#AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${AT_EXIT[i]}" || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}

own_home() {
  export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/home/.cache" XDG_CONFIG_HOME="$WORK/home/.config" \
    XDG_RUNTIME_DIR="$WORK/home/run"
  mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
}

need_root() {
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root ($1)"; exit 77; }
}

copy_stack() {
  mkdir -p "$2"
  cp "$SRC/stacks/$1.stack.yaml" "$2/${3:-$1}.stack.yaml"
  stack_folders "$2"
}

stack_folders() {
  local d
  mkdir -p "$1"
  for d in "$SRC"/stacks/*/; do cp -r "${d%/}" "$1/"; done
}

start_mirror() {
  local out
  out=$(mktemp "$WORK/mirror.XXXXXX")
  python3 "$SRC/tests/servers/mirror_server.py" --root "$1" --port 0 >"$out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q '^PORT ' "$out" 2>/dev/null && break; sleep 0.1; done
  MPORT=$(sed -n 's/^PORT //p' "$out")
  [ -n "$MPORT" ] || { cat "$out"; echo "FAIL: the mirror did not start"; exit 1; }
}

need_apiserver() {
  H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
  if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
    echo "$(basename "$0"): the control plane cannot be built here (needs root and apt-get): skipped"
    exit 77
  fi
  KC=$(bash "$SRC/tests/k8s/ensure.sh" 2>/dev/null | tail -1)
  KUBECTL="$H/bin/kubectl --kubeconfig $KC"
}
