#!/usr/bin/env python3
"""Every command's `-o json` output, success and failure, against docs/schema/stackctl-output.schema.json.

    json_schema.py STACKCTL ROOT WORKDIR

Runs the real binary. For each case: stdout must be exactly one JSON document, valid against the
schema's $defs entry for that command (its own document or the failure document); `ok` must be
true exactly when the exit code is 0; the exit code must be one the case expects. Endpoints that
need a server are covered in their failure path always (unreachable registry, apiserver, Vault:
127.0.0.1:1), and in their success path against cheap real servers: a loopback checksum mirror
(tests/servers/checksum_mirror.py: lock, then build --dry-run), the Vault test server over HTTPS
(check and render --vault), a docker-registry with an image pushed by skopeo (json_registry.sh:
check --image) and the project's apiserver (tests/k8s/ensure.sh, when it is built on this
machine: deploy, check --cluster, doctor). Cases whose server cannot run here are reported as
skipped, never as passed. python3-jsonschema validates (draft 2020-12).
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

try:
    import jsonschema
except ImportError:
    print("skipped: python3-jsonschema is not installed (tool/scripts/setup.sh)")
    sys.exit(77)

STACKCTL, ROOT, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
SCHEMA = json.load(open(os.path.join(ROOT, "docs/schema/stackctl-output.schema.json")))
STACK = os.path.join(ROOT, "stacks/spark-connect.stack.yaml")
BAD = os.path.join(ROOT, "tests/fixtures/bad/spark-env-unknown-source.yaml")
CUSTOM = os.path.join(ROOT, "stacks/custom-app.stack.yaml")
KYUUBI = os.path.join(ROOT, "stacks/kyuubi-sql.stack.yaml")
UNREACHABLE = "127.0.0.1:1"

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
passed, failed, skipped = 0, 0, 0


def validator(name):
    schema = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": "#/$defs/" + name}
    return jsonschema.Draft202012Validator(schema)


def case(title, definition, args, codes, env=None, stdin=None):
    """Runs stackctl ARGS and checks its stdout against #/$defs/DEFINITION."""
    run_env = dict(os.environ)
    run_env.update(env or {})
    p = subprocess.run([STACKCTL] + args, capture_output=True, text=True, env=run_env,
                       input=stdin, timeout=120)
    return judge(title, definition, " ".join(args), p.stdout, p.stderr, p.returncode, codes)


def judge(title, definition, command, stdout, stderr, returncode, codes):
    """Checks one run's stdout and exit code against #/$defs/DEFINITION."""
    global passed, failed
    problems = []
    if returncode not in codes:
        problems.append("exit code %d, expected one of %s" % (returncode, codes))
    try:
        doc = json.loads(stdout)
    except ValueError as e:
        doc = None
        problems.append("stdout is not one JSON document (%s): %r" % (e, stdout[:300]))
    if doc is not None:
        errors = list(validator(definition).iter_errors(doc))
        if errors:  # the deepest error of the anyOf branches says which field is wrong
            e = jsonschema.exceptions.best_match(errors)
            problems.append("schema: %s at /%s" % (e.message[:300], "/".join(str(x) for x in e.absolute_path)))
        if isinstance(doc, dict) and doc.get("ok") is not (returncode == 0):
            problems.append("ok is %r with exit code %d" % (doc.get("ok"), returncode))
    if problems:
        failed += 1
        print("FAIL: %s (%s)\n  stackctl %s" % (title, definition, command))
        for m in problems:
            print("  " + m)
        print("  stderr: " + stderr[-600:].replace("\n", "\n          "))
    else:
        passed += 1
        print("ok: %s (exit %d)" % (title, returncode))
    return doc


def skip(title, why):
    global skipped
    skipped += 1
    print("skipped: %s: %s" % (title, why))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


# A kubeconfig whose server answers nothing: every cluster command's failure path.
DEAD_KUBECONFIG = write(os.path.join(WORK, "dead.kubeconfig"), """apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://%s"}}]
users: [{name: u, user: {token: "t"}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: json-schema}}]
current-context: dead
""" % UNREACHABLE)
DEAD_VAULT = {"VAULT_ADDR": "https://" + UNREACHABLE, "VAULT_TOKEN": "not-a-token"}

