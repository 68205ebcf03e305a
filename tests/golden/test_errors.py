"""Bad input is normal input: one test per kind of mistake.

Every case builds a good site first, then breaks one thing, and pins the
whole error line (path, line, wording). The previous public/ must survive
byte for byte, and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kit import SITE_YML, attempt, run, tree, write_files

GOOD = {
    "content/site.yml": SITE_YML,
    "content/attempts/a.md": attempt("First", "2026-03-01"),
    "content/attempts/b.md": attempt("Second", "2026-03-02", "yes"),
}

CASES = {
    "missing front matter": (
        {"content/attempts/c.md": "title: x\n\nJust text.\n"},
        ["content/attempts/c.md:1: error: the file does not start with front matter "
         "(expected a first line `---`)"],
    ),
    "unterminated front matter": (
        {"content/attempts/c.md": "---\ntitle: x\ndate: 2026-03-01\noutcome: no\nBody\n"},
        ["content/attempts/c.md:1: error: the front matter that starts here is never closed"],
    ),
    "yaml syntax error on file line 4": (
        {"content/attempts/c.md": "---\ntitle: x\ndate: 2026-03-01\nfeedback: Sorry: no\n"
                                  "outcome: no\n---\n"},
        ["content/attempts/c.md:4:16: error: front matter is not valid YAML: "
         "mapping values are not allowed", '  hint: a value that contains ": " needs quotes'],
    ),
    "missing date": (
        {"content/attempts/c.md": "---\ntitle: x\noutcome: no\n---\n"},
        ["content/attempts/c.md:1:1: error: date is missing"],
    ),
    "missing title and outcome together": (
        {"content/attempts/c.md": "---\ndate: 2026-03-01\n---\n"},
        ["content/attempts/c.md:1:1: error: title is missing",
         "content/attempts/c.md:1:1: error: outcome is missing"],
    ),
    "wrongly typed field": (
        {"content/attempts/c.md": attempt(extra="tags: {a: 1}\nprivate: maybe\n")},
        ["content/attempts/c.md:5:7: error: tags must be a list",
         'content/attempts/c.md:6:10: error: private must be true or false, not "maybe"'],
    ),
    "title that is a list": (
        {"content/attempts/c.md": "---\ntitle: [a, b]\ndate: 2026-03-01\noutcome: no\n---\n"},
        ["content/attempts/c.md:2:8: error: title must be a single line of text, not a list"],
    ),
    "impossible date": (
        {"content/attempts/c.md": attempt(date="2026-02-30")},
        ["content/attempts/c.md:3:7: error: date: 2026-02-30 is not a day of the calendar"],
    ),
    "date in another format": (
        {"content/attempts/c.md": attempt(date="14-03-2026")},
        ['content/attempts/c.md:3:7: error: date "14-03-2026" is not a date (expected YYYY-MM-DD)'],
    ),
    "unknown outcome": (
        {"content/attempts/c.md": attempt(outcome="nope")},
        ['content/attempts/c.md:4:10: error: outcome "nope" is not one of: '
         'no, yes, ghosted, pending', '  hint: did you mean "no"?'],
    ),
    "decided before date": (
        {"content/attempts/c.md": attempt(extra="decided: 2026-03-01\n")},
        ["content/attempts/c.md:5:10: error: decided (2026-03-01) is before the date of the "
         "attempt (2026-03-14)"],
    ),
    "duplicate slug across folders": (
        {"content/attempts/2026-03/a.md": attempt("Other A", "2026-03-05")},
        ["content/attempts/2026-03/a.md: error: /attempts/a/ would be written by 2 files: "
         "content/attempts/2026-03/a.md, content/attempts/a.md",
         "content/attempts/a.md: error: /attempts/a/ would be written by 2 files:"],
    ),
    "duplicate slug from front matter": (
        {"content/attempts/c.md": attempt(extra="slug: b\n")},
        ["content/attempts/b.md: error: /attempts/b/ would be written by 2 files: "
         "content/attempts/b.md, content/attempts/c.md"],
    ),
    "not UTF-8": (
        {"content/attempts/c.md": b"---\ntitle: Caf\xe9\ndate: 2026-03-01\noutcome: no\n---\n"},
        ["content/attempts/c.md:2:11: error: the file is not UTF-8 text "
         "(byte 0xe9 cannot be read)"],
    ),
    "empty file": (
        {"content/attempts/c.md": ""},
        ["content/attempts/c.md:1: error: the file is empty"],
    ),
    "site.yml syntax error": (
        {"content/site.yml": SITE_YML + "  bad: [\n"},
        ["content/site.yml:9: error: site.yml is not valid YAML"],
    ),
    "site.yml wrong value": (
        {"content/site.yml": SITE_YML.replace("goal: 10", "goal: lots")},
        ["content/site.yml:6:9: error: challenge.goal must be a whole number of at least 1"],
    ),
    "unknown theme": (
        {"content/site.yml": SITE_YML + "theme: fancy\n"},
        ['content/site.yml:9:8: error: theme "fancy" was not found'],
    ),
    "broken strings file": (
        {"themes/default/i18n/en.yml": "archive_heading: [unclosed\nnav_home: Home\n"},
        ["themes/default/i18n/en.yml:2:9: error: this file is not valid YAML"],
    ),
    "a language CLDR does not know": (
        {"content/site.yml": SITE_YML.replace("language: en", "language: xx")},
        ['content/site.yml:2:11: error: language "xx" is not a language code goldstar knows'],
    ),
    "theme extending an unknown theme": (
        {"themes/mine/theme.yml": "# my theme\nextends: fancy\n",
         "content/site.yml": SITE_YML + "theme: mine\n"},
        ['themes/mine/theme.yml:2:10: error: the theme "fancy" it extends was not found'],
    ),
    "template division by zero": (
        {"themes/default/templates/attempt.html": '{% extends "base.html" %}\n'
                                                  "{% block content %}\n"
                                                  "{{ 1 / 0 }}\n"
                                                  "{% endblock %}\n"},
        ["themes/default/templates/attempt.html:3: error: template error: ZeroDivisionError"],
    ),
    "template syntax error": (
        {"themes/default/templates/attempt.html": '{% extends "base.html" %}\n'
                                                  "{% block content %}\n{{ attempt.title }\n"
                                                  "{% endblock %}\n"},
        ["themes/default/templates/attempt.html:3: error: template error: unexpected '}'"],
    ),
    "template runtime error": (
        {"themes/default/templates/attempt.html": '{% extends "base.html" %}\n'
                                                  "{% block content %}\n\n"
                                                  "{{ attempt.no_such_field }}\n"
                                                  "{% endblock %}\n"},
        ["themes/default/templates/attempt.html:4: error: template error: "],
    ),
}


def _theme_copy(site: Path) -> None:
    import shutil

    from generator.themes import resolve_theme

    theme, _ = resolve_theme(Path("/nonexistent"), "default")
    assert theme is not None
    shutil.copytree(theme.root, site / "themes" / "default")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_reported_and_public_is_left_as_it_was(tmp_path: Path, case: str) -> None:
    site = write_files(tmp_path / "site", GOOD)
    _theme_copy(site)
    first = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert first.code == 0, first.err
    public = site / "public"
    (public / "sentinel.txt").write_text("still here")
    before = {name: (public / name).read_bytes() for name in tree(public)}

    breakage, expected = CASES[case]
    write_files(site, breakage)
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")

    assert result.code == 1
    for line in expected:
        assert line in result.err, f"expected {line!r} in:\n{result.err}"
    assert result.err.rstrip().splitlines()[-1].startswith("Build failed: ")
    assert result.err.rstrip().endswith("public/ was left as it was.")
    after = {name: (public / name).read_bytes() for name in tree(public)}
    assert after == before
    assert not list(site.glob(".public.staging-*")), "staging folder left behind"


def test_all_errors_of_a_build_are_reported_together(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD,
        "content/attempts/c.md": attempt(outcome="nope"),
        "content/attempts/d.md": attempt(date="2026-02-30"),
        "content/attempts/e.md": "",
    })
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert result.code == 1
    assert "content/attempts/c.md:4:10" in result.err
    assert "content/attempts/d.md:3:7" in result.err
    assert "content/attempts/e.md:1" in result.err
    assert "Build failed: 3 problems in 3 files." in result.err


def test_unknown_key_is_a_warning_with_did_you_mean_and_the_build_succeeds(
        tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD, "content/attempts/c.md": attempt(extra="lesosn: Be brave.\n")})
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert result.code == 0
    assert 'content/attempts/c.md:5:1: warning: unknown field "lesosn" is ignored' in result.err
    assert 'did you mean "lesson"?' in result.err


def test_check_reports_the_same_messages_and_writes_nothing(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD, "content/attempts/c.md": attempt(outcome="nope")})
    result = run("check", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 1
    assert 'content/attempts/c.md:4:10: error: outcome "nope"' in result.err
    assert not (site / "public").exists()
    assert not (site / ".goldstar-cache").exists()


@pytest.mark.parametrize("where", ["site root", "parent of site", "inside content",
                                   "inside themes", "foreign folder"])
def test_dangerous_output_folders_are_refused(tmp_path: Path, where: str) -> None:
    site = write_files(tmp_path / "site", GOOD)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious")
    output = {
        "site root": site,
        "parent of site": tmp_path,
        "inside content": site / "content" / "out",
        "inside themes": site / "themes" / "out",
        "foreign folder": tmp_path / "mine",
    }[where]
    before = sorted(p.as_posix() for p in tmp_path.rglob("*"))
    result = run("build", "--site", site, "--output", output, "--as-of", "2026-03-31",
                 "--no-cache")
    assert result.code == 1
    assert "error: the output folder" in result.err
    assert sorted(p.as_posix() for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "mine" / "thesis.docx").read_text() == "precious"


def test_check_says_nothing_was_written_not_that_public_was_kept(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD, "content/attempts/c.md": attempt(outcome="nope")})
    result = run("check", "--site", site, "--as-of", "2026-03-31")
    assert result.err.rstrip().endswith("Nothing was written.")


def test_custom_outcome_colours_reach_the_site_and_pale_ones_are_warned_about(
        tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD,
        "content/site.yml": SITE_YML + "outcomes:\n  no: {label: Nope, color: '#123456'}\n"
                                       "  yes: {color: '#ffee00'}\n  maybe: {label: Maybe}\n",
        "content/attempts/c.md": attempt(outcome="maybe"),
    })
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert result.code == 0, result.err
    assert "content/site.yml:11:" in result.err and "hard to read" in result.err
    css = (site / "public" / "static" / "outcomes.css").read_text()
    assert ".badge.outcome-no { background-color: #123456; }" in css
    assert ".badge.outcome-maybe {" in css
    page = (site / "public" / "attempts" / "c" / "index.html").read_text()
    assert "outcome-other outcome-maybe" in page and "Maybe" in page
