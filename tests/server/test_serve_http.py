"""`goldstar serve` over a real socket, plus its request rules without one.

The server runs in this process on a free port, serving a small site built
into memory; each test gets a fresh SiteState so overlays and build ids do
not leak between tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from kit import SMALL_SITE, write_site

from generator import serve
from generator.build import BuildOptions, BuildResult
from generator.cli import main
from generator.preview import Session
from generator.problems import Problem
from generator.serve import SiteState, Watcher, bind, inject, resolve

AS_OF = dt.date(2026, 3, 31)
THEMES = Path(__file__).resolve().parents[2] / "themes"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4"/></svg>\n'
RELOAD_TAG = '<script src="/__goldstar/reload.js"'
OVERLAY_TAG = 'id="goldstar-overlay"'
PASSWD_MARKERS = (b"root:", b"/bin/sh", b"/bin/bash", b"nologin")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SMALL_SITE with its own copy of the default theme and an SVG in its static/."""
    root = write_site(tmp_path_factory.mktemp("site"), SMALL_SITE)
    shutil.copytree(THEMES / "default", root / "themes" / "default")
    (root / "themes" / "default" / "static" / "star.svg").write_bytes(SVG)
    return root


@pytest.fixture(scope="module")
def built(site: Path) -> BuildResult:
    return Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)).build()


