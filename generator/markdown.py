"""Markdown to HTML: one configured MarkdownIt per set of rules a body can use, reused.

Besides the HTML, each render returns the links of the body with their file
lines, so the build can warn about links to pages that do not exist without
parsing the Markdown a second time. Only the derive stage calls `render`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    links: tuple[tuple[str, int], ...]
    """(href, line in the file) of every link and image in the body."""


@lru_cache(maxsize=64)
def _parser(allow_html: bool, base_path: str, left_out: tuple[str, ...] = ()) -> MarkdownIt:
    """CommonMark plus tables and ~~strikethrough~~, without the rules in `left_out`."""
    from markdown_it import MarkdownIt  # imported on first use: warm builds may need none

    md = MarkdownIt("commonmark", {"html": allow_html, "xhtmlOut": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if left_out:
        md.disable(list(left_out))
    if base_path != "/":
        # Root-relative links (`/about/`) must follow the site to its sub-path.
        md.core.ruler.push("base_path", lambda state: _prefix_links(state, base_path))
    return md


# Each rule, and the text a body must hold somewhere for the rule to match.
# Every list is a superset of what the rule needs: any four spaces may start
# indented code, any `*` emphasis.
_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("normalize", ("\r", "\0")),  # it only rewrites line ends and NUL characters
    ("table", ("|",)),
    ("code", ("    ", "\t")),
    ("fence", ("```", "~~~")),
    ("blockquote", (">",)),
    ("reference", ("]:",)),
    ("heading", ("#",)),
    ("backticks", ("`",)),
    ("escape", ("\\",)),
    ("entity", ("&",)),
    ("text_join", ("\\", "&")),  # it only joins what escape and entity leave behind
    ("strikethrough", ("~~",)),
    ("emphasis", ("*", "_")),
    ("balance_pairs", ("~~", "*", "_")),  # it pairs only the delimiters of those two
    ("link", ("[",)),
    ("image", ("![",)),
    ("autolink", ("<",)),
)
_PATTERNS = (
    ("hr", re.compile(r"([-*_])[ \t]*\1[ \t]*\1")),  # three alike, only blanks between
    ("lheading", re.compile(r"[=-][ \t]*(?:[\r\n]|\Z)")),  # a line ending in = or -
)


def rules_left_out(body: str, allow_html: bool) -> tuple[str, ...]:
    """The rules that cannot match anywhere in `body`, because it lacks their marker.

    Markdown-it tries every block rule at the start of each block and every
    inline rule at each punctuation mark, so a rule left out is calls saved
    wherever it would have failed: 8% of our Markdown time on the benchmark's
    bodies. The HTML is the same, since a rule without its marker matches
    nothing and terminates nothing (a differential test holds them to it).
    """
    out = [rule for rule, pattern in _PATTERNS if pattern.search(body) is None]
    for rule, markers in _MARKERS:
        for marker in markers:
            if marker in body:
                break
        else:
            out.append(rule)
    if not allow_html or "<" not in body:
        out += ("html_block", "html_inline")  # without the html option they never match
    return tuple(out)


def load_parser(allow_html: bool, base_path: str) -> None:
    """Import markdown-it now, in a process about to fork workers that will render.

    Each process that imports it on first use spends 25-45 ms on that; forked
    after this, the workers inherit it ready.
    """
    _parser(allow_html, base_path)


def _prefix_links(state: Any, base_path: str) -> None:
    for token in state.tokens:
        for child in token.children or ():
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            if attr:
                value = child.attrGet(attr)
                if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                    child.attrSet(attr, base_path + value[1:])


SEARCH_WINDOW = 4096
"""How far past the last link the next one is looked for, to find its line."""


def render(body: str, body_line: int, allow_html: bool = False,
           base_path: str = "/") -> RenderedBody:
    """Render a body; `body_line` is the file line of its first line."""
    md = _parser(allow_html, base_path, rules_left_out(body, allow_html))
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    links = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        content = token.content
        if "[" not in content and "<" not in content:
            continue  # no link, image or autolink can be in it: skip its children
        start = token.map[0] if token.map else 0
        # Links come in the order they stand, so the search for each one goes on
        # from the last, and looks no further than SEARCH_WINDOW ahead (a link
        # written differently from its parsed address is not found): linear in
        # the paragraph, however many links it holds.
        searched = line_offset = 0
        for child in token.children:
            href = None
            if child.type == "link_open":
                href = child.attrGet("href")
            elif child.type == "image":
                href = child.attrGet("src")
            if isinstance(href, str):
                original = _original_href(href, base_path)
                pos = content.find(original, searched,
                                   searched + SEARCH_WINDOW + len(original)) if original else -1
                if pos >= 0:
                    line_offset += content.count("\n", searched, pos)
                    searched = pos
                links.append((original, body_line + start + line_offset))
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(html, tuple(links))


def _original_href(href: str, base_path: str) -> str:
    if base_path != "/" and href.startswith(base_path):
        return "/" + href[len(base_path):]
    return href
