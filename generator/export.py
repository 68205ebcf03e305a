"""`goldstar export`: every counted attempt with its fields, as CSV or JSON.

The CSV is for a spreadsheet: UTF-8 with a BOM and CRLF line ends, which is
what Excel needs to show é and € right when the file is opened by a double
click. Its columns are the ones `goldstar import` reads, so an export imported
into an empty site gives the same attempts (the round trip is tested on the
example site). Values under `extra:` come back as text. A cell that starts
like a formula (=, +, -, @) gets a `'` in front, so a spreadsheet shows it as
text; import removes it again.

Pure: entries and settings in, text out. The caller loads the site.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any

from generator.config import SiteConfig
from generator.entries import Entry
from generator.importer import FORMULA_START

COLUMNS = ("title", "date", "outcome", "category", "tags", "ask", "feedback", "lesson",
           "decided", "private", "slug")
"""The fixed columns, in the README's order of fields; then `extra.*`, then `body`."""


def counted(entries: Iterable[Entry], as_of: dt.date | None,
            include_drafts: bool = False) -> list[Entry]:
    """The attempts that count as of a day (all dates when None), in their order.

    Private attempts count; drafts do not, unless asked for.
    """
    chosen = [e for e in entries
              if (as_of is None or e.date <= as_of) and (include_drafts or not e.draft)]
    return sorted(chosen, key=attrgetter("date", "rel_path"))


def date_text(entry: Entry, config: SiteConfig) -> str:
    """The attempt's date as it can be written back: the day, or the moment if it had a time."""
    midnight = dt.datetime.combine(entry.date, dt.time(), config.tzinfo())
    if entry.published == midnight:
        return entry.date.isoformat()
    return entry.published.isoformat()


def export_records(entries: Iterable[Entry], config: SiteConfig,
                   bodies: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One dict per attempt with every field (tags a list, extra a dict, body text).

    `bodies` gives each attempt's story by the path of its file (site.Site's sources).
    """
    bodies = bodies or {}
    records = []
    for entry in entries:
        record: dict[str, Any] = {
            "title": entry.title, "date": date_text(entry, config), "outcome": entry.outcome,
            "category": entry.category, "tags": list(entry.tags), "ask": entry.ask,
            "feedback": entry.feedback, "lesson": entry.lesson,
            "decided": entry.decided.isoformat() if entry.decided else None,
            "private": entry.private, "slug": entry.slug, "extra": dict(entry.extra),
            "body": bodies.get(entry.path, ""),
        }
        if entry.draft:
            record["draft"] = True
        records.append(record)
    return records


def to_csv(records: list[dict[str, Any]]) -> bytes:
    """CSV for a spreadsheet: BOM, CRLF, one column per field and per extra key."""
    extra_keys = sorted({key for r in records for key in r["extra"]}, key=str)
    has_drafts = any(r.get("draft") for r in records)
    header = [*COLUMNS, *(["draft"] if has_drafts else []),
              *(f"extra.{key}" for key in extra_keys), "body"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for r in records:
        row = [_cell(r[c]) if c != "tags" else _tags_cell(r["tags"]) for c in COLUMNS]
        if has_drafts:
            row.append("true" if r.get("draft") else "")
        row += [_cell(r["extra"].get(key)) for key in extra_keys]
        row.append(r["body"])
        writer.writerow([_guard(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _tags_cell(tags: list[str]) -> str:
    """`email, strangers`; a JSON list when a tag holds a comma or semicolon itself."""
    if any("," in t or ";" in t for t in tags):
        return json.dumps(tags, ensure_ascii=False)
    return ", ".join(tags)


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def to_json(records: list[dict[str, Any]], config: SiteConfig, as_of: dt.date | None) -> str:
    """JSON for other tools: the site's title, the day, and every attempt with every field."""
    data = {"title": config.title, "as_of": as_of.isoformat() if as_of else None,
            "attempts": records}
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