# --- commands that need nothing outside ---------------------------------------------------------
case("version", "version", ["version", "-o", "json"], [0])
case("validate: a valid stack", "validate", ["validate", STACK, "-o", "json"], [0])
case("validate: an invalid stack", "validate", ["validate", BAD, "-o", "json"], [1])
case("validate: the stack from stdin", "validate", ["validate", "-", "-o", "json"], [0],
     stdin=open(STACK).read())
case("validate: an unreadable file", "validate", ["validate", "/nonexistent/x.yaml", "-o", "json"], [3])
case("validate: a broken --catalog", "validate",
     ["validate", STACK, "--catalog", write(os.path.join(WORK, "cat.yaml"), "nope: [\n"), "-o", "json"], [3])
case("usage error: an unknown flag", "validate", ["validate", STACK, "--bogus", "-o", "json"], [2])
case("usage error: an unknown command", "validate", ["valdate", "-o", "json"], [2])

case("check: a valid stack", "check", ["check", STACK, "-o", "json"], [0])
case("check: a target", "check", ["check", STACK, "--target", "minikube", "-o", "json"], [0])
case("check: an invalid stack", "check", ["check", BAD, "-o", "json"], [1])
case("check: an unreadable file", "check", ["check", "/nonexistent/x.yaml", "-o", "json"], [3])
case("check: no STACK", "check", ["check", "-o", "json"], [2])
case("check --list-rules", "checkRules", ["check", "--list-rules", "-o", "json"], [0])
case("check --values: a missing file", "check",
     ["check", KYUUBI, "--values", "/nonexistent/v.yaml", "-o", "json"], [3])
case("check --image: unreachable registry", "check",
     ["check", STACK, "--image", UNREACHABLE + "/x/spark-base:t", "-o", "json"], [4])
case("check --vault: unreachable Vault", "check", ["check", KYUUBI, "--vault", "-o", "json"], [4],
     env=DEAD_VAULT)
case("check --cluster: unreachable apiserver", "check",
     ["check", STACK, "--target", "minikube", "--cluster", "--kubeconfig", DEAD_KUBECONFIG, "-o", "json"], [4])

case("render --list", "render", ["render", STACK, "--list", "-o", "json"], [0])
case("render --out", "render", ["render", STACK, "--out", os.path.join(WORK, "rendered"), "-o", "json"], [0])
case("render: an invalid stack", "render", ["render", BAD, "-o", "json"], [1])
case("render: an unknown target", "render", ["render", STACK, "--target", "nope", "-o", "json"], [2])
case("render: an unwritable --out", "render", ["render", STACK, "--out", "/proc/x", "-o", "json"], [3])
case("render --vault: unreachable Vault", "render",
     ["render", KYUUBI, "--vault", "--list", "-o", "json"], [4], env=DEAD_VAULT)

case("lock: offline, checksums unresolved", "lock",
     ["lock", STACK, "--offline", "--lock", os.path.join(WORK, "x.lock"),
      "--cache-dir", os.path.join(WORK, "cache"), "-o", "json"], [4])
case("lock --frozen: no lock", "lock",
     ["lock", STACK, "--frozen", "--lock", os.path.join(WORK, "none.lock"), "-o", "json"], [5])
case("lock: an invalid stack", "lock", ["lock", BAD, "-o", "json"], [1])

case("build --dry-run: unpinned artifacts", "build",
     ["build", STACK, "--dry-run", "--offline", "--lock", os.path.join(WORK, "none.lock"), "-o", "json"], [1])
case("build: an invalid stack", "build", ["build", BAD, "--dry-run", "-o", "json"], [1])

case("explain: a known error", "explain", ["explain", "StatusCode.UNAVAILABLE", "-o", "json"], [0])
case("explain: with --stack", "explain",
     ["explain", "StatusCode.UNAVAILABLE", "--stack", STACK, "-o", "json"], [0])
case("explain: no match", "explain", ["explain", "nothing known here", "-o", "json"], [6])
case("explain: an invalid --stack", "explain",
     ["explain", "StatusCode.UNAVAILABLE", "--stack", BAD, "-o", "json"], [3])
case("explain --list", "explainList", ["explain", "--list", "-o", "json"], [0])

