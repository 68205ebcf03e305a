"""Unit tests of Markdown rendering: the extensions, and the links with their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import frontmatter, markdown

REPO = Path(__file__).resolve().parent.parent


def test_tables_and_strikethrough_are_rendered() -> None:
    html = markdown.render("| a | b |\n| - | - |\n| 1 | 2 |\n\nNot ~~yes~~ no.\n", 1).html
    assert "<table>" in html and "<td>2</td>" in html
    assert "<s>yes</s>" in html


def test_a_table_and_strikethrough_in_the_same_body() -> None:
    html = markdown.render("~~a~~ b\n\n| x |\n| - |\n| ~~y~~ |\n", 1).html
    assert html.count("<s>") == 2 and "<table>" in html


BODIES = [
    "Plain *text* with **bold**, `code` and a [link](/about/).\n",
    "A single ~ tilde, ~one~ and a pipe-less line.\n\n- a\n- b\n",
    "Heading\n=======\n\n> quote ~\n\n    code ~~ in a code block | too\n",
    "Text | with a pipe but no delimiter row\n\nand ~~ an unclosed pair\n",
    "| a |\n|---|\n| b |\n",
]


@pytest.mark.parametrize("body", BODIES + [
    frontmatter.split(path.read_text("utf-8")).body
    for path in sorted((REPO / "content").rglob("*.md"))])
def test_leaving_out_rules_that_cannot_match_changes_no_html(body: str) -> None:
    full = markdown._parser(False, "/")
    assert markdown.render(body, 1).html == full.render(body)


def test_links_and_images_are_found_at_their_file_lines() -> None:
    body = ("No link on this line.\n\nA paragraph\nwith a [link](/a/) on its second line\n"
            "and ![an image](/b.png).\n\n<https://example.org/>\n\n- [item](/c/)\n")
    links = markdown.render(body, 10).links
    assert links == (("/a/", 13), ("/b.png", 14), ("https://example.org/", 16), ("/c/", 18))


def test_links_are_found_under_a_base_path_as_they_were_written() -> None:
    rendered = markdown.render("See [about](/about/).\n", 5, base_path="/blog/")
    assert 'href="/blog/about/"' in rendered.html
    assert rendered.links == (("/about/", 5),)
