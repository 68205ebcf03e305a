"""Headless Chromium for the browser tests: Debian's, driven by Playwright.

A missing browser fails each test that uses it, with how to install it:
browser tests are never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from kit import CHROMIUM_ARGS, INSTALL_CHROMIUM, MissingBrowser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        yield MissingBrowser(INSTALL_CHROMIUM)
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        yield MissingBrowser('install Playwright: pip install -e ".[test]"')
        return
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
