"""Pictures beside attempts: found in the stories, published, measured.

A story shows a picture with a relative Markdown image, `![The café](cafe.jpg)`,
resolved from the story's own file (`content/attempts/cafe.jpg`), and the
picture is published at the same place under the site (`/attempts/cafe.jpg`),
under its own name. Only pictures a published story shows are published: a
private attempt's photo stays private.

Each picture's width and height go into its <img>, so a page does not jump
while it loads. They are part of what identifies a story (`with_photos`): a
story whose picture changed is rendered again, with nothing else to track.
The references are found in the Markdown source before it is rendered (the
derive stage needs the sizes), by a scan that skips fenced code.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator import sources
from generator.entries import Entry, StandalonePage
from generator.hashing import key_digest
from generator.problems import WARNING, Problem
from generator.sources import IMAGE_SUFFIXES, Source

CONTENT = "content"
MAX_PHOTO_BYTES = 50 * 1024 * 1024
"""A photo straight from a phone is 2-12 MB; anything past this is not meant for a page."""

_INLINE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*(?:<([^>\n]*)>|([^\s)]+))")
_DEFINITION = re.compile(r"^ {0,3}\[(?:[^\]\\]|\\.)+\]:\s*(?:<([^>\n]*)>|(\S+))", re.MULTILINE)
_HTML_IMG = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


@dataclass(frozen=True)
class Photo:
    """One picture as published."""

    source: str
    """From the site folder: `content/attempts/cafe.jpg`."""
    url: str
    """Where it is published: `/attempts/cafe.jpg`."""
    data: bytes = field(repr=False)
    digest: str
    width: int | None
    height: int | None


@dataclass
class Photos:
    """The pictures stories show, and which story shows which."""

    by_source: dict[str, Photo] = field(default_factory=dict)
    shown: dict[str, dict[str, Photo]] = field(default_factory=dict)
    """Per story file: href as written → the picture."""
    problems: list[Problem] = field(default_factory=list)

    def published(self, paths: Iterable[str]) -> dict[str, Photo]:
        """The pictures these stories show, by output path (`attempts/cafe.jpg`)."""
        found = {}
        for path in paths:
            for photo in self.shown.get(path, {}).values():
                found[photo.url.lstrip("/")] = photo
        return found

    def rewrite(self, path: str) -> dict[str, tuple[str, int | None, int | None]] | None:
        """What the Markdown renderer changes in one story's <img> tags, or None."""
        shown = self.shown.get(path)
        if not shown:
            return None
        return {href: (p.url, p.width, p.height) for href, p in shown.items()}


def references(text: str, body_line: int) -> list[tuple[str, int]]:
    """(href, file line) of every relative picture a Markdown story shows.

    Cheap when there is none: most stories hold neither `![` nor `<img` nor
    a `]:` definition, and are not scanned at all.
    """
    if "![" not in text and "<img" not in text.lower() and "]:" not in text:
        return []
    found = []
    for start, end in _outside_fences(text):
        chunk = text[start:end]
        for pattern in (_INLINE, _DEFINITION, _HTML_IMG):
            for match in pattern.finditer(chunk):
                href = match[1] if match[1] is not None else match[2]
                if href and is_relative_picture(href):
                    line = body_line + text.count("\n", 0, start + match.start())
                    found.append((href, line))
    return sorted(found, key=lambda item: item[1])


def is_relative_picture(href: str) -> bool:
    parts = urlsplit(href)
    return (not parts.scheme and not parts.netloc and not href.startswith(("/", "#"))
            and unquote(parts.path).lower().endswith(IMAGE_SUFFIXES))


def _outside_fences(text: str) -> list[tuple[int, int]]:
    """Spans of the text outside fenced code blocks."""
    spans, start, pos = [], 0, 0
    while True:
        opening = _FENCE.search(text, pos)
        if opening is None:
            spans.append((start, len(text)))
            return spans
        spans.append((start, opening.start()))
        marker = opening[1]
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$",
                             re.MULTILINE).search(text, opening.end())
        if closing is None:
            return spans
        start = pos = closing.end()


