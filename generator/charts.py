"""Chart geometry for the dashboard and the attempt pages: numbers, never markup.

Each function takes plain data (days with attempts, the by_month and
by_category dicts of stats.json, dates) and returns a frozen dataclass of
positions; themes/default/templates/_charts.html turns them into SVG and
writes every word (month names, dates, sentences) in the site's language.
Nothing here reads files, the clock or templates.

Units. x is a percentage of the chart's width (0-100) and y is in CSS pixels
from the chart's top: the SVG stretches to any width, from a 360 px phone to
a desktop, while its text keeps its size. Lines are drawn in a nested SVG
whose viewBox is `0 0 100 <height>` with preserveAspectRatio="none", so the
same numbers serve both. The calendar heatmap is the exception: its cells must
stay square, so each block has its own viewBox in cell units and scales whole.

Days are ordinals (date.toordinal()) inside this module, so the edges of the
calendar (year 1, year 9999) never overflow date arithmetic.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

from generator.stats import (  # noqa: F401 (count_days and position_fill: charts' own API too)
    DayCounts,
    count_days,
    days_elapsed,
    days_to_finish,
    position_fill,
    projected_finish,
)

MAX_ORDINAL = dt.date.max.toordinal()


# --- Input ------------------------------------------------------------------------------


# --- Shared pieces ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    """Percent of the chart's width."""
    y: float
    """Pixels from the chart's top."""


@dataclass(frozen=True, slots=True)
class YTick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class XTick:
    """A date on the time axis, with how to write it."""

    x: float
    date: dt.date
    unit: str
    """"day", "week", "month" or "year": the template writes the day with its
    month, the month, or the year."""
    full: bool
    """Write the next larger unit too (the month with a day, the year with a month):
    on the first label and where it changes."""
    full_narrow: bool
    """The same among the labels narrow screens keep: a label that is not full may
    be the first of its year (or month) there."""
    minor: bool
    """Left out on narrow screens, where only every other (or every third) label fits."""


def svg_points(points: Sequence[Point]) -> str:
    """An SVG points list ("x,y x,y ...") for a polyline or polygon."""
    return " ".join([f"{p.x},{p.y}" for p in points])


