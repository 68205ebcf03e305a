"""The example site in Chromium under netlify.toml's headers: no CSP violation, styles applied.

The built site is served by tests/hosting.py with the headers netlify.toml
gives each path, Content-Security-Policy included, and every page is opened in
Debian's Chromium. Violations are read from the DevTools protocol's Audits
domain (one structured issue per blocked style, script or load, with the
directive), console errors and warnings from Playwright; the tests at the end
show that this check does fail for an inline style, an inline script, a script
or stylesheet from elsewhere, a frame, and an unknown Permissions-Policy
feature. Without Chromium these tests fail saying how to install it.
"""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hosting import StaticHost, headers_for, netlify_header_rules
from kit import REPO, SMALL_SITE, MissingBrowser, run, write_site

AS_OF = "2026-11-23"
TIMEOUT_MS = 10_000
RULES = netlify_header_rules(REPO / "netlify.toml")
# A 1x1 transparent PNG, for a picture "from another site".
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")

pytestmark = pytest.mark.browser


# ------------------------------------------------------------------ the browser
@dataclass
class Visit:
    """What happened while one address loaded."""

    url: str
    status: int | None = None
    csp: list[str] = field(default_factory=list)
    """`directive: blocked URL or 'inline'` for each violation the browser reported."""
    console: list[str] = field(default_factory=list)
    """Console errors and warnings."""
    failed: list[str] = field(default_factory=list)
    """Files the page asked for that did not load."""

    @property
    def problems(self) -> list[str]:
        return self.csp + self.console + self.failed


