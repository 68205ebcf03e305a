"""Unit tests of front matter reading and attempt validation, on bytes (no files).

Every problem is checked for its file line, its severity and the key words of
its message, because that is what a person sees and acts on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from factories import make_config

from generator import frontmatter
from generator.config import SiteConfig
from generator.entries import Entry, body_text, parse_attempt
from generator.problems import ERROR, WARNING, Problem

GOOD = ("title: Asked for a discount", "date: 2026-03-14", "outcome: no")


def source(*yaml_lines: str, body: str = "Body.\n", newline: str = "\n") -> bytes:
    """A file with these front matter lines: yaml_lines[i] is on file line i + 2."""
    lines = ["---", *yaml_lines, "---"]
    return (newline.join(lines) + newline + body).encode("utf-8")


def parse(raw: bytes, name: str = "2026-03-14-discount.md",
          config: SiteConfig | None = None) -> tuple[Entry | None, list[Problem]]:
    rel_path = f"2026-03/{name}"
    return parse_attempt(f"content/attempts/{rel_path}", rel_path, raw, config or make_config())


def entry_of(*yaml_lines: str, **kwargs: Any) -> Entry:
    """The entry of a valid file (fails the test with the problems otherwise)."""
    entry, problems = parse(source(*yaml_lines), **kwargs)
    assert entry is not None, [p.format() for p in problems]
    return entry


def errors_of(raw: bytes, **kwargs: Any) -> list[Problem]:
    entry, problems = parse(raw, **kwargs)
    errors = [p for p in problems if p.severity == ERROR]
    assert entry is None, "a file with errors must not give an entry"
    assert errors, "expected at least one error"
    return errors


def only_error(raw: bytes, **kwargs: Any) -> Problem:
    errors = errors_of(raw, **kwargs)
    assert len(errors) == 1, [p.format() for p in errors]
    return errors[0]


def the_problem(raw: bytes, **kwargs: Any) -> Problem:
    """The one problem of a file, whether or not an entry came out (see below for that)."""
    _, problems = parse(raw, **kwargs)
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def replace(key: str, line: str) -> tuple[str, ...]:
    """GOOD with the line of one key replaced."""
    return tuple(line if g.startswith(f"{key}:") else g for g in GOOD)


def without(key: str) -> tuple[str, ...]:
    return tuple(g for g in GOOD if not g.startswith(f"{key}:"))


# --- frontmatter.split and load ---------------------------------------------------------


def test_split_separates_front_matter_from_the_body_with_file_lines() -> None:
    doc = frontmatter.split("---\ntitle: T\ndate: 2026-03-14\n---\nFirst line.\nSecond.\n")
    assert doc.yaml_text == "title: T\ndate: 2026-03-14\n"
    assert doc.yaml_line == 2
    assert doc.body == "First line.\nSecond.\n"
    assert doc.body_line == 5


def test_split_of_empty_front_matter_puts_the_body_on_line_three() -> None:
    doc = frontmatter.split("---\n---\nBody.\n")
    assert (doc.yaml_text, doc.body, doc.body_line) == ("", "Body.\n", 3)


def test_split_accepts_a_closing_fence_at_the_very_end_of_the_file() -> None:
    doc = frontmatter.split("---\ntitle: T\n---")
    assert (doc.yaml_text, doc.body) == ("title: T\n", "")


def test_load_keeps_no_as_text() -> None:
    data = frontmatter.load(frontmatter.split("---\noutcome: no\ndraft: yes\nprivate: on\n---\n"))
    assert data == {"outcome": "no", "draft": "yes", "private": "on"}


def test_load_keeps_dates_as_text() -> None:
    doc = frontmatter.split("---\ndate: 2026-03-14\ndecided: 2026-03-20T10:00:00+01:00\n---\n")
    assert frontmatter.load(doc) == {"date": "2026-03-14",
                                     "decided": "2026-03-20T10:00:00+01:00"}


def test_load_reads_true_and_false_and_numbers() -> None:
    doc = frontmatter.split("---\na: true\nb: False\nc: 2026\nd: 1.5\ne: ~\n---\n")
    assert frontmatter.load(doc) == {"a": True, "b": False, "c": 2026, "d": 1.5, "e": None}


# --- The fast path for flat front matter must read exactly what PyYAML reads ------------

PIECES = [
    "a", "b c", "Zz", "no", "yes", "on", "null", "Null", "~", "true", "FALSE", "0", "7", "-3",
    "+12", "012", "0x1F", "0X1F", "1.5", "1e5", ".5", ".inf", "1_000", "2026-03-14",
    "12:30", "https://x.org/a#b", "C#", "a #b", "a: b", "a:", ":", "-", "- a", "?", "? a",
    ",", "[", "]", "[a, b]", "[a,]", "[,]", "[]", "[ ]", "[a, [b]]", "[a: b]", "[-1, 0x2]",
    "{a: b}", "{", "}", "&x", "*x", "!t", "|", ">", "%", "@", "`", "'", "\"", "\\", "'q'",
    "'it''s'", '"q"', '"a\\nb"', '"a" b', "#", " ", "  ", "\t", "\r", "é", "\u2028",
    "\x85", "\ufeff", "\x07", "😀", "...", "---",
]
KEYS = ["title", "my-key", "a_b", "true", "null", "1", "a b", "-k", "x", "title"]
SEPARATORS = [": ", ":", ":  ", ":\t", " : ", ": "]


def random_front_matter(rng: Any) -> str:
    lines = []
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.08:
            lines.append(rng.choice(["", "  ", "# a comment", "  # indented comment", "  b: c",
                                     "- a", "just text"]))
            continue
        value = "".join(rng.choice(PIECES) for _ in range(rng.choice([0, 1, 1, 1, 2, 3])))
        lines.append(rng.choice(KEYS) + rng.choice(SEPARATORS) + value + rng.choice(["", " "]))
    return "\n".join(lines) + rng.choice(["", "\n"])


def typed(value: Any) -> Any:
    """The value with its types spelled out: True == 1 in Python, not in YAML."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def test_the_fast_reading_of_flat_front_matter_matches_pyyaml_on_random_documents() -> None:
    """Whenever the fast path gives an answer, PyYAML reads the same values of the
    same types and raises no error; where it is unsure it must say so (None)."""
    import random

    import yaml

    rng = random.Random(20261123)
    fast = 0
    for _ in range(6000):
        text = random_front_matter(rng)
        simple = frontmatter._load_simple(text)
        if simple is None:
            continue
        fast += 1
        try:
            expected = yaml.load(text, Loader=frontmatter.Loader)  # noqa: S506 - safe loader
        except yaml.YAMLError as exc:
            raise AssertionError(f"read {text!r} as {simple!r}; PyYAML: {exc}") from None
        assert typed(simple) == typed(expected or {}), text
    assert fast > 1000, "most random documents should take the fast path, or it tests nothing"


