"""Run the pipeline: load → validate → aggregate → plan → render → write.

Nothing is written until every entry validated and every page rendered; the
output folder then gets only the files whose bytes changed. A Builder keeps
its caches between runs, so `serve` rebuilds a one-file edit without reading
or rendering the rest, and `.goldstar-cache/` gives a new process the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import marshal
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__, entries, markdown, numbering, output, pages, stats, themes
from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.problems import (
    WARNING,
    BuildFailed,
    Problem,
    TemplateProblem,
    display_path,
    errors,
)

if TYPE_CHECKING:  # Jinja is imported only when a page has to be rendered
    from generator.render import Renderer

CACHE_DIR = ".goldstar-cache"
CACHE_FORMAT = 4
PARALLEL_PAGES = 600
"""Below this many pages to render, a process pool costs more than it saves."""
TEMPLATES = ("home.html", "attempt.html", "list.html", "terms.html", "page.html",
             "404.html", "feed.xml", "sitemap.xml", "robots.txt")


@dataclass
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None
    """Default: `public/` in the site folder."""
    drafts: bool = False
    as_of: dt.date | None = None
    base_url: str | None = None
    workers: int | None = None
    """Processes for rendering; None = one per core, 1 = no pool."""
    use_cache: bool = True
    """Keep `.goldstar-cache/` beside the site for the next build."""

    @property
    def output(self) -> Path:
        return self.output_dir if self.output_dir is not None else self.site_dir / "public"


@dataclass
class BuildResult:
    attempts: int
    published: int
    pages: int
    written: int
    deleted: int
    seconds: float
    warnings: list[Problem]
    timings: list[tuple[str, float]]
    stats: stats.Stats
    files: dict[str, bytes] = field(default_factory=dict)
    """Only for in-memory builds (serve): output path -> bytes."""


class Timer:
    """Seconds per stage, for `--timings` and the benchmark."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float]] = []
        self.start = self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages.append((name, now - self.last))
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def resolve_as_of(as_of: dt.date | None, tz: dt.tzinfo) -> dt.date:
    """--as-of, else the day of SOURCE_DATE_EPOCH, else today; in the site's zone."""
    if as_of is not None:
        return as_of
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz).date()
    return dt.datetime.now(tz).date()


