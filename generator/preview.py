"""Serve's incremental builds: the site in memory, rebuilt after every save.

A Session keeps what the last build made (the files read, the parsed
entries, the plan, the rendered pages, the link check) and the next build
reuses all of it that a change did not touch: a save re-reads one file,
re-parses one entry, replans with the last plan's views and lists, and renders
only the pages whose key changed. Attempt numbers are printed as
placeholders and filled in afterwards (numbering.py), so a new attempt that
renumbers the later ones costs a substitution per page, not a render.
Nothing here writes to the output folder; the artifact store is saved when
serve stops.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import (
    assets,
    derive,
    derive_cards,
    entries,
    numbering,
    pages,
    parallel,
    render,
    stats,
)
from generator.build import (
    BuildResult,
    Timer,
    aggregate,
    attach_photos,
    check_addresses,
    fingerprint,
    link_sources,
    open_store,
    published_bodies,
    published_paths,
    renderer_factory,
    site_assets,
)
from generator.config import SiteConfig
from generator.entries import ATTEMPTS_DIR, PAGES_DIR, Entry
from generator.links import LinkChecker
from generator.numbering import LateNumbers
from generator.photos import Photos, may_show_photos
from generator.problems import BuildFailed, Problem, TemplateProblem
from generator.render import RendererFactory, TemplatesFailed
from generator.site import (
    BuildOptions,
    ParsedFiles,
    Settings,
    Site,
    SourceFiles,
    assemble,
    load_settings,
    parse_sources,
    read_sources,
)
from generator.templates import without_controls

KEPT = "Still showing the last good build."


class Drawn:
    """A file serve makes only when a browser asks for it (a social card)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], bytes]) -> None:
        self.make = make


