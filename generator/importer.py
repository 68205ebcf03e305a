"""`goldstar import`: spreadsheet rows (CSV) to attempt files.

Real exports are messy, so the reading is forgiving where the meaning is
certain and strict where it is not:

- encodings: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's
  "Unicode text"), else Windows-1252 (older Excel on Windows: €, é, ’);
- delimiters: comma, semicolon (Dutch Excel), tab or `|`, whichever makes the
  rows line up with the header; Excel's `sep=;` first line is obeyed;
- headers in English or Dutch, any case (words.py), or named with `--map`;
- dates as 2026-03-14, 14-03-2026, 14/03/2026, 14.03.2026, 14 maart 2026 or
  March 14, 2026. Whether 03/04/2026 is day-first or month-first is settled
  by the other rows (a 14 in the first place means day-first) or by
  `--date-format`; when nothing settles it, the import stops and asks;
- outcomes in English or Dutch, including what people type ("rejected",
  "geen reactie", "waiting") and the site's own labels.

Columns it does not know are kept under `extra:` with a safe key, never
dropped. Every row is checked, and every file is parsed with
entries.parse_attempt before anything is written: one bad row and nothing is
written. A row whose date and title match an attempt already in the site is
skipped, so importing the same file twice adds nothing (the identity is the
day and the title, not a hidden id, so an attempt typed by hand and then
found in the spreadsheet is not doubled either).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import frontmatter
from generator.config import SiteConfig
from generator.entries import ATTEMPT_KEYS, ATTEMPTS_DIR, SLUG_RE, parse_attempt
from generator.problems import Problem, did_you_mean
from generator.scaffold import attempt_rel_path, attempt_stem
from generator.words import (
    FALSE_WORDS,
    MONTHS,
    TRUE_WORDS,
    field_for,
    normalize,
    outcome_choices,
)
from generator.yamlwrite import flow_list, scalar

FIELDS = (*[k for k in ATTEMPT_KEYS if k != "extra"], "body")
"""What a column can be: a front-matter field, the body, or `extra.NAME`."""
EXTRA_PREFIX = "extra."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that make a spreadsheet read a formula; export puts a `'` before them."""


@dataclass(frozen=True)
class Row:
    """One spreadsheet row."""

    number: int
    """1-based, counting data rows only (the header is row 0)."""
    line: int
    """File line where the row starts (a quoted cell may span several lines)."""
    cells: tuple[str, ...]


@dataclass
class Table:
    """A decoded CSV file: its header and rows."""

    header: list[str]
    header_line: int
    rows: list[Row]
    delimiter: str
    encoding: str


@dataclass(frozen=True)
class Planned:
    """One attempt file to write."""

    row: Row
    rel_path: str
    text: str
    date: str
    outcome: str
    title: str


@dataclass
class ImportPlan:
    """What an import would write, what it skips, and what stops it."""

    attempts: list[Planned] = field(default_factory=list)
    skipped: list[tuple[Row, str]] = field(default_factory=list)
    """Rows already in the site, with the file that has them."""
    problems: list[Problem] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    """Each column's header and where it goes (`title`, `extra.company`)."""
    table: Table | None = None

    @property
    def ok(self) -> bool:
        """Whether every row is valid: only then may anything be written."""
        return not self.problems


# -------------------------------------------------------------------- reading

