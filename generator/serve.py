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
import ipaddress
import mimetypes
import os
import posixpath
import signal
import socket
import stat
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.cache import CACHE_DIR
from generator.preview import KEPT, Session
from generator.problems import BuildFailed, Problem, format_problems, plural
from generator.site import BuildOptions

PREFIX = "/__goldstar/"
REQUEST_SECONDS = 10.0
"""Time a client has to send a request's line and headers, counted from when
the server starts waiting for it (so an idle kept-alive connection closes too)."""
SEND_SECONDS = 20.0
"""Time one write of a response may block on a client that does not read."""
MAX_CONNECTIONS = 128
"""Open connections at once (a thread each); more are closed at once."""
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


def host_allowed(header: str | None, bound: str) -> bool:
    """Whether a request's Host names this server: a loopback name or address,
    or the address it was asked to listen on. A page from another site whose
    name was made to resolve here (DNS rebinding) sends its own name, and is
    refused. When listening on every address (0.0.0.0), the other devices of
    the network use this computer's address or name, which are allowed.
    A request without Host (HTTP/1.0 tools; browsers always send one) passes.
    """
    if header is None:
        return True
    host = header.strip().lower()
    if host.startswith("["):
        name, bracket, rest = host[1:].partition("]")
        if not bracket:
            return False
    else:
        name, colon, rest = host.partition(":")
        rest = colon + rest
    if rest and not (rest[0] == ":" and rest[1:].isdigit()):
        return False
    name = name.rstrip(".")
    bound = bound.strip("[]").lower().rstrip(".")
    if name in ("localhost", bound) or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return _wildcard(bound) and name in _own_names()
    return address.is_loopback or _wildcard(bound)


def _wildcard(bound: str) -> bool:
    return bound in ("", "0.0.0.0", "::")


def _own_names() -> set[str]:
    name = socket.gethostname().lower()
    return {name, name.split(".")[0] + ".local", name.split(".")[0]}


