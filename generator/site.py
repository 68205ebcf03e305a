"""Load: the configuration, the theme, and every content file, read and validated.

`load_site()` renders nothing and writes nothing: `goldstar check`, `stats`
and the build all start here. It reads every file, parses each one (or takes
it from the parsed-files table of the artifact store when its bytes are the
same), checks what only the whole site can show (two files at one address),
and raises BuildFailed with every error of the run at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import entries, i18n, photos, sources
from generator.cache import ArtifactStore
from generator.config import (
    CONFIG_NAME,
    SiteConfig,
    base_url_problem,
    load_config,
    locate_setting,
    normal_base_url,
    resolve_as_of,
)
from generator.entries import ATTEMPTS_DIR, PAGES_DIR, Entry, StandalonePage
from generator.pages import RESERVED
from generator.problems import BuildFailed, Problem, display_path, errors
from generator.sources import Source
from generator.themes import Theme, available, resolve_theme


@dataclass
class BuildOptions:
    """What the command line says about one run."""

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
class Site:
    """Everything known about the site before anything is rendered."""

    site_dir: Path
    config: SiteConfig
    config_bytes: bytes
    """site.yml as read: part of the fingerprint of every page."""
    theme: Theme
    strings: dict[str, Any]
    """The theme's UI strings in the site's language."""
    strings_loaded: i18n.LoadedStrings | None
    """Where each string came from, for the checks that need CLDR (made when pages render)."""
    as_of: dt.date
    drafts: bool
    entries: list[Entry]
    """Every attempt file that validated, drafts and future ones included."""
    pages: list[StandalonePage]
    """The standalone pages that are published (drafts only with --drafts)."""
    sources: dict[str, Source]
    """The bytes of every attempt and page file, by path."""
    warnings: list[Problem] = field(default_factory=list)
    pictures: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """(href, line) of the pictures each story shows (generator.photos), if any."""
    bytes_let_go: bool = False
    """True when `sources` hold no bytes (a large site: see KEEP_BYTES_UP_TO)."""


@dataclass(frozen=True)
class Settings:
    """The configuration and theme, checked; what every later stage starts from."""

    config: SiteConfig
    config_bytes: bytes
    theme: Theme
    strings: dict[str, Any]
    strings_loaded: i18n.LoadedStrings | None
    as_of: dt.date
    warnings: list[Problem]


def load_settings(options: BuildOptions) -> Settings:
    """site.yml, --base-url, the theme chain, its strings and the as-of day."""
    site_dir = options.site_dir
    config, problems, config_bytes = load_config(site_dir)
    if options.base_url is not None:
        wrong = base_url_problem(options.base_url)
        if wrong is not None:
            problems.append(Problem("--base-url", None, None, f"--base-url {wrong}",
                                    "give a full http:// or https:// address"))
        else:
            config = dataclasses.replace(config, base_url=normal_base_url(options.base_url))
    theme, theme_problems = resolve_theme(site_dir, config.theme)
    problems += theme_problems
    if theme is None and not theme_problems:
        line, column = locate_setting(site_dir, "theme")
        problems.append(Problem(
            CONFIG_NAME, line, column,
            f'theme "{config.theme}" was not found (looked in themes/ and the built-in themes)',
            f"available: {', '.join(available(site_dir))}"))
    strings: dict[str, Any] = {}
    loaded = None
    if theme is not None:
        loaded = i18n.load_strings(theme.subfolders("i18n"), config.language,
                                   lambda path: display_path(path, site_dir))
        strings = loaded.strings
        problems += loaded.problems
    as_of = resolve_as_of(options.as_of, config.tzinfo())
    if isinstance(as_of, Problem):
        problems.append(as_of)
    if errors(problems):
        raise BuildFailed(problems)
    assert theme is not None and isinstance(as_of, dt.date)
    return Settings(config, config_bytes, theme, strings, loaded, as_of, problems)


class KeptAsJson:
    """A parsed file in the store's table, turned into JSON only when the table
    is written (cache.to_json): memory holds each entry once, not also as a
    dict (100,000 attempts: about 50 MB)."""

    __slots__ = ("item",)

    def __init__(self, item: Entry | StandalonePage) -> None:
        self.item = item

    def to_json(self) -> list[Any] | dict[str, Any] | None:
        if isinstance(self.item, Entry):
            return entries.entry_to_json(self.item)
        return entries.page_to_json(self.item)


PARSED = "parsed"
PARSED_SHARDS = 16
"""The parsed-files table's shard files: an edit rewrites a sixteenth of it."""


