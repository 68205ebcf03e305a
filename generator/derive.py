"""Derive: what is made from each file before any template runs.

Today that is the HTML of every published body (social cards come next). A
kind of artifact is a key (the digest of the file it is made from), a
compute function and a place in the artifact store, so a warm build computes
only what is new and a cold one spreads the work over the cores. Templates
then read finished values: a page's bodies are loaded by the render stage
before its template runs, never by the template itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from generator import markdown, parallel
from generator.cache import ArtifactStore, Shelf
from generator.entries import body_text, split_body
from generator.frontmatter import FrontMatterError
from generator.markdown import RenderedBody
from generator.sources import Source

BODIES = "bodies"
BODY_LINKS = "body_links"
PARALLEL_BODIES = 600
"""Below this many bodies to render, a process pool costs more than it saves."""
TASKS_PER_WORKER = 16

Links = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class BodySource:
    """Where a published body comes from."""

    digest: str
    """The digest of the file, which is the body's key."""
    source: Source
    body_line: int


class Bodies:
    """The rendered bodies the site publishes, by the digest of their file.

    HTML lives in the store's shelf (on disk between builds, in memory once
    loaded); links in a small table read on every build, because the link
    check needs all of them and the pages only a few bodies.
    """

    def __init__(self, shelf: Shelf, links: dict[str, Any],
                 sources: Mapping[str, BodySource], allow_html: bool, base_path: str) -> None:
        self.shelf = shelf
        self.link_table = links
        self.sources = sources
        self.allow_html = allow_html
        self.base_path = base_path
        self.texts: dict[str, str] = {}

    def links(self, digest: str) -> Links:
        return tuple((href, line) for href, line in self.link_table.get(digest, ()))

    def load(self, digests: Iterable[str]) -> None:
        """Bring these bodies into memory, before the pages that show them render.

        A body the links table knows but the shelf lost (a shard deleted by
        hand) is rendered again here: the only Markdown outside the derive stage,
        and only to repair the store.
        """
        for digest in digests:
            if digest in self.texts:
                continue
            data = self.shelf.get(digest)
            if data is None:
                body = self.compute(digest)
                if body is None:
                    continue
                self.add(digest, body)
            else:
                self.texts[digest] = data.decode("utf-8")

    def html(self, digest: str) -> str:
        """The HTML of a loaded body (see `load`)."""
        return self.texts[digest]

    def compute(self, digest: str) -> RenderedBody | None:
        found = self.sources.get(digest)
        if found is None:
            return None
        return markdown.render(body_text(found.source.data), found.body_line,
                               self.allow_html, self.base_path)

    def add(self, digest: str, body: RenderedBody) -> None:
        self.texts[digest] = body.html
        self.shelf.put(digest, body.html.encode("utf-8"))
        self.link_table[digest] = [list(link) for link in body.links]


def body_settings(allow_html: bool, base_path: str) -> tuple[bool, str]:
    """The settings a rendered body depends on (its namespace in the store)."""
    return allow_html, base_path


def derive_bodies(store: ArtifactStore, wanted: list[BodySource], allow_html: bool,
                  base_path: str, workers: int = 1,
                  early: Mapping[str, RenderedBody] | None = None) -> tuple[Bodies, int]:
    """Render every wanted body the store lacks; returns the bodies and how many
    were rendered. `early` holds bodies rendered in the background meanwhile.

    With a pool, each worker renders the bodies of the shards it owns and writes
    those shards itself; only their links come back, so no process ever holds
    every body (a 100,000-attempt site has half a gigabyte of them).
    """
    settings = body_settings(allow_html, base_path)
    shelf = store.shelf(BODIES, settings)
    links = store.table(BODY_LINKS, settings)
    by_digest = {w.digest: w for w in wanted}
    bodies = Bodies(shelf, links, by_digest, allow_html, base_path)
    early = {d: b for d, b in (early or {}).items() if d in by_digest and d not in links}
    missing = [d for d in by_digest if d not in links and d not in early]
    for gone in [d for d in links if d not in by_digest]:
        del links[gone]
        shelf.forget(gone)
    if missing or early or shelf.dirty:
        store.table_changed(BODY_LINKS)
    if len(missing) >= PARALLEL_BODIES and workers > 1:
        _render_in_pool(bodies, missing, early, workers)
    else:
        for digest, body in early.items():
            bodies.add(digest, body)
        for digest in missing:
            rendered = bodies.compute(digest)
            assert rendered is not None  # every wanted digest has its source
            bodies.add(digest, rendered)
    return bodies, len(missing)


