"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here: the session launches /usr/bin/chromium, which
`scripts/ensure-debian-packages.sh chromium fonts-noto-cjk` installs when it is missing (the
CJK fonts make the screenshots readable). If that cannot be done the tests FAIL with the
reason; they never skip. axe-core comes from the npm registry through `scripts/fetch_axe.py`.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[4]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


def _ensure_debian_packages() -> None:
    """Idempotent: the script asks dpkg first and installs only what is missing."""
    script = ROOT / "scripts" / "ensure-debian-packages.sh"
    result = subprocess.run(
        ["bash", str(script), "chromium", "fonts-noto-cjk"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Debian's Chromium and CJK fonts, and installing them "
            f"failed (scripts/ensure-debian-packages.sh chromium fonts-noto-cjk exited "
            f"{result.returncode}):\n{result.stdout}{result.stderr}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def axe_path() -> Path:
    """axe.min.js of the pinned axe-core release (downloaded once into var/vendor/)."""
    fetch = runpy.run_path(str(ROOT / "scripts" / "fetch_axe.py"))["fetch"]
    try:
        return Path(fetch())
    except (OSError, SystemExit) as error:
        pytest.fail(f"axe-core could not be fetched from the npm registry: {error}", pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the worker's whole session."""
    _ensure_debian_packages()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread for as long as it runs (the
    # worker's session); the ORM calls tests make here are ordinary blocking calls, which
    # Django would refuse next to a running loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def world(live_server: Any, city: Any) -> Any:
    """The golden path's people and item, committed where the live server sees them."""
    from yiwang.certificates.keys import DepartmentKeyResolver
    from yiwang.portal.tests.browser.world import build_world

    DepartmentKeyResolver.clear_cache()  # keys are made anew under the same ids each test
    return build_world(city)


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def fresh_screenshot_dir(variant: str) -> Path:
    folder = SCREENSHOTS / variant
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