class ParsedFiles:
    """Parsed files by path and digest: in memory, and in the store between builds.

    A parsed file depends on its bytes and, of the configuration, only on the
    outcomes and the time zone: those are the table's settings.
    """

    def __init__(self, store: ArtifactStore | None, config: SiteConfig) -> None:
        self.settings = (config.outcome_keys, config.timezone or str(config.tzinfo()))
        self.store = store
        self.rows: dict[str, Any] = store.table(PARSED, self.settings,
                                                shards=PARSED_SHARDS) if store else {}
        self.memory: dict[str, tuple[str, Entry | StandalonePage | None, list[Problem]]] = {}
        self.pictures: dict[str, list[tuple[str, int]]] = {}
        """Per file that shows any: the pictures it shows (found when it is parsed)."""
        self.lazy_rows = False
        """Keep entries as objects in the table, made JSON only when it is written:
        a large site's memory (see KeptAsJson); a small one's edit builds are
        faster with the rows kept as JSON (no conversion when the table is written)."""

    def get(self, path: str, digest: str) -> tuple[Entry | StandalonePage | None,
                                                   list[Problem]] | None:
        known = self.memory.get(path)
        if known is not None and known[0] == digest:
            return known[1], known[2]
        row = self.rows.get(path)
        if row is None or row[0] != digest:
            return None
        try:  # the store's data is checked, not trusted
            kind, data, problems = row[1], row[2], [Problem.from_json(p) for p in row[3]]
            item: Entry | StandalonePage | None = None
            if isinstance(data, KeptAsJson):
                item = data.item
            elif data is not None:
                item = entries.entry_from_json(data) if kind == "attempt" else (
                    entries.page_from_json(data))
                if self.lazy_rows and item is not None:
                    row[2] = KeptAsJson(item)  # the object from now on, not both
            pictures = [(str(href), int(line)) for href, line in row[4]]
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        self.memory[path] = (digest, item, problems)
        self._pictures(path, pictures)
        return item, problems

    def _pictures(self, path: str, pictures: list[tuple[str, int]]) -> None:
        if pictures:
            self.pictures[path] = pictures
        else:
            self.pictures.pop(path, None)

    def put(self, path: str, digest: str, kind: str, item: Entry | StandalonePage | None,
            problems: list[Problem], data: bytes = b"") -> None:
        """A file just parsed; its bytes, to find the pictures its story shows."""
        self.memory[path] = (digest, item, problems)
        pictures = photos.references_in(data, item.body_line) if item is not None else []
        self._pictures(path, pictures)
        if self.store is None:
            return
        row: Any = None
        if item is not None:
            kept = KeptAsJson(item)
            row = kept.to_json() if not self.lazy_rows else (
                kept if entries.json_safe(item.extra) else None)
        if item is not None and row is None:
            self.rows.pop(path, None)  # cannot be kept as data: parsed every time
        else:
            self.rows[path] = [digest, kind, row, [p.to_json() for p in problems],
                               [list(p) for p in pictures]]
        self.store.table_changed(PARSED, path)

    def retain(self, paths: Iterable[str]) -> None:
        keep = set(paths)
        for gone in [p for p in self.memory if p not in keep]:
            del self.memory[gone]
        for gone in [p for p in self.pictures if p not in keep]:
            del self.pictures[gone]
        stale = [p for p in self.rows if p not in keep]
        for gone in stale:
            del self.rows[gone]
            if self.store is not None:
                self.store.table_changed(PARSED, gone)


@dataclass
class SourceFiles:
    """The content files of the last read, kept by serve to read only what changed."""

    attempts: dict[str, Source] = field(default_factory=dict)
    pages: dict[str, Source] = field(default_factory=dict)
    listing_problems: list[Problem] = field(default_factory=list)


