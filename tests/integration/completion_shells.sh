#!/bin/bash
# The zsh and fish completion scripts load in the real shells and complete what users type:
#   completion_shells.sh STACKCTL SOURCE_DIR
# fish: `complete -C` asks fish itself for the candidates. zsh: the script loads after compinit in
# `zsh -f` without a message, then an interactive zsh under zpty (zsh_complete.zsh) is sent the
# line and a Tab, and the candidates compadd received are compared. Exits 77 (skipped) when zsh or
# fish is not installed (tool/scripts/setup.sh installs both).
set -euo pipefail
STACKCTL=$1 SRC=$2
for sh in zsh fish; do
  command -v $sh >/dev/null || { echo "skipped: $sh is not installed"; exit 77; }
done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ln -s "$STACKCTL" "$W/stackctl"
export PATH="$W:$PATH"
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
check() {  # check SHELL LINE WANT GOT
  if [ "$4" = "$3" ]; then echo "ok: $1: '$2' -> $3"; else fail "$1: '$2' gave [$4], want [$3]"; fi
}
cd "$SRC"

# --- fish ---------------------------------------------------------------------------------------
stackctl completion fish >"$W/stackctl.fish"
fish_words() {  # the candidates fish offers for the line, sorted, without descriptions
  fish --no-config -c "source $W/stackctl.fish; complete -C '$1'" 2>>"$W/fish.err" | cut -f1 | sort | tr '\n' ' '
}
fish --no-config -n "$W/stackctl.fish" || fail "fish -n: the script does not parse"
check fish "stackctl re" "render " "$(fish_words 'stackctl re')"
check fish "stackctl render STACK --target " "eks minikube " \
  "$(fish_words 'stackctl render stacks/spark-connect.stack.yaml --target ')"
check fish "stackctl check STACK -t m" "minikube " \
  "$(fish_words 'stackctl check stacks/spark-connect.stack.yaml -t m')"
check fish "stackctl -o " "json text " "$(fish_words 'stackctl -o ')"
check fish "stackctl deploy --kube" "--kubeconfig " "$(fish_words 'stackctl deploy --kube')"
# A flag takes no value: the word after it is the stack file again.
check fish "stackctl check --vault stacks/spark-c" "stacks/spark-connect.stack.yaml " \
  "$(fish_words 'stackctl check --vault stacks/spark-c')"
check fish "stackctl completion " "bash fish zsh " "$(fish_words 'stackctl completion ')"
# fish reports a broken -a argument on stderr and goes on: any message is a failure.
[ ! -s "$W/fish.err" ] || fail "fish said: $(sort -u "$W/fish.err" | head -5)"

# --- zsh ----------------------------------------------------------------------------------------
mkdir "$W/fpath"
stackctl completion zsh >"$W/fpath/_stackctl"
out=$(zsh -f -c "autoload -U compinit && compinit -u -D; source $W/fpath/_stackctl; whence -w _stackctl_bash" 2>&1)
check zsh "load after compinit" "_stackctl_bash: function" "$out"
zsh_words() {  # zsh_words MODE LINE
  timeout 30 zsh -f "$SRC/tests/integration/zsh_complete.zsh" "$1" "$W/fpath/_stackctl" "$W/zsh.out" "$2" ||
    echo "zpty session failed"
  sort -u "$W/zsh.out" | tr '\n' ' '
}
for mode in source fpath; do
  check "zsh ($mode)" "stackctl re" "render " "$(zsh_words $mode 'stackctl re')"
  check "zsh ($mode)" "stackctl render STACK --target " "eks minikube " \
    "$(zsh_words $mode 'stackctl render stacks/spark-connect.stack.yaml --target ')"
done
check "zsh (source)" "stackctl -o " "json text " "$(zsh_words source 'stackctl -o ')"
exit $FAILED