case("drift: this checkout", "drift", ["drift", STACK, "--skip", "registry", "-o", "json"], [0, 5, 8])
case("drift --only registry: no lock", "drift",
     ["drift", STACK, "--only", "registry", "--lock", os.path.join(WORK, "none.lock"), "-o", "json"], [0, 5, 8])
case("drift --cluster: unreachable apiserver", "drift",
     ["drift", STACK, "--only", "cluster", "--target", "minikube", "--kubeconfig", DEAD_KUBECONFIG,
      "-o", "json"], [4, 8])
case("drift: an unreadable stack", "drift", ["drift", "/nonexistent/x.yaml", "-o", "json"], [3])
case("drift: an unknown check", "drift", ["drift", STACK, "--only", "nope", "-o", "json"], [2])

case("submit --dry-run: no digest in the lock", "submit",
     ["submit", CUSTOM, "pi", "--target", "minikube", "--dry-run", "-o", "json"], [1])
case("submit: an unknown application", "submit",
     ["submit", CUSTOM, "nope", "--target", "minikube", "-o", "json"], [1, 2])

case("doctor: unreachable apiserver", "doctor",
     ["doctor", STACK, "--target", "minikube", "--kubeconfig", DEAD_KUBECONFIG, "-o", "json"], [4])
case("doctor --from: a missing snapshot", "doctor", ["doctor", "--from", "/nonexistent/s.json", "-o", "json"], [3])
case("deploy --dry-run: no lock", "deploy",
     ["deploy", STACK, "--target", "minikube", "--dry-run", "--lock", os.path.join(WORK, "none.lock"),
      "-o", "json"], [1])
case("deploy: an invalid stack", "deploy", ["deploy", BAD, "--target", "minikube", "-o", "json"], [1, 2])

# --- lock's success path: a loopback mirror answering every checksum file ----------------------
# (tests/servers/checksum_mirror.py, as deploy_lib.sh uses; deploy never reads the artifacts). The
# copy of the shipped stack is then given a made-up digest per image, as deploy_lib.sh does, so that
# deploy gets as far as the apiserver.
def locked_copy(stack):
    """A copy of a shipped stack locked against the mirror, with a made-up digest per image."""
    text = "\n".join("  mirror: http://127.0.0.1:" + port if l.startswith("  mirror: ") else l
                     for l in open(stack).read().split("\n"))
    copy = write(os.path.join(WORK, "locked", os.path.basename(stack)), text)
    # The files a stack names (its conda environments) are found beside it, as deploy_lib.sh copies them.
    if not os.path.exists(os.path.join(WORK, "locked/envs")):
        shutil.copytree(os.path.join(ROOT, "stacks/envs"), os.path.join(WORK, "locked/envs"))
    if not os.path.exists(os.path.join(WORK, "locked/apps")):
        shutil.copytree(os.path.join(ROOT, "stacks/apps"), os.path.join(WORK, "locked/apps"))
    subprocess.run([STACKCTL, "lock", copy, "--cache-dir", os.path.join(WORK, "cache")],
                   capture_output=True, check=True)
    listed = subprocess.run([STACKCTL, "render", copy, "--target", "minikube", "--list", "-o", "json"],
                            capture_output=True, text=True, check=True)
    lock_path = copy[:-len(".yaml")] + ".lock"
    lock = json.load(open(lock_path))
    fake = lambda ref: "sha256:" + hashlib.sha256(ref.encode()).hexdigest()
    lock["images"] = sorted(({"name": i["name"], "ref": i["ref"], "inputsDigest": fake(i["ref"]),
                              "digest": fake(i["ref"])} for i in json.loads(listed.stdout)["images"]),
                            key=lambda i: i["name"])
    write(lock_path, json.dumps(lock, indent=2, sort_keys=True) + "\n")
    return copy


mirror = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/servers/checksum_mirror.py")],
                          stdout=subprocess.PIPE, text=True)
