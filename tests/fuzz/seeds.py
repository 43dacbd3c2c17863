#!/usr/bin/env python3
"""Writes the seed corpus under tests/fuzz/corpus/<target>/ (run it again after the fixtures change).

Seeds come from the project's own files: image references, versions and checksum lines found in
the shipped stacks and the fixtures, the catalog itself, and for the HTTP targets the response
bodies the unit tests record (tests/unit/test_registry.cpp's fake registry, test_kube_client.cpp,
test_vault.cpp), in each target's input form (parts separated by "\\n--part--\\n", see each
fuzz_*.cpp). The YAML and stack targets also read tests/fixtures/{good,bad,hostile}, stacks/ and
the catalog directly as extra seed folders (run.sh), so those files are not copied here.
Seeds are named by the SHA-1 of their bytes, as libFuzzer names what it adds.

The HTTP targets' seeds also take every body the unit tests record as a C++ raw string
(R"(...)", adjacent literals joined) in tests/unit/test_{registry,kube_client,kubeconfig,vault}.cpp
and tests/k8s/test_kube_client.cpp: each one, put in the part of the input that answers the
request it answers in the test, into that target's first seed.

  tests/fuzz/seeds.py                          writes the seeds
  tests/fuzz/seeds.py --merge BUILD TARGET...  and then minimises TARGET's corpus folder with
                                               BUILD/tests/fuzz/TARGET -merge=1 (kept: the inputs
                                               that add coverage), replacing what it held
"""
import hashlib
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "tests" / "fuzz" / "corpus"
SEP = "\n--part--\n"


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def yaml_files():
    for pattern in ("stacks/*.yaml", "tests/fixtures/*/*.yaml", "examples/**/*.yaml"):
        yield from sorted(root.glob(pattern))


def raw_strings(path):
    """The C++ raw string literals R"(...)" in a test file, adjacent literals joined."""
    text = path.read_text()
    joined = []
    for m in re.finditer(r'R"\((.*?)\)"', text, re.S):
        if joined and not text[joined[-1][0]:m.start()].strip():
            joined[-1] = [m.end(), joined[-1][1] + m.group(1)]
        else:
            joined.append([m.end(), m.group(1)])
    return [body for _, body in joined]


def json_bodies(*paths):
    """The recorded bodies that are JSON objects, as the tests wrote them."""
    for path in paths:
        for body in raw_strings(root / path):
            try:
                doc = json.loads(body)
            except ValueError:
                continue
            if isinstance(doc, dict):
                yield body, doc


def with_part(base, index, body):
    parts = list(base)
    parts[index] = body
    return parts


texts = [p.read_text(errors="replace") for p in yaml_files()]

# Image references: values of image-ish keys in the stacks and fixtures.
refs = set()
for t in texts:
    for m in re.finditer(r"(?:base|image|from|registry)\s*:\s*[\"']?([^\s\"'#]+)", t):
        refs.add(m.group(1))
refs |= {"debian:bookworm", "localhost:5000/a/b:t", "[::1]:5000/x@sha256:" + "a" * 64,
         "docker.io/library/python:3.11-slim-bookworm", "quay.io/org/img:t@sha256:" + "0f" * 32,
         "index.docker.io/x", "127.0.0.1:5000/demo/spark-base:3.5.7-py3.11"}
for r in sorted(refs)[:300]:
    write("fuzz_image_ref", r)

# Versions: every dotted number in the catalog, paired so the comparison runs.
catalog = (root / "stacks" / "catalog.yaml").read_text()
versions = sorted(set(re.findall(r"\b\d+(?:\.\d+){0,3}(?:-[A-Za-z0-9.]+)?\b", catalog)))
for a, b in zip(versions, versions[1:] + versions[:1]):
    write("fuzz_version", a + "\n" + b)
for v in ("4.0.0-preview2", "3.5.1+build.7", "17", "2.13", "1.12.262"):
    write("fuzz_version", v + "\n3.5")

# Published checksum files: the formats published_checksum.hpp lists, with the unit tests' shapes.
h512, h256, h1 = "a" * 128, "b" * 64, "c" * 40
gpg = " ".join(h512[i:i + 8].upper() for i in range(0, 128, 8))
for text in (h1 + "\n", h256, h512 + "  spark-4.0.1-bin-hadoop3.tgz\n",
             h512 + " *spark-4.0.1-bin-hadoop3.tgz\n" + h512.replace("a", "b") + "  other.tgz\n",
             "spark-2.3.2-bin-hadoop2.7.tgz: " + gpg[:71] + "\n                               " + gpg[72:] + "\n",
             "SHA512 (spark.tgz) = " + h512 + "\n", "SHA256(spark.tgz)= " + h256 + "\n",
             "<!DOCTYPE html>\n<html>...", "sha512:" + h512, "sha256:" + h256, "md5:00"):
    write("fuzz_published_checksum", text)

