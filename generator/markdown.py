"""Markdown to HTML: one configured MarkdownIt per set of rules a body can use, reused.

Besides the HTML, each render returns the links of the body with their file
lines, so the build can warn about links to pages that do not exist without
parsing the Markdown a second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)  # no slots: cached by the thousand, and pickle is faster without
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
    `load_more(digest)` brings in cached bodies (the caller's shard of them)
    before a missing body is rendered; `on_new(digest)` hears of each new one.
    """

    def __init__(self, known: dict[str, RenderedBody],
                 known_links: dict[str, tuple[tuple[str, int], ...]],
                 sources: dict[str, tuple[str | bytes, int]], allow_html: bool,
                 base_path: str,
                 load_more: Callable[[str], None] = lambda digest: None,
                 on_new: Callable[[str], None] = lambda digest: None) -> None:
        self.known = known
        self.known_links = known_links
        self.sources = sources
        self.allow_html = allow_html
        self.base_path = base_path
        self.load_more = load_more
        self.on_new = on_new
        self.new: dict[str, RenderedBody] = {}

    def get(self, digest: str) -> RenderedBody | None:
        body = self.known.get(digest)
        if body is None:
            self.load_more(digest)
            body = self.known.get(digest)
        if body is None:
            source = self.sources.get(digest)
            if source is None:
                return None
            text, line = source
            if isinstance(text, bytes):  # the file's bytes: the body is after the front matter
                from generator.frontmatter import split

                text = split(text.decode("utf-8")).body
            body = render(text, line, self.allow_html, self.base_path)
            self.known[digest] = self.new[digest] = body
            self.known_links[digest] = body.links
            self.on_new(digest)
        return body

    def links(self, digest: str) -> tuple[tuple[str, int], ...]:
        """The links of a body, without loading or rendering it when they are known."""
        links = self.known_links.get(digest)
        if links is None:
            body = self.get(digest)
            links = body.links if body else ()
        return links

    def take_new(self) -> dict[str, RenderedBody]:
        """Bodies rendered since the last call (a worker sends them home)."""
        new, self.new = self.new, {}
        return new


def render_files(paths: list[str], stopped: Callable[[], bool], known: Container[str],
                 allow_html: bool, base_path: str) -> dict[str, RenderedBody]:
    """Bodies of files, by the digest of the file, until `stopped()`, skipping the
    files whose digest is in `known`: the build runs this in a background process
    while it reads, parses and plans (parallel.Background)."""
    from generator.entries import digest_bytes
    from generator.frontmatter import FrontMatterError, split

    done = {}
    for path in paths:
        if stopped():
            break
        try:
            with open(path, "rb") as f:
                raw = f.read()
            digest = digest_bytes(raw)
            if digest in known:
                continue
            doc = split(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, FrontMatterError):
            continue  # the parse reports it
        done[digest] = render(doc.body, doc.body_line, allow_html, base_path)
    return done
