"""`goldstar build`: run the stages and time them.

    load → aggregate → derive → plan → render → write

Each stage is a function of its own module (site, stats, derive, pages,
render, output); this module only runs them in order, times them for
`--timings`, and says what happened to the output folder when a stage fails.
Nothing is written until every file validated and every page rendered.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import (
    addresses,
    assets,
    derive,
    derive_cards,
    hashing,
    output,
    pages,
    parallel,
    photos,
    render,
    sources,
    stats,
)
from generator.cache import CACHE_DIR, ArtifactStore
from generator.hashing import key_digest
from generator.links import LinkChecker, LinkSource
from generator.problems import (
    WARNING,
    BuildFailed,
    Problem,
    TemplateProblem,
    display_path,
    plural,
)
from generator.progress import Progress
from generator.render import FragmentGuard, RendererFactory, TemplatesFailed
from generator.site import BuildOptions, Settings, Site, load_site
from generator.sources import Source

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


def published_bodies(site: Site, attempts: list[stats.Attempt],
                     shown: photos.Photos | None = None) -> list[derive.BodySource]:
    """The bodies the site shows: every published attempt's and standalone page's."""
    place = shown.rewrite if shown is not None else lambda path: None
    wanted = [derive.BodySource(a.entry.digest, site.sources[a.entry.path], a.entry.body_line,
                                place(a.entry.path))
              for a in attempts if not a.entry.private]
    wanted += [derive.BodySource(p.digest, site.sources[p.path], p.body_line, place(p.path))
               for p in site.pages]
    return wanted


def published_paths(site: Site, attempts: list[stats.Attempt]) -> list[str]:
    """The files of the stories the site shows."""
    return [a.entry.path for a in attempts if not a.entry.private] + [p.path for p in site.pages]


PHOTO_SIZES = "photo_sizes"


def read_again(site: Site) -> Callable[[Source], bytes] | None:
    """When the site keeps no bytes of its files (a large one, see
    site.KEEP_BYTES_UP_TO), how to read a story again to render it: the same
    bytes it had, or a problem (it changed meanwhile)."""
    if not site.bytes_let_go:
        return None
    site_dir = site.site_dir
    limit = site.config.max_file_bytes

    def read(source: Source) -> bytes:
        found = sources.read(source.path, str(site_dir / source.path), limit)
        if isinstance(found, Problem) or found.digest != source.digest:
            raise TemplateProblem(Problem(
                source.path, None, None, "changed while the site was being built",
                "build again once you have saved it"))
        return found.data

    return read


def attach_photos(site: Site, store: ArtifactStore | None) -> tuple[Site, photos.Photos]:
    """The pictures the stories show, read and measured; each story's digest
    then covers its pictures (a changed picture renders the story again)."""
    sizes = store.table(PHOTO_SIZES, ()) if store is not None else {}
    found = photos.find_photos(site.site_dir, site.pictures, sizes)
    used = {p.digest for p in found.by_source.values()}
    if store is not None and set(sizes) != used:
        for gone in set(sizes) - used:
            del sizes[gone]
        store.table_changed(PHOTO_SIZES)
    if not found.shown and not found.problems:
        return site, found
    entries, standalone = photos.with_photos(site.entries, site.pages, found)
    return dataclasses.replace(site, entries=entries, pages=standalone,
                               warnings=site.warnings + found.problems), found


def link_sources(site: Site, attempts: list[stats.Attempt]) -> list[LinkSource]:
    found = [(a.entry.path, a.entry.digest, pages.attempt_url(a.entry.slug))
             for a in attempts if not a.entry.private]
    return found + [(p.path, p.digest, f"/{p.slug}/") for p in site.pages]


def renderer_factory(site: Site, store: ArtifactStore | None, links: dict[str, str],
                     guard: FragmentGuard | None = None) -> RendererFactory:
    """`links`: what url() links for a static file (its hashed copy; none in serve)."""
    outcomes = list(pages.outcome_views(site.config, site.strings).values())
    static = frozenset("/" + path for path, _ in site.theme.static_files())
    return RendererFactory(site.theme, site.config, site.strings,
                           {"nav_pages": nav_pages(site), "outcomes": outcomes,
                            "static_files": static | {"/" + assets.OUTCOME_CSS}},
                           site.site_dir, store, site.strings_loaded, guard, links)


def site_assets(site: Site) -> list[assets.Asset]:
    """The theme's static files and the outcome colours, each with its hashed copy."""
    files = assets.read_static(site.theme.static_files())
    files.append((assets.OUTCOME_CSS, assets.outcome_css(site.config.outcomes)))
    return assets.fingerprint_assets(files)