def _render_in_pool(bodies: Bodies, missing: list[str], early: Mapping[str, RenderedBody],
                    workers: int) -> None:
    shelf = bodies.shelf
    to_disk = shelf.folder is not None
    if to_disk:
        shelf.prepare()
    markdown.load_parser(bodies.allow_html, bodies.base_path)  # inherited by the workers
    groups = min(256, workers * TASKS_PER_WORKER)
    tasks: dict[int, tuple[list[str], set[str]]] = {}
    for digest in [*missing, *early]:
        group = int(digest[:2], 16) % groups
        task = tasks.setdefault(group, ([], set()))
        task[0].append(digest)
        task[1].add(digest[:2])
    # The biggest tasks first, so the small ones even out the workers' finish.
    ordered = sorted(tasks.values(), key=lambda t: -len(t[0]))
    results = parallel.map_tasks(
        functools.partial(_render_task, bodies, early, to_disk), ordered, workers)
    for done in results:
        for digest, links, html in done:
            bodies.link_table[digest] = links
            if html is not None:
                bodies.add(digest, RenderedBody(html, tuple(tuple(x) for x in links)))
    if to_disk:  # the workers wrote these shards; this process's copy is older
        written = {shard for _, shards in ordered for shard in shards}
        shelf.dirty -= written
        shelf.loaded -= written
        for digest in [d for d in shelf.values if d[:2] in written]:
            del shelf.values[digest]


def _render_task(bodies: Bodies, early: Mapping[str, RenderedBody], to_disk: bool,
                 task: tuple[list[str], set[str]]) -> list[tuple[str, list[list[Any]], str | None]]:
    """In a worker: render a group of bodies and write their shards."""
    digests, shards = task
    done = []
    for digest in digests:
        body = early.get(digest) or bodies.compute(digest)
        if body is None:
            raise AssertionError(f"no source for the body {digest}")
        bodies.shelf.put(digest, body.html.encode("utf-8"))
        done.append((digest, [list(link) for link in body.links], None if to_disk else body.html))
    if to_disk:
        bodies.shelf.write_shards(shards)
    return done


def start_head_start(files: Iterable[Source], known: Callable[[str], bool],
                     allow_html: bool, base_path: str) -> parallel.Background:
    """Render bodies in a forked process while this one parses and plans.

    Forked once the files are read, it renders from the same bytes through the
    same functions as the derive stage; whatever it finished by the time the
    derive stage asks is not rendered again. It cannot know yet which files
    will be published, so it renders them in order (drafts and private ones
    are few).
    """
    markdown.load_parser(allow_html, base_path)
    todo = [f for f in files if not known(f.digest)]
    return parallel.Background(
        functools.partial(_render_until_stopped, allow_html=allow_html, base_path=base_path),
        todo, {})


def _render_until_stopped(todo: list[Source], stopped: Callable[[], bool], *,
                          allow_html: bool, base_path: str) -> dict[str, RenderedBody]:
    done: dict[str, RenderedBody] = {}
    for source in todo:
        if stopped():
            break
        try:
            text, line = split_body(source.data)
        except (UnicodeDecodeError, FrontMatterError):
            continue  # the parse reports it
        done[source.digest] = markdown.render(text, line, allow_html, base_path)
    return done
