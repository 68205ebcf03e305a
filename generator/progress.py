"""What a long build shows while it runs: one line on a terminal, updated in place.

The build reports its stages and how far rendering got; the line appears only
once the build has taken a couple of seconds, so a quick build prints nothing
more than before. Off a terminal (a CI log, a pipe) nothing is drawn, so logs
stay clean; notes (another build holds the output) are printed either way.

The line is redrawn by a timer signal rather than a thread: the build forks
its workers, and a process with threads must not fork (parallel.py). The
timer is not inherited by the workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from typing import Any, TextIO


class Progress:
    """The silent reporter (tests, `check`, serve): every method does nothing."""

    def stage(self, name: str) -> None:
        """A new stage begins (`reading 4,000 files`)."""

    def advance(self, done: int, total: int) -> None:
        """How far the current stage got."""

    def note(self, text: str) -> None:
        """A message that stays, printed at once."""
        print(text, file=sys.stderr)

    def close(self) -> None:
        """The build ended: clear the line."""


class TerminalProgress(Progress):
    """One line on stderr, redrawn every `interval` seconds once `delay` passed."""

    def __init__(self, stream: TextIO | None = None, delay: float = 2.0,
                 interval: float = 0.25) -> None:
        self.stream = stream or sys.stderr
        self.fd = self.stream.fileno()
        self.delay = delay
        self.interval = interval
        self.started = time.monotonic()
        self.name = ""
        self.done = self.total = 0
        self.shown = False
        self.timer = False
        self.old_handler: Any = None
        self.old_timer: tuple[float, float] = (0.0, 0.0)

    @classmethod
    def for_stream(cls, stream: TextIO) -> Progress:
        """A terminal line when stream is a terminal, else the silent reporter."""
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(stream) if tty and os.environ.get("TERM") != "dumb" else Progress()

    def stage(self, name: str) -> None:
        self.name, self.done, self.total = name, 0, 0
        self._start_timer()
        self._draw()

    def advance(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def note(self, text: str) -> None:
        self._clear()
        self.stream.flush()
        os.write(self.fd, (text + "\n").encode("utf-8", "replace"))

    def close(self) -> None:
        if self.timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old_handler)
            remaining, interval = self.old_timer
            if remaining:  # someone else's alarm (a test runner's timeout): give it back
                left = max(0.001, remaining - (time.monotonic() - self.started))
                signal.setitimer(signal.ITIMER_REAL, left, interval)
            self.timer = False
        self._clear()

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        text = f"goldstar: {self.name}"
        if self.total:
            text += f" {self.done * 100 // self.total}%"
        return f"{text} ({elapsed:.0f} s)"

    def _start_timer(self) -> None:
        """Redraw on SIGALRM, from the main thread only (signals need it)."""
        if self.timer or not hasattr(signal, "setitimer"):
            return
        try:
            self.old_handler = signal.signal(signal.SIGALRM, self._tick)
        except ValueError:  # not the main thread
            return
        self.old_timer = signal.getitimer(signal.ITIMER_REAL)
        signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)
        self.timer = True

    def _tick(self, signum: int, frame: Any) -> None:
        self._draw()

    def _draw(self) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        # os.write, not the stream: this may run in a signal handler while the
        # build itself is printing, and buffered streams are not reentrant.
        width = max(20, _columns(self.fd) - 1)
        try:
            os.write(self.fd, ("\r\x1b[K" + self.line()[:width]).encode("utf-8", "replace"))
        except OSError:
            return
        self.shown = True

    def _clear(self) -> None:
        if self.shown:
            with contextlib.suppress(OSError):
                os.write(self.fd, b"\r\x1b[K")
            self.shown = False


def _columns(fd: int) -> int:
    """The terminal's width; 80 when it does not say (0 under some emulators)."""
    try:
        return os.get_terminal_size(fd).columns or 80
    except OSError:
        return 80
