"""Web addresses: the rules that turn names into path segments, and the check
that no two output files land on one path.

Every name a person writes (a file name, a `slug:`, a category, a tag) ends
up as a folder of the built site, which must work on the file systems of
Linux, macOS and Windows and on a web server. The rules, in order (the
README's "Web addresses (slugs)" section says the same for people):

1. Accents are dropped and the rest is lowercased; every run of other
   characters becomes one `-` (`Ask Über` → `ask-uber`). Letters without an
   accent to drop are spelled (`ß` → `ss`, `ø` → `o`).
2. When that leaves nothing (a name in another script), the name's own
   letters are kept, lowercased (`Москва` → `москва`, `日本語` → `日本語`).
   When even that is empty (only punctuation), the address is `item-` and a
   code made from the name.
3. Categories and tags also spell a few symbols, so that `C++`, `C#` and
   `c` do not share an address: `+` after a letter is `plus`, `#` after a
   letter is `sharp`, and `&` is `and` (`Q&A` → `q-and-a`).
4. A segment is kept well under the 255 bytes every file system allows
   (MAX_SEGMENT_BYTES); a longer one is cut at a word and ends in a code made
   from the whole name, so two long names that start alike stay apart.
   Names Windows reserves (`con`, `nul.txt`, `com1`...) get the code too.
5. Categories and tags whose names differ only in capitals share one address
   (the first spelling is shown). Different names that would get the same
   address anyway (`a b`, `a.b`) are told apart: the first one, by date,
   keeps it, and later ones get their code appended. The code depends only
   on the name, so an address does not change when other names come or go.

The code is the first characters of the SHA-256 of the name (casefolded), in
hex: stable across runs, machines and Python versions.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from generator.problems import Problem

if TYPE_CHECKING:  # pages imports this module
    from generator.entries import StandalonePage
    from generator.pages import SitePlan

MAX_SEGMENT_BYTES = 150
"""Longest path segment made from a name, in UTF-8 bytes (file systems allow 255)."""

WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in [*"123456789", "¹", "²", "³"]])
"""Names Windows refuses for a file or folder, with or without an extension."""

_TRANSLITERATE = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i",
})
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def code(name: str, length: int = 6) -> str:
    """A short code made from a name: the same name always gives the same code."""
    return hashlib.sha256(term_key(name).encode("utf-8")).hexdigest()[:length]


def ascii_words(text: str) -> str:
    """Lowercase ASCII words joined by dashes (`Ask Über` → `ask-uber`), or ""."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode()
    return _NOT_ASCII_WORD.sub("-", text.lower()).strip("-")


def unicode_words(text: str) -> str:
    """The letters and digits of any script, lowercased, joined by dashes, or "".

    Marks count as letters: in many scripts a vowel is a mark on its consonant.
    """
    text = unicodedata.normalize("NFC", text).lower()
    kept = [char if unicodedata.category(char)[0] in "LMN" else " " for char in text]
    return "-".join("".join(kept).split())


def slugify(text: str, name: str | None = None) -> str:
    """A safe path segment from any text (rules 1, 2 and 4 of the module docstring);
    a code, where one is needed, is made from `name` (default: the text)."""
    words = ascii_words(text) or unicode_words(text)
    if not words:
        return f"item-{code(name or text)}"
    return safe_segment(words, name or text)


def term_slug(name: str) -> str:
    """The address segment of a category or tag, before clashes are resolved (rule 3)."""
    spelled = name
    if "+" in name or "#" in name or "&" in name:
        for pattern, word in _symbols():
            spelled = pattern.sub(word, spelled)
    return slugify(spelled, name)


@functools.cache
def _symbols() -> tuple[tuple[re.Pattern[str], str], ...]:
    return ((re.compile(r"(?<=[^\W_])\+|(?<=\+)\+"), " plus "),
            (re.compile(r"(?<=[^\W_])#"), " sharp "), (re.compile("&"), " and "))