@pytest.mark.parametrize("text", [
    "title: T\ndate: 2026-03-14\noutcome: no\n",
    'title: "#12: Asked: twice"\ntags: [cold email, follow-up,]\ngoal: 1000\nx:\n',
    "# a comment\n\nfeedback: 'Sorry, no.'\nlesson: It's fine\nn: -0\nh: 0x10\n",
])
def test_common_front_matter_takes_the_fast_path(text: str) -> None:
    import yaml

    simple = frontmatter._load_simple(text)
    assert simple is not None
    assert typed(simple) == typed(yaml.load(text, Loader=frontmatter.Loader))  # noqa: S506


@pytest.mark.parametrize("text", [
    "challenge:\n  goal: 1000\n", "tags:\n- a\n", "a: 1.5\n", "a: b # note\n",
    "a: |\n  text\n", 'a: "x\\ty"\n', "a: b\r\n", "a:\tb\n", "null: x\n", "a: @b\n",
    "a: [\"x\"]\n", "a: b\n  c\n",
])
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert frontmatter._load_simple(text) is None


def test_load_reports_a_yaml_error_at_its_file_line() -> None:
    doc = frontmatter.split("---\ntitle: T\ndate: 2026-03-14\nfeedback: Sorry: no\n---\n")
    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter.load(doc)
    assert caught.value.line == 4


