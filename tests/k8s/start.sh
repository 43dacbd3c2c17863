#!/bin/bash
# Starts a real (node-less) Kubernetes v1.20.2 control plane on loopback:
#   etcd 3.4 (Debian etcd-server)   http://127.0.0.1:2379 (peer 127.0.0.1:2380)
#   kube-apiserver                  https://127.0.0.1:6443
#   kube-controller-manager         https://127.0.0.1:10257 (healthz only)
#   kube-scheduler                  https://127.0.0.1:10259 (healthz only)
# --endpoint-reconciler-type=none: the apiserver refuses to publish a loopback address
# (127.0.0.1) as the endpoint of default/kubernetes and would log that error every 10s;
# so that Endpoints object is simply not maintained (the Service itself exists).
# Everything lives under $H; PIDs are recorded in run/pids for stop.sh.
#
# Usage: ./start.sh [--reset]
#   --reset   wipe etcd-data first (fresh, empty cluster); certs and tokens are kept.
# Env:
#   KCM_CONTROLLERS   value for kube-controller-manager --controllers (default '*').
#                     For kwok-style fake nodes that must not be tainted/evicted by the
#                     node lifecycle controller use KCM_CONTROLLERS='*,-nodelifecycle'.
#   APISERVER_EXTRA_ARGS / KCM_EXTRA_ARGS / SCHED_EXTRA_ARGS  extra flags (word-split).
set -euo pipefail

H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$H/bin
PKI=$H/pki
RUN=$H/run
LOGS=$H/logs
DATA=$H/etcd-data
PIDS=$RUN/pids
ETCD=/usr/bin/etcd

mkdir -p "$PKI" "$RUN" "$LOGS"
chmod 700 "$PKI"

alive() { # pid exe -> true if pid is running the expected binary
  local pid=$1 exe=$2 cmd
  [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == "$exe "* ]]
}

if [ -s "$PIDS" ]; then
  while read -r name pid exe; do
    if alive "$pid" "$exe"; then
      echo "start.sh: $name (pid $pid) from a previous start.sh is still running; run $HERE/stop.sh first" >&2
      exit 1
    fi
  done < "$PIDS"
  rm -f "$PIDS"
fi

for port in 2379 2380 6443 10257 10259; do
  if ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; then
    echo "start.sh: TCP port $port is already in use; refusing to start" >&2
    exit 1
  fi
done

if [ "${1:-}" = "--reset" ]; then
  echo "start.sh: --reset: removing $DATA"
  rm -rf "$DATA"
fi

for b in kube-apiserver kube-controller-manager kube-scheduler; do
  [ -x "$BIN/$b" ] || { echo "start.sh: $BIN/$b missing (run $HERE/setup.sh)" >&2; exit 1; }
done
[ -x "$ETCD" ] || { echo "start.sh: $ETCD missing (apt-get install etcd-server)" >&2; exit 1; }