def _digest(*parts: Any) -> str:
    """A stable hash of plain data (the same in every process, unlike hash())."""
    try:
        data = marshal.dumps(parts)  # C speed for tuples of str, int, bytes, None
    except ValueError:
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Builder:
    """Builds one site, again and again, reusing whatever did not change."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.site_dir = options.site_dir.resolve()
        self.cache_dir = self.site_dir / CACHE_DIR if options.use_cache else None
        # rel path -> (digest, Entry | None, problems): parsed files by content
        self.parsed: dict[str, tuple[str, Any, list[Problem]]] = {}
        self.parse_fingerprint = ""
        # body digest -> RenderedBody, and the links of each body (kept apart: small)
        self.bodies: dict[str, markdown.RenderedBody] = {}
        self.body_links: dict[str, tuple[tuple[str, int], ...]] = {}
        self.body_fingerprint = ""
        self._loaded_shards: set[str] = set()
        self._dirty_shards: set[str] = set()
        # raw bytes of content files, kept only by serve between rebuilds
        self.raw_files: dict[str, dict[str, tuple[str, bytes]]] | None = None
        # in-memory output for serve, by output path; attempt numbers are bound
        # late there (numbering.py): an id per attempt file, and the numbers of
        # the last rebuild
        self.memory: dict[str, MemoryPage] = {}
        self.memory_fingerprint = ""
        self.number_ids: dict[str, int] = {}
        self.plan_memo = pages.PlanMemo()  # serve's: views and pages of the last plan
        self.memory_numbers: dict[int, int] = {}
        self.memory_table: dict[bytes, bytes] = {}
        self._loaded_cache = False
        self._saved_state: Any = None
        self._theme_root: Path | None = None
        # (key, Renderer), reused while theme and config stay the same
        self._renderer: tuple[Any, Renderer] | None = None
        self._background: Any = None  # a parallel.Background rendering bodies early
        self._parsed_pickle: tuple[Any, bytes] = (None, b"")  # (self.parsed, its pickle)
        # templates digest -> per template, a digest of it and all it includes
        self.template_digests: dict[str, dict[str, str]] = {}

    # ---------------------------------------------------------------- cache
    # build.pickle (parsed entries, body links, template digests) is read on
    # every build. Rendered bodies, the bulk, live in 256 shards by digest
    # (bodies/3f.pickle): a build reads only the shards of the bodies its
    # changed pages need and writes only the shards it changed.

    def _load_cache(self) -> None:
        if self._loaded_cache or self.cache_dir is None:
            return
        self._loaded_cache = True
        try:
            with open(self.cache_dir / "build.pickle", "rb") as f:
                data = pickle.load(f)  # noqa: S301 - our own file beside the site
            if data.get("format") == (CACHE_FORMAT, __version__):
                self.parsed = pickle.loads(data["parsed"])  # noqa: S301 - as above
                self._parsed_pickle = (self.parsed, data["parsed"])
                self.parse_fingerprint = data["parse_fp"]
                self.body_fingerprint, self.body_links = data["body_fp"], data["links"]
                self.template_digests = data["templates"]
                self._saved_state = self._cache_state()
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError,
                TypeError, ValueError, ImportError):
            pass  # a missing or unreadable cache only means a slower build

    def _shard_path(self, shard: str) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir / "bodies" / f"{shard}.pickle"

    def _load_shard(self, digest: str) -> None:
        """Read the cached bodies that share a digest's first two characters."""
        shard = digest[:2]
        if shard in self._loaded_shards or self.cache_dir is None:
            return
        self._loaded_shards.add(shard)
        try:
            with open(self._shard_path(shard), "rb") as f:
                data = pickle.load(f)  # noqa: S301 - our own file beside the site
            if data.get("fp") == self.body_fingerprint:
                for key, body in data["bodies"].items():
                    self.bodies.setdefault(key, body)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError,
                TypeError, ValueError, ImportError):
            pass

    def _make_cache_dir(self) -> None:
        assert self.cache_dir is not None
        (self.cache_dir / "bodies").mkdir(parents=True, exist_ok=True)
        ignore = self.cache_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")

    def _write_shard(self, shard: str, bodies: dict[str, markdown.RenderedBody]) -> None:
        _write_pickle(self._shard_path(shard), {"fp": self.body_fingerprint, "bodies": bodies})

    def _body_added(self, digest: str) -> None:
        self._dirty_shards.add(digest[:2])

    def _adopt_bodies(self, new: dict[str, markdown.RenderedBody]) -> None:
        """Bodies rendered in workers join the cache."""
        for digest, body in new.items():
            self.bodies[digest] = body
            self.body_links[digest] = body.links
            self._dirty_shards.add(digest[:2])

    def _pickle_parsed(self) -> None:
        """Pickle the parsed entries for the cache while the pool renders: this
        process would otherwise wait idle, and spend 40 ms on it at the end
        (4,000 attempts)."""
        if self.cache_dir is not None and self.parsed is not self._parsed_pickle[0]:
            self._parsed_pickle = (self.parsed, _pickled(self.parsed))

    def _cache_state(self) -> Any:
        return (self.parse_fingerprint, self.body_fingerprint,
                tuple((p, v[0]) for p, v in self.parsed.items()), tuple(self.body_links),
                tuple(self.template_digests))

    def theme_root(self) -> Path | None:
        """The folder of the theme in use (serve watches it)."""
        return self._theme_root

    def save_cache(self) -> None:
        if self.cache_dir is None:
            return
        state = self._cache_state()
        if state == self._saved_state and not self._dirty_shards:
            return  # nothing new since the cache was read: do not rewrite it
        self._make_cache_dir()
        for shard in self._dirty_shards:
            self._load_shard(shard)  # keep what this build did not need to look at
        live = _by_shard(d for d in self.bodies if d in self.body_links)
        for shard in sorted(self._dirty_shards):
            self._write_shard(shard, {d: self.bodies[d] for d in live.get(shard, ())})
        self._dirty_shards.clear()
        parsed = self._parsed_pickle
        data = {"format": (CACHE_FORMAT, __version__),
                "parsed": parsed[1] if parsed[0] is self.parsed else _pickled(self.parsed),
                "parse_fp": self.parse_fingerprint, "body_fp": self.body_fingerprint,
                "links": self.body_links, "templates": self.template_digests}
        _write_pickle(self.cache_dir / "build.pickle", data)
        self._saved_state = state

    # ---------------------------------------------------------------- stages
    def _read_sources(self, folder: str, changed: set[Path] | None,
                      listing: list[tuple[str, str]] | None = None
                      ) -> dict[str, tuple[str, bytes]]:
        """(digest, bytes) of every Markdown file in a content folder, by path.

        With a set of changed paths (serve) only those are read again; the rest
        comes from the previous run. `listing` is the folder's
        `entries.discover` when the caller has it already.
        """
        if changed is None or self.raw_files is None or folder not in self.raw_files:
            if listing is None:
                listing = entries.discover(self.site_dir, folder)
            return {path: _digest_and_bytes(abs_path) for path, abs_path in listing}
        files = dict(self.raw_files[folder])  # in path order; kept unless a file is new
        added = False
        for abs_path in changed:
            path = display_path(abs_path, self.site_dir)
            if not path.startswith(folder + "/") or not path.endswith(".md"):
                continue
            if abs_path.is_file():
                added = added or path not in files
                files[path] = _digest_and_bytes(abs_path)
            else:
                files.pop(path, None)
        return dict(sorted(files.items())) if added else files

    def build(self, changed: Iterable[Path] | None = None, *,
              to_memory: bool = False, stats_only: bool = False) -> BuildResult:
        """One build. `changed` (from the watcher) limits what is read again.

        Raises BuildFailed with every problem of the run; the output is then
        left exactly as it was.
        """
        # A rebuild after a save allocates little, but enough to start collections
        # that walk the whole site's data (a fifth of a one-edit rebuild at 4,000
        # attempts). Serve collects once after publishing instead (settle_memory).
        pause_gc = changed is not None and gc.isenabled()
        if pause_gc:
            gc.disable()
        try:
            return self._build(changed, to_memory=to_memory, stats_only=stats_only)
        finally:
            if pause_gc:
                gc.enable()
            if self._background is not None:  # the build failed before it rendered
                self._background.close()
                self._background = None

    def _build(self, changed: Iterable[Path] | None, *, to_memory: bool,
               stats_only: bool) -> BuildResult:
        timer = Timer()
        opts = self.options
        changed_set = None if changed is None else set(changed)
        self._load_cache()
        config, problems, config_raw = load_config(self.site_dir)
        if opts.base_url:
            config = _with_base_url(config, opts.base_url)
        theme = themes.find_theme(self.site_dir, config.theme)
        if theme is None:
            problems.append(Problem(
                CONFIG_NAME, None, None,
                f'theme "{config.theme}" was not found (looked in themes/ and the built-in themes)',
                f"available: {', '.join(themes.available(self.site_dir))}"))
        if errors(problems):
            raise BuildFailed(problems, self._kept_note(to_memory))
        assert theme is not None
        self._theme_root = theme.root
        timer.lap("config")

        # Parse: every file, or only the ones whose bytes changed. A parsed entry
        # depends on the file and, of the config, only on the outcomes and the zone.
        parse_fp = _digest(config.outcome_keys, config.timezone or str(config.tzinfo()),
                           __version__)
        if parse_fp != self.parse_fingerprint:
            self.parsed, self.parse_fingerprint = {}, parse_fp
        # Body digests are only valid under the current Markdown settings.
        body_fp = _digest(config.allow_html, config.base_path, __version__)
        if body_fp != self.body_fingerprint:
            self.bodies, self.body_links, self.body_fingerprint = {}, {}, body_fp
            self._loaded_shards = {f"{i:02x}" for i in range(256)}  # nothing to read
            self._dirty_shards = set(self._loaded_shards)
        listing = None
        if changed_set is None:  # a whole build; serve's rebuilds have little to render
            listing = entries.discover(self.site_dir, entries.ATTEMPTS_DIR)
            self._prefetch(listing, config)
        attempt_files = self._read_sources(entries.ATTEMPTS_DIR, changed_set, listing)
        page_files = self._read_sources(entries.PAGES_DIR, changed_set)
        if to_memory:
            self.raw_files = {entries.ATTEMPTS_DIR: attempt_files, entries.PAGES_DIR: page_files}
        timer.lap("read")
        all_entries: list[entries.Entry] = []
        standalone: list[entries.StandalonePage] = []
        parsed: dict[str, tuple[str, Any, list[Problem]]] = {}
        prefix = len(entries.ATTEMPTS_DIR) + 1
        for path, (digest, raw) in attempt_files.items():
            cached = self.parsed.get(path)
            if cached is None or cached[0] != digest:
                entry, found = entries.parse_attempt(path, path[prefix:], raw, config, digest)
                cached = (digest, entry, found)
            parsed[path] = cached
            problems += cached[2]
            if cached[1] is not None:
                all_entries.append(cached[1])
        for path, (digest, raw) in page_files.items():
            cached = self.parsed.get(path)
            if cached is None or cached[0] != digest:
                page, found = entries.parse_page(path, raw)
                cached = (digest, page, found)
            parsed[path] = cached
            problems += cached[2]
            if cached[1] is not None and (opts.drafts or not cached[1].draft):
                standalone.append(cached[1])
        self.parsed = parsed
        problems += entries.duplicate_slugs(all_entries)
        problems += _page_slug_problems(standalone)
        timer.lap("parse")
        if errors(problems):
            raise BuildFailed(problems, self._kept_note(to_memory))

        # Aggregate.
        as_of = resolve_as_of(opts.as_of, config.tzinfo())
        attempts = stats.select(all_entries, config, as_of, include_drafts=opts.drafts)
        site_stats = stats.compute_stats(
            attempts, config, as_of, url_of=lambda a: pages.attempt_url(a.entry.slug))
        timer.lap("aggregate")
        if stats_only:  # `goldstar stats`: no Markdown, no pages
            return BuildResult(
                attempts=len(attempts),
                published=sum(1 for a in attempts if not a.entry.private), pages=0,
                written=0, deleted=0, seconds=timer.total,
                warnings=[p for p in problems if p.severity == WARNING],
                timings=timer.stages, stats=site_stats)

        # Markdown: each published body once, cached by its file's digest. Bodies
        # are rendered when a page first needs them (in the page workers on a
        # cold build); only the ones still in the site are kept.
        sources: dict[str, tuple[str | bytes, int]] = {
            a.entry.digest: (a.entry.body if a.entry.body is not None
                             else attempt_files[a.entry.path][1], a.entry.body_line)
            for a in attempts if not a.entry.private}
        sources.update((p.digest, (p.body, p.body_line)) for p in standalone)
        if not to_memory:
            del attempt_files  # what sources needs is referenced there; free the rest
        gone = [d for d in self.body_links if d not in sources]
        for digest in gone:
            del self.body_links[digest]
            self.bodies.pop(digest, None)
            self._dirty_shards.add(digest[:2])
        bodies = markdown.BodyStore(self.bodies, self.body_links, sources, config.allow_html,
                                    config.base_path, self._load_shard, self._body_added)

        # Plan.
        strings = themes.load_strings(theme, config.language)
        static_files = theme.static_files()
        number_ids = None
        if to_memory:
            for attempt in attempts:
                self.number_ids.setdefault(attempt.entry.path, len(self.number_ids) + 1)
            number_ids = self.number_ids
        plan = pages.plan_site(config, attempts, bodies, standalone, site_stats,
                               strings, [out for out, _ in static_files], number_ids,
                               self.plan_memo if to_memory else None)
        timer.lap("plan")

        # Render and write.
        nav_pages = [{"title": p.title, "url": f"/{p.slug}/"} for p in standalone]
        fingerprint = _digest(__version__, theme.root, theme.digest(("i18n",)), config_raw,
                              opts.base_url, nav_pages)
        templates_key = theme.digest(("templates",))
        renderer_key = (fingerprint, templates_key)

        def get_renderer() -> Renderer:
            """The Jinja environment, made only when some page has to be rendered."""
            if self._renderer is None or self._renderer[0] != renderer_key:
                from generator.render import Renderer

                outcome_list = list(pages.outcome_views(config, strings).values())
                renderer = Renderer(theme, config, strings,
                                    {"nav_pages": nav_pages, "outcomes": outcome_list},
                                    cache_dir=self.cache_dir)
                template_problems = renderer.check(TEMPLATES, self.site_dir)
                if template_problems:
                    raise BuildFailed(problems + template_problems,
                                      self._kept_note(to_memory))
                self._renderer = (renderer_key, renderer)
                if templates_key not in self.template_digests:
                    self.template_digests[templates_key] = renderer.template_digests(TEMPLATES)
            return self._renderer[1]

        if templates_key not in self.template_digests:
            get_renderer()  # checks the templates and learns what each one includes
        template_digests = self.template_digests[templates_key]
        if self._background is not None:  # bodies rendered while we parsed and planned
            prefetched = self._background.result()
            self._background = None
            self._adopt_bodies({d: b for d, b in prefetched.items() if d in sources})
        if to_memory:
            written, deleted, files = self._render_to_memory(
                plan, get_renderer, template_digests, fingerprint, static_files, problems,
                bodies)
        else:
            written, deleted = self._render_to_disk(
                plan, get_renderer, template_digests, fingerprint, static_files, problems,
                bodies)
            files = {}
        timer.lap("markdown+render+write")
        # Links are checked after rendering, when every body has been rendered once.
        problems += _link_warnings(attempts, standalone, bodies, plan.urls)
        timer.lap("links")
        if opts.use_cache and not to_memory:  # serve saves once, when it stops
            self.save_cache()
            timer.lap("cache")
        return BuildResult(
            attempts=len(attempts),
            published=sum(1 for a in attempts if not a.entry.private),
            pages=len(plan.pages), written=written, deleted=deleted,
            seconds=timer.total, warnings=[p for p in problems if p.severity == WARNING],
            timings=timer.stages, stats=site_stats, files=files,
        )

    def _prefetch(self, listing: list[tuple[str, str]], config: SiteConfig) -> None:
        """With many bodies to render, start rendering them in the background.

        Reading, parsing and planning run in this process only; meanwhile a
        second core reads the files for itself and renders their Markdown, and
        the pool later renders whatever it did not reach. It starts before the
        files are read, so whether bodies are missing is judged by the count:
        more files than the cache holds links for (a cold build).
        """
        if self._workers(len(listing) - len(self.body_links), PARALLEL_PAGES) < 2:
            return
        from generator import parallel

        markdown.load_parser(config.allow_html, config.base_path)
        render = functools.partial(markdown.render_files, known=self.body_links,
                                   allow_html=config.allow_html, base_path=config.base_path)
        self._background = parallel.Background(
            render, [abs_path for _, abs_path in listing], {})

    def _kept_note(self, to_memory: bool) -> str:
        if to_memory:
            return "Still showing the last good build."
        return f"{display_path(self.options.output.resolve(), self.site_dir)}/ was left as it was."

    def _workers(self, jobs: int, threshold: int) -> int:
        wanted = self.options.workers or os.cpu_count() or 1
        return wanted if jobs >= threshold and wanted > 1 else 1

    def _render_many(self, items: list[Any], function: Callable[[Any], Any],
                     bodies: markdown.BodyStore, bodies_home: bool) -> list[Any]:
        """function(item) for each (page, ...) item: in forked workers when there
        are many (a cold build, a renumbering), else here.

        Workers render the Markdown their pages need. A body belongs to the page
        it is the text of, and each task takes the pages of a set of body-cache
        shards, so the worker that rendered a shard's bodies writes that shard
        itself: the parent never holds them all (`bodies_home=False`). Serve
        keeps its output in memory and wants every body back (`bodies_home=True`).
        """
        workers = self._workers(len(items), PARALLEL_PAGES)
        if workers < 2:
            return [function(item) for item in items]
        from generator import parallel

        if len(bodies.known_links) < len(bodies.sources):  # some body was never rendered
            markdown.load_parser(bodies.allow_html, bodies.base_path)
        tasks = _tasks([item[0].body for item in items], workers)
        write_shards = not bodies_home and self.cache_dir is not None
        live: dict[str, list[str]] = {}
        if write_shards:
            self._make_cache_dir()
            live = _by_shard(bodies.sources)

        def run(task: tuple[list[int], tuple[str, ...]]) -> tuple[Any, ...]:
            indices, shards = task
            for i in indices:  # Markdown first, then Jinja: each runs warm in the CPU caches
                if items[i][0].body is not None:
                    bodies.get(items[i][0].body)
            results = [function(items[i]) for i in indices]
            new = bodies.take_new()
            links = {digest: body.links for digest, body in new.items()}
            written = []
            if write_shards:
                touched = {digest[:2] for digest in new}
                for shard in shards:
                    if shard in touched:
                        self._write_shard(shard, {d: bodies.known[d] for d in live.get(shard, ())
                                                  if d in bodies.known})
                        written.append(shard)
                    # On disk now: free them here, and read them back if asked again.
                    for digest in live.get(shard, ()):
                        bodies.known.pop(digest, None)
                    self._loaded_shards.discard(shard)
                new = {d: b for d, b in new.items() if d[:2] not in shards}
            elif not bodies_home:
                new = {}  # no cache: only the links are still needed
            return results, links, new, written

        # Workers get task numbers, not pages: they already hold the plan (forked),
        # and a page's context closures could not be pickled anyway.
        results: list[Any] = [None] * len(items)
        done_tasks = parallel.map_tasks(run, tasks, workers, meanwhile=self._pickle_parsed)
        rewritten = {shard for *_, written in done_tasks for shard in written}
        if rewritten:  # what this process knows of those shards is older than the files
            self._dirty_shards -= rewritten
            self._loaded_shards -= rewritten
            for digest in [d for d in self.bodies if d[:2] in rewritten]:
                del self.bodies[digest]
        for (indices, _), (done, links, new, _) in zip(tasks, done_tasks, strict=True):
            for index, result in zip(indices, done, strict=True):
                results[index] = result
            self.body_links.update(links)
            self._adopt_bodies(new)  # bodies of shards no task of theirs wrote
        return results

    def _render_page(self, page: pages.Page, renderer: Renderer) -> bytes:
        if page.raw is not None:
            return page.raw()
        assert page.template is not None
        return renderer.render(page.template, page.context(), self.site_dir).encode("utf-8")

    def _render_to_disk(self, plan: pages.SitePlan, get_renderer: Callable[[], Renderer],
                        template_digests: dict[str, str], fingerprint: str,
                        static_files: list[tuple[str, Path]], problems: list[Problem],
                        bodies: markdown.BodyStore) -> tuple[int, int]:
        out_dir = self.options.output
        writer = output.OutputWriter(out_dir)
        try:
            todo: list[tuple[pages.Page, str | None]] = []
            if writer.may_keep(fingerprint):
                for page in plan.pages:
                    key_digest = _digest(page.key, template_digests.get(page.template or ""))
                    if writer.is_current(page.output, key_digest, fingerprint):
                        writer.keep(page.output)
                    else:
                        todo.append((page, key_digest))
            else:  # nothing to keep: the workers hash the keys, as they render
                todo = [(page, None) for page in plan.pages]
            if todo:
                renderer = get_renderer()

                def stage(item: tuple[pages.Page, str | None]) -> tuple[str, bool, str]:
                    page, key_digest = item
                    if key_digest is None:
                        key_digest = _digest(page.key, template_digests.get(page.template or ""))
                    digest, staged = writer.stage(page.output, self._render_page(page, renderer))
                    return digest, staged, key_digest

                done = self._render_many(todo, stage, bodies, bodies_home=False)
                for (page, _), (digest, was_staged, key_digest) in zip(todo, done, strict=True):
                    writer.record(page.output, digest, key_digest, was_staged)
            for path, src in static_files:
                writer.emit(path, src.read_bytes(), "static")
            return writer.commit(fingerprint)
        except TemplateProblem as exc:
            writer.abort()
            raise BuildFailed([*problems, exc.problem], self._kept_note(False)) from None
        except BaseException:
            writer.abort()
            raise

    def _render_to_memory(self, plan: pages.SitePlan, get_renderer: Callable[[], Renderer],
                          template_digests: dict[str, str], fingerprint: str,
                          static_files: list[tuple[str, Path]], problems: list[Problem],
                          bodies: markdown.BodyStore) -> tuple[int, int, dict[str, bytes]]:
        """Serve's output: rendered into memory, only the pages whose key changed.

        Keys are compared as they are, without hashing: this runs on every save.
        Attempt numbers are placeholders in the rendered text; when numbers
        shift, pages that only print them get them substituted, not rendered.
        """
        old = self.memory if fingerprint == self.memory_fingerprint else {}
        numbers = plan.numbers
        shifted = {i for i, n in numbers.items() if self.memory_numbers.get(i) != n}
        table = numbering.table(numbers) if shifted or not old else self.memory_table
        new: dict[str, MemoryPage] = {}
        todo: list[tuple[pages.Page, Any]] = []
        for page in plan.pages:
            key = (page.key, template_digests.get(page.template or ""))
            previous = old.get(page.output)
            if previous is None or previous.key != key or (
                    shifted and not previous.semantic.isdisjoint(shifted)):
                todo.append((page, key))
            elif shifted and not previous.ids.isdisjoint(shifted):
                new[page.output] = previous.renumbered(table)
            else:
                new[page.output] = previous
        try:
            if todo:
                renderer = get_renderer()
                rendered = self._render_many(
                    todo, lambda item: self._render_late(item[0], item[1], renderer, table),
                    bodies, bodies_home=True)
                for (page, _), memory_page in zip(todo, rendered, strict=True):
                    new[page.output] = memory_page
        except TemplateProblem as exc:
            raise BuildFailed([*problems, exc.problem], self._kept_note(True)) from None
        for path, src in static_files:
            data = src.read_bytes()
            new[path] = MemoryPage("static", None, frozenset(), frozenset(), data)
        deleted = len(set(old) - set(new))
        self.memory, self.memory_fingerprint = new, fingerprint
        self.memory_numbers, self.memory_table = numbers, table
        return len(todo), deleted, {path: page.data for path, page in new.items()}

    def _render_late(self, page: pages.Page, key: Any, renderer: Renderer,
                     numbers: dict[bytes, bytes]) -> MemoryPage:
        """A page for serve, its numbers as placeholders (see numbering.py)."""
        if page.raw is not None:
            return MemoryPage(key, None, frozenset(), frozenset(), page.raw())
        assert page.template is not None
        template = page.template
        try:
            text, tracker = numbering.render_tracked(
                lambda: renderer.render(template, page.context(), self.site_dir))
            parts, ids = numbering.split(text)
        except TemplateProblem:
            ids = None  # a template that cannot take a placeholder
        if ids is not None:
            return MemoryPage(key, parts if ids else None, ids, frozenset(tracker.semantic),
                              numbering.fill(parts, numbers))
        # Plain numbers then, and rendered again whenever any number changes.
        everything = frozenset(int(k[1:]) for k in numbers)
        parts, ids = numbering.split(renderer.render(template, page.context(), self.site_dir))
        data = numbering.fill(parts, numbers) if ids is not None else b"\x00".join(parts)
        return MemoryPage(key, None, everything, everything, data)