def nice_step(top: int, intervals: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that covers `top` in at most `intervals` steps."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * intervals >= top:
                return step * factor
        step *= 10


def tick_values(top: int) -> list[int]:
    """0 to the first multiple of a nice step at or above `top` (at least 1), by that step."""
    top = max(top, 1)
    step = nice_step(top)
    return list(range(0, -(-top // step) * step + 1, step))


def _r(value: float) -> float:
    return round(value, 2)


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


MONTH_STRIDES = (1, 2, 3, 4, 6, 12)


def _strides(count: int, choices: Sequence[int], wide: int, narrow: int) -> tuple[int, int]:
    """A stride for wide screens (at most `wide` labels out of `count`) and a multiple of it
    for narrow ones (at most `narrow`), so narrow screens show a subset of the same labels."""
    stride = next((s for s in choices if -(-count // s) <= wide), choices[-1])
    narrow_stride = next((s for s in choices if s % stride == 0 and -(-count // s) <= narrow),
                         choices[-1])
    return stride, narrow_stride


# --- Cumulative progress ----------------------------------------------------------------

PROGRESS_HEIGHT = 240
"""Pixels: the plot, then a row of date labels (and the year below a month's)."""
PROGRESS_TOP = 18
PROGRESS_BOTTOM = 198
PROGRESS_LABEL_Y = 218
PROGRESS_RIGHT = 97.0
"""Percent: room for the marker of today at the right edge."""
LAST_LABEL_X = 93.0
"""Percent: a date label further right would not fit on a phone."""
NO_END_MIN_FUTURE = 7
"""Days: without an end, the projection gets at least a week of axis."""


@dataclass(frozen=True, slots=True)
class ProgressRow:
    """One row of the numbers table: a month, up to its last day or the as-of date."""

    date: dt.date
    added: int
    progress: int
    expected: int | None
    """Where the pace line stands on that date; None without an end."""


@dataclass(frozen=True)
class ProgressChart:
    """Counted progress per day as a step line, against the straight pace line."""

    height: int
    top: float
    bottom: float
    label_y: float
    first: dt.date
    """First day on the x axis: the start of the challenge."""
    last: dt.date
    """Last day on the x axis: the end, the as-of date or the projection."""
    x_ticks: tuple[XTick, ...]
    y_ticks: tuple[YTick, ...]
    axis_top: int
    """The value at the top of the plot (the last y tick)."""
    goal_y: float
    steps: tuple[Point, ...]
    """Progress on each day from the start to the as-of date, as steps; empty before the
    start. Attempts dated before the start are where the line begins."""
    pace: tuple[Point, Point] | None
    """From (start, 0) to (end, target); None without an end."""
    projection: tuple[Point, Point] | None
    """From today toward (projected finish, target), cut off at the right edge."""
    today: Point | None
    target: int
    progress: int
    as_of: dt.date
    start: dt.date
    end: dt.date | None
    expected: int | None
    ahead: int | None
    projected_finish: dt.date | None
    rows: tuple[ProgressRow, ...]
    rows_left_out: int
    """Months before the rows (the table shows the last 36)."""

    @property
    def started(self) -> bool:
        return self.as_of >= self.start

    @cached_property
    def step_points(self) -> str:
        return svg_points(self.steps)

    @property
    def area_points(self) -> str:
        """The step line closed along the bottom: the shaded area under it."""
        if not self.steps:
            return ""
        return (f"{self.steps[0].x},{self.bottom} {self.step_points} "
                f"{self.steps[-1].x},{self.bottom}")


MAX_PROGRESS_ROWS = 36


def progress_chart(days: DayCounts, *, target: int, start: dt.date, end: dt.date | None,
                   as_of: dt.date) -> ProgressChart:
    """The cumulative progress chart.

    The x axis runs from the start to the end (or to the as-of date when that is
    later). Without an end it runs to the as-of date, or on to the projected finish
    when there is one, but at most as far into the future as the challenge has
    run so far (at least a week), so the past keeps half the width or more.
    The y axis covers the target and the progress, in nice steps.
    """
    first, today_ord = start.toordinal(), as_of.toordinal()
    end_ord = end.toordinal() if end is not None else None
    counting = sorted(days.counting.items())
    ords = [day for day, _ in counting]
    totals = list(accumulate(n for _, n in counting))

    def progress_by(day: int) -> int:
        i = bisect_right(ords, day)
        return totals[i - 1] if i else 0

    progress = progress_by(today_ord)
    started = today_ord >= first
    elapsed = days_elapsed(start, end, as_of)
    remaining = max(target - progress, 0)
    to_finish = days_to_finish(progress, remaining, elapsed) if started else None

    if end_ord is not None and end_ord >= first:
        last = max(end_ord, today_ord)
    elif not started:
        last = first
    elif to_finish:
        last = today_ord + min(to_finish, max(today_ord - first + 1, NO_END_MIN_FUTURE))
    else:
        last = today_ord
    last = min(last, MAX_ORDINAL)
    x_of = _day_scale(first, last, PROGRESS_RIGHT)

    values = tick_values(max(target, progress))
    axis_top = values[-1]

    def y_of(value: float) -> float:
        return _r(PROGRESS_BOTTOM - (PROGRESS_BOTTOM - PROGRESS_TOP) * value / axis_top)

    steps: list[Point] = []
    today = projection = None
    if started:
        level_y = y_of(progress_by(first - 1))  # counted before the start
        steps.append(Point(0.0, level_y))
        for i in range(bisect_right(ords, first - 1), bisect_right(ords, today_ord)):
            x, y = x_of(ords[i]), y_of(totals[i])
            steps += [Point(x, level_y), Point(x, y)]
            level_y = y
        today = Point(x_of(today_ord), y_of(progress))
        if steps[-1] != today:
            steps.append(today)
        if to_finish:
            finish = Point(x_of(today_ord + to_finish), y_of(target))
            if finish.x > PROGRESS_RIGHT:  # cut off at the edge, on the same line
                share = (PROGRESS_RIGHT - today.x) / (finish.x - today.x)
                finish = Point(PROGRESS_RIGHT, _r(today.y + (finish.y - today.y) * share))
            projection = (today, finish)

    pace = None
    expected = ahead = None
    if end_ord is not None and end_ord >= first:
        pace = (Point(0.0, y_of(0)), Point(x_of(end_ord), y_of(target)))
        if started:
            total_days = end_ord - first + 1
            expected = target * elapsed // total_days
            ahead = progress - expected

    rows, left_out = _progress_rows(first, today_ord, end_ord, target, progress_by)
    return ProgressChart(
        height=PROGRESS_HEIGHT, top=PROGRESS_TOP, bottom=PROGRESS_BOTTOM,
        label_y=PROGRESS_LABEL_Y,
        first=start, last=dt.date.fromordinal(last),
        x_ticks=tuple(_time_ticks(first, last, PROGRESS_RIGHT)),
        y_ticks=tuple(YTick(y_of(v), v) for v in values), axis_top=axis_top,
        goal_y=y_of(target),
        steps=tuple(steps), pace=pace, projection=projection, today=today,
        target=target, progress=progress, as_of=as_of, start=start, end=end,
        expected=expected, ahead=ahead,
        projected_finish=projected_finish(progress, remaining, elapsed, as_of)
        if started else None,
        rows=rows, rows_left_out=left_out,
    )


def _progress_rows(first: int, today: int, end: int | None, target: int,
                   progress_by: Callable[[int], int]) -> tuple[tuple[ProgressRow, ...], int]:
    """Progress at the end of each month from the start to the as-of date (the last 36)."""
    if today < first:
        return (), 0
    first_month = _month_index(dt.date.fromordinal(first))
    last_month = _month_index(dt.date.fromordinal(today))
    shown_from = max(first_month, last_month - MAX_PROGRESS_ROWS + 1)
    total_days = end - first + 1 if end is not None and end >= first else None
    rows = []
    before = progress_by(max(first, _month_start(shown_from).toordinal()) - 1)
    for month in range(shown_from, last_month + 1):
        day = today if month == last_month else _month_start(month + 1).toordinal() - 1
        reached = progress_by(day)
        expected = None
        if total_days is not None:
            expected = target * min(day - first + 1, total_days) // total_days
        rows.append(ProgressRow(dt.date.fromordinal(day), reached - before, reached, expected))
        before = reached
    return tuple(rows), shown_from - first_month


def _day_scale(first: int, last: int, width: float) -> Callable[[int], float]:
    """x of a day: the first day at 0, the last at `width`.

    A day is a point, as on a calendar: the line reaches a day's total at that
    day's label, and today's marker sits on today.
    """
    days = max(last - first, 1)

    def x_of(day: int) -> float:
        return _r(width * (day - first) / days)

    return x_of


def _time_ticks(first: int, last: int, width: float) -> list[XTick]:
    """Date labels for an axis from day `first` (at 0) to day `last` (at `width`).

    The unit follows the span: days up to 16 days, Mondays up to 12 weeks, months up
    to three years, years beyond. Wide screens get up to about 12 labels, narrow ones
    about half of them (the others are `minor`).
    """
    span = last - first + 1
    x_of = _day_scale(first, last, width)
    found: list[tuple[int, str, bool]] = []  # (day, unit, minor)
    if span <= 16:
        narrow = 1 if span <= 8 else 2
        found = [(day, "day", (day - first) % narrow != 0) for day in range(first, last + 1)]
    elif span <= 84:
        monday = first + (-(first - 1)) % 7  # date(1, 1, 1) was a Monday
        found = [(day, "week", (day - monday) % 14 != 0) for day in range(monday, last + 1, 7)]
    elif span <= 3 * 366:
        first_date, last_date = dt.date.fromordinal(first), dt.date.fromordinal(last)
        start_month = _month_index(first_date) + (first_date.day != 1)
        end_month = _month_index(last_date)
        stride, narrow = _strides(end_month - start_month + 1, MONTH_STRIDES, 12, 6)
        aligned = start_month + (-start_month) % stride
        found = [(_month_start(m).toordinal(), "month", m % narrow != 0)
                 for m in range(aligned, end_month + 1, stride)]
    else:
        first_date, last_date = dt.date.fromordinal(first), dt.date.fromordinal(last)
        start_year = first_date.year + (first_date.timetuple().tm_yday != 1)
        end_year = last_date.year
        choices = [f * 10 ** p for p in range(4) for f in (1, 2, 5)]
        stride, narrow = _strides(end_year - start_year + 1, choices, 12, 6)
        aligned = start_year + (-start_year) % stride
        found = [(dt.date(year, 1, 1).toordinal(), "year", year % narrow != 0)
                 for year in range(aligned, end_year + 1, stride)]

    ticks = []
    previous = previous_major = None
    for day, unit, minor in found:
        x = x_of(day)
        if x > LAST_LABEL_X:
            break
        date = dt.date.fromordinal(day)
        full = unit == "week" or _changed(previous, date, unit)
        full_narrow = not minor and (unit == "week" or _changed(previous_major, date, unit))
        ticks.append(XTick(x, date, unit, full, full_narrow, minor))
        previous = date
        previous_major = previous_major if minor else date
    return ticks


def _changed(before: dt.date | None, date: dt.date, unit: str) -> bool:
    """Does the month (of a day label) or the year (of a month label) differ from before?"""
    if before is None:
        return True
    return before.month != date.month if unit == "day" else before.year != date.year


# --- Calendar heatmap -------------------------------------------------------------------

CELL = 9
"""Heatmap units (pixels at full size): one day's square..."""
PITCH = 11
"""...and the distance to the next one. A half-year block is then 325 wide: two fit
side by side in the theme's column, and one shrinks little on a phone."""
HEAT_LEFT = 30
"""Room for the weekday labels."""
HEAT_TOP = 16
"""Room for the month labels."""
HEAT_MIN_COLUMNS = 3
"""A block is at least this many weeks wide, so a month label fits."""
SHORT_ZOOM = 1.5
"""Challenges of a quarter or less have few cells: they are drawn this much larger."""
MAX_BLOCKS = 6
"""Half-years: the heatmap shows at most three years, those around the as-of date."""
LABELLED_WEEKDAYS = (0, 2, 4)
"""Monday, Wednesday and Friday (Monday is 0)."""


@dataclass(frozen=True, slots=True)
class Cell:
    x: int
    y: int
    date: dt.date
    count: int
    level: int
    """0 (no attempt) to 4 (the busiest days)."""
    future: bool
    """After the as-of date: drawn empty."""


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    value: int
    """The month (1-12) of a month label, the weekday (0 = Monday) of a weekday label,
    the year of a year label."""


@dataclass(frozen=True)
class HeatmapBlock:
    """Half a year (or the part of it in the challenge): weeks as columns, Monday on top."""

    first: dt.date
    last: dt.date
    width: int
    height: int
    """The viewBox: cells, labels and gaps in heatmap units."""
    display_width: float
    display_height: float
    """The size on the page in pixels (the stylesheet lets it shrink to fit)."""
    cells: tuple[Cell, ...]
    year: Label
    """The year, above the weekday labels."""
    months: tuple[Label, ...]
    weekdays: tuple[Label, ...]
    attempts: int
    active_days: int


@dataclass(frozen=True, slots=True)
class Level:
    """The counts of attempts a day that a shade stands for, from low to high."""

    level: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class HeatmapRow:
    year: int
    month: int
    attempts: int
    active_days: int


@dataclass(frozen=True)
class Heatmap:
    """One cell per day of the challenge, shaded by the attempts of that day."""

    start: dt.date
    blocks: tuple[HeatmapBlock, ...]
    levels: tuple[Level, ...]
    first: dt.date | None
    """First day shown (None when nothing is: no end, and the start is still ahead)."""
    last: dt.date | None
    attempts: int
    """Attempts on the days shown."""
    active_days: int
    busiest: tuple[dt.date, int] | None
    """The first of the days with the most attempts."""
    outside: int
    """Attempts not shown: before the start, after the end, or before the three years
    shown. The template says so, rather than dropping them silently."""
    rows: tuple[HeatmapRow, ...]
    cell: int = CELL
    """The side of a day's square, in the blocks' units."""


def level_of(count: int, busiest: int) -> int:
    """The shade of a day: its count itself up to 4 a day, else four equal bands up to the
    busiest day's count."""
    if count <= 0:
        return 0
    if busiest <= 4:
        return min(count, 4)
    return 1 + (count - 1) * 4 // busiest


def _levels(busiest: int) -> tuple[Level, ...]:
    """What each shade stands for. Every shade gets at least one count: up to 4 a day
    each count is its own shade, and above that a shade's band is less than one count
    wide, so counts 1 to the busiest step through all four."""
    levels = [Level(0, 0, 0)]
    for level in range(1, 5):
        counts = [n for n in range(1, max(busiest, 4) + 1) if level_of(n, busiest) == level]
        levels.append(Level(level, counts[0], counts[-1]))
    return tuple(levels)


def _half_year(day: int) -> int:
    date = dt.date.fromordinal(day)
    return date.year * 2 + (date.month > 6)


def _half_year_bounds(half: int) -> tuple[int, int]:
    year, second = divmod(half, 2)
    if second:
        return dt.date(year, 7, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    return dt.date(year, 1, 1).toordinal(), dt.date(year, 6, 30).toordinal()


def heatmap(days: DayCounts, *, start: dt.date, end: dt.date | None,
            as_of: dt.date) -> Heatmap:
    """The calendar heatmap of the challenge window: start to end (or to the as-of date).

    One block per half-year, so a block fits a phone and two side by side make a
    year on a wide screen (the stylesheet wraps them). Long challenges show the
    three years around the as-of date.
    """
    first, today = start.toordinal(), as_of.toordinal()
    if end is not None and end >= start:
        last = end.toordinal()
    elif today >= first:
        last = today
    else:
        return Heatmap(start, (), _levels(0), None, None, 0, 0, None,
                       sum(days.attempts.values()), ())

    focus = min(max(today, first), last)
    first_half = max(_half_year(first), min(_half_year(focus), _half_year(last)) - MAX_BLOCKS + 1)
    halves = range(first_half, min(first_half + MAX_BLOCKS, _half_year(last) + 1))
    shown_first = max(first, _half_year_bounds(halves[0])[0])
    shown_last = min(last, _half_year_bounds(halves[-1])[1])

    counts = days.attempts
    past = [(day, n) for day, n in counts.items() if shown_first <= day <= min(shown_last, today)]
    busiest_count = max((n for _, n in past), default=0)
    busiest = min((day for day, n in past if n == busiest_count), default=None)

    zoom = SHORT_ZOOM if shown_last - shown_first < 13 * 7 else 1.0
    blocks = []
    for half in halves:
        low, high = _half_year_bounds(half)
        blocks.append(_block(max(low, shown_first), min(high, shown_last), today, counts,
                             busiest_count, zoom))

    shown = sum(n for _, n in past)
    return Heatmap(
        start=start,
        blocks=tuple(blocks),
        levels=_levels(busiest_count),
        first=dt.date.fromordinal(shown_first),
        last=dt.date.fromordinal(shown_last),
        attempts=shown,
        active_days=len(past),
        busiest=(dt.date.fromordinal(busiest), busiest_count) if busiest is not None else None,
        outside=sum(counts.values()) - shown,
        rows=_heatmap_rows(past, shown_first, min(shown_last, today)),
    )


def _block(first: int, last: int, today: int, counts: Mapping[int, int],
           busiest: int, zoom: float) -> HeatmapBlock:
    monday = first - (first - 1) % 7
    columns = max((last - monday) // 7 + 1, HEAT_MIN_COLUMNS)
    cells = []
    attempts = active = 0
    for day in range(first, last + 1):
        count = counts.get(day, 0) if day <= today else 0
        attempts += count
        active += count > 0
        cells.append(Cell(HEAT_LEFT + (day - monday) // 7 * PITCH,
                          HEAT_TOP + (day - 1) % 7 * PITCH,
                          dt.date.fromordinal(day), count, level_of(count, busiest),
                          day > today))

    # A label over the week of each month's first day; one that would crowd the
    # one before it is left out, except the part month at the start, which gives way.
    placed: list[tuple[int, dt.date]] = []
    for month in range(_month_index(dt.date.fromordinal(first)),
                       _month_index(dt.date.fromordinal(last)) + 1):
        day = max(_month_start(month).toordinal(), first)
        column = (day - monday) // 7
        if placed and column - placed[-1][0] < 3:
            if len(placed) > 1 or placed[0][1].day == 1:
                continue
            placed.pop()
        placed.append((column, dt.date.fromordinal(day)))
    months = tuple(Label(HEAT_LEFT + column * PITCH, HEAT_TOP - 5, date.month)
                   for column, date in placed)

    weekdays = tuple(Label(0, HEAT_TOP + w * PITCH + CELL - 2, w) for w in LABELLED_WEEKDAYS)
    width, height = HEAT_LEFT + columns * PITCH - (PITCH - CELL), HEAT_TOP + 7 * PITCH
    return HeatmapBlock(
        first=dt.date.fromordinal(first), last=dt.date.fromordinal(last),
        width=width, height=height,
        display_width=_r(width * zoom), display_height=_r(height * zoom),
        cells=tuple(cells), months=months, weekdays=weekdays,
        year=Label(0, HEAT_TOP - 5, dt.date.fromordinal(first).year),
        attempts=attempts, active_days=active,
    )


def _heatmap_rows(past: list[tuple[int, int]], first: int, last: int) -> tuple[HeatmapRow, ...]:
    if last < first:
        return ()
    per_month: dict[int, list[int]] = {}
    for day, n in past:
        totals = per_month.setdefault(_month_index(dt.date.fromordinal(day)), [0, 0])
        totals[0] += n
        totals[1] += 1
    return tuple(
        HeatmapRow(month // 12, month % 12 + 1, *per_month.get(month, (0, 0)))
        for month in range(_month_index(dt.date.fromordinal(first)),
                           _month_index(dt.date.fromordinal(last)) + 1))


# --- Outcomes by month ------------------------------------------------------------------

BARS_HEIGHT = 210
BARS_TOP = 22
"""Room above the tallest bar for its total."""
BARS_BOTTOM = 170
BARS_LABEL_Y = 188
"""The month under a bar; the year, where it is written, goes on a line below."""
MAX_MONTH_BARS = 24
"""The chart shows the last two years; the table has every month."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One outcome's part of a bar."""

    index: int
    """Position of the outcome in outcome_keys (and in the theme's outcome list)."""
    key: str
    count: int
    percent: int
    """Share of the bar's total, rounded."""
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class MonthBar:
    year: int
    month: int
    total: int
    x: float
    width: float
    top: float
    """y of the top of the bar (the bottom of the chart when the month had none)."""
    segments: tuple[Segment, ...]
    label: bool
    """Write the month under this bar (on wide screens)."""
    minor: bool
    """Leave its month out on narrow screens."""
    total_minor: bool
    """Leave its total out on narrow screens (only with many bars, or big totals)."""
    full: bool
    """Write the year under the month: the first label of each year..."""
    full_narrow: bool
    """...and among the labels narrow screens keep."""

    @property
    def center(self) -> float:
        return _r(self.x + self.width / 2)


@dataclass(frozen=True, slots=True)
class MonthRow:
    year: int
    month: int
    total: int
    counts: tuple[int, ...]
    """Per outcome, in the order of outcome_keys."""


@dataclass(frozen=True)
class MonthBars:
    """Stacked bars of the outcomes of each month."""

    height: int
    bottom: float
    label_y: float
    bars: tuple[MonthBar, ...]
    outcome_keys: tuple[str, ...]
    outcome_totals: tuple[int, ...]
    total: int
    busiest: MonthBar | None
    rows: tuple[MonthRow, ...]
    """Every month, also those before the bars shown."""
    left_out: int
    """Months before the bars shown."""


def _counts(group: Mapping[str, Any], keys: Sequence[str]) -> tuple[int, ...]:
    outcomes = group.get("outcomes", {})
    return tuple(int(outcomes.get(key, 0)) for key in keys)


def month_bars(by_month: Mapping[str, Mapping[str, Any]],
               outcome_keys: Sequence[str]) -> MonthBars:
    """Bars from stats.json's by_month ({"2026-03": {"total", "outcomes"}}), oldest first.

    Each bar's segments stack in the order of outcome_keys, the first at the bottom;
    their heights add up to the bar's, which is to scale with the busiest month's.
    """
    keys = tuple(outcome_keys)
    months = sorted(by_month)
    rows = tuple(MonthRow(int(m[:4]), int(m[5:7]), int(by_month[m].get("total", 0)),
                          _counts(by_month[m], keys)) for m in months)
    shown = rows[-MAX_MONTH_BARS:]
    count = len(shown)
    busiest_total = max((r.total for r in shown), default=0)
    scale = (BARS_BOTTOM - BARS_TOP) / max(busiest_total, 1)
    band = 100 / max(count, 1)
    width = _r(min(band * 0.7, 12.0))
    stride, narrow = _strides(count, MONTH_STRIDES, 12, 6)
    # Totals of three or four digits need more room on a phone.
    budget = 12 if busiest_total < 100 else 8 if busiest_total < 1000 else 6
    narrow_totals = _strides(count, MONTH_STRIDES, budget, budget)[0]

    bars = []
    previous = previous_major = None
    for i, row in enumerate(shown):
        x = _r(i * band + (band - width) / 2)
        segments = []
        below = 0
        for index, (key, n) in enumerate(zip(keys, row.counts, strict=True)):
            if n <= 0:
                continue
            bottom_y = _r(BARS_BOTTOM - below * scale)
            top_y = _r(BARS_BOTTOM - (below + n) * scale)
            segments.append(Segment(index, key, n, round(100 * n / row.total) if row.total else 0,
                                    x, top_y, width, _r(bottom_y - top_y)))
            below += n
        month = row.year * 12 + row.month - 1
        label, minor = month % stride == 0, month % narrow != 0
        full = label and previous != row.year
        full_narrow = label and not minor and previous_major != row.year
        bars.append(MonthBar(row.year, row.month, row.total, x, width,
                             _r(BARS_BOTTOM - below * scale), tuple(segments),
                             label=label, minor=minor, total_minor=month % narrow_totals != 0,
                             full=full, full_narrow=full_narrow))
        if label:
            previous = row.year
            previous_major = previous_major if minor else row.year
    busiest = max(bars, key=lambda b: b.total) if bars and busiest_total else None
    return MonthBars(
        height=BARS_HEIGHT, bottom=BARS_BOTTOM, label_y=BARS_LABEL_Y,
        bars=tuple(bars), outcome_keys=keys,
        outcome_totals=tuple(sum(r.counts[i] for r in rows) for i in range(len(keys))),
        total=sum(r.total for r in rows), busiest=busiest,
        rows=rows, left_out=len(rows) - count,
    )


# --- Categories -------------------------------------------------------------------------

CATEGORY_ROW = 40
"""Pixels per category: its name, then its bar."""
CATEGORY_BAR = 14
MAX_CATEGORY_BARS = 8
"""More categories than this share one last bar, "other categories"."""
UNCATEGORIZED = "uncategorized"
"""What stats.json calls attempts without a category."""


@dataclass(frozen=True, slots=True)
class CategoryBar:
    name: str | None
    """None for attempts without a category (and for the bar of the other categories)."""
    other: int
    """How many smaller categories this bar stands for (0 for a single category)."""
    total: int
    y: float
    """Top of the bar; the name sits above it."""
    text_y: float
    width: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    name: str | None
    total: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class CategoryBars:
    """Attempts per category, each bar split by outcome; the longest bar is the biggest."""

    height: int
    bar_height: int
    bars: tuple[CategoryBar, ...]
    outcome_keys: tuple[str, ...]
    rows: tuple[CategoryRow, ...]
    """Every category, biggest first."""

    @property
    def outcome_totals(self) -> tuple[int, ...]:
        return tuple(sum(r.counts[i] for r in self.rows) for i in range(len(self.outcome_keys)))


def category_bars(by_category: Mapping[str, Mapping[str, Any]], outcome_keys: Sequence[str],
                  limit: int = MAX_CATEGORY_BARS) -> CategoryBars:
    """Bars from stats.json's by_category, biggest first (ties by name).

    With more than `limit` categories, the smallest ones share one bar.
    """
    keys = tuple(outcome_keys)
    rows = sorted(
        (CategoryRow(None if name == UNCATEGORIZED else name, int(group.get("total", 0)),
                     _counts(group, keys)) for name, group in by_category.items()),
        key=lambda r: (-r.total, r.name is None, (r.name or "").casefold()))
    shown: list[tuple[CategoryRow, int]] = [(r, 0) for r in rows[:limit]]
    rest = rows[limit:]
    if rest:
        merged = CategoryRow(None, sum(r.total for r in rest),
                             tuple(sum(r.counts[i] for r in rest) for i in range(len(keys))))
        shown.append((merged, len(rest)))
    biggest = max((r.total for r, _ in shown), default=0)

    bars = []
    for i, (row, other) in enumerate(shown):
        top = i * CATEGORY_ROW
        bar_y = top + CATEGORY_ROW - CATEGORY_BAR - 8
        length = 100 * row.total / biggest if biggest else 0.0
        segments = []
        before = 0
        for index, (key, n) in enumerate(zip(keys, row.counts, strict=True)):
            if n <= 0:
                continue
            x = _r(length * before / row.total)
            end = _r(length * (before + n) / row.total)
            segments.append(Segment(index, key, n, round(100 * n / row.total), x, bar_y,
                                    _r(end - x), CATEGORY_BAR))
            before += n
        bars.append(CategoryBar(row.name, other, row.total, bar_y, bar_y - 6, _r(length),
                                tuple(segments)))
    return CategoryBars(height=max(len(bars), 1) * CATEGORY_ROW, bar_height=CATEGORY_BAR,
                        bars=tuple(bars), outcome_keys=keys, rows=tuple(rows))


# --- An attempt's place -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptPosition:
    """Where the challenge stood with an attempt: "No #412 of 1000" and a small bar."""

    at: int
    """Attempts counting toward the goal up to and including this one."""
    target: int
    counts: bool
    """This attempt itself counts toward the goal."""
    fill: float
    """Percent of the bar filled (at most 100)."""

    @property
    def past_goal(self) -> bool:
        return self.at > self.target


def attempt_position(at: int, target: int, counts: bool = True) -> AttemptPosition:
    """The bar of an attempt page; `at` from running_progress."""
    return AttemptPosition(at, target, counts, position_fill(at, target))


def running_progress(counts: Iterable[bool]) -> list[int]:
    """For each counted attempt in order (does it count toward the goal?), the progress
    with it: the number an attempt page shows."""
    return list(accumulate(int(c) for c in counts))


# --- All of the dashboard ---------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCharts:
    """Everything the dashboard draws; each part goes to its macro in _charts.html."""

    progress: ProgressChart
    heatmap: Heatmap
    months: MonthBars
    categories: CategoryBars


def dashboard_charts(attempts: Iterable[tuple[dt.date, bool]], *, target: int,
                     start: dt.date, end: dt.date | None, as_of: dt.date,
                     by_month: Mapping[str, Mapping[str, Any]],
                     by_category: Mapping[str, Mapping[str, Any]],
                     outcome_keys: Sequence[str]) -> DashboardCharts:
    """The four charts of the dashboard from one pass over the attempts.

    attempts: (date, counts toward the goal) of each counted attempt (stats.select);
    start: the challenge's start as stats.json has it (the first attempt's date when
    the site sets none); by_month, by_category: as in stats.json.
    """
    days = count_days(attempts)
    return DashboardCharts(
        progress=progress_chart(days, target=target, start=start, end=end, as_of=as_of),
        heatmap=heatmap(days, start=start, end=end, as_of=as_of),
        months=month_bars(by_month, outcome_keys),
        categories=category_bars(by_category, outcome_keys),
    )


# --- Colours ----------------------------------------------------------------------------


def outcome_chart_css(colors: Mapping[str, str]) -> str:
    """Fill rules for the site's outcome colours (key -> "#rrggbb"), for outcomes.css.

    The colours are picked for white text on a badge, so they are dark; on a dark
    page the charts draw them mixed 40% toward white. `.chart .outcome-x` outranks
    the defaults in charts.css, which use :where() to stay overridable.
    """
    light = []
    dark = []
    for key, color in colors.items():
        light.append(f".chart .outcome-{key} {{ fill: {color}; }}\n")
        dark.append(f"  .chart .outcome-{key} {{ fill: {_toward_white(color, 0.4)}; }}\n")
    return "".join(light) + "@media (prefers-color-scheme: dark) {\n" + "".join(dark) + "}\n"


def _toward_white(color: str, share: float) -> str:
    digits = color.lstrip("#")
    channels = [int(digits[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in channels)
