"""Process pools for the two expensive stages: Markdown and page rendering.

Workers are forked after the parent has loaded and planned everything, so
they inherit the plan and the Jinja environment instead of receiving them
pickled; only small jobs go in and (path, hash) pairs come back. Where fork
is not available the caller's serial path is used.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

_STATE: dict[str, Any] = {}


def _context() -> Any:
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return None


def _chunks(items: Sequence[Any], workers: int) -> list[Sequence[Any]]:
    size = max(1, -(-len(items) // (workers * 4)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _call_chunk(chunk: Sequence[Any]) -> list[Any]:
    function = _STATE["function"]
    return [function(item) for item in chunk]


def map_chunks(function: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    """`[function(x) for x in items]` over forked workers, in order."""
    ctx = _context()
    if ctx is None:
        return [function(x) for x in items]
    _STATE["function"] = function
    try:
        with ctx.Pool(workers) as pool:
            results = pool.map(_call_chunk, _chunks(items, workers))
    finally:
        _STATE.clear()
    return [r for chunk in results for r in chunk]


def map_with_bodies(function: Callable[[Any], Any], items: Sequence[Any], workers: int,
                    bodies: Any) -> tuple[list[Any], dict[str, Any]]:
    """`map_chunks` for page rendering: also returns the Markdown bodies the
    workers rendered on the way, so the parent can cache them."""

    def one(item: Any) -> Any:
        return function(item), bodies.take_new()

    results = map_chunks(one, items, workers)
    new_bodies: dict[str, Any] = {}
    for _, rendered in results:
        new_bodies.update(rendered)
    return [result for result, _ in results], new_bodies
