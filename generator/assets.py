"""A theme's static files, each published twice: as it is and with a content hash.

`static/style.css` keeps its name for links written by hand; the templates'
`url('/static/style.css')` links `assets/style.3f2a9c1d.css` instead, whose
name changes when (and only when) its bytes do, so hosting may let browsers
keep it for a year. The hashed copies sit side by side in one flat folder:
a stylesheet's relative `url(...)` and `@import` references to other static
files are rewritten to their hashed names, and the stylesheet is hashed
after that, so a changed font or picture gives its stylesheet a new name too.
Pictures beside attempts (Markdown content) are not theme files and keep
their names.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import Outcome

HASH_CHARS = 8
"""Hex digits of SHA-256 in a hashed name: enough that two versions of a file
never share a name in practice, short enough to read."""
ASSET_DIR = "assets"
OUTCOME_CSS = "static/outcomes.css"

_CSS_REFERENCE = re.compile(
    r"""(?P<head>url\(\s*|@import\s+(?!url\())(?P<quote>["']?)(?P<ref>[^"')\s]+)(?P=quote)""")


@dataclass(frozen=True)
class Asset:
    """One static file: where it is published as is, and its hashed copy."""

    path: str
    """Output path as is: `static/style.css`."""
    data: bytes
    hashed_path: str
    """Output path of the hashed copy: `assets/style.3f2a9c1d.css`."""
    hashed_data: bytes
    """The copy's bytes: a stylesheet's references point at hashed names."""


def outcome_css(outcomes: Sequence[Outcome]) -> bytes:
    """The outcome colours of site.yml as a stylesheet (`static/outcomes.css`):
    no inline styles, so a strict Content-Security-Policy keeps working."""
    return "".join(f".badge.outcome-{o.key} {{ background-color: {o.color}; }}\n"
                   for o in outcomes).encode()


def read_static(files: Sequence[tuple[str, Path]]) -> list[tuple[str, bytes]]:
    """The bytes of each (output path, source) of a theme's static files."""
    return [(path, source.read_bytes()) for path, source in files]


def fingerprint_assets(files: Sequence[tuple[str, bytes]]) -> list[Asset]:
    """Every file with its hashed name; stylesheets after what they reference."""
    data = dict(files)
    done: dict[str, Asset] = {}

    def visit(path: str, visiting: frozenset[str]) -> Asset:
        if path in done:
            return done[path]
        content = data[path]
        if path.endswith(".css"):
            content = _rewrite_css(path, content, data, lambda ref: (
                visit(ref, visiting | {path}).hashed_path if ref not in visiting else None))
        asset = Asset(path, data[path], hashed_name(path, content), content)
        done[path] = asset
        return asset

    return [visit(path, frozenset()) for path in sorted(data)]


def hashed_name(path: str, content: bytes) -> str:
    """`static/img/logo.png` with these bytes → `assets/logo.<8 hex>.png`."""
    stem, dot, suffix = posixpath.basename(path).rpartition(".")
    if not stem:  # no dot in the name, or only a leading one
        stem, dot, suffix = posixpath.basename(path), "", ""
    tag = hashlib.sha256(content).hexdigest()[:HASH_CHARS]
    return f"{ASSET_DIR}/{stem}.{tag}{dot}{suffix}"


def links(assets: Sequence[Asset]) -> dict[str, str]:
    """What `url()` links for a static file: `/static/x.css` → `/assets/x.<hash>.css`."""
    return {"/" + a.path: "/" + a.hashed_path for a in assets}


def output_files(assets: Sequence[Asset]) -> dict[str, bytes]:
    """Every file to write: each asset as it is and its hashed copy."""
    files = {a.path: a.data for a in assets}
    files.update((a.hashed_path, a.hashed_data) for a in assets)
    return files


def outputs(assets: Sequence[Asset], hashed: bool = True) -> list[str]:
    """The output paths of the assets (for link checks); `hashed=False` for serve."""
    paths = [a.path for a in assets]
    return paths + [a.hashed_path for a in assets] if hashed else paths


def _rewrite_css(path: str, content: bytes, known: dict[str, bytes],
                 hashed: Callable[[str], str | None]) -> bytes:
    """A stylesheet whose relative references to other static files name their
    hashed copies (beside it in assets/); a reference in a circle of
    stylesheets, or to any other file, goes to its stable name."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return content  # not text this can read: left as it is
    folder = posixpath.dirname(path)

    def replace(match: re.Match[str]) -> str:
        target, rest = _split_ref(match["ref"])
        if not target or _is_absolute(target):
            return match[0]
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved.startswith("../"):
            return match[0]  # above the site: nothing to point at
        hashed_path = hashed(resolved) if resolved in known else None
        # assets/ is one folder below the site, so "../" + a path from the
        # site's root reaches any other file from there.
        new = posixpath.basename(hashed_path) if hashed_path else "../" + resolved
        return f"{match['head']}{match['quote']}{new}{rest}{match['quote']}"

    return _CSS_REFERENCE.sub(replace, text).encode("utf-8")


def _split_ref(ref: str) -> tuple[str, str]:
    """`font.woff2?v=2#x` → ("font.woff2", "?v=2#x")."""
    end = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
    return ref[:end], ref[end:]


def _is_absolute(ref: str) -> bool:
    """data:, https:, //host/ and /site/ references are left alone."""
    return ref.startswith(("/", "#")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) is not None