class Contents(dict[str, bytes]):
    """Serve's files by path, some of them made on first request (social cards:
    a browser seldom asks for one, and drawing 4,000 would slow the first build)."""

    def __getitem__(self, key: str) -> bytes:
        value: object = super().__getitem__(key)
        if isinstance(value, Drawn):
            value = value.make()
            self[key] = value
        assert isinstance(value, bytes)
        return value

    def get(self, key: str, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        if key not in self:
            return default
        return self[key]

    def __eq__(self, other: object) -> bool:
        """Equal when every file has the same bytes (cards drawn to compare)."""
        if not isinstance(other, dict):
            return NotImplemented
        return self.keys() == other.keys() and all(self[k] == other[k] for k in self)

    __hash__ = None


@dataclass(slots=True)
class LatePage:
    """One file of serve's output, its numbers as placeholders."""

    key: object
    parts: list[bytes] | None
    """The rendered page around its number placeholders, when it has any."""
    ids: frozenset[int]
    """Number ids whose placeholders are in the page."""
    semantic: frozenset[int]
    """Number ids the page computed with: it is rendered again when they change."""
    data: bytes

    def renumbered(self, numbers: dict[bytes, bytes]) -> LatePage:
        assert self.parts is not None
        return LatePage(self.key, self.parts, self.ids, self.semantic,
                        numbering.fill(self.parts, numbers))


class LiveOutput:
    """Serve's output interface: pages in memory, numbers filled in last.

    Keys are compared as they are, without hashing: this runs on every save.
    When numbers shift, a page that only prints them gets them substituted;
    one that computed with them is rendered again. With `carry`, every page
    of the last build stays unless it is rendered again (serve's patch path,
    which hands over only the files a save changed).
    """

    def __init__(self, previous: dict[str, LatePage], numbers: dict[int, int | float],
                 old_numbers: dict[int, int | float], old_table: dict[bytes, bytes],
                 carry: bool = False) -> None:
        self.old = previous
        self.shifted = {i for i, n in numbers.items() if old_numbers.get(i) != n}
        self.table = numbering.table(numbers) if self.shifted or not previous else old_table
        self.numbers = numbers
        self.files: dict[str, LatePage] = dict(previous) if carry else {}
        self.keys: dict[str, object] = {}
        """Keys of the files to render, until they come back rendered."""
        self.rendered_paths: list[str] = []

    def unchanged(self, path: str, key: object) -> bool:
        old = self.old.get(path)
        if (old is not None and old.key == key
                and not (self.shifted and not old.semantic.isdisjoint(self.shifted))):
            return True
        self.keys[path] = key
        return False

    def keep(self, path: str) -> None:
        old = self.old[path]
        if self.shifted and not old.ids.isdisjoint(self.shifted):
            old = old.renumbered(self.table)
        self.files[path] = old

    def stage(self, path: str, page: LatePage, key: object) -> tuple[str, LatePage]:
        return path, page

    def record(self, receipt: tuple[str, LatePage]) -> None:
        """Keep a rendered page, under this process's own key object: a key that
        came back pickled from a worker would be an equal copy, and the next
        rebuild would compare it element by element instead of by identity."""
        path, page = receipt
        page.key = self.keys.pop(path, page.key)
        self.files[path] = page
        self.rendered_paths.append(path)

    @property
    def rendered(self) -> int:
        return len(self.rendered_paths)


@dataclass
class Built:
    """What the last good build made, for the next one to reuse."""

    site: Site
    attempts: list[stats.Attempt]
    counts: stats.Stats
    work: derive.BodyWork
    plan: pages.SitePlan
    contents: dict[str, bytes]
    links: list[tuple[str, str, str]]
    entry_index: dict[str, int]
    """Position of each attempt file in site.entries."""
    cards: derive_cards.CardWork | None
    attempt_index: dict[str, int]
    """Position of each counted attempt in attempts."""
    photos: Photos


class Session:
    """One site, built again and again into memory, reusing what did not change."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.store = open_store(options)
        self.settings: Settings | None = None
        self.files: SourceFiles | None = None
        self.parsed: ParsedFiles | None = None
        self.memo = pages.PlanMemo()
        self.late = LateNumbers()
        self.pages: dict[str, LatePage] = {}
        self.numbers: dict[int, int | float] = {}
        self.table: dict[bytes, bytes] = {}
        self.links = LinkChecker()
        self.factory: tuple[object, RendererFactory] | None = None
        """The last renderer factory and its key: pages rendered with another are not reused."""
        self.theme_root: Path | None = None
        self.built: Built | None = None

    def build(self, changed: set[Path] | None = None) -> BuildResult:
        """One build; `changed` (from the watcher) limits what is read again.

        Raises BuildFailed with every problem; the last good pages stay.
        The collector is paused meanwhile: a rebuild allocates little, but
        enough to start collections that walk the whole site's data (serve
        collects once after publishing, serve.settle_memory).
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            if changed is not None:
                patched = self._patch(changed)
                if patched is not None:
                    return patched
            return self._build(changed)
        except TemplateProblem as exc:
            raise BuildFailed([exc.problem], KEPT) from None
        except TemplatesFailed as exc:
            raise BuildFailed(exc.problems, KEPT) from None
        except BuildFailed as exc:
            exc.output_note = KEPT
            raise
        finally:
            if collecting:
                gc.enable()

    def _build(self, changed: set[Path] | None) -> BuildResult:
        """The general path: every stage over the whole site, reusing what the
        plan memo and the kept pages allow."""
        timer = Timer()
        options = self.options
        if self.settings is None or changed is None or not _only_content(changed, options):
            limit = self.settings.config.max_file_bytes if self.settings else None
            self.settings = load_settings(options)
            self.theme_root = self.settings.theme.root
            if limit is not None and limit != self.settings.config.max_file_bytes:
                changed = None  # a new size limit: every file is read again under it
        settings = self.settings
        self.files, problems = read_sources(options.site_dir, self.files, changed,
                                            limit=settings.config.max_file_bytes)
        if self.parsed is None or self.parsed.settings != ParsedFiles(None,
                                                                      settings.config).settings:
            self.parsed = ParsedFiles(self.store, settings.config)
        attempts_found, pages_found, found = parse_sources(self.files, self.parsed,
                                                           settings.config, options.drafts)
        problems = [*settings.warnings, *problems, *found]
        if any(p.is_error for p in problems):
            raise BuildFailed(problems)
        site = assemble(options, settings, self.files, attempts_found, pages_found, problems,
                        self.parsed.pictures)
        site, shown = attach_photos(site, self.store)
        timer.lap("load")
        attempts, counts = aggregate(site)
        timer.lap("aggregate")
        workers = parallel.workers(options.workers)
        work = derive.prepare_bodies(self.store, published_bodies(site, attempts, shown),
                                     site.config.allow_html, site.config.base_path)
        cards = derive_cards.card_work(self.store, site.strings, lazy=True)
        static = site_assets(site)  # linked by plain names: a CSS save re-renders nothing
        pictures = shown.published(published_paths(site, attempts))
        plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                               assets.outputs(static, hashed=False) + list(pictures),
                               work.bodies, self.late, self.memo, cards=cards)
        try:
            check_addresses(site, plan, static, pictures, hashed=False)
        except BuildFailed:
            self.built = None  # the memo holds the failed plan: no patching onto the last one
            raise
        cards.want(plan.cards)
        numbers = dict(self.late.values)
        timer.lap("plan")
        last = self.factory
        factory = self._factory(site)
        previous = self.pages if last is not None and last[1] is factory else {}
        out = LiveOutput(previous, numbers, self.numbers, self.table)
        render.render_files([f for f in plan.files if f.card is None], factory.digests(), out,
                            self._producer(factory, out), work, workers, keep_bodies=True)
        timer.lap("render")
        sources = link_sources(site, attempts)
        problems = site.warnings + factory.warnings + self.links.check(
            sources, work.bodies.link_table, plan.urls)
        timer.lap("links")
        contents = Contents({path: page.data for path, page in out.files.items()})
        contents.update((a.path, a.data) for a in static)
        contents.update((path, picture.data) for path, picture in pictures.items())
        contents.update(_drawn(plan.files, cards))
        self._keep(out, Built(
            site, attempts, counts, work, plan, contents, sources,
            {e.path: i for i, e in enumerate(site.entries)}, cards,
            {a.entry.path: i for i, a in enumerate(attempts)}, shown))
        return self._result(out, len(plan.files), problems, timer,
                            deleted=len(set(previous) - set(out.files)))

    def _patch(self, changed: set[Path]) -> BuildResult | None:
        """The patch path: a save that changed only what attempts show (their
        story, title, ask, feedback, lesson), none of what places them. Only
        those files are read and parsed, their bodies rendered, and the files
        that show them planned and rendered again: the cost follows the change,
        not the size of the site. None when the save was anything else."""
        built = self.built
        if built is None or self.files is None or self.parsed is None:
            return None
        timer = Timer()
        options = self.options
        site = built.site
        paths = _attempt_paths(changed, options, built.entry_index)
        if paths is None:
            return None
        files, read_problems = read_sources(options.site_dir, self.files, changed,
                                            limit=site.config.max_file_bytes)
        if read_problems != self.files.listing_problems:
            return None
        config = site.config
        replaced: dict[str, Entry] = {}
        problems: list[Problem] = []
        for path in paths:
            source = files.attempts.get(path)
            if source is None or path in built.photos.shown or may_show_photos(source.data):
                return None  # pictures are found and measured on the general path
            known = self.parsed.get(path, source.digest)
            if known is None:
                parsed, found = parse_attempt_file(path, source.data, config, source.digest)
                self.parsed.put(path, source.digest, "attempt", parsed, found, source.data)
                known = parsed, found
            entry, found = known
            problems += found
            old = site.entries[built.entry_index[path]]
            if not isinstance(entry, Entry) or placement(entry) != placement(old):
                return None  # an error or a new place: the general path says it all
        # Everything placed as before: swap the entries in.
        self.files = files
        for path in paths:
            known = self.parsed.get(path, files.attempts[path].digest)
            assert known is not None and isinstance(known[0], Entry)
            replaced[path] = known[0]
        entries = list(site.entries)
        for path, entry in replaced.items():
            entries[built.entry_index[path]] = entry
        sources = {**site.sources, **{p: files.attempts[p] for p in paths}}
        warnings = [p for p in site.warnings if p.path not in replaced] + problems
        site = dataclasses.replace(site, entries=entries, sources=sources, warnings=warnings)
        attempts = list(built.attempts)
        swapped = []
        for path, entry in replaced.items():
            i = built.attempt_index.get(path)
            if i is not None:
                old_attempt = attempts[i]
                attempts[i] = stats.Attempt(entry, old_attempt.number, old_attempt.outcome)
                if not entry.private:
                    swapped.append(attempts[i])
        timer.lap("load")
        work = built.work
        for attempt in swapped:
            derive.replace_body(work, derive.BodySource(
                attempt.entry.digest, sources[attempt.entry.path], attempt.entry.body_line))
        plan, todo = pages.patch_plan(built.plan, self.memo, swapped, work.bodies, self.late)
        timer.lap("plan")
        assert self.factory is not None
        factory = self.factory[1]
        out = LiveOutput(self.pages, self.numbers, self.numbers, self.table, carry=True)
        render.render_files([f for f in todo if f.card is None], factory.digests(), out,
                            self._producer(factory, out), work)
        timer.lap("render")
        link_list = list(built.links)
        for i, (path, _, url) in enumerate(link_list):
            if path in replaced:
                link_list[i] = (path, replaced[path].digest, url)
        problems = site.warnings + self.links.check(link_list, work.bodies.link_table,
                                                    plan.urls)
        timer.lap("links")
        contents = Contents(built.contents)
        contents.update((path, out.files[path].data) for path in out.rendered_paths)
        if built.cards is not None:
            built.cards.want(plan.cards)
            contents.update(_drawn(todo, built.cards))
        self._keep(out, dataclasses.replace(
            built, site=site, attempts=attempts, plan=plan, contents=contents,
            links=link_list))
        return self._result(out, len(plan.files), problems, timer, deleted=0)

    def _keep(self, out: LiveOutput, built: Built) -> None:
        self.pages, self.numbers, self.table = out.files, out.numbers, out.table
        self.built = built

    def _result(self, out: LiveOutput, files: int, problems: list[Problem], timer: Timer,
                deleted: int) -> BuildResult:
        built = self.built
        assert built is not None
        attempts = built.attempts
        return BuildResult(
            attempts=len(attempts), published=sum(1 for a in attempts if not a.entry.private),
            files=files, written=out.rendered, deleted=deleted, seconds=timer.total,
            warnings=[p for p in problems if not p.is_error], timings=timer.stages,
            stats=built.counts, contents=built.contents)

    def warm_up(self) -> None:
        """Compile the theme in this process while no save is waiting. The first
        build of a large site renders in worker processes, so the first save
        would otherwise compile what it renders: 0.4 s for a new attempt at
        4,000 attempts, 30 ms for an edit."""
        if self.factory is None:
            return
        try:
            renderer = self.factory[1].get()
        except TemplatesFailed:
            return  # the next build reports it
        renderer.compile_closure(pages.TEMPLATES)

    def _factory(self, site: Site) -> RendererFactory:
        """The renderer of the last build while nothing it depends on changed."""
        key = (fingerprint(site, {}), site.theme.digest("templates"))
        if self.factory is None or self.factory[0] != key:
            self.factory = (key, renderer_factory(site, self.store, {},
                                                  self.late.fragment_guard))
        return self.factory[1]

    def _producer(self, factory: RendererFactory,
                  out: LiveOutput) -> Callable[[pages.OutputFile], LatePage]:
        site_dir = self.options.site_dir
        late = self.late
        everything = frozenset(out.numbers)

        def produce(file: pages.OutputFile) -> LatePage:
            if file.raw is not None:
                data = file.raw()
                return LatePage(None, None, frozenset(), frozenset(), data)
            assert file.template is not None
            renderer = factory.get()
            template = file.template
            try:
                text, tracker = late.render_tracked(
                    lambda: renderer.render(template, file.context(), site_dir))
                parts, ids = numbering.split(text)
            except TemplateProblem:
                ids = None  # a template that cannot take a placeholder
            if ids is not None:
                return LatePage(None, parts if ids else None, ids, frozenset(tracker.semantic),
                                numbering.fill(parts, out.table))
            # Plain numbers then, and rendered again whenever any number changes.
            text = late.render_plain(lambda: renderer.render(template, file.context(), site_dir))
            text = without_controls(text)  # a NUL a person wrote, kept for numbering.split
            return LatePage(None, None, everything, everything, text.encode("utf-8"))

        return produce

    def close(self) -> list[Problem]:
        """Keep the artifact store for the next run."""
        return self.store.save()


