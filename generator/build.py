"""`goldstar build`: run the stages and time them.

    load → aggregate → derive → plan → render → write

Each stage is a function of its own module (site, stats, derive, pages,
render, output); this module only runs them in order, times them for
`--timings`, and says what happened to the output folder when a stage fails.
Nothing is written until every file validated and every page rendered.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator import addresses, derive, hashing, output, pages, parallel, render, stats
from generator.cache import CACHE_DIR, ArtifactStore
from generator.hashing import key_digest
from generator.links import LinkChecker, LinkSource
from generator.problems import WARNING, BuildFailed, Problem, TemplateProblem, display_path
from generator.render import FragmentGuard, RendererFactory, TemplatesFailed
from generator.site import BuildOptions, Settings, Site, load_site

__all__ = ["BuildOptions", "BuildResult", "aggregate", "build_site", "check_site", "stats_of"]


@dataclass
class BuildResult:
    attempts: int
    published: int
    files: int
    written: int
    deleted: int
    seconds: float
    warnings: list[Problem]
    timings: list[tuple[str, float]]
    stats: stats.Stats
    contents: dict[str, bytes] = field(default_factory=dict)
    """Only for in-memory builds: output path -> bytes."""


class Timer:
    """Seconds per stage, for `--timings` and the benchmark."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float]] = []
        self.start = self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages.append((name, now - self.last))
        self.last = now

    def add(self, name: str, seconds: float) -> None:
        """A figure measured elsewhere (the workers' time in a stage that ran in a pool)."""
        self.stages.append((name, seconds))

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def open_store(options: BuildOptions) -> ArtifactStore:
    root = options.site_dir.resolve() / CACHE_DIR if options.use_cache else None
    return ArtifactStore(root, hashing.code_digest())


def aggregate(site: Site) -> tuple[list[stats.Attempt], stats.Stats]:
    """The aggregate stage for a loaded site; milestones link to their pages by
    absolute URL (stats.json is read from elsewhere, and the site may live under
    a sub-path)."""
    base_url = site.config.base_url
    return stats.aggregate(site.entries, site.config, site.as_of, site.drafts,
                           lambda a: base_url + pages.attempt_url(a.entry.slug).lstrip("/"))


def published_bodies(site: Site, attempts: list[stats.Attempt]) -> list[derive.BodySource]:
    """The bodies the site shows: every published attempt's and standalone page's."""
    wanted = [derive.BodySource(a.entry.digest, site.sources[a.entry.path], a.entry.body_line)
              for a in attempts if not a.entry.private]
    wanted += [derive.BodySource(p.digest, site.sources[p.path], p.body_line)
               for p in site.pages]
    return wanted


def link_sources(site: Site, attempts: list[stats.Attempt]) -> list[LinkSource]:
    found = [(a.entry.path, a.entry.digest, pages.attempt_url(a.entry.slug))
             for a in attempts if not a.entry.private]
    return found + [(p.path, p.digest, f"/{p.slug}/") for p in site.pages]


def renderer_factory(site: Site, store: ArtifactStore | None,
                     guard: FragmentGuard | None = None) -> RendererFactory:
    outcomes = list(pages.outcome_views(site.config, site.strings).values())
    return RendererFactory(site.theme, site.config, site.strings,
                           {"nav_pages": nav_pages(site), "outcomes": outcomes},
                           site.site_dir, store, guard)


def nav_pages(site: Site) -> list[dict[str, str]]:
    return [{"title": p.title, "url": f"/{p.slug}/"} for p in site.pages]


def fingerprint(site: Site) -> str:
    """What every output file depends on besides its own key: goldstar's code,
    the theme's chain and strings, site.yml and the menu."""
    return key_digest((hashing.code_digest(), tuple(str(f) for f in site.theme.folders),
                       site.theme.digest("i18n"), site.config_bytes, site.config.base_url,
                       tuple(tuple(p.items()) for p in nav_pages(site))))


def check_addresses(site: Site, plan: pages.SitePlan, static_files: list[tuple[str, Path]]
                    ) -> None:
    """Raise BuildFailed when two output files want one path (addresses.plan_clashes)."""
    clashes = addresses.plan_clashes(plan, site.pages, [path for path, _ in static_files])
    if clashes:
        raise BuildFailed([*site.warnings, *clashes])


def produce_bytes(factory: RendererFactory, site_dir: Path
                  ) -> Callable[[pages.OutputFile], bytes]:
    def produce(file: pages.OutputFile) -> bytes:
        if file.raw is not None:
            return file.raw()
        assert file.template is not None
        return factory.get().render(file.template, file.context(), site_dir).encode("utf-8")
    return produce


def build_site(options: BuildOptions) -> BuildResult:
    """Check the output folder, then build once (what `goldstar build` runs).

    The collector is off for the run: a build makes few reference cycles, and
    its collections cost 5% of a cold build walking data that lives to the end.
    """
    reason = output.check_output(options.site_dir, options.output,
                                 display_path(options.output, options.site_dir))
    if reason is not None:
        raise BuildFailed([reason], "Nothing was written.")
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(options)
    finally:
        if collecting:
            gc.enable()


