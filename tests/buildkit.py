"""Helpers for tests that build whole sites: run the CLI in-process, write sites inline."""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.cli import main

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
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
    """A fresh copy of tests/sites/<name> to build in."""
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