@dataclass(slots=True)
class MemoryPage:
    """One file of serve's in-memory output."""

    key: Any
    parts: list[bytes] | None
    """The rendered page around its number placeholders, when it has any."""
    ids: frozenset[int]
    """Number ids whose placeholders are in the page."""
    semantic: frozenset[int]
    """Number ids the page computed with: it is rendered again when they change."""
    data: bytes

    def renumbered(self, numbers: dict[bytes, bytes]) -> MemoryPage:
        assert self.parts is not None
        return MemoryPage(self.key, self.parts, self.ids, self.semantic,
                          numbering.fill(self.parts, numbers))


TASKS_PER_WORKER = 32


def _tasks(owners: list[str | None], workers: int) -> list[tuple[list[int], tuple[str, ...]]]:
    """Split item numbers into pool tasks: (items, body-cache shards it owns).

    Items with a body (attempt and standalone pages, by digest) are grouped by
    the shard of that body, so no two tasks write the same shard. The rest
    (lists, feeds) form one task, handed out first: they share the attempt
    cards, and `{% cache %}` lives per process, so in one worker each card is
    rendered once instead of once in every worker. The body tasks that follow
    are small enough to even out the workers' finish.
    """
    groups = min(256, workers * TASKS_PER_WORKER)
    grouped: dict[int, list[int]] = {}
    others: list[int] = []
    for index, digest in enumerate(owners):
        if digest is None:
            others.append(index)
        else:
            grouped.setdefault(int(digest[:2], 16) % groups, []).append(index)
    tasks: list[tuple[list[int], tuple[str, ...]]] = [(others, ())] if others else []
    tasks += [(indices, tuple(f"{s:02x}" for s in range(group, 256, groups)))
              for group, indices in sorted(grouped.items())]
    return tasks


