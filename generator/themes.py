"""Themes as a chain of folders: the site's theme, the themes it extends, the built-in one.

A file (a template, a static file) is looked up along the chain and the
first folder that has it wins, so a theme may hold only what it changes.
UI strings merge key by key the same way. A theme names its parent in
`theme.yml` (`extends: default`); the built-in `default` theme ends every
chain, so a template a theme lacks falls back to the default's.

A site's own `themes/<name>/` comes before a built-in theme of the same name.
Built-in themes ship inside the package (`generator/builtin_themes/` in a
wheel; the repository's `themes/` in a source checkout).
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import frontmatter
from generator.hashing import digest
from generator.problems import WARNING, Problem, did_you_mean, display_path

PACKAGE_DIR = Path(__file__).resolve().parent
BUILTIN_DIRS = (PACKAGE_DIR / "builtin_themes", PACKAGE_DIR.parent / "themes")
BASE_THEME = "default"
"""The built-in theme at the end of every chain."""
THEME_FILE = "theme.yml"
THEME_KEYS = ("extends", "description")


@dataclass(frozen=True)
class Theme:
    """A theme and the folders it is made of, child first."""

    name: str
    folders: tuple[Path, ...]
    """The theme's own folder, then its parents', ending with the built-in default."""

    @property
    def root(self) -> Path:
        return self.folders[0]

    def subfolders(self, kind: str) -> list[Path]:
        """`templates`, `static` or `i18n` of each theme in the chain that has one."""
        return [folder / kind for folder in self.folders if (folder / kind).is_dir()]

    def static_files(self) -> list[tuple[str, Path]]:
        """(output path, source) of every static file, the child's where two share a path.

        A symbolic link that leads out of its theme is left out: a theme must not
        be a way to publish (or serve) a file from elsewhere on the disk. So is
        anything that is not a plain file (a FIFO would block the read for ever).
        The folders are walked once per Theme (a build asks three times; serve
        makes a new Theme when a file outside content/ changes).
        """
        return list(self._static_files)

    @functools.cached_property
    def _static_files(self) -> tuple[tuple[str, Path], ...]:
        found: dict[str, Path] = {}
        for static in self.subfolders("static"):
            root = os.path.realpath(static.parent) + os.sep
            for dirpath, dirnames, filenames in os.walk(static):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    src = Path(dirpath, name)
                    if (name.startswith(".") or not os.path.realpath(src).startswith(root)
                            or not _plain_file(src)):
                        continue
                    found.setdefault("static/" + src.relative_to(static).as_posix(), src)
        return tuple(sorted(found.items()))

    def digest(self, kind: str) -> str:
        """A digest of the files of one kind (`templates`, `i18n`) that the chain uses."""
        files: dict[str, Path] = {}
        for folder in self.subfolders(kind):
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames.sort()
                for name in filenames:
                    path = Path(dirpath, name)
                    files.setdefault(path.relative_to(folder).as_posix(), path)
        parts = [f"{self.folders}".encode()]
        for rel, path in sorted(files.items()):
            parts += [rel.encode(), b"\0", path.read_bytes(), b"\0"]
        return digest(b"".join(parts))


def candidates(site_dir: Path, name: str) -> list[Path]:
    """Where a theme of this name could be, in the order they are tried."""
    return [folder / name for folder in (site_dir / "themes", *BUILTIN_DIRS)]


def available(site_dir: Path) -> list[str]:
    names: set[str] = set()
    for folder in (site_dir / "themes", *BUILTIN_DIRS):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if _is_theme(p))
    return sorted(names)


def _is_theme(folder: Path) -> bool:
    """A folder with a theme.yml, or any of templates/, static/, i18n/: a theme
    that changes one stylesheet is just that file in its static/ folder."""
    try:
        return (folder / THEME_FILE).is_file() or any(
            (folder / kind).is_dir() for kind in ("templates", "static", "i18n"))
    except (OSError, ValueError):  # a name no folder can have (too long, a NUL): not found
        return False


def _find(site_dir: Path, name: str, below: Path | None = None) -> Path | None:
    """The folder of a theme; with `below`, only folders tried after that one
    (a site theme named like a built-in one may extend the built-in one)."""
    options = candidates(site_dir, name)
    if below is not None:
        resolved = [p.resolve() for p in options]
        if below.resolve() in resolved:
            options = options[resolved.index(below.resolve()) + 1:]
    for root in options:
        if _is_theme(root):
            return root
    return None


def resolve_theme(site_dir: Path, name: str) -> tuple[Theme | None, list[Problem]]:
    """The theme `name` and its chain, or None and the problems (a missing theme,
    an unknown parent, a cycle) that keep it from being used."""
    root = _find(site_dir, name)
    if root is None:
        return None, []  # the caller names the line in site.yml
    folders = [root]
    names = [name]
    problems: list[Problem] = []
    current, current_name = root, name
    while True:
        parent, line, found = _parent(site_dir, current, problems)
        if parent is None:
            break
        theme_file = display_path(current / THEME_FILE, site_dir)
        below = current if parent == current_name else None
        parent_root = _find(site_dir, parent, below)
        if parent_root is None:
            problems.append(Problem(
                theme_file, line, found, f'the theme "{parent}" it extends was not found',
                did_you_mean(parent, available(site_dir))
                or f"available: {', '.join(available(site_dir))}"))
            return None, problems
        if parent_root.resolve() in [f.resolve() for f in folders]:
            chain = " → ".join([*names, parent])
            problems.append(Problem(theme_file, line, found,
                                    f"themes extend each other in a circle: {chain}",
                                    "one of them must not extend the other"))
            return None, problems
        folders.append(parent_root)
        names.append(parent)
        current, current_name = parent_root, parent
    builtin = next((d / BASE_THEME for d in BUILTIN_DIRS if _is_theme(d / BASE_THEME)), None)
    if builtin is not None and builtin.resolve() not in [f.resolve() for f in folders]:
        folders.append(builtin)  # the built-in default ends every chain
    return Theme(name, tuple(folders)), problems


def _parent(site_dir: Path, root: Path,
            problems: list[Problem]) -> tuple[str | None, int | None, int | None]:
    """`extends:` of a theme's theme.yml, with its line and column."""
    path = root / THEME_FILE
    if not path.is_file():
        return None, None, None
    shown = display_path(path, site_dir)
    data, doc = read_yaml(path, shown, problems)
    if data is None or doc is None:
        return None, None, None
    for key in data:
        if key not in THEME_KEYS:
            line, column = frontmatter.key_mark(doc, str(key))
            problems.append(Problem(shown, line, column,
                                    f'unknown theme setting "{key}" is ignored',
                                    did_you_mean(str(key), THEME_KEYS), WARNING))
    parent = data.get("extends")
    if parent is None:
        return None, None, None
    line, column = frontmatter.locate(doc, "extends")
    if not isinstance(parent, str) or not parent.strip():
        problems.append(Problem(shown, line, column, "extends must be the name of a theme",
                                "for example `extends: default`"))
        return None, None, None
    return parent.strip(), line, column


def read_yaml(path: Path, shown: str,
              problems: list[Problem]) -> tuple[dict[str, Any] | None, frontmatter.Document | None]:
    """A YAML mapping file of a theme (theme.yml, strings), problems at their lines."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, raw.count(b"\n", 0, exc.start) + 1, None,
                                "the file is not UTF-8 text", "save it as UTF-8 in your editor"))
        return None, None
    except OSError as exc:
        problems.append(Problem(shown, None, None, f"cannot be read ({exc.strerror or exc})"))
        return None, None
    doc = frontmatter.Document(text.removeprefix("\ufeff"), 1, "", 1)
    try:
        data = frontmatter.load(doc)
    except frontmatter.FrontMatterError as exc:
        problems.append(Problem(shown, exc.line, exc.column,
                                exc.message.replace("front matter", "the file"), exc.hint))
        return None, None
    return data, doc


def _plain_file(path: Path) -> bool:
    """A regular file (after links inside the theme), not a FIFO, socket or device."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
