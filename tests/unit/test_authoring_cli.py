"""The writing commands end to end: init, new, decide, import, export on real folders."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import stat
import sys
from pathlib import Path

import pytest
from kit import Run, run

from generator import __version__, authoring_cli, cli
from generator.config import load_config
from generator.entries import parse_attempt

FIXTURES = Path(__file__).parent / "fixtures"


def goldstar(*args: str | Path) -> Run:
    """`goldstar ARGS` through cli.main in this process, output captured."""
    return run(*args)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773532800")  # 2026-03-15 00:00 UTC
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    result = goldstar("init", tmp_path / "site", "--start", "2026-03-01")
    assert result.code == 0, result.err
    return tmp_path / "site"


def attempt_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix()
                  for p in (site / "content/attempts").rglob("*.md"))


def test_init_prints_what_it_made_and_the_next_steps(site: Path) -> None:
    assert (site / "content/site.yml").is_file()
    config, problems, _ = load_config(site)
    assert problems == [] and config.timezone == "Europe/Amsterdam"
    assert config.challenge.start.isoformat() == "2026-03-01"


def test_init_refuses_a_folder_that_is_not_empty_and_force_keeps_every_file(
        site: Path) -> None:
    (site / "content/site.yml").write_text("mine\n")
    result = goldstar("init", site)
    assert result.code == 1
    assert result.err == (f"{site}: error: the folder is not empty\n"
                          "  hint: choose a new folder, or add --force to add the missing "
                          "files (goldstar never overwrites a file that exists)\n"
                          "Nothing was written.\n")
    (site / "netlify.toml").unlink()
    result = goldstar("init", site, "--force")
    assert result.code == 0
    assert "Created 1 file" in result.out and "  netlify.toml\n" in result.out
    assert "Kept 8 existing files as they were:" in result.out
    assert (site / "content/site.yml").read_text() == "mine\n"


def test_init_without_a_folder_and_without_a_terminal_never_waits(tmp_path: Path) -> None:
    result = goldstar("init")
    assert result.code == 2 and "name the folder to create" in result.err
    result = goldstar("init", "--preset", "starter")
    assert result.code == 2


def test_init_on_a_terminal_asks_its_questions(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    answers = iter(["nos", "starter", "nl", "", "12"])
    args = argparse_namespace()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = authoring_cli.cmd_init(args, ask=lambda prompt: next(answers), interactive=True)
    assert code == 0
    config, problems, _ = load_config(tmp_path / "nos")
    assert problems == []
    assert (config.title, config.language, config.challenge.goal) == (
        "Mijn eerste 10 keer nee", "nl", 12)


def test_init_questions_stop_cleanly_at_the_end_of_input(tmp_path: Path) -> None:
    def end_of_input(prompt: str) -> str:
        raise EOFError

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = authoring_cli.cmd_init(argparse_namespace(), ask=end_of_input, interactive=True)
    assert code == 2 and "nothing was written" in err.getvalue()


def argparse_namespace() -> object:
    import argparse

    return argparse.Namespace(dir=None, preset=None, title=None, language=None, goal=None,
                              counts=None, start=None, end=None, force=False)


def test_new_writes_todays_attempt_and_never_overwrites(site: Path) -> None:
    first = goldstar("new", "Asked the café for a free refill", "--site", site,
                     "--tags", "food, strangers", "--category", "social")
    assert first.code == 0, first.err
    assert first.out == f"{site}/content/attempts/2026-03-15-asked-the-cafe-for-a-free-refill.md\n"
    second = goldstar("new", "Asked the café for a free refill", "--site", site)
    assert second.out.strip().endswith("-free-refill-2.md")
    config, _, _ = load_config(site)
    path = Path(first.out.strip())
    entry, problems = parse_attempt("x", "x.md", path.read_bytes(), config)
    assert entry is not None and problems == []
    assert entry.tags == ("food", "strangers") and entry.category == "social"
    assert entry.outcome == "no"


def test_new_with_a_wrong_outcome_writes_nothing(site: Path) -> None:
    result = goldstar("new", "x", "--outcome", "yess", "--site", site)
    assert result.code == 1
    assert result.err == ('goldstar new: error: --outcome "yess" is not one of: no, yes, '
                          'ghosted, pending\n  hint: did you mean "yes"?\nNothing was written.\n')
    assert attempt_files(site) == []


def test_new_opens_the_editor(site: Path, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[-1], 'a').write('Edited.\\n')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    result = goldstar("new", "Asked", "--date", "2026-03-02", "--edit", "--site", site)
    assert result.code == 0
    assert Path(result.out.strip()).read_text().endswith("---\nEdited.\n")


def test_decide_records_the_answer_by_slug(site: Path) -> None:
    goldstar("new", "Applied at Acme", "--outcome", "pending", "--date", "2026-03-02",
             "--site", site)
    result = goldstar("decide", "applied-at-acme", "--outcome", "nee", "--feedback",
                      "Not this time: maybe later.", "--site", site)
    assert result.code == 0, result.err
    assert result.out == ("content/attempts/2026-03-02-applied-at-acme.md: outcome no, "
                          "decided 2026-03-15\n")
    text = (site / "content/attempts/2026-03-02-applied-at-acme.md").read_text()
    assert 'feedback: "Not this time: maybe later."' in text
    assert "decided: 2026-03-15\n" in text and "outcome: no " in text


def test_decide_refuses_an_answer_before_the_ask(site: Path) -> None:
    goldstar("new", "Applied at Acme", "--outcome", "pending", "--date", "2026-03-10",
             "--site", site)
    path = site / "content/attempts/2026-03-10-applied-at-acme.md"
    before = path.read_bytes()
    result = goldstar("decide", path, "--outcome", "no", "--date", "2026-03-09", "--site", site)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "content/attempts/2026-03-10-applied-at-acme.md:3: error: the answer date 2026-03-09 "
        "is before the date of the attempt, 2026-03-10")
    assert path.read_bytes() == before


def test_import_writes_every_row_once(site: Path) -> None:
    sheet = FIXTURES / "import" / "dutch-excel.csv"
    result = goldstar("import", sheet, "--site", site)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Imported 4 attempts from {sheet}.\n")
    assert len(attempt_files(site)) == 4
    again = goldstar("import", sheet, "--site", site)
    assert again.out.splitlines()[0] == f"Imported 0 attempts from {sheet}, 4 already in the site."
    assert len(attempt_files(site)) == 4


def test_import_dry_run_writes_nothing(site: Path) -> None:
    result = goldstar("import", FIXTURES / "import" / "english-comma.csv", "--dry-run",
                      "--site", site)
    assert result.code == 0
    assert "content/attempts/2026-03-04-pitch-2-to-the-editor.md" in result.out
    assert result.out.rstrip().endswith("Would write 4 files. Nothing was written (--dry-run).")
    assert attempt_files(site) == []


def test_import_with_a_bad_row_writes_nothing(site: Path) -> None:
    sheet = FIXTURES / "import" / "bad-rows.csv"
    result = goldstar("import", sheet, "--site", site)
    assert result.code == 1
    assert result.err.splitlines()[0] == \
        f'{sheet}:3: error: row 2: date "31-02-2026" is not a day of the calendar'
    assert result.err.splitlines()[-1] == f"Nothing was written: 6 problems in {sheet}."
    assert attempt_files(site) == []


def test_export_to_a_file_and_to_the_terminal(site: Path) -> None:
    goldstar("import", FIXTURES / "import" / "english-comma.csv", "--site", site)
    result = goldstar("export", "--output", site / "all.csv", "--site", site)
    assert result.code == 0 and result.err == f"Exported 4 attempts to {site / 'all.csv'}.\n"
    assert (site / "all.csv").read_bytes().startswith(b"\xef\xbb\xbftitle,date,outcome")
    result = goldstar("export", "--format", "json", "--as-of", "2026-03-02", "--site", site)
    data = json.loads(result.out)
    assert [a["title"] for a in data["attempts"]] == [
        "Asked the café for a free refill", "Asked for a raise: the sequel"]


def test_a_whole_session_ends_in_a_site_that_builds(site: Path) -> None:
    goldstar("new", "Asked for a window seat", "--site", site)
    goldstar("new", "Emailed the editor", "--outcome", "pending", "--date", "2026-03-03",
             "--site", site)
    goldstar("decide", "emailed-the-editor", "--outcome", "no", "--site", site)
    goldstar("import", FIXTURES / "import" / "english-comma.csv", "--site", site)
    result = run("build", "--site", site, "--as-of", "2026-03-15", "--no-cache")
    assert result.code == 0, result.err
    stats = json.loads((site / "public" / "stats.json").read_text())
    assert stats["total"] == 6 and stats["outcomes"]["no"] == 3


COMMANDS = ["init", "new", "decide", "import", "export", "build", "check", "stats", "serve"]


def test_goldstar_lists_every_command_in_its_help() -> None:
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stdout(io.StringIO()) as out:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    listed = [line.split()[0] for line in out.getvalue().splitlines()
              if line.startswith("    ") and line.split()[0].isalpha()]
    assert sorted(listed) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str) -> None:
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stdout(io.StringIO()) as out:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    assert out.getvalue().startswith("usage: goldstar " + command)
    assert "--site DIR" in out.getvalue() or command == "init"


def test_goldstar_without_a_command_shows_the_commands_and_exits_2() -> None:
    result = goldstar()
    assert result.code == 2
    assert "init" in result.out and "decide" in result.out


def test_version_says_where_goldstar_came_from() -> None:
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stdout(io.StringIO()) as out:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == f"goldstar {__version__}" and len(lines) >= 2
    assert any(line.startswith(("source: ", "commit: ")) for line in lines[1:])


def test_a_wrong_date_on_the_command_line_is_a_usage_error(site: Path) -> None:
    with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stderr(io.StringIO()) as err:
        cli.main(["new", "x", "--date", "14-03-2026", "--site", str(site)])
    assert exit_info.value.code == 2
    assert 'is not a date; write it as YYYY-MM-DD' in err.getvalue()


def test_the_example_site_exports(tmp_path: Path) -> None:
    from kit import REPO

    site = tmp_path / "example"
    shutil.copytree(REPO / "content", site / "content")
    result = goldstar("export", "--site", site, "--as-of", "2026-12-31")
    assert result.code == 0
    assert result.out.count("\r\n") >= 41
