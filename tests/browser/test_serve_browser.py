"""`goldstar serve` as a person uses it: a real process, a real browser, files saved on disk.

Runs `python -m generator serve` on a copy of a small site and drives Debian's
Chromium through Playwright. Without Chromium these tests fail, saying how to
install it; they never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kit import SMALL_SITE, MissingBrowser, write_site

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-03-31"
TIMEOUT_MS = 10_000
RAISE = "content/attempts/2026-03-02-raise.md"
LONG_ABOUT = "---\ntitle: About this challenge\n---\n" + "\n".join(
    f"Paragraph {n}: one ask a day, every no counted in public, for the whole of March.\n"
    for n in range(1, 81))

pytestmark = pytest.mark.browser


# ------------------------------------------------------------------ the server process
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0,
             interval: float = 0.05) -> Any:
    """Poll until condition() is truthy; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


class Served:
    """A running `goldstar serve` and everything it printed."""

    def __init__(self, site: Path, port: int | None = None) -> None:
        self.site = site
        self.lines: list[str] = []
        requested = port or free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site),
             "--port", str(requested), "--as-of", AS_OF],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)})
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        match = wait_for(self._serving, "`goldstar serve` to say where it serves", 20)
        # Use the address, not "localhost": the server listens on IPv4 only.
        self.url = f"http://127.0.0.1:{match.group(1)}"
        wait_for(lambda: self._answers(), "the server to answer", 10)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _serving(self) -> re.Match[str] | None:
        if self.proc.poll() is not None:
            self.reader.join(timeout=2)
            pytest.fail(f"`goldstar serve` exited with {self.proc.returncode}:\n{self.output}")
        for line in list(self.lines):
            match = re.search(r"Serving .* at http://[^:/]+:(\d+)/", line)
            if match:
                return match
        return None

    def _answers(self) -> bool:
        try:
            return http_status(self.url + "/") == 200
        except OSError:
            return False

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def build_id(self) -> str:
        with urllib.request.urlopen(self.url + "/", timeout=5) as resp:
            match = re.search(rb'data-build="(\w+)"', resp.read())
        assert match, "the served page has no reload script"
        return match.group(1).decode()

    def wait_until_watching(self) -> None:
        """Save a file until a rebuild shows: the watcher starts after the first answer."""
        about = self.site / "content/pages/about.md"
        text = about.read_text(encoding="utf-8")
        before = self.build_id()
        deadline = time.monotonic() + 10
        while self.build_id() == before:
            if time.monotonic() > deadline:
                pytest.fail(f"no rebuild after saving {about.name}:\n{self.output}")
            about.write_text(text, encoding="utf-8")
            time.sleep(0.25)

    def write(self, rel_path: str, text: str) -> None:
        path = self.site / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def interrupt(self, timeout: float = 5.0) -> tuple[int | None, float]:
        """Ctrl-C; (exit code or None if it did not stop in time, seconds taken)."""
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code: int | None = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.reader.join(timeout=2)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """SMALL_SITE with a long about page and its own copy of the default theme.

    The copy keeps edits to the repository's theme from causing rebuilds here.
    """
    root = write_site(tmp_path / "site", {**SMALL_SITE, "content/pages/about.md": LONG_ABOUT})
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    return root


@pytest.fixture
def served(site: Path) -> Iterator[Served]:
    server = Served(site)
    try:
        server.wait_until_watching()
        yield server
    finally:
        code, _ = server.interrupt()
        server.kill()
    assert code == 0, f"`goldstar serve` exited with {code}:\n{server.output}"
    assert "Traceback" not in server.output, server.output


