"""Derive, for social cards: the 1200×630 PNG that a link to a page unfurls into.

One card per published attempt (its number, title, date, outcome and its own
place in the challenge, so a new attempt changes no other card) and one for
the site (where it stands today), drawn by cards.py with Pillow. The planner
describes each card as a CardSpec of plain values; its key is the digest of
them, and the artifact store keeps the PNG by that key (the shelf's namespace
holds the drawing code's version, the fonts and Pillow's versions), so a card
is drawn once and never again while it stays the same. Texts are put into
words (Babel: dates, plural forms) only when a card is drawn, so a build that
draws none never imports Babel or Pillow.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.cache import ArtifactStore, Shelf
from generator.hashing import digest, key_digest

if TYPE_CHECKING:  # Pillow is imported only to draw
    from generator.cards import Card

CARDS = "cards"
CARD_INDEX = "card_index"
WIDTH, HEIGHT = 1200, 630


class CardSpec(NamedTuple):
    """What one card shows, as plain values (texts are made when it is drawn).
    A named tuple: a build makes one per published attempt, each time."""

    kind: str
    """"attempt" or "site"."""
    language: str
    site_title: str
    target: int
    progress: int
    """The count at this attempt (attempt cards) or today (the site's card)."""
    counted_label: str
    """The counted outcome's label when only one counts ("No"), else empty."""
    only_nos: bool
    title: str = ""
    number: int = 0
    date: str = ""
    """ISO date: the attempt's, or the as-of day on the site's card."""
    outcome_label: str = ""
    outcome_color: str = ""
    counts: bool = False
    """Whether the attempt's own outcome counts toward the goal."""
    description: str = ""

    @property
    def key(self) -> str:
        """Everything the card's pixels depend on, fonts included: the key it is
        kept under in the store, and the digest of its file in the output
        (computed on each use: take it once)."""
        return key_digest(("card", card_settings(), tuple(self)))


@functools.cache
def card_settings() -> tuple[str, ...]:
    """What the pixels of every card depend on besides its spec and goldstar's
    code (whose digest, with Pillow's version, names every namespace of the
    store): the font files. Read without importing Pillow: a build that draws
    no card never does."""
    found = []
    for folder in _font_dirs():
        for name in FONT_FILES:
            path = folder / name
            if path.is_file():
                found.append(digest(path.read_bytes()))
        if found:
            break
    return tuple(found)


FONT_FILES = ("Inter-Regular.otf", "Inter-Bold.otf")


def _font_dirs() -> list[Path]:
    from generator.themes import BUILTIN_DIRS

    return [folder / "default" / "fonts" for folder in BUILTIN_DIRS]


@dataclass
class CardWork:
    """The derive stage's work for cards: what is wanted, what the store lacks."""

    store: ArtifactStore
    shelf: Shelf
    index: dict[str, Any]
    """Keys of the cards the store holds: read on every build, without the PNGs."""
    wanted: dict[str, CardSpec]
    strings: Mapping[str, Any]
    missing: list[str] = field(default_factory=list)
    lazy: bool = False
    """Serve draws a card only when a browser asks for it."""

    @property
    def to_disk(self) -> bool:
        return self.shelf.folder is not None

    def todo(self) -> list[str]:
        return [] if self.lazy else list(self.missing)

    def want(self, wanted: Mapping[str, CardSpec]) -> None:
        """The cards the plan has, by key; the store forgets the others."""
        self.wanted = dict(wanted)
        for gone in [k for k in self.index if k not in self.wanted]:
            del self.index[gone]
            self.shelf.forget(gone)
            self.store.table_changed(CARD_INDEX)
        self.missing = [k for k in self.wanted if k not in self.index]

    def png(self, key: str) -> bytes:
        """A card's PNG: from the store, or drawn now (serve, or a lost shard)."""
        data = self.shelf.get(key)
        if data is None:
            data = draw(self.wanted[key], self.strings)
            self.put(key, data)
        return data

    def put(self, key: str, data: bytes) -> None:
        self.shelf.put(key, data)
        self.index[key] = 1
        self.store.table_changed(CARD_INDEX)

    # The derive stage (render.py runs these, in a pool or here).
    def prepare_pool(self) -> None:
        if self.to_disk and self.todo():
            self.shelf.prepare()
        if self.todo():
            prepare_drawing()

    def derive_all(self) -> None:
        for key in self.todo():
            self.put(key, draw(self.wanted[key], self.strings))
        self.missing = []

    def derive_group(self, keys: Sequence[str], shards: Iterable[str],
                     send: bool) -> list[tuple[str, bytes | None]]:
        """In a worker: draw a group of cards and write their shards."""
        done = []
        for key in keys:
            data = draw(self.wanted[key], self.strings)
            self.shelf.put(key, data)
            done.append((key, data if send else None))
        self.shelf.settle(shards)
        return done

    def adopt(self, results: Iterable[list[tuple[str, bytes | None]]], written: set[str]) -> None:
        for done in results:
            for key, data in done:
                self.index[key] = 1
                if data is not None:
                    self.shelf.put(key, data)
        self.store.table_changed(CARD_INDEX)
        if self.to_disk:
            self.shelf.drop(written)
        self.missing = []  # drawn: nothing is left to do


def card_work(store: ArtifactStore, strings: Mapping[str, Any], lazy: bool = False) -> CardWork:
    """The cards' part of the store, before the plan says which cards it wants."""
    settings = card_settings()
    return CardWork(store, store.shelf(CARDS, settings), store.table(CARD_INDEX, settings), {},
                    strings, [], lazy)


def prepare_drawing() -> None:
    """Import Pillow and load the fonts once, before workers are forked."""
    from generator import cards

    cards.plan_card(cards.SiteCard("", 0, 1, ""))


def draw(spec: CardSpec, strings: Mapping[str, Any]) -> bytes:
    """The PNG of a card, its texts in the site's language."""
    from generator import cards

    return cards.draw_card(card_of(spec, strings))


def card_of(spec: CardSpec, strings: Mapping[str, Any]) -> Card:
    """What a card says, its words made in the site's language."""
    from generator import cards

    words = _language(spec.language, strings)
    goal = words.format_integer(spec.target)
    progress_key = "progress_nos" if spec.only_nos else "progress_counted"
    progress_text = words.t(progress_key, progress=words.format_integer(spec.progress),
                            count=spec.target, goal=goal)
    if spec.kind == "site":
        as_of = words.t("as_of", date=words.format_date(dt.date.fromisoformat(spec.date))) \
            if spec.date else ""
        return cards.SiteCard(spec.site_title, spec.progress, spec.target, progress_text,
                              spec.description, as_of[:1].upper() + as_of[1:], spec.language)
    if spec.counts and spec.counted_label:
        heading = words.t("card_heading", label=spec.counted_label, number=spec.progress)
    else:
        heading = words.t("attempt_number", number=spec.number)
    date_text = words.format_date(dt.date.fromisoformat(spec.date)) if spec.date else ""
    return cards.AttemptCard(
        spec.site_title, heading, spec.title, date_text, spec.outcome_label,
        spec.outcome_color, spec.progress, spec.target, progress_text, spec.language)


_LANGUAGES: dict[tuple[str, int], Any] = {}


def _language(code: str, strings: Mapping[str, Any]) -> Any:
    """One Language per language and strings, for every card a process draws
    (its memoised dates and plural forms)."""
    from generator.i18n import Language

    found = _LANGUAGES.get((code, id(strings)))
    if found is None:
        found = _LANGUAGES[(code, id(strings))] = Language(code, strings)
    return found
