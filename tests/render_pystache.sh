#!/usr/bin/env bash
# Keeps bench/render.sh honest: the views stackctl_dump_views writes for a shipped stack, expanded
# by pystache (bench/render_pystache.py), give what stackctl's expansions gave (byte-equal, or
# equal but for the empty lines kainjow leaves where pystache follows the spec), and the folder
# the Python side writes holds the files `stackctl render --out` writes, with the same modes and
# the same contents but for those empty lines. Builds stackctl_dump_views (not built by default) in BUILD_DIR first.
#   render_pystache.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?usage: render_pystache.sh SOURCE_DIR BUILD_DIR} build=${2:?usage: render_pystache.sh SOURCE_DIR BUILD_DIR}
/usr/bin/python3 -c 'import pystache' || { echo "python3-pystache is not installed (tool/scripts/setup.sh)" >&2; exit 1; }
cmake --build "$build" --target stackctl_dump_views >/dev/null
w=$(mktemp -d /tmp/stackctl-render-pystache.XXXXXX)
trap 'rm -rf "$w"' EXIT
stack=$src/stacks/spark-connect.stack.yaml
"$build/bench/stackctl_dump_views" "$stack" >"$w/views.json"
/usr/bin/python3 "$src/bench/render_pystache.py" "$w/views.json" --check
"$build/tool/stackctl" render "$stack" --out "$w/stackctl" 2>/dev/null
/usr/bin/python3 "$src/bench/render_pystache.py" "$w/views.json" "$w/pystache"
/usr/bin/python3 "$src/bench/render_pystache.py" --compare "$w/stackctl" "$w/pystache"
# Not vacuous: the dump covers every manifest, and a changed view changes pystache's output.
n=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for f in d["files"] if "template" in f and "/kubernetes/" in f["path"]))' "$w/views.json")
[ "$n" -ge 10 ] || { echo "only $n manifests in the dump" >&2; exit 1; }
/usr/bin/python3 - "$w/views.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = next(f for f in d["files"] if f.get("template", "").endswith("service.yaml.mustache"))
f["view"]["name"] = "changed-" + f["view"]["name"]
json.dump(d, open(sys.argv[1], "w"))
PY
if /usr/bin/python3 "$src/bench/render_pystache.py" "$w/views.json" --check 2>/dev/null; then
  echo "a changed view still compared equal" >&2
  exit 1
fi
echo "render_pystache: spark-connect's expansions and written tree equal"