try:
    port = mirror.stdout.readline().strip()
    locked_stack = write(os.path.join(WORK, "tolock/spark-connect.stack.yaml"), "\n".join(
        "  mirror: http://127.0.0.1:" + port if l.startswith("  mirror: ") else l
        for l in open(STACK).read().split("\n")))
    case("lock: resolved from a loopback mirror", "lock",
         ["lock", locked_stack, "--cache-dir", os.path.join(WORK, "cache"), "-o", "json"], [0])
    case("lock --frozen: current", "lock", ["lock", locked_stack, "--frozen", "-o", "json"], [0])
    locked_stack = locked_copy(STACK)
    locked_app = locked_copy(CUSTOM)
finally:
    mirror.terminate()
    mirror.wait()
case("build --dry-run: every image locked", "build",
     ["build", locked_stack, "--dry-run", "--offline", "-o", "json"], [0, 1, 4])
case("deploy --dry-run: unreachable apiserver", "deploy",
     ["deploy", locked_stack, "--target", "minikube", "--dry-run", "--kubeconfig", DEAD_KUBECONFIG,
      "-o", "json"], [4])

# --- Vault's success path: the protocol-faithful test server over loopback HTTPS -----------------
# (tests/servers/vault_server.py with certificates from vault_lib.sh, as vault.sh runs it).
vault_dir = os.path.join(WORK, "vault")
os.makedirs(vault_dir)
certs = subprocess.run(["bash", "-c", 'source "$1/tests/integration/vault_lib.sh" && vault_certs "$2"',
                        "_", ROOT, vault_dir], capture_output=True, text=True)
if certs.returncode != 0 or shutil.which("openssl") is None:
    skip("check --vault / render --vault: the Vault test server", "openssl could not make certificates")
else:
    state = write(os.path.join(vault_dir, "state.json"), json.dumps({
        "sealed": False, "initialized": True,
        "namespaces": {"": {
            "mounts": {"secret": {"version": 2, "secrets": {"spark/kyuubi-sql": {
                "aws_access_key_id": "AKIATEST", "aws_secret_access_key": "test-secret",
                "executor_instances": "4"}}}},
            "tokens": {"reader-token": ["spark-ro"]},
            "policies": {"spark-ro": ["secret/data/spark/*"]}}}}))
    port_file = os.path.join(vault_dir, "port")
    vault = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/servers/vault_server.py"),
                              "--cert", os.path.join(vault_dir, "server.pem"),
                              "--key", os.path.join(vault_dir, "server.key"), "--state", state,
                              "--port-file", port_file, "--log", os.path.join(vault_dir, "log.jsonl")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            time.sleep(0.1)
        live_vault = {"VAULT_ADDR": "https://127.0.0.1:" + open(port_file).read().strip(),
                      "VAULT_CACERT": os.path.join(vault_dir, "ca.pem"), "VAULT_TOKEN": "reader-token"}
        case("check --vault: the Vault test server", "check",
             ["check", KYUUBI, "--target", "minikube", "--vault", "-o", "json"], [0], env=live_vault)
        case("render --vault: the Vault test server", "render",
             ["render", KYUUBI, "--vault", "--list", "-o", "json"], [0], env=live_vault)
        case("check --vault: a token Vault denies", "check",
             ["check", KYUUBI, "--target", "minikube", "--vault", "-o", "json"], [4],
             env=dict(live_vault, VAULT_TOKEN="nothing-token"))
    finally:
        vault.terminate()
        vault.wait()

# --- check --image's success path: a real docker-registry and skopeo (json_registry.sh) ---------
reg_out, reg_rc = os.path.join(WORK, "registry.json"), os.path.join(WORK, "registry.rc")
p = subprocess.run(["bash", os.path.join(ROOT, "tests/integration/json_registry.sh"), STACKCTL,
                    reg_out, reg_rc], capture_output=True, text=True, timeout=300)
if p.returncode == 77:
    skip("check --image: a real docker-registry", p.stdout.strip())
elif p.returncode != 0 or not os.path.exists(reg_rc):
    judge("check --image: a real docker-registry", "check", "(json_registry.sh)", "", p.stdout + p.stderr, -1, [0])
else:
    judge("check --image: a real docker-registry", "check", "check demo.stack.yaml --image REG/demo/spark-base:good -o json",
          open(reg_out).read(), "", int(open(reg_rc).read()), [0])

