"""The `goldstar` command line: flags in, exit codes out, no logic of its own.

Heavy modules are imported inside the commands so `goldstar --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import authoring_cli
from generator.authoring_cli import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    VersionAction,
    date_argument,
)

if TYPE_CHECKING:  # imported by the commands that need them: --help stays fast
    from generator.problems import BuildFailed, Problem
    from generator.site import BuildOptions



def _port(value: str) -> int:
    """A TCP port number, or a usage error that says the range."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f'"{value}" is not a port; use a number from 1 to 65535, e.g. --port 8000 '
            "(0 picks a free one)")
    return port


def _workers(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(
            f'"{value}" is not a number of processes; use 1 or more, e.g. --workers 2')
    return count


def _site_options(parser: argparse.ArgumentParser, output: bool = True) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="folder of the site (with content/site.yml); default: here")
    if output:
        parser.add_argument("--output", type=Path, metavar="DIR",
                            help="where to write the site; default: public/ in the site folder")
    parser.add_argument("--drafts", action="store_true",
                        help="include attempts and pages marked draft: true")
    parser.add_argument("--as-of", type=date_argument, metavar="DATE",
                        help="build as if today were DATE (YYYY-MM-DD); "
                             "default: SOURCE_DATE_EPOCH or today in the site's timezone")
    parser.add_argument("--base-url", metavar="URL",
                        help="override base_url from site.yml (e.g. a preview deploy)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="goldstar",
        description="Build a blog for your public challenge: one Markdown file per attempt.",
    )
    parser.add_argument("--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    authoring_cli.add_commands(commands)

    build = commands.add_parser("build", help="validate every attempt and write the site",
                                description="Validate every attempt, add up the counts "
                                            "and write the site to public/.")
    _site_options(build)
    build.add_argument("--timings", action="store_true", help="print the time of each stage")
    build.add_argument("--workers", type=_workers, metavar="N",
                       help="processes for rendering (default: one per core; 1: no pool)")
    build.add_argument("--no-cache", action="store_true",
                       help="neither read nor write .goldstar-cache/")

    check = commands.add_parser("check", help="validate only; write nothing",
                                description="Check every file and template; write nothing.")
    _site_options(check, output=False)

    stats = commands.add_parser("stats", help="print the progress in the terminal",
                                description="Print where the challenge stands.")
    _site_options(stats, output=False)
    stats.add_argument("--json", action="store_true", help="print stats.json instead")

    serve = commands.add_parser("serve", help="preview the site and reload it on every save",
                                description="Build, serve and rebuild on every save, "
                                            "with live reload in the browser.")
    _site_options(serve, output=False)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this computer only)")
    serve.add_argument("--port", type=_port, default=8000,
                       help="port, 1 to 65535 (default 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the site in the browser")
    return parser


def run() -> None:
    """The `goldstar` console script: main(), then a quick exit.

    A build leaves a large heap behind; tearing it down object by object takes
    longer than some warm builds, and the operating system frees it at once.
    """
    import os

    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        # init, new, decide, import and export name their own handler.
        command: Any = getattr(args, "authoring_handler", None) or {
            "build": cmd_build, "check": cmd_check, "stats": cmd_stats,
            "serve": cmd_serve}[args.command]
        return int(command(args))
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `goldstar stats | head`: the reader left early
        sys.stderr.close()
        return EXIT_OK


def _options(args: argparse.Namespace) -> BuildOptions:
    from generator.site import BuildOptions

    site = args.site
    if not (site / "content" / "site.yml").is_file() and (site / "site.yml").is_file():
        print(f"note: {site / 'site.yml'} found; site.yml belongs in content/", file=sys.stderr)
    return BuildOptions(
        site_dir=site,
        output_dir=getattr(args, "output", None),
        drafts=args.drafts,
        as_of=args.as_of,
        base_url=args.base_url,
        workers=getattr(args, "workers", None),
        use_cache=not getattr(args, "no_cache", False),
    )


def _report_failure(exc: BuildFailed) -> int:
    from generator.problems import format_problems

    print(format_problems(exc.problems), file=sys.stderr)
    print(str(exc), file=sys.stderr)
    return EXIT_PROBLEMS


def _print_warnings(warnings: list[Problem]) -> None:
    from generator.problems import format_problems

    if warnings:
        print(format_problems(warnings), file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build_site
    from generator.problems import BuildFailed, display_path, plural
    from generator.progress import TerminalProgress

    options = _options(args)
    try:
        result = build_site(options, TerminalProgress.for_stream(sys.stderr))
    except BuildFailed as exc:
        return _report_failure(exc)
    _print_warnings(result.warnings)
    if args.timings:
        for name, seconds in result.timings:
            print(f"  {name:<14} {seconds * 1000:8.1f} ms")
    out = display_path(options.output.resolve(), options.site_dir.resolve())
    print(f"Built {result.attempts} {plural(result.attempts, 'attempt')} "
          f"({result.published} published) into {result.files} pages in "
          f"{result.seconds:.2f} s: {result.written} written, {result.deleted} removed, "
          f"{len(result.warnings)} {plural(len(result.warnings), 'warning')} → {out}/")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from generator.build import check_site
    from generator.problems import BuildFailed, plural

    options = _options(args)
    options.use_cache = False
    try:
        result = check_site(options)
    except BuildFailed as exc:
        return _report_failure(exc)
    _print_warnings(result.warnings)
    print(f"No errors: {result.attempts} {plural(result.attempts, 'attempt')}, "
          f"{result.files} pages, {len(result.warnings)} "
          f"{plural(len(result.warnings), 'warning')}.")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    import json

    from generator.build import stats_of
    from generator.problems import BuildFailed

    try:
        result = stats_of(_options(args))
    except BuildFailed as exc:
        return _report_failure(exc)
    data = result.stats.to_json()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(format_stats(data))
    return EXIT_OK


def format_stats(s: dict[str, Any]) -> str:
    """The dashboard as text, for the terminal."""
    from generator.problems import plural

    goal = s["goal"]
    width = 30
    filled = min(width, round(width * s["progress"] / goal["target"]))
    bar = "#" * filled + "." * (width - filled)
    pace = s["pace"]
    lines = [
        f"As of {s['as_of']}: {s['progress']} of {goal['target']} "
        f"({', '.join(goal['counts'])}) [{bar}] {s['percent']}%",
        f"  {s['remaining']} to go, {s['total']} {plural(s['total'], 'attempt')} in all",
        "  outcomes: " + ", ".join(f"{k} {v}" for k, v in s["outcomes"].items()),
        f"  streak: {s['streak']['current']} {plural(s['streak']['current'], 'day')} now, "
        f"longest {s['streak']['longest']}",
        f"  pace: {pace['actual_per_week']:.1f} a week over {pace['days_elapsed']} days",
    ]
    if pace["needed_per_week"] is not None:
        lines.append(f"  needed: {pace['needed_per_week']:.1f} a week to finish by {goal['end']}")
    if pace["projected_finish"]:
        lines.append(f"  at this pace you reach the goal on {pace['projected_finish']}")
    if s["answer_days"] is not None:
        lines.append(f"  answers take {s['answer_days']} days (median)")
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(_options(args), host=args.host, port=args.port, open_browser=args.open)