# Registry: manifest (or index) for the tag, a child manifest, the config blob, a challenge, a token.
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Labels": {"io.stackctl.versions.spark": "3.5.7"}},
                     "rootfs": {"type": "layers", "diff_ids": []}})
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "@D2@", "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": "sha256:" + h256, "size": 10}]})
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [
                        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@D1@",
                         "platform": {"os": "linux", "architecture": "amd64"}},
                        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "@D1@",
                         "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                        {"digest": "sha256:" + h256, "platform": {"os": "unknown", "architecture": "unknown"},
                         "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}]})
docker_list = index.replace("application/vnd.oci.image.index.v1+json",
                            "application/vnd.docker.distribution.manifest.list.v2+json")
bearer = 'Bearer realm="https://auth.fuzz/token",service="reg.fuzz",scope="repository:dp/spark-base:pull"'
auth_json = json.dumps({"auths": {"reg.fuzz": {"auth": "YWxpY2U6czNjcmV0"}}})
for parts in ([manifest, "", config, "", ""], [index, manifest, config, "", ""],
              [docker_list, manifest, config, bearer, json.dumps({"token": "T"})],
              [manifest, "", config, 'Basic realm="reg"', auth_json],
              [json.dumps({"schemaVersion": 1, "name": "x"}), "", "", "", ""],
              [index, index, "", "", json.dumps({"access_token": "T"})],
              ['{"errors":[{"code":"DENIED","message":"no"}]}', "", "", bearer, "not json"]):
    write("fuzz_registry", SEP.join(parts))
registry_base = [manifest, "", config, bearer, json.dumps({"token": "T"})]
for body in raw_strings(root / "tests/unit/test_registry.cpp"):
    if body.startswith(("Bearer ", "Basic ")):
        write("fuzz_registry", SEP.join(with_part(registry_base, 3, body)))
for body, doc in json_bodies("tests/unit/test_registry.cpp"):
    if "auths" in doc:
        write("fuzz_registry", SEP.join([manifest, "", config, 'Basic realm="reg"', body]))

# Kubernetes: kubeconfig, discovery, object/list, error Status, cache file, exec plugin answer.
kubeconfig = """apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://k8s.fuzz:6443/
    certificate-authority-data: Q0EtUEVN
    tls-server-name: kubernetes
users:
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, demo]
      provideClusterInfo: true
contexts:
- name: eks
  context: {cluster: c, user: eks, namespace: demo}
current-context: eks
"""
apps = json.dumps({"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
    {"name": "deployments", "namespaced": True, "kind": "Deployment", "verbs": ["get", "patch"]},
    {"name": "deployments/status", "namespaced": True, "kind": "Deployment", "verbs": ["get"]}]})
core = json.dumps({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
    {"name": "pods", "namespaced": True, "kind": "Pod", "verbs": ["get", "list"]}]})
group = json.dumps({"kind": "APIGroup", "name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                    "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}})
obj = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "demo"}})
lst = json.dumps({"kind": "DeploymentList", "metadata": {"resourceVersion": "7"}, "items": [json.loads(obj)]})
status = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden",
                     "message": 'deployments.apps "web" is forbidden: User "u" cannot get resource',
                     "details": {"name": "web", "group": "apps", "kind": "deployments",
                                 "causes": [{"reason": "FieldValueInvalid", "field": "spec"}]}, "code": 403})
cache = json.dumps({"fetchedAt": 1796126000, "server": "https://k8s.fuzz:6443", "list": json.loads(apps)})
cred = json.dumps({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1",
                   "status": {"token": "t", "expirationTimestamp": "2026-12-01T00:00:00Z"}})
for parts in ([kubeconfig, apps, obj, status, cache, cred], [kubeconfig, core, lst, status, "", cred],
              [kubeconfig, group, lst, "", cache, "{}"], ["", "not json", "", "Internal error", "{", ""]):
    write("fuzz_kube", SEP.join(parts))
