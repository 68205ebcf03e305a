"""A process pool for the expensive stage: Markdown and page rendering.

Workers are forked after the parent has loaded and planned everything, so
they inherit the plan and the Jinja environment instead of receiving them
pickled; only task numbers go in and small results come back. Where fork is
not available the caller's function runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

_STATE: dict[str, Any] = {}


def _context() -> Any:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return None


def _call(index: int) -> Any:
    return _STATE["function"](_STATE["tasks"][index])


def map_tasks(function: Callable[[Any], Any], tasks: Sequence[Any], workers: int) -> list[Any]:
    """`[function(task) for task in tasks]` over forked workers, in order.

    Tasks are handed out one at a time as workers become free, so put the
    heavy ones first and let small ones fill the gaps at the end.
    """
    ctx = _context()
    if ctx is None:  # pragma: no cover - Windows
        return [function(task) for task in tasks]
    _STATE.update(function=function, tasks=tasks)
    # Objects that exist before the fork are shared with the workers; moving
    # them out of the collector's reach keeps its passes from copying them.
    gc.freeze()
    try:
        with ctx.Pool(workers) as pool:
            results: list[Any] = pool.map(_call, range(len(tasks)), chunksize=1)
            return results
    finally:
        gc.unfreeze()
        _STATE.clear()
