#!/usr/bin/env python3
"""Client-mode applications as render writes them (docs/applications.md,
"Client mode"), read back by the programs that use them:

- <app>.conf: loaded with java.util.Properties#load (java's single-file launcher running
  hostile/Props.java, as hostile_render.py does), holding the expected values, the stack's
  spark-defaults, and no credential value (the spark.env secret's value appears in no file but the
  0600 spark.env and the Secret manifest);
- <app>.submit.sh: run by /bin/sh against a stand-in SPARK_HOME whose bin/spark-submit records
  its arguments, with and without POD_NAME, from another working directory;
- `render --list -o json`: the `applications` entries;
- the headless Service: accepted by the project's real apiserver (tests/k8s) in a server-side dry
  run, in a namespace prefixed `client-` made for the test and deleted after, when that apiserver
  answers; otherwise that part is reported as skipped (exit 0 with a SKIP line).

usage: client_mode.py STACKCTL WORKDIR        exit 0 pass, 1 fail
"""
import json, os, pathlib, shutil, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
KUBE = pathlib.Path("/var/cache/stackctl-k8s")
SECRET_VALUE = "s3cr3t-canary-VALUE-9f1c"
NASTY = "a=b:c #!\\ é"

FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def stack(namespace):
    return f"""apiVersion: stackctl.dev/v1
kind: Stack
metadata: {{name: demo, revision: r1}}
versions: {{spark: "3.5.7", java: "17", python: "3.11", hadoop: "3.3.4", awsSdk: "1.12.262"}}
artifacts:
  spark:
    url: https://archive.apache.org/dist/spark/spark-3.5.7/spark-3.5.7-bin-hadoop3.tgz
  jars:
    - maven: org.apache.hadoop:hadoop-aws:3.3.4
    - maven: com.amazonaws:aws-java-sdk-bundle:1.12.262
images:
  - name: base
    from: {{external: "debian:bookworm-slim"}}
    tag: "spark-{{spark}}-{{revision}}"
    python: true
services:
  external:
    objectStore: {{kind: minio, endpoint: "http://minio:9000", pathStyleAccess: true,
                  credentialsSecret: minio-credentials}}
sparkEnv:
  sources:
    - name: vals
      file: values.yml
  keys:
    - name: MY_TOKEN
      from: vals
      key: token
applications:
  - name: nightly
    image: base
    mainResource: local:///opt/app/nightly.py
    arguments: ["--day", "it's today"]
    env: {{RESULT_PREFIX: "s3a://results/nightly"}}
    conf:
      spark.sql.shuffle.partitions: "8"
      spark.hostile.value: {json.dumps(NASTY, ensure_ascii=False)}
    deployMode: client
    client: {{concurrentDrivers: 3}}
    secrets:
      - {{env: DB_PASSWORD, secret: db, key: password}}
  - name: adhoc
    image: base
    deployMode: client
    client:
      runsIn: outside
      driverHost: airflow-1.example.com
      apiServer: https://api.example.com:6443
      interactive: true
targets:
  - name: minikube
    kind: minikube
    namespace: {namespace}
    context: test-ctx
"""


