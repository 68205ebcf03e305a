"""goldstar init and new: presets, placeholders, file names, never overwriting."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
from pathlib import Path

import pytest
from factories import make_config
from kit import run

from generator.config import load_config
from generator.entries import parse_attempt, parse_page
from generator.preset_catalog import PRESETS
from generator.scaffold import (
    ARCHETYPE,
    InitOptions,
    NewOptions,
    add_months,
    attempt_stem,
    default_archetype,
    existing_slugs,
    fill,
    folder_problem,
    machine_timezone,
    open_in_editor,
    plan_attempt,
    plan_site,
    preset_text,
    title_slug,
    today_for_site,
    uses_month_folders,
    write_new_files,
)

TODAY = dt.date(2026, 11, 28)
NASTY_TITLES = [
    "Asked for a raise: the sequel",
    "Pitch #2 to the editor",
    "*Very* bold ask",
    "- dash first",
    '"Quoted" title',
    "It's 1.10",
    "2026",
    "Één café, één vraag",
    "Спросил о скидке",
    "[brackets] & {braces}",
    "ends with a colon:",
    "no",
]


def make_site(root: Path, preset: str = "rejections", language: str = "en") -> Path:
    plan = plan_site(InitOptions(preset=preset, language=language), TODAY, "Europe/Amsterdam",
                     "goldstar @ git+https://example.invalid/x.git@abc\n")
    assert plan.problems == []
    write_new_files(root, plan.files)
    return root


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_makes_a_site_whose_files_are_valid_as_written(
        tmp_path: Path, preset: str, language: str) -> None:
    site = make_site(tmp_path / "site", preset, language)
    config, problems, _ = load_config(site)
    assert problems == []  # not even a warning
    assert config.language == language
    assert config.challenge.start == TODAY
    assert config.challenge.goal == PRESETS[preset].goal
    assert config.timezone == "Europe/Amsterdam"
    page, problems = parse_page("content/pages/about.md",
                                (site / "content/pages/about.md").read_bytes())
    assert page is not None and problems == []
    archetype = (site / ARCHETYPE).read_text("utf-8")
    for title in NASTY_TITLES:
        plan = plan_attempt(NewOptions(title, tags=("a, b", "c")), TODAY, config, archetype,
                            ARCHETYPE, set(), False)
        assert plan.problems == [] and plan.warnings == []
        entry, problems = parse_attempt(plan.rel_path, plan.rel_path, plan.text.encode(), config)
        assert entry is not None and problems == []
        assert entry.title == title and entry.tags == ("a, b", "c")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_new_site_builds_at_once(tmp_path: Path, preset: str) -> None:
    site = make_site(tmp_path / "site", preset)
    result = run("build", "--site", site, "--as-of", "2026-12-01", "--no-cache")
    assert result.code == 0, result.err
    assert (site / "public" / "index.html").is_file()


def test_dutch_presets_speak_dutch(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", "job-search", "nl")
    config, _, _ = load_config(site)
    assert config.title == "100 sollicitaties"
    assert [o.label for o in config.outcomes] == [
        "In afwachting", "Afgewezen", "Geen reactie", "Aanbod"]
    assert "Over deze" in (site / "content/pages/about.md").read_text("utf-8")


def test_the_job_search_preset_counts_every_outcome_and_asks_for_company_and_role(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", "job-search")
    config, _, _ = load_config(site)
    assert set(config.challenge.counts) == {"no", "yes", "ghosted", "pending"}
    assert config.challenge.ghost_after_days == 30
    assert [o.label for o in config.outcomes] == ["Waiting", "Rejected", "No response", "Offer"]
    plan = plan_attempt(NewOptions("Backend developer at Acme"), TODAY, config,
                        (site / ARCHETYPE).read_text("utf-8"), ARCHETYPE, set(), False)
    entry, _ = parse_attempt(plan.rel_path, plan.rel_path, plan.text.encode(), config)
    assert entry is not None
    assert entry.outcome == "pending"
    assert set(entry.extra) == {"company", "role"}


def test_the_end_is_the_day_before_the_same_date_a_preset_length_later() -> None:
    files = plan_site(InitOptions(start=dt.date(2026, 3, 1)), TODAY, None, "").files
    assert "start: 2026-03-01\n  end: 2027-02-28\n" in files["content/site.yml"]
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 11, 28), 12) == dt.date(2027, 11, 28)


def test_flags_override_the_preset() -> None:
    files = plan_site(InitOptions(title="Nee: 50 keer", goal=50, counts=("no", "ghosted"),
                                  end=dt.date(2026, 12, 31), language="nl"),
                      TODAY, "Europe/Amsterdam", "").files
    site_yml = files["content/site.yml"]
    assert 'title: "Nee: 50 keer"\n' in site_yml
    assert "goal: 50\n" in site_yml and "counts: [no, ghosted]\n" in site_yml
    assert "end: 2026-12-31\n" in site_yml


def test_wrong_flags_are_named_with_a_hint() -> None:
    plan = plan_site(InitOptions(goal=0, counts=("nee",), end=dt.date(2026, 1, 1)),
                     TODAY, None, "")
    messages = [p.message for p in plan.problems]
    assert messages == [
        "--goal 0 must be at least 1",
        '--counts "nee" is not an outcome of this preset; they are: no, yes, ghosted, pending',
        "--end 2026-01-01 is before the start, 2026-11-28",
    ]
    assert plan.files == {}
    plan = plan_site(InitOptions(preset="job-serach"), TODAY, None, "")
    assert plan.problems[0].hint == 'did you mean "job-search"?'


def test_an_unknown_time_zone_becomes_utc_with_a_comment_saying_so() -> None:
    site_yml = plan_site(InitOptions(), TODAY, None, "").files["content/site.yml"]
    assert "# this computer's time zone could not be found: write yours, e.g. " \
           "Europe/Amsterdam\ntimezone: UTC\n" in site_yml
    site_yml = plan_site(InitOptions(), TODAY, "Asia/Tokyo", "").files["content/site.yml"]
    assert "(found on this computer)\ntimezone: Asia/Tokyo\n" in site_yml


def test_the_machine_time_zone_comes_from_tz_then_etc(tmp_path: Path) -> None:
    assert machine_timezone({"TZ": ":Europe/Amsterdam"}, tmp_path) == "Europe/Amsterdam"
    assert machine_timezone({"TZ": "CET-1CEST"}, tmp_path) is None
    (tmp_path / "timezone").write_text("America/New_York\n")
    assert machine_timezone({}, tmp_path) == "America/New_York"
    (tmp_path / "timezone").unlink()
    os.symlink("/usr/share/zoneinfo/Asia/Tokyo", tmp_path / "localtime")
    assert machine_timezone({}, tmp_path) == "Asia/Tokyo"


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content/site.yml").write_bytes(b"title: mine\r\n")
    assert folder_problem(site, force=False) is not None
    assert folder_problem(site, force=True) is None
    plan = plan_site(InitOptions(), TODAY, None, "req\n")
    written, skipped = write_new_files(site, plan.files)
    assert skipped == ["content/site.yml"]
    assert "netlify.toml" in written and "requirements.txt" in written
    assert (site / "content/site.yml").read_bytes() == b"title: mine\r\n"
    written, skipped = write_new_files(site, plan.files)
    assert written == [] and sorted(skipped) == sorted(plan.files)


def test_init_makes_every_file_of_a_site() -> None:
    files = plan_site(InitOptions(), TODAY, None, "req\n").files
    assert sorted(files) == [
        ".github/workflows/pages.yml", ".gitignore", "archetypes/attempt.md",
        "constraints.txt", "content/attempts/.gitkeep", "content/pages/about.md",
        "content/site.yml", "netlify.toml", "requirements.txt"]
    install = "pip install --constraint constraints.txt -r requirements.txt"
    assert install in files["netlify.toml"]
    assert install in files[".github/workflows/pages.yml"]
    for ignored in ("/public/", ".goldstar-cache/", ".venv/"):
        assert ignored in files[".gitignore"].splitlines()


def test_the_deploy_templates_are_valid_toml_and_yaml() -> None:
    import tomllib

    import yaml

    netlify = tomllib.loads(preset_text("common/netlify.toml"))
    assert netlify["build"]["publish"] == "public"
    workflow = yaml.safe_load(preset_text("common/pages.yml"))
    steps = workflow["jobs"]["build"]["steps"]
    assert any("goldstar build" in step.get("run", "") for step in steps)


def test_a_placeholder_that_is_a_whole_value_is_quoted_and_one_in_a_comment_is_not() -> None:
    template = ("---\r\ntitle: {{ title }}   # {{ title }}\r\nask: \"{{ title }}\"\r\n"
                "tags: {{ tags }}\r\ncategory: {{ category }}\r\noutcome: {{ outcome or no }}\r\n"
                "---\r\n# {{ title }}\r\n")
    text, problems = fill(template, {"title": "A: b", "tags": [], "category": None,
                                     "outcome": None}, "t.md")
    assert problems == []
    assert text == ('---\r\ntitle: "A: b"   # A: b\r\nask: "A: b"\r\ntags: []\r\n'
                    "category:\r\noutcome: no\r\n---\r\n# A: b\r\n")


def test_an_unknown_placeholder_is_reported_at_its_line_and_column() -> None:
    _, problems = fill("---\ntitle: {{ title }}\nmood: {{ mood }}\n---\n", {"title": "x"},
                       "archetypes/attempt.md")
    assert [(p.line, p.column, p.message) for p in problems] == [
        (3, 7, 'unknown placeholder "{{ mood }}"')]


def test_a_broken_archetype_is_reported_and_nothing_is_planned() -> None:
    archetype = "---\ntitle: {{ title }}\ndate: {{ date }}\n---\n"  # no outcome
    plan = plan_attempt(NewOptions("x"), TODAY, make_config(), archetype, ARCHETYPE, set(),
                        False)
    assert [(p.path, p.message) for p in plan.problems] == [(ARCHETYPE, "outcome is missing")]
    assert plan.text == "" and plan.rel_path == ""


@pytest.mark.parametrize(("title", "slug"), [
    ("Asked the café for a free refill", "asked-the-cafe-for-a-free-refill"),
    ("Één café", "een-cafe"),
    ("Straße & Smørrebrød", "strasse-smorrebrod"),
    ("Didn't ask: I'll ask tomorrow!", "didnt-ask-ill-ask-tomorrow"),
    ("Спросил о скидке", ""),
    ("値引きをお願いした", ""),
    ("Asked 田中さん for help", "asked-for-help"),
    ("   ", ""),
    ("A" * 80, "a" * 60),
    ("word " * 20, "word-word-word-word-word-word-word-word-word-word-word-word"),
])
def test_titles_become_file_names_that_are_also_web_addresses(title: str, slug: str) -> None:
    assert title_slug(title) == slug
    assert len(slug) <= 60


def test_a_name_that_is_taken_gets_a_number() -> None:
    day = dt.date(2026, 3, 14)
    assert attempt_stem(day, "Free refill", set()) == "2026-03-14-free-refill"
    taken = {"2026-03-14-free-refill", "2026-03-14-free-refill-2"}
    assert attempt_stem(day, "Free refill", taken) == "2026-03-14-free-refill-3"
    assert attempt_stem(day, "Спросил", set()) == "2026-03-14"
    assert attempt_stem(day, "Спросил", {"2026-03-14"}) == "2026-03-14-2"


def test_taken_addresses_include_files_in_subfolders(tmp_path: Path) -> None:
    folder = tmp_path / "content/attempts/2026-03"
    folder.mkdir(parents=True)
    (folder / "2026-03-14-free-refill.md").write_text("x")
    (folder / "2026-03-15 Ask Über.md").write_text("x")
    assert existing_slugs(tmp_path) == {"2026-03-14-free-refill", "2026-03-15-ask-uber"}
    assert uses_month_folders(tmp_path)
    (tmp_path / "content/attempts/loose.md").write_text("x")
    assert not uses_month_folders(tmp_path)


def test_a_new_attempt_follows_the_month_folders_of_the_site() -> None:
    config = make_config()
    plan = plan_attempt(NewOptions("Free refill"), dt.date(2026, 3, 14), config,
                        default_archetype(config), ARCHETYPE, set(), True)
    assert plan.rel_path == "content/attempts/2026-03/2026-03-14-free-refill.md"


def test_an_outcome_may_be_a_word_in_dutch_or_a_label_and_a_wrong_one_gets_a_hint() -> None:
    config = make_config()
    archetype = default_archetype(config)
    plan = plan_attempt(NewOptions("x", outcome="Nee"), TODAY, config, archetype, ARCHETYPE,
                        set(), False)
    assert "\noutcome: no " in plan.text
    plan = plan_attempt(NewOptions("x", outcome="pendng"), TODAY, config, archetype, ARCHETYPE,
                        set(), False)
    assert plan.problems[0].message == \
        '--outcome "pendng" is not one of: no, yes, ghosted, pending'
    assert plan.problems[0].hint == 'did you mean "pending"?'


def test_today_is_the_site_zone_day_or_source_date_epoch() -> None:
    late = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)
    assert today_for_site(dt.UTC, {}, late) == dt.date(2026, 3, 14)
    from zoneinfo import ZoneInfo
    assert today_for_site(ZoneInfo("Europe/Amsterdam"), {}, late) == dt.date(2026, 3, 15)
    assert today_for_site(dt.UTC, {"SOURCE_DATE_EPOCH": "1773532800"}, late) == \
        dt.date(2026, 3, 15)
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        today_for_site(dt.UTC, {"SOURCE_DATE_EPOCH": "yesterday"})


def fake_editor(tmp_path: Path, code: int = 0) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[-1], 'a').write('Edited.\\n')\n"
                      f"sys.exit({code})\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{sys.executable} {script}"


def test_the_editor_from_visual_or_editor_opens_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("---\n")
    assert open_in_editor(target, {"EDITOR": fake_editor(tmp_path)}) is None
    assert target.read_text() == "---\nEdited.\n"
    problem = open_in_editor(target, {})
    assert problem is not None and "EDITOR" in (problem.hint or "")
    problem = open_in_editor(target, {"VISUAL": fake_editor(tmp_path, 3)})
    assert problem is not None and "exit code 3" in problem.message