def decode_csv(raw: bytes, path: str) -> tuple[str | None, str, Problem | None]:
    """The text of a CSV file and the encoding it was in."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding, None
        except UnicodeDecodeError as exc:
            error = exc
    line = raw.count(b"\n", 0, error.start) + 1
    return None, "", Problem(
        path, line, None, f"the file is neither UTF-8 nor Windows-1252 text "
        f"(byte 0x{raw[error.start]:02x} cannot be read)",
        "in your spreadsheet, save as \"CSV UTF-8\" and import that file")


def read_table(text: str, path: str) -> tuple[Table | None, list[Problem]]:
    """Split CSV text into a header and rows, with the file line of each row."""
    first_line = 1
    delimiter = None
    match = re.match(r"sep=(.)\r?\n", text)
    if match:  # Excel's hint line: `sep=;`
        delimiter, text, first_line = match.group(1), text[match.end():], 2
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    before = 0
    try:
        for record in reader:
            start = before + first_line
            before = reader.line_num
            if any(cell.strip() for cell in record):
                records.append((start, record))
    except csv.Error as exc:
        return None, [Problem(path, reader.line_num + first_line - 1, None,
                              f"the file cannot be read as CSV: {exc}",
                              "check for a quote (\") that is opened but never closed")]
    if not records:
        return None, [Problem(path, None, None, "the file has no rows",
                              "export your spreadsheet as CSV with a header row")]
    header_line, header = records[0]
    rows = [Row(n, line, tuple(cells)) for n, (line, cells) in enumerate(records[1:], start=1)]
    return Table([h.strip() for h in header], header_line, rows, delimiter, ""), []


def _sniff_delimiter(text: str) -> str:
    """The delimiter that makes the first rows line up with the header best."""
    sample = "\n".join(text.splitlines()[:100])
    best, best_score = ",", (-1.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            records = [r for r in csv.reader(io.StringIO(sample, newline=""),
                                             delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = records[1:] or records
        score = (sum(len(r) == width for r in rows) / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# -------------------------------------------------------------------- columns

def parse_map(text: str | None) -> tuple[dict[str, str], list[Problem]]:
    """`--map "Wat=title,Wanneer=date"` as {normalized column: field}."""
    mapping: dict[str, str] = {}
    problems = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, target = part.rpartition("=")
        target = target.strip().lower()
        if not sep or not column.strip():
            problems.append(Problem("goldstar import", None, None,
                                    f'--map "{part.strip()}" needs the form column=field',
                                    'for example --map "Wat=title,Wanneer=date"'))
        elif target not in FIELDS and not (target.startswith(EXTRA_PREFIX)
                                            and len(target) > len(EXTRA_PREFIX)):
            problems.append(Problem(
                "goldstar import", None, None,
                f'--map: "{target}" is not a field; the fields are: {", ".join(FIELDS)}, '
                f"or extra.NAME", did_you_mean(target, FIELDS)))
        else:
            mapping[normalize(column)] = target
    return mapping, problems


def map_columns(header: Sequence[str], mapping: Mapping[str, str], path: str,
                line: int) -> tuple[list[str], list[Problem]]:
    """Where each column goes: a field name, `body`, or `extra.KEY` for unknown columns."""
    problems = []
    known = {normalize(h) for h in header}
    for column in mapping:
        if column not in known:
            problems.append(Problem(
                "goldstar import", None, None, f'--map: there is no column "{column}"; '
                f'the columns are: {", ".join(header)}',
                did_you_mean(column, [normalize(h) for h in header])))
    targets: list[str] = []
    used_extra: set[str] = set()
    for index, name in enumerate(header):
        key = normalize(name)
        target = mapping.get(key) or field_for(name)
        if target is None and key.startswith(EXTRA_PREFIX) and len(key) > len(EXTRA_PREFIX):
            target = EXTRA_PREFIX + name.strip()[len(EXTRA_PREFIX):]
        if target is None:
            target = EXTRA_PREFIX + extra_key(name, index, used_extra)
        if target.startswith(EXTRA_PREFIX):
            used_extra.add(target[len(EXTRA_PREFIX):])
        targets.append(target)
    counts = Counter(t for t in targets)
    for target, count in counts.items():
        if count > 1:
            names = ", ".join(f'"{h}"' for h, t in zip(header, targets, strict=True)
                              if t == target)
            problems.append(Problem(path, line, None,
                                    f"{count} columns are read as {target}: {names}",
                                    f'say which one with --map, e.g. --map "{header[0]}=title", '
                                    f"and the other becomes extra.NAME"))
    for required in ("title", "date", "outcome"):
        if required not in targets:
            problems.append(Problem(
                path, line, None,
                f"no column for the {required}; the columns are: {', '.join(header)}",
                f'name it with --map, e.g. --map "{header[0]}={required}"'))
    return targets, problems


def extra_key(header: str, index: int, used: set[str]) -> str:
    """A key for `extra:` made from a column header: `Salary (€)` → `salary`."""
    key = re.sub(r"[^a-z0-9]+", "_", normalize(header)).strip("_")
    if not key:
        key = f"column_{index + 1}"
    elif key[0].isdigit():
        key = "c_" + key
    candidate, n = key, 1
    while candidate in used:
        n += 1
        candidate = f"{key}_{n}"
    return candidate


# ---------------------------------------------------------------------- dates

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_WEEKDAY = r"(?:[^\W\d_]+\.?,?\s+)?"
_NAMED_DAY_FIRST = re.compile(_WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th|e)?\.?\s+([^\W\d_]+)\.?,?\s+"
                              r"(\d{4})")
_NAMED_MONTH_FIRST = re.compile(_WEEKDAY + r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
                                r"(\d{4})")
_TIME = re.compile(r"(?:[ T,]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp][Mm])?)?")


# How to read a numeric date such as 03/04/2026.
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"


def parse_date_format(text: str) -> tuple[str | None, bool, Problem | None]:
    """`--date-format` (DD-MM-YYYY, MM/DD/YYYY, %d.%m.%y ...) as (order, two-digit year)."""
    fmt = text.strip()
    lowered = fmt.lower()
    if lowered in (DAY_FIRST, MONTH_FIRST):
        return lowered, False, None
    tokens = re.findall(r"%[dmyY]|yyyy|yy|dd?|mm?", lowered)
    order = [t for t in tokens if t in ("%d", "d", "dd", "%m", "m", "mm")]
    two_digit_year = any(t in ("%y", "yy") for t in tokens) and not any(
        t in ("%Y", "yyyy") for t in tokens)
    if fmt.count("%Y"):
        two_digit_year = False
    if len(order) != 2:
        return None, False, Problem(
            "goldstar import", None, None, f'--date-format "{text}" does not say where the day '
            "and the month are", "write it like DD-MM-YYYY or MM/DD/YYYY")
    day_first = order[0] in ("%d", "d", "dd")
    return (DAY_FIRST if day_first else MONTH_FIRST), two_digit_year, None


def numeric_order(values: Sequence[tuple[Row, str]]) -> tuple[str | None, Row | None, str]:
    """Day-first or month-first, as the numeric dates themselves say.

    Returns (order, None, "") when settled (or when no date needs it),
    (None, row, why) when the dates contradict each other or cannot tell.
    """
    day_first_row = month_first_row = ambiguous_row = None
    for row, value in values:
        match = _NUMERIC.match(value.strip())
        if not match or _ISO.match(value.strip()):
            continue
        a, b = int(match.group(1)), int(match.group(2))
        if a > 12 and day_first_row is None:
            day_first_row = row
        elif b > 12 and month_first_row is None:
            month_first_row = row
        elif a != b and a <= 12 and b <= 12 and ambiguous_row is None:
            ambiguous_row = row
    if day_first_row and month_first_row:
        return None, month_first_row, (
            f"row {day_first_row.number} has the day first and row "
            f"{month_first_row.number} the month first")
    if day_first_row:
        return DAY_FIRST, None, ""
    if month_first_row:
        return MONTH_FIRST, None, ""
    if ambiguous_row:
        return None, ambiguous_row, "every date could be day-first or month-first"
    return DAY_FIRST, None, ""  # nothing needs it (ISO or named, or 3/3)


def parse_cell_date(value: str, order: str | None,
                    two_digit_year: bool = False) -> tuple[str | None, str | None]:
    """A date cell as front-matter text (`2026-03-14`, or an ISO moment as written),
    or None and the reason it is not a date."""
    text = " ".join(value.split())
    if _ISO_TIME.fullmatch(text):
        moment = text.replace(" ", "T", 1)
        try:
            dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return None, "is not a day of the calendar"
        if re.fullmatch(r"[\d-]{10}T00:00(?::00(?:\.0+)?)?", moment):
            return moment[:10], None  # a spreadsheet's midnight: just the day
        return moment, None
    for pattern, kind in ((_ISO, "iso"), (_NUMERIC, "numeric"),
                          (_NAMED_DAY_FIRST, "named"), (_NAMED_MONTH_FIRST, "named-us")):
        match = pattern.match(text)
        if not match or not _TIME.fullmatch(text[match.end():]):
            continue
        if kind == "iso":
            year, month, day = (int(g) for g in match.groups())
        elif kind == "numeric":
            a, b, year_text = match.groups()
            if len(year_text) == 2 and not two_digit_year:
                return None, ("has a two-digit year; give the order with --date-format, "
                              "e.g. DD-MM-YY")
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            if order is None:
                return None, "could be day-first or month-first"
            day, month = (int(a), int(b)) if order == DAY_FIRST else (int(b), int(a))
        else:
            first, second, year_text = match.groups()
            day_text, month_name = (first, second) if kind == "named" else (second, first)
            month_number = MONTHS.get(normalize(month_name))
            if month_number is None:
                continue
            day, month, year = int(day_text), month_number, int(year_text)
        try:
            return dt.date(year, month, day).isoformat(), None
        except ValueError:
            return None, "is not a day of the calendar"
    return None, ("is not a date (write it like 2026-03-14, 14-03-2026 or 14 maart 2026)")


# ----------------------------------------------------------------------- rows

def cell_text(value: str) -> str:
    """A cell's text: the `'` that export puts before a formula-like start is removed."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def _json_list(value: str) -> list[str] | None:
    """`["a, b", "c"]`: how export writes tags that hold a comma; None for anything else."""
    if not (value.startswith("[") and value.endswith("]")):
        return None
    try:
        items = json.loads(value)
    except ValueError:
        return None
    if isinstance(items, list) and all(isinstance(i, str) for i in items):
        return [i.strip() for i in items]
    return None


def _flag(value: str) -> bool | None:
    word = normalize(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


@dataclass
class _RowValues:
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    body: str = ""


def plan_import(raw: bytes, path: str, config: SiteConfig, *,
                mapping: Mapping[str, str] | None = None, date_format: str | None = None,
                existing: Counter[tuple[str, str]] | None = None,
                existing_files: Mapping[tuple[str, str], str] | None = None,
                taken: set[str] | None = None, month_folders: bool = False) -> ImportPlan:
    """Every file an import would write; pure (the caller reads the site and writes).

    `existing` counts the site's attempts by (day, normalized title), with one
    of their files in `existing_files`; `taken` holds the web addresses in use.
    """
    plan = ImportPlan()
    text, encoding, problem = decode_csv(raw, path)
    if problem:
        plan.problems.append(problem)
        return plan
    assert text is not None
    table, problems = read_table(text, path)
    if table is None:
        plan.problems += problems
        return plan
    table.encoding = encoding
    plan.table = table
    order: str | None = None
    two_digit_year = False
    if date_format:
        order, two_digit_year, problem = parse_date_format(date_format)
        if problem:
            plan.problems.append(problem)
    targets, problems = map_columns(table.header, mapping or {}, path, table.header_line)
    plan.columns = list(zip(table.header, targets, strict=True))
    plan.problems += problems
    if plan.problems:
        return plan
    if order is None:
        date_cells = [(row, row.cells[i]) for row in table.rows
                      for i, target in enumerate(targets)
                      if target in ("date", "decided") and i < len(row.cells)]
        order, bad_row, why = numeric_order(date_cells)
        if bad_row is not None:
            plan.problems.append(Problem(
                path, bad_row.line, None, f"row {bad_row.number}: the order of day and "
                f"month in the dates is not clear: {why}",
                "say it with --date-format DD-MM-YYYY (day first) or "
                "--date-format MM/DD/YYYY (month first)"))
            return plan
    choices = outcome_choices(config)
    remaining = Counter(existing or {})
    taken = set(taken or ())
    for row in table.rows:
        values, row_problems = _read_row(row, targets, path, order,
                                         two_digit_year, choices, config)
        if row_problems:
            plan.problems += row_problems
            continue
        identity = (str(values.fields["date"])[:10], normalize(values.fields["title"]))
        if remaining[identity] > 0:
            remaining[identity] -= 1
            plan.skipped.append((row, (existing_files or {}).get(identity, "")))
            continue
        planned, problems = _plan_file(row, values, path, config, taken, month_folders)
        plan.problems += problems
        if planned is not None:
            taken.add(planned.rel_path.rpartition("/")[2][:-3])
            plan.attempts.append(planned)
    return plan


def _read_row(row: Row, targets: Sequence[str], path: str,
              order: str | None, two_digit_year: bool, choices: Mapping[str, str],
              config: SiteConfig) -> tuple[_RowValues, list[Problem]]:
    values = _RowValues()
    problems = []

    def problem(message: str, hint: str | None = None) -> None:
        problems.append(Problem(path, row.line, None, f"row {row.number}: {message}", hint))

    if len(row.cells) > len(targets) and any(c.strip() for c in row.cells[len(targets):]):
        problem(f"it has {len(row.cells)} cells but the header has {len(targets)} columns",
                "a cell with the delimiter in it needs quotes around it")
    for index, target in enumerate(targets):
        raw_value = cell_text(row.cells[index]) if index < len(row.cells) else ""
        value = raw_value.strip()
        if target.startswith(EXTRA_PREFIX):
            if value:  # an empty cell adds no key, as for every other column
                values.extra[target[len(EXTRA_PREFIX):]] = value
        elif target == "body":
            values.body = raw_value.replace("\r\n", "\n").replace("\r", "\n")
        elif target in ("date", "decided"):
            if not value:
                if target == "date":
                    problem("the date is empty", "every attempt needs its day, e.g. 2026-03-14")
                continue
            parsed, why = parse_cell_date(value, order, two_digit_year)
            if parsed is None:
                problem(f'{target} "{value}" {why}',
                        "check the day and the month (February has 28 or 29 days)"
                        if why and "calendar" in why else None)
            else:
                values.fields[target] = parsed
        elif target == "outcome":
            if not value:
                problem("the outcome is empty",
                        f"write one of: {', '.join(config.outcome_keys)} "
                        "(pending while you wait for an answer)")
                continue
            outcome = choices.get(normalize(value))
            if outcome is None:
                problem(f'outcome "{value}" is not one of: {", ".join(config.outcome_keys)}',
                        did_you_mean(normalize(value), choices)
                        or "outcomes are set under `outcomes:` in site.yml")
            else:
                values.fields["outcome"] = outcome
        elif target in ("draft", "private"):
            flag = _flag(value)
            if flag is None:
                problem(f'{target} "{value}" is not yes or no',
                        "leave it empty, or write yes/no (ja/nee, true/false)")
            elif flag:
                values.fields[target] = True
        elif target == "tags":
            tags = _json_list(value)
            if tags is None:
                tags = [t.strip().lstrip("#").strip() for t in re.split(r"[,;]", value)]
            if any(tags):
                values.fields["tags"] = list(dict.fromkeys(t for t in tags if t))
        elif target == "title":
            if not value:
                problem("the title is empty", "every attempt needs a title")
            else:
                values.fields["title"] = " ".join(value.split())
        elif target == "slug":
            if value and not SLUG_RE.match(value):
                problem(f'slug "{value}" cannot be part of a web address',
                        "use lowercase letters, digits and dashes, or leave it empty")
            elif value:
                values.fields["slug"] = value
        elif value:
            values.fields[target] = value.replace("\r\n", "\n")
    return values, problems


def attempt_text(fields: Mapping[str, Any], extra: Mapping[str, str], body: str) -> str:
    """An attempt file: front matter in the README's order of fields, then the body."""
    lines = ["---"]
    for key in ATTEMPT_KEYS:
        if key in ("slug", "extra") or key not in fields:
            continue
        value = fields[key]
        if value is True:
            lines.append(f"{key}: true")
        elif isinstance(value, list):
            lines.append(f"{key}: {flow_list(value)}")
        elif key in ("date", "decided"):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {scalar(str(value))}")
    if extra:
        lines.append("extra:")
        for key, value in extra.items():
            lines.append(f"  {scalar(key)}: {scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def _plan_file(row: Row, values: _RowValues, path: str, config: SiteConfig, taken: set[str],
               month_folders: bool) -> tuple[Planned | None, list[Problem]]:
    fields = values.fields
    day = dt.date.fromisoformat(str(fields["date"])[:10])
    slug = fields.get("slug")
    if slug:
        if slug in taken:
            return None, [Problem(path, row.line, None,
                                  f'row {row.number}: the address "{slug}" is taken by '
                                  f"another attempt", "change or empty its slug cell")]
        stem = slug
    else:
        stem = attempt_stem(day, fields["title"], taken)
    rel_path = attempt_rel_path(day, stem, month_folders)
    text = attempt_text(fields, values.extra, values.body)
    entry, found = parse_attempt(rel_path, rel_path[len(ATTEMPTS_DIR) + 1:],
                                 text.encode("utf-8"), config)
    errors = [Problem(path, row.line, None, f"row {row.number}: {p.message}", p.hint)
              for p in found if p.is_error]
    if entry is None or errors:
        return None, errors
    return Planned(row, rel_path, text, str(fields["date"]), fields["outcome"],
                   fields["title"]), []


# ---------------------------------------------------------------- site, disk

def site_identities(site_dir: Path) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], str]]:
    """The site's attempts by (day, normalized title), to skip rows already imported.

    Read with the front-matter reader alone: a file with other errors still
    counts, and `goldstar check` reports those.
    """
    counts: Counter[tuple[str, str]] = Counter()
    files: dict[tuple[str, str], str] = {}
    root = os.path.join(site_dir, ATTEMPTS_DIR)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        for name in filenames:
            if not name.endswith(".md") or name.startswith((".", "#", "~")):
                continue
            file_path = os.path.join(dirpath, name)
            try:
                with open(file_path, encoding="utf-8") as handle:
                    data = frontmatter.load(frontmatter.split(handle.read()))
            except (OSError, UnicodeDecodeError, frontmatter.FrontMatterError):
                continue
            title, date = data.get("title"), data.get("date")
            if isinstance(title, str) and date is not None:
                identity = (str(date)[:10], normalize(" ".join(title.split())))
                counts[identity] += 1
                if identity not in files:
                    files[identity] = ATTEMPTS_DIR + file_path[len(root):].replace(os.sep, "/")
    return counts, files


def write_import(site_dir: Path, plan: ImportPlan) -> list[str]:
    """Write every planned file, or none: on any failure the ones written are removed."""
    written: list[Path] = []
    try:
        for planned in plan.attempts:
            target = site_dir / planned.rel_path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="\n") as out:
                written.append(target)
                out.write(planned.text)
    except OSError:
        for done in written:
            done.unlink(missing_ok=True)
        raise
    return [p.rel_path for p in plan.attempts]


def dry_run_table(plan: ImportPlan, title_width: int = 50) -> str:
    """What an import would write, as a table for the terminal."""
    rows = [("row", "file", "date", "outcome", "title")]
    for planned in plan.attempts:
        title = planned.title
        if len(title) > title_width:
            title = title[:title_width - 1] + "…"
        rows.append((str(planned.row.number), planned.rel_path, planned.date[:10],
                     planned.outcome, title))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for row, existing in plan.skipped:
        lines.append(f"row {row.number}: skipped, already in the site"
                     + (f" ({existing})" if existing else ""))
    return "\n".join(lines)


def columns_summary(plan: ImportPlan) -> str:
    """Which column goes where, one line."""
    return ", ".join(f"{header or '(no name)'} → {target}" for header, target in plan.columns)
