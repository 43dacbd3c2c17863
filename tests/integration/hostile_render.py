#!/usr/bin/env python3
"""Renders a stack of hostile but valid values and reads every generated file back with that
file's own parser, finding each value intact and inert:

- spark.env: sourced by /bin/sh (`set -a; . ./spark.env`) in an empty folder, with a canary file
  that any command substitution in a value would create; only the expected variables appear, with
  their exact values;
- spark-defaults.conf: read by java.util.Properties#load (java's single-file launcher), or when no
  JDK is installed by a reader of the format written from the Properties#load specification;
- Dockerfiles: split into instructions as BuildKit's parser does (comments, line continuations);
  the hostile stack has exactly the instructions of a benign one, and the description LABEL reads
  back exactly;
- Kubernetes manifests and the conda environment file: PyYAML (safe_load_all).
HCL is covered by "terraform: HCL-hostile strings read back exactly" (tests/hcl).

usage: hostile_render.py STACKCTL WORKDIR        exit 0 pass, 1 fail
"""
import json, os, pathlib, shutil, subprocess, sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent

# Values that stay valid (validate accepts them) but are hostile to one of the grammars.
NASTY = "it's \"q\" $HOME ${HOME} `touch CANARY` $(touch CANARY) \\ back\\slash %{x} # ! = : é€😀"
SECRET = "pa'ss \"w\" $(touch CANARY) `touch CANARY` ${X}\nsecond line\\n\t; touch CANARY"
CONF = {
    "spark.hostile.value": NASTY,
    "spark.hostile.leading": "   leading spaces and trailing   ",
    "spark.hostile.separators": "a=b:c d#e!f",
    "spark.hostile.unicode": "é€😀",
}

def stack(description, conf, package):
    conf_lines = "".join(f"    {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in conf.items())
    return f"""apiVersion: stackctl.dev/v1
kind: Stack
metadata:
  name: demo
  revision: r1
  description: {json.dumps(description, ensure_ascii=False)}
versions: {{spark: "3.5.7", java: "17", python: "3.11", hadoop: "3.3.4", awsSdk: "1.12.262"}}
artifacts:
  spark:
    url: https://archive.apache.org/dist/spark/spark-3.5.7/spark-3.5.7-bin-hadoop3.tgz
    sha512: f3b7d5974d746b9aaecb19104473da91068b698a4d292177deb75deb83ef9dc7eb77062446940561ac9ab7ee3336fb421332b1c877292dab4ac1b6ca30f4f2e0
python:
  conda:
    - name: tools
      channels: ["https://conda.example/c?a=b&c=d"]
      packages: [{json.dumps(package, ensure_ascii=False)}]
images:
  - name: spark-base
    from: {{external: "debian:bookworm-slim"}}
    tag: "spark-{{spark}}-{{revision}}"
    python: true
    conda: [tools]
spark:
  conf:
{conf_lines}sparkEnv:
  sources:
    - name: vals
      file: values.yml
  keys:
    - name: MY_TOKEN
      from: vals
      key: token
    - name: OTHER
      from: vals
      key: other
targets:
  - name: minikube
    kind: minikube
    namespace: demo
"""

FAILURES = []

def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)

