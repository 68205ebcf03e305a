"""goldstar decide: only the answer lines change; every other byte stays."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest
from factories import make_config
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Outcome
from generator.edit import Decision, EditRefused, decide, find_attempt, set_fields
from generator.entries import parse_attempt

FIXTURES = Path(__file__).parent / "fixtures" / "decide"
CONFIG = make_config()
ANSWER = Decision("Nee", dt.date(2026, 11, 5), "Only after 5 pm: come back then.",
                  "Timing matters #1")


def decided(text: str, decision: Decision = ANSWER) -> str:
    raw, problems = decide(text.encode("utf-8"), "a.md", "a.md", CONFIG, decision)
    assert problems == [] and raw is not None
    return raw.decode("utf-8")


def refused(text: str, decision: Decision = ANSWER) -> list[str]:
    raw, problems = decide(text.encode("utf-8"), "a.md", "a.md", CONFIG, decision)
    assert raw is None
    return [p.message for p in problems]


def test_a_file_with_bom_crlf_comments_and_odd_key_order_changes_only_its_answer_lines(
        update_golden: bool) -> None:
    before = (FIXTURES / "crlf-comments-odd-order.md").read_bytes()
    expected_path = FIXTURES / "crlf-comments-odd-order.expected.md"
    after, problems = decide(before, "a.md", "a.md", CONFIG, ANSWER)
    assert problems == [] and after is not None
    if update_golden:
        expected_path.write_bytes(after)
    assert after == expected_path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf---\r\n") and b"\r\n" in after
    assert after.count(b"\n") == after.count(b"\r\n")  # no bare LF slipped in


def test_deciding_again_with_the_same_answer_changes_nothing() -> None:
    once = (FIXTURES / "crlf-comments-odd-order.expected.md").read_bytes()
    again, problems = decide(once, "a.md", "a.md", CONFIG, ANSWER)
    assert problems == [] and again == once


def test_only_the_answer_lines_differ_in_a_plain_file() -> None:
    before = ("---\ntitle: Asked for a raise\ndate: 2026-11-01\noutcome: pending  # HR\n"
              "category: job\nask: Could I get 10% more?\n---\nStory.\n")
    after = decided(before)
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]
    assert diff == [
        "- outcome: pending  # HR",
        "+ outcome: no  # HR",
        '+ feedback: "Only after 5 pm: come back then."',  # in the README's order of fields
        '+ lesson: "Timing matters #1"',
        "+ decided: 2026-11-05",
    ]
    entry, _ = parse_attempt("a.md", "a.md", after.encode(), CONFIG)
    assert entry is not None and entry.outcome == "no"
    assert entry.feedback == ANSWER.feedback and entry.lesson == ANSWER.lesson


HEAD = "---\ntitle: t\ndate: 2026-11-01\n"


NO = Decision("no", dt.date(2026, 11, 5))


@pytest.mark.parametrize(("front", "expected", "decision"), [
    ("outcome: pending\ndecided:   # fill in\n",
     "outcome: no\ndecided: 2026-11-05   # fill in\n", NO),
    ('outcome: "pending"\ndecided: 2026-11-02\n', "outcome: no\ndecided: 2026-11-05\n", NO),
    ("outcome:\n  pending\n\n", "outcome: no\ndecided: 2026-11-05\n\n", NO),
    ('"outcome": pending\n', '"outcome": no\ndecided: 2026-11-05\n', NO),
    ("outcome: pending\nfeedback: |\n  Line one.\n  Line two.\n\n# next\nlesson: x\n",
     'outcome: no\nfeedback: "Only after 5 pm: come back then."\n\n# next\n'
     'lesson: "Timing matters #1"\n', ANSWER),
    ("outcome: pending\nfeedback: \"a long one\n  over two lines\"\n",
     'outcome: no\nfeedback: "Only after 5 pm: come back then."\n', ANSWER),
])
def test_each_way_of_writing_a_value_is_replaced_in_place(front: str, expected: str,
                                                          decision: Decision) -> None:
    after = decided(HEAD + front + "---\n", decision)
    assert after.startswith(HEAD)
    assert expected in after[len(HEAD):]


@pytest.mark.parametrize(("text", "message"), [
    ("---\n{title: t, date: 2026-11-01, outcome: pending}\n---\n",
     "the front matter is written as one {...} group, which cannot be edited safely"),
    (HEAD + "outcome: &o pending\n---\n",
     "outcome uses a YAML anchor, alias or tag, which cannot be edited safely"),
    (HEAD + "ask: &o pending\noutcome: *o\n---\n",
     "outcome uses a YAML anchor, alias or tag, which cannot be edited safely"),
    (HEAD + "outcome: !!str pending\n---\n",
     "outcome uses a YAML anchor, alias or tag, which cannot be edited safely"),
])
def test_front_matter_it_cannot_edit_safely_is_refused(text: str, message: str) -> None:
    assert refused(text) == [message]


def test_an_outcome_inside_a_flow_mapping_is_refused_by_set_fields() -> None:
    text = "---\n{title: t,\n outcome: pending}\n---\n"
    with pytest.raises(EditRefused) as info:
        set_fields(text, "a.md", [("outcome", "no")])
    assert info.value.problem.line == 2


def test_an_outcome_the_site_does_not_know_gets_a_hint() -> None:
    messages = refused(HEAD + "outcome: pending\n---\n",
                       Decision("nop", dt.date(2026, 11, 5)))
    assert messages == ['--outcome "nop" is not one of: no, yes, ghosted, pending']
    raw, problems = decide((HEAD + "outcome: pending\n---\n").encode(), "a.md", "a.md", CONFIG,
                           Decision("pendng", dt.date(2026, 11, 5)))
    assert problems[0].hint == 'did you mean "pending"?'


def test_a_label_of_the_site_is_understood() -> None:
    config = make_config(outcomes=(Outcome("no", "Rejected"), Outcome("yes", "Offer"),
                                   Outcome("ghosted"), Outcome("pending", "Waiting")))
    raw, problems = decide((HEAD + "outcome: pending\n---\n").encode(), "a.md", "a.md", config,
                           Decision("offer", dt.date(2026, 11, 5)))
    assert problems == [] and raw is not None and b"outcome: yes\n" in raw


def test_an_answer_before_the_ask_is_refused_at_the_date_line() -> None:
    raw, problems = decide((HEAD + "outcome: pending\n---\n").encode(), "a.md", "a.md", CONFIG,
                           Decision("no", dt.date(2026, 10, 31)))
    assert raw is None
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("a.md", 3, "the answer date 2026-10-31 is before the date of the attempt, 2026-11-01")]


def test_an_attempt_with_errors_is_not_touched() -> None:
    assert refused("---\ndate: 2026-11-01\noutcome: pending\n---\n") == ["title is missing"]


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1).filter(lambda s: s.strip() == s and s.strip()),
       st.sampled_from(["feedback:\n", "feedback: old\n", "feedback: >\n  old\n  text\n",
                        "feedback: 'old'   # said\n", ""]))
def test_any_feedback_is_recorded_and_the_rest_stays(feedback: str, line: str) -> None:
    before = HEAD + "outcome: pending\n" + line + "# keep me\nextra:\n  a: 1\n---\nBody\n"
    after = decided(before, Decision("no", dt.date(2026, 11, 5), feedback))
    entry, problems = parse_attempt("a.md", "a.md", after.encode(), CONFIG)
    assert entry is not None, problems
    assert entry.feedback == feedback.strip() and entry.extra == {"a": 1}
    assert after.endswith("# keep me\nextra:\n  a: 1\n---\nBody\n")


def write(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEAD + "outcome: pending\n---\n")
    return path


def test_an_attempt_is_found_by_path_name_or_the_words_of_its_address(tmp_path: Path) -> None:
    refill = write(tmp_path, "content/attempts/2026-11/2026-11-01-free-refill.md")
    write(tmp_path, "content/attempts/2026-11/2026-11-02-free-refill-again.md")
    for name in ("content/attempts/2026-11/2026-11-01-free-refill.md",
                 "2026-11-01-free-refill", "2026-11-01-free-refill.md", "free-refill"):
        assert find_attempt(tmp_path, name) == (refill, []), name
    assert find_attempt(tmp_path, "refill") == (refill, [])  # the end of a name comes first
    path, problems = find_attempt(tmp_path, "free")
    assert path is None and problems[0].message == '"free" matches 2 attempts'
    assert "2026-11-02-free-refill-again.md" in (problems[0].hint or "")
    path, problems = find_attempt(tmp_path, "nothing-like-it")
    assert path is None and "no attempt called" in problems[0].message
