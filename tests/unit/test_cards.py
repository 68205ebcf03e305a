"""Unit tests of generator.cards: the social cards' layout, pixels, bytes and cache key.

Each test draws a few cards at most (about 2 ms each once the fonts are loaded).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw

from generator import cards
from generator.cards import (
    ELLIPSIS,
    AttemptCard,
    CardFonts,
    SiteCard,
    break_lines,
    card_key,
    default_fonts,
    draw_card,
    drawable,
    filled_width,
    fit_lines,
    plan_card,
)

REPO = Path(__file__).resolve().parents[2]
NO_RED = "#b42318"


def attempt(**overrides: Any) -> AttemptCard:
    values: dict[str, Any] = {
        "site_title": "100 Nos in 2026", "heading": "No #412", "title": "Asked for a raise",
        "date_text": "14 March 2026", "outcome_label": "No", "outcome_color": NO_RED,
        "progress": 412, "target": 1000, "progress_text": "412 of 1000 nos", "language": "en",
    }
    values.update(overrides)
    return AttemptCard(**values)


def site(**overrides: Any) -> SiteCard:
    values: dict[str, Any] = {
        "site_title": "100 Nos in 2026", "progress": 27, "target": 100,
        "progress_text": "27 of 100 nos", "description": "One hundred rejections this year.",
        "as_of_text": "As of 14 March 2026", "language": "en",
    }
    values.update(overrides)
    return SiteCard(**values)


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


LONG_TITLE = ("Asked the bus driver whether he would take a small detour through the old town "
              "so I could see the cathedral lit up at night, and then asked every passenger to "
              "vote on it while we waited at the red light")


# --- The PNG -------------------------------------------------------------------------------

@pytest.mark.parametrize("card", [
    attempt(),
    attempt(title=LONG_TITLE, site_title="A site title far too long to fit beside the pill " * 3),
    attempt(progress=0, outcome_label="Pending", outcome_color="#b54708"),
    site(),
    site(progress=120, description=""),
], ids=["attempt", "long", "zero", "site", "site-reached"])
def test_every_card_decodes_as_a_1200_by_630_palette_png(card: cards.Card) -> None:
    image = decode(draw_card(card))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert image.mode == "P"


def test_a_card_carries_no_metadata_that_could_change_between_runs() -> None:
    image = decode(draw_card(attempt()))
    assert not image.info.keys() - {"dpi", "transparency"}
    assert b"tIME" not in draw_card(attempt())


def test_the_outcome_badge_is_drawn_in_the_callers_colour() -> None:
    image = decode(draw_card(attempt(outcome_color="#067647"))).convert("RGB")
    plan = plan_card(attempt(outcome_color="#067647"))
    pill = next(e for e in plan.parts if isinstance(e, cards.Shape) and e.kind == "pill")
    left, top, _, bottom = pill.box
    assert image.getpixel((left + 12, (top + bottom) // 2)) == (0x06, 0x76, 0x47)


def test_the_bar_is_filled_up_to_the_attempts_own_progress() -> None:
    image = decode(draw_card(attempt(progress=250, target=1000))).convert("RGB")
    bar = next(e for e in plan_card(attempt()).parts if isinstance(e, cards.Bar))
    left, top, right, bottom = bar.box
    middle = (top + bottom) // 2
    quarter = left + (right - left) // 4
    assert image.getpixel((quarter - 20, middle)) == cards.parse_color(cards.FILL)
    assert image.getpixel((quarter + 20, middle)) == cards.parse_color(cards.TRACK)


def test_an_invalid_outcome_colour_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match='"reddish" is not a colour'):
        draw_card(attempt(outcome_color="reddish"))


# --- Same card, same bytes -----------------------------------------------------------------

DRAW_IN_CHILD = """
import hashlib, sys
from generator.cards import AttemptCard, draw_card
card = AttemptCard("Honderd keer nee", "Nee #7", "Gevraagd of ik één dag thuis mag werken",
                   "3 januari 2026", "Nee", "#b42318", 7, 100, "7 van de 100 keer nee", "nl")