def render(stackctl, folder, text, values):
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "s.yaml").write_text(text)
    (folder / "values.yml").write_text(yaml.safe_dump(values, allow_unicode=True))
    p = subprocess.run([stackctl, "render", "s.yaml", "--out", "out"], cwd=folder,
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        sys.exit(f"render failed in {folder}")
    return folder / "out"

def check_spark_env(out):
    env_file = out / "targets/minikube/spark.env"
    sandbox = out.parent / "sandbox"
    sandbox.mkdir()
    shutil.copy(env_file, sandbox / "spark.env")
    p = subprocess.run(["/bin/sh", "-c", "set -a; . ./spark.env; set +a; env -0"], cwd=sandbox,
                       capture_output=True, env={"PATH": "/usr/bin:/bin"})
    check(p.returncode == 0, "spark.env: /bin/sh sources it")
    env = dict(item.split("=", 1) for item in p.stdout.decode().split("\0") if "=" in item)
    check(not any(sandbox.glob("CANARY*")) and not (out.parent / "CANARY").exists(),
          "spark.env: no command ran while sourcing (no canary file)")
    check(env.get("MY_TOKEN") == SECRET, "spark.env: MY_TOKEN reads back exactly")
    check(env.get("OTHER") == NASTY, "spark.env: OTHER reads back exactly")
    extra = set(env) - {"MY_TOKEN", "OTHER", "PATH", "PWD", "SHLVL", "_", "OLDPWD"}
    check(not extra, f"spark.env: only the stack's keys are set (extra: {sorted(extra)})")

def properties_python(text):
    """java.util.Properties#load as its Javadoc specifies it (natural lines, continuations,
    comments, key terminators, escapes)."""
    lines, logical, cont = [], "", False
    for raw in text.splitlines():
        line = raw.lstrip(" \t\f") if not cont or True else raw
        if not cont and (not line or line[0] in "#!"):
            continue
        backslashes = len(line) - len(line.rstrip("\\"))
        if backslashes % 2 == 1:
            logical += line[:-1]
            cont = True
            continue
        logical += line
        lines.append(logical)
        logical, cont = "", False
    def unescape(s):
        out, i = "", 0
        while i < len(s):
            c = s[i]
            if c == "\\" and i + 1 < len(s):
                n = s[i + 1]
                if n == "u":
                    out += chr(int(s[i + 2:i + 6], 16)); i += 6; continue
                out += {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(n, n); i += 2; continue
            out += c; i += 1
        return out.encode("utf-16", "surrogatepass").decode("utf-16")
    props = {}
    for line in lines:
        i = 0
        while i < len(line):
            if line[i] == "\\": i += 2; continue
            if line[i] in "=: \t\f": break
            i += 1
        key, rest = line[:i], line[i:]
        rest = rest.lstrip(" \t\f")
        if rest[:1] in ("=", ":"): rest = rest[1:].lstrip(" \t\f")
        props[unescape(key)] = unescape(rest)
    return props

def properties_java(path):
    java = shutil.which("java")
    if java is None:
        return None
    p = subprocess.run([java, str(HERE / "hostile" / "Props.java"), str(path)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
        return None
    return {bytes.fromhex(k).decode(): bytes.fromhex(v).decode()
            for k, v in (line.split(" ") for line in p.stdout.splitlines())}

def check_properties(text, path, what):
    props = properties_java(path)
    reader = "java.util.Properties"
    if props is None:
        props, reader = properties_python(text), "the Properties#load format (no JDK)"
    for k, v in CONF.items():
        check(props.get(k) == v, f"{what}: {k} reads back exactly with {reader}")
    check(properties_python(text) == props, f"{what}: the Python reader agrees with {reader}")

def dockerfile_instructions(text):
    """BuildKit's parser: '#' lines are comments, a line ending in '\\' continues."""
    out, current = [], ""
    for line in text.splitlines():
        if not current and line.lstrip().startswith("#"):
            continue
        if current and line.lstrip().startswith("#"):
            continue  # comments inside a continued instruction are dropped
        if line.endswith("\\"):
            current += line[:-1]
            continue
        current += line
        if current.strip():
            out.append(current.strip())
        current = ""
    return out

def label_value(instructions, key):
    for ins in instructions:
        if ins.startswith("LABEL ") and f'{key}="' in ins:
            s = ins.split(f'{key}="', 1)[1]
            value, i = "", 0
            while s[i] != '"':
                if s[i] == "\\":
                    i += 1
                value += s[i]
                i += 1
            return value
    return None

def main():
    stackctl, work = sys.argv[1], pathlib.Path(sys.argv[2])
    benign = render(stackctl, work / "benign", stack("a demo", {"spark.x": "1"}, "pandas=2.2"),
                    {"token": "t", "other": "o"})
    hostile = render(stackctl, work / "hostile", stack(NASTY, CONF, "pandas>=2.2,<3 # x"),
                     {"token": SECRET, "other": NASTY})
    check_spark_env(hostile)

    conf = hostile / "targets/minikube/spark-defaults.conf"
    check_properties(conf.read_text(), conf, "spark-defaults.conf")

    docker = (hostile / "images/spark-base/Dockerfile").read_text()
    ins, base_ins = dockerfile_instructions(docker), dockerfile_instructions(
        (benign / "images/spark-base/Dockerfile").read_text())
    check([i.split()[0] for i in ins] == [i.split()[0] for i in base_ins],
          "Dockerfile: the same instructions as a benign stack's")
    check(label_value(ins, "org.opencontainers.image.description") == NASTY,
          "Dockerfile: the description LABEL reads back exactly")

    manifests = sorted((hostile / "targets/minikube/kubernetes").glob("*.yaml"))
    docs = [d for m in manifests for d in yaml.safe_load_all(m.read_text()) if d]
    check(len(docs) > 0, f"manifests: {len(manifests)} files parse with PyYAML")
    cms = [d for d in docs if d.get("kind") == "ConfigMap" and "spark-defaults.conf" in d.get("data", {})]
    check(len(cms) == 1, "manifests: one ConfigMap carries spark-defaults.conf")
    if cms:
        text = cms[0]["data"]["spark-defaults.conf"]
        tmp = work / "hostile/configmap.properties"
        tmp.write_text(text)
        check_properties(text, tmp, "ConfigMap spark-defaults.conf")

    conda = yaml.safe_load((hostile / "images/spark-base/conda/tools.yml").read_text())
    check("pandas>=2.2,<3 # x" in conda["dependencies"], "conda tools.yml: the package reads back")
    check(conda["channels"] == ["https://conda.example/c?a=b&c=d"],
          "conda tools.yml: the channel reads back")
    if FAILURES:
        print(f"{len(FAILURES)} checks failed")
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
