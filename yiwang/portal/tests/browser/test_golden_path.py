"""The golden path in a real browser: search, apply, book, correct, decide, pay, certificate,
verification, rating; in Chinese, English, elder-friendly mode and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.portal.tests.browser.conftest import fresh_screenshot_dir
from yiwang.portal.tests.browser.steps import VARIANTS, Journey, golden_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_the_golden_path(
    browser: Any, live_server: Any, world: Any, axe_path: Any, variant: Any
) -> None:
    """The whole path; then axe-core's findings on the main pages it went through."""
    shots = fresh_screenshot_dir(variant.name)
    journey = Journey(browser, live_server.url, variant, shots, axe=axe_path)
    try:
        golden_path(journey, world)
    finally:
        journey.close()
    assert not journey.violations, "accessibility (axe-core):\n" + "\n".join(journey.violations)
