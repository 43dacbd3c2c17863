#!/usr/bin/env bash
# Installs what stackctl needs to build and to run its tests, from Debian's packages (bookworm).
# Run as root (or through sudo). Safe to run again: apt-get skips what is installed.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libkainjow-mustache-dev
  libcurl4-openssl-dev libssl-dev libgit2-dev zlib1g-dev catch2
  # real components the tests start on loopback
  buildah podman skopeo docker-registry debootstrap busybox-static
  python3 python3-yaml ca-certificates curl openssl apache2-utils  # PyYAML: tests read stack files
  # packaging and the man-page test
  dpkg-dev fakeroot file man-db
  # the completion scripts are loaded by the real shells in a test
  zsh fish
  # the SARIF schema check of drift's output
  python3-jsonschema
  # bench/render.sh and its CTest: stackctl's templates expanded by pystache (/usr/bin/python3)
  python3-pystache
  # libFuzzer targets (tests/fuzz/run.sh, docs/fuzzing.md): clang 19 and its runtimes, because
  # clang 16 (bookworm's other clang) defines __cpp_concepts 201907L and libstdc++ 12's
  # <expected> needs 202002L
  clang-19 libclang-rt-19-dev
  # the CI examples test: gitlab-ci-local's shell executor copies the repository with rsync;
  # the GitHub workflow's steps are read with PyYAML (python3-yaml, above)
  rsync
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (the HCL parser test): any installation will do; Debian's nodejs and npm
# conflict with a vendor's nodejs that bundles npm, so install them only when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present" >&2
fi
