"""Markdown to HTML: one configured MarkdownIt per process, reused.

Besides the HTML, each render returns the links of the body with their file
lines, so the build can warn about links to pages that do not exist without
parsing the Markdown a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    links: tuple[tuple[str, int], ...]
    """(href, line in the file) of every link and image in the body."""


@lru_cache(maxsize=4)
def _parser(allow_html: bool, base_path: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "xhtmlOut": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if base_path != "/":
        # Root-relative links (`/about/`) must follow the site to its sub-path.
        md.core.ruler.push("base_path", lambda state: _prefix_links(state, base_path))
    return md


def _prefix_links(state: Any, base_path: str) -> None:
    for token in state.tokens:
        for child in token.children or ():
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            if attr:
                value = child.attrGet(attr)
                if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                    child.attrSet(attr, base_path + value[1:])


def render(body: str, body_line: int, allow_html: bool = False,
           base_path: str = "/") -> RenderedBody:
    """Render a body; `body_line` is the file line of its first line."""
    md = _parser(allow_html, base_path)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    links = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        start = token.map[0] if token.map else 0
        content = token.content
        for child in token.children:
            href = None
            if child.type == "link_open":
                href = child.attrGet("href")
            elif child.type == "image":
                href = child.attrGet("src")
            if isinstance(href, str):
                # the line inside a multi-line paragraph where the link stands
                original = _original_href(href, base_path)
                pos = content.find(original)
                offset = content.count("\n", 0, pos) if pos > 0 else 0
                links.append((original, body_line + start + offset))
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(html, tuple(links))


def _original_href(href: str, base_path: str) -> str:
    if base_path != "/" and href.startswith(base_path):
        return "/" + href[len(base_path):]
    return href


class BodyStore:
    """Rendered bodies by file digest; a missing one is rendered when first asked for.

    Pages ask for bodies while they render, so on a cold build the Markdown is
    rendered inside the page workers, spread over the cores with the pages.
    """

    def __init__(self, known: dict[str, RenderedBody], sources: dict[str, tuple[str, int]],
                 allow_html: bool, base_path: str) -> None:
        self.known = known
        self.sources = sources
        self.allow_html = allow_html
        self.base_path = base_path
        self.new: dict[str, RenderedBody] = {}

    def get(self, digest: str) -> RenderedBody | None:
        body = self.known.get(digest)
        if body is None:
            source = self.sources.get(digest)
            if source is None:
                return None
            body = render(source[0], source[1], self.allow_html, self.base_path)
            self.known[digest] = self.new[digest] = body
        return body

    def take_new(self) -> dict[str, RenderedBody]:
        """Bodies rendered since the last call (a worker sends them home)."""
        new, self.new = self.new, {}
        return new
