"""Unit tests of Markdown rendering: the extensions, and the links with their lines."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from generator import frontmatter, markdown

REPO = Path(__file__).resolve().parents[2]


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


# Pieces of Markdown that start, end or nearly make every construct, markers
# alone and in odd company, so that random bodies hit the edges of each rule.
PIECES = [
    "# ", "## h", "#no", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "```", "~~~", "``", "`",
    "    ", "  ", " ", "\t", "***", "---", "___", "* * *", "- -", "_ _ _", "===", "=", "-",
    "[a]: /u", "[a]:", "[a]", "]:", "[x](/y)", "[", "]", "(", ")", "![i](/p.png)", "![",
    "<https://a.b/>", "<b>", "</b>", "<", "<!-- c -->", "&amp;", "&#35;", "&", "\\*", "\\",
    "~~s~~", "~~", "~", "|", "| a | b |\n|---|---|", "|-|", "_e_", "__s__", "*", "**",
    "\n", "\n\n", "  \n", "\r\n", "\r", "\x00", "word", "two words", "é",
    # bare addresses, whole and in pieces, for linkify
    "https://a.nl/b_c", "http://x.org", "HTTPS://X.NL/", "ftp://f.de/x", "//cdn.a.com/x",
    "mailto:me@a.nl", "me@a.nl", "@", "//", "://", ":", "http:", "www.", "www.a.com",
    "WwW.a.nl/p?q=1", "a.com", "Booking.com", "late.So", ".", "/", "?", "=", ".nl",
]


def random_bodies(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 24)))
            for _ in range(count)]


@pytest.mark.parametrize("allow_html", [False, True])
def test_random_bodies_render_the_same_with_the_rules_left_out(allow_html: bool) -> None:
    """Differential: leaving out the rules a body lacks the markers for changes nothing.

    The same generator ran offline for 200,000 bodies without a difference.
    """
    full = markdown._parser(allow_html, "/")
    differ = [body for body in random_bodies(3000, seed=7 + allow_html)
              if markdown.render(body, 1, allow_html).html != full.render(body)]
    assert differ == []


@pytest.mark.parametrize("body", [
    "x https://a.nl", "FTP://a.nl/b", "a@b.nl", "www.a.nl", "mailto:a@b.nl"])
def test_a_bare_address_keeps_the_linkify_rule(body: str) -> None:
    assert "linkify" not in markdown.rules_left_out(body, allow_html=False)
    assert "<a href=" in markdown.render(body, 1).html


def test_a_typical_body_leaves_out_the_rules_it_has_no_markers_for() -> None:
    body = "## Title\n\nSome *text* and a [link](/a/).\n\n- one\n- two\n"
    left_out = markdown.rules_left_out(body, allow_html=False)
    assert {"table", "code", "fence", "blockquote", "hr", "lheading", "image",
            "backticks", "html_block", "linkify"} <= set(left_out)
    assert not {"heading", "emphasis", "link", "list", "paragraph"} & set(left_out)


def test_links_and_images_are_found_at_their_file_lines() -> None:
    body = ("No link on this line.\n\nA paragraph\nwith a [link](/a/) on its second line\n"
            "and ![an image](/b.png).\n\n<https://example.org/>\n\n- [item](/c/)\n")
    links = markdown.render(body, 10).links
    assert links == (("/a/", 13), ("/b.png", 14), ("https://example.org/", 16), ("/c/", 18))


@pytest.mark.timeout(20)  # 7 times what it takes on a loaded CI machine
def test_eighty_thousand_links_in_one_paragraph_are_found_in_one_pass() -> None:
    """Issue 12: the search for each link's line went back to the paragraph's
    start (80,000 links: 41 s, against 1.5 s for markdown-it alone). Every link
    is found at its line, and the whole render is a hang guard, not a timing."""
    count = 80_000
    body = "".join(f"[{i}](/a/{i}/)\n" if i % 2 else f"see [{i}](/a/{i}/) " for i in range(count))
    links = markdown.render(body, 5).links
    assert len(links) == count
    line = 5
    for i, (href, found) in enumerate(links):
        assert (href, found) == (f"/a/{i}/", line)
        line += i % 2


@pytest.mark.parametrize(("body", "html"), [
    ("See https://example.org/a?b=1.", '<p>See <a href="https://example.org/a?b=1">'
                                       'https://example.org/a?b=1</a>.</p>'),
    ("At www.acme.nl today", '<p>At <a href="http://www.acme.nl">www.acme.nl</a> today</p>'),
    ("Mail sam@example.org.", '<p>Mail <a href="mailto:sam@example.org">sam@example.org</a>.</p>'),
    ("Applied via Booking.com", "<p>Applied via Booking.com</p>"),
    ("WWW.ACME.NL and //cdn.acme.nl/x", "<p>WWW.ACME.NL and //cdn.acme.nl/x</p>"),
    ("It was late.So I left; Mr.Li said no.", "<p>It was late.So I left; Mr.Li said no.</p>"),
    ("[the post](https://a.nl/) and `https://b.nl`",
     '<p><a href="https://a.nl/">the post</a> and <code>https://b.nl</code></p>'),
    ("Not a link: https://", "<p>Not a link: https://</p>"),
])
def test_bare_web_addresses_become_links_and_names_with_a_dot_stay_text(
        body: str, html: str) -> None:
    assert markdown.render(body, 1).html == html + "\n"


def test_a_bare_address_is_not_one_of_the_links_to_check() -> None:
    body = "Read https://example.org/x and [the rules](/rules/), www.acme.nl.\n"
    assert markdown.render(body, 3).links == (("/rules/", 3),)


def test_links_are_found_under_a_base_path_as_they_were_written() -> None:
    rendered = markdown.render("See [about](/about/).\n", 5, base_path="/blog/")
    assert 'href="/blog/about/"' in rendered.html
    assert rendered.links == (("/about/", 5),)
