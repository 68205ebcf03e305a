"""Tests of config.load_config on a site folder in tmp_path.

Problems are checked for their line in site.yml, their severity and the key
words of their message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import CONFIG_NAME, Outcome, SiteConfig, load_config
from generator.problems import ERROR, WARNING, Problem

GOOD = """\
title: "100 Nos by New Year"
author: Sam Rivera
description: One ask a day.
language: nl
timezone: Europe/Amsterdam
base_url: https://example.org/blog
per_page: 10
challenge:
  goal: 100
  counts: [no]
  start: 2026-08-01
  end: 2026-12-31
  ghost_after_days: 30
"""


def write_site(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / CONFIG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return tmp_path


def load(tmp_path: Path, content: str | bytes) -> tuple[SiteConfig, list[Problem]]:
    config, problems, _ = load_config(write_site(tmp_path, content))
    return config, problems


def the_problem(tmp_path: Path, content: str) -> Problem:
    _, problems = load(tmp_path, content)
    assert len(problems) == 1, [p.format() for p in problems]
    return problems[0]


def with_challenge(*lines: str, head: str = "title: T\n") -> str:
    """site.yml with a title on line 1, `challenge:` on line 2 and these lines from line 3."""
    return head + "challenge:\n" + "".join(f"  {line}\n" for line in lines)


def test_a_good_site_yml_is_read_without_problems(tmp_path: Path) -> None:
    config, problems, raw = load_config(write_site(tmp_path, GOOD))
    assert problems == []
    assert raw == GOOD.encode()
    assert config.title == "100 Nos by New Year"
    assert config.author == "Sam Rivera"
    assert config.language == "nl"
    assert config.timezone == "Europe/Amsterdam"
    assert config.base_url == "https://example.org/blog/"
    assert config.base_path == "/blog/"
    assert config.per_page == 10
    assert config.challenge.goal == 100
    assert config.challenge.counts == ("no",)
    assert config.challenge.start == dt.date(2026, 8, 1)
    assert config.challenge.end == dt.date(2026, 12, 31)
    assert config.challenge.ghost_after_days == 30
    assert config.outcome_keys == ("no", "yes", "ghosted", "pending")


def test_defaults_fill_in_what_site_yml_leaves_out(tmp_path: Path) -> None:
    config, problems = load(tmp_path, with_challenge("goal: 10"))
    assert problems == []
    assert (config.language, config.per_page, config.timezone) == ("en", 20, None)
    assert config.challenge.counts == ("no",)
    assert (config.challenge.start, config.challenge.end) == (None, None)


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    config, problems = load(tmp_path, b"\xef\xbb\xbf" + GOOD.encode())
    assert problems == []
    assert config.title == "100 Nos by New Year"


def test_an_unknown_setting_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    config, problems = load(tmp_path, GOOD + "per_pgae: 5\n")
    (problem,) = problems
    assert problem.severity == WARNING
    assert problem.line == 14
    assert '"per_pgae"' in problem.message and "ignored" in problem.message
    assert problem.hint == 'did you mean "per_page"?'
    assert config.per_page == 10


def test_an_unknown_challenge_setting_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    config, problems = load(tmp_path, with_challenge("goal: 10", "ghost_after_day: 30"))
    (problem,) = problems
    assert problem.severity == WARNING
    assert problem.line == 4
    assert '"ghost_after_day"' in problem.message
    assert problem.hint == 'did you mean "ghost_after_days"?'
    assert config.challenge.ghost_after_days is None


def test_an_unknown_setting_with_a_block_value_is_reported_at_its_own_line(
        tmp_path: Path) -> None:
    # A misspelled `challenge:` on line 2: the warning points at line 2, not at `goal:`.
    _, problems = load(tmp_path, "title: T\nchalenge:\n  goal: 10\n")
    (warning,) = [p for p in problems if p.severity == WARNING]
    assert warning.line == 2
    assert warning.hint == 'did you mean "challenge"?'


@pytest.mark.parametrize("goal", ["many", '"10"', "2.5", "0", "-3", "true", "[10]"])
def test_a_goal_that_is_not_a_positive_whole_number_is_an_error(tmp_path: Path,
                                                                  goal: str) -> None:
    problem = the_problem(tmp_path, with_challenge(f"goal: {goal}"))
    assert (problem.line, problem.severity) == (3, ERROR)
    assert "challenge.goal" in problem.message and "whole number" in problem.message


def test_a_missing_goal_is_an_error(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, with_challenge("counts: [no]"))
    assert problem.severity == ERROR
    assert "challenge.goal is missing" in problem.message


def test_a_missing_challenge_is_an_error(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, "title: T\n")
    assert problem.severity == ERROR
    assert "challenge is missing" in problem.message


def test_an_impossible_start_date_is_an_error_at_its_line(tmp_path: Path) -> None:
    config, problems = load(tmp_path, with_challenge("goal: 10", "start: 2026-02-30"))
    (problem,) = problems
    assert (problem.line, problem.severity) == (4, ERROR)
    assert "2026-02-30" in problem.message and "not a day of the calendar" in problem.message
    assert config.challenge.start is None


def test_a_start_that_is_not_a_date_is_an_error_at_its_line(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, with_challenge("goal: 10", "start: 1 August"))
    assert (problem.line, problem.severity) == (4, ERROR)
    assert "challenge.start" in problem.message and "YYYY-MM-DD" in problem.message


def test_an_end_before_the_start_is_an_error_at_the_end_line(tmp_path: Path) -> None:
    content = with_challenge("goal: 10", "start: 2026-08-01", "end: 2026-07-31")
    config, problems = load(tmp_path, content)
    (problem,) = problems
    assert (problem.line, problem.severity) == (5, ERROR)
    assert "challenge.end" in problem.message and "before" in problem.message
    assert "2026-07-31" in problem.message and "2026-08-01" in problem.message


def test_an_end_on_the_start_day_is_fine(tmp_path: Path) -> None:
    _, problems = load(tmp_path, with_challenge("goal: 10", "start: 2026-08-01",
                                                "end: 2026-08-01"))
    assert problems == []


def test_any_language_code_is_taken_and_what_is_not_one_is_an_error(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "language: pt-BR\n" + with_challenge("goal: 10", head=""))
    assert problems == [] and config.language == "pt-BR"
    config, problems = load(tmp_path, "language: Dutch\n" + with_challenge("goal: 10", head=""))
    (problem,) = problems
    assert (problem.line, problem.severity) == (1, ERROR)
    assert '"Dutch"' in problem.message and problem.hint and '"nl"' in problem.hint
    assert config.language == "en"


def test_an_unknown_timezone_is_an_error_at_its_line(tmp_path: Path) -> None:
    content = "title: T\ntimezone: Europe/Amsterdm\n" + with_challenge("goal: 10", head="")
    config, problems = load(tmp_path, content)
    (problem,) = problems
    assert (problem.line, problem.severity) == (2, ERROR)
    assert '"Europe/Amsterdm"' in problem.message and "IANA" in problem.message
    assert config.timezone is None


def test_a_timezone_that_looks_like_a_path_is_an_error(tmp_path: Path) -> None:
    content = "timezone: ../../etc/passwd\n" + with_challenge("goal: 10", head="")
    problem = the_problem(tmp_path, content)
    assert (problem.line, problem.severity) == (1, ERROR)


def test_counts_naming_an_unknown_outcome_is_an_error_at_its_item(tmp_path: Path) -> None:
    content = with_challenge("goal: 10", "counts:", "  - no", "  - ghostd")
    config, problems = load(tmp_path, content)
    (problem,) = problems
    assert (problem.line, problem.severity) == (6, ERROR)
    assert '"ghostd"' in problem.message and "no, yes, ghosted, pending" in problem.message
    assert problem.hint == 'did you mean "ghosted"?'
    assert config.challenge.counts == ("no",)


def test_counts_may_be_a_single_outcome(tmp_path: Path) -> None:
    config, problems = load(tmp_path, with_challenge("goal: 10", "counts: yes"))
    assert problems == []
    assert config.challenge.counts == ("yes",)


def test_counts_may_list_every_outcome_for_an_effort_goal(tmp_path: Path) -> None:
    config, problems = load(tmp_path, with_challenge(
        "goal: 10", "counts: [no, yes, ghosted, pending]"))
    assert problems == []
    assert config.challenge.counts == ("no", "yes", "ghosted", "pending")


CUSTOM = """\
title: T
outcomes:
  no: {label: Nope, color: "#b42318"}
  maybe: {label: Maybe}
  yes:
