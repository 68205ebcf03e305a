"""`goldstar serve`: build into memory, serve it, rebuild on every save.

The built files live in memory (public/ is never written from here). The
server injects a small live-reload script and, while the last rebuild failed,
an overlay with its problems into every HTML page it sends; the overlay is
plain HTML, so it shows even with JavaScript off. The last good pages keep
being served until the problems are fixed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import gc
import html
import mimetypes
import posixpath
import signal
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.cache import CACHE_DIR
from generator.preview import Session
from generator.problems import BuildFailed, Problem, format_problems, plural
from generator.site import BuildOptions

PREFIX = "/__goldstar/"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
SPECIAL_TYPES = {"feed.xml": "application/atom+xml; charset=utf-8"}

RELOAD_JS = b"""// goldstar live reload: injected by `goldstar serve` only, never built.
// A content change swaps in the new <body> (no flash, scroll kept); a change
// to stylesheets or other static files reloads the whole page.
(function () {
  var me = document.currentScript;
  var build = me ? me.getAttribute("data-build") : "";
  var key = "goldstar-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  function swap(id) {
    fetch(location.href, { cache: "no-store" }).then(function (response) {
      if (response.status >= 400 && response.status !== 404) { throw new Error(); }
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var y = window.scrollY;
      document.title = doc.title;
      document.body.replaceWith(doc.body);
      window.scrollTo(0, y);
      build = id;
    }).catch(reload);
  }
  var source = new EventSource("/__goldstar/events");
  source.addEventListener("build", function (event) {
    var parts = event.data.split(" ");
    if (parts[0] === build) { return; }
    if (parts[1] === "full") { reload(); } else { swap(parts[0]); }
  });
  // After a restart of the server EventSource reconnects by itself; the new
  // server's build id differs, so the page reloads once.
})();
"""

OVERLAY_CSS = b"""#goldstar-overlay { position: fixed; inset: auto 0 0 0; max-height: 60vh;
  overflow: auto;
  z-index: 2147483647; margin: 0; padding: 1rem 1.25rem; background: #2b0b0b; color: #fff;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  border-top: 4px solid #f04438; box-shadow: 0 -4px 24px rgba(0,0,0,.4); }