# One discovery body answers /api, /apis, /api/v1 and /apis/G/V alike, so a seed that holds the
# fields of all four (versions, groups, resources) gets every lookup through to GET and LIST.
everything = json.dumps({"kind": "APIResourceList", "versions": ["v1"], "groups": [json.loads(group)],
                         "resources": json.loads(apps)["resources"] + json.loads(core)["resources"]})
kube_base = [kubeconfig, everything, obj, status, json.dumps({"fetchedAt": 1796126000,
                                                              "list": json.loads(everything)}), cred]
write("fuzz_kube", SEP.join(kube_base))
for body in (raw_strings(root / "tests/unit/test_kubeconfig.cpp") +
             raw_strings(root / "tests/unit/test_kube_client.cpp")):
    if re.search(r"^(clusters|users|contexts):", body, re.M):
        write("fuzz_kube", SEP.join(with_part(kube_base, 0, body)))
for body, doc in json_bodies("tests/unit/test_kube_client.cpp", "tests/k8s/test_kube_client.cpp"):
    if doc.get("kind") in ("APIResourceList", "APIGroupList", "APIVersions", "APIGroup"):
        write("fuzz_kube", SEP.join(with_part(kube_base, 1, body)))
    elif doc.get("kind") == "Status" or "code" in doc:
        write("fuzz_kube", SEP.join(with_part(kube_base, 3, body)))
    else:
        write("fuzz_kube", SEP.join(with_part(kube_base, 2, body)))

# Vault: lookup-self, AppRole login, KV preflight, a secret, an error (test_vault.cpp's bodies).
lookup = '{"data":{"policies":["default","spark-ro"]}}'
login = ('{"auth":{"client_token":"hvs.MINTED-xyz","accessor":"acc","token_policies":["default","spark-ro"],'
         '"lease_duration":60,"renewable":true}}')
mounts2 = '{"data":{"path":"secret/","type":"kv","options":{"version":"2"}}}'
mounts1 = '{"data":{"path":"kv/","type":"kv","options":null}}'
kv2 = ('{"data":{"data":{"a":"1","b":"two"},"metadata":{"created_time":"2026-01-01T00:00:00Z",'
       '"custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}},'
       '"request_id":"r","lease_id":"","renewable":false,"lease_duration":0}')
kv1 = '{"data":{"k":"v","n":3},"lease_duration":2764800}'
deleted = '{"data":{"data":null,"metadata":{"created_time":"t","deletion_time":"2026-01-02T00:00:00Z","destroyed":false,"version":4}}}'
for parts in ([lookup, login, mounts2, kv2, '{"errors":["permission denied"]}'],
              [lookup, login, mounts1, kv1, '{"errors":["Vault is sealed"]}'],
              [lookup, login, mounts2, deleted, deleted], ["{}", "{}", "{}", "{}", ""]):
    write("fuzz_vault", SEP.join(parts))
vault_base = [lookup, login, mounts2, kv2, '{"errors":["permission denied"]}']
for body, doc in json_bodies("tests/unit/test_vault.cpp"):
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    if "auth" in doc:
        part = 1
    elif "errors" in doc:
        part = 4
    elif "policies" in data:
        part = 0
    elif "type" in data or "options" in data:
        part = 2
    else:
        part = 3
    write("fuzz_vault", SEP.join(with_part(vault_base, part, body)))

# The YAML, stack and catalog targets: a few small documents of their own; run.sh adds the
# fixtures and stacks folders as seed folders.
for t in ("a: &x [1, 2]\nb: *x\n", "? complex\n: key\n", "--- a\n--- b\n", "k: !!str 3.10\n",
          "x: |\n  block\n", "{a: [b, {c: d}]}\n", "a: b\na: c\n", "\t- tab\n"):
    write("fuzz_yaml_doc", t)



# --merge BUILD TARGET...: keep only the seeds that add coverage (libFuzzer's -merge=1).
if len(sys.argv) > 1:
    if sys.argv[1] != "--merge" or len(sys.argv) < 4:
        sys.exit(__doc__)
    build = pathlib.Path(sys.argv[2])
    for target in sys.argv[3:]:
        d = corpus / target
        with tempfile.TemporaryDirectory() as tmp:
            everything_seen = pathlib.Path(tmp) / "all"
            shutil.copytree(d, everything_seen)
            shutil.rmtree(d)
            d.mkdir()
            subprocess.run([str(build / "tests" / "fuzz" / target), "-merge=1", str(d),
                            str(everything_seen)], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        print(f"seeds: {target}: {len(list(d.iterdir()))} inputs kept", file=sys.stderr)
