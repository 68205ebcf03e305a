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


def render_pages(builder: Any, renderer: Any, writer: Any, todo: Sequence[Any],
                 workers: int, bodies: Any) -> tuple[list[Any], dict[str, Any]]:
    """Render and stage pages in workers.

    Returns (path, hash, key digest, staged) per page, and the Markdown bodies
    the workers rendered on the way, for the parent's cache.
    """
    from generator.build import _stage_page

    def one(index: int) -> Any:
        page, key_digest = todo[index]
        return _stage_page(builder, renderer, writer, page, key_digest), bodies.take_new()

    results = map_chunks(one, range(len(todo)), workers)
    new_bodies: dict[str, Any] = {}
    for _, rendered in results:
        new_bodies.update(rendered)
    return [result for result, _ in results], new_bodies


def render_pages_to_memory(builder: Any, renderer: Any, todo: Sequence[Any], workers: int,
                           bodies: Any) -> tuple[list[bytes], dict[str, Any]]:
    """Render pages in workers and send their bytes home (serve keeps them in memory)."""

    def one(index: int) -> Any:
        return builder._render_page(todo[index], renderer), bodies.take_new()

    results = map_chunks(one, range(len(todo)), workers)
    new_bodies: dict[str, Any] = {}
    for _, rendered in results:
        new_bodies.update(rendered)
    return [data for data, _ in results], new_bodies
