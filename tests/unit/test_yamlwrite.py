"""The YAML values that new, decide and import write read back as the same text."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import frontmatter
from generator.yamlwrite import flow_list, scalar


def read_back(line: str) -> object:
    """A `key: value` line as goldstar reads it, by the fast path and by PyYAML."""
    doc = frontmatter.Document(line + "\n", 2, "", 3)
    fast = frontmatter.load(doc)["k"]
    slow = yaml.load(line, Loader=frontmatter.Loader)["k"]  # noqa: S506
    assert fast == slow
    return fast


@pytest.mark.parametrize("title", [
    "Asked the café for a free refill",
    "Asked for a raise: the sequel",
    "Pitch #2 to the editor",
    "*Very* bold ask",
    "- a list? no",
    "? a question",
    "[not a list]",
    "{not: a map}",
    "&anchor",
    "!tag",
    "|block",
    ">folded",
    "'quoted'",
    '"double"',
    "%directive",
    "@handle",
    "`code`",
    "1.10",
    "2026",
    "0x1F",
    "true",
    "null",
    "~",
    ".inf",
    "ends with colon:",
    "trailing space ",
    " leading space",
    "line\nbreak",
    "tab\there",
    "back\\slash",
    "C#",
    "a:b",
    "no",
    "No",
    "yes",
    "€ 49, please",
    "Één café",
    "Спросил о скидке",
    "値引きをお願いした",
    "emoji 🎉",
    "nbsp\u00a0#",
    "line\u2028sep",
])
def test_a_nasty_title_reads_back_as_written(title: str) -> None:
    line = f"k: {scalar(title)}"
    assert "\n" not in line
    assert read_back(line) == title


@pytest.mark.parametrize("word", ["no", "Asked", "café", "2026-03-14", "a b", "C#"])
def test_plain_words_stay_unquoted(word: str) -> None:
    assert scalar(word) == word


def test_a_list_quotes_only_the_items_that_need_it() -> None:
    assert flow_list(["email", "in person", "a, b", "x: y"]) == \
        '[email, in person, "a, b", "x: y"]'
    assert read_back("k: " + flow_list(["email", "a, b", "[x]", "#1"])) == \
        ["email", "a, b", "[x]", "#1"]
    assert flow_list([]) == "[]"


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_reads_back_as_written(text: str) -> None:
    assert read_back(f"k: {scalar(text)}") == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1)))
def test_any_list_reads_back_as_written(items: list[str]) -> None:
    assert read_back(f"k: {flow_list(items)}") == items
