"""The writing commands: init, new, decide, import, export. Flags in, exit codes out.

`add_commands(subparsers)` registers them on goldstar's parser (cli.py); each
sets `authoring_handler`, which cli.main calls with the parsed arguments. The
work is done by the pure functions of scaffold, edit, importer and export;
this module reads and writes the files and prints. Heavy modules are imported
inside the handlers, so `goldstar --help` stays fast.

Exit codes: 0 done, 1 problems (listed as `path:line: error: ...`), 2 the
command line was wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from generator.config import SiteConfig
    from generator.entries import Entry
    from generator.problems import Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def date_argument(value: str) -> dt.date:
    """A YYYY-MM-DD command-line date, or a usage error that shows the form."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'"{value}" is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14') from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f'"{value}" is not a whole number of at least 1')
    return number


def _words(value: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in value.split(",") if w.strip())


def _site(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="folder of the site (with content/site.yml); default: here")


class VersionAction(argparse.Action):
    """`--version` that also says where goldstar came from; git is asked only when used."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS,
                 help: str = "print the version and where this goldstar came from") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        from generator.origin import find_origin, version_text

        print(version_text(find_origin()))
        parser.exit()


def add_commands(subparsers: Any) -> None:
    """Register init, new, decide, import and export on goldstar's subcommand parsers."""
    from generator.preset_catalog import DEFAULT_PRESET, PRESETS

    init = subparsers.add_parser(
        "init", help="start a new challenge site in a new folder",
        description="Make a new site folder that builds at once: settings, an about page, "
                    "the template for new attempts, and the files to publish it on Netlify "
                    "or GitHub Pages. Existing files are never overwritten.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="presets:\n" + "\n".join(f"  {p.name:<12} {p.summary}"
                                        for p in PRESETS.values()))
    init.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                      help="the folder to create (on a terminal, leave it out to be asked)")
    init.add_argument("--preset", choices=list(PRESETS), default=None,
                      help=f"the kind of challenge (default: {DEFAULT_PRESET})")
    init.add_argument("--title", help="the site's title (default: the preset's)")
    init.add_argument("--language", choices=["en", "nl"], default=None,
                      help="language of the site and its texts (default: en)")
    init.add_argument("--goal", type=_positive, metavar="N", help="how many you are after")
    init.add_argument("--counts", type=_words, metavar="OUTCOMES",
                      help="outcomes that count toward the goal, e.g. no or no,ghosted")
    init.add_argument("--start", type=date_argument, metavar="DATE",
                      help="first day (default: today)")
    init.add_argument("--end", type=date_argument, metavar="DATE",
                      help="last day (default: the preset's length after the start)")
    init.add_argument("--force", action="store_true",
                      help="use a folder that is not empty (existing files are still kept)")
    init.set_defaults(authoring_handler=cmd_init)

    new = subparsers.add_parser(
        "new", help="write a new attempt file",
        description="Write content/attempts/<date>-<title>.md from the site's archetype "
                    "(archetypes/attempt.md) and print its path.")
    new.add_argument("title", help='what you asked, in quotes: "Asked for a free refill"')
    new.add_argument("--outcome", help="no, yes, ghosted, pending (default: the archetype's)")
    new.add_argument("--category", help="one group, such as social or job")
    new.add_argument("--tags", type=_words, default=(), metavar="A,B",
                     help="labels, separated by commas")
    new.add_argument("--date", type=date_argument, metavar="DATE",
                     help="the day of the attempt (default: today in the site's timezone)")
    new.add_argument("--edit", action="store_true", help="open the file in $VISUAL or $EDITOR")
    _site(new)
    new.set_defaults(authoring_handler=cmd_new)

    decide = subparsers.add_parser(
        "decide", help="record the answer to a pending attempt",
        description="Set outcome and decided (and feedback, lesson) in an attempt's front "
                    "matter. Every other line, comment and byte of the file stays as it is.")
    decide.add_argument("attempt", metavar="PATH_OR_SLUG",
                        help="the file, or its name (2026-03-14-free-refill or free-refill)")
    decide.add_argument("--outcome", required=True, help="the answer: no, yes, ghosted ...")
    decide.add_argument("--date", type=date_argument, metavar="DATE",
                        help="the day the answer came (default: today)")
    decide.add_argument("--feedback", help="what they said")
    decide.add_argument("--lesson", help="what you took away from it")
    _site(decide)
    decide.set_defaults(authoring_handler=cmd_decide)

    imp = subparsers.add_parser(
        "import", help="turn spreadsheet rows (CSV) into attempt files",
        description="Read a CSV export (comma or semicolon, UTF-8 or Windows-1252) with "
                    "columns such as title, date, outcome (English or Dutch) and write one "
                    "attempt file per row. Nothing is written unless every row is valid; "
                    "rows already in the site are skipped.")
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the spreadsheet, as CSV")
    imp.add_argument("--map", metavar="COLUMN=FIELD,...",
                     help='which column is which field, e.g. "Wat=title,Wanneer=date"')
    imp.add_argument("--date-format", metavar="FMT",
                     help="order of numeric dates: DD-MM-YYYY or MM/DD/YYYY (%%d-%%m-%%Y works)")
    imp.add_argument("--dry-run", action="store_true",
                     help="show what would be written, write nothing")
    _site(imp)
    imp.set_defaults(authoring_handler=cmd_import)

    export = subparsers.add_parser(
        "export", help="write every counted attempt as CSV or JSON",
        description="Every counted attempt with all its fields: CSV for a spreadsheet "
                    "(UTF-8 with BOM, so Excel shows accents right) or JSON.")
    export.add_argument("--format", choices=["csv", "json"],
                        help="default: from the --output name, else csv")
    export.add_argument("--output", type=Path, metavar="FILE",
                        help="where to write it (default: print it)")
    export.add_argument("--as-of", type=date_argument, metavar="DATE",
                        help="the attempts counted on DATE (default: today)")
    _site(export)
    export.set_defaults(authoring_handler=cmd_export)


