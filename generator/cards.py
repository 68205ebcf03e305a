"""Social cards: the 1200×630 PNG a page shows when it is shared (Open Graph, Twitter).

Two kinds: an AttemptCard for each published attempt, and a SiteCard for every
other page. The caller passes plain strings, already localised, and numbers;
plan_card() lays them out (pure, given the font files) and draw_card() paints
the plan and returns PNG bytes.

Contract: a card's pixels depend only on its fields, DRAWING_VERSION, the font
files and the renderer (Pillow, FreeType, the text layout engine, zlib), and
card_key() digests exactly these. The build keeps cards by that key and never
redraws an unchanged one. An attempt card holds only what belongs to its
attempt (its progress is the count at that attempt), so a new attempt changes
no other card.

Speed: a card must cost under 3 ms of CPU, and encoding an RGB image of this
size as PNG alone costs more. So a card is painted straight into palette
indices: the canvas is an "L" image whose values are indices, turned into "P"
at the end. Every pair of colours (what lies underneath, what is drawn on it)
has a slot of RAMP palette entries going from one to the other. Pillow blends
an antialiased edge into an "L" image linearly, so drawing a slot's last index
over its first index with coverage a gives the entry for a: the ramp does the
blending. That is why every element sits on a plain colour: the box under it
is first filled with its slot's first index, which is that same colour.

Glossary: a *slot* is a ramp of palette entries for one pair of colours; a
*face* is one font file at one size for one language; an *element* is one thing painted (a text
line or a shape); the *base* of a plan is the part that every card of the site
shares, painted once per process and copied.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont, features

WIDTH, HEIGHT = 1200, 630
DRAWING_VERSION = "1"
"""Raise it whenever a change to this module changes the pixels of any card."""

RAQM = features.check("raqm")
"""Pillow lays text out with Raqm (kerning, language forms) where libraqm and FriBiDi load."""
ELLIPSIS = "…"
RAMP = 16
"""Palette entries per slot: 16 levels of coverage are as smooth as the eye can tell here."""

PACKAGE_DIR = Path(__file__).resolve().parent
FONT_DIRS = (PACKAGE_DIR / "builtin_themes" / "default" / "fonts",
             PACKAGE_DIR.parent / "themes" / "default" / "fonts")
"""Inside the wheel, then beside the package in a source checkout (as generator/themes.py)."""

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
"""left, top, right, bottom; right and bottom are outside the box."""


# --- What the caller passes ----------------------------------------------------------------

@dataclass(frozen=True)
class AttemptCard:
    """The card of one attempt. Strings come localised from the caller."""

    site_title: str
    heading: str
    """The attempt's label and number, e.g. "No #412" or "Nee #412"."""
    title: str
    date_text: str
    """The attempt's date as the site writes it, e.g. "14 March 2026"."""
    outcome_label: str
    """e.g. "No", drawn in white on outcome_color."""
    outcome_color: str
    """"#rrggbb", dark enough for white text (the theme's --outcome-* colours are)."""
    progress: int
    """The count at this attempt, not today's: later attempts must not change this card."""
    target: int
    progress_text: str
    """e.g. "412 of 1000 nos"."""
    language: str = "en"
    """BCP 47 tag of the strings, for the text layout (language-specific letter forms)."""


@dataclass(frozen=True)
class SiteCard:
    """The card of every page that is not an attempt: the site and where it stands."""

    site_title: str
    progress: int
    target: int
    progress_text: str
    """e.g. "27 of 100 nos", drawn large; a leading number is drawn in gold."""
    description: str = ""
    as_of_text: str = ""
    """e.g. "As of 14 March 2026"; left off when empty."""
    language: str = "en"


Card = AttemptCard | SiteCard


@dataclass(frozen=True)
class CardFonts:
    """The two font files a card is drawn with (a theme may bring its own)."""

    regular: Path
    bold: Path

    def current(self) -> tuple[FontFile, FontFile]:
        """Both files as they are on disk now: regular, then bold."""
        return FontFile.at(self.regular), FontFile.at(self.bold)