def term_key(name: str) -> str:
    """What makes two category or tag names the same one: all but capitals and spacing."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()


def term_slugs(name: str) -> Iterator[str]:
    """The segments a term may take, best first: its own, then with ever longer
    codes, then numbered (rule 5); the caller takes the first that is free or
    already holds a name that is the same as this one."""
    slug = term_slug(name)
    yield slug
    for length in (6, 10, 16, 64):
        yield _with_code(slug, code(name, length))
    n = 2
    while True:
        yield _with_code(slug, f"{code(name, 64)}-{n}")
        n += 1


def safe_segment(slug: str, name: str) -> str:
    """`slug`, made safe as a folder name everywhere: cut below MAX_SEGMENT_BYTES,
    no trailing dot or space, no name Windows reserves; the code of `name`
    marks a slug that had to change."""
    cleaned = slug.rstrip(". ")
    if len(cleaned.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return _with_code(cleaned, code(name))
    if not cleaned:
        return f"item-{code(name)}"
    base, dot, rest = cleaned.partition(".")
    if base in WINDOWS_RESERVED:
        return f"{base}-{code(name)}{dot}{rest}"
    if cleaned != slug:
        return _with_code(cleaned, code(name))
    return slug


def segment_problem(segment: str) -> str | None:
    """Why a `slug:` a person chose cannot be a folder everywhere, or None."""
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return (f"is {len(segment.encode('utf-8'))} characters long; an address may have "
                f"at most {MAX_SEGMENT_BYTES}")
    if segment.endswith((".", " ")):
        return "ends in a dot, which Windows cannot have at the end of a folder name"
    if segment.partition(".")[0] in WINDOWS_RESERVED:
        return f"is a name Windows keeps for itself ({segment.partition('.')[0]})"
    return None


def _with_code(slug: str, suffix: str) -> str:
    """`slug-suffix`, with slug cut at a word so that the whole stays short enough."""
    room = MAX_SEGMENT_BYTES - len(suffix.encode("utf-8")) - 1
    data = slug.encode("utf-8")
    if len(data) > room:
        cut = data[:room].decode("utf-8", "ignore")
        if "-" in cut[len(cut) // 2:]:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.rstrip("-. ")
    return f"{slug}-{suffix}" if slug else suffix


def uri_path(url: str) -> str:
    """A site path with non-ASCII letters percent-encoded, as a sitemap needs them."""
    if url.isascii():
        return url
    from urllib.parse import quote

    return quote(url, safe="/")


# --- The check after planning --------------------------------------------------------

_OWN_FILES = {"/": "the home page", "/attempts/": "the archive", "/feed.xml": "the feed",
              "/categories/": "the list of categories", "/tags/": "the list of tags"}


def plan_clashes(plan: SitePlan, standalone: Sequence[StandalonePage],
                 static_paths: Iterable[str], pictures: Mapping[str, str] | None = None,
                 own_static: Iterable[str] = (),
                 static_sources: Mapping[str, str] | None = None) -> list[Problem]:
    """Every output file of a plan, the theme's static files and the pictures
    stories show (output path -> the picture's file), checked in one place: each
    problem names the two things that want one path, at the person's file
    behind them. `own_static`: the static files goldstar makes itself
    (`static/outcomes.css`). `static_sources`: the theme file behind a static
    path, named in the problem so the person knows which file to rename.

    The paths alone are checked first (a few milliseconds for 5,000 files, on
    every build); who wants each path is only worked out when two meet.
    """
    static_paths = list(static_paths)
    own_static = list(own_static)
    pictures = pictures or {}
    if not _meet([file.path for file in plan.files] + static_paths + own_static
                 + list(pictures)):
        return []
    owners: dict[str, tuple[str, str]] = {}
    for view in plan.views:
        path = view.attempt.entry.path
        owners[view.url] = (f"the page of {path}", path)
        if view.category is not None and view.category.url not in owners:
            owners[view.category.url] = (f'the list of category "{view.category.name}" '
                                         f"(first in {path})", path)
        for tag in view.tags:
            if tag.url not in owners:
                owners[tag.url] = (f'the list of tag "{tag.name}" (first in {path})', path)
    for page in standalone:
        owners[f"/{page.slug}/"] = (f"the page of {page.path}", page.path)

    def outputs() -> Iterator[tuple[str, str, str | None]]:
        for file in plan.files:
            url = file.url
            found = owners.get(url)
            if found is None:
                base = re.match(r"^(/.*/)page/[0-9]+/$", url)
                found = owners.get(base.group(1)) if base else None
            if found is not None:
                yield file.path, found[0], found[1]
            else:
                yield file.path, _OWN_FILES.get(url, f"goldstar's own {url}"), None
        for path in own_static:
            yield path, f"goldstar's own /{path}", None
        behind = static_sources or {}
        for path in static_paths:
            yield path, f"the theme's {path}", behind.get(path)
        for path, source in pictures.items():
            yield path, f"the picture {source}", source

    return output_clashes(outputs())


def output_clashes(outputs: Iterable[tuple[str, str, str | None]]) -> list[Problem]:
    """Two output files at one path, or a file where another one needs a folder.

    `outputs` holds (output path, what makes it, the user's file behind it or
    None). Paths are compared as a case-insensitive file system (macOS,
    Windows) would see them. Each problem names both, at the user's file.
    """
    files: dict[str, tuple[str, str, str | None]] = {}
    problems: list[Problem] = []
    for output in outputs:
        path = output[0]
        key = _fold(path)
        other = files.get(key)
        if other is None:
            files[key] = output
        else:
            problems.append(_clash(other, output,
                                   f"{other[1]} and {output[1]} would both be written to {path}"))
    folders: dict[str, tuple[str, str, str | None]] = {}
    for key, output in files.items():
        parts = key.split("/")
        for depth in range(len(parts) - 1, 0, -1):  # the deepest folder first
            folder = "/".join(parts[:depth])
            if folder in folders:
                break  # and so are the folders it is in
            folders[folder] = output
    for key, output in files.items():
        needs = folders.get(key)
        if needs is not None:
            problems.append(_clash(output, needs,
                                   f"{needs[1]} would be written to {needs[0]}, inside a folder "
                                   f"{output[0]}/, but {output[1]} is the file {output[0]}"))
    return problems


def _meet(paths: list[str]) -> bool:
    """Whether two paths are one (to a case-insensitive file system), or one
    path is a folder of another.

    Sorted with `/` as NUL, a path that is also a folder is followed at once
    by a path inside it (nothing sorts between `x` and `x` NUL ...), so one
    sort and one pass over neighbours, both at C speed, tell.
    """
    joined = "\n".join(paths)
    if joined.count("\n") != len(paths) - 1:  # a newline in a theme's file name
        keys = [_fold(path).replace("/", "\0") for path in paths]
    else:
        keys = _fold(joined).replace("/", "\0").split("\n")
    keys.sort()
    return (any(map(str.startswith, keys[1:], [key + "\0" for key in keys[:-1]]))
            or len(set(keys)) < len(keys))


def _fold(path: str) -> str:
    return path.lower() if path.isascii() else unicodedata.normalize("NFC", path).lower()


def _clash(first: tuple[str, str, str | None], second: tuple[str, str, str | None],
           what: str) -> Problem:
    where = second[2] or first[2] or second[0]
    return Problem(where, None, None, what,
                   "give the page another `slug:`, or the file another name")