# ------------------------------------------------------------------- helpers

def _report(problems: Sequence[Problem], closing: str = "") -> int:
    from generator.problems import errors, format_problems

    if problems:
        print(format_problems(problems), file=sys.stderr)
    if closing:
        print(closing, file=sys.stderr)
    return EXIT_PROBLEMS if errors(problems) else EXIT_OK


def _today(tz: dt.tzinfo) -> tuple[dt.date | None, Problem | None]:
    from generator.problems import Problem
    from generator.scaffold import today_for_site

    try:
        return today_for_site(tz, os.environ), None
    except ValueError as exc:
        return None, Problem("SOURCE_DATE_EPOCH", None, None, str(exc),
                             "unset it, or give it in seconds since 1970")


def _config(site: Path) -> tuple[SiteConfig | None, list[Problem]]:
    from generator.config import load_config

    config, problems, _ = load_config(site)
    if any(p.is_error for p in problems):
        return None, problems
    return config, [p for p in problems if not p.is_error]


def _shown(site: Path, rel: str) -> str:
    """A path to print: from the current folder when the site is here."""
    return (site / rel).as_posix() if str(site) not in ("", ".") else rel


# ---------------------------------------------------------------------- init

def cmd_init(args: argparse.Namespace, ask: Callable[[str], str] | None = None,
             interactive: bool | None = None) -> int:
    """`goldstar init`: a new site folder."""
    from zoneinfo import ZoneInfo

    from generator.origin import find_origin, requirements_txt
    from generator.preset_catalog import DEFAULT_PRESET
    from generator.problems import plural
    from generator.scaffold import (
        InitOptions,
        folder_problem,
        machine_timezone,
        plan_site,
        write_new_files,
    )

    options = InitOptions(
        preset=args.preset or DEFAULT_PRESET, title=args.title, language=args.language or "en",
        goal=args.goal, counts=args.counts, start=args.start, end=args.end)
    root: Path | None = args.dir
    if root is None:
        flags_given = any(getattr(args, name) not in (None, False) for name in (
            "preset", "title", "language", "goal", "counts", "start", "end", "force"))
        if interactive is None:
            interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if flags_given or not interactive:
            print("goldstar init: error: name the folder to create, "
                  "e.g. goldstar init my-challenge", file=sys.stderr)
            return EXIT_USAGE
        answers = interview(ask or input)
        if answers is None:
            print("\nStopped; nothing was written.", file=sys.stderr)
            return EXIT_USAGE
        root, options = answers
    timezone = machine_timezone(os.environ)
    today, problem = _today(ZoneInfo(timezone) if timezone else dt.UTC)
    if problem or today is None:
        return _report([problem] if problem else [])
    place = folder_problem(root, args.force)
    if place:
        return _report([place], "Nothing was written.")
    plan = plan_site(options, today, timezone, requirements_txt(find_origin()))
    if plan.problems:
        return _report(plan.problems, "Nothing was written.")
    written, skipped = write_new_files(root, plan.files)
    print(f"Created {len(written)} {plural(len(written), 'file')} in {root}/:")
    for rel in written:
        print(f"  {rel}")
    if skipped:
        print(f"Kept {len(skipped)} existing {plural(len(skipped), 'file')} as they were:")
        for rel in skipped:
            print(f"  {rel}")
    print(f"\nNext:\n  cd {root}\n  goldstar new \"My first ask\"\n  goldstar serve\n"
          "Before you publish, check requirements.txt: it names the goldstar that will "
          "build your site online.")
    return EXIT_OK