def _by_shard(digests: Iterable[str]) -> dict[str, list[str]]:
    """Body digests grouped by their cache shard (bodies/3f.pickle)."""
    shards: dict[str, list[str]] = {}
    for digest in digests:
        shards.setdefault(digest[:2], []).append(digest)
    return shards


def _pickled(data: Any) -> bytes:
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


def _write_pickle(path: Path, data: Any) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}")
    with open(tmp, "wb") as f:
        pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _digest_and_bytes(path: str | Path) -> tuple[str, bytes]:
    with open(path, "rb") as f:
        raw = f.read()
    return entries.digest_bytes(raw), raw


def _with_base_url(config: SiteConfig, base_url: str) -> SiteConfig:
    import dataclasses
    return dataclasses.replace(config, base_url=base_url if base_url.endswith("/")
                               else base_url + "/")


def _page_slug_problems(standalone: list[entries.StandalonePage]) -> list[Problem]:
    problems = []
    seen: dict[str, str] = {}
    for page in standalone:
        if page.slug in pages.RESERVED:
            problems.append(Problem(
                page.path, None, None,
                f"/{page.slug}/ is used by goldstar itself",
                f"rename the file or give it another `slug:` than {page.slug}"))
        elif page.slug in seen:
            problems.append(Problem(
                page.path, None, None,
                f"/{page.slug}/ would be written by 2 files: {seen[page.slug]}, {page.path}",
                "rename one of the files or give it its own `slug:`"))
        else:
            seen[page.slug] = page.path
    return problems


