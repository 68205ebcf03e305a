"""Process pools for the expensive stages: Markdown and page rendering.

Workers are forked, so they inherit the site, the plan and the Jinja
environment instead of receiving them pickled; only task numbers go in and
small results come back. Where fork is not available, or while other
threads run (serve's HTTP threads: forking a process with threads can
deadlock the child on a lock some thread held), the work runs in this
process instead.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

_STATE: dict[str, Any] = {}


def workers(wanted: int | None) -> int:
    """Processes to use: as asked, else one per core. Never more than four per
    core: each worker holds a copy of what it renders, so `--workers 1000`
    would only run out of memory."""
    cores = os.cpu_count() or 1
    return max(1, min(wanted or cores, 4 * cores))


def _context() -> Any:
    if threading.active_count() > 1:
        return None  # see the module docstring
    import multiprocessing  # 15 ms: only builds that use a pool pay for it

    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return None


def _call(index: int) -> tuple[int, Any]:
    return index, _STATE["function"](_STATE["tasks"][index])


def map_tasks(function: Callable[[Any], Any], tasks: Sequence[Any], workers: int,
              meanwhile: Callable[[], None] = lambda: None,
              progress: Callable[[int, int], None] | None = None) -> list[Any]:
    """`[function(task) for task in tasks]` over forked workers, in order.

    Tasks are handed out one at a time as workers become free, so put the
    heavy ones first and let small ones fill the gaps at the end. This
    process runs `meanwhile()` while it waits for them, then tells
    `progress(done, total)` as each task comes back.
    """
    ctx = _context() if workers > 1 else None
    total = len(tasks)
    if ctx is None:  # one worker, no fork here (Windows), or threads are running
        meanwhile()
        results = []
        for task in tasks:
            results.append(function(task))
            if progress is not None:
                progress(len(results), total)
        return results
    _STATE.update(function=function, tasks=tasks)
    # Objects that exist before the fork are shared with the workers; moving
    # them out of the collector's reach keeps its passes from copying them.
    gc.freeze()
    try:
        with ctx.Pool(workers) as pool:
            pending = pool.imap_unordered(_call, range(total), chunksize=1)
            meanwhile()
            ordered: list[Any] = [None] * total
            for done, (index, result) in enumerate(pending, 1):
                ordered[index] = result
                if progress is not None:
                    progress(done, total)
            return ordered
    finally:
        gc.unfreeze()
        _STATE.clear()


class Background:
    """`function(tasks, stopped)` in a forked process while this one goes on.

    The function works through its tasks until `stopped()` turns true and
    returns what it has so far; `result()` asks it to stop and waits for that.
    Where fork is not available, or the process fails, the result is `empty`:
    the work is then simply done later, in the pool.
    """

    def __init__(self, function: Callable[[Any, Callable[[], bool]], Any], tasks: Any,
                 empty: Any) -> None:
        self.empty = empty
        self.process: Any = None
        ctx = _context()
        if ctx is None:  # no fork here (Windows), or threads are running
            return
        self.stop = ctx.Event()
        self.receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_background, daemon=True,
                                   args=(function, tasks, self.stop, send))
        self.process.start()
        send.close()

    def result(self) -> Any:
        if self.process is None:
            return self.empty
        self.stop.set()
        try:
            return self.receive.recv()
        except (EOFError, OSError):
            return self.empty
        finally:
            self._reap()

    def close(self) -> None:
        """End the process without its result (the build failed): at once, since
        a large result would keep it waiting for us to read it."""
        if self.process is not None:
            self.process.terminate()
            self._reap()

    def _reap(self) -> None:
        self.process.join()
        self.receive.close()
        self.process = None


def _background(function: Callable[[Any, Callable[[], bool]], Any], tasks: Any,
                stop: Any, send: Any) -> None:
    send.send(function(tasks, stop.is_set))
    send.close()
