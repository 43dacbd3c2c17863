#!/usr/bin/env bash
# Terraform checks run by CTest (tests/terraform_tests.cmake), with HashiCorp's HCL parser:
#
#   check.sh modules DIR
#       parse every .tf file under DIR (the shipped terraform/modules) and check the conventions
#   check.sh render STACKCTL STACK OUT [--values VALUES.yaml] [--expect EXPECT.json]
#       `stackctl render STACK --out OUT [--values VALUES]`, then parse every rendered .tf file
#       (root modules and the copied modules) and check the conventions; with EXPECT, also that
#       the listed values read back exactly (see parse-all.js). When terraform is on PATH, also
#       `terraform fmt -check`, and `terraform validate` of each root against stand-in modules
#       (check_wiring: no download needed).
#   check.sh fmt TERRAFORM DIR...
#       `terraform fmt -check -recursive` on each DIR (alignment and layout as terraform writes it)
#
# The parser is the npm package @cdktf/hcl2json, pinned in package.json/package-lock.json and
# installed here with `npm ci` on first use. Exit 77 (CTest's SKIP_RETURN_CODE) with the reason
# when node or npm is missing, the package cannot be installed, or stackctl has no render command.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

skip() {
  echo "SKIP: $*" >&2
  exit 77
}

probe() { node "$here/parse-all.js" --probe 2>/dev/null; }

ensure_parser() {
  command -v node >/dev/null 2>&1 ||
    skip "node is not installed (Debian: apt-get install nodejs npm); HCL parsing not checked"
  probe && return 0
  command -v npm >/dev/null 2>&1 ||
    skip "npm is not installed (Debian: apt-get install npm); cannot install @cdktf/hcl2json"
  # Tests run in parallel: one installs while the others wait, then find it installed.
  exec 9>"$here/.npm-install.lock"
  flock 9
  if ! probe; then
    echo "installing the HCL parser: npm ci in $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
      skip "npm ci failed in $here (is the npm registry reachable?); HCL parsing not checked"
    probe || skip "@cdktf/hcl2json is still not loadable after npm ci in $here"
  fi
  flock -u 9
}

check_modules() {
  ensure_parser
  node "$here/parse-all.js" --conventions "$1"
}

check_render() {
  local stackctl=$1 stack=$2 out=$3 values="" expect=""
  shift 3
  while [[ $# -gt 0 ]]; do
    case $1 in
      --values) values=$2; shift 2 ;;
      --expect) expect=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  ensure_parser
  "$stackctl" render --help >/dev/null 2>&1 ||
    skip "$stackctl has no render command yet; rendered Terraform not checked"
  local args=(render "$stack" --out "$out")
  [[ -z $values ]] || args+=(--values "$values")
  "$stackctl" "${args[@]}" >&2
  local roots=("$out"/targets/*/terraform/main.tf)
  [[ -e ${roots[0]} ]] || { echo "FAIL: no targets/*/terraform/main.tf under $out" >&2; exit 1; }
  [[ -e $out/terraform/modules/namespace/main.tf ]] ||
    { echo "FAIL: $out/terraform/modules was not copied" >&2; exit 1; }
  local parse=(--conventions)
  [[ -z $expect ]] || parse+=(--expect "$expect")
  node "$here/parse-all.js" "${parse[@]}" "$out"
  if command -v terraform >/dev/null 2>&1; then
    check_fmt terraform "$out"
    check_wiring terraform "$out"
  else
    echo "note: terraform is not installed; formatting and module wiring of $out not checked" >&2
  fi
}

# `terraform validate` of each rendered root module against stand-ins of the static modules that
# keep their variables and outputs but create nothing, and without provider blocks: no provider or
# registry module has to be downloaded, and validate still checks that every module argument the
# root passes exists, every reference resolves and every expression type-checks.
check_wiring() {
  local terraform=$1 out=$2 work=$2.wiring root module target
  rm -rf "$work"
  mkdir -p "$work/terraform/modules"
  for module in "$out"/terraform/modules/*/; do
    local stub=$work/terraform/modules/$(basename "$module")
    mkdir -p "$stub"
    cp "$module/variables.tf" "$stub/"
    sed -n 's/^output "\([^"]*\)" {$/output "\1" {\n  value = null\n}/p' "$module/outputs.tf" \
      >"$stub/outputs.tf"
  done
  for root in "$out"/targets/*/terraform; do
    target=$(basename "$(dirname "$root")")
    mkdir -p "$work/targets/$target/terraform"
    cp "$root/main.tf" "$root/variables.tf" "$root/outputs.tf" "$work/targets/$target/terraform/"
    (
      cd "$work/targets/$target/terraform"
      export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
      "$terraform" init -backend=false -input=false -no-color >/dev/null
      "$terraform" validate -no-color
    ) || { echo "FAIL: targets/$target/terraform does not validate against the modules" >&2; exit 1; }
  done
}

check_fmt() {
  local terraform=$1
  shift
  [[ -x $terraform ]] || command -v "$terraform" >/dev/null 2>&1 ||
    skip "terraform is not installed; formatting not checked"
  local dir status=0
  for dir in "$@"; do
    [[ -d $dir ]] || { echo "FAIL: $dir does not exist (render it first)" >&2; exit 1; }
    TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$terraform" fmt -check -recursive -diff -no-color "$dir" || status=1
  done
  return $status
}

usage() {
  echo "usage: check.sh modules DIR" >&2
  echo "       check.sh render STACKCTL STACK OUT [--values FILE] [--expect FILE]" >&2
  echo "       check.sh fmt TERRAFORM DIR..." >&2
  exit 2
}

case ${1:-} in
  modules) [[ $# -eq 2 ]] || usage; check_modules "$2" ;;
  render) [[ $# -ge 4 ]] || usage; shift; check_render "$@" ;;
  fmt) [[ $# -ge 3 ]] || usage; shift; check_fmt "$@" ;;
  *) usage ;;
esac
