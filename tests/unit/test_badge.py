"""Unit tests of generator.badge: badge.svg is valid XML, sized by its text, and accessible."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.badge import PADDING, WIDE, badge_svg, char_width, text_width

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def width_of(svg: str) -> int:
    return int(parse(svg).attrib["width"])


def parts(svg: str) -> list[tuple[float, float]]:
    """(left, right) of the label's and the value's coloured parts, from their paths."""
    root = parse(svg)
    width = float(root.attrib["width"])
    left, right = (path.attrib["d"] for path in root.iter(f"{SVG}path"))
    label_end = float(left.split("H")[1].split("V")[0])
    value_start = float(right.split(" ")[0].removeprefix("M"))
    return [(0.0, label_end), (value_start, width)]


def test_the_badge_parses_as_svg_and_shows_the_label_and_the_numbers() -> None:
    root = parse(badge_svg("nos", "27/100", "nos: 27 of 100"))
    assert root.tag == f"{SVG}svg"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["nos", "27/100"]


def test_screen_readers_get_the_title_as_role_img_with_a_label() -> None:
    root = parse(badge_svg("nos", "27/100", "nos: 27 of 100"))
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "nos: 27 of 100"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "nos: 27 of 100"
    assert list(root)[0] is title  # first child, where assistive technology looks


def test_the_badge_grows_with_its_text() -> None:
    small = width_of(badge_svg("nos", "27/100", "t"))
    assert width_of(badge_svg("nos", "270/1000", "t")) > small
    assert width_of(badge_svg("keer nee", "27/100", "t")) > small


@pytest.mark.parametrize(("label", "value"), [
    ("nos", "27/100"), ("keer nee", "1.000/1.000"), ("WWWWWWWW", "iiii"), ("拒絶", "3/50"),
    ("отказов", "12/100"), ("", "0/0"), ("’s “quoted”", "…"),
])
def test_no_text_is_wider_than_its_part(label: str, value: str) -> None:
    svg = badge_svg(label, value, "t")
    texts = {t.text or "": t for t in parse(svg).iter(f"{SVG}text")}
    for (left, right), text in zip(parts(svg), (label, value), strict=True):
        if not text:
            continue
        element = texts[text]
        length = float(element.attrib["textLength"])
        centre = float(element.attrib["x"])
        assert length == pytest.approx(text_width(text), abs=0.01)
        assert left + PADDING <= centre - length / 2 + 0.01
        assert centre + length / 2 <= right - PADDING + 0.01


def test_the_two_parts_meet_and_fill_the_width() -> None:
    svg = badge_svg("nos", "27/100", "t")
    (label_left, label_right), (value_left, value_right) = parts(svg)
    assert label_left == 0
    assert label_right == value_left
    assert value_right == width_of(svg)


def test_markup_in_the_strings_is_escaped() -> None:
    label, value, title = '<b>nos</b> & "quotes"', "1 < 2 & 'x'", 'say "no" & <mean> it'
    svg = badge_svg(label, value, title)
    root = parse(svg)
    assert [t.text for t in root.iter(f"{SVG}text")] == [label, value]
    assert root.attrib["aria-label"] == title
    title_element = root.find(f"{SVG}title")
    assert title_element is not None
    assert title_element.text == title
    assert "<b>" not in svg


def test_characters_xml_cannot_hold_are_left_out() -> None:
    root = parse(badge_svg("no\x00s\x1b", "27/100", "nos\x07"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["nos", "27/100"]


def test_the_value_colour_is_the_callers_and_a_bad_colour_is_refused() -> None:
    svg = badge_svg("nos", "27/100", "t", value_color="#067647")
    assert [p.attrib["fill"] for p in parse(svg).iter(f"{SVG}path")] == ["#1f2328", "#067647"]
    with pytest.raises(ValueError, match='"red\\" onload=\\"x" is not a colour'):
        badge_svg("nos", "27/100", "t", value_color='red" onload="x')


def test_characters_outside_the_table_count_as_a_full_em_and_marks_as_nothing() -> None:
    assert char_width("日") == WIDE
    assert char_width("Ж") == WIDE
    assert char_width("\u0301") == 0
    assert char_width("é") == char_width("e")
    assert max(char_width(chr(c)) for c in range(32, 127)) <= WIDE
