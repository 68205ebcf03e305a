"""Unit tests of generator.charts (the geometry) and templates/_charts.html (the markup).

Geometry is checked against the data it draws: the line ends at the progress, the
heatmap has a cell per day, bar heights add up to the totals. The macros are
rendered with a plain Jinja environment and parsed as XML.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
import yaml

from generator import charts
from generator.charts import (
    PROGRESS_BOTTOM,
    PROGRESS_RIGHT,
    PROGRESS_TOP,
    DayCounts,
    ProgressChart,
    attempt_position,
    category_bars,
    count_days,
    dashboard_charts,
    heatmap,
    level_of,
    month_bars,
    nice_step,
    outcome_chart_css,
    progress_chart,
    running_progress,
    tick_values,
)
from generator.i18n import Language
from generator.stats import pace

D = dt.date
THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
KEYS = ("no", "yes", "ghosted", "pending")
ONE_DAY = dt.timedelta(days=1)


def nos(*days: dt.date) -> DayCounts:
    """Attempts that count toward the goal, one per date given."""
    return count_days((day, True) for day in days)


def spread(count: int, first: dt.date, last: dt.date, every_nth_is_a_yes: int = 5) -> DayCounts:
    """`count` attempts spread evenly from first to last; every nth does not count."""
    days = (last - first).days + 1
    return count_days((first + dt.timedelta(days=i * days // count), i % every_nth_is_a_yes != 0)
                      for i in range(count))


def value_y(chart: ProgressChart, value: int) -> float:
    """Where a value sits on the chart's y axis."""
    return round(PROGRESS_BOTTOM - (PROGRESS_BOTTOM - PROGRESS_TOP) * value / chart.axis_top, 2)


def counted_by(days: DayCounts, as_of: dt.date) -> int:
    return sum(n for day, n in days.counting.items() if day <= as_of.toordinal())


# The challenges the brief names: goal 10 in a week, 10,000 in two years, no attempts
# yet, no end. (name, days, target, start, end, as_of)
SCENARIOS: dict[str, tuple[DayCounts, int, dt.date, dt.date | None, dt.date]] = {
    "goal 10 in a week": (
        nos(D(2026, 3, 9), D(2026, 3, 9), D(2026, 3, 11), D(2026, 3, 12)),
        10, D(2026, 3, 9), D(2026, 3, 15), D(2026, 3, 12)),
    "goal 10,000 in two years": (
        spread(4000, D(2025, 1, 1), D(2026, 11, 30)),
        10_000, D(2025, 1, 1), D(2026, 12, 31), D(2026, 11, 30)),
    "no attempts yet": (
        nos(), 100, D(2026, 3, 1), D(2026, 5, 31), D(2026, 3, 1)),
    "no end": (
        spread(60, D(2026, 3, 1), D(2026, 6, 10)), 100, D(2026, 3, 1), None, D(2026, 6, 10)),
}


def scenario_chart(name: str) -> tuple[ProgressChart, DayCounts, dt.date]:
    days, target, start, end, as_of = SCENARIOS[name]
    return progress_chart(days, target=target, start=start, end=end, as_of=as_of), days, as_of


# --- Input ------------------------------------------------------------------------------


def test_count_days_adds_up_attempts_and_those_that_count_per_day() -> None:
    days = count_days([(D(2026, 3, 1), True), (D(2026, 3, 1), False), (D(2026, 3, 2), False)])
    assert days.attempts == {D(2026, 3, 1).toordinal(): 2, D(2026, 3, 2).toordinal(): 1}
    assert days.counting == {D(2026, 3, 1).toordinal(): 1}


# --- Cumulative progress ----------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_cumulative_line_ends_at_the_progress_on_the_as_of_date(name: str) -> None:
    chart, days, as_of = scenario_chart(name)
    assert chart.progress == counted_by(days, as_of)
    assert chart.steps[-1] == chart.today
    assert chart.today is not None
    assert chart.today.y == value_y(chart, chart.progress)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_cumulative_line_moves_right_and_never_goes_down(name: str) -> None:
    chart, _, _ = scenario_chart(name)
    xs = [p.x for p in chart.steps]
    ys = [p.y for p in chart.steps]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # pixels grow downward
    assert xs[0] >= 0 and xs[-1] <= PROGRESS_RIGHT


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_y_ticks_cover_the_target_and_the_progress(name: str) -> None:
    chart, _, _ = scenario_chart(name)
    values = [tick.value for tick in chart.y_ticks]
    assert values[0] == 0
    assert values[-1] == chart.axis_top >= max(chart.target, chart.progress)
    assert chart.y_ticks[-1].y == PROGRESS_TOP
    assert chart.y_ticks[0].y == PROGRESS_BOTTOM
    assert chart.goal_y == value_y(chart, chart.target)