def read_sources(site_dir: Path, previous: SourceFiles | None = None,
                 changed: set[Path] | None = None,
                 listed: Callable[[list[tuple[str, str]]], None] | None = None,
                 each: Callable[[int, Source], Source] | None = None,
                 limit: int = sources.MAX_FILE_BYTES,
                 skip: Callable[[int, str, str], str | None] | None = None,
                 ) -> tuple[SourceFiles, list[Problem]]:
    """Read every content file, or with `previous` and `changed` (serve) only
    those that changed; a new or removed folder means reading the list again.
    `listed` hears of the attempt files found, before they are read; `each(count,
    source)` sees every file as it is read (count: of files listed) and gives
    what to keep of it; `limit` is the size of the largest file read (site.yml's
    max_file_mb); `skip(count, path, abs_path)` gives the digest of a file that
    need not be read (its Source then holds no bytes), or None."""
    if previous is not None and changed is not None:
        updated = _reread(site_dir, previous, changed, limit)
        if updated is not None:
            return updated, list(updated.listing_problems)
    files = SourceFiles()
    problems: list[Problem] = []
    for folder, target, what in ((ATTEMPTS_DIR, files.attempts, "attempts"),
                                 (PAGES_DIR, files.pages, "pages")):
        listing = sources.discover(site_dir, folder)
        if listed is not None and folder == ATTEMPTS_DIR:
            listed(listing.files)
        files.listing_problems += listing.problems
        files.listing_problems += sources.not_markdown_warnings(listing, what)
        for path, abs_path in listing.files:
            known = skip(len(listing.files), path, abs_path) if skip is not None else None
            if known is not None:
                target[path] = Source(path, known, b"")
                continue
            found = sources.read(path, abs_path, limit)
            if isinstance(found, Problem):
                files.listing_problems.append(found)
            else:
                target[path] = found if each is None else each(len(listing.files), found)
    problems += files.listing_problems
    return files, problems


def _reread(site_dir: Path, previous: SourceFiles, changed: set[Path],
            limit: int = sources.MAX_FILE_BYTES) -> SourceFiles | None:
    """The previous files with the changed ones read again; None when only a new
    walk can tell (a folder appeared or went, or a file that is not Markdown)."""
    files = SourceFiles(dict(previous.attempts), dict(previous.pages),
                        list(previous.listing_problems))
    added = False
    for abs_path in changed:
        path = display_path(abs_path, site_dir)
        if path.startswith(ATTEMPTS_DIR + "/"):
            target = files.attempts
        elif path.startswith(PAGES_DIR + "/"):
            target = files.pages
        else:
            continue
        name = path.rsplit("/", 1)[-1]
        if sources.skipped_name(name):
            continue
        if not path.endswith(".md") or abs_path.is_dir() or (
                path not in target and not abs_path.exists()):
            return None
        if abs_path.is_symlink() or any(p.path == path for p in files.listing_problems):
            return None
        if not abs_path.exists():
            del target[path]
            continue
        found = sources.read(path, str(abs_path), limit)
        if isinstance(found, Problem):
            return None  # the walk reports it
        added = added or path not in target
        target[path] = found
    if added:
        files.attempts = dict(sorted(files.attempts.items()))
        files.pages = dict(sorted(files.pages.items()))
    return files


def parse_sources(files: SourceFiles, parsed: ParsedFiles, config: SiteConfig,
                  drafts: bool) -> tuple[list[Entry], list[StandalonePage], list[Problem]]:
    """Parse every file (or take it from `parsed`), then check across files."""
    problems: list[Problem] = []
    attempts: list[Entry] = []
    pages: list[StandalonePage] = []
    for source in files.attempts.values():
        known = parse_file(parsed, source, config)
        problems += known[1]
        if isinstance(known[0], Entry):
            attempts.append(known[0])
    for source in files.pages.values():
        known = parse_file(parsed, source, config)
        problems += known[1]
        if isinstance(known[0], StandalonePage) and (drafts or not known[0].draft):
            pages.append(known[0])
    parsed.retain([*files.attempts, *files.pages])
    problems += entries.duplicate_slugs(attempts)
    problems += entries.page_slug_problems(pages, RESERVED)
    return attempts, pages, problems