def interview(ask: Callable[[str], str]) -> tuple[Path, Any] | None:
    """Questions for `goldstar init` on a terminal with no arguments; None on Ctrl-D/Ctrl-C."""
    from generator.preset_catalog import PRESETS
    from generator.scaffold import InitOptions

    def question(prompt: str, default: str, valid: Callable[[str], bool]) -> str:
        for _ in range(5):
            answer = ask(f"{prompt} [{default}]: ").strip() or default
            if valid(answer):
                return answer
            print(f"  '{answer}' is not one of the choices; try again.")
        raise EOFError

    names = list(PRESETS)
    try:
        folder = question("Folder for the new site", "my-challenge", bool)
        print("Kinds of challenge:")
        for number, preset in enumerate(PRESETS.values(), start=1):
            print(f"  {number}. {preset.name}: {preset.summary}")
        choice = question("Which one (number or name)", "1",
                          lambda a: a in names or (a.isdigit() and 1 <= int(a) <= len(names)))
        preset = PRESETS[names[int(choice) - 1] if choice.isdigit() else choice]
        language = question("Language, en or nl", "en", lambda a: a in ("en", "nl"))
        title = question("Title", preset.titles[language], bool)
        goal = question("Goal", str(preset.goal), lambda a: a.isdigit() and int(a) > 0)
    except (EOFError, KeyboardInterrupt):
        return None
    return Path(folder), InitOptions(preset=preset.name, title=title, language=language,
                                     goal=int(goal))


# ----------------------------------------------------------------------- new

def cmd_new(args: argparse.Namespace) -> int:
    """`goldstar new`: one attempt file from the archetype."""
    from generator.scaffold import (
        ARCHETYPE,
        NewOptions,
        default_archetype,
        existing_slugs,
        open_in_editor,
        plan_attempt,
        uses_month_folders,
    )

    site: Path = args.site
    config, warnings = _config(site)
    if config is None:
        return _report(warnings, "Nothing was written.")
    today, problem = _today(config.tzinfo())
    if problem or today is None:
        return _report([problem] if problem else [])
    archetype_file = site / ARCHETYPE
    if archetype_file.is_file():
        archetype, archetype_path = archetype_file.read_text("utf-8"), ARCHETYPE
    else:
        archetype, archetype_path = default_archetype(config), "(built-in archetype)"
    day = args.date or today
    plan = plan_attempt(
        NewOptions(args.title, args.outcome, args.category, tuple(args.tags), day),
        day, config, archetype, archetype_path, existing_slugs(site), uses_month_folders(site))
    if plan.problems:
        return _report([*warnings, *plan.problems], "Nothing was written.")
    target = site / plan.rel_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8", newline="") as out:
        out.write(plan.text)
    _report([*warnings, *plan.warnings])
    print(_shown(site, plan.rel_path))
    if args.edit:
        problem = open_in_editor(target, os.environ)
        if problem:
            return _report([problem])
    return EXIT_OK


# -------------------------------------------------------------------- decide

def cmd_decide(args: argparse.Namespace) -> int:
    """`goldstar decide`: record an answer in place."""
    from generator.edit import Decision, decide, find_attempt
    from generator.entries import ATTEMPTS_DIR
    from generator.problems import display_path

    site: Path = args.site
    config, warnings = _config(site)
    if config is None:
        return _report(warnings, "Nothing was changed.")
    path, problems = find_attempt(site, args.attempt)
    if path is None:
        return _report(problems, "Nothing was changed.")
    today, problem = _today(config.tzinfo())
    if problem or today is None:
        return _report([problem] if problem else [])
    shown = display_path(path.resolve(), site.resolve())
    rel = shown[len(ATTEMPTS_DIR) + 1:] if shown.startswith(ATTEMPTS_DIR + "/") else path.name
    raw = path.read_bytes()
    decision = Decision(args.outcome, args.date or today, args.feedback, args.lesson)
    new_raw, problems = decide(raw, shown, rel, config, decision)
    if new_raw is None:
        return _report(problems, "Nothing was changed.")
    _replace_file(path, new_raw)
    from generator.words import outcome_for

    print(f"{shown}: outcome {outcome_for(args.outcome, config)}, "
          f"decided {decision.decided.isoformat()}")
    return EXIT_OK


