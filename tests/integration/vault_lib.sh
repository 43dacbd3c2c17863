# Shared by the Vault integration tests (vault.sh, vault_deploy.sh); source it, do not run it.
# Certificates made with openssl and the protocol-faithful test server (tests/servers/
# vault_server.py) on loopback HTTPS. Needs ROOT (the project) set by the caller.

# vault_certs DIR: DIR/ca.pem (a CA), DIR/server.pem + server.key (127.0.0.1 and localhost, signed
# by it), DIR/other.pem (an unrelated CA) and DIR/capath/ (a folder holding ca.pem).
vault_certs() {
  local d=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=stackctl test CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
    -out "$d/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/san.ext" -out "$d/server.pem" >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=some other CA" \
    -keyout "$d/other.key" -out "$d/other.pem" >/dev/null 2>&1
  mkdir -p "$d/capath" && cp "$d/ca.pem" "$d/capath/test-ca.pem"
}

# vault_start DIR STATE LOG: starts the server with DIR's certificates and the state file STATE,
# logging requests to LOG. Sets ADDR (https://127.0.0.1:PORT), VAULT_CA (DIR/ca.pem) and
# SERVER_PID, also added to PIDS (test_lib.sh kills those on exit; a caller without it kills
# SERVER_PID); returns 1 when the server did not start.
vault_start() {
  local d=$1
  rm -f "$d/port"
  python3 "$ROOT/tests/servers/vault_server.py" --cert "$d/server.pem" --key "$d/server.key" \
    --state "$2" --port-file "$d/port" --log "$3" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do [ -s "$d/port" ] && break; sleep 0.1; done
  [ -s "$d/port" ] || return 1
  ADDR="https://127.0.0.1:$(cat "$d/port")"
  VAULT_CA="$d/ca.pem"
}

# ctl NAME JSON: a test-only control of the server (/_test/NAME; tests/servers/vault_server.py).
ctl() { curl -s --cacert "$VAULT_CA" -X POST -d "$2" "$ADDR/_test/$1" >/dev/null; }

# vput TOKEN PATH JSON: a KV v2 write of mount `secret` through the Vault API, as Terraform's
# vault_kv_secret_v2 does (POST secret/data/PATH {"data": ...}).
vput() {
  curl -s --cacert "$VAULT_CA" -H "X-Vault-Request: true" -H "X-Vault-Token: $1" -X POST \
    -d "{\"data\": $3}" "$ADDR/v1/secret/data/$2" >/dev/null
}
