"""A real headless Chromium for the desk: Debian's package, driven by Playwright.

Playwright never downloads a browser here: `scripts/chromium-local` installs Debian's
`chromium` when it is missing (as root or with sudo) and Playwright launches it by its
executable path. Without it the browser tests skip on a laptop and fail where CI is set.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from tests.conftest import REPO, missing_service


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        result = subprocess.run(
            [str(REPO / "scripts" / "chromium-local")],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        missing_service("no Chromium: scripts/chromium-local did not finish within 900 s")
    if result.returncode != 0:
        missing_service(f"no Chromium: scripts/chromium-local failed:\n{result.stderr[-2000:]}")
    path = result.stdout.strip().splitlines()[-1]
    assert os.access(path, os.X_OK), path
    return path


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path, headless=True)
        try:
            yield launched
        finally:
            await launched.close()