def test_a_step_line_rises_on_each_day_with_attempts_that_count() -> None:
    days = count_days([(D(2026, 3, 1), True), (D(2026, 3, 1), True), (D(2026, 3, 3), False),
                       (D(2026, 3, 4), True)])
    chart = progress_chart(days, target=10, start=D(2026, 3, 1), end=D(2026, 3, 11),
                           as_of=D(2026, 3, 6))
    # Ten days from March 1 to 11: a day is a tenth of the width. A no is 18 px (180 / 10).
    assert [(p.x, p.y) for p in chart.steps] == [
        (0.0, 198.0),
        (0.0, 198.0), (0.0, 162.0),  # two on March 1
        (29.1, 162.0), (29.1, 144.0),  # one on March 4; the yes on March 3 does not count
        (48.5, 144.0),  # today, March 6
    ]


def test_attempts_before_the_start_are_where_the_line_begins() -> None:
    days = nos(D(2026, 2, 20), D(2026, 2, 21), D(2026, 3, 2))
    chart = progress_chart(days, target=10, start=D(2026, 3, 1), end=D(2026, 3, 31),
                           as_of=D(2026, 3, 5))
    assert chart.steps[0] == charts.Point(0.0, value_y(chart, 2))
    assert chart.progress == 3


@pytest.mark.parametrize(("top", "step"), [
    (1, 1), (3, 1), (5, 1), (6, 2), (7, 2), (10, 2), (11, 5), (12, 5), (25, 5), (26, 10),
    (100, 20), (101, 50), (10_000, 2_000), (1_000_000, 200_000),
])
def test_nice_steps_are_one_two_or_five_times_a_power_of_ten(top: int, step: int) -> None:
    assert nice_step(top) == step


@pytest.mark.parametrize("top", [1, 7, 10, 12, 99, 100, 1234, 10_000, 1_000_000])
def test_tick_values_cover_the_top_in_at_most_five_steps(top: int) -> None:
    values = tick_values(top)
    assert values[0] == 0
    assert values[-1] >= top
    assert len(values) - 1 <= 5
    assert len({b - a for a, b in zip(values, values[1:], strict=False)}) == 1


def test_the_pace_line_runs_from_the_start_at_zero_to_the_end_at_the_target() -> None:
    chart = progress_chart(nos(D(2026, 1, 5)), target=100, start=D(2026, 1, 1),
                           end=D(2026, 12, 31), as_of=D(2026, 3, 1))
    assert chart.pace is not None
    assert chart.pace[0] == charts.Point(0.0, PROGRESS_BOTTOM)
    assert chart.pace[1] == charts.Point(PROGRESS_RIGHT, chart.goal_y)


def test_the_chart_says_where_the_challenge_stands_as_stats_json_does() -> None:
    days = spread(300, D(2026, 1, 1), D(2026, 6, 30))
    as_of, start, end = D(2026, 6, 30), D(2026, 1, 1), D(2026, 12, 31)
    chart = progress_chart(days, target=500, start=start, end=end, as_of=as_of)
    numbers = pace(chart.progress, target=500, start=start, end=end, as_of=as_of)
    assert chart.expected == numbers["expected"]
    assert chart.ahead == numbers["ahead"]
    assert chart.projected_finish is not None
    assert chart.projected_finish.isoformat() == numbers["projected_finish"]