#goldstar-overlay h2 { margin: 0 0 .5rem; font-size: 16px; color: #fecdca; }
#goldstar-overlay pre { margin: 0; white-space: pre-wrap; color: #fff; }
#goldstar-overlay p { margin: .5rem 0 0; color: #fecdca; }
"""


@dataclasses.dataclass
class SiteState:
    """What the server shows: the last good files and the current problems."""

    files: dict[str, bytes] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    summary: str = ""
    build_id: str = "0"
    full_reload: bool = True
    """Whether browsers must reload whole pages (a static file changed), not swap bodies."""
    closing: bool = False
    changed: threading.Condition = dataclasses.field(default_factory=threading.Condition)

    def publish(self, files: dict[str, bytes] | None, problems: list[Problem],
                summary: str = "") -> None:
        with self.changed:
            if files is not None:
                self.full_reload = _static_changed(self.files, files)
                self.files = files
            self.problems = problems
            self.summary = summary
            self.build_id = f"{time.time_ns():x}"
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


def _static_changed(old: dict[str, bytes], new: dict[str, bytes]) -> bool:
    """True if any file other than a page differs: stylesheets, images, fonts."""
    def statics(files: dict[str, bytes]) -> dict[str, bytes]:
        return {k: v for k, v in files.items() if k.startswith("static/")}
    return statics(old) != statics(new)


def resolve(files: dict[str, bytes], raw_path: str) -> tuple[str, str | None]:
    """Map a request path to ("ok", file) / ("redirect", location) / ("missing", None).

    Static hosting rules: `/x/` serves `x/index.html`, `/x` redirects to `/x/`
    when that is a folder with an index. Anything that tries to leave the site
    (`..`, encoded or not, backslashes, NUL) is simply not found: the files
    are a dict, so there is no file system to escape into.
    """
    # Split off the query by hand: urlsplit() would take `//x/` for the host "x".
    target = raw_path.split("#", 1)[0].split("?", 1)[0]
    if not target.startswith("/"):  # absolute-form (`GET http://host/x`)
        target = urlsplit(target).path
    path = unquote(target)
    if "\\" in path or "\0" in path or not path.startswith("/"):
        return "missing", None
    parts = path.split("/")
    if any(part in ("..", ".") for part in parts):
        return "missing", None
    normal = posixpath.normpath(path)
    key = normal.lstrip("/")
    if path.endswith("/"):
        key = (key + "/" if key else "") + "index.html"
        return ("ok", key) if key in files else ("missing", None)
    if key in files:
        return "ok", key
    if key + "/index.html" in files:
        return "redirect", "/" + key + "/"  # never `//host/`, which leaves the site
    return "missing", None


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in SPECIAL_TYPES:
        return SPECIAL_TYPES[name]
    suffix = posixpath.splitext(name)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def overlay_html(problems: list[Problem], summary: str) -> str:
    """The error overlay: plain HTML, readable without JavaScript."""
    text = html.escape(format_problems(problems))
    return ('<aside id="goldstar-overlay" role="alert" aria-live="assertive">'
            f"<h2>goldstar: the last rebuild failed</h2><pre>{text}</pre>"
            f"<p>{html.escape(summary)}</p></aside>")


def inject(page: bytes, state: SiteState) -> bytes:
    """Add the reload script (and the overlay, if any) before </body>."""
    extra = (f'<link rel="stylesheet" href="{PREFIX}overlay.css">'
             f'<script src="{PREFIX}reload.js" data-build="{state.build_id}"></script>')
    if state.problems:
        extra = overlay_html(state.problems, state.summary) + extra
    marker = page.rfind(b"</body>")
    data = extra.encode("utf-8")
    return page[:marker] + data + page[marker:] if marker != -1 else page + data


def make_handler(state: SiteState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "goldstar"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm on, each
        # request after the first on a kept-alive connection waits ~40 ms for an ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the terminal is for build messages

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(head=True)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?", 1)[0] == PREFIX + "events":
                self._events()
            else:
                self._respond(head=False)

        def _send(self, status: int, body: bytes, ctype: str, head: bool,
                  extra_headers: Iterable[tuple[str, str]] = ()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in extra_headers:
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _respond(self, head: bool) -> None:
            route, _, query = self.path.partition("?")
            if route == PREFIX + "reload.js":
                return self._send(200, RELOAD_JS, CONTENT_TYPES[".js"], head)
            if route == PREFIX + "overlay.css":
                return self._send(200, OVERLAY_CSS, CONTENT_TYPES[".css"], head)
            files = state.files
            outcome, target = resolve(files, self.path)
            if outcome == "redirect" and target is not None:
                location = target + ("?" + query.split("#", 1)[0] if query else "")
                return self._send(301, b"", "text/plain; charset=utf-8", head,
                                  [("Location", location)])
            status, key = 200, target
            if outcome == "missing":
                status, key = 404, "404.html"
            body = files.get(key or "")
            if body is None:  # nothing built yet (the first build failed)
                body = b"<!doctype html><title>goldstar</title><body><p>No page yet.</p></body>"
                key = "index.html"
            ctype = content_type(key or "")
            if ctype.startswith("text/html"):
                body = inject(body, state)
            self._send(status, body, ctype, head)

        def _events(self) -> None:
            """Server-Sent Events: the current build id now and after every rebuild."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            sent = None
            try:
                while True:
                    with state.changed:
                        if state.closing:
                            return
                        if sent == state.build_id:
                            state.changed.wait(timeout=15)
                        current, closing = state.build_id, state.closing
                        event = current + (" full" if state.full_reload else "")
                    if closing:
                        return
                    if current != sent:
                        self.wfile.write(f"retry: 500\nevent: build\ndata: {event}\n\n".encode())
                        sent = current
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser went away mid-response (a reload, a closed tab)
        super().handle_error(request, client_address)


def bind(host: str, port: int, state: SiteState, tries: int = 10) -> Server:
    """Listen on host:port, or the next free port, saying so."""
    last_error: OSError | None = None
    for candidate in range(port, port + tries):
        try:
            server = Server((host, candidate), make_handler(state))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            last_error = exc
            continue
        if candidate != port:
            print(f"Port {port} is in use; serving on {candidate} instead.", file=sys.stderr)
        return server
    raise OSError(f"ports {port} to {port + tries - 1} are all in use; "
                  f"pass --port with a free one") from last_error