@dataclass(frozen=True)
class FontFile:
    """A font file as it is now: an edited file is another FontFile, so no cache serves it stale."""

    path: Path
    mtime_ns: int
    size: int

    @classmethod
    def at(cls, path: Path) -> FontFile:
        stat = path.stat()
        return cls(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def default_fonts() -> CardFonts:
    """Inter Regular and Bold, shipped in the default theme (themes/default/fonts/)."""
    for folder in FONT_DIRS:
        if (folder / "Inter-Bold.otf").is_file():
            return CardFonts(folder / "Inter-Regular.otf", folder / "Inter-Bold.otf")
    raise FileNotFoundError(
        "goldstar's card fonts are missing (themes/default/fonts/Inter-*.otf); "
        "reinstall goldstar")


# --- Colours and slots ---------------------------------------------------------------------

PAPER = "#fffdf8"        # --bg
INK = "#1f2328"          # --text
MUTED = "#5c5650"        # --muted
GOLD = "#c98a00"         # --accent: the star
GOLD_TEXT = "#8a5a00"    # --accent-text
TRACK = "#efe8d6"        # --track
FILL = "#a16207"         # --fill
WHITE = "#ffffff"
OUTCOME = "outcome"      # stands for the card's outcome colour

# Slots in palette order: (colour underneath, colour drawn). The canvas starts as
# index 0, the first entry of the first slot: paper.
SLOTS: tuple[tuple[str, str], ...] = (
    (PAPER, INK),
    (PAPER, MUTED),
    (PAPER, GOLD_TEXT),
    (PAPER, GOLD),
    (PAPER, TRACK),
    (PAPER, FILL),
    (TRACK, FILL),
    (PAPER, OUTCOME),
    (OUTCOME, WHITE),
)
S_INK, S_MUTED, S_GOLD_TEXT, S_GOLD, S_TRACK, S_FILL, S_FILL_ON_TRACK, S_OUTCOME, \
    S_ON_OUTCOME = range(len(SLOTS))


def parse_color(value: str) -> RGB:
    """"#rrggbb" (or any colour Pillow knows) as RGB; ValueError names the bad value."""
    try:
        rgb = ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(f'"{value}" is not a colour; write it like "#b42318"') from None
    return rgb[0], rgb[1], rgb[2]


@lru_cache(maxsize=64)
def palette(outcome_color: str) -> bytes:
    """RGB bytes of every slot's ramp, with the outcome colour filled in."""
    out = bytearray()
    for under, over in SLOTS:
        low = parse_color(outcome_color if under == OUTCOME else under)
        high = parse_color(outcome_color if over == OUTCOME else over)
        for level in range(RAMP):
            share = level / (RAMP - 1)
            out += bytes(round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return bytes(out)


# --- Fonts: faces, coverage, widths --------------------------------------------------------

def cmap_coverage(data: bytes) -> frozenset[int]:
    """The code points an OpenType/TrueType font has a glyph for, from its cmap table.

    Pillow cannot say whether a font has a glyph (it draws the .notdef box
    instead), and this decides which characters a card leaves out. Reads the
    Unicode subtables: format 12 (full range) and format 4 (the BMP).
    """
    num_tables = struct.unpack_from(">H", data, 4)[0]
    cmap = None
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        return frozenset()
    covered: set[int] = set()
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if (platform, encoding) not in ((0, 3), (0, 4), (3, 1), (3, 10)):
            continue
        sub = cmap + offset
        fmt = struct.unpack_from(">H", data, sub)[0]
        if fmt == 12:
            groups = struct.unpack_from(">I", data, sub + 12)[0]
            for g in range(groups):
                start, end, glyph = struct.unpack_from(">III", data, sub + 16 + 12 * g)
                covered.update(range(start + (glyph == 0), end + 1))
        elif fmt == 4:
            covered.update(_format4(data, sub))
    return frozenset(covered)


def _format4(data: bytes, sub: int) -> set[int]:
    """Code points with a glyph other than 0 in a format 4 cmap subtable."""
    segments = struct.unpack_from(">H", data, sub + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, sub + 14)
    starts = struct.unpack_from(f">{segments}H", data, sub + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, sub + 16 + 4 * segments)
    range_at = sub + 16 + 6 * segments
    range_offsets = struct.unpack_from(f">{segments}H", data, range_at)
    covered = set()
    for s in range(segments):
        for code in range(starts[s], ends[s] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[s] == 0:
                glyph = (code + deltas[s]) & 0xFFFF
            else:
                at = range_at + 2 * s + range_offsets[s] + 2 * (code - starts[s])
                glyph = struct.unpack_from(">H", data, at)[0]
                if glyph:
                    glyph = (glyph + deltas[s]) & 0xFFFF
            if glyph:
                covered.add(code)
    return covered


@lru_cache(maxsize=8)
def font_file(font: FontFile) -> tuple[str, frozenset[int]]:
    """The sha256 of a font file and the code points it covers, read once per process."""
    data = font.path.read_bytes()
    return hashlib.sha256(data).hexdigest(), cmap_coverage(data)


class Face:
    """One font file at one size and language, with the glyphs and widths it has met so far.

    The speed trick of this module, fenced here: a line is drawn glyph by glyph
    from bitmaps rendered once per process, placed by cached advances and pair
    kerning, instead of asking Pillow to lay out and rasterise every line
    (ImageDraw.text costs 0.25 ms for a line of the title; this, under 0.1 ms
    once the glyphs are known). Pillow also places each glyph on a whole pixel,
    so the pixels match its own to the odd edge value; the differential test in
    tests/unit/test_cards.py holds them together. Widths come from the same
    numbers, so a line that fits when measured fits when drawn. What is lost:
    contextual alternates and ligatures, which Inter hardly uses in text.
    """

    def __init__(self, font: FontFile, size: int, language: str) -> None:
        self.font = ImageFont.truetype(str(font.path), size)
        self.size = size
        self.language = layout_language(language)
        self.ascent, self.descent = self.font.getmetrics()
        self.cap_height = -int(self.font.getbbox("H", anchor="ls")[1])
        self.covered = font_file(font)[1]
        self._advances: dict[str, float] = {}
        self._kerning: dict[str, float] = {}
        self._glyphs: dict[str, tuple[Image.Image, int, int] | None] = {}

    def _advance(self, ch: str) -> float:
        advance = self._advances.get(ch)
        if advance is None:
            advance = self._advances[ch] = self.font.getlength(ch, language=self.language)
        return advance

    def _kern(self, pair: str) -> float:
        kern = self._kerning.get(pair)
        if kern is None:
            kern = self._kerning[pair] = (self.font.getlength(pair, language=self.language)
                                          - self._advance(pair[0]) - self._advance(pair[1]))
        return kern

    def offsets(self, text: str) -> list[float]:
        """Where each character starts, from the line's start; one more entry: the line's width."""
        offsets = [0.0]
        pen = 0.0
        previous = ""
        for ch in text:
            if previous:
                pen += self._kern(previous + ch)
                offsets[-1] = pen
            pen += self._advance(ch)
            offsets.append(pen)
            previous = ch
        return offsets

    def width(self, text: str) -> float:
        return self.offsets(text)[-1]

    def _glyph(self, ch: str) -> tuple[Image.Image, int, int] | None:
        """The glyph's coverage and where its top left sits from the pen on the baseline."""
        if ch not in self._glyphs:
            box = self.font.getbbox(ch, anchor="ls", language=self.language)
            left, top, right, bottom = (int(edge) for edge in box)
            glyph = None
            if right > left and bottom > top:
                mask = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(mask).text((-left, -top), ch, font=self.font, fill=255,
                                          anchor="ls", language=self.language)
                glyph = (mask, left, top)
            self._glyphs[ch] = glyph
        return self._glyphs[ch]

    def draw(self, draw: ImageDraw.ImageDraw, x: int, baseline: int, text: str, ink: int) -> None:
        """Blend ink into the image along the line's glyphs, as ImageDraw.text would."""
        for ch, offset in zip(text, self.offsets(text)[:-1], strict=True):
            glyph = self._glyph(ch)
            if glyph is not None:
                mask, left, top = glyph
                # half a pixel rounds up, as Pillow's own placement does (not to even)
                draw.bitmap((x + math.floor(offset + 0.5) + left, baseline + top), mask,
                            fill=ink)


@lru_cache(maxsize=64)
def face(font: FontFile, size: int, language: str = "") -> Face:
    return Face(font, size, language)


def layout_language(language: str) -> str | None:
    """The language for Pillow's text layout: only Raqm takes one (the Basic layout refuses it)."""
    return language if language and RAQM else None


def drawable(text: str, covered: Container[int]) -> str:
    """The text as the font can draw it: characters it lacks left out, white space collapsed.

    Returns "" when the font lacks more than half of the letters, digits,
    punctuation and symbols: two digits left of a Japanese title would say
    something else than the title. Marks, joiners and variation selectors the
    font lacks (parts of emoji) go without being counted.
    """
    kept: list[str] = []
    counted = missing = 0
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace():
            kept.append(" ")
            continue
        visible = unicodedata.category(ch)[0] in "LNPS"
        counted += visible
        if ord(ch) in covered:
            kept.append(ch)
        else:
            missing += visible
    if missing * 2 > counted:
        return ""
    return " ".join("".join(kept).split())


# --- Fitting text into lines ---------------------------------------------------------------

def break_lines(text: str, width: Callable[[str], float], max_width: float
                ) -> tuple[list[str], bool]:
    """Text broken at spaces into lines no wider than max_width, and whether a word had to be cut.

    A word wider than a whole line (a long URL, a Dutch compound) is cut
    between letters, as a browser does with overflow-wrap: break-word.
    """
    lines: list[str] = []
    current = ""
    cut_word = False
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width(word) > max_width:
            keep = longest_prefix(word, width, max_width)
            lines.append(word[:keep])
            word = word[keep:]
            cut_word = True
        current = word
    if current:
        lines.append(current)
    return lines, cut_word


def longest_prefix(text: str, width: Callable[[str], float], max_width: float) -> int:
    """Length of the longest start of text that fits (at least 1, so breaking always ends)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle]) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def fit_lines(text: str, width: Callable[[str], float], max_width: float,
              max_lines: int) -> list[str]:
    """At most max_lines lines of text; if text is left over, the last line ends with …."""
    lines, _ = break_lines(text, width, max_width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = ellipsize(kept[-1], width, max_width)
    return kept


def ellipsize(line: str, width: Callable[[str], float], max_width: float) -> str:
    """The line shortened until it fits with … after it, at a word end when that keeps half."""
    text = line
    while text:
        candidate = text.rstrip(" ,;:.-–—") + ELLIPSIS
        if width(candidate) <= max_width:
            return candidate
        space = text.rfind(" ")
        text = text[:space] if space > len(text) // 2 else text[:-1]
    return ELLIPSIS


# --- Plans: what goes where ----------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """One line of text, placed by its left end on its baseline."""

    role: str
    """What it shows ("title", "heading", ...): for tests and for reading a plan."""
    text: str
    x: int
    baseline: int
    bold: bool
    size: int
    slot: int


@dataclass(frozen=True)
class Shape:
    kind: Literal["rect", "pill", "star"]
    box: Box
    slot: int


@dataclass(frozen=True)
class Bar:
    """A progress bar: a pill-shaped track, filled from the left over `filled` pixels."""

    box: Box
    filled: int


Element = Text | Shape | Bar


@dataclass(frozen=True)
class CardPlan:
    """Everything a card paints, in order. `base` is the same for every card of a site."""

    base: tuple[Element, ...]
    parts: tuple[Element, ...]
    fonts: tuple[FontFile, FontFile]
    """Regular, then bold."""
    language: str
    outcome_color: str = GOLD

    def texts(self, role: str) -> list[str]:
        """The lines of one role ("title", ...), in order: what a test reads off the plan."""
        return [e.text for e in (*self.base, *self.parts) if isinstance(e, Text) and e.role == role]


class Typesetter:
    """Faces of one card's fonts and language, and lines fitted with them."""

    def __init__(self, fonts: CardFonts, language: str) -> None:
        self.fonts = fonts.current()
        self.language = language

    def face(self, size: int, bold: bool = True) -> Face:
        return face(self.fonts[bold], size, self.language)

    def lines(self, text: str, size: int, max_width: int, max_lines: int,
              bold: bool = True) -> list[str]:
        """text as the font can draw it, fitted into lines (… at the end if cut short)."""
        text_face = self.face(size, bold)
        return fit_lines(drawable(text, text_face.covered), text_face.width, max_width, max_lines)


MARGIN = 80
INNER = WIDTH - 2 * MARGIN
BAND = 12
TITLE_SIZES = ((76, 2), (64, 3), (54, 3))
"""Title sizes, largest first, each with the most lines it may take: the largest that holds it."""
HEADING_SIZE = 34
MIDDLE_TOP, MIDDLE_HEIGHT = 130, 370
"""Where the heading, title and date go: between the header and the progress."""


def plan_card(card: Card, fonts: CardFonts | None = None) -> CardPlan:
    """Where each piece of the card goes. Pure: the same card and fonts give the same plan."""
    typeset = Typesetter(fonts or default_fonts(), card.language)
    if isinstance(card, AttemptCard):
        return _plan_attempt(card, typeset)
    return _plan_site(card, typeset)


def _header(site_title: str, typeset: Typesetter, max_width: int) -> tuple[Element, ...]:
    """Gold band along the top, the star and the site title: shared by a site's cards."""
    elements: list[Element] = [Shape("rect", (0, 0, WIDTH, BAND), S_GOLD),
                               Shape("star", (MARGIN - 2, 50, MARGIN + 42, 94), S_GOLD)]
    title = typeset.lines(site_title, 30, max_width - 56, 1)
    if title:
        elements.append(Text("site_title", title[0], MARGIN + 56, 85, True, 30, S_MUTED))
    return tuple(elements)


LEADING_NUMBER = re.compile(r"(\d(?:[\d.,'\u00a0\u202f]*\d)?)(.*)", re.DOTALL)
"""A count at the start of a sentence, with the group separators locales use (1,000 1.000 1 000)."""


def _progress(progress: int, target: int, progress_text: str, typeset: Typesetter, size: int,
              baseline: int, bar: Box, number_size: int | None = None) -> tuple[Element, ...]:
    """The progress sentence, a star when the goal is reached, and the bar below.

    With number_size, a number that starts the sentence is drawn that large and
    in gold ("27" of "27 of 100 nos"): the sentence stays the caller's, whatever
    the language puts after the number.
    """
    reached = target > 0 and progress >= target
    text_face = typeset.face(size)
    star = round(size * 1.1)
    room = INNER - (star + 16 if reached else 0)
    text = drawable(progress_text, text_face.covered)
    elements: list[Element] = []
    x = MARGIN
    match = LEADING_NUMBER.fullmatch(text) if number_size else None
    if number_size and match:
        number, rest = match.groups()
        # the sentence's own space looks too narrow beside the big number
        number_width = round(typeset.face(number_size).width(number)) + number_size // 16
        if number_width < room // 2:
            elements.append(Text("progress_number", number, x, baseline, True, number_size,
                                 S_GOLD_TEXT))
            x += number_width
            room -= number_width
            text = rest
    lines = fit_lines(text, text_face.width, room, 1) if text.strip() else []
    if lines:
        elements.append(Text("progress", lines[0], x, baseline, True, size, S_INK))
        x += round(text_face.width(lines[0]))
    if reached:
        x += 16 if x > MARGIN else 0
        middle = baseline - round(text_face.cap_height / 2)
        top = middle - star // 2
        elements.append(Shape("star", (x, top, x + star, top + star), S_GOLD))
    elements.append(Bar(bar, filled_width(progress, target, bar[2] - bar[0])))
    return tuple(elements)


def filled_width(progress: int, target: int, width: int) -> int:
    """Pixels of the bar to fill: the share of the target reached, whole past the goal."""
    if target <= 0:
        return width if progress > 0 else 0
    return round(width * min(max(progress, 0), target) / target)


def _plan_attempt(card: AttemptCard, typeset: Typesetter) -> CardPlan:
    parts: list[Element] = []

    # The outcome pill, top right; the site title gets the room left of it.
    label = typeset.lines(card.outcome_label, 28, 300, 1)
    pill_left = WIDTH - MARGIN
    if label:
        pill_left -= round(typeset.face(28).width(label[0])) + 56
        parts.append(Shape("pill", (pill_left, 46, WIDTH - MARGIN, 102), S_OUTCOME))
        parts.append(Text("outcome", label[0], pill_left + 28, 84, True, 28, S_ON_OUTCOME))
    base = _header(card.site_title, typeset, pill_left - MARGIN - 32)

    # Heading, title and date, as one block centred between the header and the progress.
    title_text = drawable(card.title, typeset.face(TITLE_SIZES[0][0]).covered)
    size = TITLE_SIZES[-1][0]
    for size, max_lines in TITLE_SIZES:
        lines, cut_word = break_lines(title_text, typeset.face(size).width, INNER)
        if len(lines) <= max_lines and not cut_word:
            break
    title_face = typeset.face(size)
    title = fit_lines(title_text, title_face.width, INNER, TITLE_SIZES[-1][1])
    # Without a title (the font has none of its letters) the heading takes its place.
    heading_size = HEADING_SIZE if title else TITLE_SIZES[0][0]
    heading = typeset.lines(card.heading, heading_size, INNER, 1)
    date = typeset.lines(card.date_text, 30, INNER, 1, bold=False)

    line_height = round(size * 1.17)
    heading_gap, date_gap = 34, round(size * 0.24) + 30
    pieces: list[tuple[int, int]] = []  # (gap above, cap top to last baseline) of each shown
    if heading:
        pieces.append((0, typeset.face(heading_size).cap_height))
    if title:
        pieces.append((heading_gap, title_face.cap_height + line_height * (len(title) - 1)))
    if date:
        pieces.append((date_gap if title else heading_gap, typeset.face(30, False).cap_height))
    height = sum(gap + piece for gap, piece in pieces) - (pieces[0][0] if pieces else 0)
    y = MIDDLE_TOP + max(0, (MIDDLE_HEIGHT - height) // 2)
    if heading:
        y += typeset.face(heading_size).cap_height
        parts.append(Text("heading", heading[0], MARGIN, y, True, heading_size, S_GOLD_TEXT))
    for i, line in enumerate(title):
        y += ((heading_gap if heading else 0) + title_face.cap_height) if i == 0 else line_height
        parts.append(Text("title", line, MARGIN, y, True, size, S_INK))
    if date:
        gap = date_gap if title else heading_gap if heading else 0
        y += gap + typeset.face(30, False).cap_height
        parts.append(Text("date", date[0], MARGIN, y, False, 30, S_MUTED))

    parts.extend(_progress(card.progress, card.target, card.progress_text, typeset, 30,
                           baseline=536, bar=(MARGIN, 558, WIDTH - MARGIN, 586)))
    return CardPlan(base, tuple(parts), typeset.fonts, card.language, card.outcome_color)


def _plan_site(card: SiteCard, typeset: Typesetter) -> CardPlan:
    parts: list[Element] = [Shape("rect", (0, 0, WIDTH, BAND), S_GOLD),
                            Shape("star", (MARGIN - 4, 78, MARGIN + 86, 168), S_GOLD)]
    y = 78
    title = typeset.lines(card.site_title, 64, INNER - 112, 2)
    for i, line in enumerate(title):
        y += typeset.face(64).cap_height + 12 if i == 0 else 76
        parts.append(Text("site_title", line, MARGIN + 112, y, True, 64, S_INK))
    y = max(y, 168) + 24
    for line in typeset.lines(card.description, 32, INNER, 3 if len(title) < 2 else 2, False):
        y += 44
        parts.append(Text("description", line, MARGIN, y, False, 32, S_MUTED))
    as_of = typeset.lines(card.as_of_text, 26, INNER, 1, bold=False)
    if as_of:
        parts.append(Text("as_of", as_of[0], MARGIN, 590, False, 26, S_MUTED))
    parts.extend(_progress(card.progress, card.target, card.progress_text, typeset, 44,
                           baseline=478, bar=(MARGIN, 506, WIDTH - MARGIN, 540),
                           number_size=120))
    return CardPlan((), tuple(parts), typeset.fonts, card.language)


# --- Painting ------------------------------------------------------------------------------

SUPERSAMPLE = 4


@lru_cache(maxsize=16)
def disc_mask(diameter: int) -> Image.Image:
    """Coverage of a circle, smoothed by drawing it 4× as large and scaling down."""
    big = diameter * SUPERSAMPLE
    image = Image.new("L", (big, big), 0)
    ImageDraw.Draw(image).ellipse((0, 0, big - 1, big - 1), fill=255)
    return image.reduce(SUPERSAMPLE)


@lru_cache(maxsize=16)
def star_mask(size: int) -> Image.Image:
    """Coverage of a five-pointed star, point up, filling a size×size square."""
    big = size * SUPERSAMPLE
    centre_x, centre_y = big / 2, big * 0.53
    radii = (big * 0.5, big * 0.5 * 0.42)  # points, then the corners between them
    points = [(centre_x + radii[i % 2] * math.sin(i * math.pi / 5),
               centre_y - radii[i % 2] * math.cos(i * math.pi / 5)) for i in range(10)]
    image = Image.new("L", (big, big), 0)
    ImageDraw.Draw(image).polygon(points, fill=255)
    return image.reduce(SUPERSAMPLE)


def _cover(canvas: Image.Image, draw: ImageDraw.ImageDraw, box: Box, slot: int,
           mask: Image.Image) -> None:
    """Paint the slot's colour over box with the mask's coverage."""
    first = slot * RAMP
    draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=first)
    canvas.paste(first + RAMP - 1, box, mask)


def _pill(canvas: Image.Image, draw: ImageDraw.ImageDraw, box: Box, slot: int,
          right_end_slot: int | None = None) -> None:
    """A rectangle with round ends; the right end may sit on another colour (the bar's track)."""
    left, top, right, bottom = box
    height = bottom - top
    radius = height // 2
    disc = disc_mask(height)
    _cover(canvas, draw, (left, top, left + radius, bottom), slot,
           disc.crop((0, 0, radius, height)))
    _cover(canvas, draw, (right - radius, top, right, bottom),
           slot if right_end_slot is None else right_end_slot,
           disc.crop((height - radius, 0, height, height)))
    if right - radius > left + radius:
        draw.rectangle((left + radius, top, right - radius - 1, bottom - 1),
                       fill=slot * RAMP + RAMP - 1)


def _bar(canvas: Image.Image, draw: ImageDraw.ImageDraw, bar: Bar) -> None:
    left, top, right, bottom = bar.box
    height = bottom - top
    if bar.filled >= right - left:
        _pill(canvas, draw, bar.box, S_FILL)
        return
    _pill(canvas, draw, bar.box, S_TRACK)
    if bar.filled > 0:
        # The fill's round end stays on the track's straight part, where the colour
        # underneath is the track's: at least a dot, at most where the track rounds off.
        filled = min(max(bar.filled, height), right - left - height // 2)
        _pill(canvas, draw, (left, top, left + filled, bottom), S_FILL, S_FILL_ON_TRACK)


def _paint(canvas: Image.Image, elements: tuple[Element, ...], fonts: tuple[FontFile, FontFile],
           language: str) -> None:
    draw = ImageDraw.Draw(canvas)
    for element in elements:
        if isinstance(element, Text):
            text_face = face(fonts[element.bold], element.size, language)
            first = element.slot * RAMP
            right = element.x + round(text_face.width(element.text)) + element.size // 4
            draw.rectangle((element.x - element.size // 4, element.baseline - text_face.ascent,
                            right, element.baseline + text_face.descent), fill=first)
            text_face.draw(draw, element.x, element.baseline, element.text, first + RAMP - 1)
        elif isinstance(element, Bar):
            _bar(canvas, draw, element)
        elif element.kind == "rect":
            left, top, right, bottom = element.box
            draw.rectangle((left, top, right - 1, bottom - 1), fill=element.slot * RAMP + RAMP - 1)
        elif element.kind == "pill":
            _pill(canvas, draw, element.box, element.slot)
        else:
            _cover(canvas, draw, element.box, element.slot,
                   star_mask(element.box[2] - element.box[0]))


@lru_cache(maxsize=8)
def _base_image(base: tuple[Element, ...], fonts: tuple[FontFile, FontFile], language: str
                ) -> Image.Image:
    """The part every card of a site shares, painted once per process."""
    canvas = Image.new("L", (WIDTH, HEIGHT), 0)
    _paint(canvas, base, fonts, language)
    return canvas


def draw_card(card: Card, fonts: CardFonts | None = None) -> bytes:
    """The card as PNG bytes: 1200×630, palette colours, the same bytes for the same card."""
    return paint_plan(plan_card(card, fonts))


def paint_plan(plan: CardPlan) -> bytes:
    canvas = _base_image(plan.base, plan.fonts, plan.language).copy()
    _paint(canvas, plan.parts, plan.fonts, plan.language)
    canvas.putpalette(palette(plan.outcome_color))
    out = io.BytesIO()
    # A card is mostly runs of one colour: zlib's run-length strategy finds them
    # as well as its full search at level 1 (the same size) and is faster still.
    # No text chunks, no time: the bytes depend on the pixels only.
    canvas.save(out, "PNG", compress_level=1, compress_type=zlib.Z_RLE)
    return out.getvalue()


# --- Cache key -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def renderer() -> str:
    """Versions of what turns a plan into bytes: a new FreeType may move a pixel."""
    return json.dumps({"pillow": PIL.__version__, "freetype": features.version("freetype2"),
                       "raqm": features.version("raqm") if RAQM else None,
                       "zlib": zlib.ZLIB_RUNTIME_VERSION}, sort_keys=True)


def card_key(card: Card, fonts: CardFonts | None = None) -> str:
    """A digest of everything that decides the card's bytes, for the build's artifact cache.

    The card's fields (in their declared order, under the card's kind), the
    drawing code's version, the font files' digests and the renderer's versions.
    """
    return card_keys(fonts)(card)


def card_keys(fonts: CardFonts | None = None) -> Callable[[Card], str]:
    """card_key for the many cards of one build: the font files are looked at once.

    Looking at them (a stat each) costs more than hashing a card, so a build
    calls this once and the returned function for each card (about 5 µs).
    """
    fonts = fonts or default_fonts()
    common = hashlib.sha256()
    for part in (DRAWING_VERSION, renderer(), *(font_file(font)[0] for font in fonts.current())):
        common.update(part.encode() + b"\0")

    def key(card: Card) -> str:
        digest = common.copy()
        digest.update(type(card).__name__.encode() + b"\0")
        digest.update(json.dumps(vars(card), ensure_ascii=False).encode())
        return digest.hexdigest()

    return key
