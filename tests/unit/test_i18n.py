"""Tests of generator.i18n: UI strings from theme folders, and CLDR words, dates and numbers.

Strings files are written into tmp_path; problems are checked for their file,
line, severity and the key words of their message. German is the third
language, from a complete fixture file that the theme does not ship.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from generator import frontmatter
from generator.i18n import (
    Language,
    LoadedStrings,
    StringError,
    check_strings,
    known_languages,
    language_chain,
    language_hint,
    load_strings,
    validate_language,
)
from generator.problems import ERROR, WARNING, Problem

REPO = Path(__file__).resolve().parents[2]
DEFAULT_I18N = REPO / "themes" / "default" / "i18n"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "i18n"
PI_DAY = dt.date(2026, 3, 14)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def load(tmp_path: Path, folders: list[str], language: str) -> LoadedStrings:
    """load_strings over folders under tmp_path, with paths shown relative to it."""
    return load_strings([tmp_path / f for f in folders], language,
                        lambda p: p.relative_to(tmp_path).as_posix())


def where(problem: Problem) -> tuple[str, int | None, str]:
    return problem.path, problem.line, problem.severity


def shipped(language: str) -> Language:
    loaded = load_strings([DEFAULT_I18N], language)
    return Language(language, loaded.strings)


EN = """\
date_format: "d MMMM y"
outcome_labels:
  "no": "No"
  ghosted: "Ghosted"
nav_home: "Dashboard"
nav_archive: "All attempts"
attempts_count:
  one: "{count} attempt"
  other: "{count} attempts"
"""

NL = """\
outcome_labels:
  "no": "Nee"
  ghosted: "Genegeerd"
nav_home: "Overzicht"
nav_archive: "Alle pogingen"
attempts_count:
  one: "{count} poging"
  other: "{count} pogingen"
