#!/bin/bash
# The Debian package installs into a clean Debian bookworm (debootstrap --variant=minbase) with
# `apt-get install ./stackctl_*.deb`, which pulls exactly the runtime libraries the package
# declares, and the installed stackctl runs there: version -o json, validate and render of a
# shipped stack.
#   deb_install.sh BUILD_DIR [SOURCE_DIR]
# The package is made from BUILD_DIR's install() rules, unless BUILD_DIR is a sanitizer build
# (STACKCTL_ASAN or STACKCTL_UBSAN in its CMakeCache.txt, as the test command's build-tests is):
# a user never installs an ASan binary, so the package is then made from a build of its own,
# BUILD_DIR/deb-package, configured from SOURCE_DIR without sanitizers or tests (build type None:
# no -g, so quicker to compile and link; with BUILD_DIR's compiler launcher, e.g. ccache) and built
# before packaging; the test checks that the packaged binary is not instrumented.
# The clean root is made once per machine and kept as a tarball under
# ${STACKCTL_DEB_TEST_CACHE:-/var/cache/stackctl-deb-test}; every run unpacks a fresh copy.
# Needs root (chroot), debootstrap and Debian's mirror (DEBIAN_MIRROR, default
# http://deb.debian.org/debian). Exit 77 (skipped, not passed) when one is missing.
set -euo pipefail
BUILD=$(realpath "$1")
SRC=${2:-}
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (chroot)"
command -v debootstrap > /dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
command -v dpkg-shlibdeps > /dev/null || skip "dpkg-shlibdeps is not installed (apt-get install dpkg-dev)"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${STACKCTL_DEB_TEST_CACHE:-/var/cache/stackctl-deb-test}
work=$(mktemp -d)
root="$work/root"
cleanup() {
  for m in proc dev; do mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

# A sanitizer build is not packaged: a plain build of what the package holds, in its own folder.
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt"; }
if [ "$(cache_value STACKCTL_ASAN)" = ON ] || [ "$(cache_value STACKCTL_UBSAN)" = ON ]; then
  [ -n "$SRC" ] || fail "$BUILD is a sanitizer build: give SOURCE_DIR to make the package from a plain build"
  pkg_build="$BUILD/deb-package"
  launcher=$(cache_value CMAKE_CXX_COMPILER_LAUNCHER)
  start=$(date +%s)
  cmake -S "$SRC" -B "$pkg_build" -G Ninja -DCMAKE_BUILD_TYPE=None -DSTACKCTL_TESTS=OFF \
    -DSTACKCTL_ASAN=OFF -DSTACKCTL_UBSAN=OFF ${launcher:+"-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher"} \
    > "$work/package-build.log" 2>&1 &&
    cmake --build "$pkg_build" -j "$(nproc)" >> "$work/package-build.log" 2>&1 ||
    { tail -30 "$work/package-build.log" >&2; fail "the package's plain build in $pkg_build failed"; }
  symbols=$(nm "$pkg_build/tool/stackctl")
  [[ $symbols != *__asan_init* && $symbols != *__ubsan_handle* ]] ||
    fail "$pkg_build/tool/stackctl is instrumented with a sanitizer"
  echo "plain build for the package: $pkg_build ($(($(date +%s) - start)) s)"
  BUILD=$pkg_build
fi

# The package, from the build's install() rules.
(cd "$work" && cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$work/pkg" > "$work/cpack.log" 2>&1) ||
  { tail -20 "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
deb=$(ls "$work"/pkg/stackctl_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1)), Depends: $depends"
for lib in libcurl4 libgit2 libssl3 libyaml-cpp; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ "$depends" != *libasan* && "$depends" != *libubsan* ]] || fail "the package depends on a sanitizer runtime: $depends"
bin_size=$(dpkg-deb --fsys-tarfile "$deb" | tar -tvf - ./usr/bin/stackctl | awk '{print $3}')
file_out=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/stackctl > "$work/stackctl.bin" && file "$work/stackctl.bin")
[[ "$file_out" == *"stripped"* && "$file_out" != *"not stripped"* ]] || fail "the packaged binary is not stripped: $file_out"
echo "packaged binary: $bin_size bytes, stripped"

# A clean bookworm root, made once.
if [ ! -s "$cache/bookworm-minbase.tar" ]; then
  mkdir -p "$cache"
  echo "debootstrap --variant=minbase bookworm from $mirror (once per machine) ..."
  debootstrap --variant=minbase bookworm "$work/fresh" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; skip "debootstrap could not reach $mirror"; }
  tar -C "$work/fresh" -cf "$cache/bookworm-minbase.tar.new" . && mv "$cache/bookworm-minbase.tar.new" "$cache/bookworm-minbase.tar"
  rm -rf "$work/fresh"
fi
mkdir -p "$root"
tar -C "$root" -xf "$cache/bookworm-minbase.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
in_root stackctl --version > /dev/null 2>&1 && fail "the clean root already has stackctl"
in_root apt-get update -q > "$work/apt.log" 2>&1 || { tail "$work/apt.log" >&2; skip "apt-get update could not reach the mirror"; }
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >> "$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log" >&2; fail "apt-get install ./$(basename "$deb") failed in a clean bookworm"; }
echo "installed with apt-get into a clean bookworm"

in_root stackctl version -o json > "$work/version.json" || fail "stackctl version -o json failed in the clean root"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); assert v["version"] and v["libraries"], v' "$work/version.json"
in_root sh -c 'cd /usr/share/doc/stackctl/examples && stackctl validate spark-connect.stack.yaml' ||
  fail "validate of the shipped stack failed in the clean root"
in_root sh -c 'cd /usr/share/doc/stackctl/examples && stackctl render spark-connect.stack.yaml --target minikube --out /tmp/out' > "$work/render.log" 2>&1 ||
  { cat "$work/render.log" >&2; fail "render of the shipped stack failed in the clean root"; }
for f in images/spark-base/Dockerfile targets/minikube/kubernetes/21-rolebinding-spark.yaml \
         targets/minikube/terraform/main.tf; do
  [ -s "$root/tmp/out/$f" ] || fail "render in the clean root did not write $f"
done
in_root man -w stackctl-deploy > /dev/null 2>&1 || echo "note: man-db is not in minbase; the pages are installed under /usr/share/man/man1"
[ -s "$root/usr/share/man/man1/stackctl-deploy.1.gz" ] || [ -s "$root/usr/share/man/man1/stackctl-deploy.1" ] ||
  fail "stackctl-deploy(1) is not installed"
echo "ok: the .deb installs and runs in a clean bookworm (version, validate, render)"
