"""Which attempts count as of a date, and everything the dashboard adds up.

Pure functions: no files, no clock, no templates. The as-of date is passed in,
so every rule here is unit-tested with made-up entries.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from generator.config import Challenge, SiteConfig
from generator.entries import Entry

PENDING, GHOSTED = "pending", "ghosted"


@dataclass(frozen=True, slots=True)
class Attempt:
    """A counted attempt: an entry with its number and its outcome as of the build."""

    entry: Entry
    number: int
    outcome: str
    """The outcome as of the build: a pending attempt past ghost_after_days is ghosted."""

    @property
    def ghosted_automatically(self) -> bool:
        return self.outcome != self.entry.outcome


def select(entries: Iterable[Entry], config: SiteConfig, as_of: dt.date,
           include_drafts: bool = False) -> list[Attempt]:
    """The counted attempts in order, numbered from 1.

    Counted = not a draft (unless drafts are shown) and dated on or before the
    as-of date; private ones included. Order = date, then path in content/attempts.
    """
    chosen = [e for e in entries
              if e.date <= as_of and (include_drafts or not e.draft)]
    chosen.sort(key=attrgetter("date", "rel_path"))
    ghost_after = config.challenge.ghost_after_days
    # An as-of date fewer than ghost_after days after 1 January of year 1 leaves
    # nothing old enough to be ghosted (and the subtraction would overflow).
    if (ghost_after is None or GHOSTED not in config.outcome_keys
            or as_of.toordinal() - ghost_after < 1):
        return [Attempt(entry, number, entry.outcome)
                for number, entry in enumerate(chosen, start=1)]
    ghost_before = as_of - dt.timedelta(days=ghost_after)  # dated before it: ghosted
    return [Attempt(entry, number, GHOSTED if entry.outcome == PENDING
                    and entry.date < ghost_before else entry.outcome)
            for number, entry in enumerate(chosen, start=1)]


def milestone_targets(goal: int) -> list[int]:
    """1, 10, 25, 50, 100, 250, 500, 750, 1000, 2500, ... up to the goal, plus the goal."""
    targets = [1, 10, 25, 50]
    power = 100
    while power <= goal:
        targets += [power, power * 5 // 2, power * 5, power * 15 // 2]
        power *= 10
    result = sorted({t for t in targets if t <= goal} | {goal})
    return result


def days_in_a_row(days: set[dt.date]) -> tuple[int, dict[dt.date, int]]:
    """The longest run of consecutive days, and the run length ending on each day."""
    run_ending: dict[dt.date, int] = {}
    longest = 0
    one = dt.timedelta(days=1)
    for day in sorted(days):
        run = (run_ending.get(day - one, 0) if day != dt.date.min else 0) + 1
        run_ending[day] = run
        longest = max(longest, run)
    return longest, run_ending


def current_streak(run_ending: dict[dt.date, int], as_of: dt.date) -> int:
    """Days in a row with an attempt, ending on as_of or the day before.

    The day before still counts so a streak does not drop to zero at midnight,
    before the day's attempt had a chance to happen.
    """
    if as_of == dt.date.min:  # no day before it to look at
        return run_ending.get(as_of, 0)
    return run_ending.get(as_of) or run_ending.get(as_of - dt.timedelta(days=1), 0)


def months_between(first: dt.date, last: dt.date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class Stats:
    """Everything stats.json holds; the dashboard shows the same numbers."""

    as_of: dt.date
    total: int
    outcomes: dict[str, int]
    goal: dict[str, Any]
    progress: int
    remaining: int
    percent: float
    streak: dict[str, int]
    by_month: dict[str, dict[str, Any]]
    by_category: dict[str, dict[str, Any]]
    milestones: list[dict[str, Any]]
    pace: dict[str, Any]
    answer_days: float | None
    pending: dict[str, Any] = field(default_factory=lambda: {"count": 0, "next_ghosted_on": None})
    """Attempts still waiting for an answer, and the day the oldest of them
    counts as ghosted (None without ghost_after_days)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "total": self.total,
            "outcomes": self.outcomes,
            "goal": self.goal,
            "progress": self.progress,
            "remaining": self.remaining,
            "percent": self.percent,
            "streak": self.streak,
            "by_month": self.by_month,
            "by_category": self.by_category,
            "milestones": self.milestones,
            "pace": self.pace,
            "answer_days": self.answer_days,
            "pending": self.pending,
        }