@dataclass
class Running:
    state: SiteState
    server: serve.Server
    port: int

    def request(self, path: str, method: str = "GET",
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One request with the path sent exactly as given (http.client does not normalise)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()


@contextlib.contextmanager
def running_server(state: SiteState, port: int = 0) -> Iterator[Running]:
    server = bind("127.0.0.1", port, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Running(state, server, server.server_address[1])
    finally:
        state.close()  # ends any open event streams
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive(), "the server thread did not stop"


@pytest.fixture
def state(built: BuildResult) -> SiteState:
    state = SiteState()
    state.publish(built.contents, [])
    return state


@pytest.fixture
def server(state: SiteState) -> Iterator[Running]:
    with running_server(state) as running:
        yield running


def url_of(output_path: str) -> str:
    """The clean URL a built file is served at."""
    if output_path == "index.html":
        return "/"
    if output_path.endswith("/index.html"):
        return "/" + output_path[: -len("index.html")]
    return "/" + output_path


def html_outputs(files: dict[str, bytes]) -> list[str]:
    return sorted(path for path in files if path.endswith(".html"))


# ------------------------------------------------------------------ resolve(), no socket
FILES = {
    "index.html": b"home",
    "404.html": b"missing",
    "about/index.html": b"about",
    "attempts/index.html": b"archive",
    "attempts/2026-03-01-refill/index.html": b"refill",
    "static/style.css": b"css",
    "feed.xml": b"feed",
}


@pytest.mark.parametrize(("raw_path", "expected"), [
    ("/", ("ok", "index.html")),
    ("/index.html", ("ok", "index.html")),
    ("/about/", ("ok", "about/index.html")),
    ("/attempts/2026-03-01-refill/", ("ok", "attempts/2026-03-01-refill/index.html")),
    ("/attempts/2026-03-01-refill/?utm=x", ("ok", "attempts/2026-03-01-refill/index.html")),
    ("/static/style.css", ("ok", "static/style.css")),
    ("/feed.xml", ("ok", "feed.xml")),
    ("/about", ("redirect", "/about/")),
    ("/attempts/2026-03-01-refill", ("redirect", "/attempts/2026-03-01-refill/")),
    ("/nope/", ("missing", None)),
    ("/nope", ("missing", None)),
    ("/static/", ("missing", None)),
    ("/static", ("missing", None)),
    ("/about/index.html/", ("missing", None)),
    ("//about/", ("ok", "about/index.html")),
    ("/attempts//2026-03-01-refill", ("redirect", "/attempts/2026-03-01-refill/")),
    ("http://localhost:8000/about/", ("ok", "about/index.html")),
    ("/about/#top", ("ok", "about/index.html")),
])
def test_resolve_follows_static_hosting_rules(raw_path: str,
                                              expected: tuple[str, str | None]) -> None:
    assert resolve(FILES, raw_path) == expected


@pytest.mark.parametrize("raw_path", [
    "/../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/index.html",
    "/static/..%2f..%2fcontent/site.yml",
    "/static/../index.html",
    "/static/%2e%2e/index.html",
    "/./index.html",
    "/static/%5c..%5cx",
    "/static\\..\\index.html",
    "/%00",
    "/index.html%00.css",
    "index.html",
    "",
])
def test_resolve_never_lets_a_path_leave_the_site(raw_path: str) -> None:
    assert resolve(FILES, raw_path) == ("missing", None)


@pytest.mark.parametrize("raw_path", [
    "////about",
    "///about",
    "/%2F%2Fabout",
    "/%2f/about",
    "//about",
])
def test_resolve_redirects_stay_on_this_site(raw_path: str) -> None:
    """A Location starting with `//` would send the browser to another host."""
    outcome, target = resolve(FILES, raw_path)
    if outcome == "redirect":
        assert target is not None
        assert target.startswith("/") and not target.startswith("//"), target


def test_resolve_does_not_mistake_a_double_slash_for_a_host() -> None:
    """`//about/` is a path on this site, not the host "about"."""
    assert resolve(FILES, "//about/") == ("ok", "about/index.html")


# ------------------------------------------------------------------ inject(), no socket
def test_inject_puts_the_reload_script_with_the_build_id_before_the_body_ends() -> None:
    state = SiteState(build_id="abc123")
    page = inject(b"<html><body><p>hi</p></body></html>", state)
    text = page.decode()
    assert text.startswith("<html><body><p>hi</p>")
    assert text.endswith("</body></html>")
    assert f'{RELOAD_TAG} data-build="abc123"></script></body>' in text
    assert OVERLAY_TAG not in text


def test_inject_uses_the_last_closing_body_tag() -> None:
    page = b"<body><pre>&lt;/body&gt; </body> as text</pre></body>"
    text = inject(page, SiteState()).decode()
    assert text.count(RELOAD_TAG) == 1
    assert text.index(RELOAD_TAG) > text.index("as text")


def test_inject_appends_when_the_page_has_no_closing_body_tag() -> None:
    text = inject(b"<p>fragment</p>", SiteState()).decode()
    assert text.startswith("<p>fragment</p>")
    assert RELOAD_TAG in text


def test_inject_adds_an_escaped_overlay_naming_file_and_line_while_there_are_problems() -> None:
    problem = Problem("content/attempts/2026-03-02-raise.md", 4, 10,
                      'outcome "<script>alert(1)</script>" is not one of: no, yes',
                      'did you mean "no"?')
    state = SiteState(problems=[problem], summary="Build failed: 1 problem in 1 file.")
    text = inject(b"<body></body>", state).decode()
    assert OVERLAY_TAG in text
    assert "content/attempts/2026-03-02-raise.md:4:10" in text
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Build failed: 1 problem in 1 file." in text
    assert text.index(OVERLAY_TAG) < text.index(RELOAD_TAG) < text.index("</body>")


# ------------------------------------------------------------------ serving rules
def test_clean_url_serves_the_folders_index(server: Running, built: BuildResult) -> None:
    status, headers, body = server.request("/attempts/2026-03-01-refill/")
    assert status == 200
    assert b"Asked for a free refill" in body
    assert body == inject(built.contents["attempts/2026-03-01-refill/index.html"], server.state)
    assert headers["content-length"] == str(len(body))


def test_home_page_is_the_root_index(server: Running) -> None:
    status, _, body = server.request("/")
    assert status == 200
    assert b"Small test challenge" in body


@pytest.mark.parametrize(("path", "location"), [
    ("/attempts/2026-03-01-refill", "/attempts/2026-03-01-refill/"),
    ("/attempts", "/attempts/"),
    ("/about", "/about/"),
])
def test_a_folder_without_trailing_slash_redirects_permanently(server: Running, path: str,
                                                                location: str) -> None:
    status, headers, _ = server.request(path)
    assert status == 301
    assert headers["location"] == location


@pytest.mark.parametrize("path", ["/%2F%2Fabout", "////about", "/%2f/attempts"])
def test_a_redirect_never_sends_the_browser_to_another_host(server: Running, path: str) -> None:
    status, headers, _ = server.request(path)
    assert status == 301
    assert headers["location"].startswith("/")
    assert not headers["location"].startswith("//")


def test_unknown_path_is_404_with_the_sites_404_page(server: Running,
                                                      built: BuildResult) -> None:
    status, headers, body = server.request("/no/such/page/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == inject(built.contents["404.html"], server.state)
    assert b"Page not found" in body


@pytest.mark.parametrize(("path", "content_type"), [
    ("/", "text/html; charset=utf-8"),
    ("/attempts/", "text/html; charset=utf-8"),
    ("/404.html", "text/html; charset=utf-8"),
    ("/feed.xml", "application/atom+xml"),
    ("/stats.json", "application/json"),
    ("/sitemap.xml", "application/xml"),
    ("/robots.txt", "text/plain"),
    ("/static/style.css", "text/css"),
    ("/static/star.svg", "image/svg+xml"),
    ("/__goldstar/reload.js", "text/javascript"),
    ("/__goldstar/overlay.css", "text/css"),
])
def test_content_types(server: Running, path: str, content_type: str) -> None:
    status, headers, _ = server.request(path)
    assert status == 200
    if ";" in content_type:
        assert headers["content-type"] == content_type
    else:
        assert headers["content-type"].split(";")[0] == content_type


def test_svg_from_the_sites_theme_is_served_as_is(server: Running) -> None:
    status, _, body = server.request("/static/star.svg")
    assert status == 200
    assert body == SVG  # not an HTML page: nothing injected


def test_responses_are_not_cached_by_the_browser(server: Running) -> None:
    _, headers, _ = server.request("/")
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/static/", "/attempts/2026-03-01-refill/x/", "/themes/"])
def test_no_directory_listing(server: Running, path: str) -> None:
    status, _, body = server.request(path)
    assert status == 404
    assert b"Index of" not in body
    assert b"style.css" not in body.replace(b"/static/style.css", b"")


@pytest.mark.parametrize("path", [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2fcontent/site.yml",
    "/static/%2e%2e/%2e%2e/content/site.yml",
    "/..%2fcontent%2fsite.yml",
    "//etc/passwd",
    "/static/%5c..%5cx",
    "/static/%5c..%5c..%5ccontent%5csite.yml",
    "/%00",
    "/static/style.css%00.html",
    "/content/site.yml",
    "/content/attempts/2026-03-01-refill.md",
    "/themes/default/templates/base.html",
])
def test_traversal_attempts_are_404_and_leak_nothing(server: Running, path: str) -> None:
    status, _, body = server.request(path)
    assert status == 404
    for marker in PASSWD_MARKERS:
        assert marker not in body
    assert b"challenge:" not in body  # site.yml
    assert b"{% " not in body  # a template
    assert b"Page not found" in body


def test_head_sends_the_headers_of_get_without_a_body(server: Running) -> None:
    get_status, get_headers, get_body = server.request("/attempts/")
    head_status, head_headers, head_body = server.request("/attempts/", method="HEAD")
    assert (head_status, head_body) == (200, b"")
    assert get_status == 200
    assert head_headers["content-type"] == get_headers["content-type"]
    assert head_headers["content-length"] == str(len(get_body))


def test_head_of_a_missing_page_is_404_without_a_body(server: Running) -> None:
    status, headers, body = server.request("/nope/", method="HEAD")
    assert (status, body) == (404, b"")
    assert int(headers["content-length"]) > 0


def test_keep_alive_connection_serves_several_requests(server: Running) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path, status in [("/", 200), ("/attempts", 301), ("/nope", 404), ("/about/", 200)]:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == status
    finally:
        conn.close()


def test_kept_alive_requests_do_not_wait_for_a_delayed_ack(server: Running) -> None:
    """With Nagle's algorithm on, each request after the first took ~40 ms."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    times = []
    try:
        for _ in range(11):
            started = time.perf_counter()
            conn.request("GET", "/attempts/")
            conn.getresponse().read()
            times.append(time.perf_counter() - started)
    finally:
        conn.close()
    median = sorted(times[1:])[len(times[1:]) // 2]
    assert median < 0.025, f"median {median * 1000:.0f} ms per kept-alive request"


# ------------------------------------------------------------------ live reload
def test_served_html_carries_the_reload_script(server: Running, built: BuildResult) -> None:
    for output in html_outputs(built.contents):
        status, _, body = server.request(url_of(output))
        assert status == 200, output
        assert body.count(RELOAD_TAG.encode()) == 1, output
        assert f'data-build="{server.state.build_id}"'.encode() in body, output


def test_non_html_files_are_served_untouched(server: Running, built: BuildResult) -> None:
    for output in ("feed.xml", "stats.json", "static/style.css", "sitemap.xml"):
        _, _, body = server.request(url_of(output))
        assert body == built.contents[output], output


def test_reload_script_is_never_written_by_goldstar_build(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", "--site", str(site), "--output", str(out),
                     "--as-of", AS_OF.isoformat(), "--no-cache"])
    assert code == 0, stderr.getvalue()
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "__goldstar" not in text, page
        assert "goldstar-overlay" not in text, page
    for path in out.rglob("*"):
        if path.is_file():
            assert b"__goldstar" not in path.read_bytes(), path


def read_event(stream: http.client.HTTPResponse) -> dict[str, str]:
    """The fields of the next Server-Sent Event (keep-alive comments skipped)."""
    fields: dict[str, str] = {}
    while True:
        line = stream.fp.readline()
        if not line:
            raise EOFError("the event stream closed")
        text = line.decode().rstrip("\r\n")
        if text == "":
            if fields:
                return fields
            continue
        if text.startswith(":"):
            continue
        name, _, value = text.partition(":")
        fields[name] = value.removeprefix(" ")


@contextlib.contextmanager
def event_stream(server: Running) -> Iterator[http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "/__goldstar/events", headers={"Accept": "text/event-stream"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type") == "text/event-stream"
        yield resp
    finally:
        conn.close()


def test_events_send_the_current_build_and_each_new_one(server: Running,
                                                        built: BuildResult) -> None:
    with event_stream(server) as stream:
        first = read_event(stream)
        assert first["event"] == "build"
        assert first["data"].split()[0] == server.state.build_id
        server.state.publish(built.contents, [])
        second = read_event(stream)
        assert second["event"] == "build"
        assert second["data"] == server.state.build_id != first["data"].split()[0]


def test_events_ask_for_a_full_reload_only_when_a_static_file_changed(
        server: Running, built: BuildResult) -> None:
    with event_stream(server) as stream:
        read_event(stream)
        server.state.publish(built.contents, [])  # same static files: swap the body
        assert read_event(stream)["data"] == server.state.build_id
        changed = {**built.contents, "static/style.css": b"body { color: red }"}
        server.state.publish(changed, [])
        assert read_event(stream)["data"] == server.state.build_id + " full"


def test_events_announce_a_failed_rebuild_too(server: Running) -> None:
    """The page must reload to show the overlay, so a failure is a new build as well."""
    with event_stream(server) as stream:
        first = read_event(stream)["data"]
        server.state.publish(None, [Problem("content/site.yml", 2, 1, "broken")], "failed")
        assert read_event(stream)["data"] not in ("", first)


def test_every_open_event_stream_hears_of_a_publish(server: Running,
                                                    built: BuildResult) -> None:
    with event_stream(server) as a, event_stream(server) as b:
        assert read_event(a)["data"] == read_event(b)["data"]
        server.state.publish(built.contents, [])
        assert read_event(a)["data"] == read_event(b)["data"] == server.state.build_id


# ------------------------------------------------------------------ error overlay
BAD_OUTCOME = SMALL_SITE["content/attempts/2026-03-02-raise.md"].replace(
    "outcome: yes", "outcome: nope")


def test_overlay_is_on_every_page_while_the_build_fails_and_gone_after_a_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    attempt = site / "content/attempts/2026-03-02-raise.md"
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    state = SiteState()
    watcher = Watcher(session, state)
    watcher.rebuild(None)
    assert state.problems == []
    good_files = state.files
    attempt.write_text(BAD_OUTCOME, encoding="utf-8")
    watcher.rebuild({attempt})
    assert state.problems, "the bad outcome was not reported"
    assert state.files is good_files, "the last good pages must keep being served"
    assert "content/attempts/2026-03-02-raise.md:4" in capsys.readouterr().err

    with running_server(state) as server:
        for output in html_outputs(state.files):
            status, _, body = server.request(url_of(output))
            text = body.decode()
            assert status == 200, output
            assert text.count(OVERLAY_TAG) == 1, output
            assert "content/attempts/2026-03-02-raise.md:4" in text, output
            assert "&quot;nope&quot;" in text, output
        status, _, body = server.request("/no/such/page/")
        assert status == 404
        assert OVERLAY_TAG in body.decode(), "the 404 page needs the overlay too"
        for output in ("stats.json", "feed.xml", "static/style.css"):
            assert OVERLAY_TAG.encode() not in server.request(url_of(output))[2], output

        attempt.write_text(SMALL_SITE["content/attempts/2026-03-02-raise.md"],
                           encoding="utf-8")
        watcher.rebuild({attempt})
        assert state.problems == []
        for output in [*html_outputs(state.files), "does-not-exist.html"]:
            _, _, body = server.request(url_of(output))
            assert OVERLAY_TAG.encode() not in body, output
            assert RELOAD_TAG.encode() in body, output


def test_a_failed_first_build_still_serves_a_page_with_the_overlay(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**SMALL_SITE,
                                 "content/attempts/2026-03-02-raise.md": BAD_OUTCOME})
    state = SiteState()
    with contextlib.redirect_stderr(io.StringIO()):
        Watcher(Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)),
                state).rebuild(None)
    assert state.files == {}
    with running_server(state) as server:
        for path in ("/", "/attempts/", "/nope"):
            _, headers, body = server.request(path)
            assert headers["content-type"] == "text/html; charset=utf-8"
            assert "content/attempts/2026-03-02-raise.md:4" in body.decode(), path
            assert RELOAD_TAG.encode() in body, path


# ------------------------------------------------------------------ concurrency, ports
def test_concurrent_requests_all_succeed_with_identical_bodies(server: Running) -> None:
    paths = ["/", "/attempts/", "/attempts/2026-03-02-raise/", "/about/", "/stats.json",
             "/feed.xml", "/static/style.css", "/static/star.svg"]
    expected = {path: server.request(path)[2] for path in paths}

    def client(number: int) -> list[tuple[str, int, bytes]]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        seen = []
        try:
            for i in range(10):
                path = paths[(number + i) % len(paths)]
                conn.request("GET", path)
                resp = conn.getresponse()
                seen.append((path, resp.status, resp.read()))
        finally:
            conn.close()
        return seen

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = [r for batch in pool.map(client, range(20)) for r in batch]
    assert len(results) == 200
    for path, status, body in results:
        assert status == 200, path
        assert body == expected[path], path


def test_a_taken_port_moves_to_the_next_free_one(state: SiteState,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with running_server(state) as first:
        second = bind("127.0.0.1", first.port, state)
        try:
            port = second.server_address[1]
            assert first.port < port < first.port + 10
        finally:
            second.server_close()
    assert f"Port {first.port} is in use; serving on {port} instead." in capsys.readouterr().err


def test_every_port_taken_is_an_error_saying_what_to_do(state: SiteState) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=re.escape("pass --port with a free one")):
            bind("127.0.0.1", port, state, tries=1)


def test_a_client_going_away_mid_response_prints_no_traceback(
        server: Running, capsys: pytest.CaptureFixture[str]) -> None:
    """A reload aborts requests still in flight; that is not an error worth a traceback."""
    for exc in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
        try:
            raise exc
        except ConnectionError:
            server.server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("a real bug")
    except ValueError:
        server.server.handle_error(None, ("127.0.0.1", 1))
    assert "ValueError: a real bug" in capsys.readouterr().err


# ------------------------------------------------------------------ the watcher
class WatcherThread:
    """Watcher.run() in a thread, recording the changed paths of each rebuild."""

    def __init__(self, site: Path) -> None:
        # Its own theme, so that edits to the repository's theme cannot trigger rebuilds.
        shutil.copytree(THEMES / "default", site / "themes" / "default")
        self.site = site
        self.state = SiteState()
        self.watcher = Watcher(Session(BuildOptions(site_dir=site, as_of=AS_OF,
                                                    use_cache=False)), self.state)
        self.rebuilds: list[set[Path] | None] = []
        original = self.watcher.rebuild

        def recording(changed: set[Path] | None) -> None:
            original(changed)
            self.rebuilds.append(changed)

        self.watcher.rebuild = recording  # type: ignore[method-assign]
        self.watcher.rebuild(None)
        self.rebuilds.clear()
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> WatcherThread:
        self.thread.start()
        # The watch starts a moment after the thread: save a file until it is seen.
        about = self.site / "content/pages/about.md"
        text = about.read_text(encoding="utf-8")
        self.wait(lambda: bool(self.rebuilds) or not about.write_text(text, encoding="utf-8"),
                  "the watcher to start", interval=0.2)
        self.rebuilds.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop.set()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive(), "the watcher did not stop"

    @staticmethod
    def wait(condition: Callable[[], bool], what: str, timeout: float = 10,
             interval: float = 0.02) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(interval)


def test_the_watcher_rebuilds_only_for_real_files_not_editor_droppings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    attempts = site / "content/attempts"
    with WatcherThread(site) as watching:
        before = watching.state.build_id
        for name in (".#2026-03-01-refill.md", "#2026-03-01-refill.md#",
                     "2026-03-01-refill.md~", ".2026-03-01-refill.md.swp", "4913",
                     "x.tmp"):
            (attempts / name).write_text("junk", encoding="utf-8")
        (site / ".goldstar-cache").mkdir()
        (site / ".goldstar-cache" / "build.pickle").write_bytes(b"junk")
        refill = attempts / "2026-03-01-refill.md"
        refill.write_text(SMALL_SITE["content/attempts/2026-03-01-refill.md"].replace(
            "free refill", "free top-up"), encoding="utf-8")
        # The save may reach the watcher in two parts (truncated, then written).
        watching.wait(lambda: b"free top-up" in watching.state.files.get(
            "attempts/2026-03-01-refill/index.html", b""), "the saved attempt to be rebuilt")
        assert watching.state.build_id != before
    changed = set().union(*(c or set() for c in watching.rebuilds))
    # (On a busy machine the site's own files, written just before the watch
    # began, may still be reported once: that is not what this test is about.)
    assert refill in changed
    assert not {p for p in changed if p.parent.name in ("attempts", ".goldstar-cache")
                and p != refill}
    assert "Rebuilt 3 attempts" in capsys.readouterr().err


def test_the_watcher_works_for_a_site_inside_a_folder_named_public(tmp_path: Path) -> None:
    site = write_site(tmp_path / "public" / "blog", SMALL_SITE)
    with WatcherThread(site) as watching:
        (site / "content/attempts/2026-03-04-new.md").write_text(
            "---\ntitle: A new one\ndate: 2026-03-04\noutcome: no\n---\nNew.\n",
            encoding="utf-8")
        watching.wait(lambda: "attempts/2026-03-04-new/index.html" in watching.state.files,
                      "the new attempt to be built")


def test_a_burst_of_saves_is_one_rebuild(tmp_path: Path) -> None:
    """A `git checkout` writes many files at once: one rebuild, not one per file."""
    site = write_site(tmp_path, SMALL_SITE)
    attempts = site / "content/attempts"
    with WatcherThread(site) as watching:
        for n in range(60):
            (attempts / f"2026-03-{n % 28 + 1:02d}-burst-{n}.md").write_text(
                f"---\ntitle: Burst {n}\ndate: 2026-03-{n % 28 + 1:02d}\noutcome: no\n---\n",
                encoding="utf-8")
        watching.wait(lambda: "attempts/2026-03-04-burst-59/index.html" in watching.state.files,
                      "the burst to be built")
        time.sleep(0.5)  # any straggling rebuild would have started by now
    assert len(watching.rebuilds) <= 2, f"{len(watching.rebuilds)} rebuilds for one burst"
    # A file's creation and its write may fall on either side of the one pause.
    assert len(set().union(*(c or () for c in watching.rebuilds))) == 60


def test_a_static_file_linked_from_outside_the_theme_is_neither_built_nor_served(
        tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    site = write_site(tmp_path / "site", SMALL_SITE)
    shutil.copytree(Path(serve.__file__).parent.parent / "themes" / "default",
                    site / "themes" / "default")
    (site / "themes" / "default" / "static" / "leak.txt").symlink_to(secret)
    (site / "themes" / "default" / "static" / "inside.css").symlink_to(
        site / "themes" / "default" / "static" / "style.css")
    built = Session(BuildOptions(site_dir=site, as_of=dt.date(2026, 3, 31),
                                 use_cache=False)).build()
    assert "static/leak.txt" not in built.contents
    assert "static/inside.css" in built.contents  # a link inside the theme is fine
    assert serve.resolve(built.contents, "/static/leak.txt") == ("missing", None)


def test_ctrl_c_stops_a_serve_started_with_sigint_ignored(tmp_path: Path) -> None:
    """A shell starts `goldstar serve &` with SIGINT ignored; Ctrl-C (or kill -INT)
    must still stop it, cleanly."""
    import signal
    import socket
    import subprocess
    import sys
    import threading
    import time

    site = write_site(tmp_path / "site", SMALL_SITE)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port),
         "--as-of", "2026-03-31"], cwd=Path(serve.__file__).parent.parent,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))  # noqa: PLW1509
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any("Watching for changes" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
    finally:
        proc.kill()
    reader.join(timeout=5)
    output = "".join(lines)
    assert code == 0, output
    assert "Stopped." in output and "Traceback" not in output
