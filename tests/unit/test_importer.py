"""goldstar import: real spreadsheet exports become valid attempt files, or nothing does."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from factories import make_config

from generator.config import Outcome
from generator.entries import Entry, body_text, parse_attempt
from generator.importer import (
    ImportPlan,
    dry_run_table,
    parse_cell_date,
    parse_date_format,
    parse_map,
    plan_import,
    site_identities,
    write_import,
)
from generator.problems import format_problems
from generator.words import outcome_for

FIXTURES = Path(__file__).parent / "fixtures" / "import"
CONFIG = make_config()


def planned(name_or_bytes: str | bytes, **options: object) -> ImportPlan:
    raw = name_or_bytes if isinstance(name_or_bytes, bytes) else \
        (FIXTURES / name_or_bytes).read_bytes()
    return plan_import(raw, "sheet.csv", CONFIG, **options)  # type: ignore[arg-type]


def entries(plan: ImportPlan) -> list[Entry]:
    """Every planned file, parsed the way the build parses it."""
    assert plan.problems == [], format_problems(plan.problems)
    result = []
    for attempt in plan.attempts:
        entry, problems = parse_attempt(attempt.rel_path, attempt.rel_path,
                                        attempt.text.encode("utf-8"), CONFIG)
        assert entry is not None and problems == [], problems
        result.append(entry)
    return result


def test_an_english_comma_file_keeps_every_column() -> None:
    plan = planned("english-comma.csv")
    refill, raise_, initech, pitch = entries(plan)
    assert refill.title == "Asked the café for a free refill"
    assert refill.outcome == "no" and refill.tags == ("strangers", "food")
    assert refill.feedback == "Not today, sorry."
    assert raise_.title == "Asked for a raise: the sequel" and raise_.outcome == "yes"
    assert raise_.extra == {"company": "Acme", "salary": "50000"}  # unknown columns: extra
    assert initech.outcome == "ghosted" and pitch.outcome == "pending"
    assert pitch.title == "Pitch #2 to the editor"
    assert [a.rel_path for a in plan.attempts][0] == \
        "content/attempts/2026-03-01-asked-the-cafe-for-a-free-refill.md"
    assert ("Salary (€)", "extra.salary") in plan.columns


def test_a_dutch_excel_file_with_bom_crlf_semicolons_and_line_breaks_in_a_cell() -> None:
    plan = planned("dutch-excel.csv")
    assert plan.table is not None
    assert (plan.table.delimiter, plan.table.encoding) == (";", "utf-8-sig")
    first, cafe, gemeente, fiets = entries(plan)
    assert first.date == dt.date(2026, 3, 14) and first.outcome == "no"
    assert first.feedback == "Vandaag niet." and first.lesson == "Gewoon vragen."
    assert body_text(plan.attempts[0].text.encode()) == (
        "Ik stond aan de bar.\nZe lachte en zei nee.")
    assert cafe.title == "Één café, één vraag" and cafe.outcome == "yes"
    assert gemeente.date == dt.date(2026, 4, 1)  # 1-4: day first, as 14-03 in row 1 says
    assert gemeente.outcome == "ghosted" and fiets.outcome == "pending"
    assert plan.attempts[1].rel_path == "content/attempts/2026-03-15-een-cafe-een-vraag.md"


def test_a_windows_1252_file_reads_its_euro_accents_and_curly_quotes() -> None:
    raw = (b"titel;datum;uitkomst;reactie\r\n"
           b"Korting van \x80 5 gevraagd;14-03-2026;nee;\x93Nee,\x94 zei h\xe9 \x96 "
           b"dat ging niet\x92s\r\n")
    plan = planned(raw)
    assert plan.table is not None and plan.table.encoding == "cp1252"
    (entry,) = entries(plan)
    assert entry.title == "Korting van € 5 gevraagd"
    assert entry.feedback == "“Nee,” zei hé – dat ging niet’s"


def test_a_utf16_tab_separated_file_from_excel_unicode_text() -> None:
    raw = "title\tdate\toutcome\nÉén\t2026-03-14\tno\n".encode("utf-16")
    (entry,) = entries(planned(raw))
    assert entry.title == "Één"


def test_excels_sep_line_names_the_delimiter() -> None:
    plan = planned("sep-line.csv")
    assert plan.table is not None and plan.table.delimiter == ";"
    assert [e.title for e in entries(plan)] == ["One"]
    assert plan.attempts[0].row.line == 3


def test_dates_with_month_names_in_dutch_and_english() -> None:
    dutch, english, american, weekday = entries(planned("named-dates.csv"))
    assert dutch.date == english.date == weekday.date == dt.date(2026, 3, 14)
    assert dutch.decided == dt.date(2026, 3, 16)
    assert american.date == dt.date(2026, 3, 15)


def test_month_first_dates_are_settled_by_a_day_above_twelve() -> None:
    one, two = entries(planned("month-first.csv"))
    assert one.date == dt.date(2026, 3, 14) and two.date == dt.date(2026, 4, 1)


def test_dates_that_could_be_read_either_way_stop_the_import_and_ask() -> None:
    plan = planned("ambiguous-dates.csv")
    assert format_problems(plan.problems) == (
        "sheet.csv:2: error: row 1: the order of day and month in the dates is not clear: "
        "every date could be day-first or month-first\n"
        "  hint: say it with --date-format DD-MM-YYYY (day first) or --date-format MM/DD/YYYY "
        "(month first)")
    assert plan.attempts == []
    day_first = entries(planned("ambiguous-dates.csv", date_format="DD-MM-YYYY"))
    month_first = entries(planned("ambiguous-dates.csv", date_format="%m/%d/%Y"))
    assert day_first[0].date == dt.date(2026, 4, 3)
    assert month_first[0].date == dt.date(2026, 3, 4)


def test_dates_that_contradict_each_other_stop_the_import() -> None:
    plan = planned(b"title,date,outcome\na,14/03/2026,no\nb,03/14/2026,no\n")
    assert "row 1 has the day first and row 2 the month first" in plan.problems[0].message
    assert plan.problems[0].line == 3


@pytest.mark.parametrize(("fmt", "expected"), [
    ("DD-MM-YYYY", ("day-first", False)), ("MM/DD/YYYY", ("month-first", False)),
    ("%d.%m.%y", ("day-first", True)), ("D/M/YY", ("day-first", True)),
    ("month-first", ("month-first", False)), ("YYYY-MM-DD", ("month-first", False)),
])
def test_date_formats_in_words_or_strftime(fmt: str, expected: tuple[str, bool]) -> None:
    order, two_digit, problem = parse_date_format(fmt)
    assert (order, two_digit) == expected and problem is None


@pytest.mark.parametrize(("cell", "order", "expected"), [
    ("2026-03-14", None, "2026-03-14"),
    ("2026/3/4", None, "2026-03-04"),
    ("2026-03-14 00:00:00", None, "2026-03-14"),
    ("2026-03-20T23:30:00-05:00", None, "2026-03-20T23:30:00-05:00"),
    ("14.03.2026", "day-first", "2026-03-14"),
    ("14-03-2026 21:30", "day-first", "2026-03-14"),
    ("3/14/2026 9:30 PM", "month-first", "2026-03-14"),
    ("1 mei 2026", None, "2026-05-01"),
    ("Oct 3rd, 2026", None, "2026-10-03"),
    ("31 oktober 2026", None, "2026-10-31"),
])
def test_a_date_cell_becomes_front_matter_text(cell: str, order: str | None,
                                                expected: str) -> None:
    assert parse_cell_date(cell, order) == (expected, None)


@pytest.mark.parametrize(("cell", "why"), [
    ("31-02-2026", "is not a day of the calendar"),
    ("2026-02-30", "is not a day of the calendar"),
    ("14-03-26", "has a two-digit year"),
    ("soon", "is not a date"),
    ("14 brumaire 2026", "is not a date"),
    ("46095", "is not a date"),
])
def test_a_cell_that_is_not_a_date_says_why(cell: str, why: str) -> None:
    parsed, reason = parse_cell_date(cell, "day-first")
    assert parsed is None and reason is not None and reason.startswith(why)


@pytest.mark.parametrize(("word", "outcome"), [
    ("no", "no"), ("No.", "no"), ("NEE", "no"), ("rejected", "no"), ("Afgewezen", "no"),
    ("turned down", "no"), ("yes", "yes"), ("Ja!", "yes"), ("accepted", "yes"),
    ("aangenomen", "yes"), ("ghosted", "ghosted"), ("No response", "ghosted"),
    ("geen reactie", "ghosted"), ("Geen antwoord", "ghosted"), ("pending", "pending"),
    ("waiting", "pending"), ("afwachten", "pending"), ("in afwachting", "pending"),
    ("nog geen antwoord", "pending"), ("?", "pending"),
])
def test_outcome_words_people_type_in_english_and_dutch(word: str, outcome: str) -> None:
    assert outcome_for(word, CONFIG) == outcome


def test_the_sites_own_labels_win() -> None:
    config = make_config(outcomes=(Outcome("no", "Rejected"), Outcome("yes", "Offer"),
                                   Outcome("ghosted", "No response"),
                                   Outcome("pending", "Waiting"), Outcome("interview")))
    assert outcome_for("Offer", config) == "yes"
    assert outcome_for("interview", config) == "interview"
    assert outcome_for("maybe", config) is None


def test_bad_rows_are_reported_by_row_and_line_and_nothing_is_planned_to_write() -> None:
    plan = planned("bad-rows.csv")
    assert not plan.ok
    assert format_problems(plan.problems) == """\
