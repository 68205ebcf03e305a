"""The example site on a phone and a desktop, light and dark, in each built-in
theme: no page type scrolls sideways, and the dashboard's first screen on a phone
shows the progress and where the person stands against the pace line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hosting import StaticHost
from kit import MissingBrowser
from themesites import PAGE_TYPES, THEMES, build_example

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=THEMES)
def host(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticHost]:
    public = build_example(tmp_path_factory.mktemp("layout"), request.param)
    with StaticHost(public) as served:
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
        for kind, path in PAGE_TYPES.items():
            tab.goto(host.url + path)
            if tab.evaluate("document.documentElement.scrollWidth "
                            "> document.documentElement.clientWidth"):
                wide.append(f"{kind} {path}")
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
        nav = tab.locator("header nav li")
        assert nav.count() >= 5
        tops = {round(nav.nth(i).bounding_box()["y"]) for i in range(nav.count())}
        assert len(tops) <= 2  # the menu takes at most two lines
    finally:
        tab.close()
