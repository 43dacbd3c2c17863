#!/usr/bin/env bash
# The baseline: plain `buildah bud --layers` of the same build contexts stackctl builds (the
# contexts stackctl prepared under WORK/build/contexts, artifacts included), parents first, with
# the same storage. No planning, no checksums, no skipping: buildah's layer cache only.
#   plain-buildah.sh WORK
set -euo pipefail
work="$1"
# The driver and store bench/run.sh chose (the quickstart's); vfs under WORK/storage/vfs alone.
driver=${STACKCTL_BENCH_DRIVER:-vfs}
store=${STACKCTL_BENCH_STORE:-$work/storage/$driver}
bh() { buildah --storage-driver "$driver" --root "$store/root" --runroot "$store/runroot" "$@"; }
ctx="$work/build/contexts"
bud() {  # NAME BASE
  bh bud --isolation chroot --layers --quiet --build-arg "BASE_IMAGE=$2" \
    --build-arg "PYPI_INDEX_URL=http://127.0.0.1:38517/pypi/simple" -t "localhost/bench/$1:plain" "$ctx/$1" >/dev/null
}
bud spark-base localhost/stackctl-base:bookworm
for image in spark-connect notebook kyuubi history-server; do
  bud "$image" localhost/bench/spark-base:plain
done