def compute_stats(attempts: Sequence[Attempt], config: SiteConfig, as_of: dt.date,
                  url_of: Any = None) -> Stats:
    """Aggregate the counted attempts (from `select`) as of a date.

    `url_of(attempt)` gives the page URL of a published attempt (None for a
    private one); milestones link to it.
    """
    keys = config.outcome_keys
    challenge: Challenge = config.challenge
    counts_toward = set(challenge.counts)

    def empty() -> dict[str, Any]:
        return {"total": 0, "outcomes": dict.fromkeys(keys, 0)}

    # Count each (outcome, month, category) once, then add the groups up: a few
    # hundred groups instead of a dictionary walk per attempt. Groups come in
    # the order of their first attempt, so a category's first spelling wins.
    groups = Counter([(a.outcome, a.entry.date.year, a.entry.date.month, a.entry.category)
                      for a in attempts])
    outcomes = dict.fromkeys(keys, 0)
    by_category: dict[str, dict[str, Any]] = {}
    category_names: dict[str, str] = {}
    by_month: dict[str, dict[str, Any]] = {}
    if attempts:
        by_month = {m: empty() for m in months_between(attempts[0].entry.date, as_of)}
    for (outcome, year, month_number, category_name), count in groups.items():
        outcomes[outcome] += count
        month = by_month[f"{year:04d}-{month_number:02d}"]
        month["total"] += count
        month["outcomes"][outcome] += count
        category = by_category.setdefault(category_key(category_name, category_names), empty())
        category["total"] += count
        category["outcomes"][outcome] += count
    answer_days = [(a.entry.decided - a.entry.date).days
                   for a in attempts if a.entry.decided is not None]
    counting = [a for a in attempts if a.outcome in counts_toward]
    progress = len(counting)
    milestones = []
    for at in milestone_targets(challenge.goal):
        if at > progress:
            break
        reached = counting[at - 1]  # the attempt that made the count `at`
        milestones.append({
            "at": at,
            "date": reached.entry.date.isoformat(),
            "url": None if reached.entry.private or url_of is None else url_of(reached),
        })

    longest, run_ending = days_in_a_row({a.entry.date for a in attempts})
    remaining = max(challenge.goal - progress, 0)
    start = challenge.start or (attempts[0].entry.date if attempts else as_of)
    return Stats(
        as_of=as_of,
        total=len(attempts),
        outcomes=outcomes,
        goal={
            "target": challenge.goal,
            "counts": list(challenge.counts),
            "start": start.isoformat(),
            "end": challenge.end.isoformat() if challenge.end else None,
        },
        progress=progress,
        remaining=remaining,
        percent=round(progress / challenge.goal * 100, 1),
        streak={"current": current_streak(run_ending, as_of), "longest": longest},
        by_month=by_month,
        by_category=by_category,
        milestones=milestones,
        pace=pace(progress, target=challenge.goal, start=start, end=challenge.end, as_of=as_of,
                  goal_reached_on=counting[challenge.goal - 1].entry.date
                  if progress >= challenge.goal else None),
        answer_days=statistics.median(answer_days) if answer_days else None,
        pending=pending_summary(attempts, challenge.ghost_after_days, as_of),
    )


# The counts the charts and the attempt pages' bars are drawn from: here, so a
# build that draws no chart does not import charts.py (its dataclasses cost ~8 ms).

@dataclass(frozen=True)
class DayCounts:
    """Attempts per day, and those of them that count toward the goal."""

    attempts: Mapping[int, int]
    """Counted attempts (any outcome) by day ordinal: what the heatmap shades."""
    counting: Mapping[int, int]
    """Attempts whose outcome counts toward the goal, by day ordinal: the progress line."""


def count_days(attempts: Iterable[tuple[dt.date, bool]]) -> DayCounts:
    """Add up (date, counts toward the goal) pairs of the counted attempts per day."""
    every: dict[int, int] = {}
    counting: dict[int, int] = {}
    for date, counts in attempts:
        day = date.toordinal()
        every[day] = every.get(day, 0) + 1
        if counts:
            counting[day] = counting.get(day, 0) + 1
    return DayCounts(every, counting)


def position_fill(at: int, target: int) -> float:
    """The filled share of an attempt page's bar, in percent."""
    return round(min(100.0, 100 * at / target), 2) if target > 0 else 100.0


def category_key(category: str | None, seen: dict[str, str]) -> str:
    """One name per category, whatever its capitalisation: the first spelling wins."""
    if not category:
        return "uncategorized"
    return seen.setdefault(category.casefold(), category)


def days_elapsed(start: dt.date, end: dt.date | None, as_of: dt.date) -> int:
    """Days of the challenge so far: the start day is day 1, and the count stops at the end.

    Before the start it is 0.
    """
    last = min(as_of, end) if end else as_of
    return max((last - start).days + 1, 0)


