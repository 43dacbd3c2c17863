#!/bin/bash
# The completion script loads in a real bash and completes what users type; every man page renders
# with `man -l` without a warning; `cmake --install` into a DESTDIR gives a binary that runs.
#   completion_man_install.sh STACKCTL BUILD_DIR SOURCE_DIR
set -euo pipefail
STACKCTL=$(realpath "$1")
BUILD=$(realpath "$2")
SRC=$(realpath "$3")
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- completion, in a child bash that sources the generated script ----------------------------
complete_words() {  # complete_words WORD... ; the last word is the one being completed
  STACKCTL="$STACKCTL" bash -c '
    set -u
    dir=$(mktemp -d); trap "rm -rf $dir" EXIT
    ln -s "$STACKCTL" "$dir/stackctl"; PATH="$dir:$PATH"
    source <(stackctl completion bash)
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _stackctl
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$@"
}
cd "$SRC"
got=$(complete_words stackctl re)
[ "$got" = "render" ] || fail "stackctl re<TAB> gave [$got], want render"
got=$(complete_words stackctl "" | tr '\n' ' ')
[ "$got" = "build check completion deploy doctor drift explain help lock render submit validate version " ] ||
  fail "stackctl <TAB> gave [$got]"
got=$(complete_words stackctl render stacks/spark-connect.stack.yaml --target "" | tr '\n' ' ')
[ "$got" = "eks minikube " ] || fail "--target <TAB> gave [$got], want the stack's targets"
got=$(complete_words stackctl render stacks/spark-connect.stack.yaml -t m)
[ "$got" = "minikube" ] || fail "-t m<TAB> gave [$got]"
got=$(complete_words stackctl -o "" | tr '\n' ' ')
[ "$got" = "json text " ] || fail "-o <TAB> gave [$got]"
got=$(complete_words stackctl deploy --kube)
[ "$got" = "--kubeconfig" ] || fail "deploy --kube<TAB> gave [$got]"
got=$(complete_words stackctl validate stacks/spark-c)
[ "$got" = "stacks/spark-connect.stack.yaml" ] || fail "validate stacks/spark-c<TAB> gave [$got]"
# A flag takes no value: the word after it is the stack file again.
got=$(complete_words stackctl check --vault stacks/spark-c)
[ "$got" = "stacks/spark-connect.stack.yaml" ] || fail "check --vault stacks/spark-c<TAB> gave [$got]"
got=$(complete_words stackctl completion "" | tr '\n' ' ')
[ "$got" = "bash fish zsh " ] || fail "completion <TAB> gave [$got]"
got=$(complete_words stackctl help de | tr '\n' ' ')
[ "$got" = "deploy " ] || fail "help de<TAB> gave [$got]"
# A stack that cannot be read completes nothing and prints nothing.
got=$(complete_words stackctl render missing.stack.yaml --target "" 2>&1)
[ -z "$got" ] || fail "--target <TAB> of a missing stack gave [$got]"
echo "ok: bash completion"

# --- man pages ----------------------------------------------------------------------------------
pages=("$BUILD"/man/*.1)
commands=$("$STACKCTL" --help | sed -n '/^Subcommands:/,/^$/p' | grep -c '^  [a-z]')
[ "${#pages[@]}" -eq $((commands + 1)) ] || fail "${#pages[@]} man pages for $commands commands"
for p in "${pages[@]}"; do
  MANWIDTH=80 man --warnings -l "$p" > "$work/page.txt" 2> "$work/warn.txt" || fail "man -l $p"
  [ -s "$work/warn.txt" ] && { cat "$work/warn.txt" >&2; fail "man -l $p warned"; }
  grep -q '^NAME' "$work/page.txt" || fail "$p has no NAME section"
done
MANWIDTH=80 man -l "$BUILD/man/stackctl-deploy.1" | grep -q -- '--force-conflicts' ||
  fail "stackctl-deploy(1) lacks --force-conflicts"
echo "ok: ${#pages[@]} man pages render without warnings"

# --- install into a DESTDIR ----------------------------------------------------------------------
DESTDIR="$work/root" cmake --install "$BUILD" --prefix /usr > "$work/install.log"
root="$work/root/usr"
for f in bin/stackctl share/man/man1/stackctl.1 share/man/man1/stackctl-deploy.1 \
         share/bash-completion/completions/stackctl share/zsh/vendor-completions/_stackctl \
         share/fish/vendor_completions.d/stackctl.fish share/doc/stackctl/README.md \
         share/doc/stackctl/deploy.md share/doc/stackctl/examples/spark-connect.stack.yaml \
         share/doc/stackctl/examples/envs; do
  [ -e "$root/$f" ] || fail "cmake --install did not install $f"
done
"$root/bin/stackctl" version -o json | python3 -c 'import json,sys; assert json.load(sys.stdin)["version"]'
(cd "$root/share/doc/stackctl/examples" && "$root/bin/stackctl" validate spark-connect.stack.yaml >/dev/null) ||
  fail "the installed example stack does not validate"
echo "ok: cmake --install into DESTDIR"
