"""The example site on a phone and a desktop, light and dark: no page scrolls
sideways, and the dashboard's first screen on a phone shows the progress and
where the person stands against the pace line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hosting import StaticHost
from kit import REPO, MissingBrowser, run

PAGES = ["/", "/attempts/2026-10-25-naive-publisher-pitch/", "/attempts/", "/lessons/",
         "/outcomes/", "/categories/", "/attempts/page/2/"]


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticHost]:
    out = tmp_path_factory.mktemp("layout") / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", "2026-11-23",
                 "--no-cache")
    assert result.code == 0, result.err
    with StaticHost(out) as served:
        yield served


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1200])
def test_no_page_scrolls_sideways(browser: Any, host: StaticHost, width: int,
                                  scheme: str) -> None:
    if isinstance(browser, MissingBrowser):
        browser.fail  # noqa: B018 - fails the test with how to install Chromium
    tab = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
    try:
        wide = []
        for path in PAGES:
            tab.goto(host.url + path)
            if tab.evaluate("document.documentElement.scrollWidth "
                            "> document.documentElement.clientWidth"):
                wide.append(path)
        assert wide == []
    finally:
        tab.close()


def test_a_phone_s_first_screen_shows_progress_and_the_pace_line(browser: Any,
                                                               host: StaticHost) -> None:
    if isinstance(browser, MissingBrowser):
        browser.fail  # noqa: B018
    tab = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        tab.goto(host.url + "/")
        for selector in ("#goal-progress", ".pace-story .status", ".pace-story p + p"):
            box = tab.locator(selector).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 740, selector
        nav = tab.locator(".site-nav li")
        tops = {round(nav.nth(i).bounding_box()["y"]) for i in range(nav.count())}
        assert len(tops) <= 2  # the menu takes at most two lines
    finally:
        tab.close()
