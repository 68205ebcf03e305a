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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator import markdown, parallel
from generator.cache import ArtifactStore, Shelf
from generator.entries import body_text, split_body
from generator.frontmatter import FrontMatterError
from generator.markdown import PhotoPlaces, RenderedBody
from generator.sources import Source, read

BODIES = "bodies"
BODY_LINKS = "body_links"
PARALLEL_BODIES = 600
"""Below this many bodies to render, a process pool costs more than it saves."""
TEXTS_KEPT = 512
"""Decoded bodies kept in memory at most; the rest stay bytes in the shelf."""

Links = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class BodySource:
    """Where a published body comes from."""

    digest: str
    """The digest of the file, which is the body's key."""
    source: Source
    body_line: int
    photos: PhotoPlaces | None = None
    """Where its pictures are published (generator.photos), if it shows any."""


class Bodies:
    """The rendered bodies the site publishes, by the digest of their file.

    HTML lives in the store's shelf (on disk between builds, in memory once
    loaded); links in a small table read on every build, because the link
    check needs all of them and the pages only a few bodies.
    """

    def __init__(self, shelf: Shelf, links: dict[str, Any],
                 sources: dict[str, BodySource], allow_html: bool, base_path: str,
                 reread: Callable[[Source], bytes] | None = None) -> None:
        self.reread = reread
        """Set when the files' bytes were let go after parsing (a large site):
        reads a file again, the same bytes or a problem."""
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
        if len(self.texts) > TEXTS_KEPT:  # pages load what they show just before they render
            self.texts.clear()
        for digest in digests:
            if digest in self.texts:
                continue
            data = self.shelf.get(digest)
            if data is None:
                body = self.compute(digest)
                if body is None:
                    continue
                self._keep(digest, body)  # never clears: every body asked for stays
            else:
                self.texts[digest] = data.decode("utf-8")

    def html(self, digest: str) -> str:
        """The HTML of a loaded body (see `load`)."""
        return self.texts[digest]

    def compute(self, digest: str) -> RenderedBody | None:
        found = self.sources.get(digest)
        if found is None:
            return None
        data = found.source.data
        if not data and self.reread is not None:  # not kept, or not read (site.load_site)
            data = self.reread(found.source)
        return markdown.render(body_text(data), found.body_line,
                               self.allow_html, self.base_path, found.photos)

    def add(self, digest: str, body: RenderedBody) -> None:
        """A body the derive stage rendered; memory holds at most TEXTS_KEPT of them."""
        if len(self.texts) > TEXTS_KEPT:
            self.texts.clear()
        self._keep(digest, body)

    def _keep(self, digest: str, body: RenderedBody) -> None:
        self.texts[digest] = body.html
        self.shelf.put(digest, body.html.encode("utf-8"))
        self.link_table[digest] = [list(link) for link in body.links]


def body_settings(allow_html: bool, base_path: str) -> tuple[bool, str]:
    """The settings a rendered body depends on (its namespace in the store)."""
    return allow_html, base_path


@dataclass
class BodyWork:
    """The derive stage's work for bodies: what is wanted, what the store lacks."""

    store: ArtifactStore
    bodies: Bodies
    missing: list[str]
    """Digests of wanted bodies that are neither in the store nor rendered early."""
    early: dict[str, RenderedBody]
    """Bodies the background rendered while the files were parsed."""
    missing_set: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.missing_set = set(self.missing)

    @property
    def to_disk(self) -> bool:
        """Whether rendered bodies go to the store's shard files (not only memory)."""
        return self.bodies.shelf.folder is not None

    def todo(self) -> list[str]:
        """Every body that must be put in the store: rendered now or early."""
        return [*self.missing, *self.early]

    # The derive stage's interface (render.py runs it, in a pool or here).
    def prepare_pool(self) -> None:
        prepare_pool(self)

    def derive_all(self) -> None:
        derive_all(self)

    def derive_group(self, keys: Sequence[str], shards: Iterable[str],
                     send: bool) -> list[DerivedBody]:
        return derive_group(self, keys, shards, send)

    def adopt(self, results: Iterable[list[DerivedBody]], written: set[str]) -> None:
        adopt(self, results, written)

    def derived(self) -> None:
        """Every missing and early body is in the store now: nothing is left to
        do (serve keeps this work for its next rebuilds, which must not render
        every body of the first build again)."""
        self.missing, self.missing_set, self.early = [], set(), {}

    def take_early(self, early: Mapping[str, RenderedBody]) -> None:
        """Bodies the background rendered: not to be rendered again."""
        for digest, body in early.items():
            if digest in self.missing_set:
                self.early[digest] = body
        if self.early:
            self.missing = [d for d in self.missing if d not in self.early]
            self.missing_set = set(self.missing)