def nav_pages(site: Site) -> list[dict[str, str]]:
    return [{"title": p.title, "url": f"/{p.slug}/"} for p in site.pages]


LAST_BUILD = "last_build"
"""The store's record of the last good build into an output folder."""


def inputs_digest(site: Site, links: dict[str, str]) -> str:
    """A digest of everything a build's output is made from: goldstar, the
    theme, site.yml, every content file (and the pictures it shows), the
    as-of day and --drafts. Equal digests make equal output."""
    return key_digest((fingerprint(site, links), site.theme.digest("templates"),
                       derive_cards.card_settings(), site.as_of.isoformat(), site.drafts,
                       tuple([(e.path, e.digest) for e in site.entries]),
                       tuple([(p.path, p.digest) for p in site.pages])))


def as_last_built(last: dict[str, Any], inputs: str, output_dir: Path, display: str,
                  waiting: Callable[[str], None]) -> tuple[list[Problem], int] | None:
    """The problems and file count of the last good build, if it was made from
    these same inputs and the output folder is as it left it; else None."""
    if last.get("inputs") != inputs or not output.as_left(
            output_dir, str(last.get("manifest")), display, waiting):
        return None
    try:  # the store's data is checked, not trusted
        return [Problem.from_json(p) for p in last["problems"]], int(last["files"])
    except (KeyError, TypeError, ValueError):
        return None


def fingerprint(site: Site, links: dict[str, str]) -> str:
    """What every output file depends on besides its own key: goldstar's code,
    the theme's chain and strings, site.yml, the menu and the names url() links."""
    return key_digest((hashing.code_digest(), tuple(str(f) for f in site.theme.folders),
                       site.theme.digest("i18n"), site.config_bytes, site.config.base_url,
                       tuple(tuple(p.items()) for p in nav_pages(site)),
                       tuple(sorted(links.items()))))


def check_addresses(site: Site, plan: pages.SitePlan, static: list[assets.Asset],
                    pictures: dict[str, photos.Photo], hashed: bool = True) -> None:
    """Raise BuildFailed when two output files want one path (addresses.plan_clashes):
    pages, the theme's static files (and their hashed copies), goldstar's own
    stylesheet and the pictures stories show."""
    theme_files = {path: display_path(source, site.site_dir)
                   for path, source in site.theme.static_files()}
    static_paths = list(theme_files)
    if hashed:
        static_paths += [asset.hashed_path for asset in static]
    clashes = addresses.plan_clashes(plan, site.pages, static_paths,
                                     {path: photo.source for path, photo in pictures.items()},
                                     [assets.OUTCOME_CSS], theme_files)
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


