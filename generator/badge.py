"""badge.svg: the progress as a small two-part badge, like those on project READMEs.

    nos | 27/100

Pure: strings in (already localised by the caller), SVG text out. The width
comes from the text: each character's advance in DejaVu Sans at 11 px, the
font the SVG asks for first. A viewer without it draws with the next font in
the list, and textLength then holds each text to the width computed here, so
the text never runs out of its part whatever the font.
"""

from __future__ import annotations

import math
import re
import unicodedata

HEIGHT = 20
FONT_SIZE = 11
FONT_FAMILY = "DejaVu Sans,Verdana,Geneva,sans-serif"
PADDING = 6
"""Room left and right of each text, in px."""
LABEL_COLOR = "#1f2328"
"""The theme's --text: a dark neutral behind the label."""
VALUE_COLOR = "#8a5a00"
"""The theme's --accent-text: gold dark enough for white text (5.9:1)."""
RADIUS = 3

# Advances of DejaVu Sans at 11 px for the printable ASCII characters, " " to "~",
# read from DejaVuSans.ttf (2048 units to the em).
ASCII_WIDTHS = (
    3.5, 4.41, 5.06, 9.22, 7.0, 10.45, 8.58, 3.02, 4.29, 4.29, 5.5, 9.22, 3.5, 3.97, 3.5, 3.71,
    7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 3.71, 3.71, 9.22, 9.22, 9.22, 5.84,
    11.0, 7.52, 7.55, 7.68, 8.47, 6.95, 6.33, 8.52, 8.27, 3.24, 3.24, 7.21, 6.13, 9.49, 8.23,
    8.66, 6.63, 8.66, 7.64, 6.98, 6.72, 8.05, 7.52, 10.88, 7.54, 6.72, 7.54, 4.29, 3.71, 4.29,
    9.22, 5.5, 5.5, 6.74, 6.98, 6.05, 6.98, 6.77, 3.87, 6.98, 6.97, 3.06, 3.06, 6.37, 3.06,
    10.72, 6.97, 6.73, 6.98, 6.98, 4.52, 5.73, 4.31, 6.97, 6.51, 9.0, 6.51, 6.51, 5.77, 7.0,
    3.71, 7.0, 9.22,
)
OTHER_WIDTHS = {
    "\u00a0": 3.5, "\u202f": 3.5, "’": 3.5, "‘": 3.5, "“": 5.7, "”": 5.7, "„": 5.7, "–": 5.5,
    "—": 11.0, "…": 11.0, "•": 6.49, "·": 3.5, "×": 9.22, "€": 7.0, "£": 7.0, "°": 5.5,
    "ß": 6.93, "æ": 10.8, "ø": 6.73, "œ": 11.25, "Æ": 10.72, "Ø": 8.66, "Œ": 11.77,
}
WIDE = 11.0
"""A character in none of the tables: a full em, as wide as CJK and wider than any Latin letter."""
COLOR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold, escaped or not."""


def char_width(ch: str) -> float:
    """Advance of one character at 11 px; never less than the font's for what is not listed."""
    code = ord(ch)
    if 32 <= code < 127:
        return ASCII_WIDTHS[code - 32]
    if ch in OTHER_WIDTHS:
        return OTHER_WIDTHS[ch]
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    base = unicodedata.normalize("NFD", ch)[0]  # é as wide as e: DejaVu's accents do not widen
    if base != ch and 32 <= ord(base) < 127:
        return ASCII_WIDTHS[ord(base) - 32]
    return WIDE


def text_width(text: str) -> float:
    """Width of a line of text at 11 px, from the table."""
    return sum(char_width(ch) for ch in text)


def badge_svg(label: str, value: str, title: str, value_color: str = VALUE_COLOR,
              label_color: str = LABEL_COLOR) -> str:
    """The badge: label ("nos") on a dark part, value ("27/100") on a coloured one.

    title ("nos: 27 of 100") is what a screen reader says: the image's
    <title> and aria-label. Colours are "#rrggbb" or "#rgb"; ValueError otherwise.
    """
    for color in (value_color, label_color):
        if not COLOR.fullmatch(color):
            raise ValueError(f'"{color}" is not a colour; write it like "#8a5a00"')
    label, value, title = (NOT_IN_XML.sub("", text) for text in (label, value, title))
    label_text, value_text = text_width(label), text_width(value)
    label_part = math.ceil(label_text + 2 * PADDING)
    value_part = math.ceil(value_text + 2 * PADDING)
    width = label_part + value_part
    r = RADIUS
    return "".join((
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{_attribute(title)}">',
        f"<title>{escape(title)}</title>",
        f'<path fill="{label_color}" d="M{r} 0H{label_part}V{HEIGHT}H{r}'
        f'A{r} {r} 0 0 1 0 {HEIGHT - r}V{r}A{r} {r} 0 0 1 {r} 0Z"/>',
        f'<path fill="{value_color}" d="M{label_part} 0H{width - r}A{r} {r} 0 0 1 {width} {r}'
        f'V{HEIGHT - r}A{r} {r} 0 0 1 {width - r} {HEIGHT}H{label_part}Z"/>',
        f'<g fill="#fff" text-anchor="middle" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE}">',
        _text(label, label_part / 2, label_text),
        _text(value, label_part + value_part / 2, value_text),
        "</g></svg>\n",
    ))


def _text(text: str, centre: float, width: float) -> str:
    if not text:
        return ""
    return (f'<text x="{_number(centre)}" y="14" textLength="{_number(width)}">'
            f"{escape(text)}</text>")


def escape(text: str) -> str:
    """&, < and > as entities, for XML text (xml.sax.saxutils does the same, at
    the cost of importing urllib and the whole HTTP client on every build)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ATTRIBUTE = str.maketrans({'"': "&quot;", "\n": "&#10;", "\t": "&#9;", "\r": "&#13;"})


def _attribute(text: str) -> str:
    """text escaped for an attribute in double quotes (white space kept as written)."""
    return escape(text).translate(_ATTRIBUTE)


def _number(value: float) -> str:
    """A length with at most two decimals and no trailing zeros ("13", "13.5")."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
