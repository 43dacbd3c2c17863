#!/usr/bin/env bash
# For json_schema.py: `stackctl check --image -o json` against a real docker-registry with a
# matching image pushed by skopeo (registry_lib.sh), stdout into OUT and the exit code into RC.
#   json_registry.sh PATH/TO/stackctl OUT RC      (exit 77 when docker-registry or skopeo is missing)
source "$(dirname "$0")/registry_lib.sh"
OUT_FILE=$2 RC_FILE=$3
PORT=$(free_port)
start_registry anon "$PORT"
python3 "$HERE/oci_layout.py" "$WORK/layout" good "${GOOD_LABELS[@]}" >/dev/null
push "$WORK/layout" good "127.0.0.1:$PORT/demo/spark-base:good"
set +e
"$STACKCTL" check "$STACK" --image "127.0.0.1:$PORT/demo/spark-base:good" -o json >"$OUT_FILE"
echo $? >"$RC_FILE"