"""


# Babel stays off the path of a build that renders nothing ----------------------


def test_importing_loading_and_a_text_without_a_count_do_not_import_babel() -> None:
    code = ("import sys; from pathlib import Path; import generator.i18n as i; "
            f"loaded = i.load_strings([Path({str(DEFAULT_I18N)!r})], 'nl'); "
            "i.Language('nl', loaded.strings).t('outcome_heading', label='Ja'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


# Dates -------------------------------------------------------------------------


def test_english_dates_are_day_month_year_from_the_date_format_of_en_yml() -> None:
    english = Language("en", {"date_format": "d MMMM y"})
    assert english.format_date(PI_DAY) == "14 March 2026"
    assert english.format_date(dt.datetime(2026, 3, 14, 23, 30)) == "14 March 2026"
    assert english.format_date("2026-03-14") == "14 March 2026"
    assert english.format_date("2026-03-14T23:30:00+01:00") == "14 March 2026"


def test_dutch_dates_name_the_month_in_dutch() -> None:
    assert shipped("nl").format_date(PI_DAY) == "14 maart 2026"


def test_a_language_without_a_date_format_gets_its_own_long_date() -> None:
    assert Language("de", {}).format_date(PI_DAY) == "14. März 2026"
    assert Language("en", {}).format_date(PI_DAY) == "March 14, 2026"  # CLDR's en is US


def test_the_date_format_of_en_yml_is_never_used_for_another_language(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "de.yml", "nav_home: Übersicht\n")
    loaded = load(tmp_path, ["theme"], "de")
    assert "date_format" not in loaded.strings
    assert Language("de", loaded.strings).format_date(PI_DAY) == "14. März 2026"


def test_a_theme_may_ask_for_any_cldr_pattern_or_style() -> None:
    dutch = Language("nl", {})
    assert dutch.format_date(PI_DAY, "MMM y") == "mrt 2026"
    assert dutch.format_date(PI_DAY, "EEEE d MMMM") == "zaterdag 14 maart"
    assert dutch.format_date(PI_DAY, "short") == "14-03-2026"


def test_a_date_format_that_asks_for_a_time_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match='"dd/mm/yyyy".*mm is minutes'):
        Language("en", {"date_format": "dd/mm/yyyy"}).format_date(PI_DAY)


def test_something_that_is_not_a_date_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a date"):
        Language("en", {}).format_date("soon")
    with pytest.raises(ValueError, match="not a date"):
        Language("en", {}).format_date(["2026-03-14"])


def test_a_formatted_date_is_kept_and_not_formatted_again(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    dutch = Language("nl", {})
    first = dutch.format_date(PI_DAY)

    def fail(format: str | None) -> None:
        raise AssertionError("formatted again")

    monkeypatch.setattr(dutch, "_date_pattern", fail)
    assert dutch.format_date(PI_DAY) is first


def test_month_names_come_from_cldr_for_chart_axes() -> None:
    assert shipped("nl").month_names()[2] == "maart"
    assert Language("en", {}).month_names("abbreviated")[:3] == ["Jan", "Feb", "Mar"]
    polish = Language("pl", {})
    assert polish.month_names()[2] == "marzec"  # on its own
    assert polish.month_names(context="format")[2] == "marca"  # inside a date


def test_weekday_names_start_on_monday() -> None:
    assert Language("de", {}).weekday_names()[:2] == ["Montag", "Dienstag"]
    with pytest.raises(ValueError, match="unknown width"):
        Language("de", {}).weekday_names("tiny")


# Numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "expected"), [
    ("en", "1,000"), ("nl", "1.000"), ("de", "1.000"), ("fr", "1\u202f000"),
])
def test_whole_numbers_are_grouped_the_language_s_way(code: str, expected: str) -> None:
    assert Language(code, {}).format_integer(1000) == expected


def test_decimals_have_the_asked_digits_and_the_language_s_separators() -> None:
    assert Language("en", {}).format_number(1234.5, 1) == "1,234.5"
    assert Language("nl", {}).format_number(1234.5, 1) == "1.234,5"
    assert Language("nl", {}).format_number(7, 1) == "7,0"
    assert Language("nl", {}).format_number(12.25, 0) == "12"


def test_numbers_round_half_up_as_readers_do() -> None:
    english = Language("en", {})
    assert english.format_number(2.25, 1) == "2.3"
    assert english.format_number(12.5, 0) == "13"


def test_something_that_is_not_a_number_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="is not a number"):
        Language("en", {}).format_number("many")
    with pytest.raises(ValueError, match="is not a number"):
        Language("en", {}).format_number(None)


# Words and plural forms -----------------------------------------------------------


def test_english_and_dutch_pick_one_or_other_and_group_the_count() -> None:
    english, dutch = shipped("en"), shipped("nl")
    assert english.t("attempts_count", count=1) == "1 attempt"
    assert english.t("attempts_count", count=2) == "2 attempts"
    assert english.t("attempts_count", count=0) == "0 attempts"
    assert english.t("attempts_count", count=1000) == "1,000 attempts"
    assert dutch.t("attempts_count", count=1) == "1 poging"
    assert dutch.t("attempts_count", count=1000) == "1.000 pogingen"


POLISH = {"attempts_count": {"one": "{count} próba", "few": "{count} próby",
                             "many": "{count} prób", "other": "{count} próby"}}


@pytest.mark.parametrize(("count", "expected"), [
    (1, "1 próba"), (2, "2 próby"), (4, "4 próby"), (5, "5 prób"), (12, "12 prób"),
    (22, "22 próby"), (25, "25 prób"), (1.5, "1.5 próby"),
])
def test_polish_has_few_and_many_forms(count: float, expected: str) -> None:
    assert Language("pl", POLISH).t("attempts_count", count=count) == expected


def test_arabic_has_a_zero_and_a_two_form() -> None:
    forms = {"zero": "zero", "one": "one", "two": "two", "few": "few", "many": "many",
             "other": "other"}
    arabic = Language("ar", {"n": forms})
    assert [arabic.t("n", count=n) for n in (0, 1, 2, 3, 11, 100)] == [
        "zero", "one", "two", "few", "many", "other"]


def test_a_whole_float_count_is_one_but_a_decimal_keeps_its_visible_digits() -> None:
    english = Language("en", {"days": {"one": "{value} day", "other": "{value} days"}})
    assert english.t("days", count=1, value="1") == "1 day"
    assert english.t("days", count=1.0, value="1") == "1 day"
    assert english.t("days", count=Decimal("1.0"), value="1.0") == "1.0 days"


def test_a_form_the_text_lacks_falls_back_to_other() -> None:
    polish = Language("pl", {"days": {"one": "{count} dzień", "other": "{count} dni"}})
    assert polish.t("days", count=5) == "5 dni"


def test_only_the_count_is_formatted_other_values_are_shown_as_given() -> None:
    english = Language("en", {"n": "#{number} of {count}"})
    assert english.t("n", number=1234, count=5000) == "#1234 of 5,000"


def test_an_unknown_key_is_an_error_naming_it() -> None:
    with pytest.raises(StringError) as caught:
        shipped("en").t("nav_hme")
    assert str(caught.value) == 'the theme has no UI string "nav_hme"; did you mean "nav_home"?'
    assert isinstance(caught.value, KeyError)  # the renderer reports it at the template line


def test_a_placeholder_without_a_value_is_an_error_naming_it() -> None:
    with pytest.raises(StringError, match=r'"made_with" needs a value for \{name\}'):
        shipped("en").t("made_with")


def test_plural_forms_without_a_count_are_an_error() -> None:
    with pytest.raises(StringError, match="pass the number"):
        shipped("en").t("attempts_count")


# Loading: merging and fallbacks ---------------------------------------------------


def test_a_key_missing_from_the_language_falls_back_to_english_with_one_warning(
        tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", NL.replace('nav_archive: "Alle pogingen"\n', ""))
    loaded = load(tmp_path, ["theme"], "nl")
    assert loaded.strings["nav_archive"] == "All attempts"
    assert loaded.strings["nav_home"] == "Overzicht"
    assert loaded.from_english == {"nav_archive"}
    [problem] = loaded.problems
    assert where(problem) == ("theme/nl.yml", None, WARNING)
    assert '"nav_archive"' in problem.message
    assert "theme/en.yml, line 6" in (problem.hint or "")


def test_a_table_entry_missing_from_the_language_falls_back_to_english(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", NL.replace('  ghosted: "Genegeerd"\n', ""))
    loaded = load(tmp_path, ["theme"], "nl")
    assert loaded.strings["outcome_labels"] == {"no": "Nee", "ghosted": "Ghosted"}
    [problem] = loaded.problems
    assert '"outcome_labels.ghosted"' in problem.message


def test_a_language_with_no_strings_file_gets_english_words_and_its_own_formats(
        tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    loaded = load(tmp_path, ["theme"], "fr")
    [problem] = loaded.problems
    assert where(problem) == ("theme/fr.yml", None, WARNING)
    assert 'language "fr"' in problem.message
    french = Language("fr", loaded.strings)
    assert french.t("nav_home") == "Dashboard"
    assert french.t("attempts_count", count=1000) == "1\u202f000 attempts"
    assert french.format_date(PI_DAY) == "14 mars 2026"


def test_a_regional_code_uses_the_language_s_file(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", NL)
    write(tmp_path / "theme", "nl-BE.yml", 'nav_home: "Startpagina"\n')
    loaded = load(tmp_path, ["theme"], "nl-BE")
    assert loaded.problems == []
    assert loaded.strings["nav_home"] == "Startpagina"
    assert loaded.strings["nav_archive"] == "Alle pogingen"
    assert language_chain("zh-Hant-TW") == ["zh-Hant-TW", "zh-Hant", "zh"]


def test_a_child_theme_s_key_replaces_its_parent_s_key_by_key(tmp_path: Path) -> None:
    write(tmp_path / "default", "en.yml", EN)
    write(tmp_path / "default", "nl.yml", NL)
    write(tmp_path / "mine", "nl.yml", 'nav_home: "Mijn overzicht"\noutcome_labels:\n'
                                       '  ghosted: "Nooit antwoord"\n')
    write(tmp_path / "mine", "en.yml", 'nav_archive: "Every ask"\n')
    loaded = load(tmp_path, ["mine", "default"], "nl")
    assert loaded.problems == []
    assert loaded.strings["nav_home"] == "Mijn overzicht"
    # the parent's Dutch beats the child's English: the reader reads Dutch
    assert loaded.strings["nav_archive"] == "Alle pogingen"
    assert loaded.strings["outcome_labels"] == {"ghosted": "Nooit antwoord", "no": "Nee"}
    assert loaded.sources["nav_home"] == ("mine/nl.yml", 1)


def test_a_key_a_child_theme_adds_is_missing_from_the_child_s_language_file(
        tmp_path: Path) -> None:
    write(tmp_path / "default", "en.yml", EN)
    write(tmp_path / "default", "nl.yml", NL)
    write(tmp_path / "mine", "en.yml", 'badge: "Brave"\n')
    write(tmp_path / "mine", "nl.yml", 'nav_home: "Mijn overzicht"\n')
    [problem] = load(tmp_path, ["mine", "default"], "nl").problems
    assert where(problem) == ("mine/nl.yml", None, WARNING)
    assert '"badge"' in problem.message


# Loading: problems at their lines ---------------------------------------------------


@pytest.mark.parametrize(("text", "line", "words"), [
    ('nav_home: "Overzicht\nnav_archive: x\n', 1, "never closed"),
    ("nav_home: Overzicht\nnav_archive x\nsee_all: y\n", 2, "no colon"),
    ("nav_home: Overzicht\nper_week: per: week\n", 2, "colon followed by a space"),
    ("nav_home: Overzicht\nattempts_count:\n  one: x\n other: y\n", 4, "not valid YAML"),
    ("nav_home: Overzicht\nsee_all:\n\t- x\n", 3, "a tab, or @"),
    ("nav_home: Overzicht\nsee_all: @all\n", 2, "a tab, or @"),
])
def test_broken_yaml_is_a_problem_at_its_line_not_a_traceback(
        tmp_path: Path, text: str, line: int, words: str) -> None:
    write(tmp_path / "theme", "nl.yml", text)
    [problem] = load(tmp_path, ["theme"], "nl").problems
    assert where(problem) == ("theme/nl.yml", line, ERROR)
    assert words in problem.message
    assert problem.hint


def test_a_file_that_is_not_a_mapping_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", "# Dutch\n- Overzicht\n- Alle pogingen\n")
    loaded = load(tmp_path, ["theme"], "nl")
    [problem] = loaded.problems  # and no warning for each key it "lacks"
    assert where(problem) == ("theme/nl.yml", 2, ERROR)
    assert "is a list" in problem.message
    assert loaded.strings["nav_home"] == "Dashboard"


def test_a_file_that_is_not_utf8_is_a_problem_at_the_line_of_the_bad_byte(
        tmp_path: Path) -> None:
    write(tmp_path / "theme", "nl.yml", "nav_home: Overzicht\ncategories: Categorie\xebn\n"
          .encode("latin-1"))
    [problem] = load(tmp_path, ["theme"], "nl").problems
    assert where(problem) == ("theme/nl.yml", 2, ERROR)
    assert problem.column == 22
    assert "UTF-8" in problem.message


@pytest.mark.parametrize(("text", "line", "words"), [
    ("nav_home:\n", 1, '"nav_home" has no text'),
    ("nav_home: [Overzicht, Start]\n", 1, "not a list"),
    ("outcome_labels: Nee\n", 1, '"outcome_labels" must be a group'),
    ("days:\n  one: dag\n  othr: dagen\n", 3, 'did you mean "other"?'),
    ("days:\n  one: dag\n", 1, 'no "other" form'),
    ("days:\n  one: dag\n  other: [dagen]\n", 3, '"days.other" must be a text'),
    ("per_week: '{value per week'\n", 1, "braces"),
    ("per_week: '{} per week'\n", 1, "braces"),
])
def test_a_value_that_is_not_text_or_plural_forms_is_a_problem_at_its_line(
        tmp_path: Path, text: str, line: int, words: str) -> None:
    write(tmp_path / "theme", "nl.yml", text)
    problems = load(tmp_path, ["theme"], "nl").problems
    assert [where(p) for p in problems] == [("theme/nl.yml", line, ERROR)]
    assert words in problems[0].message + " " + (problems[0].hint or "")


NASTY = [
    b"", b"\xef\xbb\xbf", b"# only a comment\n", b"~\n", b"42\n", b"'text'\n", b"\x00\x01",
    b"a: !!python/object:os.system x\n", b"a: &x [*x]\n", b"? [a, b]\n: c\n",
    b"a: {one: x, other: y, few: {deep: z}}\n", b"[" * 200 + b"]" * 200, b"a:\n\t- b\n",
    b"a: b\n---\nc: d\n", b"outcome_labels: {no: [x]}\n", b"months: 3\n", b"date_format: {}\n",
]


@pytest.mark.parametrize("seed", range(40))
def test_loading_never_raises_whatever_the_file_holds(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    pieces = [*NASTY, b"key: ", b"  one: ", b"other: ", b"{count}", b"{", b"}", b"\n", b"  ",
              b'"', b"'", b": ", b"- ", b"\xff", b"\xc3", b"#", b"&a ", b"*a ", b"!!int "]
    text = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
    write(tmp_path / "theme", "nl.yml", NASTY[seed] if seed < len(NASTY) else text)
    write(tmp_path / "theme", "en.yml", EN)
    loaded = load(tmp_path, ["theme"], "nl")
    assert isinstance(loaded.strings, dict)
    assert all(p.path == "theme/nl.yml" or p.severity == WARNING for p in loaded.problems)
    language = Language("nl", loaded.strings)
    assert isinstance(language.t("nav_home"), str)
    assert all(isinstance(p, Problem) for p in check_strings(loaded))


def test_numbers_and_yaml_words_stay_the_text_they_were_written_as(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", "code: 404\nanswer: no\nratio: 1.50\n")
    loaded = load(tmp_path, ["theme"], "en")
    assert loaded.problems == []
    assert loaded.strings == {"code": "404", "answer": "no", "ratio": "1.50"}


def test_a_key_written_twice_is_a_warning_and_the_last_one_wins(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", "nav_home: Home\nnav_home: Dashboard\n")
    loaded = load(tmp_path, ["theme"], "en")
    [problem] = loaded.problems
    assert where(problem) == ("theme/en.yml", 2, WARNING)
    assert "first on line 1" in problem.message
    assert loaded.strings["nav_home"] == "Dashboard"


def test_a_key_english_does_not_have_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", NL.replace("nav_home:", "nav_hoem:"))
    problems = load(tmp_path, ["theme"], "nl").problems
    unknown = [p for p in problems if '"nav_hoem"' in p.message]
    assert [(where(p), p.hint) for p in unknown] == [
        (("theme/nl.yml", 4, WARNING), 'did you mean "nav_home"?')]


def test_a_misspelt_placeholder_in_a_translation_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "nl.yml", NL.replace("{count} pogingen", "{cuont} pogingen"))
    [problem] = load(tmp_path, ["theme"], "nl").problems
    assert where(problem) == ("theme/nl.yml", 6, WARNING)
    assert problem.hint == "did you mean {count}?"


def test_old_month_names_and_date_format_are_warnings_and_the_format_still_works(
        tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", "months: [January, February]\n"
                                        'date_format: "{day} {month} {year}"\n')
    loaded = load(tmp_path, ["theme"], "en")
    assert [where(p) for p in loaded.problems] == [("theme/en.yml", 1, WARNING),
                                                   ("theme/en.yml", 2, WARNING)]
    assert loaded.strings == {"date_format": "d MMMM y"}
    assert Language("en", loaded.strings).format_date(PI_DAY) == "14 March 2026"


# Checks that need CLDR --------------------------------------------------------------


def test_plural_forms_a_language_uses_but_a_text_lacks_are_warnings(tmp_path: Path) -> None:
    write(tmp_path / "theme", "en.yml", EN)
    write(tmp_path / "theme", "pl.yml", "attempts_count:\n  one: '{count} próba'\n"
                                        "  few: '{count} próby'\n  other: '{count} próby'\n")
    problems = check_strings(load(tmp_path, ["theme"], "pl"))
    assert [where(p) for p in problems] == [("theme/pl.yml", 1, WARNING)]
    assert '"many" form, which Polish uses for numbers like 0, 5, 6, 7' in problems[0].message


def test_plural_forms_a_language_never_uses_are_warnings(tmp_path: Path) -> None:
    write(tmp_path / "theme", "nl.yml", "days:\n  one: dag\n  few: dagen\n  other: dagen\n")
    [problem] = check_strings(load(tmp_path, ["theme"], "nl"))
    assert where(problem) == ("theme/nl.yml", 1, WARNING)
    assert '"few" form, which Dutch never uses' in problem.message


def test_a_date_format_that_cannot_format_a_date_is_an_error_at_its_line(
        tmp_path: Path) -> None:
    write(tmp_path / "theme", "nl.yml", "nav_home: Overzicht\ndate_format: 'd-MM-y HH:mm'\n")
    [problem] = check_strings(load(tmp_path, ["theme"], "nl"))
    assert where(problem) == ("theme/nl.yml", 2, ERROR)
    assert "time of day" in problem.message


# Language codes -----------------------------------------------------------------------


def test_a_language_code_babel_knows_is_valid() -> None:
    assert [validate_language(c) for c in ("en", "nl", "de-AT", "pt-BR", "zh-Hant")] == [
        None] * 5
    assert {"en", "nl", "de", "de-AT", "pl", "ar"} <= set(known_languages())


@pytest.mark.parametrize(("code", "hint"), [
    ("dutch", 'did you mean "nl" (Dutch)?'),
    ("German", 'did you mean "de" (German)?'),
    ("nll", 'did you mean "nl" (Dutch)?'),
    ("pt-XY", 'did you mean "pt" (Portuguese)?'),
])
def test_an_unknown_language_code_is_an_error_with_a_did_you_mean(code: str, hint: str) -> None:
    assert f'language "{code}" is not a language code' in (validate_language(code) or "")
    assert language_hint(code) == hint


def test_a_language_code_in_the_wrong_case_or_with_an_underscore_says_how_to_write_it() -> None:
    assert 'as "nl"' in (validate_language("NL") or "")
    assert 'as "pt-BR"' in (validate_language("pt_BR") or "")


# The third language: German, from one file ------------------------------------------


def test_german_from_one_file_has_every_key_and_its_own_dates_numbers_and_plurals() -> None:
    english = _keys(DEFAULT_I18N / "en.yml") - {"months", "date_format"}
    assert _keys(FIXTURES / "de.yml") == english
    loaded = load_strings([FIXTURES, DEFAULT_I18N], "de")
    assert [p for p in loaded.problems if p.path.endswith("de.yml")] == []
    assert loaded.from_english == frozenset()
    assert check_strings(loaded) == []
    german = Language("de", loaded.strings)
    assert german.t("nav_home") == "Übersicht"
    assert german.t("attempts_count", count=1) == "1 Versuch"
    assert german.t("attempts_count", count=1500) == "1.500 Versuche"
    assert german.t("days_value", count=2.5, value=german.format_number(2.5)) == "2,5 Tage"
    assert german.format_date(PI_DAY) == "14. März 2026"
    assert german.format_integer(1000) == "1.000"
    assert german.month_names("abbreviated")[2] == "Mär"


# The shipped files -------------------------------------------------------------------


def _keys(path: Path) -> set[str]:
    data = yaml.load(path.read_text("utf-8"), Loader=frontmatter.Loader)  # noqa: S506
    assert isinstance(data, dict)
    return set(data)


def test_english_and_dutch_have_the_same_keys() -> None:
    """All but English's date pattern: CLDR's own English long date is the US
    "March 14, 2026"; Dutch's is already "14 maart 2026"."""
    assert _keys(DEFAULT_I18N / "en.yml") - {"date_format"} == _keys(DEFAULT_I18N / "nl.yml")


@pytest.mark.parametrize("code", ["en", "nl"])
def test_every_plural_text_shipped_has_exactly_the_forms_its_language_uses(code: str) -> None:
    loaded = load_strings([DEFAULT_I18N], code)
    assert [p for p in loaded.problems if p.is_error] == []
    needed = {*Language(code, {}).locale.plural_form.tags, "other"}
    assert needed == {"one", "other"}
    plurals = {k: v for k, v in loaded.strings.items()
               if isinstance(v, dict) and k != "outcome_labels"}
    assert plurals  # the check checked something
    assert {k: set(v) for k, v in plurals.items()} == {k: needed for k in plurals}
    assert check_strings(loaded) == []
