"""axe-core finds nothing on any page type of either built-in theme, light or dark.

axe-core comes bundled with the axe-playwright-python package (nothing is
downloaded at test time) and runs in Debian's Chromium on the example site,
served as a host would serve it. Every rule axe runs by default counts:
WCAG 2.x A and AA (contrast, names, landmarks, lists) and its best practices
(one main landmark, headings in order, all content in landmarks).
"""

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
    public = build_example(tmp_path_factory.mktemp("a11y"), request.param)
    with StaticHost(public) as served:
        yield served


def violations(tab: Any, axe: Any) -> list[str]:
    """What axe reports on the open page, one line per rule and element."""
    found = []
    for rule in axe.run(tab).response["violations"]:
        for node in rule["nodes"][:5]:
            found.append(f"{rule['id']} ({rule['impact']}): {rule['help']} at "
                         f"{' '.join(map(str, node['target']))}: "
                         f"{node.get('failureSummary', '').splitlines()[-1].strip()}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page_type(browser: Any, host: StaticHost,
                                                 scheme: str) -> None:
    if isinstance(browser, MissingBrowser):
        browser.fail  # noqa: B018 - fails the test with how to install Chromium
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    tab = browser.new_page(viewport={"width": 1000, "height": 800}, color_scheme=scheme)
    try:
        found = {}
        for kind, path in PAGE_TYPES.items():
            tab.goto(host.url + path)
            if problems := violations(tab, axe):
                found[f"{kind} {path}"] = problems
        assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(lines)
                                     for page, lines in found.items())
    finally:
        tab.close()


def test_the_check_reports_what_axe_finds(browser: Any) -> None:
    """The check above can fail: pale text and a picture without words are reported."""
    if isinstance(browser, MissingBrowser):
        browser.fail  # noqa: B018
    from axe_playwright_python.sync_playwright import Axe

    tab = browser.new_page()
    try:
        tab.set_content('<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>'
                        '<p style="color:#bbb;background:#fff">pale words</p>'
                        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                        '</main></html>')
        found = violations(tab, Axe())
        assert [line.split(" ")[0] for line in found] == ["color-contrast", "image-alt"]
    finally:
        tab.close()
