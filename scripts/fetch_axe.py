"""Fetch axe-core (the accessibility rules engine the browser tests inject) from the npm registry.

No node needed: the pinned tarball is downloaded with urllib, checked against the pinned
sha512 integrity the registry publishes for it, and `axe.min.js` is extracted into
var/vendor/ (gitignored). Running it again when the file is there and matches does nothing.

    python scripts/fetch_axe.py        # prints the path of axe.min.js
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `dist.integrity` of axe-core@4.14.1 in the registry's metadata.
INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "var" / "vendor" / f"axe-core-{VERSION}" / "axe.min.js"
MEMBER = "package/axe.min.js"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(target: Path = TARGET) -> Path:
    """axe.min.js of the pinned release, downloaded and checked once."""
    if target.exists():
        return target
    with urllib.request.urlopen(TARBALL, timeout=60) as response:  # noqa: S310 - fixed https URL
        data = response.read()
    found = _integrity(data)
    if found != INTEGRITY:
        raise SystemExit(f"axe-core {VERSION}: integrity mismatch ({found} != {INTEGRITY})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"axe-core {VERSION}: {MEMBER} missing from the tarball")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(target)  # a crash mid-write never leaves a half file under the real name
    return target


if __name__ == "__main__":
    print(fetch())
    sys.exit(0)
