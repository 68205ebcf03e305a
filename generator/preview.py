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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import derive, numbering, pages, parallel, render
from generator.build import (
    BuildResult,
    Timer,
    aggregate,
    fingerprint,
    link_sources,
    open_store,
    published_bodies,
    renderer_factory,
)
from generator.entries import ATTEMPTS_DIR, PAGES_DIR
from generator.links import LinkChecker
from generator.numbering import LateNumbers
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

KEPT = "Still showing the last good build."


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
    one that computed with them is rendered again.
    """

    def __init__(self, previous: dict[str, LatePage], numbers: dict[int, int],
                 old_numbers: dict[int, int], old_table: dict[bytes, bytes]) -> None:
        self.old = previous
        self.shifted = {i for i, n in numbers.items() if old_numbers.get(i) != n}
        self.table = numbering.table(numbers) if self.shifted or not previous else old_table
        self.numbers = numbers
        self.files: dict[str, LatePage] = {}
        self.rendered = 0

    def unchanged(self, path: str, key: object) -> bool:
        old = self.old.get(path)
        return (old is not None and old.key == key
                and not (self.shifted and not old.semantic.isdisjoint(self.shifted)))

    def keep(self, path: str) -> None:
        old = self.old[path]
        if self.shifted and not old.ids.isdisjoint(self.shifted):
            old = old.renumbered(self.table)
        self.files[path] = old

    def stage(self, path: str, page: LatePage, key: object) -> tuple[str, LatePage]:
        page.key = key
        return path, page

    def record(self, receipt: tuple[str, LatePage]) -> None:
        path, page = receipt
        self.files[path] = page
        self.rendered += 1

    def contents(self) -> dict[str, bytes]:
        return {path: page.data for path, page in self.files.items()}


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
        self.numbers: dict[int, int] = {}
        self.table: dict[bytes, bytes] = {}
        self.links = LinkChecker()
        self.factory: tuple[object, RendererFactory] | None = None
        """The last renderer factory and its key: pages rendered with another are not reused."""
        self.theme_root: Path | None = None

    def build(self, changed: set[Path] | None = None) -> BuildResult:
        """One build; `changed` (from the watcher) limits what is read again.

        Raises BuildFailed with every problem; the last good pages stay.
        """
        try:
            return self._build(changed)
        except TemplateProblem as exc:
            raise BuildFailed([exc.problem], KEPT) from None
        except TemplatesFailed as exc:
            raise BuildFailed(exc.problems, KEPT) from None
        except BuildFailed as exc:
            exc.output_note = KEPT
            raise

    def _build(self, changed: set[Path] | None) -> BuildResult:
        timer = Timer()
        options = self.options
        if self.settings is None or changed is None or not _only_content(changed, options):
            self.settings = load_settings(options)
            self.theme_root = self.settings.theme.root
        settings = self.settings
        self.files, problems = read_sources(options.site_dir, self.files, changed)
        if self.parsed is None or self.parsed.settings != ParsedFiles(None,
                                                                      settings.config).settings:
            self.parsed = ParsedFiles(self.store, settings.config)
        attempts_found, pages_found, found = parse_sources(self.files, self.parsed,
                                                           settings.config, options.drafts)
        problems = [*settings.warnings, *problems, *found]
        if any(p.is_error for p in problems):
            raise BuildFailed(problems)
        site = assemble(options, settings, self.files, attempts_found, pages_found, problems)
        timer.lap("load")
        attempts, counts = aggregate(site)
        timer.lap("aggregate")
        workers = parallel.workers(options.workers)
        work = derive.prepare_bodies(self.store, published_bodies(site, attempts),
                                     site.config.allow_html, site.config.base_path)
        bodies = work.bodies
        static_files = site.theme.static_files()
        plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                               [path for path, _ in static_files], bodies, self.late, self.memo)
        numbers = {self.late.id_of(v.attempt): v.attempt.number for v in plan.views}
        timer.lap("plan")
        last = self.factory
        factory = self._factory(site)
        previous = self.pages if last is not None and last[1] is factory else {}
        out = LiveOutput(previous, numbers, self.numbers, self.table)
        render.render_files(plan.files, factory.digests(), out,
                            self._producer(factory, out), work, workers, keep_bodies=True)
        for path, src in static_files:
            data = src.read_bytes()
            out.record((path, LatePage(("static", data), None, frozenset(), frozenset(), data)))
        timer.lap("render")
        self.pages, self.numbers, self.table = out.files, out.numbers, out.table
        problems = site.warnings + self.links.check(link_sources(site, attempts),
                                                    bodies.link_table, plan.urls)
        timer.lap("links")
        result = BuildResult(
            attempts=len(attempts), published=sum(1 for a in attempts if not a.entry.private),
            files=len(plan.files), written=out.rendered,
            deleted=len(set(previous) - set(out.files)), seconds=timer.total,
            warnings=[p for p in problems if not p.is_error], timings=timer.stages,
            stats=counts, contents=out.contents())
        return result

    def _factory(self, site: Site) -> RendererFactory:
        """The renderer of the last build while nothing it depends on changed."""
        key = (fingerprint(site), site.theme.digest("templates"))
        if self.factory is None or self.factory[0] != key:
            self.factory = (key, renderer_factory(site, self.store,
                                                       self.late.fragment_guard))
        return self.factory[1]

    def _producer(self, factory: RendererFactory, out: LiveOutput) -> Any:
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
            return LatePage(None, None, everything, everything, text.encode("utf-8"))

        return produce

    def close(self) -> list[Problem]:
        """Keep the artifact store for the next run."""
        return self.store.save()


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