# --- The outcome ------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["no", '"no"', "'no'", "No", "NO", " no "])
def test_outcome_no_is_the_outcome_no_however_it_is_written(written: str) -> None:
    assert entry_of(*replace("outcome", f"outcome: {written}")).outcome == "no"


@pytest.mark.parametrize("written", ["yes", "Yes", '"yes"'])
def test_outcome_yes_is_the_outcome_yes(written: str) -> None:
    assert entry_of(*replace("outcome", f"outcome: {written}")).outcome == "yes"


def test_an_unknown_outcome_lists_the_valid_ones_and_suggests_the_closest() -> None:
    problem = only_error(source(*replace("outcome", "outcome: nope")))
    assert problem.line == 4
    assert '"nope"' in problem.message
    assert "no, yes, ghosted, pending" in problem.message
    assert problem.hint is not None and '"no"' in problem.hint


def test_an_unknown_outcome_suggests_a_misspelled_outcome() -> None:
    problem = only_error(source(*replace("outcome", "outcome: ghostd")))
    assert problem.hint is not None and '"ghosted"' in problem.hint


def test_an_unknown_outcome_lists_custom_outcomes() -> None:
    config = make_config(outcomes=("no", "maybe"))
    problem = only_error(source(*replace("outcome", "outcome: yes")), config=config)
    assert "no, maybe" in problem.message
    assert entry_of(*replace("outcome", "outcome: maybe"), config=config).outcome == "maybe"


# --- Flags and text ---------------------------------------------------------------------


@pytest.mark.parametrize(("line", "draft", "private"), [
    ("draft: no", False, False),
    ("draft: yes", True, False),
    ("draft: false", False, False),
    ("draft: true", True, False),
    ("draft: Yes", True, False),
    ("private: on", False, True),
    ("private: off", False, False),
    ("private: yes", False, True),
])
def test_yes_no_words_are_booleans_in_flag_fields(line: str, draft: bool, private: bool) -> None:
    entry = entry_of(*GOOD, line)
    assert (entry.draft, entry.private) == (draft, private)


def test_flags_default_to_false() -> None:
    entry = entry_of(*GOOD)
    assert (entry.draft, entry.private) == (False, False)


def test_a_flag_that_is_not_yes_or_no_is_an_error_at_its_line() -> None:
    problem = the_problem(source(*GOOD, "draft: maybe"))
    assert (problem.line, problem.severity) == (5, ERROR)
    assert "draft" in problem.message and "true or false" in problem.message


def test_a_number_as_title_becomes_text() -> None:
    entry = entry_of(*replace("title", "title: 2026"))
    assert entry.title == "2026"


@pytest.mark.parametrize("written", ["1.10", "0x1F", "+7"])
def test_a_number_as_title_keeps_its_text_as_written(written: str) -> None:
    # YAML reads these as numbers; str() of the number would give 1.1, 31 and 7.
    assert entry_of(*replace("title", f"title: {written}")).title == written


def test_a_yes_or_no_word_in_a_text_field_stays_as_written() -> None:
    entry = entry_of(*replace("title", "title: No"), "feedback: no", "lesson: Yes")
    assert (entry.title, entry.feedback, entry.lesson) == ("No", "no", "Yes")


def test_text_fields_are_read_with_their_surrounding_spaces_removed() -> None:
    entry = entry_of(*GOOD, 'ask: "  Could I?  "', "category: work")
    assert (entry.ask, entry.category) == ("Could I?", "work")


def test_a_list_as_title_is_an_error() -> None:
    problem = only_error(source(*replace("title", "title: [a, b]")))
    assert problem.line == 2
    assert "title" in problem.message and "list" in problem.message


# --- Dates ------------------------------------------------------------------------------


def test_a_date_is_read_from_its_text() -> None:
    entry = entry_of(*GOOD, "decided: 2026-03-20")
    assert entry.date == dt.date(2026, 3, 14)
    assert entry.decided == dt.date(2026, 3, 20)


