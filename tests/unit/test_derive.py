"""The bodies the pages show: loaded before a page renders, bounded in memory."""

from __future__ import annotations

from generator import derive
from generator.cache import Shelf
from generator.hashing import digest
from generator.markdown import render
from generator.sources import Source


def bodies_of(count: int) -> tuple[derive.Bodies, list[str]]:
    sources = {}
    for n in range(count):
        data = f"---\ntitle: T{n}\n---\nStory {n}.\n".encode()
        key = digest(data)
        sources[key] = derive.BodySource(key, Source(f"content/attempts/{n}.md", key, data), 4)
    return derive.Bodies(Shelf(None, "test"), {}, sources, False, "/"), list(sources)


def test_a_page_gets_every_body_it_loads_even_when_memory_was_nearly_full() -> None:
    """Loading bodies the store lacks must not drop the ones loaded just before."""
    bodies, keys = bodies_of(derive.TEXTS_KEPT + 40)
    for key in keys[: derive.TEXTS_KEPT - 5]:  # the derive stage filled memory
        bodies.add(key, render("Earlier.", 4, False, "/"))
    shown = keys[-30:]
    bodies.load(shown)
    assert [bodies.html(key) for key in shown] == [
        f"<p>Story {n}.</p>\n" for n in range(derive.TEXTS_KEPT + 10, derive.TEXTS_KEPT + 40)]


def test_the_derive_stage_keeps_a_bounded_number_of_bodies_in_memory() -> None:
    bodies, keys = bodies_of(3 * derive.TEXTS_KEPT)
    for key in keys:
        bodies.add(key, render("A story.", 4, False, "/"))
    assert len(bodies.texts) <= derive.TEXTS_KEPT + 1