def test_the_projection_reaches_the_target_on_the_projected_finish() -> None:
    # 60 of 100 in the first 30 days of a year: the goal comes on day 50.
    days = count_days((D(2026, 1, 1) + dt.timedelta(days=i // 2), True) for i in range(60))
    chart = progress_chart(days, target=100, start=D(2026, 1, 1), end=D(2026, 12, 31),
                           as_of=D(2026, 1, 30))
    assert chart.projected_finish == D(2026, 2, 19)  # 40 more at 2 a day
    assert chart.projection is not None
    start, finish = chart.projection
    assert start == chart.today
    assert finish.y == chart.goal_y
    assert finish.x == round(PROGRESS_RIGHT * (D(2026, 2, 19) - D(2026, 1, 1)).days / 364, 2)


def test_the_projection_is_cut_off_at_the_right_edge_on_its_own_line() -> None:
    # 10 of 100 in 100 days of a 200-day challenge: the goal would come on day 1000.
    days = count_days((D(2026, 1, 1) + dt.timedelta(days=10 * i), True) for i in range(10))
    chart = progress_chart(days, target=100, start=D(2026, 1, 1), end=D(2026, 7, 19),
                           as_of=D(2026, 4, 10))
    assert chart.projection is not None
    start, edge = chart.projection
    assert edge.x == PROGRESS_RIGHT
    # On the line from today toward (finish, target): 90 more over 900 days, 100 days shown.
    assert edge.y == pytest.approx(value_y(chart, 20), abs=0.02)
    assert start.y > edge.y > chart.goal_y


def test_without_an_end_there_is_no_pace_line_and_the_projection_gets_as_much_axis_again() -> None:
    chart = progress_chart(nos(D(2026, 3, 1), D(2026, 3, 5)), target=100, start=D(2026, 3, 1),
                           end=None, as_of=D(2026, 3, 10))
    assert chart.pace is None
    assert (chart.expected, chart.ahead) == (None, None)
    assert chart.last == D(2026, 3, 20)  # ten days so far, ten more
    assert chart.projection is not None
    assert chart.projection[1].x == PROGRESS_RIGHT


def test_without_an_end_the_projection_gets_at_least_a_week() -> None:
    chart = progress_chart(nos(D(2026, 3, 1)), target=100, start=D(2026, 3, 1), end=None,
                           as_of=D(2026, 3, 1))
    assert chart.last == D(2026, 3, 8)


def test_without_an_end_and_without_progress_the_axis_ends_today() -> None:
    chart = progress_chart(nos(), target=100, start=D(2026, 3, 1), end=None, as_of=D(2026, 3, 10))
    assert chart.last == D(2026, 3, 10)
    assert chart.projection is None
    assert chart.today == charts.Point(PROGRESS_RIGHT, PROGRESS_BOTTOM)


def test_without_an_end_a_projection_inside_the_axis_ends_on_the_goal() -> None:
    # 9 of 10 in 9 days: one more day.
    days = nos(*[D(2026, 3, 1) + dt.timedelta(days=i) for i in range(9)])
    chart = progress_chart(days, target=10, start=D(2026, 3, 1), end=None, as_of=D(2026, 3, 9))
    assert chart.last == D(2026, 3, 10)
    assert chart.projection is not None
    assert chart.projection[1] == charts.Point(PROGRESS_RIGHT, chart.goal_y)


def test_once_the_goal_is_reached_there_is_no_projection() -> None:
    days = nos(*[D(2026, 3, 1)] * 12)
    chart = progress_chart(days, target=10, start=D(2026, 3, 1), end=D(2026, 3, 31),
                           as_of=D(2026, 3, 5))
    assert chart.projection is None
    assert chart.axis_top >= 12


def test_before_the_start_there_is_no_line_and_no_today() -> None:
    chart = progress_chart(nos(D(2026, 2, 20)), target=10, start=D(2026, 3, 1),
                           end=D(2026, 3, 31), as_of=D(2026, 2, 25))
    assert not chart.started
    assert chart.steps == ()
    assert chart.today is None and chart.projection is None
    assert chart.pace is not None
    assert chart.rows == ()


def test_after_the_end_the_axis_runs_on_to_the_as_of_date() -> None:
    chart = progress_chart(nos(D(2026, 3, 1), D(2026, 4, 10)), target=10, start=D(2026, 3, 1),
                           end=D(2026, 3, 31), as_of=D(2026, 4, 30))
    assert chart.last == D(2026, 4, 30)
    assert chart.today is not None and chart.today.x == PROGRESS_RIGHT
    assert chart.pace is not None and chart.pace[1].x < PROGRESS_RIGHT


@pytest.mark.parametrize(("as_of", "start", "end"), [
    (dt.date.max, D(9990, 1, 1), None),
    (dt.date.max, dt.date.min, None),
    (dt.date.max, D(9999, 12, 1), dt.date.max),
    (dt.date.min, dt.date.min, None),
    (dt.date.min, dt.date.min, D(1, 1, 31)),
])
def test_the_edges_of_the_calendar_do_not_break_the_charts(
        as_of: dt.date, start: dt.date, end: dt.date | None) -> None:
    days = nos(start, as_of)
    made = dashboard_charts([(start, True), (as_of, True)], target=1_000_000, start=start,
                            end=end, as_of=as_of, by_month={}, by_category={},
                            outcome_keys=KEYS)
    assert made.progress.progress == 2
    assert made.progress.steps[-1].y == value_y(made.progress, 2)
    assert sum(c.count for b in made.heatmap.blocks for c in b.cells) + (
        made.heatmap.outside) == sum(days.attempts.values())


def test_the_numbers_table_has_the_progress_at_the_end_of_each_month() -> None:
    days = nos(D(2026, 1, 2), D(2026, 1, 31), D(2026, 3, 3))
    chart = progress_chart(days, target=12, start=D(2026, 1, 1), end=D(2026, 12, 31),
                           as_of=D(2026, 3, 10))
    assert [(r.date, r.added, r.progress, r.expected) for r in chart.rows] == [
        (D(2026, 1, 31), 2, 2, 1),  # 12 * 31 / 365 = 1.02
        (D(2026, 2, 28), 0, 2, 1),  # 12 * 59 / 365 = 1.94
        (D(2026, 3, 10), 1, 3, 2),  # 12 * 69 / 365 = 2.27
    ]
    assert chart.rows[-1].expected == chart.expected


def test_the_numbers_table_keeps_the_last_36_months() -> None:
    chart = progress_chart(nos(D(2020, 1, 5)), target=10, start=D(2020, 1, 1), end=None,
                           as_of=D(2026, 3, 10))
    assert len(chart.rows) == 36
    assert chart.rows[0].date == D(2023, 4, 30)
    assert chart.rows_left_out == 75 - 36
    assert chart.rows[0].progress == 1 and chart.rows[0].added == 0


# --- Date labels ------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "unit", "wide", "narrow"), [
    (7, "day", 7, 7),
    (16, "day", 16, 8),
    (30, "week", 12, 6),
    (84, "week", 12, 6),
    (153, "month", 12, 6),
    (365, "month", 12, 6),
    (730, "month", 12, 6),
    (3 * 366, "month", 12, 6),
    (5 * 365, "year", 12, 6),
    (3000 * 365, "year", 12, 6),
])
def test_date_labels_adapt_to_the_span(days: int, unit: str, wide: int, narrow: int) -> None:
    start = D(2026, 1, 1) if days < 1000 * 365 else D(2, 1, 1)
    end = start + dt.timedelta(days=days - 1)
    chart = progress_chart(nos(), target=10, start=start, end=end, as_of=start)
    ticks = chart.x_ticks
    assert ticks, "some labels"
    assert {t.unit for t in ticks} == {unit}
    assert len(ticks) <= wide
    assert len([t for t in ticks if not t.minor]) <= narrow
    xs = [t.x for t in ticks]
    assert xs == sorted(set(xs))
    assert xs[0] >= 0 and xs[-1] <= charts.LAST_LABEL_X
    if unit == "week":
        assert all(t.date.weekday() == 0 for t in ticks)
    if unit == "month":
        assert all(t.date.day == 1 for t in ticks)
    if unit == "year":
        assert all((t.date.month, t.date.day) == (1, 1) for t in ticks)
    assert ticks[0].full


def test_a_month_label_sits_on_the_first_of_the_month() -> None:
    chart = progress_chart(nos(), target=10, start=D(2026, 1, 1), end=D(2026, 12, 31),
                           as_of=D(2026, 1, 1))
    march = next(t for t in chart.x_ticks if t.date == D(2026, 3, 1))
    assert march.x == round(PROGRESS_RIGHT * 59 / 364, 2)


def test_month_labels_give_the_year_where_it_changes_on_wide_and_on_narrow_screens() -> None:
    chart = progress_chart(nos(), target=10, start=D(2025, 2, 1), end=D(2026, 11, 30),
                           as_of=D(2025, 2, 1))
    full = [t.date for t in chart.x_ticks if t.full]
    full_narrow = [t.date for t in chart.x_ticks if t.full_narrow]
    # Labels keep to the calendar: every other month from January on wide screens
    # (Mar, May, ...), every fourth on narrow ones (May, Sep, Jan, ...).
    assert [t.date.month for t in chart.x_ticks][:4] == [3, 5, 7, 9]
    assert [t.date.month for t in chart.x_ticks if not t.minor][:3] == [5, 9, 1]
    assert full == [D(2025, 3, 1), D(2026, 1, 1)]
    assert full_narrow == [D(2025, 5, 1), D(2026, 1, 1)]


# --- Calendar heatmap -------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_heatmap_has_one_cell_per_day_of_the_challenge(name: str) -> None:
    days, _, start, end, as_of = SCENARIOS[name]
    chart = heatmap(days, start=start, end=end, as_of=as_of)
    dates = [cell.date for block in chart.blocks for cell in block.cells]
    last = end or as_of
    assert dates == [start + dt.timedelta(days=i) for i in range((last - start).days + 1)]
    assert (chart.first, chart.last) == (start, last)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_heatmap_cells_count_every_attempt_of_their_day(name: str) -> None:
    days, _, start, end, as_of = SCENARIOS[name]
    chart = heatmap(days, start=start, end=end, as_of=as_of)
    for block in chart.blocks:
        for cell in block.cells:
            expected = 0 if cell.future else days.attempts.get(cell.date.toordinal(), 0)
            assert cell.count == expected
    assert chart.attempts + chart.outside == sum(days.attempts.values())
    assert chart.attempts == sum(b.attempts for b in chart.blocks) == sum(
        r.attempts for r in chart.rows)


def test_days_after_the_as_of_date_are_drawn_empty() -> None:
    chart = heatmap(nos(D(2026, 3, 10)), start=D(2026, 3, 1), end=D(2026, 3, 31),
                    as_of=D(2026, 3, 20))
    cells = chart.blocks[0].cells
    assert [c.date.day for c in cells if c.future] == list(range(21, 32))
    assert all(c.count == 0 and c.level == 0 for c in cells if c.future)
    assert [c.date.day for c in cells if c.count] == [10]


def test_weeks_are_columns_with_monday_on_top() -> None:
    chart = heatmap(nos(), start=D(2026, 3, 1), end=D(2026, 3, 31), as_of=D(2026, 3, 31))
    cells = {c.date: c for c in chart.blocks[0].cells}
    sunday, monday = cells[D(2026, 3, 1)], cells[D(2026, 3, 2)]
    assert sunday.y == charts.HEAT_TOP + 6 * charts.PITCH
    assert monday.y == charts.HEAT_TOP
    assert monday.x == sunday.x + charts.PITCH
    assert cells[D(2026, 3, 9)].x == monday.x + charts.PITCH


def test_a_year_is_two_blocks_split_at_july() -> None:
    chart = heatmap(nos(), start=D(2026, 1, 1), end=D(2026, 12, 31), as_of=D(2026, 5, 1))
    assert [(b.first, b.last) for b in chart.blocks] == [
        (D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 12, 31))]
    assert [b.year.value for b in chart.blocks] == [2026, 2026]


