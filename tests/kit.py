"""The site kit: write small sites inline, run the CLI in-process, compare output trees.

    site = write_site(tmp_path, SMALL_SITE)
    write_site(tmp_path, {**SMALL_SITE, "content/attempts/2026-03-04-x.md": "..."})
    result = run("build", "--site", site)
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main

TESTS = Path(__file__).parent
SITES = TESTS / "golden" / "sites"
REPO = TESTS.parent


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*args: str | Path) -> Run:
    """`goldstar ARGS` in this process, with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


def copy_site(name: str, dest: Path) -> Path:
    """A fresh copy of tests/golden/sites/<name> to build in."""
    target = dest / name
    shutil.copytree(SITES / name, target, ignore=shutil.ignore_patterns("expected", "public",
                                                                        ".goldstar-cache"))
    return target


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def tree(root: Path) -> list[str]:
    """Every file under root, as sorted posix paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def assert_same_trees(a: Path, b: Path) -> None:
    """Two output folders hold the same files with the same bytes."""
    assert tree(a) == tree(b)
    for name in tree(a):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


SITE_YML = """\
title: Test challenge
language: en
timezone: UTC
base_url: https://example.org/
challenge:
  goal: 10
  start: 2026-03-01
  end: 2026-03-31
"""


def attempt(title: str = "An attempt", date: str = "2026-03-14", outcome: str = "no",
            extra: str = "", body: str = "Body.\n") -> str:
    return f"---\ntitle: {title}\ndate: {date}\noutcome: {outcome}\n{extra}---\n{body}"

SMALL_SITE: dict[str, str] = {
    "content/site.yml": """\
title: Small test challenge
author: Test Person
description: A tiny site for tests.
language: en
timezone: UTC
base_url: https://example.org/
challenge:
  goal: 10
  counts: [no]
  start: 2026-03-01
  end: 2026-03-31
""",
    "content/attempts/2026-03-01-refill.md": """\
---
title: Asked for a free refill
date: 2026-03-01
outcome: no
category: social
tags: [strangers, food]
---
It took **five seconds**.
""",
    "content/attempts/2026-03-02-raise.md": """\
---
title: Asked for a raise
date: 2026-03-02
outcome: yes
category: job
---
They said yes.
""",
    "content/attempts/2026-03-03-detour.md": """\
---
title: Asked the bus driver for a detour
date: 2026-03-03
outcome: no
category: social
---
No detour.
""",
    "content/pages/about.md": """\
---
title: About this challenge
---
Ten nos in March, counted in public.
""",
}
"""site.yml, three attempts (no, yes, no) in March 2026 and an about page."""


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write files (relative path -> text) under root and return root.

    Folders are created as needed; text is written as UTF-8 with `\\n` line ends.
    """
    for rel_path, text in files.items():
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return root


# The browser tests' Chromium (tests/browser/conftest.py has the fixture).
INSTALL_CHROMIUM = "install Chromium: sudo apt-get install chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


class MissingBrowser:
    """Stands in for the browser when there is none, so each test fails on first use."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __getattr__(self, name: str) -> Any:
        pytest.fail(self.message, pytrace=False)


def parsed_table(site_dir: Path) -> dict[str, Any]:
    """The rows of a site's parsed-files table, from all its shard files."""
    rows: dict[str, Any] = {}
    for shard in sorted((Path(site_dir) / ".goldstar-cache" / "parsed").glob("*.json")):
        rows.update(json.loads(shard.read_text("utf-8"))["rows"])
    return rows
