#!/usr/bin/env python3
"""Writes a tiny OCI image layout by hand (no daemon, no pull, no builder) for registry tests.

    oci_layout.py DIR TAG [--label K=V ...] [--platform linux/amd64 ...]

One platform: DIR/index.json gets an image manifest tagged TAG. Several: TAG names an image
index whose children are one image per platform; each child's config also carries the label
test.platform=OS/ARCH so a test can tell which one a client picked. Each image is one layer (an
uncompressed tar of /hello.txt) and a config with the labels. Everything is deterministic: the
same arguments give the same digests. Layout per the OCI image-spec (image-layout.md, manifest.md,
config.md, image-index.md). Existing DIR content is kept, so one layout can hold several tags.
"""
import argparse
import hashlib
import io
import json
import os
import tarfile


def put_blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(root, "blobs", "sha256", digest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def layer_tar(text):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        data = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mtime = 0
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image(root, tag, labels, platform):
    os_name, arch = platform.split("/")[:2]
    layer = layer_tar("hello from %s (%s)\n" % (tag, platform))
    layer_desc = put_blob(root, layer)
    config = {
        "created": "2024-01-01T00:00:00Z",
        "architecture": arch,
        "os": os_name,
        "config": {"Labels": labels, "Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "oci_layout.py"}],
    }
    config_desc = put_blob(root, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config_desc),
        "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **layer_desc)],
    }
    desc = put_blob(root, json.dumps(manifest, sort_keys=True).encode())
    return dict(mediaType=manifest["mediaType"], **desc)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("tag")
    p.add_argument("--label", action="append", default=[])
    p.add_argument("--platform", action="append", default=[])
    a = p.parse_args()
    labels = dict(l.split("=", 1) for l in a.label)
    platforms = a.platform or ["linux/amd64"]
    os.makedirs(a.dir, exist_ok=True)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    if len(platforms) == 1:
        top = image(a.dir, a.tag, labels, platforms[0])
    else:
        children = []
        for plat in platforms:
            d = image(a.dir, a.tag, dict(labels, **{"test.platform": plat}), plat)
            os_name, arch = plat.split("/")[:2]
            children.append(dict(d, platform={"os": os_name, "architecture": arch}))
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": children}
        top = dict(mediaType=index["mediaType"],
                   **put_blob(a.dir, json.dumps(index, sort_keys=True).encode()))
    top["annotations"] = {"org.opencontainers.image.ref.name": a.tag}
    index_path = os.path.join(a.dir, "index.json")
    outer = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            outer = json.load(f)
    outer["manifests"] = [m for m in outer["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != a.tag]
    outer["manifests"].append(top)
    with open(index_path, "w") as f:
        json.dump(outer, f, sort_keys=True)
    print(top["digest"])


if __name__ == "__main__":
    main()