def test_a_long_challenge_shows_the_three_years_around_the_as_of_date() -> None:
    days = nos(D(2020, 2, 1), D(2024, 3, 1), D(2026, 3, 1))
    chart = heatmap(days, start=D(2020, 1, 1), end=D(2029, 12, 31), as_of=D(2026, 3, 10))
    assert len(chart.blocks) == charts.MAX_BLOCKS
    assert (chart.first, chart.last) == (D(2023, 7, 1), D(2026, 6, 30))
    assert chart.attempts == 2
    assert chart.outside == 1


def test_a_short_challenge_is_drawn_larger() -> None:
    short = heatmap(nos(), start=D(2026, 3, 9), end=D(2026, 3, 15), as_of=D(2026, 3, 9))
    (block,) = short.blocks
    assert block.display_width == block.width * charts.SHORT_ZOOM
    year = heatmap(nos(), start=D(2026, 1, 1), end=D(2026, 12, 31), as_of=D(2026, 3, 9))
    assert all(b.display_width == b.width for b in year.blocks)


def test_without_an_end_the_heatmap_of_a_challenge_not_started_is_empty() -> None:
    chart = heatmap(nos(D(2026, 2, 1)), start=D(2026, 3, 1), end=None, as_of=D(2026, 2, 10))
    assert chart.blocks == ()
    assert chart.outside == 1
    assert chart.start == D(2026, 3, 1)


