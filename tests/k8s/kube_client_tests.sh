#!/bin/bash
# Runs the kube client tests (tests/k8s/test_kube_client.cpp) against the project's real
# apiserver: makes sure it is built and running (ensure.sh), then prepares the credentials the
# tests use in a temporary folder:
#   kc-cert       a client certificate signed by the harness CA ($H/pki/ca.key), O=system:masters
#   kc-tokenfile  the admin token in a tokenFile (relative path, resolved against the kubeconfig)
#   kc-exec       an exec plugin (exec-plugin.sh) printing the admin token; counts its runs
#   kc-exec-401   the same plugin, whose first answer is a token the apiserver rejects
#   kc-tls-name   server https://127.0.0.1:6443 verified as tls-server-name "kubernetes"
#   kc-tls-wrong  the same with a tls-server-name the certificate does not name
# Usage: kube_client_tests.sh TEST_BINARY [catch args]
# Exits 77 (skipped) only when the control plane cannot be built here: not root, or no apt-get,
# and no prebuilt control plane under $H. Never stops or resets the shared apiserver.
set -euo pipefail
BIN=$1; shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H=${STACKCTL_K8S_HOME:-/var/cache/stackctl-k8s}
if [ ! -x "$H/bin/kube-apiserver" ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; }; then
  echo "kube_client_tests: the control plane cannot be built here (needs root and apt-get): skipped"
  exit 77
fi
command -v openssl >/dev/null || { echo "kube_client_tests: openssl missing: skipped"; exit 77; }
bash "$HERE/ensure.sh" >/dev/null
W=$(mktemp -d /tmp/stackctl-kube-tests.XXXXXX)
trap 'rm -rf "$W"' EXIT
ADMIN_TOKEN=$(awk -F, '$2=="admin" {print $1}' "$H/pki/tokens.csv")
CA_DATA=$(base64 -w0 < "$H/pki/ca.crt")

openssl genrsa -out "$W/client.key" 2048 2>/dev/null
openssl req -new -key "$W/client.key" -subj "/CN=cert-user/O=system:masters" -out "$W/client.csr"
openssl x509 -req -in "$W/client.csr" -CA "$H/pki/ca.crt" -CAkey "$H/pki/ca.key" \
  -CAserial "$W/ca.srl" -CAcreateserial -days 1 -sha256 -out "$W/client.crt" 2>/dev/null
printf '%s\n' "$ADMIN_TOKEN" > "$W/token"

cat > "$W/exec-plugin.sh" <<'PLUGIN'
#!/bin/bash
# Test exec credential plugin: counts its runs in $COUNT_FILE; with FIRST_INVALID=1 its first
# answer is a token the apiserver rejects. Checks KUBERNETES_EXEC_INFO names its apiVersion.
n=$(( $(cat "$COUNT_FILE" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$COUNT_FILE"
echo "$KUBERNETES_EXEC_INFO" > "$COUNT_FILE.info"
tok=$GOOD_TOKEN
if [ "${FIRST_INVALID:-0}" = 1 ] && [ "$n" = 1 ]; then tok=not-a-valid-token; fi
printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"%s"}}\n' "$tok"
PLUGIN
chmod +x "$W/exec-plugin.sh"

kubeconfig() { # file cluster-extra user-yaml
  cat > "$W/$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: harness
  cluster:
    server: ${4:-https://127.0.0.1:6443}
    certificate-authority-data: $CA_DATA
$2
users:
- name: u
  user:
$3
contexts:
- name: test
  context: {cluster: harness, user: u, namespace: default}
current-context: test
KC
}
kubeconfig kc-cert "" "    client-certificate: client.crt
    client-key: client.key"
kubeconfig kc-tokenfile "" "    tokenFile: token"
exec_user() { # count-file first-invalid
  cat <<U
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./exec-plugin.sh
      interactiveMode: Never
      env:
      - {name: COUNT_FILE, value: $W/$1}
      - {name: GOOD_TOKEN, value: $ADMIN_TOKEN}
      - {name: FIRST_INVALID, value: "$2"}
U
}
kubeconfig kc-exec "" "$(exec_user exec-count 0)"
kubeconfig kc-exec-401 "" "$(exec_user exec-401-count 1)"
kubeconfig kc-tls-name "    tls-server-name: kubernetes" "    token: $ADMIN_TOKEN"
kubeconfig kc-tls-wrong "    tls-server-name: wrong.example" "    token: $ADMIN_TOKEN"
chmod 600 "$W"/kc-*

export STACKCTL_K8S_HOME=$H STACKCTL_KUBE_TEST_DIR=$W XDG_CACHE_HOME=$W/cache
"$BIN" "$@"