sys.stdout.write(hashlib.sha256(draw_card(card)).hexdigest())
"""


def test_the_same_card_gives_the_same_bytes_in_another_process() -> None:
    card = attempt(site_title="Honderd keer nee", heading="Nee #7",
                   title="Gevraagd of ik één dag thuis mag werken", date_text="3 januari 2026",
                   outcome_label="Nee", progress=7, target=100,
                   progress_text="7 van de 100 keer nee", language="nl")
    here = hashlib.sha256(draw_card(card)).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run([sys.executable, "-c", DRAW_IN_CHILD], cwd=REPO, env=env,
                           capture_output=True, text=True, check=True, timeout=60)
    assert child.stdout == here


def test_drawing_a_card_twice_gives_the_same_bytes_whatever_was_drawn_between() -> None:
    first = draw_card(attempt())
    draw_card(attempt(title=LONG_TITLE, outcome_color="#067647"))
    draw_card(site())
    assert draw_card(attempt()) == first


# --- The cache key -------------------------------------------------------------------------

def changed(value: Any) -> Any:
    return value + 1 if isinstance(value, int) else value + "x"


@pytest.mark.parametrize("card", [attempt(), site()], ids=["attempt", "site"])
def test_the_key_changes_when_any_field_changes(card: cards.Card) -> None:
    key = card_key(card)
    for field in dataclasses.fields(card):
        other = dataclasses.replace(card, **{field.name: changed(getattr(card, field.name))})
        assert card_key(other) != key, field.name


def test_the_key_stays_the_same_for_an_equal_card() -> None:
    assert card_key(attempt()) == card_key(attempt())
    assert card_key(site()) == card_key(site())


def test_the_keys_of_a_build_are_the_keys_of_single_cards() -> None:
    key = cards.card_keys()
    assert [key(attempt()), key(site())] == [card_key(attempt()), card_key(site())]


def test_the_key_changes_with_the_drawing_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    key = card_key(attempt())
    monkeypatch.setattr(cards, "DRAWING_VERSION", cards.DRAWING_VERSION + "-next")
    assert card_key(attempt()) != key


def test_the_key_changes_with_the_font_files(tmp_path: Path) -> None:
    fonts = default_fonts()
    key = card_key(attempt(), fonts)
    regular = tmp_path / "Other.otf"
    shutil.copyfile(fonts.bold, regular)  # another file's bytes under the regular name
    assert card_key(attempt(), CardFonts(regular, fonts.bold)) != key
    copy = tmp_path / "Same.otf"
    shutil.copyfile(fonts.regular, copy)
    assert card_key(attempt(), CardFonts(copy, fonts.bold)) == key


# --- Layout --------------------------------------------------------------------------------

def test_a_short_title_is_drawn_whole_on_one_line() -> None:
    assert plan_card(attempt()).texts("title") == ["Asked for a raise"]


def test_a_very_long_title_is_cut_short_with_an_ellipsis() -> None:
    lines = plan_card(attempt(title=LONG_TITLE)).texts("title")
    drawn = " ".join(lines)
    assert 2 <= len(lines) <= 3
    assert lines[-1].endswith(ELLIPSIS)
    assert len(drawn) < len(LONG_TITLE)
    assert LONG_TITLE.startswith(drawn.removesuffix(ELLIPSIS).rstrip(" ,"))


def test_a_long_site_title_and_description_are_cut_short_on_the_site_card() -> None:
    plan = plan_card(site(site_title="Rejection Therapy: One Hundred Nos " * 4,
                          description=LONG_TITLE * 2))
    assert len(plan.texts("site_title")) == 2
    assert plan.texts("site_title")[-1].endswith(ELLIPSIS)
    assert plan.texts("description")[-1].endswith(ELLIPSIS)


@pytest.mark.parametrize("card", [
    attempt(title=LONG_TITLE, site_title="Site " * 40, outcome_label="Ghosted for ever " * 5,
            heading="Attempt number " * 10, date_text="Tuesday " * 20,
            progress_text="412 of 1000 " * 20),
    attempt(title="Arbeidsongeschiktheidsverzekeringsmaatschappijmedewerkersvergadering"),
    attempt(progress=1000, target=1000, progress_text="1000 of 1000 nos, and then some " * 4),
    site(site_title="Site " * 40, description=LONG_TITLE * 3, progress_text="27 " * 60,
         as_of_text="As of " * 40),
    site(progress=100, target=100, progress_text="1.000.000 van 1.000.000 " * 5),
], ids=["attempt", "long-word", "reached", "site", "site-number"])
def test_no_text_runs_past_the_margins(card: cards.Card) -> None:
    plan = plan_card(card)
    regular, bold = plan.fonts
    for element in (*plan.base, *plan.parts):
        if isinstance(element, cards.Text):
            face = cards.face(bold if element.bold else regular, element.size, plan.language)
            right = element.x + face.width(element.text)
            assert element.x >= cards.MARGIN
            assert right <= cards.WIDTH - cards.MARGIN, (element.role, element.text)
        elif isinstance(element, cards.Bar) or element.kind != "rect":  # the band spans all
            assert element.box[0] >= cards.MARGIN - 4
            assert element.box[2] <= cards.WIDTH - cards.MARGIN, element


def test_a_long_word_is_set_smaller_rather_than_cut() -> None:
    title = "Arbeidsongeschiktheidsverzekering aangevraagd"
    plan = plan_card(attempt(title=title))
    lines = [e for e in plan.parts if isinstance(e, cards.Text) and e.role == "title"]
    assert [e.text for e in lines] == ["Arbeidsongeschiktheidsverzekering", "aangevraagd"]
    assert lines[0].size == cards.TITLE_SIZES[-1][0]


def test_a_word_longer_than_a_line_at_the_smallest_size_is_cut_between_letters() -> None:
    title = "Arbeidsongeschiktheidsverzekeringsmaatschappij aangevraagd"
    lines = plan_card(attempt(title=title)).texts("title")
    assert lines[0] == "Arbeidsongeschiktheidsverzekerings"
    assert " ".join(lines).replace(" ", "") == title.replace(" ", "")


def test_dutch_and_cyrillic_titles_are_drawn_in_full() -> None:
    dutch = "Gevraagd of ik één dag thuis mag werken – „natuurlijk niet”, zei hij; ’s avonds"
    cyrillic = "Попросил скидку в кафе в Москве"
    assert " ".join(plan_card(attempt(title=dutch, language="nl")).texts("title")) == dutch
    assert " ".join(plan_card(attempt(title=cyrillic, language="ru")).texts("title")) == cyrillic


@pytest.mark.parametrize("title", ["東京で値引きを頼んだ", "طلبت خصما", "בקשתי הנחה", "🎉🎉🎉",
                                   "日本語 and a bit of English", "\u200b\u0301\ufe0f"])
def test_titles_in_scripts_the_font_lacks_are_drawn_without_crashing(title: str) -> None:
    image = decode(draw_card(attempt(title=title, site_title=title, outcome_label=title)))
    assert image.size == (1200, 630)


@pytest.mark.parametrize("language", ["", "zz", "en-GB", "x" * 60, "ü"])
def test_an_empty_or_unknown_language_tag_draws_all_the_same(language: str) -> None:
    assert draw_card(attempt(language=language)) == draw_card(attempt())


def test_a_title_the_font_cannot_draw_is_left_off_and_the_heading_takes_its_place() -> None:
    plan = plan_card(attempt(title="東京で値引きを頼んだ"))
    heading = next(e for e in plan.parts if isinstance(e, cards.Text) and e.role == "heading")
    assert plan.texts("title") == []
    assert heading.size == cards.TITLE_SIZES[0][0]
    assert plan.texts("date") == ["14 March 2026"]


def test_emoji_are_left_out_of_a_title() -> None:
    assert plan_card(attempt(title="Got the job 🎉 at last")).texts("title") == [
        "Got the job at last"]


def test_the_site_card_draws_a_leading_count_large_and_the_rest_of_the_sentence_beside_it() -> None:
    plan = plan_card(site(progress_text="1.234 van 2.000 keer nee"))
    assert plan.texts("progress_number") == ["1.234"]
    assert plan.texts("progress") == ["van 2.000 keer nee"]
    other = plan_card(site(progress_text="Nos so far: 27 of 100"))
    assert other.texts("progress_number") == []
    assert other.texts("progress") == ["Nos so far: 27 of 100"]


def test_a_reached_goal_adds_a_star_after_the_progress() -> None:
    def stars(card: cards.Card) -> int:
        return sum(isinstance(e, cards.Shape) and e.kind == "star" for e in plan_card(card).parts)

    assert stars(attempt(progress=100, target=100)) == stars(attempt(progress=99, target=100)) + 1


@pytest.mark.parametrize(("progress", "target", "filled"), [
    (0, 100, 0), (27, 100, 270), (100, 100, 1000), (150, 100, 1000), (-3, 100, 0),
    (0, 0, 0), (5, 0, 1000),
])
def test_the_bar_fills_the_share_of_the_target_and_never_more(
        progress: int, target: int, filled: int) -> None:
    assert filled_width(progress, target, 1000) == filled


# --- Fitting lines (with one unit of width per character) ----------------------------------

def test_lines_break_at_spaces_and_a_too_long_word_is_cut() -> None:
    assert break_lines("aa bb cc", len, 5) == (["aa bb", "cc"], False)
    assert break_lines("abcdefgh ij", len, 3) == (["abc", "def", "gh", "ij"], True)
    assert break_lines("", len, 3) == ([], False)


def test_text_left_over_ends_the_last_line_with_an_ellipsis() -> None:
    assert fit_lines("one two three four five", len, 9, 2) == ["one two", "three…"]
    assert fit_lines("one two", len, 9, 2) == ["one two"]
    assert fit_lines("one, two three", len, 5, 1) == ["one…"]


def test_drawable_text_drops_what_the_font_lacks_unless_that_is_most_of_it() -> None:
    covered = {ord(c) for c in "abc 12"}
    assert drawable("a  b\tc", covered) == "a b c"
    assert drawable("abc x", covered) == "abc"
    assert drawable("xyz a", covered) == ""
    assert drawable("e\u0301", {0xE9}) == "\u00e9"  # composed first, then looked up


# --- Fonts ---------------------------------------------------------------------------------

def test_the_cmap_reader_finds_every_character_of_inter() -> None:
    """2505 is the count fontTools gives for these files (getBestCmap, without .notdef)."""
    fonts = default_fonts()
    for path in (fonts.regular, fonts.bold):
        covered = cards.cmap_coverage(path.read_bytes())
        assert len(covered) == 2505
        assert {ord(c) for c in "éëĳ’“”–…Мα€"} <= covered
        assert ord("日") not in covered


@pytest.mark.parametrize(("size", "bold", "text"), [
    (76, True, "AVATAR Yo To “quoted” ’s"),
    (54, True, "Asked the bus driver for a detour"),
    (30, False, "14 March, in Tōkyō – café, Москва"),
    (28, True, "Ghosted"),
])
def test_lines_drawn_from_cached_glyphs_match_pillows_own_text_drawing(
        size: int, bold: bool, text: str) -> None:
    """The speed trick in Face.draw against ImageDraw.text. Contextual forms are not
    kept (Inter raises a dash between digits), so texts here give them no context."""
    regular, strong = default_fonts().current()
    face = cards.face(strong if bold else regular, size, "en")
    theirs = Image.new("L", (1200, 160), 0)
    ours = theirs.copy()
    ImageDraw.Draw(theirs).text((10, 120), text, font=face.font, fill=255, anchor="ls",
                                language=face.language)
    face.draw(ImageDraw.Draw(ours), 10, 120, text, 255)
    assert ImageChops.difference(theirs, ours).getbbox() is None
    assert face.width(text) == face.font.getlength(text, language=face.language)