def resolve(story: str, href: str) -> str | None:
    """The site path a relative href leads to from a story's file, if inside content/."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(story),
                                               unquote(urlsplit(href).path)))
    return target if target.startswith(CONTENT + "/") else None


def may_show_photos(data: bytes) -> bool:
    """Whether a story file may show a picture (a fast test on its bytes)."""
    return b"![" in data or b"]:" in data or b"<img" in data or b"<IMG" in data


def references_in(data: bytes, body_line: int) -> list[tuple[str, int]]:
    """(href, line) of the pictures a story file shows; found once, when the
    file is parsed (the parse cache keeps them), so a warm build scans nothing."""
    if not may_show_photos(data):
        return []
    text = data.decode("utf-8", "replace")
    offset = 0
    for _ in range(body_line - 1):  # the story starts after the front matter
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return []
    return references(text[offset:], body_line)


def find_photos(site_dir: Path, pictures: Mapping[str, list[tuple[str, int]]],
                sizes: dict[str, Any]) -> Photos:
    """The pictures each story shows (`pictures`: by story file, as parsed), read
    and measured; `sizes` is the store's table of sizes by file digest,
    updated in place."""
    photos = Photos()
    content = os.path.realpath(site_dir / CONTENT) + os.sep
    for path, found in pictures.items():
        for href, line in found:
            photo = _photo(site_dir, content, path, href, line, photos, sizes)
            if photo is not None:
                photos.shown.setdefault(path, {})[href] = photo
    return photos


def _photo(site_dir: Path, content: str, story: str, href: str, line: int, photos: Photos,
           sizes: dict[str, Any]) -> Photo | None:
    target = resolve(story, href)
    if target is None:
        photos.problems.append(Problem(
            story, line, None, f'the picture "{href}" is outside content/, so it is not published',
            "put the picture in content/, next to the attempt's file", WARNING))
        return None
    known = photos.by_source.get(target)
    if known is not None:
        return known
    absolute = site_dir / target
    real = os.path.realpath(absolute)
    if not real.startswith(content) or not os.path.isfile(real):
        photos.problems.append(Problem(
            story, line, None, f'the picture "{href}" was not found (looked for {target})',
            _missing_hint(absolute, href), WARNING))
        return None
    read = sources.read(target, str(absolute), MAX_PHOTO_BYTES)
    if isinstance(read, Problem):
        photos.problems.append(dataclasses.replace(read, severity=WARNING))
        return None
    width, height = _size(read, sizes, story, line, href, photos.problems)
    photo = Photo(target, "/" + target.removeprefix(CONTENT + "/"), read.data, read.digest,
                  width, height)
    photos.by_source[target] = photo
    return photo


def _missing_hint(absolute: Path, href: str) -> str:
    try:
        names = [p.name for p in absolute.parent.iterdir()
                 if p.name.lower().endswith(IMAGE_SUFFIXES)]
    except OSError:
        names = []
    lower = {name.lower(): name for name in names}
    close = difflib.get_close_matches(absolute.name.lower(), list(lower), n=1, cutoff=0.6)
    if close:
        name = posixpath.join(posixpath.dirname(href), lower[close[0]])
        return f'did you mean "{name}"? (names are case-sensitive on most hosts)'

    return "put the picture next to the attempt's file, or fix its name"


def _size(read: Source, sizes: dict[str, Any], story: str, line: int, href: str,
          problems: list[Problem]) -> tuple[int | None, int | None]:
    """Width and height in pixels: from the store, or read from the file's header."""
    known = sizes.get(read.digest)
    if isinstance(known, list) and len(known) == 2:
        return known[0], known[1]
    measure = _svg_size if read.path.lower().endswith(".svg") else _raster_size
    size = measure(read.data)
    if size is None:
        problems.append(Problem(
            story, line, None, f'the picture "{href}" could not be read as a picture',
            "open it in an image editor and save it again as JPEG or PNG", WARNING))
        size = (None, None)
    sizes[read.digest] = list(size)
    return size


def _raster_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError  # only when a picture is new

    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header, not the pixels
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_SVG_LENGTH = re.compile(rb"""\s(width|height)\s*=\s*["']\s*([0-9.]+)\s*(px)?\s*["']""")


def _svg_size(data: bytes) -> tuple[int | None, int | None] | None:
    """An SVG's width and height when given in pixels; an SVG without them is fine."""
    root = _SVG_ROOT.search(data[:4096])
    if root is None:
        return None
    found = {m[1]: m[2] for m in _SVG_LENGTH.finditer(root[0])}
    try:
        return (round(float(found[b"width"])), round(float(found[b"height"])))
    except (KeyError, ValueError):
        return (None, None)


def with_photos(entries: list[Entry], pages: list[StandalonePage],
                photos: Photos) -> tuple[list[Entry], list[StandalonePage]]:
    """Entries and pages whose digest also covers the pictures they show (their
    file, size and place), so a changed picture renders its story again."""
    if not photos.shown:
        return entries, pages

    def digest_of(path: str, digest: str) -> str:
        shown = photos.shown.get(path)
        if not shown:
            return digest
        return key_digest((digest, tuple(sorted(
            (href, p.url, p.digest, p.width, p.height) for href, p in shown.items()))))

    return ([dataclasses.replace(e, digest=digest_of(e.path, e.digest)) if e.path in photos.shown
             else e for e in entries],
            [dataclasses.replace(p, digest=digest_of(p.path, p.digest)) if p.path in photos.shown
             else p for p in pages])
