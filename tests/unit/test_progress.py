"""A long build shows one updating line on a terminal, and nothing in a log."""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kit import SITE_YML, attempt, run, write_files

from generator.build import build_site
from generator.progress import Progress, TerminalProgress
from generator.site import BuildOptions


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pseudo-terminal: what is written to the first is read from the second."""
    main, child = os.openpty()
    stream = open(child, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, main
    finally:
        stream.close()
        os.close(main)


def read_all(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_off_a_terminal_there_is_no_line() -> None:
    assert type(TerminalProgress.for_stream(io.StringIO())) is Progress


def test_on_a_terminal_there_is_one(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, _ = terminal
    assert isinstance(TerminalProgress.for_stream(stream), TerminalProgress)


def test_the_line_is_redrawn_in_place_and_cleared_at_the_end(
        terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, main = terminal
    progress = TerminalProgress(stream, delay=0, interval=0.05)
    progress.stage("rendering 200 pages")
    progress.advance(50, 200)
    time.sleep(0.2)  # the timer redraws meanwhile
    progress.close()
    shown = read_all(main)
    assert "\r\x1b[Kgoldstar: rendering 200 pages (0 s)" in shown
    assert "\r\x1b[Kgoldstar: rendering 200 pages 25% (0 s)" in shown
    assert shown.endswith("\r\x1b[K") and "\n" not in shown


def test_a_quick_build_draws_nothing(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, main = terminal
    progress = TerminalProgress(stream, delay=5, interval=0.05)
    progress.stage("reading 3 files")
    time.sleep(0.15)
    progress.close()
    assert read_all(main) == ""


def test_a_note_stays_on_its_own_line(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, main = terminal
    progress = TerminalProgress(stream, delay=0)
    progress.stage("planning")
    progress.note("Another goldstar build is writing public/; waiting.")
    progress.close()
    shown = read_all(main)
    assert "\r\x1b[KAnother goldstar build is writing public/; waiting.\r\n" in shown


def test_the_timer_and_handler_before_the_build_are_given_back(
        terminal: tuple[io.TextIOWrapper, int]) -> None:
    """A test runner's own alarm (pytest-timeout) must still fire after a build."""
    stream, _ = terminal
    previous = signal.getsignal(signal.SIGALRM)

    def mine(signum: int, frame: object) -> None:
        pass

    signal.signal(signal.SIGALRM, mine)
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        progress = TerminalProgress(stream, delay=0, interval=0.05)
        progress.stage("rendering")
        progress.close()
        assert signal.getsignal(signal.SIGALRM) is mine
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < remaining <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_build_reports_its_stages(tmp_path: Path,
                                    terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, main = terminal
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/2026-03-02-a.md": attempt()})
    build_site(BuildOptions(site_dir=site, as_of=None, workers=1),
               TerminalProgress(stream, delay=0, interval=10))
    shown = read_all(main)
    for stage in ("reading 1 file", "planning", "rendering", "writing public/"):
        assert f"goldstar: {stage}" in shown
    assert shown.endswith("\r\x1b[K")


def test_the_command_prints_no_line_into_a_log(tmp_path: Path) -> None:
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/2026-03-02-a.md": attempt()})
    result = run("build", "--site", site)
    assert result.code == 0 and "\r" not in result.err and "goldstar:" not in result.err
