"""Hostile or unlucky input, one layer at a time: every case is a line to fix
(or a warning), never an exception, a hang or a gigabyte of memory.

The same defects, through the command line with public/ kept, are in
tests/golden/test_hostile_input.py; random input is in tests/golden/test_properties.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from factories import make_config
from kit import SITE_YML, write_files

from generator import frontmatter, sources
from generator.config import load_config
from generator.entries import parse_attempt
from generator.problems import ERROR, WARNING, Problem


def attempt_file(*lines: str, body: str = "Body.\n") -> bytes:
    """Front matter lines (line i is file line i + 2) after a valid title, date, outcome."""
    head = ["title: T", "date: 2026-03-14", "outcome: no", *lines]
    return ("---\n" + "\n".join(head) + "\n---\n" + body).encode()


def problems_of(raw: bytes, timezone: str = "UTC") -> list[Problem]:
    entry, problems = parse_attempt("content/attempts/x.md", "x.md", raw,
                                    make_config(timezone=timezone))
    if any(p.is_error for p in problems):
        assert entry is None
    return problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def bomb(key: str, levels: int = 9) -> str:
    """A billion laughs: each anchor repeats the last one ten times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"{key}: *a{levels}")
    return "\n".join(lines)


# --- YAML: aliases, nesting, tags, numbers ------------------------------------------------

YAML_CASES = {
    # name: (front matter lines after title/date/outcome, line, column, words)
    # at the first anchor that repeats too much (a3: ten times a2, 11,111 values)
    "alias bomb in date": ([*bomb("date").splitlines()], 8, 1, "repeat more than 10,000"),
    "alias bomb in outcome": ([*bomb("outcome").splitlines()], 8, 1, "repeat more than"),
    "alias inside its own anchor": (["extra: &x [1, *x]"], 5, 1, "holds itself"),
    "nesting sixty deep": (["extra: " + "[" * 60 + "]" * 60], 5, 1, "nested more than 50"),
    "nesting by aliases": ([f"n{i}: &n{i} [*n{i - 1}]" if i else "n0: &n0 [x]"
                            for i in range(60)], 53, 1, "nested more than 50"),
    "!!int abc": (["category: !!int abc"], 5, 11, '"abc" is not a whole number'),
    "!!float abc": (["ask: !!float abc"], 5, 6, '"abc" is not a number'),
    "!!bool maybe": (["draft: !!bool maybe"], 5, 8, '"maybe" is not true or false'),
    "!!timestamp nope": (["decided: !!timestamp nope"], 5, 10, '"nope" is not a date'),
    "!!python/object": (["extra: !!python/object:os.system x"], 5, 8,
                        "could not determine a constructor"),
    "5,000 digits": (["ask: " + "9" * 5000], 5, 6, "more than 4,300 digits"),
    "5,000 digits in extra": (["extra:", "  n: " + "9" * 5000], 6, 6, "more than 4,300 digits"),
    "5,000 hex digits": (["extra: {n: 0x" + "f" * 5000 + "}"], 5, 12, "more than 4,300 digits"),
}


@pytest.mark.parametrize("case", list(YAML_CASES))
def test_hostile_yaml_is_one_error_at_its_line(case: str) -> None:
    lines, line, column, words = YAML_CASES[case]
    started = time.perf_counter()
    problem = only(problems_of(attempt_file(*lines)))
    assert time.perf_counter() - started < 2
    assert (problem.line, problem.column, problem.severity) == (line, column, ERROR)
    assert words in problem.message, problem.format()
    assert len(problem.message) < 300


def test_an_alias_that_repeats_a_little_is_still_fine() -> None:
    entry, problems = parse_attempt("content/attempts/x.md", "x.md", attempt_file(
        "tags: &t [a, b]", "extra: {again: *t}"), make_config())
    assert entry is not None and entry.extra == {"again": ["a", "b"]}, problems


def test_site_yml_and_strings_files_refuse_an_alias_bomb_too(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/site.yml": SITE_YML + bomb("author")})
    _, problems, _ = load_config(tmp_path)
    assert [(p.path, p.line, p.message[:26]) for p in problems] == [
        ("content/site.yml", 12, "YAML aliases (`*name`) her")]
    doc = frontmatter.Document(bomb("nav_home") + "\n", 1, "", 1)
    with pytest.raises(frontmatter.FrontMatterError) as raised:
        frontmatter.load(doc)
    assert raised.value.line == 4


def test_a_long_number_in_the_fast_path_goes_to_pyyaml_and_an_ordinary_one_does_not() -> None:
    assert frontmatter._load_simple("n: " + "9" * 101) is None
    assert frontmatter._load_simple("n: " + "9" * 100) == {"n": int("9" * 100)}


# --- Content files ------------------------------------------------------------------------

def test_a_link_to_a_file_that_is_not_there_is_an_error_for_markdown(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "attempts"
    folder.mkdir(parents=True)
    (folder / "gone.md").symlink_to("moved.md")
    (folder / "gone.png").symlink_to("moved.png")
    listing = sources.discover(tmp_path, "content/attempts")
    assert [(p.path, p.severity, p.message) for p in listing.problems] == [
        ("content/attempts/gone.md", ERROR, "is a link to moved.md, which does not exist"),
        ("content/attempts/gone.png", WARNING, "is a link to moved.png, which does not exist")]


def test_a_link_loop_is_an_error_that_says_it_is_a_loop(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "attempts"
    folder.mkdir(parents=True)
    (folder / "a.md").symlink_to("b.md")
    (folder / "b.md").symlink_to("a.md")
    listing = sources.discover(tmp_path, "content/attempts")
    assert [(p.path, p.severity) for p in listing.problems] == [
        ("content/attempts/a.md", ERROR), ("content/attempts/b.md", ERROR)]
    assert all("a loop" in p.message for p in listing.problems)


def test_a_link_to_a_folder_above_is_skipped_so_pages_are_not_read_as_attempts(
        tmp_path: Path) -> None:
    write_files(tmp_path, {"content/attempts/a.md": "x", "content/pages/about.md": "x"})
    (tmp_path / "content" / "attempts" / "up").symlink_to("..")
    listing = sources.discover(tmp_path, "content/attempts")
    assert [path for path, _ in listing.files] == ["content/attempts/a.md"]
    assert [p.path for p in listing.problems] == ["content/attempts/up"]


def test_a_fifo_and_a_link_to_dev_zero_are_never_opened_for_reading(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "attempts"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "pipe.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    listing = sources.discover(tmp_path, "content/attempts")
    assert listing.files == []
    assert [p.path for p in listing.problems] == ["content/attempts/pipe.md",
                                                  "content/attempts/zero.md"]
    assert isinstance(sources.read("x", str(folder / "pipe.md")), Problem)
    assert isinstance(sources.read("x", "/dev/zero"), Problem)