class Visitor:
    """One tab that records CSP violations, console messages and failed loads per visit."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1000, "height": 700})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.current = Visit("")
        cdp = self.context.new_cdp_session(self.page)
        cdp.on("Audits.issueAdded", self._issue)
        cdp.send("Audits.enable")
        self.page.on("console", self._console)
        self.page.on("requestfailed", lambda request: self.current.failed.append(
            f"{request.url}: {request.failure}"))
        self.page.on("response", self._response)

    def _issue(self, event: dict[str, Any]) -> None:
        issue = event["issue"]
        if issue["code"] == "ContentSecurityPolicyIssue":
            details = issue["details"]["contentSecurityPolicyIssueDetails"]
            blocked = details.get("blockedURL") or "inline"
            self.current.csp.append(f"{details['violatedDirective']}: {blocked}")

    def _console(self, message: Any) -> None:
        if message.type not in ("error", "warning"):
            return
        source = message.location.get("url", "")
        if source.endswith("/favicon.ico"):
            return  # the browser asks for one by itself; the site has none
        if source == self.current.url and message.text.startswith("Failed to load resource"):
            return  # the page's own status, which the test checks itself
        self.current.console.append(f"{message.type}: {message.text}")

    def _response(self, response: Any) -> None:
        if response.url == self.current.url:
            self.current.status = response.status
        elif response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.current.failed.append(f"{response.url}: {response.status}")

    def visit(self, url: str) -> Visit:
        self.current = Visit(url)
        self.page.goto(url, wait_until="load")
        # a frame and a task later, so the browser has sent every issue of this load
        self.page.evaluate("() => new Promise(done => requestAnimationFrame("
                           "() => setTimeout(done, 0)))")
        return self.current

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser: Any) -> Iterator[Visitor]:
    if isinstance(browser, MissingBrowser):
        yield browser  # type: ignore[misc]  # fails the test on first use
        return
    tab = Visitor(browser)
    try:
        yield tab
    finally:
        tab.close()


# ------------------------------------------------------------------ the site
@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("csp") / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", AS_OF, "--no-cache")
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def host(example: Path) -> Iterator[StaticHost]:
    with StaticHost(example, rules=RULES) as served:
        yield served


def addresses(root: Path) -> list[str]:
    """Every page and SVG image of a built site as a URL path (folders for index.html)."""
    found = []
    for path in sorted([*root.rglob("*.html"), *root.rglob("*.svg")]):
        rel = path.relative_to(root).as_posix()
        if rel == "404.html":
            continue  # visited as the answer to a missing address instead
        found.append("/" + rel.removesuffix("index.html"))
    return found


def computed(visitor: Visitor, selector: str, prop: str) -> str:
    value = visitor.page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)
    return str(value)


# ------------------------------------------------------------------ tests
def test_the_test_host_sends_the_headers_netlify_toml_gives_a_page(host: StaticHost) -> None:
    with urllib.request.urlopen(host.url + "/attempts/", timeout=10) as resp:
        sent = {name: resp.headers[name] for name in headers_for(RULES, "/attempts/")}
    assert sent == RULES[0].values
    assert "'unsafe-inline'" not in sent["Content-Security-Policy"]


def test_every_page_of_the_example_site_loads_without_a_csp_violation(
        host: StaticHost, example: Path, visitor: Visitor) -> None:
    pages = addresses(example)
    assert len(pages) > 50
    problems = {}
    for path in [*pages, "/no/such/page/"]:
        visit = visitor.visit(host.url + path)
        expected = 404 if path == "/no/such/page/" else 200
        if visit.problems or visit.status != expected:
            problems[path] = [f"status {visit.status}", *visit.problems]
    assert problems == {}


def test_the_stylesheets_apply_under_the_policy(host: StaticHost, visitor: Visitor) -> None:
    visitor.visit(host.url + "/")
    # body { margin: 0; font-family: system-ui, ... } in style.css
    assert computed(visitor, "body", "margin") == "0px"
    assert computed(visitor, "body", "font-family").startswith("system-ui")
    # .badge.outcome-no { background-color: #b42318 } in the generated outcomes.css
    assert computed(visitor, ".badge.outcome-no", "background-color") == "rgb(180, 35, 24)"


def test_the_not_found_page_is_styled_at_any_depth(host: StaticHost, visitor: Visitor) -> None:
    visit = visitor.visit(host.url + "/attempts/2026-01-01-gone/deeper/")
    assert visit.status == 404
    assert visit.problems == []
    assert computed(visitor, "body", "margin") == "0px"


def test_the_feed_opened_in_a_browser_causes_no_csp_violation(host: StaticHost,
                                                              visitor: Visitor) -> None:
    visit = visitor.visit(host.url + "/feed.xml")
    assert visit.status == 200
    assert visit.csp == []


def test_a_picture_from_another_https_site_shows(tmp_path: Path, visitor: Visitor) -> None:
    """img-src allows https: so a picture linked in an attempt shows on the live site too."""
    site = write_site(tmp_path / "site", {
        **SMALL_SITE,
        "content/attempts/2026-03-04-heron.md": (
            "---\ntitle: Asked to photograph a heron\ndate: 2026-03-04\noutcome: yes\n---\n"
            "![A heron](https://images.example/heron.png)\n")})
    assert run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache").code == 0
    visitor.page.route("https://images.example/**", lambda route: route.fulfill(
        status=200, content_type="image/png", body=PNG))
    with StaticHost(site / "public", rules=RULES) as served:
        visit = visitor.visit(served.url + "/attempts/2026-03-04-heron/")
        assert visit.problems == []
        assert visitor.page.eval_on_selector("img[alt='A heron']", "img => img.naturalWidth") == 1


# ------------------------------------------------------------------ the check can fail
@pytest.fixture
def tampered(example: Path, tmp_path: Path) -> Path:
    """A copy of the built example site to break on purpose."""
    copy = tmp_path / "public"
    shutil.copytree(example, copy)
    return copy


@pytest.mark.parametrize(("markup", "directive"), [
    ('<p style="color: red">inline style attribute</p>', "style-src-attr: inline"),
    ("<style>p { color: red }</style>", "style-src-elem: inline"),
    ("<script>document.title = 'ran'</script>", "script-src-elem: inline"),
    ('<script src="https://cdn.example/tracker.js"></script>',
     "script-src-elem: https://cdn.example/tracker.js"),
    ('<link rel="stylesheet" href="https://cdn.example/theme.css">',
     "style-src-elem: https://cdn.example/theme.css"),
    ('<iframe src="https://video.example/embed/1"></iframe>',
     "frame-src: https://video.example"),  # Chromium names only the origin of a frame
])
def test_the_check_reports_what_a_template_must_not_add(
        tampered: Path, visitor: Visitor, markup: str, directive: str) -> None:
    about = tampered / "about" / "index.html"
    about.write_text(about.read_text().replace("</main>", markup + "</main>"))
    with StaticHost(tampered, rules=RULES) as served:
        visit = visitor.visit(served.url + "/about/")
    assert visit.csp == [directive]


def test_the_check_reports_a_permissions_policy_feature_chromium_does_not_know(
        tampered: Path, visitor: Visitor) -> None:
    """So every feature netlify.toml names is one Chromium knows (it warns of the others)."""
    policy = RULES[0].values["Permissions-Policy"] + ", goldstar-nonsense=()"
    with StaticHost(tampered, rules=RULES,
                    extra_headers={"Permissions-Policy": policy}) as served:
        visit = visitor.visit(served.url + "/about/")
    assert visit.console == [
        "warning: Error with Permissions-Policy header: Unrecognized feature: "
        "'goldstar-nonsense'."]