# ---------------------------------------------------------------- credentials (once)
if [ ! -s "$PKI/ca.crt" ]; then
  echo "start.sh: generating CA, serving cert, service-account keys and tokens in $PKI"
  openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -nodes -key "$PKI/ca.key" -sha256 -days 3650 \
    -subj "/CN=stackctl-k8s-ca" -out "$PKI/ca.crt"
  cat > "$PKI/apiserver.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = kube-apiserver
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @alt
[alt]
DNS.1 = localhost
DNS.2 = kubernetes
DNS.3 = kubernetes.default
DNS.4 = kubernetes.default.svc
DNS.5 = kubernetes.default.svc.cluster.local
IP.1 = 127.0.0.1
IP.2 = 10.96.0.1
EOF
  openssl genrsa -out "$PKI/apiserver.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/apiserver.key" -config "$PKI/apiserver.cnf" -out "$PKI/apiserver.csr"
  openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$PKI/apiserver.cnf" -extensions ext \
    -out "$PKI/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  tok() { openssl rand -hex 24; }
  # token,user,uid,"group1,group2"
  {
    echo "$(tok),admin,admin-uid,\"system:masters\""
    echo "$(tok),limited,limited-uid,\"harness:limited\""
    echo "$(tok),system:kube-controller-manager,kcm-uid"
    echo "$(tok),system:kube-scheduler,sched-uid"
  } > "$PKI/tokens.csv"
  chmod 600 "$PKI"/*.key "$PKI/tokens.csv"
fi

# Aggregation-layer (front-proxy) CA and client cert, as kubeadm sets up; without them
# controller-manager/scheduler log "missing content for CA bundle ... requestheader".
if [ ! -s "$PKI/front-proxy-client.crt" ]; then
  openssl genrsa -out "$PKI/front-proxy-ca.key" 2048 2>/dev/null
  openssl req -x509 -new -nodes -key "$PKI/front-proxy-ca.key" -sha256 -days 3650 \
    -subj "/CN=stackctl-k8s-front-proxy-ca" -out "$PKI/front-proxy-ca.crt"
  openssl genrsa -out "$PKI/front-proxy-client.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/front-proxy-client.key" -subj "/CN=front-proxy-client" \
    -out "$PKI/front-proxy-client.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' \
    > "$PKI/front-proxy-client.ext"
  openssl x509 -req -in "$PKI/front-proxy-client.csr" -CA "$PKI/front-proxy-ca.crt" \
    -CAkey "$PKI/front-proxy-ca.key" -CAcreateserial -days 3650 -sha256 \
    -extfile "$PKI/front-proxy-client.ext" -out "$PKI/front-proxy-client.crt" 2>/dev/null
  chmod 600 "$PKI"/*.key
fi

token_of() { awk -F, -v u="$1" '$2==u {print $1}' "$PKI/tokens.csv"; }
ADMIN_TOKEN=$(token_of admin)
CA_DATA=$(base64 -w0 < "$PKI/ca.crt")

write_kubeconfig() { # file user token
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: harness
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: $CA_DATA
users:
- name: $2
  user:
    token: $3
contexts:
- name: $2@harness
  context:
    cluster: harness
    user: $2
    namespace: default
current-context: $2@harness
EOF
  chmod 600 "$1"
}
write_kubeconfig "$H/kubeconfig" admin "$ADMIN_TOKEN"
write_kubeconfig "$H/kubeconfig-limited" limited "$(token_of limited)"
write_kubeconfig "$PKI/kcm.kubeconfig" system:kube-controller-manager "$(token_of system:kube-controller-manager)"
write_kubeconfig "$PKI/scheduler.kubeconfig" system:kube-scheduler "$(token_of system:kube-scheduler)"

# ---------------------------------------------------------------- launch helpers
launch() { # name exe args...
  local name=$1 exe=$2; shift 2
  # setsid + nohup: detached from this shell; all fds go to the log file.
  setsid nohup "$exe" "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$name $pid $exe" >> "$PIDS"
  echo "start.sh: started $name (pid $pid), log $LOGS/$name.log"
}

wait_for() { # description seconds command...
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 2; i++)); do
    if "$@" > /dev/null 2>&1; then echo "start.sh: $what ok"; return 0; fi
    sleep 0.5
  done
  echo "start.sh: timed out waiting for $what; see $LOGS; stopping what was started" >&2
  "$HERE/stop.sh" >&2 || true
  exit 1
}

check_proc() { # name: fail early if the process died
  local pid
  pid=$(awk -v n="$1" '$1==n {print $2}' "$PIDS")
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "start.sh: $1 exited; tail of $LOGS/$1.log:" >&2
    tail -20 "$LOGS/$1.log" >&2
    "$HERE/stop.sh" >&2 || true
    exit 1
  fi
}

: > "$PIDS"

# ---------------------------------------------------------------- etcd
mkdir -p "$DATA"; chmod 700 "$DATA"
launch etcd "$ETCD" \
  --name harness \
  --data-dir "$DATA" \
  --listen-client-urls http://127.0.0.1:2379 \
  --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 \
  --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster harness=http://127.0.0.1:2380 \
  --initial-cluster-state new \
  --initial-cluster-token stackctl-k8s
sleep 1; check_proc etcd
wait_for "etcd /health" 30 sh -c 'curl -sf http://127.0.0.1:2379/health | grep -q "\"health\":\"true\""'

# ---------------------------------------------------------------- kube-apiserver
# shellcheck disable=SC2086
launch kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port=6443 \
  --tls-cert-file="$PKI/apiserver.crt" \
  --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --token-auth-file="$PKI/tokens.csv" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range=10.96.0.0/12 \
  --endpoint-reconciler-type=none \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
  --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --allow-privileged=true \
  --profiling=false \
  ${APISERVER_EXTRA_ARGS:-}
sleep 2; check_proc kube-apiserver
wait_for "kube-apiserver /readyz" 120 sh -c \
  "curl -sf --cacert '$PKI/ca.crt' -H 'Authorization: Bearer $ADMIN_TOKEN' https://127.0.0.1:6443/readyz | grep -qx ok"

# ---------------------------------------------------------------- kube-controller-manager
# shellcheck disable=SC2086
launch kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$PKI/kcm.kubeconfig" \
  --authentication-kubeconfig="$PKI/kcm.kubeconfig" \
  --authorization-kubeconfig="$PKI/kcm.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port=10257 \
  --port=0 \
  --cert-dir="$RUN/kcm-certs" \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" \
  --root-ca-file="$PKI/ca.crt" \
  --service-cluster-ip-range=10.96.0.0/12 \
  --cluster-name=harness \
  --controllers="${KCM_CONTROLLERS:-*}" \
  --leader-elect=false \
  --profiling=false \
  ${KCM_EXTRA_ARGS:-}

# ---------------------------------------------------------------- kube-scheduler
# shellcheck disable=SC2086
launch kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$PKI/scheduler.kubeconfig" \
  --authentication-kubeconfig="$PKI/scheduler.kubeconfig" \
  --authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port=10259 \
  --port=0 \
  --cert-dir="$RUN/scheduler-certs" \
  --leader-elect=false \
  --profiling=false \
  ${SCHED_EXTRA_ARGS:-}

sleep 2; check_proc kube-controller-manager; check_proc kube-scheduler
wait_for "kube-controller-manager /healthz" 60 sh -c 'curl -skf https://127.0.0.1:10257/healthz | grep -qx ok'
wait_for "kube-scheduler /healthz" 60 sh -c 'curl -skf https://127.0.0.1:10259/healthz | grep -qx ok'
# The default ServiceAccount (created by the controller-manager) must exist before Pods
# can be admitted in a namespace; wait for it in "default" as a sign the controllers run.
wait_for "serviceaccount default/default" 60 sh -c \
  "curl -sf --cacert '$PKI/ca.crt' -H 'Authorization: Bearer $ADMIN_TOKEN' https://127.0.0.1:6443/api/v1/namespaces/default/serviceaccounts/default >/dev/null"

echo "start.sh: control plane ready. KUBECONFIG=$H/kubeconfig (admin), $H/kubeconfig-limited (limited)"
echo "start.sh: stop with $HERE/stop.sh"
