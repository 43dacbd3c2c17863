# Sourced by deploy_faults.sh and bench/deploy.sh: a stack ready to deploy on the project's
# apiserver (tests/k8s), and the fault-injecting proxy (tests/servers/fault_proxy.py).
# Needs: SRC (the repository), STACKCTL, H (the harness home), W (a scratch folder), and
# `fail` defined by the caller. Sets MIRROR_PID and PROXY_PIDS for the caller's cleanup.
#
#   mirror_start, fake_digests      deploy_lib.sh's (a checksum mirror -> $MIRROR; made-up
#                                   digests in a stack's lock)
#   values_for NAME                 made-up spark.env values for a Vault-sourced stack -> $VALUES
#   prepare NAME [DIR [FROM]]       copies FROM (default stacks/NAME.stack.yaml) into DIR (default
#                                   $W) as NAME.stack.yaml, with the shipped stacks' folders
#                                   (test_lib.sh's stack_folders), locks it
#                                   against the mirror and records a made-up digest for every image
#                                   the minikube target runs (pods never run here: no kubelet)
#   proxy_start NAME [ARGS...]      starts the proxy with ARGS; writes $W/NAME.port, $W/NAME.log
#                                   and the kubeconfig $W/NAME.kubeconfig that points at it
MIRROR_PID=
PROXY_PIDS=()

# mirror_start, fake_digests: deploy_lib.sh's.
# shellcheck source=deploy_lib.sh
source "$SRC/tests/integration/deploy_lib.sh"

values_for() {
  local stack=$1
  VALUES=
  grep -q "from: vault" "$SRC/stacks/$stack.stack.yaml" || return 0
  # Vault-sourced spark.env keys: made-up values for this test (never secrets).
  python3 - "$SRC/stacks/$stack.stack.yaml" > "$W/$stack.values.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
keys = sorted(set(re.findall(r"^\s*- name: [A-Z0-9_]+\n\s*from: vault\n\s*key: (\S+)", text, re.M)))
# Keys that carry a Spark setting are judged as that setting (render refuses a non-number).
for k in keys: print(f'{k}: "4"' if "instances" in k or "cores" in k else f"{k}: test-value")
PY
  VALUES="--values $W/$stack.values.yaml"
}

prepare() {
  local name=$1 dir=${2:-$W} from=${3:-$SRC/stacks/$1.stack.yaml}
  local s="$dir/$name.stack.yaml"
  stack_folders "$dir"
  cp "$from" "$s"
  sed -i "s|^  mirror: .*|  mirror: $MIRROR|" "$s"
  "$STACKCTL" lock "$s" >/dev/null 2>"$W/lock.err" || { cat "$W/lock.err"; fail "lock $name"; }
  "$STACKCTL" render "$s" --target minikube --out "$dir/r-$name" $VALUES >/dev/null 2>"$W/render.err" \
    || { cat "$W/render.err"; fail "render $name"; }
  fake_digests "$s" $VALUES
}

# A server certificate for 127.0.0.1 signed by the harness CA, made once per $W.
proxy_cert() {
  [ -s "$W/proxy.crt" ] && return 0
  openssl req -newkey rsa:2048 -nodes -keyout "$W/proxy.key" -subj "/CN=kube-fault-proxy" \
    -out "$W/proxy.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$W/proxy.ext"
  openssl x509 -req -in "$W/proxy.csr" -CA "$H/pki/ca.crt" -CAkey "$H/pki/ca.key" \
    -CAserial "$W/proxy.srl" -CAcreateserial -days 1 -sha256 -extfile "$W/proxy.ext" \
    -out "$W/proxy.crt" 2>/dev/null
}

proxy_start() {
  local name=$1; shift
  proxy_cert
  rm -f "$W/$name.port" "$W/$name.log"
  python3 "$SRC/tests/servers/fault_proxy.py" --cert "$W/proxy.crt" --key "$W/proxy.key" \
    --ca "$H/pki/ca.crt" --port-file "$W/$name.port" --log "$W/$name.log" "$@" 2>>"$W/$name.err" &
  PROXY_PIDS+=($!)
  for _ in $(seq 100); do [ -s "$W/$name.port" ] && break; sleep 0.05; done
  [ -s "$W/$name.port" ] || { cat "$W/$name.err"; fail "the proxy $name did not start"; }
  sed "s|server: https://127.0.0.1:6443|server: https://127.0.0.1:$(cat "$W/$name.port")|" \
    "$H/kubeconfig" > "$W/$name.kubeconfig"
}

proxy_stop() { # stops the last proxy started
  local last=${PROXY_PIDS[-1]}
  kill "$last" 2>/dev/null || true
  wait "$last" 2>/dev/null || true
  unset 'PROXY_PIDS[-1]'
}

lib_cleanup() {
  [ -n "$MIRROR_PID" ] && kill "$MIRROR_PID" 2>/dev/null || true
  for p in "${PROXY_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}