challenge:
  goal: 5
  counts: [maybe, no]
"""


def test_custom_outcomes_replace_the_default_ones(tmp_path: Path) -> None:
    config, problems = load(tmp_path, CUSTOM)
    assert problems == []
    assert config.outcomes == (
        Outcome("no", "Nope", "#b42318"),
        Outcome("maybe", "Maybe", "#535862"),
        Outcome("yes", None, "#067647"),
    )
    assert config.challenge.counts == ("maybe", "no")


def test_counts_naming_a_default_outcome_left_out_of_custom_outcomes_is_an_error(
        tmp_path: Path) -> None:
    content = CUSTOM.replace("counts: [maybe, no]", "counts: [ghosted]")
    problem = the_problem(tmp_path, content)
    assert (problem.line, problem.severity) == (8, ERROR)
    assert '"ghosted"' in problem.message and "no, maybe, yes" in problem.message


def test_a_custom_outcome_with_a_bad_color_is_an_error_at_the_color(tmp_path: Path) -> None:
    content = CUSTOM.replace("{label: Maybe}", "{label: Maybe, color: blue}")
    problem = the_problem(tmp_path, content)
    assert (problem.line, problem.severity) == (4, ERROR)
    assert '"blue"' in problem.message


def test_a_custom_outcome_name_that_cannot_be_in_a_url_is_an_error(tmp_path: Path) -> None:
    content = CUSTOM.replace("  maybe:", "  Not Sure:")
    config, problems = load(tmp_path, content)
    assert problems and all(p.severity == ERROR for p in problems)
    assert problems[0].line == 4 and '"Not Sure"' in problems[0].message


def test_a_missing_site_yml_is_an_error_without_a_line(tmp_path: Path) -> None:
    config, problems, raw = load_config(tmp_path)
    (problem,) = problems
    assert problem.path == CONFIG_NAME
    assert (problem.line, problem.severity) == (None, ERROR)
    assert "missing" in problem.message
    assert problem.hint is not None and "--site" in problem.hint
    assert raw == b""
    assert config == SiteConfig()


def test_a_site_yml_that_is_not_utf8_is_an_error_at_the_line_of_the_bad_byte(
        tmp_path: Path) -> None:
    content = ("title: T\nauthor: Ren" + "é" + "e\n" + with_challenge("goal: 10", head=""))
    raw = content.encode("latin-1")
    config, problems = load(tmp_path, raw)
    (problem,) = problems
    assert (problem.line, problem.severity) == (2, ERROR)
    assert "UTF-8" in problem.message


def test_a_yaml_syntax_error_is_reported_at_its_line(tmp_path: Path) -> None:
    content = "title: T\nauthor: Sam\ndescription: Asking: every day\n" + with_challenge(
        "goal: 10", head="")
    problem = the_problem(tmp_path, content)
    assert (problem.line, problem.severity) == (3, ERROR)
    assert "site.yml is not valid YAML" in problem.message
    assert "front matter" not in problem.message
    assert problem.hint is not None and "quotes" in problem.hint


def test_a_yaml_syntax_error_deep_in_the_file_is_reported_at_its_line(tmp_path: Path) -> None:
    content = with_challenge("goal: 10", "counts: [no, yes", "start: 2026-01-01")
    problem = the_problem(tmp_path, content)
    assert problem.line in (4, 5)  # the list opened on line 4 is never closed
    assert "not valid YAML" in problem.message


def test_a_site_yml_that_is_not_key_value_lines_is_an_error(tmp_path: Path) -> None:
    problem = the_problem(tmp_path, "- title\n- challenge\n")
    assert (problem.line, problem.severity) == (1, ERROR)
    assert "site.yml" in problem.message
