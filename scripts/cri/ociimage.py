#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ociimage: a one-layer OCI archive for `ctr images import`, built from
files of this machine, with no registry and no daemon.

  ociimage.py ARCHIVE REF [--entrypoint JSON] [--cmd JSON] [--user U]
              DEST=SRC | DEST@TARGET (a symlink) | DEST/ (a directory)...

cri-check builds its busybox member image with it; the CRI tests build
sandbox images that are not this project's pause with it.
"""
import argparse
import hashlib
import io
import json
import os
import tarfile

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
        "s390x": "s390x", "riscv64": "riscv64"}


def _layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for entry in entries:
            if entry.endswith("/"):
                ti = tarfile.TarInfo(entry.strip("/"))
                ti.type, ti.mode = tarfile.DIRTYPE, 0o1777 if entry.strip("/") == "tmp" else 0o755
                t.addfile(ti)
            elif "@" in entry:
                dest, target = entry.split("@", 1)
                ti = tarfile.TarInfo(dest.lstrip("/"))
                ti.type, ti.linkname = tarfile.SYMTYPE, target
                t.addfile(ti)
            else:
                dest, src = entry.split("=", 1)
                ti = t.gettarinfo(src, dest.lstrip("/"))
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                ti.mtime = 0
                with open(src, "rb") as f:
                    t.addfile(ti, f)
    return buf.getvalue()


def build(archive, ref, entries, config):
    """Writes ARCHIVE: an OCI layout tar with one image named ref, whose
    layer holds entries and whose config holds config (Entrypoint...)."""
    blobs = {}

    def blob(data, media):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media, "digest": digest, "size": len(data)}

    layer = _layer(entries)
    cfg = blob(json.dumps({
        "architecture": ARCH[os.uname().machine], "os": "linux",
        "config": config,
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }, sort_keys=True).encode(), "application/vnd.oci.image.config.v1+json")
    manifest = blob(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": cfg, "layers": [blob(layer, "application/vnd.oci.image.layer.v1.tar")],
    }, sort_keys=True).encode(), "application/vnd.oci.image.manifest.v1+json")
    manifest["annotations"] = {"org.opencontainers.image.ref.name": ref}
    with tarfile.open(archive, "w", format=tarfile.USTAR_FORMAT) as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps({"schemaVersion": 2, "manifests": [manifest]}).encode())
        for digest, data in blobs.items():
            add("blobs/sha256/" + digest.split(":")[1], data)


def main():
    p = argparse.ArgumentParser(prog="ociimage.py", description=__doc__.split("\n\n")[0])
    p.add_argument("archive")
    p.add_argument("ref")
    p.add_argument("entries", nargs="+")
    p.add_argument("--entrypoint", type=json.loads)
    p.add_argument("--cmd", type=json.loads)
    p.add_argument("--user")
    a = p.parse_args()
    config = {"Env": ["PATH=/bin"]}
    for key, value in (("Entrypoint", a.entrypoint), ("Cmd", a.cmd), ("User", a.user)):
        if value is not None:
            config[key] = value
    build(a.archive, a.ref, a.entries, config)


if __name__ == "__main__":
    main()