sheet.csv:3: error: row 2: date "31-02-2026" is not a day of the calendar
  hint: check the day and the month (February has 28 or 29 days)
sheet.csv:4: error: row 3: outcome "perhaps" is not one of: no, yes, ghosted, pending
  hint: outcomes are set under `outcomes:` in site.yml
sheet.csv:5: error: row 4: the title is empty
  hint: every attempt needs a title
sheet.csv:6: error: row 5: private "maybe" is not yes or no
  hint: leave it empty, or write yes/no (ja/nee, true/false)
sheet.csv:8: error: row 6: decided (2026-03-01) is before the date of the attempt (2026-03-06)
  hint: the answer cannot come before the ask: check both dates
sheet.csv:9: error: row 7: outcome "rejectd" is not one of: no, yes, ghosted, pending
  hint: did you mean "rejected"?"""


def test_a_file_without_a_title_column_names_its_columns_and_the_map_flag() -> None:
    plan = planned(b"Actie;Moment;Uitkomst\nx;2026-03-01;nee\n")
    assert [p.message for p in plan.problems] == [
        "no column for the title; the columns are: Actie, Moment, Uitkomst",
        "no column for the date; the columns are: Actie, Moment, Uitkomst"]
    mapping, problems = parse_map("Actie=title, moment=DATE")
    assert problems == []
    (entry,) = entries(planned(b"Actie;Moment;Uitkomst\nx;2026-03-01;nee\n", mapping=mapping))
    assert entry.title == "x"


def test_wrong_map_flags_are_explained() -> None:
    _, problems = parse_map("Wat=titel,Wanneer")
    assert [p.message for p in problems] == [
        '--map: "titel" is not a field; the fields are: title, date, outcome, category, tags, '
        "ask, feedback, lesson, decided, draft, private, slug, body, or extra.NAME",
        '--map "Wanneer" needs the form column=field']
    assert problems[0].hint == 'did you mean "title"?'
    plan = planned(b"a,b,c\nx,2026-03-01,no\n", mapping={"nope": "title"})
    assert plan.problems[0].message.startswith('--map: there is no column "nope"')


def test_two_columns_for_one_field_must_be_told_apart() -> None:
    plan = planned(b"title,titel,date,outcome\na,b,2026-03-01,no\n")
    assert plan.problems[0].message == '2 columns are read as title: "title", "titel"'


def test_unknown_and_unnamed_columns_are_kept_under_extra() -> None:
    (entry,) = entries(planned(
        b"title,date,outcome,Wie?,,2nd try,wie\nx,2026-03-01,no,Sam,kept,yes,too\n"))
    assert entry.extra == {"wie": "Sam", "column_5": "kept", "c_2nd_try": "yes", "wie_2": "too"}


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    plan = planned(b"title,date,outcome\nA, B,2026-03-01,no\n")
    assert plan.problems[0].message == "row 1: it has 4 cells but the header has 3 columns"


def test_empty_rows_are_ignored_but_counted_in_lines() -> None:
    plan = planned(b"title,date,outcome\n,,\n\nx,2026-03-01,no\n;;\n")
    assert [(a.row.number, a.row.line) for a in plan.attempts] == [(1, 4)]


def test_a_formula_guard_from_export_is_removed() -> None:
    (entry,) = entries(planned(b"title,date,outcome\n'-50% at the bakery,2026-03-01,no\n"))
    assert entry.title == "-50% at the bakery"


def test_the_same_row_twice_becomes_two_files() -> None:
    plan = planned(b"title,date,outcome\nx,2026-03-01,no\nx,2026-03-01,no\n")
    assert [a.rel_path for a in plan.attempts] == [
        "content/attempts/2026-03-01-x.md", "content/attempts/2026-03-01-x-2.md"]


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    raw = (FIXTURES / "dutch-excel.csv").read_bytes()
    first = plan_import(raw, "sheet.csv", CONFIG)
    written = write_import(tmp_path, first)
    assert len(written) == 4
    counts, files = site_identities(tmp_path)
    assert sum(counts.values()) == 4
    again = plan_import(raw, "sheet.csv", CONFIG, existing=counts, existing_files=files)
    assert again.ok and again.attempts == [] and len(again.skipped) == 4
    assert "row 1: skipped, already in the site (content/attempts/2026-03-14-" \
        in dry_run_table(again)


def test_a_row_matching_a_hand_written_attempt_is_skipped_but_a_new_one_is_not() -> None:
    existing = Counter({("2026-03-01", "x"): 1})
    plan = planned(b"title,date,outcome\nX ,2026-03-01,no\nx,2026-03-01,no\n",
                   existing=existing, taken={"2026-03-01-x"})
    assert len(plan.skipped) == 1
    assert [a.rel_path for a in plan.attempts] == ["content/attempts/2026-03-01-x-2.md"]


def test_a_slug_column_names_the_file() -> None:
    plan = planned(b"title,date,outcome,slug\nx,2026-03-01,no,my-first\n")
    assert plan.attempts[0].rel_path == "content/attempts/my-first.md"
    plan = planned(b"title,date,outcome,slug\nx,2026-03-01,no,my-first\n", taken={"my-first"})
    assert plan.problems[0].message == 'row 1: the address "my-first" is taken by another attempt'


def test_files_go_to_month_folders_when_the_site_uses_them() -> None:
    plan = planned(b"title,date,outcome\nx,2026-03-01,no\n", month_folders=True)
    assert plan.attempts[0].rel_path == "content/attempts/2026-03/2026-03-01-x.md"


def test_a_file_that_is_no_text_at_all_is_refused() -> None:
    plan = planned(b"title,date\n\x81\x8d\x8f\n")
    assert plan.problems[0].message.startswith("the file is neither UTF-8 nor Windows-1252")
    assert plan.problems[0].line == 2


def test_the_dry_run_table_lists_every_file() -> None:
    table = dry_run_table(planned("month-first.csv"))
    assert table.splitlines() == [
        "row  file                                date        outcome  title",
        "---  ----------------------------------  ----------  -------  -----",
        "1    content/attempts/2026-03-14-one.md  2026-03-14  no       One",
        "2    content/attempts/2026-04-01-two.md  2026-04-01  no       Two",
    ]