# --- the apiserver's success paths (tests/k8s, when built on this machine) ----------------------
kubeconfig = None
if os.path.exists(os.path.join(os.environ.get("STACKCTL_K8S_HOME", "/var/cache/stackctl-k8s"), "bin")):
    p = subprocess.run(["bash", os.path.join(ROOT, "tests/k8s/ensure.sh")], capture_output=True,
                       text=True, timeout=600)
    kubeconfig = p.stdout.strip() if p.returncode == 0 else None
if kubeconfig:
    # This run's own namespaces on the shared apiserver, deleted at the end.
    ns = "json-schema-%d" % os.getpid()
    kubectl = [os.path.join(os.path.dirname(kubeconfig), "bin/kubectl"), "--kubeconfig", kubeconfig]
    subprocess.run(kubectl + ["create", "namespace", ns], capture_output=True)
    # The Secret deploy's preflight asks for (stackctl never makes it): test values.
    secret = subprocess.run(kubectl + ["create", "secret", "generic", "minio-credentials", "-n", ns,
                                       "--from-literal=AWS_ACCESS_KEY_ID=test",
                                       "--from-literal=AWS_SECRET_ACCESS_KEY=test",
                                       "--dry-run=client", "-o", "yaml"], capture_output=True, text=True)
    subprocess.run(kubectl + ["apply", "-f", "-"], input=secret.stdout, capture_output=True, text=True)
    case("deploy --dry-run: the real apiserver", "deploy",
         ["deploy", locked_stack, "--target", "minikube", "--kubeconfig", kubeconfig, "--context",
          "admin@harness", "-n", ns, "--dry-run", "-o", "json"], [0])
    case("deploy --no-wait: the real apiserver", "deploy",
         ["deploy", locked_stack, "--target", "minikube", "--kubeconfig", kubeconfig, "--context",
          "admin@harness", "-n", ns, "--no-wait", "-o", "json"], [0])
    # submit: custom-app deployed in a namespace of its own, then one run (a Job; no kubelet here,
    # so the run is submitted and never starts), then the same run again (refused: it exists).
    app_ns = ns + "-app"
    subprocess.run(kubectl + ["create", "namespace", app_ns], capture_output=True)
    subprocess.run(kubectl + ["create", "secret", "generic", "aws-credentials", "-n", app_ns,
                              "--from-literal=access-key-id=test-only",
                              "--from-literal=secret-access-key=test-only"], capture_output=True)
    on_app = ["--target", "minikube", "--kubeconfig", kubeconfig, "--context", "admin@harness", "-n", app_ns]
    case("deploy custom-app --no-wait", "deploy", ["deploy", locked_app, "--no-wait", "-o", "json"] + on_app, [0])
    case("submit --dry-run: the objects", "submitDryRun",
         ["submit", locked_app, "pi", "--run", "json", "--dry-run", "-o", "json"] + on_app, [0])
    case("submit: the real apiserver", "submit",
         ["submit", locked_app, "pi", "--run", "json", "-o", "json"] + on_app, [0])
    case("submit: the same run again (refused)", "submit",
         ["submit", locked_app, "pi", "--run", "json", "-o", "json"] + on_app, [1])
    case("drift --cluster: the real apiserver", "drift",
         ["drift", locked_stack, "--only", "cluster", "--target", "minikube", "--kubeconfig", kubeconfig,
          "--context", "admin@harness", "-n", ns, "-o", "json"], [0, 5])
    case("check --cluster: the real apiserver", "check",
         ["check", locked_stack, "--target", "minikube", "--cluster", "--kubeconfig", kubeconfig,
          "--context", "admin@harness", "-n", ns, "-o", "json"], [0, 1])
    snap = os.path.join(WORK, "snap.json")
    case("doctor: the real apiserver", "doctor",
         ["doctor", locked_stack, "--target", "minikube", "--kubeconfig", kubeconfig, "--context",
          "admin@harness", "-n", ns, "--save", snap, "-o", "json"], [0, 1])
    case("doctor --from: the snapshot it saved", "doctor", ["doctor", "--from", snap, "-o", "json"], [0, 1])
    subprocess.run(kubectl + ["delete", "namespace", ns, app_ns, "--wait=false"], capture_output=True)
else:
    for t in ["deploy", "submit", "check --cluster", "doctor"]:
        skip(t + ": the real apiserver", "tests/k8s is not built here")

print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