def test_a_date_without_a_time_is_published_at_midnight_in_the_site_zone() -> None:
    config = make_config(timezone="Europe/Amsterdam")
    entry = entry_of(*GOOD, config=config)
    assert entry.published == dt.datetime(2026, 3, 14, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_an_impossible_date_is_an_error_at_its_line() -> None:
    problem = only_error(source(*replace("date", "date: 2026-02-30")))
    assert problem.line == 3
    assert "2026-02-30" in problem.message
    assert "not a day of the calendar" in problem.message


def test_a_date_that_is_not_a_date_is_an_error_at_its_line() -> None:
    problem = only_error(source(*replace("date", "date: 14 March 2026")))
    assert problem.line == 3
    assert "not a date" in problem.message and "YYYY-MM-DD" in problem.message


def test_a_date_with_a_time_and_an_offset_belongs_to_its_day_in_the_site_zone() -> None:
    config = make_config(timezone="Europe/Amsterdam")
    entry = entry_of(*replace("date", "date: 2026-03-14T23:30:00-05:00"), config=config)
    assert entry.date == dt.date(2026, 3, 15)  # 05:30 in Amsterdam
    assert entry.published == dt.datetime(2026, 3, 15, 4, 30, tzinfo=dt.UTC)


def test_a_date_with_a_time_and_an_offset_keeps_its_day_when_the_zones_agree() -> None:
    config = make_config(timezone="America/Chicago")  # -05:00 in March (summer time)
    entry = entry_of(*replace("date", "date: 2026-03-14T23:30:00-05:00"), config=config)
    assert entry.date == dt.date(2026, 3, 14)


def test_a_date_with_a_time_but_no_offset_is_in_the_site_zone() -> None:
    config = make_config(timezone="Europe/Amsterdam")
    entry = entry_of(*replace("date", "date: 2026-03-14 23:30"), config=config)
    assert entry.date == dt.date(2026, 3, 14)
    assert entry.published == dt.datetime(2026, 3, 14, 23, 30,
                                          tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_an_impossible_time_is_an_error_at_its_line() -> None:
    problem = only_error(source(*replace("date", "date: 2026-03-14T25:00:00")))
    assert problem.line == 3
    assert "date" in problem.message


def test_decided_before_the_date_is_an_error_at_the_decided_line() -> None:
    problem = only_error(source(*GOOD, "decided: 2026-03-13"))
    assert problem.line == 5
    assert "decided" in problem.message and "before" in problem.message


def test_decided_on_the_day_of_the_attempt_is_fine() -> None:
    assert entry_of(*GOOD, "decided: 2026-03-14").decided == dt.date(2026, 3, 14)


# --- Missing, unknown and duplicate fields ----------------------------------------------


@pytest.mark.parametrize("key", ["title", "date", "outcome"])
def test_a_missing_required_field_is_an_error_naming_the_opening_line(key: str) -> None:
    problem = only_error(source(*without(key)))
    assert problem.line == 1
    assert f"{key} is missing" in problem.message
    assert problem.hint is not None and f"{key}:" in problem.hint


@pytest.mark.parametrize(("key", "line"), [("title", 2), ("date", 3), ("outcome", 4)])
def test_an_empty_required_field_is_an_error_at_its_line(key: str, line: int) -> None:
    problem = only_error(source(*replace(key, f"{key}:")))
    assert problem.line == line
    assert key in problem.message


def test_every_missing_required_field_is_reported() -> None:
    errors = errors_of(source("category: work"))
    assert sorted(p.message for p in errors) == [
        "date is missing", "outcome is missing", "title is missing"]


def test_an_unknown_field_is_a_warning_with_a_did_you_mean() -> None:
    entry, problems = parse(source(*GOOD, "lesosn: Ask earlier."))
    assert entry is not None
    (problem,) = problems
    assert problem.severity == WARNING
    assert problem.line == 5
    assert '"lesosn"' in problem.message and "ignored" in problem.message
    assert problem.hint == 'did you mean "lesson"?'


def test_an_unknown_field_with_nothing_close_points_to_extra() -> None:
    entry, problems = parse(source(*GOOD, "mood: brave"))
    assert entry is not None
    (problem,) = problems
    assert problem.severity == WARNING
    assert problem.hint is not None and "extra" in problem.hint


def test_fields_under_extra_are_kept_without_a_warning() -> None:
    entry, problems = parse(source(*GOOD, "extra:", "  mood: brave"))
    assert problems == []
    assert entry is not None and entry.extra == {"mood": "brave"}


def test_a_duplicate_field_is_an_error_at_its_second_line() -> None:
    problem = only_error(source(*GOOD, "outcome: yes"))
    assert problem.line == 5
    assert "outcome" in problem.message and "twice" in problem.message
    assert "line 4" in problem.message


# --- Tags and slugs ---------------------------------------------------------------------


def test_tags_can_be_a_list() -> None:
    assert entry_of(*GOOD, "tags: [email, strangers]").tags == ("email", "strangers")


def test_tags_can_be_a_block_list() -> None:
    assert entry_of(*GOOD, "tags:", "  - email", "  - in person").tags == ("email", "in person")


def test_tags_can_be_a_comma_separated_string() -> None:
    assert entry_of(*GOOD, "tags: email, strangers ,in person").tags == (
        "email", "strangers", "in person")


def test_a_repeated_or_empty_tag_is_dropped() -> None:
    assert entry_of(*GOOD, "tags: email, , email").tags == ("email",)


def test_a_tag_that_is_a_group_is_an_error() -> None:
    problem = the_problem(source(*GOOD, "tags: [{a: b}]"))
    assert (problem.line, problem.severity) == (5, ERROR)
    assert "tags" in problem.message


def test_the_slug_comes_from_the_file_name() -> None:
    assert entry_of(*GOOD, name="2026-03-14-discount.md").slug == "2026-03-14-discount"


def test_a_file_name_that_is_not_a_slug_is_made_into_one() -> None:
    assert entry_of(*GOOD, name="Café Visit.md").slug == "cafe-visit"


def test_a_slug_in_the_front_matter_wins_over_the_file_name() -> None:
    assert entry_of(*GOOD, "slug: gym-fee", name="2026-03-14-discount.md").slug == "gym-fee"


def test_an_invalid_slug_is_an_error_at_its_line_suggesting_a_valid_one() -> None:
    problem = only_error(source(*GOOD, "slug: Gym Fee!"))
    assert problem.line == 5
    assert '"Gym Fee!"' in problem.message and "web address" in problem.message
    assert problem.hint is not None and "gym-fee" in problem.hint


@pytest.mark.parametrize("line", ["draft: maybe", "tags: {a: b}", "category: [a, b]",
                                  "extra: [a, b]"])
def test_an_error_in_an_optional_field_gives_no_entry(line: str) -> None:
    # A file with errors yields no entry (entries.py); `draft: maybe` must not
    # come out as a published attempt with draft=False.
    entry, problems = parse(source(*GOOD, line))
    assert [p.severity for p in problems] == [ERROR]
    assert entry is None


# --- Whole-file problems ----------------------------------------------------------------


def test_a_yaml_error_reports_the_file_line_with_a_hint_for_an_unquoted_colon() -> None:
    raw = source(*GOOD[:2], "feedback: Sorry: no", GOOD[2])
    problem = only_error(raw)
    assert problem.line == 4  # file line, not the third line of the YAML
    assert "not valid YAML" in problem.message
    assert problem.hint is not None and "quotes" in problem.hint


def test_a_missing_colon_is_reported_at_its_own_line() -> None:
    # `date 2026-03-14` is on file line 3; the line after it is fine.
    problem = only_error(source(GOOD[0], "date 2026-03-14", GOOD[2]))
    assert problem.line == 3
    assert "not valid YAML" in problem.message
    assert problem.hint is not None and "colon" in problem.hint


def test_a_tab_used_for_indenting_gets_a_hint() -> None:
    problem = only_error(source(*GOOD, "tags:", "\t- email"))
    assert problem.line == 6
    assert "not valid YAML" in problem.message
    assert problem.hint is not None and "spaces" in problem.hint


def test_front_matter_that_is_never_closed_is_an_error_at_line_one() -> None:
    problem = only_error(b"---\ntitle: T\ndate: 2026-03-14\noutcome: no\n\nBody.\n")
    assert problem.line == 1
    assert "never closed" in problem.message


def test_a_file_without_front_matter_is_an_error_at_line_one() -> None:
    problem = only_error(b"title: T\ndate: 2026-03-14\n\nBody.\n")
    assert problem.line == 1
    assert "does not start with front matter" in problem.message


@pytest.mark.parametrize("raw", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_an_error_at_line_one(raw: bytes) -> None:
    problem = only_error(raw)
    assert problem.line == 1
    assert "empty" in problem.message


def test_front_matter_that_is_not_key_value_lines_is_an_error() -> None:
    problem = only_error(source("- title", "- date"))
    assert problem.line == 2
    assert "key: value" in problem.message


def test_a_byte_order_mark_at_the_start_is_ignored() -> None:
    entry, problems = parse(b"\xef\xbb\xbf" + source(*GOOD))
    assert problems == []
    assert entry is not None and entry.title == "Asked for a discount"
    assert entry.body_line == 6


def test_a_byte_order_mark_does_not_shift_line_numbers() -> None:
    problem = only_error(b"\xef\xbb\xbf" + source(*replace("date", "date: 2026-02-30")))
    assert problem.line == 3


def test_crlf_line_endings_are_read_like_lf() -> None:
    raw = source(*GOOD, "tags: [a, b]", body="Body.\r\nMore.\r\n", newline="\r\n")
    entry, problems = parse(raw)
    assert problems == []
    assert entry is not None
    assert (entry.title, entry.outcome, entry.tags) == ("Asked for a discount", "no", ("a", "b"))
    assert entry.date == dt.date(2026, 3, 14)
    assert entry.body_line == 7
    assert body_text(raw).startswith("Body.")


def test_crlf_line_endings_keep_problem_lines() -> None:
    errors = errors_of(source(*replace("outcome", "outcome: nope"), "title: again",
                              newline="\r\n"))
    assert sorted((p.line, p.message.split()[0]) for p in errors) == [
        (4, "outcome"), (5, "title")]


def test_non_utf8_bytes_are_an_error_at_the_line_of_the_bad_byte() -> None:
    raw = source(*GOOD, "feedback: Café").replace("é".encode(), b"\xe9")  # Latin-1 é
    problem = only_error(raw)
    assert problem.line == 5
    assert problem.column == 14
    assert "UTF-8" in problem.message and "0xe9" in problem.message


def test_non_utf8_bytes_in_the_body_are_reported_at_their_line() -> None:
    raw = source(*GOOD, body="Fine.\nAlso fine.\nBad ¤ here.\n").replace("¤".encode(), b"\x80")
    problem = only_error(raw)
    assert problem.line == 8


def test_every_problem_of_a_file_is_reported_together() -> None:
    raw = source(GOOD[0], "date: 2026-02-30", "outcome: nope")
    errors = errors_of(raw)
    assert sorted((p.line, p.message.split()[0]) for p in errors) == [
        (3, "date:"), (4, "outcome")]


def test_warnings_and_errors_of_a_file_are_reported_together() -> None:
    raw = source(GOOD[0], "date: 2026-02-30", "outcome: nope", "lesosn: x", "draft: maybe")
    _, problems = parse(raw)
    found = sorted((p.line, p.severity) for p in problems)
    assert found == [(3, ERROR), (4, ERROR), (5, WARNING), (6, ERROR)]


def test_a_valid_file_gives_every_field_of_the_entry() -> None:
    raw = source(*GOOD, "category: business", "tags: [negotiation]", "ask: Could you?",
                 "feedback: \"Sorry: no.\"", "lesson: Ask anyway.", "decided: 2026-03-15",
                 body="Day one.\n")
    entry, problems = parse(raw)
    assert problems == []
    assert entry is not None
    assert entry.path == "content/attempts/2026-03/2026-03-14-discount.md"
    assert entry.rel_path == "2026-03/2026-03-14-discount.md"
    assert (entry.category, entry.tags) == ("business", ("negotiation",))
    assert (entry.ask, entry.feedback, entry.lesson) == ("Could you?", "Sorry: no.", "Ask anyway.")
    assert (body_text(raw), entry.body_line) == ("Day one.\n", 12)
    assert len(entry.digest) == 32
