"""Unit tests of generator.stats: which attempts count, and every number the dashboard shows.

No files: entries come from tests/factories.py, the as-of date is passed in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from factories import make_config, make_entry

from generator.config import SiteConfig
from generator.entries import Entry
from generator.stats import compute_stats, milestone_targets, pace, select

D = dt.date
ALL_OUTCOMES = ("no", "yes", "ghosted", "pending")


def stats_of(entries: list[Entry], as_of: dt.date, config: SiteConfig | None = None,
             url_of: Any = None, include_drafts: bool = False) -> dict[str, Any]:
    """stats.json for these entries as of a date, the way the build computes it."""
    config = config or make_config()
    attempts = select(entries, config, as_of, include_drafts=include_drafts)
    return compute_stats(attempts, config, as_of, url_of).to_json()


def on(*days: dt.date, **overrides: Any) -> list[Entry]:
    """One attempt per day given (slugs a0, a1, ... so the order is stable)."""
    return [make_entry(date=day, slug=f"a{i}", **overrides) for i, day in enumerate(days)]


def slugs(attempts: list[Any]) -> list[str]:
    return [a.entry.slug for a in attempts]


# --- Which attempts are counted, in which order ------------------------------------------


def test_every_non_draft_attempt_up_to_the_as_of_date_is_counted() -> None:
    entries = on(D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 14))
    assert slugs(select(entries, make_config(), D(2026, 3, 14))) == ["a0", "a1", "a2"]


def test_an_attempt_dated_on_the_as_of_date_is_counted() -> None:
    entries = on(D(2026, 3, 14))
    assert len(select(entries, make_config(), D(2026, 3, 14))) == 1


def test_future_dated_attempts_are_not_counted() -> None:
    entries = on(D(2026, 3, 14), D(2026, 3, 15), D(2027, 1, 1))
    counted = select(entries, make_config(), D(2026, 3, 14))
    assert slugs(counted) == ["a0"]
    assert stats_of(entries, D(2026, 3, 14))["total"] == 1


def test_drafts_are_not_counted() -> None:
    entries = [make_entry(slug="kept"), make_entry(slug="draft", draft=True)]
    assert slugs(select(entries, make_config(), D(2026, 3, 14))) == ["kept"]


def test_drafts_are_counted_when_drafts_are_included() -> None:
    entries = [make_entry(slug="kept"), make_entry(slug="draft", draft=True)]
    counted = select(entries, make_config(), D(2026, 3, 14), include_drafts=True)
    assert sorted(slugs(counted)) == ["draft", "kept"]


def test_a_future_draft_is_not_counted_even_when_drafts_are_included() -> None:
    entries = [make_entry(date=D(2026, 3, 15), draft=True)]
    assert select(entries, make_config(), D(2026, 3, 14), include_drafts=True) == []


def test_private_attempts_are_counted() -> None:
    entries = [make_entry(slug="public"), make_entry(slug="secret", private=True)]
    assert sorted(slugs(select(entries, make_config(), D(2026, 3, 14)))) == ["public", "secret"]


def test_attempts_before_the_start_and_after_the_end_are_still_counted() -> None:
    config = make_config(start=D(2026, 3, 1), end=D(2026, 3, 31))
    entries = on(D(2026, 2, 27), D(2026, 3, 10), D(2026, 4, 2))
    stats = stats_of(entries, D(2026, 4, 5), config)
    assert stats["total"] == 3
    assert stats["progress"] == 3


def test_attempts_are_ordered_by_date_then_by_rel_path() -> None:
    entries = [
        make_entry(slug="late", date=D(2026, 3, 2), rel_path="2026-03/a.md"),
        make_entry(slug="second", date=D(2026, 3, 1), rel_path="2026-03/b.md"),
        make_entry(slug="first", date=D(2026, 3, 1), rel_path="2026-03/a.md"),
    ]
    assert slugs(select(entries, make_config(), D(2026, 3, 14))) == ["first", "second", "late"]


def test_rel_paths_are_compared_as_plain_strings() -> None:
    # Plain string order: "10" before "9" and "B" before "a"; no natural or case-folded sort.
    entries = [
        make_entry(slug="nine", rel_path="9-nine.md"),
        make_entry(slug="lower", rel_path="a-lower.md"),
        make_entry(slug="ten", rel_path="10-ten.md"),
        make_entry(slug="upper", rel_path="B-upper.md"),
    ]
    counted = select(entries, make_config(), D(2026, 3, 14))
    assert slugs(counted) == ["ten", "nine", "upper", "lower"]


def test_the_order_does_not_depend_on_the_order_of_the_input() -> None:
    entries = on(D(2026, 3, 3), D(2026, 3, 1), D(2026, 3, 2))
    forward = slugs(select(entries, make_config(), D(2026, 3, 14)))
    backward = slugs(select(list(reversed(entries)), make_config(), D(2026, 3, 14)))
    assert forward == backward == ["a1", "a2", "a0"]


def test_counted_attempts_are_numbered_from_one_in_order() -> None:
    entries = on(D(2026, 3, 3), D(2026, 3, 1), D(2026, 3, 2))
    counted = select(entries, make_config(), D(2026, 3, 14))
    assert [(a.number, a.entry.date.day) for a in counted] == [(1, 1), (2, 2), (3, 3)]


def test_numbers_leave_no_gap_for_drafts_and_future_attempts() -> None:
    entries = [
        make_entry(slug="one", date=D(2026, 3, 1)),
        make_entry(slug="draft", date=D(2026, 3, 2), draft=True),
        make_entry(slug="two", date=D(2026, 3, 3), private=True),
        make_entry(slug="future", date=D(2026, 3, 20)),
    ]
    counted = select(entries, make_config(), D(2026, 3, 14))
    assert [(a.number, a.entry.slug) for a in counted] == [(1, "one"), (2, "two")]


# --- Ghosting ---------------------------------------------------------------------------


def test_pending_older_than_ghost_after_days_counts_as_ghosted() -> None:
    config = make_config(ghost_after_days=30)
    entries = [make_entry(date=D(2026, 3, 1), outcome="pending")]
    (attempt,) = select(entries, config, D(2026, 4, 1))  # 31 days old
    assert attempt.outcome == "ghosted"
    assert attempt.ghosted_automatically
    assert attempt.entry.outcome == "pending"


def test_pending_exactly_ghost_after_days_old_is_still_pending() -> None:
    config = make_config(ghost_after_days=30)
    entries = [make_entry(date=D(2026, 3, 1), outcome="pending")]
    (attempt,) = select(entries, config, D(2026, 3, 31))  # 30 days old
    assert attempt.outcome == "pending"
    assert not attempt.ghosted_automatically


def test_ghost_after_zero_days_ghosts_a_pending_attempt_from_the_next_day() -> None:
    config = make_config(ghost_after_days=0)
    entries = [make_entry(date=D(2026, 3, 1), outcome="pending")]
    assert select(entries, config, D(2026, 3, 1))[0].outcome == "pending"
    assert select(entries, config, D(2026, 3, 2))[0].outcome == "ghosted"


def test_without_ghost_after_days_nothing_is_ghosted() -> None:
    config = make_config(ghost_after_days=None)
    entries = [make_entry(date=D(2020, 1, 1), outcome="pending")]
    (attempt,) = select(entries, config, D(2026, 3, 14))
    assert attempt.outcome == "pending"
    assert stats_of(entries, D(2026, 3, 14), config)["outcomes"]["ghosted"] == 0


def test_only_pending_attempts_are_ghosted() -> None:
    config = make_config(ghost_after_days=7)
    entries = [make_entry(slug=o, date=D(2026, 1, 1), outcome=o) for o in ("no", "yes")]
    assert {a.outcome for a in select(entries, config, D(2026, 3, 14))} == {"no", "yes"}


def test_pending_says_how_many_wait_and_when_the_oldest_counts_as_ghosted() -> None:
    config = make_config(ghost_after_days=30)
    entries = [make_entry(slug="a", date=D(2026, 3, 10), outcome="pending"),
               make_entry(slug="b", date=D(2026, 3, 1), outcome="pending"),
               make_entry(slug="c", date=D(2026, 3, 2), outcome="no")]
    # ghosted once older than 30 days: 1 March + 31 days
    assert stats_of(entries, D(2026, 3, 14), config)["pending"] == {
        "count": 2, "next_ghosted_on": "2026-04-01"}
    assert stats_of(entries, D(2026, 4, 1), config)["pending"] == {
        "count": 1, "next_ghosted_on": "2026-04-10"}
    assert stats_of(entries, D(2026, 3, 14))["pending"] == {"count": 2, "next_ghosted_on": None}


def test_a_ghosted_attempt_is_ghosted_in_every_aggregate() -> None:
    config = make_config(ghost_after_days=10, counts=("no", "ghosted"), goal=1)
    entries = [make_entry(date=D(2026, 3, 1), outcome="pending", category="work")]
    stats = stats_of(entries, D(2026, 3, 14), config)
    assert stats["outcomes"] == {"no": 0, "yes": 0, "ghosted": 1, "pending": 0}
    assert stats["by_month"]["2026-03"]["outcomes"]["ghosted"] == 1
    assert stats["by_month"]["2026-03"]["outcomes"]["pending"] == 0
    assert stats["by_category"]["work"]["outcomes"]["ghosted"] == 1
    assert stats["by_category"]["work"]["outcomes"]["pending"] == 0
    assert stats["progress"] == 1
    assert stats["milestones"] == [{"at": 1, "date": "2026-03-01", "url": None}]


def test_a_still_pending_attempt_does_not_count_toward_a_ghosted_goal() -> None:
    config = make_config(ghost_after_days=30, counts=("ghosted",))
    entries = [make_entry(date=D(2026, 3, 1), outcome="pending")]
    assert stats_of(entries, D(2026, 3, 14), config)["progress"] == 0
    assert stats_of(entries, D(2026, 4, 14), config)["progress"] == 1


# --- The top-level numbers --------------------------------------------------------------


def test_stats_json_has_exactly_the_documented_keys() -> None:
    stats = stats_of(on(D(2026, 3, 14)), D(2026, 3, 14))
    assert set(stats) == {
        "as_of", "total", "outcomes", "goal", "progress", "remaining", "percent",
        "streak", "by_month", "by_category", "milestones", "pace", "answer_days", "pending",
    }
    assert set(stats["goal"]) == {"target", "counts", "start", "end"}
    assert set(stats["streak"]) == {"current", "longest"}
    assert set(stats["pace"]) == {
        "days_elapsed", "actual_per_week", "needed_per_week", "projected_finish",
        "total_days", "expected", "ahead", "buffer_days", "days_left", "per_day_needed",
        "finished", "goal_reached_on", "next_milestone"}


def test_as_of_is_written_as_year_month_day() -> None:
    assert stats_of([], D(2026, 3, 4))["as_of"] == "2026-03-04"


def test_total_counts_every_counted_attempt_whatever_its_outcome() -> None:
    entries = [make_entry(slug=o, outcome=o) for o in ALL_OUTCOMES]
    assert stats_of(entries, D(2026, 3, 14))["total"] == 4


def test_outcomes_list_every_configured_outcome_with_zeros() -> None:
    entries = [make_entry(slug="a", outcome="no"), make_entry(slug="b", outcome="no"),
               make_entry(slug="c", outcome="yes")]
    stats = stats_of(entries, D(2026, 3, 14))
    assert stats["outcomes"] == {"no": 2, "yes": 1, "ghosted": 0, "pending": 0}


def test_outcomes_list_every_outcome_even_with_nothing_counted() -> None:
    assert stats_of([], D(2026, 3, 14))["outcomes"] == dict.fromkeys(ALL_OUTCOMES, 0)


def test_outcomes_follow_custom_outcomes_in_their_order() -> None:
    config = make_config(outcomes=("maybe", "no"), counts=("no",))
    entries = [make_entry(outcome="maybe")]
    stats = stats_of(entries, D(2026, 3, 14), config)
    assert list(stats["outcomes"].items()) == [("maybe", 1), ("no", 0)]


def test_goal_gives_target_counts_start_and_end() -> None:
    config = make_config(goal=100, counts=("no", "ghosted"), start=D(2026, 1, 1),
                         end=D(2026, 12, 31))
    assert stats_of([], D(2026, 3, 14), config)["goal"] == {
        "target": 100, "counts": ["no", "ghosted"], "start": "2026-01-01", "end": "2026-12-31"}


def test_goal_end_is_null_without_an_end() -> None:
    assert stats_of([], D(2026, 3, 14), make_config(end=None))["goal"]["end"] is None


def test_goal_start_defaults_to_the_first_counted_attempt() -> None:
    config = make_config(start=None)
    entries = on(D(2026, 3, 10), D(2026, 3, 12))
    assert stats_of(entries, D(2026, 3, 14), config)["goal"]["start"] == "2026-03-10"


def test_progress_counts_only_outcomes_in_counts() -> None:
    entries = [make_entry(slug=f"{o}{i}", outcome=o) for i in range(2) for o in ALL_OUTCOMES]
    assert stats_of(entries, D(2026, 3, 14), make_config(counts=("no",)))["progress"] == 2
    assert stats_of(entries, D(2026, 3, 14), make_config(counts=("no", "ghosted")))[
        "progress"] == 4


def test_remaining_is_the_target_minus_progress() -> None:
    stats = stats_of(on(D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3)), D(2026, 3, 14),
                     make_config(goal=10))
    assert (stats["progress"], stats["remaining"]) == (3, 7)


def test_remaining_never_goes_below_zero() -> None:
    stats = stats_of(on(D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3)), D(2026, 3, 14),
                     make_config(goal=2))
    assert stats["remaining"] == 0


@pytest.mark.parametrize(("progress", "goal", "percent"), [
    (0, 10, 0.0),
    (1, 3, 33.3),
    (2, 3, 66.7),
    (1, 7, 14.3),
    (1, 1000, 0.1),
    (3, 3, 100.0),
])
def test_percent_is_progress_over_target_rounded_to_one_decimal(
        progress: int, goal: int, percent: float) -> None:
    entries = on(*[D(2026, 3, 1) + dt.timedelta(days=i) for i in range(progress)])
    assert stats_of(entries, D(2026, 3, 14), make_config(goal=goal))["percent"] == percent


def test_percent_may_pass_one_hundred() -> None:
    entries = on(D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3))
    assert stats_of(entries, D(2026, 3, 14), make_config(goal=2))["percent"] == 150.0


# --- Streaks ----------------------------------------------------------------------------


def streak(days: list[dt.date], as_of: dt.date) -> dict[str, int]:
    result: dict[str, int] = stats_of(on(*days), as_of)["streak"]
    return result


def test_streak_counts_consecutive_days_with_an_attempt() -> None:
    days = [D(2026, 3, 12), D(2026, 3, 13), D(2026, 3, 14)]
    assert streak(days, D(2026, 3, 14)) == {"current": 3, "longest": 3}


def test_streak_is_zero_with_no_attempts() -> None:
    assert streak([], D(2026, 3, 14)) == {"current": 0, "longest": 0}


def test_two_attempts_on_one_day_count_once_in_a_streak() -> None:
    days = [D(2026, 3, 13), D(2026, 3, 14), D(2026, 3, 14)]
    assert streak(days, D(2026, 3, 14)) == {"current": 2, "longest": 2}


def test_a_gap_day_breaks_the_streak() -> None:
    days = [D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 12), D(2026, 3, 14)]
    assert streak(days, D(2026, 3, 14)) == {"current": 1, "longest": 3}


def test_streak_runs_across_a_month_end() -> None:
    days = [D(2026, 2, 27), D(2026, 2, 28), D(2026, 3, 1)]
    assert streak(days, D(2026, 3, 1)) == {"current": 3, "longest": 3}


def test_streak_runs_across_a_leap_day() -> None:
    days = [D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1)]
    assert streak(days, D(2028, 3, 1)) == {"current": 3, "longest": 3}


def test_a_missing_last_day_of_the_month_breaks_the_streak() -> None:
    days = [D(2026, 1, 29), D(2026, 1, 30), D(2026, 2, 1)]  # no attempt on January 31
    assert streak(days, D(2026, 2, 1)) == {"current": 1, "longest": 2}


def test_streak_runs_across_a_year_end() -> None:
    days = [D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 2)]
    assert streak(days, D(2026, 1, 2)) == {"current": 4, "longest": 4}


def test_streak_survives_until_the_end_of_the_next_day() -> None:
    days = [D(2026, 3, 12), D(2026, 3, 13)]
    assert streak(days, D(2026, 3, 14)) == {"current": 2, "longest": 2}


def test_streak_is_zero_when_neither_the_as_of_day_nor_the_day_before_has_an_attempt() -> None:
    days = [D(2026, 3, 11), D(2026, 3, 12)]
    assert streak(days, D(2026, 3, 14)) == {"current": 0, "longest": 2}


def test_longest_streak_keeps_an_earlier_longer_run() -> None:
    days = [D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4),
            D(2026, 3, 13), D(2026, 3, 14)]
    assert streak(days, D(2026, 3, 14)) == {"current": 2, "longest": 4}


def test_a_future_attempt_does_not_extend_the_streak() -> None:
    days = [D(2026, 3, 13), D(2026, 3, 14), D(2026, 3, 15)]
    assert streak(days, D(2026, 3, 14)) == {"current": 2, "longest": 2}


def test_a_draft_does_not_keep_a_streak_alive() -> None:
    entries = on(D(2026, 3, 12)) + [make_entry(slug="d", date=D(2026, 3, 13), draft=True)]
    assert stats_of(entries, D(2026, 3, 14))["streak"] == {"current": 0, "longest": 1}


# --- By month ---------------------------------------------------------------------------


def test_by_month_counts_attempts_and_outcomes_per_month() -> None:
    entries = [make_entry(slug="a", date=D(2026, 3, 1), outcome="no"),
               make_entry(slug="b", date=D(2026, 3, 31), outcome="yes"),
               make_entry(slug="c", date=D(2026, 4, 1), outcome="no")]
    assert stats_of(entries, D(2026, 4, 1))["by_month"] == {
        "2026-03": {"total": 2, "outcomes": {"no": 1, "yes": 1, "ghosted": 0, "pending": 0}},
        "2026-04": {"total": 1, "outcomes": {"no": 1, "yes": 0, "ghosted": 0, "pending": 0}},
    }


def test_by_month_lists_a_month_without_attempts_with_zeros() -> None:
    entries = on(D(2026, 1, 15), D(2026, 3, 15))
    by_month = stats_of(entries, D(2026, 3, 20))["by_month"]
    assert list(by_month) == ["2026-01", "2026-02", "2026-03"]
    assert by_month["2026-02"] == {"total": 0, "outcomes": dict.fromkeys(ALL_OUTCOMES, 0)}


def test_by_month_runs_from_the_first_attempt_to_the_as_of_month() -> None:
    entries = on(D(2026, 3, 15))
    by_month = stats_of(entries, D(2026, 5, 2))["by_month"]
    assert list(by_month) == ["2026-03", "2026-04", "2026-05"]
    assert by_month["2026-05"]["total"] == 0


def test_by_month_crosses_a_year_boundary() -> None:
    entries = on(D(2025, 11, 30), D(2026, 1, 1))
    by_month = stats_of(entries, D(2026, 2, 1))["by_month"]
    assert list(by_month) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [m["total"] for m in by_month.values()] == [1, 0, 1, 0]


def test_by_month_does_not_start_before_the_first_counted_attempt() -> None:
    entries = [make_entry(slug="draft", date=D(2026, 1, 5), draft=True)] + on(D(2026, 3, 1))
    assert list(stats_of(entries, D(2026, 3, 14))["by_month"]) == ["2026-03"]


def test_by_month_is_empty_when_nothing_is_counted() -> None:
    assert stats_of([], D(2026, 3, 14))["by_month"] == {}
    assert stats_of(on(D(2026, 4, 1)), D(2026, 3, 14))["by_month"] == {}


# --- By category ------------------------------------------------------------------------


def test_by_category_counts_attempts_and_outcomes_per_category() -> None:
    entries = [make_entry(slug="a", category="work", outcome="no"),
               make_entry(slug="b", category="work", outcome="yes"),
               make_entry(slug="c", category="dating", outcome="no")]
    assert stats_of(entries, D(2026, 3, 14))["by_category"] == {
        "work": {"total": 2, "outcomes": {"no": 1, "yes": 1, "ghosted": 0, "pending": 0}},
        "dating": {"total": 1, "outcomes": {"no": 1, "yes": 0, "ghosted": 0, "pending": 0}},
    }


def test_attempts_without_a_category_are_uncategorized() -> None:
    entries = [make_entry(slug="a", category=None), make_entry(slug="b", category="work")]
    by_category = stats_of(entries, D(2026, 3, 14))["by_category"]
    assert by_category["uncategorized"]["total"] == 1
    assert by_category["work"]["total"] == 1


def test_one_category_whatever_its_capitalisation_under_its_first_spelling() -> None:
    entries = [make_entry(slug="a", date=D(2026, 3, 1), category="Work"),
               make_entry(slug="b", date=D(2026, 3, 2), category="work")]
    assert stats_of(entries, D(2026, 3, 14))["by_category"] == {
        "Work": {"total": 2, "outcomes": {"no": 2, "yes": 0, "ghosted": 0, "pending": 0}}}


def test_by_category_is_empty_when_nothing_is_counted() -> None:
    assert stats_of([], D(2026, 3, 14))["by_category"] == {}


# --- Milestones -------------------------------------------------------------------------


def test_milestone_targets_up_to_a_thousand() -> None:
    assert milestone_targets(1000) == [1, 10, 25, 50, 100, 250, 500, 750, 1000]


def test_milestone_targets_end_with_a_goal_that_is_not_a_round_number() -> None:
    assert milestone_targets(7) == [1, 7]


def test_milestone_targets_go_on_past_ten_thousand() -> None:
    assert milestone_targets(30000) == [
        1, 10, 25, 50, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000, 25000, 30000]


@pytest.mark.parametrize(("goal", "targets"), [
    (1, [1]),
    (10, [1, 10]),
    (100, [1, 10, 25, 50, 100]),
    (120, [1, 10, 25, 50, 100, 120]),
])
def test_milestone_targets_of_small_goals(goal: int, targets: list[int]) -> None:
    assert milestone_targets(goal) == targets


def test_a_milestone_is_dated_on_the_attempt_that_reached_it() -> None:
    # Only "no" counts: the yes on March 2 and the pending on March 4 do not move progress.
    entries = [make_entry(slug="a", date=D(2026, 3, 1), outcome="no"),
               make_entry(slug="b", date=D(2026, 3, 2), outcome="yes"),
               make_entry(slug="c", date=D(2026, 3, 3), outcome="no"),
               make_entry(slug="d", date=D(2026, 3, 4), outcome="pending"),
               make_entry(slug="e", date=D(2026, 3, 5), outcome="no")]
    stats = stats_of(entries, D(2026, 3, 14), make_config(goal=3))
    assert [(m["at"], m["date"]) for m in stats["milestones"]] == [
        (1, "2026-03-01"), (3, "2026-03-05")]


def test_milestones_count_tenth_and_later_rejections() -> None:
    entries = [make_entry(slug=f"n{i:02d}", date=D(2026, 3, 1) + dt.timedelta(days=i),
                          outcome="no") for i in range(12)]
    entries += [make_entry(slug="yes", date=D(2026, 3, 5), outcome="yes")]
    stats = stats_of(entries, D(2026, 3, 31), make_config(goal=100))
    assert [(m["at"], m["date"]) for m in stats["milestones"]] == [
        (1, "2026-03-01"), (10, "2026-03-10")]


def test_only_milestones_already_reached_are_listed() -> None:
    stats = stats_of(on(D(2026, 3, 1)), D(2026, 3, 14), make_config(goal=100))
    assert [m["at"] for m in stats["milestones"]] == [1]
    assert stats_of([], D(2026, 3, 14))["milestones"] == []


def test_the_goal_itself_is_a_milestone() -> None:
    entries = on(*[D(2026, 3, 1) + dt.timedelta(days=i) for i in range(7)])
    stats = stats_of(entries, D(2026, 3, 14), make_config(goal=7))
    assert [(m["at"], m["date"]) for m in stats["milestones"]] == [
        (1, "2026-03-01"), (7, "2026-03-07")]


def test_progress_past_the_goal_adds_no_milestone() -> None:
    entries = on(*[D(2026, 3, 1) + dt.timedelta(days=i) for i in range(12)])
    stats = stats_of(entries, D(2026, 3, 14), make_config(goal=10))
    assert [m["at"] for m in stats["milestones"]] == [1, 10]


def test_a_milestone_links_to_the_page_of_its_attempt() -> None:
    entries = on(D(2026, 3, 1))
    stats = stats_of(entries, D(2026, 3, 14),
                     url_of=lambda attempt: f"/attempts/{attempt.entry.slug}/")
    assert stats["milestones"] == [{"at": 1, "date": "2026-03-01", "url": "/attempts/a0/"}]


def test_a_milestone_reached_by_a_private_attempt_has_no_url() -> None:
    entries = on(D(2026, 3, 1), private=True)
    stats = stats_of(entries, D(2026, 3, 14), url_of=lambda attempt: "/attempts/secret/")
    assert stats["milestones"] == [{"at": 1, "date": "2026-03-01", "url": None}]


# --- Pace -------------------------------------------------------------------------------
# Challenge from 2026-01-01; "no" counts. Every expected number is worked out by hand.


def pace_of(no_count: int, as_of: dt.date, **challenge: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"start": D(2026, 1, 1), "goal": 10}
    settings.update(challenge)
    entries = on(*[settings["start"]] * no_count)
    result: dict[str, Any] = stats_of(entries, as_of, make_config(**settings))["pace"]
    return result


def test_days_elapsed_counts_the_start_day_as_day_one() -> None:
    assert pace_of(1, D(2026, 1, 1))["days_elapsed"] == 1
    assert pace_of(1, D(2026, 1, 10))["days_elapsed"] == 10
    assert pace_of(1, D(2026, 3, 1))["days_elapsed"] == 60  # 31 + 28 + 1


def test_actual_per_week_is_progress_per_day_elapsed_times_seven() -> None:
    assert pace_of(2, D(2026, 1, 7))["actual_per_week"] == 2.0  # 2 / 7 * 7
    assert pace_of(3, D(2026, 1, 14))["actual_per_week"] == 1.5  # 3 / 14 * 7
    assert pace_of(1, D(2026, 1, 3))["actual_per_week"] == pytest.approx(7 / 3)


def test_needed_per_week_is_remaining_over_days_left_times_seven() -> None:
    # 2 of 10 by January 14, end January 28: 8 remaining in 14 days = 4 a week
    pace = pace_of(2, D(2026, 1, 14), end=D(2026, 1, 28))
    assert pace["needed_per_week"] == 4.0
    # 1 of 10 by January 1, end January 4: 9 in 3 days = 21 a week
    assert pace_of(1, D(2026, 1, 1), end=D(2026, 1, 4))["needed_per_week"] == 21.0


def test_needed_per_week_is_null_without_an_end() -> None:
    assert pace_of(2, D(2026, 1, 14), end=None)["needed_per_week"] is None


def test_needed_per_week_is_null_on_the_last_day() -> None:
    assert pace_of(2, D(2026, 1, 14), end=D(2026, 1, 14))["needed_per_week"] is None


def test_needed_per_week_is_null_after_the_end() -> None:
    assert pace_of(2, D(2026, 1, 20), end=D(2026, 1, 14))["needed_per_week"] is None


def test_needed_per_week_is_zero_when_the_goal_is_reached_before_the_end() -> None:
    assert pace_of(10, D(2026, 1, 14), end=D(2026, 1, 28))["needed_per_week"] == 0.0


def test_projected_finish_extrapolates_the_pace_so_far() -> None:
    # 2 in 14 days, 8 remaining: 8 / (2 / 14) = 56 days after January 14
    assert pace_of(2, D(2026, 1, 14))["projected_finish"] == "2026-03-11"


def test_projected_finish_rounds_a_part_day_up() -> None:
    # 3 in 10 days, 7 remaining: 7 / (3 / 10) = 23.3, so 24 days after January 10
    assert pace_of(3, D(2026, 1, 10))["projected_finish"] == "2026-02-03"


def test_projected_finish_is_exact_where_float_division_would_round_wrong() -> None:
    # 3 in 11 days, 15 remaining: 15 / (3 / 11) is exactly 55 days, but in floats
    # 15 / (3 / 11) = 55.00000000000001, whose ceiling would be 56.
    assert 15 / (3 / 11) > 55
    assert pace_of(3, D(2026, 1, 11), goal=18)["projected_finish"] == "2026-03-07"


def test_projected_finish_is_null_without_progress() -> None:
    pace = pace_of(0, D(2026, 1, 14))
    assert pace["projected_finish"] is None
    assert pace["actual_per_week"] == 0.0


def test_projected_finish_is_the_as_of_date_once_the_goal_is_reached() -> None:
    assert pace_of(10, D(2026, 1, 14))["projected_finish"] == "2026-01-14"
    assert pace_of(12, D(2026, 1, 14))["projected_finish"] == "2026-01-14"


def test_pace_after_the_end_counts_days_only_up_to_the_end() -> None:
    # January 1 to 10 is 10 days, whatever the as-of date after it
    pace = pace_of(5, D(2026, 2, 1), end=D(2026, 1, 10))
    assert pace["days_elapsed"] == 10
    assert pace["actual_per_week"] == 3.5  # 5 / 10 * 7
    assert pace["needed_per_week"] is None
    # projected from the as-of date: 5 remaining / (5 / 10) = 10 days after February 1
    assert pace["projected_finish"] == "2026-02-11"


def test_pace_before_the_start_has_no_days_elapsed() -> None:
    # Documents the code: before the start, days_elapsed is 0, the actual pace 0.0 and
    # there is no projection, even though attempts before the start are counted.
    config = make_config(start=D(2026, 3, 1), end=D(2026, 3, 31), goal=10)
    entries = on(D(2026, 2, 20), D(2026, 2, 21))
    stats = stats_of(entries, D(2026, 2, 25), config)
    assert stats["progress"] == 2
    assert stats["pace"] == {
        "days_elapsed": 0,
        "actual_per_week": 0.0,
        "needed_per_week": 8 / 34 * 7,  # 8 remaining, 34 days from February 25 to March 31
        "projected_finish": None,
        # No pace line before the start, but the time left runs from the as-of date.
        "total_days": None,
        "expected": None,
        "ahead": None,
        "buffer_days": None,
        "days_left": 34,
        "per_day_needed": 1,  # 8 / 34, rounded up
        "finished": False,
        "goal_reached_on": None,
        "next_milestone": {"at": 10, "to_go": 8},
    }


def test_pace_on_the_day_before_the_start_has_no_days_elapsed() -> None:
    assert pace_of(1, D(2025, 12, 31), start=D(2026, 1, 1))["days_elapsed"] == 0


def test_an_effort_goal_counts_every_outcome_toward_the_pace() -> None:
    config = make_config(goal=10, counts=ALL_OUTCOMES, start=D(2026, 1, 1),
                         end=D(2026, 1, 21))
    entries = [make_entry(slug=o, date=D(2026, 1, 1), outcome=o) for o in ALL_OUTCOMES]
    stats = stats_of(entries, D(2026, 1, 7), config)
    assert stats["progress"] == 4
    assert stats["remaining"] == 6
    assert stats["pace"] == {
        "days_elapsed": 7,
        "actual_per_week": 4.0,  # 4 / 7 * 7
        "needed_per_week": 3.0,  # 6 / 14 * 7
        "projected_finish": "2026-01-18",  # 6 / (4 / 7) = 10.5, so 11 days after January 7
        "total_days": 21,
        "expected": 3,  # 10 * 7 / 21 = 3.33, rounded down
        "ahead": 1,
        "buffer_days": 1,  # 4 * 21 / 10 = 8.4 days' worth, rounded down, minus 7
        "days_left": 14,
        "per_day_needed": 1,  # 6 / 14, rounded up
        "finished": False,
        "goal_reached_on": None,
        "next_milestone": {"at": 10, "to_go": 6},
    }


def test_pace_starts_on_the_first_attempt_without_a_start_date() -> None:
    config = make_config(start=None, goal=10)
    entries = on(D(2026, 3, 8), D(2026, 3, 9))
    assert stats_of(entries, D(2026, 3, 14), config)["pace"]["days_elapsed"] == 7



# --- Pace: against the pace line --------------------------------------------------------
# A ten-day challenge, January 1 to 10, goal 10: the line climbs one a day.

TEN_DAYS = {"start": D(2026, 1, 1), "end": D(2026, 1, 10), "goal": 10}
LINE_KEYS = ("total_days", "expected", "ahead", "buffer_days")


def line(no_count: int, as_of: dt.date, **challenge: Any) -> dict[str, Any]:
    """The pace fields for no_count nos on the start day of a ten-day challenge."""
    return pace_of(no_count, as_of, **{**TEN_DAYS, **challenge})


def test_on_the_start_day_the_line_stands_at_one_days_worth() -> None:
    result = line(0, D(2026, 1, 1))
    assert (result["days_elapsed"], result["total_days"]) == (1, 10)
    assert (result["expected"], result["ahead"], result["buffer_days"]) == (1, -1, -1)
    assert (result["days_left"], result["per_day_needed"]) == (9, 2)  # 10 in 9 days
    assert result["finished"] is False


def test_one_attempt_on_the_start_day_is_exactly_on_the_line() -> None:
    result = line(1, D(2026, 1, 1))
    assert (result["expected"], result["ahead"], result["buffer_days"]) == (1, 0, 0)


def test_on_the_last_day_the_line_stands_at_the_target() -> None:
    result = line(7, D(2026, 1, 10))
    assert (result["days_elapsed"], result["expected"], result["ahead"]) == (10, 10, -3)
    assert result["buffer_days"] == -3
    assert result["days_left"] == 0
    assert result["finished"] is False
    # No day left after this one to spread the rest over:
    assert result["per_day_needed"] is None
    assert result["needed_per_week"] is None


def test_on_the_last_day_with_the_goal_reached_nothing_more_is_needed() -> None:
    result = line(10, D(2026, 1, 10))
    assert (result["ahead"], result["buffer_days"], result["per_day_needed"]) == (0, 0, 0)


def test_after_the_end_the_line_stays_at_the_target_and_the_challenge_is_finished() -> None:
    result = line(7, D(2026, 1, 15))
    assert (result["days_elapsed"], result["total_days"], result["expected"]) == (10, 10, 10)
    assert (result["ahead"], result["buffer_days"]) == (-3, -3)
    assert result["days_left"] == 0
    assert result["finished"] is True
    assert result["per_day_needed"] is None


def test_the_day_before_the_start_has_no_pace_line_but_counts_the_days_left() -> None:
    result = line(0, D(2025, 12, 31))
    assert all(result[key] is None for key in LINE_KEYS)
    assert (result["days_elapsed"], result["days_left"], result["finished"]) == (0, 10, False)
    assert result["per_day_needed"] == 1


def test_without_progress_every_day_so_far_is_a_day_behind() -> None:
    result = line(0, D(2026, 1, 5))
    assert (result["expected"], result["ahead"], result["buffer_days"]) == (5, -5, -5)
    assert result["per_day_needed"] == 2  # 10 in the 5 days after January 5
    assert result["projected_finish"] is None
    assert result["next_milestone"] == {"at": 1, "to_go": 1}


def test_progress_above_the_target_is_ahead_by_the_difference() -> None:
    result = line(12, D(2026, 1, 5))
    assert (result["expected"], result["ahead"], result["buffer_days"]) == (5, 7, 7)
    assert result["per_day_needed"] == 0
    assert result["needed_per_week"] == 0.0
    assert result["next_milestone"] is None
    assert result["goal_reached_on"] == "2026-01-01"


def test_expected_and_buffer_days_are_rounded_down() -> None:
    # 20 days, goal 10: after 7 days the line stands at 3.5; 2 nos cover 4 days.
    result = line(2, D(2026, 1, 7), end=D(2026, 1, 20))
    assert (result["total_days"], result["expected"], result["ahead"]) == (20, 3, -1)
    assert result["buffer_days"] == -3


def test_buffer_days_are_exact_where_float_arithmetic_would_round_down() -> None:
    # 7 of 10 in a 90-day challenge cover 63 days, but 7 / 10 * 90 = 62.99999999999999.
    assert 7 / 10 * 90 < 63
    result = line(7, D(2026, 1, 30), end=D(2026, 3, 31))
    assert result["total_days"] == 90
    assert result["buffer_days"] == 63 - 30


def test_per_day_needed_rounds_a_part_attempt_up() -> None:
    assert line(3, D(2026, 1, 5))["per_day_needed"] == 2  # 7 in 5 days is 1.4


def test_a_goal_of_one_on_the_first_day_of_a_year_long_challenge() -> None:
    year = {"start": D(2026, 1, 1), "end": D(2026, 12, 31), "goal": 1}
    before = pace_of(0, D(2026, 1, 1), **year)
    assert (before["total_days"], before["expected"], before["ahead"]) == (365, 0, 0)
    assert before["buffer_days"] == -1
    assert before["next_milestone"] == {"at": 1, "to_go": 1}
    done = pace_of(1, D(2026, 1, 1), **year)
    assert (done["ahead"], done["buffer_days"]) == (1, 364)
    assert done["goal_reached_on"] == "2026-01-01"
    assert done["projected_finish"] == "2026-01-01"
    assert done["next_milestone"] is None


def test_a_goal_of_ten_thousand_in_a_year() -> None:
    result = pace(1500, target=10000, start=D(2026, 1, 1), end=D(2026, 12, 31),
                  as_of=D(2026, 3, 1))
    assert (result["days_elapsed"], result["total_days"]) == (60, 365)
    assert result["expected"] == 1643  # 600,000 / 365 = 1643.8
    assert result["ahead"] == -143
    assert result["buffer_days"] == 54 - 60  # 1500 cover 54.75 days
    assert result["days_left"] == 305
    assert result["per_day_needed"] == 28  # 8500 / 305 = 27.9
    assert result["next_milestone"] == {"at": 2500, "to_go": 1000}


def test_without_an_end_there_is_no_pace_line_and_no_days_left() -> None:
    result = pace_of(2, D(2026, 1, 14), end=None)
    for key in (*LINE_KEYS, "days_left", "per_day_needed", "finished"):
        assert result[key] is None, key
    assert result["next_milestone"] == {"at": 10, "to_go": 8}


def test_goal_reached_on_is_the_date_of_the_attempt_that_reached_the_target() -> None:
    # Only nos count: the yes on January 3 does not move the count.
    entries = [make_entry(slug="a", date=D(2026, 1, 2), outcome="no"),
               make_entry(slug="b", date=D(2026, 1, 3), outcome="yes"),
               make_entry(slug="c", date=D(2026, 1, 4), outcome="no"),
               make_entry(slug="d", date=D(2026, 1, 6), outcome="no")]
    result = stats_of(entries, D(2026, 1, 9), make_config(goal=2))["pace"]
    assert result["goal_reached_on"] == "2026-01-04"
    assert stats_of(entries, D(2026, 1, 3), make_config(goal=2))["pace"][
        "goal_reached_on"] is None


def test_next_milestone_is_the_first_milestone_not_reached() -> None:
    result = pace(10, target=100, start=D(2026, 1, 1), end=None, as_of=D(2026, 2, 1))
    assert result["next_milestone"] == {"at": 25, "to_go": 15}


# --- Pace at the edges of the calendar --------------------------------------------------


def test_a_projected_finish_after_the_year_9999_is_null() -> None:
    # One no in 60 days toward a million: the finish would be 60 million days away.
    result = pace_of(1, D(2026, 3, 1), goal=1_000_000)
    assert result["projected_finish"] is None
    assert result["actual_per_week"] == pytest.approx(7 / 60)


def test_a_projected_finish_on_the_last_day_of_the_calendar_is_kept() -> None:
    last = D(9999, 12, 30)
    assert pace(1, target=2, start=last, end=None, as_of=last)[
        "projected_finish"] == "9999-12-31"
    assert pace(1, target=3, start=last, end=None, as_of=last)["projected_finish"] is None


def test_stats_do_not_fail_on_the_last_day_of_the_calendar() -> None:
    config = make_config(goal=10, start=D(9999, 12, 1), end=dt.date.max, ghost_after_days=30)
    entries = on(D(9999, 12, 1), D(9999, 12, 30), dt.date.max)
    stats = stats_of(entries, dt.date.max, config)
    assert stats["pace"]["projected_finish"] is None  # 7 to go at 3 a month
    assert (stats["pace"]["days_left"], stats["pace"]["finished"]) == (0, False)
    assert stats["pace"]["total_days"] == 31
    assert stats["streak"] == {"current": 2, "longest": 2}


def test_stats_do_not_fail_on_the_first_day_of_the_calendar() -> None:
    config = make_config(goal=10, start=dt.date.min, end=D(1, 1, 10), ghost_after_days=30)
    entries = [make_entry(slug=f"p{i}", date=dt.date.min, outcome="pending") for i in range(2)]
    entries.append(make_entry(slug="no", date=dt.date.min))
    stats = stats_of(entries, dt.date.min, config)
    assert stats["total"] == 3
    assert stats["outcomes"]["pending"] == 2  # nothing is 30 days old yet
    assert stats["streak"] == {"current": 1, "longest": 1}
    assert stats["pace"]["days_elapsed"] == 1
    assert stats["pace"]["expected"] == 1
    assert stats["pace"]["projected_finish"] == "0001-01-10"  # 9 to go at 1 a day


# --- Answer days ------------------------------------------------------------------------


def answered(*days_to_answer: int) -> list[Entry]:
    base = D(2026, 3, 1)
    return [make_entry(slug=f"a{i}", date=base, decided=base + dt.timedelta(days=n))
            for i, n in enumerate(days_to_answer)]


def test_answer_days_is_null_when_no_attempt_has_a_decided_date() -> None:
    assert stats_of(on(D(2026, 3, 1)), D(2026, 3, 14))["answer_days"] is None


def test_answer_days_is_the_median_of_days_from_date_to_decided() -> None:
    assert stats_of(answered(0, 10, 2), D(2026, 3, 14))["answer_days"] == 2


def test_answer_days_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert stats_of(answered(1, 4), D(2026, 3, 14))["answer_days"] == 2.5
    assert stats_of(answered(10, 1, 3, 2), D(2026, 3, 14))["answer_days"] == 2.5


def test_answer_days_skips_attempts_without_a_decided_date() -> None:
    entries = answered(4) + [make_entry(slug="open", date=D(2026, 3, 2))]
    assert stats_of(entries, D(2026, 3, 14))["answer_days"] == 4


def test_answer_days_takes_only_counted_attempts() -> None:
    entries = answered(2) + [
        make_entry(slug="draft", date=D(2026, 3, 1), decided=D(2026, 3, 11), draft=True),
        make_entry(slug="future", date=D(2026, 3, 20), decided=D(2026, 3, 30)),
    ]
    assert stats_of(entries, D(2026, 3, 14))["answer_days"] == 2


# --- Private attempts -------------------------------------------------------------------


def test_private_attempts_take_part_in_every_aggregate() -> None:
    entries = [
        make_entry(slug="a", date=D(2026, 2, 28), outcome="no", category="work",
                   decided=D(2026, 3, 2), private=True),
        make_entry(slug="b", date=D(2026, 3, 1), outcome="no", category="work",
                   decided=D(2026, 3, 5), private=True),
    ]
    config = make_config(goal=2, start=D(2026, 2, 28), end=D(2026, 3, 8))
    stats = stats_of(entries, D(2026, 3, 1), config, url_of=lambda a: "/never/")
    assert stats["total"] == 2
    assert stats["outcomes"]["no"] == 2
    assert (stats["progress"], stats["remaining"], stats["percent"]) == (2, 0, 100.0)
    assert stats["streak"] == {"current": 2, "longest": 2}
    assert {m: v["total"] for m, v in stats["by_month"].items()} == {"2026-02": 1, "2026-03": 1}
    assert stats["by_category"]["work"]["total"] == 2
    assert stats["milestones"] == [{"at": 1, "date": "2026-02-28", "url": None},
                                   {"at": 2, "date": "2026-03-01", "url": None}]
    assert stats["pace"]["days_elapsed"] == 2
    assert stats["pace"]["actual_per_week"] == 7.0
    assert stats["answer_days"] == 3  # median of 2 and 4
