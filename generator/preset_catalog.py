"""The presets `goldstar init` offers: their names, goals and lengths.

Kept apart from scaffold.py, with nothing but a plain class, so that
registering the commands (`goldstar --help`) does not import YAML and the
rest: the files of each preset live in generator/presets/. (A NamedTuple or
a dataclass would cost `--help` a millisecond to make the class.)
"""

from __future__ import annotations

from collections.abc import Mapping


class Preset:
    """A kind of challenge that `init` can start."""

    __slots__ = ("name", "summary", "goal", "months", "counts", "outcomes", "titles")

    def __init__(self, name: str, summary: str, goal: int, months: int,
                 counts: tuple[str, ...], outcomes: tuple[str, ...],
                 titles: Mapping[str, str]) -> None:
        self.name = name
        self.summary = summary
        self.goal = goal
        self.months = months
        """Length of the challenge: end = start + this many months, less a day."""
        self.counts = counts
        self.outcomes = outcomes
        """The outcome names its site.yml defines (what --counts may name)."""
        self.titles = titles
        """Default site title by language."""


STANDARD_OUTCOMES = ("no", "yes", "ghosted", "pending")
PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("rejections", "collect 1000 nos in a year", 1000, 12, ("no",), STANDARD_OUTCOMES,
           {"en": "1000 Nos in a Year", "nl": "1000 keer nee in een jaar"}),
    Preset("job-search", "100 job applications in six months; every answer counts", 100, 6,
           STANDARD_OUTCOMES, STANDARD_OUTCOMES,
           {"en": "100 Applications", "nl": "100 sollicitaties"}),
    Preset("starter", "a gentle start: 10 nos in a month", 10, 1, ("no",), STANDARD_OUTCOMES,
           {"en": "My First 10 Nos", "nl": "Mijn eerste 10 keer nee"}),
)}
DEFAULT_PRESET = "rejections"

__all__ = ["DEFAULT_PRESET", "PRESETS", "STANDARD_OUTCOMES", "Preset"]

PRESET_LANGUAGES = ("en", "nl")
"""The languages the presets' texts are written in."""
