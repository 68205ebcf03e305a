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
