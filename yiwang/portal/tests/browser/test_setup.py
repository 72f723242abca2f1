"""The browser tests' own set-up: they fail, never skip, when Chromium cannot be had, and
axe-core is taken only when it matches the pinned integrity."""

from __future__ import annotations

import gzip
import io
import runpy
import tarfile
from pathlib import Path
from typing import Any

import pytest

from yiwang.portal.tests.browser import conftest as browser_conftest

FETCH_AXE = Path(browser_conftest.ROOT) / "scripts" / "fetch_axe.py"


def test_no_chromium_fails_the_run_with_the_reason(monkeypatch: Any, tmp_path: Path) -> None:
    """As on a machine without apt: the installer's refusal is the test's failure message."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "ensure-debian-packages.sh").write_text(
        "echo 'E: Unable to locate package chromium' >&2; exit 100\n"
    )
    monkeypatch.setattr(browser_conftest, "ROOT", tmp_path)
    monkeypatch.setattr(browser_conftest, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pytest.fail.Exception) as failed:
        browser_conftest._ensure_debian_packages()
    assert "exited 100" in str(failed.value) and "Unable to locate package" in str(failed.value)


def _tarball(script: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("package/axe.min.js")
        info.size = len(script)
        archive.addfile(info, io.BytesIO(script))
    return gzip.compress(buffer.getvalue())


class _Response(io.BytesIO):
    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_axe_is_refused_when_the_tarball_is_not_the_pinned_one(
    monkeypatch: Any, tmp_path: Path
) -> None:
    fetch_axe = runpy.run_path(str(FETCH_AXE))
    fetch = fetch_axe["fetch"]
    tampered = _tarball(b"window.axe = {run: () => ({violations: []})};")
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: _Response(tampered))
    target = tmp_path / "axe.min.js"
    with pytest.raises(SystemExit, match="integrity mismatch"):
        fetch(target)
    assert not target.exists()


def test_axe_is_taken_when_it_matches(monkeypatch: Any, tmp_path: Path) -> None:
    genuine = _tarball(b"/*! axe */")
    fetch_axe = runpy.run_path(str(FETCH_AXE))
    fetch = fetch_axe["fetch"]
    fetch.__globals__["INTEGRITY"] = fetch_axe["_integrity"](genuine)
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: _Response(genuine))
    target = tmp_path / "vendor" / "axe.min.js"
    assert fetch(target) == target and target.read_bytes() == b"/*! axe */"
    monkeypatch.setattr("urllib.request.urlopen", pytest.fail)  # already there: no download
    assert fetch(target) == target