# ------------------------------------------------------------------ the browser
@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab; JavaScript errors on the page fail the test."""
    if isinstance(browser, MissingBrowser):
        yield browser
        return
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def reloaded(page: Any) -> Callable[[], None]:
    """Mark the current document; the returned wait ends once a new one has loaded."""
    page.evaluate("window.__goldstarTestMark = true")

    def wait() -> None:
        page.wait_for_function(
            "() => !window.__goldstarTestMark && document.readyState === 'complete'",
            timeout=TIMEOUT_MS)
    return wait


# ------------------------------------------------------------------ tests
def test_saving_an_attempt_updates_the_open_dashboard(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    expect(page.get_by_text("Asked for a raise")).to_be_visible()
    text = SMALL_SITE[RAISE].replace("Asked for a raise", "Asked for a pay rise")
    wait = reloaded(page)

    started = time.perf_counter()
    served.write(RAISE, text)
    page.wait_for_function("() => document.body && document.body.innerText"
                           ".includes('Asked for a pay rise')", polling="raf",
                           timeout=TIMEOUT_MS)
    ms = (time.perf_counter() - started) * 1000
    print(f"save→reload: {ms:.0f} ms")

    expect(page.get_by_text("Asked for a raise")).to_have_count(0)
    # the new body was swapped in: the document itself was never reloaded
    assert page.evaluate("window.__goldstarTestMark === true")
    assert ms < 5000
    del wait


def test_a_stylesheet_change_reloads_the_whole_page(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    wait = reloaded(page)
    css = served.site / "themes" / "default" / "static" / "style.css"
    css.write_text(css.read_text() + "\n.goldstar-test-marker { color: red; }\n")
    wait()  # a full reload, so the browser takes the new stylesheet


def test_changing_an_outcome_updates_the_counts(served: Served, page: Any) -> None:
    page.goto(served.url + "/")
    progress = page.locator("#goal-progress")
    expect(progress).to_have_attribute("value", "2")
    served.write(RAISE, SMALL_SITE[RAISE].replace("outcome: yes", "outcome: no"))
    expect(progress).to_have_attribute("value", "3")


def test_a_bad_outcome_shows_the_overlay_until_it_is_fixed(served: Served, page: Any) -> None:
    page.goto(served.url + "/attempts/2026-03-02-raise/")
    heading = page.get_by_role("heading", name="Asked for a raise")
    expect(heading).to_be_visible()
    overlay = page.locator("#goldstar-overlay")
    expect(overlay).to_have_count(0)

    served.write(RAISE, SMALL_SITE[RAISE].replace("outcome: yes", "outcome: nope"))
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text(f"{RAISE}:4")
    expect(overlay).to_contain_text('"nope"')
    expect(heading).to_be_visible()  # the last good page stays underneath

    served.write(RAISE, SMALL_SITE[RAISE].replace("Asked for a raise", "Asked for a raise!"))
    expect(overlay).to_have_count(0)
    expect(page.get_by_role("heading", name="Asked for a raise!")).to_be_visible()


def test_a_live_reload_keeps_the_scroll_position(served: Served, page: Any) -> None:
    page.set_viewport_size({"width": 800, "height": 400})
    page.goto(served.url + "/about/")
    room = page.evaluate("document.scrollingElement.scrollHeight - window.innerHeight")
    assert room > 1500, "the about page is too short to scroll"
    page.evaluate("window.scrollTo(0, 1234)")
    page.wait_for_function("window.scrollY === 1234")

    served.write("content/pages/about.md", LONG_ABOUT.replace("Paragraph 1:", "Section 1:"))
    expect(page.get_by_text("Section 1:")).to_have_count(1)
    page.wait_for_function("Math.abs(window.scrollY - 1234) <= 2", timeout=2000)


def test_a_new_attempt_appears_and_a_deleted_one_is_gone(served: Served, page: Any) -> None:
    new = "content/attempts/2026-03-04-library-card.md"
    new_url = served.url + "/attempts/2026-03-04-library-card/"
    page.goto(served.url + "/attempts/")
    entry = page.get_by_role("link", name=re.compile("Asked for a second library card"))
    expect(entry).to_have_count(0)

    served.write(new, "---\ntitle: Asked for a second library card\ndate: 2026-03-04\n"
                      "outcome: no\n---\nOne is enough, they said.\n")
    expect(entry).to_be_visible()
    entry.click()
    page.wait_for_url(new_url)
    expect(page.get_by_text("One is enough, they said.")).to_be_visible()

    (served.site / new).unlink()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert http_status(new_url) == 404
    page.goto(served.url + "/attempts/")
    expect(page.get_by_text("Asked for a raise")).to_be_visible()
    expect(entry).to_have_count(0)


def test_ctrl_c_stops_the_server_cleanly(site: Path, page: Any) -> None:
    server = Served(site)
    try:
        page.goto(server.url + "/")  # keeps an event stream open
        expect(page.get_by_text("Asked for a raise")).to_be_visible()
        page.wait_for_function(
            "performance.getEntriesByType('resource')"
            ".some(e => e.name.includes('/__goldstar/reload.js'))")
        code, seconds = server.interrupt(timeout=5)
        print(f"Ctrl-C→exit: {seconds * 1000:.0f} ms")
    finally:
        server.kill()
    assert code == 0, f"exit code {code} after Ctrl-C:\n{server.output}"
    assert seconds < 5
    assert "Traceback" not in server.output, server.output
    assert "Stopped." in server.output


def test_an_open_page_comes_back_by_itself_after_the_server_restarts(
        site: Path, page: Any) -> None:
    first = Served(site)
    port = int(first.url.rsplit(":", 1)[1])
    second = None
    try:
        page.goto(first.url + "/attempts/2026-03-02-raise/")
        expect(page.get_by_role("heading", name="Asked for a raise")).to_be_visible()
        code, _ = first.interrupt()
        assert code == 0
        (site / RAISE).write_text(SMALL_SITE[RAISE].replace("Asked for a raise",
                                                            "Asked for a raise again"))
        second = Served(site, port)
        assert second.url == first.url
        # EventSource reconnects on its own; the new server's build differs: reload
        expect(page.get_by_role("heading", name="Asked for a raise again")).to_be_visible()
    finally:
        first.kill()
        if second is not None:
            second.interrupt()
            second.kill()