def _build(options: BuildOptions) -> BuildResult:
    site_dir = options.site_dir
    kept = f"{display_path(options.output.resolve(), site_dir.resolve())}/ was left as it was."
    timer = Timer()
    store = open_store(options)
    workers = parallel.workers(options.workers)
    head_start: list[parallel.Background] = []

    def start_markdown_early(settings: Settings, found: list[tuple[str, str]]) -> None:
        """On a cold build, render Markdown on a second core while this one reads
        and parses. More files than bodies in the store tells a cold build."""
        config = settings.config
        links = store.table(derive.BODY_LINKS,
                            derive.body_settings(config.allow_html, config.base_path))
        if workers > 1 and len(found) - len(links) >= derive.PARALLEL_BODIES:
            head_start.append(derive.start_head_start(
                found, links.__contains__, config.allow_html, config.base_path))

    try:
        site = load_site(options, store, listed=start_markdown_early)
        timer.lap("load")
        attempts, counts = aggregate(site)
        timer.lap("aggregate")
        static_files = site.theme.static_files()
        work = derive.prepare_bodies(store, published_bodies(site, attempts),
                                     site.config.allow_html, site.config.base_path)
        site_plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                                    [path for path, _ in static_files], work.bodies)
        check_addresses(site, site_plan, static_files)
        factory = renderer_factory(site, store)
        digests = factory.digests()  # compiles the templates if anything will render
        timer.lap("plan")
        if head_start:  # what the background rendered while this process got here
            work.take_early(head_start.pop().result())
        disk = output.DiskOutput(options.output, fingerprint(site))
        try:
            report = render.render_files(
                site_plan.files, digests, disk, produce_bytes(factory, site_dir), work, workers,
                meanwhile=store.serialize)
            for path, src in static_files:
                disk.record(disk.stage(path, src.read_bytes(), "static"))
            timer.lap("markdown and render")
            timer.add("  markdown (CPU, all processes)", report.markdown_seconds)
            timer.add("  render (CPU, all processes)", report.render_seconds)
            written, deleted = disk.commit()
        except BaseException:
            disk.abort()
            raise
        timer.lap("write")
        problems = site.warnings + LinkChecker().check(link_sources(site, attempts),
                                                       work.bodies.link_table, site_plan.urls)
        timer.lap("links")
        problems += store.save()
        timer.lap("cache")
    except TemplateProblem as exc:
        raise BuildFailed([exc.problem], kept) from None
    except TemplatesFailed as exc:
        raise BuildFailed(exc.problems, kept) from None
    except BuildFailed as exc:
        exc.output_note = kept
        raise
    finally:
        for background in head_start:
            background.close()
    return _result(site, attempts, counts, site_plan, written, deleted, problems, timer)


def check_site(options: BuildOptions) -> BuildResult:
    """Everything a build does, into memory, keeping nothing (`goldstar check`)."""
    timer = Timer()
    store = ArtifactStore(None, hashing.code_digest())
    workers = parallel.workers(options.workers)
    try:
        site = load_site(options, store)
        attempts, counts = aggregate(site)
        work = derive.prepare_bodies(store, published_bodies(site, attempts),
                                     site.config.allow_html, site.config.base_path)
        static_files = site.theme.static_files()
        plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                               [path for path, _ in static_files], work.bodies)
        check_addresses(site, plan, static_files)
        factory = renderer_factory(site, None)
        memory = output.MemoryOutput()
        render.render_files(plan.files, factory.digests(), memory,
                            produce_bytes(factory, options.site_dir), work, workers)
    except TemplateProblem as exc:
        raise BuildFailed([exc.problem], "Nothing was written.") from None
    except (TemplatesFailed, BuildFailed) as exc:
        raise BuildFailed(exc.problems, "Nothing was written.") from None
    problems = site.warnings + LinkChecker().check(link_sources(site, attempts),
                                                   work.bodies.link_table, plan.urls)
    written, deleted = memory.commit()
    return _result(site, attempts, counts, plan, written, deleted, problems, timer)


def stats_of(options: BuildOptions) -> BuildResult:
    """Load and aggregate only: no Markdown, no pages (`goldstar stats`)."""
    timer = Timer()
    try:
        site = load_site(options, None)
    except BuildFailed as exc:
        exc.output_note = "Nothing was written."
        raise
    attempts, counts = aggregate(site)
    timer.lap("aggregate")
    return _result(site, attempts, counts, None, 0, 0, site.warnings, timer)


def _result(site: Site, attempts: list[stats.Attempt], counts: stats.Stats,
            plan: pages.SitePlan | None, written: int, deleted: int, problems: list[Problem],
            timer: Timer) -> BuildResult:
    return BuildResult(
        attempts=len(attempts), published=sum(1 for a in attempts if not a.entry.private),
        files=len(plan.files) if plan else 0, written=written, deleted=deleted,
        seconds=timer.total, warnings=[p for p in problems if p.severity == WARNING],
        timings=timer.stages, stats=counts)