def days_to_finish(progress: int, remaining: int, elapsed: int) -> int | None:
    """Days after the as-of date until the goal, if the pace so far goes on.

    The pace so far is progress in `elapsed` days; a part day counts as a whole
    one. 0 once the goal is reached; None without any progress or days yet.
    """
    if remaining <= 0:
        return 0
    if progress <= 0 or elapsed <= 0:
        return None
    # ceil(remaining / (progress / elapsed)) in whole numbers: no float error
    return -(-remaining * elapsed // progress)


def projected_finish(progress: int, remaining: int, elapsed: int,
                     as_of: dt.date) -> dt.date | None:
    """The day the goal is reached if the pace so far goes on (see days_to_finish).

    None when that day would fall after 31 December 9999 (a goal of a million
    with one attempt a month): the date type ends there.
    """
    days = days_to_finish(progress, remaining, elapsed)
    if days is None or as_of.toordinal() + days > dt.date.max.toordinal():
        return None
    return dt.date.fromordinal(as_of.toordinal() + days)


def next_milestone(progress: int, target: int) -> dict[str, int] | None:
    """The first milestone not reached yet and how many counted attempts it is away."""
    for at in milestone_targets(target):
        if at > progress:
            return {"at": at, "to_go": at - progress}
    return None


def pace(progress: int, *, target: int, start: dt.date, end: dt.date | None, as_of: dt.date,
         goal_reached_on: dt.date | None = None) -> dict[str, Any]:
    """How fast it goes, how fast it must go, and where it stands against the pace line.

    The pace line runs straight from nothing at the start to the target at the
    end of the last day. Every number is worked out in whole numbers (floor or
    ceiling as documented), so the dashboard and stats.json never show a
    float's rounding error. Keywords only: the second argument used to be
    `remaining`, and a call written for that should fail, not mislead.

    days_elapsed counts the as-of day itself (the first day is day 1) and stops
    at the end of the challenge; before the start it is 0.
    total_days, expected, ahead and buffer_days need an end and an as-of date
    on or after the start (otherwise None): expected is where the pace line
    stands after days_elapsed days, ahead is progress minus expected, and
    buffer_days is how many days one could stop and still be on the line
    (negative: days behind it).
    days_left (after the as-of day), per_day_needed and finished need an end.
    """
    remaining = max(target - progress, 0)
    elapsed = days_elapsed(start, end, as_of)
    actual = progress / elapsed * 7 if elapsed else 0.0
    needed = None
    days_left = per_day_needed = total_days = expected = ahead = buffer_days = None
    finished = None
    if end is not None:
        days_left = max((end - as_of).days, 0)
        finished = as_of > end
        if days_left > 0:
            needed = remaining / days_left * 7
            per_day_needed = -(-remaining // days_left)
        elif remaining == 0:
            per_day_needed = 0
        if as_of >= start and end >= start and target > 0:
            total_days = (end - start).days + 1
            expected = target * elapsed // total_days
            ahead = progress - expected
            buffer_days = progress * total_days // target - elapsed
    projected = projected_finish(progress, remaining, elapsed, as_of)
    return {
        "days_elapsed": elapsed,
        "actual_per_week": actual,
        "needed_per_week": needed,
        "projected_finish": projected.isoformat() if projected else None,
        "total_days": total_days,
        "expected": expected,
        "ahead": ahead,
        "buffer_days": buffer_days,
        "days_left": days_left,
        "per_day_needed": per_day_needed,
        "finished": finished,
        "goal_reached_on": goal_reached_on.isoformat() if goal_reached_on else None,
        "next_milestone": next_milestone(progress, target),
    }


def pending_summary(attempts: Sequence[Attempt], ghost_after_days: int | None,
                    as_of: dt.date) -> dict[str, Any]:
    """How many attempts wait for an answer, and when the oldest counts as ghosted.

    A pending attempt is ghosted once it is more than ghost_after_days old
    (select), so the oldest turns on the day after that: its date plus
    ghost_after_days plus one. None past the calendar's end.
    """
    waiting = [a.entry.date for a in attempts if a.outcome == PENDING]
    turns = None
    if waiting and ghost_after_days is not None:
        try:
            turns = (min(waiting) + dt.timedelta(days=ghost_after_days + 1)).isoformat()
        except OverflowError:
            turns = None
    return {"count": len(waiting), "next_ghosted_on": turns}


def aggregate(entries: Iterable[Entry], config: SiteConfig, as_of: dt.date, drafts: bool,
              url_of: Any = None) -> tuple[list[Attempt], Stats]:
    """The aggregate stage: the counted attempts, numbered, and their numbers."""
    attempts = select(entries, config, as_of, include_drafts=drafts)
    return attempts, compute_stats(attempts, config, as_of, url_of)