def test_month_labels_start_on_the_week_of_the_first_and_never_crowd() -> None:
    # August 30 is a Sunday: its part month gives way to September, a column later.
    chart = heatmap(nos(), start=D(2026, 8, 30), end=D(2026, 12, 31), as_of=D(2026, 9, 1))
    (block,) = chart.blocks
    labels = [(label.value, (label.x - charts.HEAT_LEFT) // charts.PITCH)
              for label in block.months]
    assert labels == [(9, 1), (10, 5), (11, 9), (12, 14)]


@pytest.mark.parametrize(("busiest", "levels"), [
    (1, [0, 1]),
    (3, [0, 1, 2, 3]),
    (4, [0, 1, 2, 3, 4]),
    (8, [0, 1, 1, 2, 2, 3, 3, 4, 4]),
    (10, [0, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4]),
])
def test_days_are_shaded_in_five_steps_up_to_the_busiest_day(
        busiest: int, levels: list[int]) -> None:
    assert [level_of(n, busiest) for n in range(busiest + 1)] == levels


def test_the_legend_says_which_counts_each_shade_stands_for() -> None:
    chart = heatmap(nos(*[D(2026, 3, 2)] * 10), start=D(2026, 3, 1), end=D(2026, 3, 31),
                    as_of=D(2026, 3, 31))
    assert [(lv.level, lv.low, lv.high) for lv in chart.levels] == [
        (0, 0, 0), (1, 1, 3), (2, 4, 5), (3, 6, 8), (4, 9, 10)]
    assert chart.busiest == (D(2026, 3, 2), 10)


# --- Outcomes by month ------------------------------------------------------------------


def month(total_no: int, total_yes: int = 0, ghosted: int = 0) -> dict[str, Any]:
    outcomes = {"no": total_no, "yes": total_yes, "ghosted": ghosted, "pending": 0}
    return {"total": sum(outcomes.values()), "outcomes": outcomes}


BY_MONTH = {"2026-01": month(3, 1), "2026-02": month(0), "2026-03": month(6, 2, 2),
            "2026-04": month(1)}


def test_segment_heights_add_up_to_the_bar_and_every_bar_has_the_same_scale() -> None:
    chart = month_bars(BY_MONTH, KEYS)
    per_attempt = (chart.bottom - charts.BARS_TOP) / 10  # the busiest month has 10
    for bar, data in zip(chart.bars, BY_MONTH.values(), strict=True):
        assert bar.total == data["total"]
        assert sum(s.count for s in bar.segments) == bar.total
        assert sum(s.height for s in bar.segments) == pytest.approx(chart.bottom - bar.top)
        assert chart.bottom - bar.top == pytest.approx(bar.total * per_attempt, abs=0.01)


def test_segments_stack_in_outcome_order_from_the_bottom() -> None:
    bar = month_bars(BY_MONTH, KEYS).bars[2]
    assert [(s.key, s.count, s.percent) for s in bar.segments] == [
        ("no", 6, 60), ("yes", 2, 20), ("ghosted", 2, 20)]
    assert bar.segments[0].y + bar.segments[0].height == pytest.approx(charts.BARS_BOTTOM)
    for below, above in zip(bar.segments, bar.segments[1:], strict=False):
        assert above.y + above.height == pytest.approx(below.y, abs=0.01)
    assert bar.segments[-1].y == bar.top == charts.BARS_TOP  # the busiest month


def test_a_month_without_attempts_has_an_empty_bar() -> None:
    bar = month_bars(BY_MONTH, KEYS).bars[1]
    assert (bar.total, bar.segments, bar.top) == (0, (), charts.BARS_BOTTOM)


def test_the_bars_show_the_last_two_years_and_the_table_every_month() -> None:
    by_month = {f"{2023 + i // 12}-{i % 12 + 1:02d}": month(i % 5) for i in range(30)}
    chart = month_bars(by_month, KEYS)
    assert len(chart.bars) == 24
    assert (chart.bars[0].year, chart.bars[0].month) == (2023, 7)
    assert len(chart.rows) == 30
    assert chart.left_out == 6
    assert chart.total == sum(m["total"] for m in by_month.values())
    assert chart.outcome_totals[0] == chart.total  # all nos


def test_bars_are_labelled_every_month_up_to_a_year_then_every_other_month() -> None:
    year = month_bars({f"2026-{m:02d}": month(1) for m in range(1, 13)}, KEYS)
    assert all(bar.label for bar in year.bars)
    assert [bar.month for bar in year.bars if not bar.minor] == [1, 3, 5, 7, 9, 11]
    two = month_bars({f"{2025 + i // 12}-{i % 12 + 1:02d}": month(1) for i in range(24)}, KEYS)
    assert [bar.month for bar in two.bars if bar.label][:3] == [1, 3, 5]
    assert [(bar.year, bar.month) for bar in two.bars if bar.full] == [(2025, 1), (2026, 1)]


def test_without_months_there_are_no_bars() -> None:
    chart = month_bars({}, KEYS)
    assert (chart.bars, chart.rows, chart.busiest, chart.total) == ((), (), None, 0)


# --- Categories -------------------------------------------------------------------------


def test_categories_are_biggest_first_and_uncategorized_has_no_name() -> None:
    chart = category_bars({"work": month(2), "uncategorized": month(5), "dating": month(2, 1)},
                          KEYS)
    assert [(b.name, b.total) for b in chart.bars] == [(None, 5), ("dating", 3), ("work", 2)]
    assert chart.bars[0].width == 100.0
    assert chart.bars[1].width == 60.0


def test_a_category_bar_is_split_by_outcome_and_its_parts_fill_it() -> None:
    chart = category_bars({"work": month(3, 1), "dating": month(8)}, KEYS)
    work = chart.bars[1]
    assert [(s.key, s.count, s.percent) for s in work.segments] == [("no", 3, 75), ("yes", 1, 25)]
    assert sum(s.width for s in work.segments) == pytest.approx(work.width)
    assert work.segments[1].x == pytest.approx(work.segments[0].x + work.segments[0].width)


def test_more_categories_than_the_limit_share_one_last_bar() -> None:
    by_category = {f"c{i}": month(20 - i) for i in range(12)}
    chart = category_bars(by_category, KEYS, limit=8)
    assert len(chart.bars) == 9
    other = chart.bars[-1]
    assert (other.name, other.other, other.total) == (None, 4, 12 + 11 + 10 + 9)
    assert len(chart.rows) == 12
    assert sum(b.total for b in chart.bars) == sum(r.total for r in chart.rows)
    assert chart.height == 9 * charts.CATEGORY_ROW


# --- An attempt's place -----------------------------------------------------------------


def test_an_attempt_page_bar_fills_to_its_share_of_the_goal() -> None:
    position = attempt_position(412, 1000)
    assert (position.at, position.target, position.fill) == (412, 1000, 41.2)
    assert not position.past_goal


def test_an_attempt_past_the_goal_fills_the_bar() -> None:
    position = attempt_position(12, 10)
    assert position.fill == 100.0
    assert position.past_goal


def test_running_progress_counts_only_attempts_that_count() -> None:
    assert running_progress([True, False, True, True, False]) == [1, 1, 2, 3, 3]


# --- Colours ----------------------------------------------------------------------------


def test_outcome_chart_css_fills_with_the_site_colours_and_lighter_ones_in_the_dark() -> None:
    css = outcome_chart_css({"no": "#b42318", "maybe": "#000000"})
    assert ".chart .outcome-no { fill: #b42318; }" in css
    assert ".chart .outcome-maybe { fill: #000000; }" in css
    dark = css.split("@media (prefers-color-scheme: dark)")[1]
    assert ".chart .outcome-maybe { fill: #666666; }" in dark  # 40% of the way to white


# --- The macros -------------------------------------------------------------------------


def stub_t(key: str, **values: Any) -> str:
    """A UI string stub that shows its key and values, so tests can see what was asked."""
    return key + "(" + ",".join(f"{k}={values[k]}" for k in sorted(values)) + ")"


OUTCOMES = [SimpleNamespace(key=k, label=k.upper(), css_class=f"outcome-{k}") for k in KEYS]


@pytest.fixture(scope="module")
def macros() -> Any:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["t"] = stub_t
    env.filters["date"] = lambda value: value.isoformat()
    return env.get_template("_charts.html").module


def parse(markup: Any) -> ET.Element:
    """The macro's output as XML (it must be well-formed)."""
    return ET.fromstring(f"<root>{markup}</root>")


def check_accessible_svg(root: ET.Element) -> list[ET.Element]:
    """Every drawing is an image with a title and a description, and nothing has a style
    attribute or a script. Returns the drawings."""
    assert root.find(".//script") is None
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
    images = [svg for svg in root.iter("svg") if svg.get("role") == "img"
              and svg.get("aria-labelledby")]
    assert images
    for svg in images:
        title, desc = svg.find("title"), svg.find("desc")
        assert title is not None and desc is not None
        assert (title.text or "").strip() and (desc.text or "").strip()
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return images


def table_rows(root: ET.Element) -> list[list[str]]:
    """The body rows of the numbers table, which sits in a region the keyboard can reach
    (it scrolls sideways on a phone)."""
    tables = root.findall(".//table")
    assert len(tables) == 1
    regions = root.findall(".//div[@role='region'][@tabindex='0']")
    assert len(regions) == 1 and regions[0].get("aria-label")
    assert regions[0].find("table") is tables[0]
    return [["".join(cell.itertext()).strip() for cell in row]
            for row in tables[0].findall("tbody/tr")]


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_progress_macro_draws_an_accessible_chart_with_its_numbers(
        macros: Any, name: str) -> None:
    chart, _, _ = scenario_chart(name)
    root = parse(macros.progress(chart))
    (svg,) = check_accessible_svg(root)
    desc = "".join(svg.find("desc").itertext())  # type: ignore[union-attr]
    assert f"progress={chart.progress}" in desc
    assert table_rows(root) == [
        [r.date.isoformat(), str(r.added), str(r.progress)]
        + ([str(r.expected)] if chart.pace else []) for r in chart.rows]
    (line,) = root.findall(".//polyline")
    assert line.get("points") == chart.step_points


def test_the_progress_macro_before_the_start_says_when_it_starts(macros: Any) -> None:
    chart = progress_chart(nos(), target=10, start=D(2026, 3, 1), end=D(2026, 3, 31),
                           as_of=D(2026, 2, 25))
    root = parse(macros.progress(chart))
    (svg,) = check_accessible_svg(root)
    assert svg.findtext("desc") == "chart_not_started(date=2026-03-01)"
    assert root.find(".//polyline") is None
    assert root.find(".//table") is None


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_heatmap_macro_draws_a_titled_cell_per_day_and_its_numbers(
        macros: Any, name: str) -> None:
    days, _, start, end, as_of = SCENARIOS[name]
    chart = heatmap(days, start=start, end=end, as_of=as_of)
    root = parse(macros.heatmap(chart))
    images = check_accessible_svg(root)
    assert len(images) == len(chart.blocks)
    cells = [c for block in chart.blocks for c in block.cells]
    rects = [r for svg in images for r in svg.iter("rect")]
    assert len(rects) == len(cells)
    for rect, cell in zip(rects, cells, strict=True):
        title = rect.findtext("title") or ""
        assert cell.date.isoformat() in title
        assert ("future" in (rect.get("class") or "")) == cell.future
        if cell.count:
            assert f"count={cell.count}" in title
    assert table_rows(root) == [
        [f"chart_month_year(month=chart_month_{r.month}(),year={r.year})", str(r.attempts),
         str(r.active_days)] for r in chart.rows]


def test_the_heatmap_macro_of_a_challenge_not_started_says_when_it_starts(macros: Any) -> None:
    chart = heatmap(nos(), start=D(2026, 3, 1), end=None, as_of=D(2026, 2, 10))
    root = parse(macros.heatmap(chart))
    assert root.find(".//svg[@role='img']") is None
    assert "chart_not_started(date=2026-03-01)" in "".join(root.itertext())


def test_the_months_macro_draws_stacked_bars_and_their_numbers(macros: Any) -> None:
    chart = month_bars(BY_MONTH, KEYS)
    root = parse(macros.months(chart, OUTCOMES))
    check_accessible_svg(root)
    segments = [r for r in root.iter("rect") if "segment" in (r.get("class") or "")]
    assert len(segments) == sum(len(b.segments) for b in chart.bars)
    assert {r.get("class") for r in segments} == {
        "segment outcome-no", "segment outcome-yes", "segment outcome-ghosted"}
    assert table_rows(root) == [
        [f"chart_month_year(month=chart_month_{r.month}(),year={r.year})",
         *map(str, r.counts), str(r.total)] for r in chart.rows]
    legend = ["".join(li.itertext()).strip()
              for li in root.findall(".//ul[@class='chart-legend']/li")]
    assert legend == ["NO", "YES", "GHOSTED"]  # no pending this time


def test_the_categories_macro_draws_bars_and_their_numbers(macros: Any) -> None:
    chart = category_bars({"work": month(2), "uncategorized": month(5), "dating": month(2, 1)},
                          KEYS)
    root = parse(macros.categories(chart, OUTCOMES))
    (svg,) = check_accessible_svg(root)
    names = [t.text for t in svg.iter("text") if t.get("class") == "category-name"]
    assert names == ["chart_uncategorized()", "dating", "work"]
    assert table_rows(root) == [
        ["chart_uncategorized()", "5", "0", "0", "0", "5"],
        ["dating", "2", "1", "0", "0", "3"],
        ["work", "2", "0", "0", "0", "2"],
    ]


def test_a_category_name_is_escaped(macros: Any) -> None:
    chart = category_bars({"<b>R&D</b>": month(1)}, KEYS)
    root = parse(macros.categories(chart, OUTCOMES))
    names = [t.text for t in root.iter("text") if t.get("class") == "category-name"]
    assert names == ["<b>R&D</b>"]  # text, not markup


def test_the_macros_say_so_when_there_is_nothing_to_draw(macros: Any) -> None:
    for markup in (macros.months(month_bars({}, KEYS), OUTCOMES),
                   macros.categories(category_bars({}, KEYS), OUTCOMES)):
        root = parse(markup)
        assert root.find(".//svg") is None
        assert "chart_no_attempts()" in "".join(root.itertext())


@pytest.fixture(scope="module")
def page_macros() -> Any:
    """_position.html, where the attempt page's position lives (no chart code to compile)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals["t"] = stub_t
    env.filters["date"] = lambda value: value.isoformat()
    return env.get_template("_position.html").module


def test_the_attempt_position_macro_writes_the_place_and_a_bar(page_macros: Any) -> None:
    macros = page_macros
    root = parse(macros.attempt_position(attempt_position(412, 1000), "No"))
    assert root.findtext(".//p") == "chart_attempt_position(label=No,number=412,target=1000)"
    fill = root.find(".//rect[@class='fill']")
    assert fill is not None and fill.get("width") == "41.2"
    other = parse(macros.attempt_position(attempt_position(411, 1000, counts=False), "Yes"))
    assert other.findtext(".//p") == "chart_attempt_progress(number=411,target=1000)"


# --- The theme's words ------------------------------------------------------------------


def chart_strings(language: str) -> dict[str, Any]:
    """The theme's strings for a language with the chart strings merged in, as the
    integrator will merge them."""
    strings: dict[str, Any] = {}
    for name in ("en.yml", f"{language}.yml"):
        strings.update(yaml.safe_load((THEME / "i18n" / name).read_text("utf-8")))
    return strings


def keys_and_placeholders(language: str) -> dict[str, set[str]]:
    data = yaml.safe_load((THEME / "i18n" / f"{language}.yml").read_text("utf-8"))
    found = {}
    for key, value in data.items():
        if not key.startswith("chart_"):
            continue  # the other strings are the i18n tests' business
        texts = value.values() if isinstance(value, dict) else [value]
        found[key] = {p for text in texts for p in re.findall(r"\{(\w+)\}", text)}
    return found


def test_the_dutch_strings_have_the_same_keys_and_placeholders_as_the_english() -> None:
    assert keys_and_placeholders("nl") == keys_and_placeholders("en")


def test_every_string_the_macros_ask_for_is_in_the_chart_strings() -> None:
    source = (THEME / "templates" / "_charts.html").read_text("utf-8")
    asked = set(re.findall(r"t\('(\w+)'", source))
    asked |= {f"chart_month_{m}" for m in range(1, 13)}
    asked |= {f"chart_weekday_{w}" for w in charts.LABELLED_WEEKDAYS}
    asked = {key.rstrip("_") for key in asked}  # t('chart_month_' ~ m) is listed above
    assert asked - {"chart_month", "chart_weekday"} <= set(keys_and_placeholders("en"))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_chart_renders_with_the_theme_strings(language: str) -> None:
    strings = chart_strings(language)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    words = Language(language, strings)
    env.globals["t"] = words.t
    env.filters["date"] = words.format_date
    module: Any = env.get_template("_charts.html").module
    made = dashboard_charts(
        [(D(2026, 3, 1), True), (D(2026, 3, 1), True), (D(2026, 3, 14), False)],
        target=10, start=D(2026, 3, 1), end=D(2026, 5, 31), as_of=D(2026, 3, 20),
        by_month={"2026-03": month(2, 1)}, by_category={"work": month(2, 1)},
        outcome_keys=KEYS)
    rendered: list[Callable[[], Any]] = [
        lambda: module.progress(made.progress), lambda: module.heatmap(made.heatmap),
        lambda: module.months(made.months, OUTCOMES),
        lambda: module.categories(made.categories, OUTCOMES),
        lambda: env.get_template("_position.html").module.attempt_position(
            attempt_position(2, 10), "No")]
    text = "".join("".join(parse(render()).itertext()) for render in rendered)
    attempts = "2 attempts on 1 March 2026" if language == "en" else "2 pogingen op 1 maart 2026"
    assert attempts in text
    assert ("No #2 of 10" if language == "en" else "No #2 van 10") in text
    assert "{" not in text, "a placeholder was left unfilled"