def parse_file(parsed: ParsedFiles, source: Source, config: SiteConfig
               ) -> tuple[Entry | StandalonePage | None, list[Problem]]:
    """An attempt or page file parsed, or what `parsed` has of these bytes."""
    path = source.path
    known = parsed.get(path, source.digest)
    if known is not None:
        return known
    if path.startswith(ATTEMPTS_DIR + "/"):
        item: Entry | StandalonePage | None
        item, found = entries.parse_attempt(path, path[len(ATTEMPTS_DIR) + 1:], source.data,
                                            config, source.digest)
        parsed.put(path, source.digest, "attempt", item, found, source.data)
    else:
        item, found = entries.parse_page(path, source.data)
        parsed.put(path, source.digest, "page", item, found, source.data)
    return item, found


FILE_STATS = "file_stats"
"""The store's table of the files' stamps and digests (sources.FileStats)."""

KEEP_BYTES_UP_TO = 20_000
"""Sites with more files than this keep no file's bytes after parsing it: at
100,000 attempts they were 285 MB in the builder and in each of its workers.
A story is then read again when it renders (derive.Bodies.reread)."""


def load_site(options: BuildOptions, store: ArtifactStore | None = None,
              listed: Callable[[Settings, list[tuple[str, str]]], None] | None = None,
              release_bytes: bool = False) -> Site:
    """Read and validate everything; raises BuildFailed with every error of the run.

    `listed` hears of the attempt files once they are found, before they are
    read: the build starts rendering Markdown in the background there.
    `release_bytes`: a file unchanged since the last build is not even read
    (sources.FileStats), and a large site keeps no file's bytes (the build reads a
    story again when it renders it; see KEEP_BYTES_UP_TO).
    """
    settings = load_settings(options)
    parsed = ParsedFiles(store, settings.config)
    limit = settings.config.max_file_bytes
    let_go = False
    stats = None
    if release_bytes and store is not None and sources.STAMPS_TELL_CHANGES:
        stats = sources.FileStats(store.table(FILE_STATS, (), shards=PARSED_SHARDS),
                                  lambda path: store.table_changed(FILE_STATS, path))

    def each(count: int, source: Source) -> Source:
        """Parse a file as soon as it is read; on a large site keep none of its bytes."""
        nonlocal let_go
        if stats is not None:
            stats.note(source)
        if count <= KEEP_BYTES_UP_TO:
            return source
        let_go = parsed.lazy_rows = True
        parse_file(parsed, source, settings.config)
        return Source(source.path, source.digest, b"")

    def skip(count: int, path: str, abs_path: str) -> str | None:
        """The digest of a file unchanged since the last build, which parsed it."""
        nonlocal let_go
        assert stats is not None
        digest = stats.known(path, abs_path, limit)
        if digest is None:
            return None
        parsed.lazy_rows = parsed.lazy_rows or count > KEEP_BYTES_UP_TO
        if parsed.get(path, digest) is None:
            return None  # read and parse it
        let_go = True
        return digest

    files, problems = read_sources(
        options.site_dir, listed=None if listed is None else (lambda found: listed(settings,
                                                                                     found)),
        each=each if release_bytes else None, limit=limit,
        skip=skip if stats is not None else None)
    if stats is not None:
        stats.retain([*files.attempts, *files.pages])
        assert store is not None
        store.put_away(FILE_STATS)
    attempts, pages, found = parse_sources(files, parsed, settings.config, options.drafts)
    problems = [*settings.warnings, *problems, *found]
    if errors(problems):
        raise BuildFailed(problems)
    site = assemble(options, settings, files, attempts, pages, problems, parsed.pictures)
    site.bytes_let_go = let_go
    return site


def assemble(options: BuildOptions, settings: Settings, files: SourceFiles,
             attempts: list[Entry], pages: list[StandalonePage],
             problems: list[Problem], pictures: dict[str, list[tuple[str, int]]]) -> Site:
    return Site(
        site_dir=options.site_dir, config=settings.config, config_bytes=settings.config_bytes,
        theme=settings.theme, strings=settings.strings,
        strings_loaded=settings.strings_loaded, as_of=settings.as_of,
        drafts=options.drafts, entries=attempts, pages=pages,
        sources={**files.attempts, **files.pages}, warnings=problems,
        pictures=dict(pictures))
