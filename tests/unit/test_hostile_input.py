"""Hostile or unlucky input, one layer at a time: every case is a line to fix
(or a warning), never an exception, a hang or a gigabyte of memory.

The same defects, through the command line with public/ kept, are in
tests/golden/test_hostile_input.py; random input is in tests/golden/test_properties.py.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from factories import make_config, make_entry
from kit import SITE_YML, write_files

from generator import frontmatter, sources, stats
from generator.config import load_config, resolve_as_of
from generator.entries import parse_attempt, parse_page
from generator.problems import ERROR, WARNING, Problem
from generator.templates import without_controls


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
    "a control character written as it is": (["ask: a\x01b"], 5, 7,
                                              "holds a control character (U+0001)"),
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


# --- Values of the wrong kind --------------------------------------------------------------

def test_a_binary_value_where_text_belongs_says_so_in_words() -> None:
    problem = only(problems_of(attempt_file("ask: !!binary aGVsbG8=")))
    assert problem.message == "ask must be a single line of text, not another kind of value"


# --- Dates at the ends of the calendar ------------------------------------------------------

@pytest.mark.parametrize("date", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_an_offset_that_crosses_the_end_of_the_calendar_is_an_error_at_the_date(
        date: str) -> None:
    raw = f"---\ntitle: T\ndate: {date}\noutcome: no\n---\n".encode()
    problem = only(problems_of(raw))
    assert (problem.line, problem.column) == (3, 7)
    assert "falls outside the calendar" in problem.message


def test_the_first_day_in_a_zone_east_of_utc_is_an_error_not_an_overflow_later() -> None:
    raw = b"---\ntitle: T\ndate: 0001-01-01\noutcome: no\n---\n"
    assert "outside the calendar" in only(problems_of(raw, "Europe/Amsterdam")).message


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "9999-12-31T23:00:00+05:00",
                                  "0001-01-01T05:00:00+01:00"])
def test_dates_at_the_ends_of_the_calendar_that_fit_are_taken(date: str) -> None:
    raw = f"---\ntitle: T\ndate: {date}\noutcome: no\n---\n".encode()
    assert problems_of(raw) == []


# --- Control characters ---------------------------------------------------------------------

def test_a_control_character_in_the_story_is_a_warning_at_its_line_and_column() -> None:
    problem = only(problems_of(attempt_file(body="Fine.\nNot \x0b fine.\n")))
    assert (problem.line, problem.column, problem.severity) == (7, 5, WARNING)
    assert "U+000B" in problem.message


def test_a_non_character_in_the_story_is_a_warning_and_a_bom_or_private_use_is_not() -> None:
    problem = only(problems_of(attempt_file(body="\ufeffFine \uf8ff.\nNot \uffff fine.\n")))
    assert (problem.line, problem.column, problem.severity) == (7, 5, WARNING)
    assert "U+FFFF" in problem.message


def test_a_control_character_escaped_in_a_field_is_a_warning_at_the_field() -> None:
    problem = only(problems_of(attempt_file('lesson: "bad \\x01 lesson"')))
    assert (problem.line, problem.column, problem.severity) == (5, 9, WARNING)
    assert problem.message.startswith("lesson holds an invisible control character")


def test_a_page_with_a_control_character_gets_the_same_warning() -> None:
    _, problems = parse_page("content/pages/about.md", b"---\ntitle: About\n---\nA\x07B\n")
    assert [(p.line, p.column, p.severity) for p in problems] == [(4, 2, WARNING)]


def test_a_file_without_control_characters_gets_no_such_warning() -> None:
    assert problems_of(attempt_file('ask: "tab\\there"', body="Tab\tand\r\nlines.\n")) == []


@pytest.mark.parametrize(("text", "clean"), [
    ("a\x01b\x1fc", "abc"),
    ("tab\tnewline\ncr\r", "tab\tnewline\ncr\r"),
    ("\ufffe\uffffok", "ok"),
    ("lone \ud800 surrogate \x01", "lone  surrogate "),
    ("NUL\x00", "NUL"),
    ("no controls · at all é", "no controls · at all é"),
])
def test_rendered_text_never_carries_what_xml_forbids(text: str, clean: str) -> None:
    assert without_controls(text) == clean


def test_serves_placeholders_keep_their_nul_and_the_rest_goes() -> None:
    assert without_controls("#\x00N12\x00 \x01", placeholders=True) == "#\x00N12\x00 "




def test_pyyamls_own_scanner_cannot_hand_a_lone_surrogate_to_a_page() -> None:
    import yaml

    loader = frontmatter._core_schema_loader(yaml.SafeLoader)('ask: "\\ud800"')
    with pytest.raises(yaml.MarkedYAMLError, match="half of a character"):
        loader.get_single_data()
# --- site.yml -------------------------------------------------------------------------------

CONFIG_CASES = {
    "goal of a billion and one": (SITE_YML.replace("goal: 10", "goal: 1000000001"), 6, 9,
                                  "challenge.goal must be at most 1,000,000,000"),
    "max_file_mb of zero": (SITE_YML + "max_file_mb: 0\n", 9, 14,
                            "max_file_mb must be a whole number of at least 1"),
    "max_file_mb of two thousand": (SITE_YML + "max_file_mb: 2000\n", 9, 14,
                                    "max_file_mb must be at most 1,000"),
    "outcome Windows keeps": (SITE_YML + "outcomes:\n  no:\n  aux:\n", 11, 3,
                              'outcome name "aux" is a name Windows keeps for itself'),
    "outcome too long": (SITE_YML + "outcomes:\n  no:\n  " + "a" * 200 + ":\n", 11, 3,
                         "an address may have at most 150"),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_an_implausible_setting_is_an_error_at_its_line(tmp_path: Path, case: str) -> None:
    text, line, column, words = CONFIG_CASES[case]
    write_files(tmp_path, {"content/site.yml": text})
    _, problems, _ = load_config(tmp_path)
    problem = only(problems)
    assert (problem.line, problem.column, problem.severity) == (line, column, ERROR)
    assert words in problem.message


def test_plausible_large_settings_are_taken(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/site.yml": SITE_YML.replace("goal: 10", "goal: 1000000")
                           + "  ghost_after_days: 1000000\nmax_file_mb: 50\n"})
    config, problems, _ = load_config(tmp_path)
    assert problems == []
    assert (config.challenge.goal, config.challenge.ghost_after_days, config.max_file_bytes) == (
        1_000_000, 1_000_000, 50 * 1024 * 1024)


def test_a_control_character_in_a_text_setting_is_a_warning(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/site.yml": SITE_YML + 'author: "Sam\\x07"\n'})
    _, problems, _ = load_config(tmp_path)
    assert [(p.line, p.severity) for p in problems] == [(9, WARNING)]


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "folder"])
def test_site_yml_that_is_not_a_plain_file_is_an_error_not_a_hang(tmp_path: Path,
                                                                  kind: str) -> None:
    path = tmp_path / "content" / "site.yml"
    path.parent.mkdir(parents=True)
    {"fifo": os.mkfifo, "link to /dev/zero": lambda p: os.symlink("/dev/zero", p),
     "folder": os.mkdir}[kind](path)
    _, problems, _ = load_config(tmp_path)
    assert only(problems).message.startswith("is not a plain file")


def test_a_site_yml_over_ten_megabytes_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    write_files(tmp_path, {"content/site.yml": SITE_YML + "#" * (11 * 1024 * 1024)})
    _, problems, _ = load_config(tmp_path)
    assert only(problems).message == "is 11.0 MB, more than the 10 MB a settings file may have"


def test_an_unreadable_site_yml_is_an_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"content/site.yml": SITE_YML})

    def refuse(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sources.os, "open", refuse)
    _, problems, _ = load_config(tmp_path)
    assert only(problems).message == "cannot be read: you do not have permission"


@pytest.mark.parametrize("epoch", ["soon", "1e9", "9" * 5000, "99999999999999999999"])
def test_a_source_date_epoch_that_is_not_a_usable_moment_is_a_problem(epoch: str) -> None:
    found = resolve_as_of(None, dt.UTC, {"SOURCE_DATE_EPOCH": epoch})
    assert isinstance(found, Problem) and found.path == "SOURCE_DATE_EPOCH"


def test_without_a_timezone_a_reproducible_build_counts_days_in_utc(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert make_config(timezone=None).tzinfo() is dt.UTC
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # a machine in Tokyo: its own zone decides
    time.tzset()
    try:
        assert make_config(timezone=None).tzinfo().utcoffset(None) == dt.timedelta(hours=9)
    finally:
        monkeypatch.undo()
        time.tzset()


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


# --- The numbers at the extremes ------------------------------------------------------------

EXTREMES = [
    dict(goal=1_000_000_000, start=dt.date(2026, 1, 1), end=None, ghost_after_days=None),
    dict(goal=1_000_000, start=dt.date.min, end=dt.date.max, ghost_after_days=1_000_000_000),
    dict(goal=1, start=None, end=dt.date.max, ghost_after_days=1),
    dict(goal=1_000_000_000, start=dt.date.max, end=dt.date.max, ghost_after_days=1_000_000),
]


@pytest.mark.parametrize("as_of", [dt.date.min, dt.date(2026, 3, 1), dt.date.max])
@pytest.mark.parametrize("challenge", EXTREMES)
def test_the_numbers_are_worked_out_for_any_plausible_setting_on_any_day(
        as_of: dt.date, challenge: dict[str, object]) -> None:
    config = make_config(outcomes=("no", "yes", "ghosted", "pending"), **challenge)
    entries = [make_entry(slug=f"e{i}", date=day, outcome=outcome)
               for i, (day, outcome) in enumerate([(dt.date.min, "pending"),
                                                   (dt.date(2026, 2, 1), "no"),
                                                   (dt.date.max, "no")])]
    attempts, counts = stats.aggregate(entries, config, as_of, drafts=False)
    json.dumps(counts.to_json())