def settle_memory() -> None:
    """Collect, then freeze what survived, after the browsers were told to reload.

    The site's data is large and long-lived; frozen, it is no longer walked by
    every garbage collection during the next rebuild (that walk made a
    one-edit rebuild at 4,000 attempts about 15 ms slower and less steady).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Watcher:
    """Rebuilds after each burst of changes; the filter skips outputs and editor files."""

    def __init__(self, session: Session, state: SiteState) -> None:
        self.session = session
        self.state = state
        self.stop = threading.Event()

    def rebuild(self, changed: set[Path] | None) -> None:
        self._build_and_publish(changed)

    def catch_up(self) -> None:
        """Rebuild whatever was saved between the first build and the watcher's start."""
        self._build_and_publish(None, quiet_if_unchanged=True)
        print("Watching for changes.", file=sys.stderr)

    def _build_and_publish(self, changed: set[Path] | None,
                           quiet_if_unchanged: bool = False) -> None:
        started = time.perf_counter()
        try:
            result = self.session.build(changed)
        except BuildFailed as exc:
            print(format_problems(exc.problems), file=sys.stderr)
            print(str(exc), file=sys.stderr)
            self.state.publish(None, exc.problems, str(exc))
            return
        if quiet_if_unchanged and not result.written and not self.state.problems:
            return
        ms = (time.perf_counter() - started) * 1000
        if result.warnings:
            print(format_problems(result.warnings), file=sys.stderr)
        self.state.publish(result.contents, [])
        settle_memory()
        what = "Built" if changed is None else "Rebuilt"
        print(f"{what} {result.attempts} {plural(result.attempts, 'attempt')} in {ms:.0f} ms: "
              f"{result.written} {plural(result.written, 'page')} changed", file=sys.stderr)


    def watch_paths(self) -> list[Path]:
        site = self.session.options.site_dir.resolve()
        paths = [site / "content"]
        theme_root = self.session.theme_root
        if theme_root is not None:
            paths.append(theme_root)
        if (site / "themes").is_dir():
            paths.append(site / "themes")
        return [p for p in dict.fromkeys(paths) if p.exists()]

    def run(self) -> None:
        import watchfiles

        # Relative to this site: a site kept in e.g. ~/public/blog must still rebuild.
        site = self.session.options.site_dir.resolve()
        skipped = (site / CACHE_DIR, self.session.options.output.resolve())

        class Filter(watchfiles.DefaultFilter):
            def __call__(self, change: watchfiles.Change, path: str) -> bool:
                name = path.rsplit("/", 1)[-1]
                if name.endswith(("~", ".swp", ".swx", ".tmp")) or name.startswith((".#", "#")):
                    return False
                if name == "4913":  # vim's write test file
                    return False
                if any(Path(path).is_relative_to(folder) for folder in skipped):
                    return False
                return bool(super().__call__(change, path))

        started = False
        while not self.stop.is_set():
            paths = self.watch_paths()
            for changes in watchfiles.watch(*paths, watch_filter=Filter(), stop_event=self.stop,
                                            debounce=1600, step=20, rust_timeout=200,
                                            yield_on_timeout=True, raise_interrupt=True):
                if not changes:
                    if not started:
                        # The first timeout means the watcher is running: catch up on
                        # anything saved between the first build and now.
                        started = True
                        self.catch_up()
                    continue
                changed = {Path(p) for _, p in changes}
                needs_full = any(p.name == "site.yml" for p in changed)
                self.rebuild(None if needs_full else changed)
                if self.watch_paths() != paths:
                    break  # the theme changed: watch its folder instead


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False) -> int:
    state = SiteState()
    server = bind(host, port, state)
    actual_port = server.server_address[1]
    shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
    url = f"http://{shown_host}:{actual_port}/"
    if options.base_url is None:
        options = dataclasses.replace(options, base_url=url)
    session = Session(options)
    watcher = Watcher(session, state)
    watcher.rebuild(None)
    thread = threading.Thread(target=server.serve_forever, name="goldstar-http", daemon=True)
    thread.start()
    print(f"Serving {options.site_dir.resolve()} at {url} (Ctrl-C to stop)", file=sys.stderr)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Listening on {host}: other devices on your network can open the site.",
              file=sys.stderr)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on `kill` as on Ctrl-C
    # A shell starts a background job (`goldstar serve &`) with SIGINT ignored,
    # and the ignoring is inherited: Ctrl-C would then never reach us.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop.set()
        state.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with contextlib.suppress(Exception):
            session.close()
    print("Stopped.", file=sys.stderr)
    return 0