def _drawn(files: Iterable[pages.OutputFile], cards: derive_cards.CardWork) -> dict[str, bytes]:
    """The card files of a plan, drawn when a browser first asks for them."""
    found: dict[str, Any] = {}
    for file in files:
        if file.card is not None:
            found[file.path] = Drawn(functools.partial(cards.png, file.card))
    return found


def placement(entry: Entry) -> tuple[object, ...]:
    """What decides an attempt's number, address, lists and counts (not what it shows)."""
    return (entry.path, entry.date, entry.slug, entry.outcome, entry.category, entry.tags,
            entry.draft, entry.private, entry.decided, bool(entry.lesson))


def parse_attempt_file(path: str, data: bytes, config: SiteConfig,
                       digest: str) -> tuple[Entry | None, list[Problem]]:
    return entries.parse_attempt(path, path[len(ATTEMPTS_DIR) + 1:], data, config, digest)


def _attempt_paths(changed: set[Path], options: BuildOptions,
                   known: dict[str, int]) -> list[str] | None:
    """The attempt files a save touched, if it touched nothing else and all of
    them were there before; None otherwise."""
    site = options.site_dir.resolve()
    paths = []
    for path in changed:
        try:
            rel = path.resolve().relative_to(site).as_posix()
        except ValueError:
            return None
        if rel not in known:
            return None
        paths.append(rel)
    return sorted(paths)


def _only_content(changed: set[Path], options: BuildOptions) -> bool:
    """True when every change is an attempt or a page (not site.yml, not the theme)."""
    site = options.site_dir.resolve()
    for path in changed:
        try:
            rel = path.resolve().relative_to(site).as_posix()
        except ValueError:
            return False
        if not (rel.startswith(ATTEMPTS_DIR + "/") or rel.startswith(PAGES_DIR + "/")):
            return False
    return True