def _replace_file(path: Path, data: bytes) -> None:
    """Write through a temporary file beside it, so the attempt is never half written."""
    import shutil
    import tempfile

    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------- import

def cmd_import(args: argparse.Namespace) -> int:
    """`goldstar import`: rows to files, all or nothing."""
    from generator.importer import (
        columns_summary,
        dry_run_table,
        parse_map,
        plan_import,
        site_identities,
        write_import,
    )
    from generator.problems import Problem, plural
    from generator.scaffold import existing_slugs, uses_month_folders

    site: Path = args.site
    config, warnings = _config(site)
    if config is None:
        return _report(warnings, "Nothing was written.")
    mapping, problems = parse_map(args.map)
    if problems:
        return _report(problems, "Nothing was written.")
    shown = str(args.file)
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        return _report([Problem(shown, None, None, f"cannot be read: {exc.strerror}",
                                "check the name of the file")], "Nothing was written.")
    counts, files = site_identities(site)
    plan = plan_import(raw, shown, config, mapping=mapping, date_format=args.date_format,
                       existing=counts, existing_files=files, taken=existing_slugs(site),
                       month_folders=uses_month_folders(site))
    if not plan.ok:
        errors = len(plan.problems)
        return _report(plan.problems, f"Nothing was written: {errors} "
                                      f"{plural(errors, 'problem')} in {shown}.")
    skipped = f", {len(plan.skipped)} already in the site" if plan.skipped else ""
    if args.dry_run:
        print(f"Columns: {columns_summary(plan)}")
        print(dry_run_table(plan))
        print(f"Would write {len(plan.attempts)} {plural(len(plan.attempts), 'file')}"
              f"{skipped}. Nothing was written (--dry-run).")
        return EXIT_OK
    written = write_import(site, plan)
    print(f"Imported {len(written)} {plural(len(written), 'attempt')} from {shown}{skipped}.")
    for rel in written:
        print(f"  {_shown(site, rel)}")
    return EXIT_OK


# -------------------------------------------------------------------- export

def load_attempts(site: Path) -> tuple[list[Entry], dict[str, str], list[Problem]]:
    """Every attempt of the site, loaded and validated as the build loads it, and
    the story of each by the path of its file."""
    from generator.entries import body_text
    from generator.problems import BuildFailed
    from generator.site import BuildOptions, load_site

    try:
        loaded = load_site(BuildOptions(site_dir=site, use_cache=False))
    except BuildFailed as exc:
        return [], {}, list(exc.problems)
    bodies = {e.path: body_text(loaded.sources[e.path].data) for e in loaded.entries}
    return loaded.entries, bodies, loaded.warnings


def cmd_export(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    """`goldstar export`: counted attempts as CSV or JSON."""
    from generator.export import counted, export_records, to_csv, to_json
    from generator.problems import plural

    site: Path = args.site
    config, warnings = _config(site)
    if config is None:
        return _report(warnings, "Nothing was exported.")
    entries, bodies, problems = load_attempts(site)
    if any(p.is_error for p in problems):
        return _report(problems, "Nothing was exported: fix these first, so that no "
                                 "attempt is left out.")
    as_of = args.as_of
    if as_of is None:
        as_of, problem = _today(config.tzinfo())
        if problem:
            return _report([problem])
    fmt = args.format or ("json" if args.output and args.output.suffix == ".json" else "csv")
    chosen = counted(entries, as_of)
    records = export_records(chosen, config, bodies)
    data = to_csv(records) if fmt == "csv" else to_json(records, config, as_of).encode("utf-8")
    if args.output is None:
        out = stdout or sys.stdout
        out.flush()
        if hasattr(out, "buffer"):
            out.buffer.write(data)
            out.buffer.flush()
        else:
            out.write(data.decode("utf-8"))
        return EXIT_OK
    args.output.write_bytes(data)
    print(f"Exported {len(chosen)} {plural(len(chosen), 'attempt')} to {args.output}.",
          file=sys.stderr)
    return EXIT_OK