EXTERNAL = ("https://", "http://", "mailto:", "//")


def _link_warnings(attempts: list[stats.Attempt], standalone: list[entries.StandalonePage],
                   bodies: markdown.BodyStore, urls: set[str]) -> list[Problem]:
    """Links in Markdown to pages of this site that do not exist."""
    from urllib.parse import unquote, urljoin, urlsplit

    problems = []
    sources: list[tuple[str, str, str]] = [
        (a.entry.path, a.entry.digest, pages.attempt_url(a.entry.slug))
        for a in attempts if not a.entry.private]
    sources += [(p.path, p.digest, f"/{p.slug}/") for p in standalone]
    for path, digest, page_url in sources:
        for href, line in bodies.links(digest):
            if href.startswith(EXTERNAL):  # most links: no need to take them apart
                continue
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = unquote(urlsplit(urljoin(page_url, parts.path)).path)
            if target in urls or target + "/" in urls or (
                    target.endswith("/index.html") and target[:-10] in urls):
                continue
            problems.append(Problem(
                path, line, None, f'link to "{href}": there is no such page on this site',
                "check the address; attempts live at /attempts/<file name>/", WARNING))
    return problems


def build_site(options: BuildOptions) -> BuildResult:
    """Check the output folder, then build once (what `goldstar build` runs)."""
    reason = output.check_output(options.site_dir, options.output,
                                 display_path(options.output, options.site_dir))
    if reason is not None:
        raise BuildFailed([reason], "Nothing was written.")
    return Builder(options).build()