def prepare_bodies(store: ArtifactStore, wanted: list[BodySource], allow_html: bool,
                   base_path: str, reread: Callable[[Source], bytes] | None = None
                   ) -> BodyWork:
    """What rendering the wanted bodies takes; forgets the bodies no longer wanted.
    `reread`: how to get a file's bytes back when the sources hold none."""
    settings = body_settings(allow_html, base_path)
    shelf = store.shelf(BODIES, settings)
    links = store.table(BODY_LINKS, settings)
    by_digest = {w.digest: w for w in wanted}
    bodies = Bodies(shelf, links, by_digest, allow_html, base_path, reread)
    missing = [d for d in by_digest if d not in links]
    for gone in [d for d in links if d not in by_digest]:
        del links[gone]
        shelf.forget(gone)
    if missing or shelf.dirty:
        store.table_changed(BODY_LINKS)
    return BodyWork(store, bodies, missing, {})


def replace_body(work: BodyWork, source: BodySource) -> None:
    """Serve's patch path: one more body wanted (a saved file), rendered now
    unless the store has it. The body it replaces stays until the next whole
    build prunes the store (another file may have the same bytes)."""
    bodies = work.bodies
    bodies.sources[source.digest] = source
    if source.digest not in bodies.link_table:
        rendered = bodies.compute(source.digest)
        assert rendered is not None
        bodies.add(source.digest, rendered)
        work.store.table_changed(BODY_LINKS)


def derive_all(work: BodyWork) -> None:
    """The derive stage in this process: every missing body rendered, all kept."""
    if work.missing or work.early:
        work.store.table_changed(BODY_LINKS)
    bodies = work.bodies
    for digest, body in work.early.items():
        bodies.add(digest, body)
    for digest in work.missing:
        rendered = bodies.compute(digest)
        assert rendered is not None  # every wanted digest has its source
        bodies.add(digest, rendered)
    work.derived()


DerivedBody = tuple[str, list[list[Any]], str | None]
"""(digest, links, HTML when the parent keeps bodies in memory) from a worker."""


def derive_group(work: BodyWork, digests: Sequence[str], shards: Iterable[str],
                 send_html: bool) -> list[DerivedBody]:
    """In a worker: render a group of bodies (or take the early ones), keep them
    for the pages this worker renders next, and write the group's shards, which
    no other worker writes."""
    bodies = work.bodies
    done = []
    for digest in digests:
        body = work.early.get(digest) or bodies.compute(digest)
        if body is None:
            raise AssertionError(f"no source for the body {digest}")
        bodies.add(digest, body)
        done.append((digest, [list(link) for link in body.links],
                     body.html if send_html else None))
    bodies.shelf.settle(shards)
    return done


def adopt(work: BodyWork, results: Iterable[list[DerivedBody]], written: set[str]) -> None:
    """In the parent, after the pool: the links the workers found, the bodies
    they sent, and forgetting its own older copy of the shards they wrote."""
    bodies = work.bodies
    shelf = bodies.shelf
    work.store.table_changed(BODY_LINKS)  # the links the workers found
    for done in results:
        for digest, links, html in done:
            bodies.link_table[digest] = links
            if html is not None:
                bodies.add(digest, RenderedBody(html, tuple((h, n) for h, n in links)))
    if work.to_disk:
        shelf.drop(written)
    work.derived()


def prepare_pool(work: BodyWork) -> None:
    """Before forking workers that will render bodies: the store folder made
    this namespace's, and markdown-it imported once, for all of them."""
    if work.to_disk:
        work.bodies.shelf.prepare()
    if work.missing:
        markdown.load_parser(work.bodies.allow_html, work.bodies.base_path)


def start_head_start(files: list[tuple[str, str]], known: Callable[[str], bool],
                     allow_html: bool, base_path: str) -> parallel.Background:
    """Render bodies in a forked process while this one reads, parses and plans.

    Forked as soon as the files are found, it reads and renders them one by one
    through the same functions as the load and derive stages (sources.read,
    split_body, markdown.render), skipping those the store has; whatever it
    finished by the time the derive stage asks is not rendered again. It cannot
    know yet which files will be published, so it renders them in order
    (drafts and private ones are few).
    """
    markdown.load_parser(allow_html, base_path)
    return parallel.Background(
        functools.partial(_render_until_stopped, known=known, allow_html=allow_html,
                          base_path=base_path), files, {})


def _render_until_stopped(files: list[tuple[str, str]], stopped: Callable[[], bool], *,
                          known: Callable[[str], bool], allow_html: bool,
                          base_path: str) -> dict[str, RenderedBody]:
    done: dict[str, RenderedBody] = {}
    for path, abs_path in files:
        if stopped():
            break
        source = read(path, abs_path)
        if not isinstance(source, Source) or known(source.digest):
            continue
        try:
            text, line = split_body(source.data)
        except (UnicodeDecodeError, FrontMatterError):
            continue  # the parse reports it
        done[source.digest] = markdown.render(text, line, allow_html, base_path)
    return done
