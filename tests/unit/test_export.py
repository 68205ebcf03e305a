"""goldstar export: CSV a spreadsheet opens right, JSON for tools, and the round trip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

from factories import make_config, make_entry
from kit import REPO

from generator.authoring_cli import load_attempts as load_site_attempts
from generator.config import SiteConfig, load_config
from generator.entries import ATTEMPTS_DIR, Entry
from generator.export import counted, export_records, to_csv, to_json
from generator.importer import plan_import, write_import
from generator.stats import compute_stats, select

CONFIG = make_config()
AS_OF = dt.date(2026, 12, 31)


Loaded = tuple[list[Entry], dict[str, str]]
"""Counted attempts and the story of each, by the path of its file."""


def load_counted(site: Path) -> Loaded:
    entries, bodies, problems = load_site_attempts(site)
    assert not [p for p in problems if p.is_error], problems
    return counted(entries, AS_OF), bodies


def comparable(loaded: Loaded) -> list[dict[str, object]]:
    """Every field a person wrote, and the story; not where the file is or its digest."""
    entries, bodies = loaded
    return [{**{name: getattr(entry, name) for name in (
        "slug", "title", "date", "published", "outcome", "category", "tags", "ask", "feedback",
        "lesson", "decided", "draft", "private", "extra")}, "body": bodies[entry.path]}
        for entry in entries]


def round_trip(site: Path, tmp_path: Path) -> tuple[Loaded, Loaded, SiteConfig]:
    config, problems, _ = load_config(site)
    assert [p for p in problems if p.is_error] == []
    before = load_counted(site)
    exported = to_csv(export_records(before[0], config, before[1]))
    empty = tmp_path / "empty"
    (empty / "content").mkdir(parents=True)
    shutil.copy(site / "content/site.yml", empty / "content/site.yml")
    plan = plan_import(exported, "export.csv", config)
    assert plan.problems == []
    write_import(empty, plan)
    return before, load_counted(empty), config


def test_export_then_import_of_the_example_site_gives_the_same_attempts_and_stats(
        tmp_path: Path) -> None:
    before, after, config = round_trip(REPO, tmp_path)
    files = list((REPO / ATTEMPTS_DIR).rglob("*.md"))
    assert len(before[0]) == len(files) - 1 > 30  # every attempt but the example's one draft
    assert comparable(after) == comparable(before)
    stats_before = compute_stats(select(before[0], config, AS_OF), config, AS_OF).to_json()
    stats_after = compute_stats(select(after[0], config, AS_OF), config, AS_OF).to_json()
    assert stats_after == stats_before


def test_the_round_trip_keeps_awkward_values(tmp_path: Path) -> None:
    site = tmp_path / "site"
    files = {
        "content/site.yml": "title: t\ntimezone: Europe/Amsterdam\nchallenge:\n  goal: 10\n",
        "content/attempts/a.md": "---\ntitle: '-50% at the bakery: yes?'\ndate: "
        "2026-03-20T23:30:00-05:00\noutcome: pending\ntags: [\"a, b\", c]\nprivate: true\n"
        "feedback: \"=SUM(A1)\"\nextra:\n  company: Acme\n  role: Baker\n---\n"
        "=Body\n\nwith lines\n",
        "content/attempts/b.md": "---\ntitle: Één café\ndate: 2026-03-21T10:00\noutcome: no\n"
        "decided: 2026-03-22\nlesson: \"Line one\\nline two\"\n---\n",
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    before, after, _ = round_trip(site, tmp_path)
    assert comparable(after) == comparable(before)


def test_the_csv_opens_in_excel_with_the_right_characters() -> None:
    entry = make_entry(title="Één café, € 5", tags=("email", "in person"),
                       extra={"company": "Acme"})
    data = to_csv(export_records([entry], CONFIG, {entry.path: "Line one\nline two\n"}))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    text = data[3:].decode("utf-8")
    assert text.count("\r\n") == 2 and text.endswith("\r\n")  # CRLF between records
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["title", "date", "outcome", "category", "tags", "ask", "feedback",
                       "lesson", "decided", "private", "slug", "extra.company", "body"]
    assert rows[1][:5] == ["Één café, € 5", "2026-03-14", "no", "", "email, in person"]
    assert rows[1][-1] == "Line one\nline two\n"


def test_a_cell_that_looks_like_a_formula_is_shown_as_text() -> None:
    entry = make_entry(title="=HYPERLINK(\"x\")", feedback="+1", lesson="@me", ask="-")
    text = to_csv(export_records([entry], CONFIG))[3:].decode("utf-8")
    row = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert row[0] == "'=HYPERLINK(\"x\")" and row[5:8] == ["'-", "'+1", "'@me"]


def test_only_counted_attempts_are_exported_in_their_order() -> None:
    entries = [make_entry(slug="c", date=dt.date(2026, 3, 3)),
               make_entry(slug="draft", draft=True),
               make_entry(slug="future", date=dt.date(2027, 1, 1)),
               make_entry(slug="private", private=True, date=dt.date(2026, 3, 1))]
    assert [e.slug for e in counted(entries, AS_OF)] == ["private", "c"]
    assert [e.slug for e in counted(entries, None, include_drafts=True)] == [
        "private", "c", "draft", "future"]


def test_json_has_every_field_with_its_type() -> None:
    entry = make_entry(tags=("a",), decided=dt.date(2026, 3, 15), extra={"n": 3})
    data = json.loads(to_json(export_records([entry], CONFIG), CONFIG, AS_OF))
    assert data["as_of"] == "2026-12-31"
    (record,) = data["attempts"]
    assert record["tags"] == ["a"] and record["decided"] == "2026-03-15"
    assert record["extra"] == {"n": 3} and record["private"] is False