def render(stackctl, folder, namespace):
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "s.yaml").write_text(stack(namespace))
    (folder / "values.yml").write_text(f"token: {SECRET_VALUE}\n")
    p = subprocess.run([stackctl, "render", "s.yaml", "--out", "out"], cwd=folder,
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        sys.exit(f"render failed in {folder}")
    listing = subprocess.run([stackctl, "render", "s.yaml", "--list", "-o", "json"], cwd=folder,
                             capture_output=True, text=True)
    check(listing.returncode == 0, "render --list -o json succeeds")
    return folder / "out", json.loads(listing.stdout)


def load_properties(path):
    p = subprocess.run(["java", str(HERE / "hostile" / "Props.java"), str(path)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit("java.util.Properties could not load " + str(path))
    return {bytes.fromhex(k).decode(): bytes.fromhex(v).decode()
            for k, v in (line.split(" ") for line in p.stdout.splitlines())}


def check_conf(out, ns):
    conf = out / "targets/minikube/applications/nightly.conf"
    props = load_properties(conf)
    expect = {
        "spark.master": "k8s://https://kubernetes.default.svc:443",
        "spark.submit.deployMode": "client",
        "spark.driver.host": f"demo-nightly-driver.{ns}.svc",
        "spark.driver.bindAddress": "0.0.0.0",
        "spark.driver.port": "7078",
        "spark.driver.blockManager.port": "7081",
        "spark.port.maxRetries": "2",
        "spark.ui.port": "4040",
        "spark.kubernetes.container.image": "base:spark-3.5.7-r1",
        "spark.kubernetes.namespace": ns,
        "spark.sql.shuffle.partitions": "8",
        "spark.hostile.value": NASTY,
        "spark.executorEnv.RESULT_PREFIX": "s3a://results/nightly",
        "spark.kubernetes.executor.secretKeyRef.DB_PASSWORD": "db:password",
        "spark.kubernetes.executor.secretKeyRef.MY_TOKEN": "demo-spark-env:MY_TOKEN",
        "spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID":
            "minio-credentials:AWS_ACCESS_KEY_ID",
        "spark.hadoop.fs.s3a.endpoint": "http://minio:9000",
    }
    for k, v in expect.items():
        check(props.get(k) == v, f"nightly.conf: {k} = {v!r} (read {props.get(k)!r})")
    check(not any(k.startswith("spark.kubernetes.driver.secretKeyRef.") for k in props),
          "nightly.conf: no driver secretKeyRef (Spark makes no driver pod in client mode)")
    credential_keys = [k for k in props
                       if k.lower().endswith((".access.key", ".secret.key", ".session.token"))
                       or k.lower().split(".")[-1] in ("token", "secret", "password")]
    check(not credential_keys, f"nightly.conf: no credential property ({credential_keys})")
    text = conf.read_text()
    check("#   DB_PASSWORD from Secret db, key password" in text,
          "nightly.conf: the header names the driver's Secret keys")
    adhoc = load_properties(out / "targets/minikube/applications/adhoc.conf")
    check(adhoc.get("spark.master") == "k8s://https://api.example.com:6443",
          "adhoc.conf: spark.master is the API server given")
    check(adhoc.get("spark.driver.host") == "airflow-1.example.com", "adhoc.conf: driverHost")
    check(adhoc.get("spark.kubernetes.context") == "test-ctx", "adhoc.conf: the target's context")
    leaks = [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
             and SECRET_VALUE in p.read_text(errors="replace")]
    check(sorted(leaks) == ["targets/minikube/kubernetes/31-secret-demo-spark-env.yaml",
                            "targets/minikube/spark.env"],
          f"the secret value is only in spark.env and the Secret manifest ({leaks})")


def run_script(out, work, pod_name):
    home = work / "spark-home"
    (home / "bin").mkdir(parents=True, exist_ok=True)
    for tool in ("spark-submit", "pyspark"):
        stub = home / "bin" / tool
        stub.write_text('#!/bin/sh\nprintf "%s\\0" "$(basename "$0")" "$@" > "$ARGS_FILE"\n')
        stub.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "SPARK_HOME": str(home), "ARGS_FILE": str(work / "args")}
    if pod_name:
        env["POD_NAME"] = pod_name
    script = out / "targets/minikube/applications/nightly.submit.sh"
    check(os.access(script, os.X_OK), "nightly.submit.sh is executable")
    p = subprocess.run([str(script), "extra arg"], cwd="/", env=env, capture_output=True,
                       text=True)
    check(p.returncode == 0, f"nightly.submit.sh runs under /bin/sh ({p.stderr.strip()})")
    args = (work / "args").read_bytes().decode().split("\0")[:-1]
    conf = str((out / "targets/minikube/applications/nightly.conf").resolve())
    expected = ["spark-submit", "--deploy-mode", "client", "--properties-file", conf]
    if pod_name:
        expected += ["--conf", f"spark.kubernetes.driver.pod.name={pod_name}"]
    expected += ["--name", "nightly", "local:///opt/app/nightly.py", "--day", "it's today",
                 "extra arg"]
    check(args == expected, f"nightly.submit.sh (POD_NAME={pod_name!r}) runs {args}")


def check_listing(listing, ns):
    apps = {a["name"]: a for a in listing.get("applications", [])}
    check(set(apps) == {"nightly", "adhoc"}, "render --list -o json lists both applications")
    n = apps.get("nightly", {})
    check(n.get("service") == "demo-nightly-driver" and n.get("runsIn") == "cluster",
          "JSON: nightly's Service and runsIn")
    check(n.get("command", [])[:5] == ["spark-submit", "--deploy-mode", "client",
                                       "--properties-file",
                                       "targets/minikube/applications/nightly.conf"],
          "JSON: nightly's command")
    check({"env": "DB_PASSWORD", "secret": "db", "key": "password"} in n.get("driverEnv", []),
          "JSON: nightly's driverEnv names the Secret key")
    a = apps.get("adhoc", {})
    check(a.get("service") is None and a.get("command", [None])[0] == "pyspark",
          "JSON: adhoc has no Service and runs pyspark")


def kubectl(*args):
    return subprocess.run([str(KUBE / "bin/kubectl"), "--kubeconfig", str(KUBE / "kubeconfig"),
                           *args], capture_output=True, text=True, timeout=60)


def check_service(out, ns):
    svc = out / "targets/minikube/kubernetes/40-service-demo-nightly-driver.yaml"
    check(svc.exists(), "the headless Service manifest is rendered")
    if not (KUBE / "bin/kubectl").exists() or kubectl("get", "--raw", "/healthz").returncode != 0:
        print("SKIP the apiserver of tests/k8s is not running: the Service was not dry-run")
        return
    made = kubectl("create", "namespace", ns)
    check(made.returncode == 0, f"kubectl create namespace {ns} ({made.stderr.strip()})")
    try:
        p = kubectl("apply", "--server-side", "--dry-run=server", "--field-manager=stackctl-test",
                    "-f", str(svc), "-o", "json")
        check(p.returncode == 0, f"the apiserver accepts the Service (dry run) {p.stderr.strip()}")
        if p.returncode == 0:
            obj = json.loads(p.stdout)
            check(obj["spec"].get("clusterIP") == "None", "dry run: clusterIP None")
            check(obj["spec"]["selector"] == {"stackctl.dev/client-driver": "demo-nightly-driver"},
                  "dry run: the selector is the one driver label")
            check([x["port"] for x in obj["spec"]["ports"]] == [7078, 7081, 7079, 7082, 7080, 7083],
                  "dry run: the drivers' ports")
        check(kubectl("-n", ns, "get", "service", "demo-nightly-driver").returncode != 0,
              "dry run created nothing")
    finally:
        kubectl("delete", "namespace", ns, "--wait=false")


def main():
    stackctl, work = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
    ns = f"client-it-{os.getpid()}"
    out, listing = render(stackctl, work / "render", ns)
    check_conf(out, ns)
    run_script(out, work, "")
    run_script(out, work, "nightly-driver-0")
    check_listing(listing, ns)
    check_service(out, ns)
    if FAILURES:
        print(f"{len(FAILURES)} checks failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