class DeadlineReader:
    """The request side of a connection, read against a deadline.

    `http.server` reads a request line by line from a buffered file whose
    timeout counts per read, so a client sending a byte now and then holds
    its thread forever. This reader gives the whole request one deadline; a
    client too slow raises TimeoutError, which http.server answers by closing
    the connection. Only what a GET or HEAD needs is here: bodies are not read.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.deadline = time.monotonic() + REQUEST_SECONDS

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def _fill(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request took too long")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def _take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end != -1 and (limit < 0 or end < limit):
                return self._take(end + 1)
            if 0 <= limit <= len(self.buffer):
                return self._take(limit)
            if not self._fill():
                return self._take(len(self.buffer))

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            if not self._fill():
                break
        return self._take(len(self.buffer) if size < 0 else size)

    def close(self) -> None:
        self.buffer.clear()


def make_handler(state: SiteState, bound: str = "127.0.0.1") -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "goldstar"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm on, each
        # request after the first on a kept-alive connection waits ~40 ms for an ACK.
        disable_nagle_algorithm = True
        reader: DeadlineReader

        def setup(self) -> None:
            super().setup()
            self.rfile.close()
            self.reader = DeadlineReader(self.connection)
            self.rfile = self.reader  # type: ignore[assignment]

        def handle_one_request(self) -> None:
            self.reader.start(REQUEST_SECONDS)
            super().handle_one_request()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the terminal is for build messages

        def parse_request(self) -> bool:
            """http.server's parsing, then the Host check, before any answer."""
            if not super().parse_request():
                return False
            self.connection.settimeout(SEND_SECONDS)  # from here on, only writes wait
            if not host_allowed(self.headers.get("Host"), bound):
                self.close_connection = True
                body = (f"goldstar serve answers only to its own address, not to "
                        f"{self.headers.get('Host')!r}; open it as http://localhost:PORT/, "
                        "or pass --host with the address you use.\n").encode()
                self._send(403, body, "text/plain; charset=utf-8", self.command == "HEAD",
                           [("Connection", "close")])
                return False
            return True

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
    """A thread per connection, at most MAX_CONNECTIONS of them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # socketserver's 5 leaves a browser's burst of requests waiting

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # too many at once: this one is closed
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-response (a reload, a closed tab)
        super().handle_error(request, client_address)


def bind(host: str, port: int, state: SiteState, tries: int = 10) -> Server:
    """Listen on host:port, or the next free port, saying so."""
    last_error: OSError | None = None
    last = min(port + tries - 1, 65535) if port else 0
    for candidate in range(port, last + 1):
        try:
            server = Server((host, candidate), make_handler(state, host))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            last_error = exc
            continue
        if candidate != port:
            print(f"Port {port} is in use; serving on {candidate} instead.", file=sys.stderr)
        return server
    raise OSError(f"ports {port} to {last} are all in use; "
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
        """Rebuild whatever was saved between the first build and the watcher's
        start, then compile the theme for the first save (the watcher keeps
        what is saved meanwhile)."""
        self._build_and_publish(None, quiet_if_unchanged=True)
        self.session.warm_up()
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
        except Exception as exc:  # noqa: BLE001 - keep serving the last good site, whatever
            # A bug or a disk error: the session may be half updated, so the next
            # save starts from a new one (a full rebuild).
            problem = Problem("goldstar", None, None,
                              f"the rebuild stopped on an unexpected error "
                              f"({type(exc).__name__}: {_describe(exc)})",
                              "save again; if it keeps happening, please report it with "
                              "what you saved")
            print(problem.format(), file=sys.stderr)
            self.state.publish(None, [problem], KEPT)
            self.session = Session(self.session.options)
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
        failures = 0
        while not self.stop.is_set():
            paths = self.watch_paths()
            try:
                for changes in watchfiles.watch(
                        *paths, watch_filter=Filter(), stop_event=self.stop, debounce=1600,
                        step=20, rust_timeout=200, yield_on_timeout=True, raise_interrupt=True,
                        force_polling=True if failures >= 3 else None):
                    if not changes:
                        if not started:
                            # The first timeout means the watcher is running: catch up on
                            # anything saved between the first build and now.
                            started = True
                            self.catch_up()
                        failures = 0
                        continue
                    self.rebuild(_what_changed({Path(p) for _, p in changes}))
                    if self.watch_paths() != paths:
                        break  # the theme changed: watch its folder instead
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - the watcher's own errors, all of them
                # watchfiles raises on a file name that is not UTF-8, a folder it may
                # not read, a full inotify table: say so, start again (polling after
                # repeated failures), and rebuild everything, since changes were missed.
                failures += 1
                print(f"The file watcher stopped ({_describe(exc)}); starting it again.",
                      file=sys.stderr)
                if self.stop.wait(min(5.0, 0.2 * 2 ** failures)):
                    return
                self.rebuild(None)


def _what_changed(changed: set[Path]) -> set[Path] | None:
    """The changed paths for an incremental rebuild, or None for a full one:
    site.yml changed, or something that is neither a file nor a folder (a FIFO,
    a socket) appeared, which only the full walk knows to skip."""
    for path in changed:
        if path.name == "site.yml":
            return None
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue  # deleted: the rebuild sees it gone
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            return None
    return changed


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "…"


def _bind_reason(exc: OSError) -> str:
    """Why listening failed, and what to do, in words."""
    if isinstance(exc, socket.gaierror):
        return "that is not an address of this computer; try --host 127.0.0.1"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "ports below 1024 need administrator rights; try --port 8000"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "that is not an address of this computer; try --host 127.0.0.1"
    return str(exc.strerror or exc)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(options: BuildOptions, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False) -> int:
    state = SiteState()
    try:
        server = bind(host, port, state)
    except OSError as exc:
        print(f"goldstar serve: cannot listen on {host} port {port}: {_bind_reason(exc)}",
              file=sys.stderr)
        return 1
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
            watcher.session.close()
    print("Stopped.", file=sys.stderr)
    return 0