def build_site(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
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
    progress = progress or Progress()
    try:
        return _build(options, progress)
    finally:
        progress.close()
        if collecting:
            gc.enable()


def _build(options: BuildOptions, progress: Progress) -> BuildResult:
    site_dir = options.site_dir
    shown_output = display_path(options.output.resolve(), site_dir.resolve())
    kept = f"{shown_output}/ was left as it was."
    timer = Timer()
    store = open_store(options)
    workers = parallel.workers(options.workers)
    head_start: list[parallel.Background] = []

    def start_markdown_early(settings: Settings, found: list[tuple[str, str]]) -> None:
        """On a cold build, render Markdown on a second core while this one reads
        and parses. More files than bodies in the store tells a cold build."""
        progress.stage(f"reading {len(found):,} {plural(len(found), 'file')}")
        config = settings.config
        links = store.table(derive.BODY_LINKS,
                            derive.body_settings(config.allow_html, config.base_path))
        if workers > 1 and len(found) - len(links) >= derive.PARALLEL_BODIES:
            head_start.append(derive.start_head_start(
                found, links.__contains__, config.allow_html, config.base_path))

    try:
        progress.stage("reading files")
        site = load_site(options, store, listed=start_markdown_early, release_bytes=True)
        reread = read_again(site)
        site, shown = attach_photos(site, store)
        timer.lap("load")
        progress.stage("planning")
        attempts, counts = aggregate(site)
        timer.lap("aggregate")
        static = site_assets(site)
        links = assets.links(static)
        inputs = inputs_digest(site, links)
        last = store.table(LAST_BUILD, str(options.output.resolve()))
        same = as_last_built(last, inputs, options.output, shown_output, progress.note)
        if same is not None:  # nothing to plan, render or write
            timer.lap("check")
            problems, files = same
            return _result(site, attempts, counts, files, 0, 0, problems, timer)
        pictures = shown.published(published_paths(site, attempts))
        work = derive.prepare_bodies(store, published_bodies(site, attempts, shown),
                                     site.config.allow_html, site.config.base_path, reread)
        cards = derive_cards.card_work(store, site.strings)
        site_plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                                    assets.outputs(static) + list(pictures), work.bodies,
                                    cards=cards)
        check_addresses(site, site_plan, static, pictures)
        cards.want(site_plan.cards)
        factory = renderer_factory(site, store, links)
        digests = factory.digests()  # compiles the templates if anything will render
        timer.lap("plan")
        if head_start:  # what the background rendered while this process got here
            work.take_early(head_start.pop().result())
        disk = output.DiskOutput(options.output, fingerprint(site, links), shown_output,
                                 waiting=progress.note)
        try:
            progress.stage(f"rendering {len(site_plan.files):,} "
                           f"{plural(len(site_plan.files), 'page')}")
            report = render.render_files(
                site_plan.files, digests, disk, produce_bytes(factory, site_dir), work, workers,
                meanwhile=store.serialize, more=[cards], progress=progress.advance)
            for path, data in assets.output_files(static).items():
                disk.record(disk.stage(path, data, "static"))
            for path, picture in pictures.items():
                disk.record(disk.stage(path, picture.data, "photo"))
            timer.lap("markdown and render")
            timer.add("  markdown (CPU, all processes)", report.markdown_seconds)
            timer.add("  render (CPU, all processes)", report.render_seconds)
            progress.stage(f"writing {shown_output}/")
            written, deleted = disk.commit()
        except BaseException:
            disk.abort()
            raise
        timer.lap("write")
        progress.stage("checking links, saving the cache")
        problems = disk.warnings + site.warnings + factory.warnings + LinkChecker().check(
            link_sources(site, attempts), work.bodies.link_table, site_plan.urls)
        factory.keep_formats()
        timer.lap("links")
        last.clear()
        last.update(inputs=inputs, manifest=output.current_build(options.output),
                    problems=[p.to_json() for p in problems], files=len(site_plan.files))
        store.table_changed(LAST_BUILD)
        problems += store.save()
        timer.lap("cache")
    except TemplateProblem as exc:
        raise BuildFailed([exc.problem], kept) from None
    except TemplatesFailed as exc:
        raise BuildFailed(exc.problems, kept) from None
    except output.OutputFailed as exc:
        raise BuildFailed([exc.problem], exc.note or kept) from None
    except BuildFailed as exc:
        exc.output_note = kept
        raise
    finally:
        for background in head_start:
            background.close()
    return _result(site, attempts, counts, len(site_plan.files), written, deleted, problems,
                   timer)


def check_site(options: BuildOptions) -> BuildResult:
    """Everything a build does, into memory, keeping nothing (`goldstar check`)."""
    timer = Timer()
    store = ArtifactStore(None, hashing.code_digest())
    workers = parallel.workers(options.workers)
    try:
        site = load_site(options, store)
        site, shown = attach_photos(site, store)
        attempts, counts = aggregate(site)
        work = derive.prepare_bodies(store, published_bodies(site, attempts, shown),
                                     site.config.allow_html, site.config.base_path)
        static = site_assets(site)
        pictures = shown.published(published_paths(site, attempts))
        cards = derive_cards.card_work(store, site.strings, lazy=True)  # check draws none
        plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings,
                               assets.outputs(static) + list(pictures), work.bodies,
                               cards=cards)
        check_addresses(site, plan, static, pictures)
        cards.want(plan.cards)
        factory = renderer_factory(site, None, assets.links(static))
        memory = output.MemoryOutput()
        render.render_files([f for f in plan.files if f.card is None], factory.digests(),
                            memory, produce_bytes(factory, options.site_dir), work, workers)
    except TemplateProblem as exc:
        raise BuildFailed([exc.problem], "Nothing was written.") from None
    except (TemplatesFailed, BuildFailed) as exc:
        raise BuildFailed(exc.problems, "Nothing was written.") from None
    problems = site.warnings + factory.warnings + LinkChecker().check(
        link_sources(site, attempts), work.bodies.link_table, plan.urls)
    written, deleted = memory.commit()
    return _result(site, attempts, counts, len(plan.files), written, deleted, problems, timer)


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
    return _result(site, attempts, counts, 0, 0, 0, site.warnings, timer)


def _result(site: Site, attempts: list[stats.Attempt], counts: stats.Stats, files: int,
            written: int, deleted: int, problems: list[Problem], timer: Timer) -> BuildResult:
    return BuildResult(
        attempts=len(attempts), published=sum(1 for a in attempts if not a.entry.private),
        files=files, written=written, deleted=deleted,
        seconds=timer.total, warnings=[p for p in problems if p.severity == WARNING],
        timings=timer.stages, stats=counts)
