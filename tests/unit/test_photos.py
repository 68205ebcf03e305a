"""Finding the pictures a story shows, in its Markdown, before it is rendered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.markdown import render
from generator.photos import is_relative_picture, references, resolve


def test_inline_reference_and_html_pictures_are_found_with_their_lines() -> None:
    text = ("Intro.\n\n![The café](cafe.jpg)\n\n![Sign][sign]\n\n"
            '<img src="photos/door.png" alt="Door">\n\n[sign]: <sign 2.webp> "A sign"\n')
    assert references(text, 10) == [("cafe.jpg", 12), ('photos/door.png', 16),
                                     ("sign 2.webp", 18)]


def test_addresses_root_paths_and_other_files_are_not_pictures_beside_the_story() -> None:
    text = ("![a](https://x.org/a.png) ![b](/static/b.png) ![c](//cdn/c.png) "
            "![d](notes.pdf) ![e](#top) [f](g.png)\n")
    assert references(text, 1) == []
    assert not is_relative_picture("data:image/png;base64,AAAA")


def test_pictures_in_fenced_code_are_text_not_pictures() -> None:
    text = "```markdown\n![x](in-code.png)\n```\n~~~\n![y](also.png)\n~~~\n![z](real.png)\n"
    assert references(text, 1) == [("real.png", 7)]


def test_a_picture_resolves_from_the_story_s_folder_and_never_leaves_content() -> None:
    assert resolve("content/attempts/x.md", "cafe.jpg") == "content/attempts/cafe.jpg"
    assert resolve("content/attempts/x.md", "../photos/a.png") == "content/photos/a.png"
    assert resolve("content/attempts/x.md", "caf%C3%A9.jpg") == "content/attempts/café.jpg"
    assert resolve("content/attempts/x.md", "../../secret.png") is None
    assert resolve("content/pages/me.md", "../../../etc/x.png") is None


def test_the_renderer_moves_a_picture_to_where_it_is_published_with_its_size() -> None:
    body = render("![The café](caf%C3%A9%201.jpg)\n", 5, False, "/repo/",
                  {"caf%C3%A9%201.jpg": ("/attempts/café 1.jpg", 800, 600)})
    assert body.html == ('<p><img src="/repo/attempts/caf%C3%A9%201.jpg" alt="The café" '
                         'width="800" height="600"></p>\n')
    assert body.links == (("caf%C3%A9%201.jpg", 5),)


@given(st.text(max_size=300))
def test_any_story_text_is_scanned_without_error_and_lines_stay_in_the_story(text: str) -> None:
    found = references(text, 3)
    for href, line in found:
        assert is_relative_picture(href)
        assert 3 <= line <= 3 + text.count("\n")
