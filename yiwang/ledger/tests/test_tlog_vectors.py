"""Every Merkle proof vector in shared/vectors/merkle/ (transparency-dev), one test per file.

Happy paths must verify and every "wantErr": true case must be rejected with ProofError. The
vectors are part of the contract: if they cannot be found the tests fail, never skip.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from yiwang.ledger.tlog import merkle

KINDS = ("inclusion", "consistency", "subtreeinclusion", "subtreeconsistency")


def shared_dir() -> Path:
    """$YIWANG_SHARED_DIR, else <repo root>/../shared (repo root: nearest pyproject.toml)."""
    configured = os.environ.get("YIWANG_SHARED_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            return parent.parent / "shared"
    package = next(parent for parent in here.parents if parent.name == "yiwang")
    return package.parent.parent / "shared"


VECTORS = shared_dir() / "vectors" / "merkle"
FILES = sorted(VECTORS.glob("*/**/*.json")) if VECTORS.is_dir() else []


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def check(kind: str, case: dict[str, Any]) -> None:
    proof = [b64(item) for item in case["proof"] or []]
    if kind == "inclusion":
        merkle.verify_inclusion(
            b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof, b64(case["root"])
        )
    elif kind == "consistency":
        merkle.verify_consistency(
            case["size1"], case["size2"], proof, b64(case["root1"]), b64(case["root2"])
        )
    elif kind == "subtreeinclusion":
        merkle.verify_subtree_inclusion(
            b64(case["leafHash"]),
            case["leafIdx"],
            case["start"],
            case["end"],
            proof,
            b64(case["root"]),
        )
    elif kind == "subtreeconsistency":
        merkle.verify_subtree_consistency(
            case["start"], case["end"], case["size"], proof, b64(case["root1"]), b64(case["root2"])
        )
    else:
        raise AssertionError(f"unknown vector kind {kind}")


def test_vector_directory_is_present_and_complete():
    assert VECTORS.is_dir(), f"Merkle test vectors not found at {VECTORS}"
    for kind in KINDS:
        assert list((VECTORS / kind).glob("**/*.json")), f"no {kind} vectors in {VECTORS}"
    # Guard against a silently emptied directory: the published set has 518 files.
    assert len(FILES) >= 518


@pytest.mark.parametrize(
    "path",
    FILES or [VECTORS / "MISSING"],
    ids=lambda p: str(p.relative_to(VECTORS)) if p.parent != VECTORS else "missing",
)
def test_vector(path: Path):
    assert path.is_file(), f"Merkle test vectors not found at {VECTORS}"
    kind = path.relative_to(VECTORS).parts[0]
    case = json.loads(path.read_text(encoding="utf-8"))
    if case["wantErr"]:
        with pytest.raises(merkle.ProofError):
            check(kind, case)
    else:
        check(kind, case)
