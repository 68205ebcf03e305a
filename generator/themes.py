"""Finding a theme, its templates, static files and UI strings.

A site's own `themes/<name>/` wins over a built-in theme of the same name, so
forking a theme is copying its folder. Built-in themes ship inside the
package (`generator/themes/` in a wheel; `themes/` beside the package in a
source checkout).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import frontmatter

PACKAGE_DIR = Path(__file__).resolve().parent
BUILTIN_DIRS = (PACKAGE_DIR / "themes", PACKAGE_DIR.parent / "themes")


@dataclass(frozen=True)
class Theme:
    name: str
    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    def static_files(self) -> list[tuple[str, Path]]:
        """(output path, source) of every static file, sorted.

        A symbolic link that leads out of the theme is left out: a theme must
        not be a way to publish (or serve) a file from elsewhere on the disk.
        """
        root = os.path.realpath(self.root) + os.sep
        found = []
        for dirpath, dirnames, filenames in os.walk(self.static):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                src = Path(dirpath, name)
                if name.startswith(".") or not os.path.realpath(src).startswith(root):
                    continue
                found.append(("static/" + src.relative_to(self.static).as_posix(), src))
        return sorted(found)

    def digest(self, folders: tuple[str, ...] = ("templates", "i18n")) -> str:
        """Hash of the files in some of the theme's folders (by default all that render)."""
        h = hashlib.blake2b(digest_size=16)
        for folder in (self.root / name for name in folders):
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames.sort()
                for name in sorted(filenames):
                    path = Path(dirpath, name)
                    h.update(path.relative_to(self.root).as_posix().encode() + b"\0")
                    h.update(path.read_bytes())
        return h.hexdigest()


def available(site_dir: Path) -> list[str]:
    names: set[str] = set()
    for folder in (site_dir / "themes", *BUILTIN_DIRS):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if (p / "templates").is_dir())
    return sorted(names)


def find_theme(site_dir: Path, name: str) -> Theme | None:
    for folder in (site_dir / "themes", *BUILTIN_DIRS):
        root = folder / name
        if (root / "templates").is_dir():
            return Theme(name, root)
    return None


def load_strings(theme: Theme, language: str) -> dict[str, Any]:
    """The theme's UI strings for a language (English fills any gaps)."""
    strings: dict[str, Any] = {}
    for lang in dict.fromkeys(("en", language)):
        path = theme.root / "i18n" / f"{lang}.yml"
        if path.is_file():
            data = yaml.load(path.read_text("utf-8"), Loader=frontmatter.Loader)  # noqa: S506
            if isinstance(data, dict):
                strings.update(data)
    return strings
