"""Made-up entries and configs for unit tests: no files, sensible defaults.

    make_entry(date=date(2026, 3, 1), outcome="yes", private=True)
    make_config(goal=10, counts=("no",), start=date(2026, 1, 1), timezone="UTC")
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import fields
from typing import Any

from generator.config import Challenge, Outcome, SiteConfig
from generator.entries import Entry

DEFAULT_DATE = dt.date(2026, 3, 14)
_digests = itertools.count(1)

CHALLENGE_FIELDS = frozenset(f.name for f in fields(Challenge))
SITE_FIELDS = frozenset(f.name for f in fields(SiteConfig))


def make_entry(**overrides: Any) -> Entry:
    """An attempt as `entries.parse_attempt` would return it; any field can be overridden.

    rel_path follows the slug (`x.md`) and path follows rel_path
    (`content/attempts/x.md`); published is midnight UTC of the date. Each call
    gets its own digest unless one is given.
    """
    unknown = set(overrides) - {f.name for f in fields(Entry)}
    if unknown:
        raise TypeError(f"Entry has no field(s): {', '.join(sorted(unknown))}")
    slug = overrides.pop("slug", "x")
    rel_path = overrides.pop("rel_path", f"{slug}.md")
    date = overrides.pop("date", DEFAULT_DATE)
    values: dict[str, Any] = {
        "path": f"content/attempts/{rel_path}",
        "rel_path": rel_path,
        "slug": slug,
        "title": "Asked for a discount",
        "date": date,
        "published": dt.datetime.combine(date, dt.time(), dt.UTC),
        "outcome": "no",
        "category": None,
        "tags": (),
        "ask": None,
        "feedback": None,
        "lesson": None,
        "decided": None,
        "draft": False,
        "private": False,
        "body_line": 6,
        "digest": f"digest-{next(_digests):06d}",
        "meta_digest": f"meta-{next(_digests):06d}",
    }
    values.update(overrides)
    return Entry(**values)


def make_config(**overrides: Any) -> SiteConfig:
    """A site config for tests.

    Challenge fields (goal, counts, start, end, ghost_after_days) may be given
    directly, or a whole `challenge=Challenge(...)`; `outcomes=` may be a tuple
    of plain keys. Defaults: goal 10 counting "no", start 2026-01-01, no end,
    no ghosting, timezone UTC.
    """
    challenge_values: dict[str, Any] = {
        "goal": 10,
        "counts": ("no",),
        "start": dt.date(2026, 1, 1),
        "end": None,
        "ghost_after_days": None,
    }
    for name in CHALLENGE_FIELDS & set(overrides):
        challenge_values[name] = overrides.pop(name)
    challenge_values["counts"] = tuple(challenge_values["counts"])
    challenge = overrides.pop("challenge", None) or Challenge(**challenge_values)

    outcomes = overrides.pop("outcomes", None)
    if outcomes is not None:
        overrides["outcomes"] = tuple(
            o if isinstance(o, Outcome) else Outcome(str(o)) for o in outcomes)
    unknown = set(overrides) - SITE_FIELDS
    if unknown:
        raise TypeError(f"SiteConfig has no field(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {"timezone": "UTC", "challenge": challenge}
    values.update(overrides)
    return SiteConfig(**values)
