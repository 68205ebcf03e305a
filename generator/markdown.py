"""Markdown to HTML: one configured MarkdownIt per set of rules a body can use, reused.

Besides the HTML, each render returns the links of the body with their file
lines, so the build can warn about links to pages that do not exist without
parsing the Markdown a second time. Only the derive stage calls `render`.

Web addresses pasted bare into a story become links (linkify-it-py), as on
GitHub: those with a scheme (`https://...`), those that start with `www.`,
and e-mail addresses. A name with a dot and no `www.` (`Booking.com`) stays
text, because prose has too many of those that are no address: `late.So`
after a missed space, `Mr.Li`, a file name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    links: tuple[tuple[str, int], ...]
    """(href, line in the file) of every link and image written in Markdown; bare
    addresses turned into links are left out, as they never lead into the site."""


@lru_cache(maxsize=64)
def _parser(allow_html: bool, base_path: str, left_out: tuple[str, ...] = ()) -> MarkdownIt:
    """CommonMark plus tables, ~~strikethrough~~ and bare addresses as links, without
    the rules in `left_out`."""
    from markdown_it import MarkdownIt  # imported on first use: warm builds may need none

    md = MarkdownIt("commonmark", {"html": allow_html, "xhtmlOut": False, "typographer": False,
                                   "linkify": True})
    md.linkify = _linkifier()
    md.enable(["table", "strikethrough", "linkify"])
    if left_out:
        md.disable(list(left_out))
    if base_path != "/":
        # Root-relative links (`/about/`) must follow the site to its sub-path.
        md.core.ruler.push("base_path", lambda state: _prefix_links(state, base_path))
    return md


# Every address _linkifier finds holds one of these: `://` after a scheme
# (http, https, ftp), `@` in an e-mail address (mailto: too), or `www.`.
_ADDRESS_MARKERS = ("://", "@", "www.")


def _may_hold_address(text: str) -> bool:
    """Whether `text` holds one of _ADDRESS_MARKERS (written out: a loop costs more)."""
    return "://" in text or "@" in text or "www." in text

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
    ("linkify", _ADDRESS_MARKERS),
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


@lru_cache(maxsize=1)
def _linkifier() -> Any:
    """linkify-it-py's matcher, left as GitHub's: a bare name (`example.com`) stays text
    unless it starts with `www.` (in small letters), and so does `//example.com`.

    Markdown-it asks `pretest` of every paragraph, heading and list item, then
    `test` of each piece of text in it outside links; linkify-it-py's own
    regular expressions for those cost as much as the rest of the Markdown on a
    body with one `[link](https://...)`. A text without _ADDRESS_MARKERS holds
    no address, so it is turned away first.
    """
    from linkify_it import LinkifyIt

    class Linkifier(LinkifyIt):  # type: ignore[misc]
        def pretest(self, text: str) -> bool:
            return _may_hold_address(text)

        def test(self, text: str) -> bool:
            return _may_hold_address(text) and bool(super().test(text))

        def match(self, text: str) -> list[Any] | None:
            found = [m for m in super().match(text) or ()
                     if m.schema or m.text.startswith("www.")]
            return found or None

    return Linkifier({"//": None})  # None: no links that start with // alone


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


PhotoPlaces = Mapping[str, tuple[str, int | None, int | None]]
"""A story's pictures: href as written → (published URL, width, height)."""


def render(body: str, body_line: int, allow_html: bool = False,
           base_path: str = "/", photos: PhotoPlaces | None = None) -> RenderedBody:
    """Render a body; `body_line` is the file line of its first line; `photos`
    (generator.photos) moves its pictures' <img> to where they are published."""
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
                if child.markup == "linkify":
                    continue  # a bare address: always outside the site
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
    if photos:
        _place_photos(tokens, photos, base_path)
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(html, tuple(links))


def _place_photos(tokens: list[Any], photos: PhotoPlaces, base_path: str) -> None:
    """Each picture's src, width and height, from where it is published."""
    by_target = {unquote(href): place for href, place in photos.items()}
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                place = by_target.get(unquote(str(child.attrGet("src") or "")))
                if place is not None:
                    url, width, height = place
                    child.attrSet("src", base_path + quote(url.lstrip("/")))
                    if width and height:
                        child.attrSet("width", str(width))
                        child.attrSet("height", str(height))


def _original_href(href: str, base_path: str) -> str:
    if base_path != "/" and href.startswith(base_path):
        return "/" + href[len(base_path):]
    return href
