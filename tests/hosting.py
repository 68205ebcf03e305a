"""A static host for tests: a built site served the way Netlify or GitHub Pages serve it.

    rules = netlify_header_rules(REPO / "netlify.toml")
    with StaticHost(public, mount="/repo/", rules=rules) as host:
        urllib.request.urlopen(host.url + "/repo/")

The host answers a folder URL with its index.html, any missing file with the
site's 404.html and status 404 (as both hosts do), and nothing outside
`mount`. It sends the headers of every netlify.toml rule whose `for` matches
the path, matched the way Netlify matches them (tests/golden/test_deploy.py
holds this matcher to Netlify's own on sample paths).
"""

from __future__ import annotations

import http.server
import re
import threading
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class HeaderRule:
    """One [[headers]] table of netlify.toml."""

    path: str
    """The `for` pattern, such as `/*` or `/assets/*`."""
    values: dict[str, str]
    """Header name to value."""
    pattern: re.Pattern[str] = field(compare=False)
    """The pattern as a regular expression over a URL path."""


def for_pattern(path: str) -> re.Pattern[str]:
    """A Netlify `for` path as a regular expression, following Netlify's rules.

    `:name` is one path segment, a segment that is only `*` matches anything
    (the slash before it included, so `/assets/*` matches `/assets`), a `*`
    inside a segment matches anything, a trailing slash is optional and case
    does not matter.
    """
    parts = []
    for part in (p.rstrip() for p in path.split("/")):
        if not part:
            continue
        if part.startswith(":"):
            parts.append("([^/]+)")
        elif part == "*":
            parts.append("?(.*)")
        else:
            parts.append(part.replace("*", "(.*)"))  # Netlify leaves the rest unescaped
    return re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE)


def netlify_header_rules(netlify_toml: Path) -> list[HeaderRule]:
    """The header rules of a netlify.toml, in file order."""
    data = tomllib.loads(netlify_toml.read_text(encoding="utf-8"))
    return [HeaderRule(rule["for"], dict(rule.get("values", {})), for_pattern(rule["for"]))
            for rule in data.get("headers", [])]


def matching_rules(rules: list[HeaderRule], url_path: str) -> list[HeaderRule]:
    return [rule for rule in rules if rule.pattern.match(url_path)]


def headers_for(rules: list[HeaderRule], url_path: str) -> dict[str, str]:
    """The headers Netlify adds to a response for url_path (later rules win a tie)."""
    headers: dict[str, str] = {}
    for rule in matching_rules(rules, url_path):
        headers.update(rule.values)
    return headers


class StaticHost:
    """A threaded HTTP server on 127.0.0.1 and a free port, serving `root` at `mount`."""

    def __init__(self, root: Path, mount: str = "/", rules: list[HeaderRule] | None = None,
                 extra_headers: dict[str, str] | None = None) -> None:
        assert mount.startswith("/") and mount.endswith("/"), mount
        self.root = root.resolve()
        self.mount = mount
        self.rules = rules or []
        self.extra_headers = extra_headers or {}
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                host._answer(self, with_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                host._answer(self, with_body=False)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StaticHost:
        self.thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def file_for(self, url_path: str) -> Path | None:
        """The file a request path is answered with, or None for a 404."""
        if not url_path.startswith(self.mount):
            return None
        rel = urllib.parse.unquote(url_path[len(self.mount):])
        target = (self.root / rel).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        if target.is_dir():
            # like both hosts, /about redirects to /about/; here it is simply served
            target = target / "index.html"
        return target if target.is_file() else None

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, with_body: bool) -> None:
        url_path = urllib.parse.urlsplit(handler.path).path
        found = self.file_for(url_path)
        status = 200
        if found is None:
            status = 404
            not_found = self.root / "404.html"
            found = not_found if url_path.startswith(self.mount) and not_found.is_file() else None
        body = found.read_bytes() if found is not None else b"not found\n"
        handler.send_response(status)
        kind = TYPES.get(found.suffix, "application/octet-stream") if found else "text/plain"
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        # header rules are written for the site at /, wherever it is mounted
        inside = url_path.startswith(self.mount)
        site_path = "/" + url_path[len(self.mount):] if inside else url_path
        for name, value in {**headers_for(self.rules, site_path), **self.extra_headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        if with_body:
            handler.wfile.write(body)
