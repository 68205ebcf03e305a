"""Render: the planned files into an output, rendering only those whose key changed.

One loop for every output (the folder on disk, serve's memory, `check`'s
nowhere), through the output interface of output.py:
- `unchanged(path, key)` / `keep(path)`: the file from last time is still right;
- `stage(path, produced, key)` → receipt: may run in a forked worker;
- `record(receipt)`, then `commit()` or `abort()`: in this process.

Before a file's template runs, the bodies it shows are loaded (derive.Bodies),
so templates only ever read finished values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from generator import derive, parallel
from generator.cache import ArtifactStore
from generator.config import CONFIG_NAME, SiteConfig, locate_setting
from generator.hashing import key_digest
from generator.pages import TEMPLATES, OutputFile
from generator.problems import Problem
from generator.themes import Theme

if TYPE_CHECKING:
    from generator.i18n import LoadedStrings
    from generator.templates import Renderer

PARALLEL_FILES = 600
"""Below this many files to render, a process pool costs more than it saves."""
TASKS_PER_WORKER = 32


Produced = TypeVar("Produced", contravariant=True)
"""What rendering a file gives: bytes for the disk, a late-numbered page for serve."""
Receipt = TypeVar("Receipt")
"""What staging a file gives back (from a worker, maybe) to be recorded."""


class DeriveWork(Protocol):
    """One kind of derived artifact's work (derive.BodyWork, derive_cards.CardWork)."""

    @property
    def to_disk(self) -> bool: ...

    def todo(self) -> list[str]: ...

    def prepare_pool(self) -> None: ...

    def derive_all(self) -> None: ...

    def derive_group(self, keys: Sequence[str], shards: Iterable[str],
                     send: bool) -> list[Any]: ...

    def adopt(self, results: Iterable[list[Any]], written: set[str]) -> None: ...


class Output(Protocol, Generic[Produced, Receipt]):
    def unchanged(self, path: str, key: object) -> bool: ...

    def keep(self, path: str) -> None: ...

    def stage(self, path: str, data: Produced, key: object) -> Receipt: ...

    def record(self, receipt: Receipt) -> None: ...


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    kept: int
    markdown_seconds: float
    """Time spent rendering Markdown, summed over the processes that did."""
    render_seconds: float
    """Time spent rendering files, summed over the processes that did."""


P = TypeVar("P")
R = TypeVar("R")


def render_files(files: Sequence[OutputFile], template_digests: dict[str, str],
                 output: Output[P, R], produce: Callable[[OutputFile], P],
                 work: derive.BodyWork, workers: int = 1,
                 meanwhile: Callable[[], None] = lambda: None,
                 keep_bodies: bool = False, more: Sequence[DeriveWork] = (),
                 progress: Callable[[int, int], None] | None = None) -> RenderReport:
    """Derive the missing bodies, then render every file whose key changed into
    `output`, keeping the others.

    `produce(file)` renders one file (bytes for the disk, serve's late-numbered
    pages for its memory); it raises TemplateProblem for a template error.

    With a pool, both stages run in one: each worker renders the Markdown of a
    group of bodies, writes it to the store, then renders the pages that show
    those bodies (the bodies still in its memory), so no core waits between the
    stages and no body is read back. The lists and feeds go first, as one task:
    they share the attempt cards, and `{% cache %}` lives per process.
    `keep_bodies` sends rendered bodies back to this process (serve keeps them).
    `more` are other kinds of derived artifacts (cards): derived the same way,
    a file that shows one belonging to the task that derives it.
    `progress(done, total)` is told how far rendering got (a long build's line).
    """
    todo: list[tuple[OutputFile, object]] = []
    for file in files:
        # A card's key in the store says all its bytes depend on: no need to hash it again.
        key: object = file.card if file.card is not None else (
            file.key, template_digests.get(file.template or ""))
        if output.unchanged(file.path, key):
            output.keep(file.path)
        else:
            todo.append((file, key))

    def stage(item: tuple[OutputFile, object]) -> R:
        file, key = item
        if file.bodies:
            work.bodies.load(file.bodies)
        return output.stage(file.path, produce(file), key)

    works: list[DeriveWork] = [work, *more]
    derive_todo = [w.todo() for w in works]
    if len(todo) + sum(map(len, derive_todo)) >= PARALLEL_FILES and (
            workers > 1 or any(each.to_disk for each in works)):
        # One worker goes through the same tasks in this process: each writes
        # its shards of the store and lets them go, so memory holds one task's
        # bodies and cards, not every one (4,000 attempts: 253 -> 110 MiB).
        return _in_pool(todo, derive_todo, stage, output, works, workers, meanwhile,
                        keep_bodies, progress)
    started = time.process_time()
    for each in works:
        each.derive_all()
    derived = time.process_time()
    meanwhile()
    rendering = time.process_time()
    for done, item in enumerate(todo, 1):
        output.record(stage(item))
        if progress is not None and not done % 64:
            progress(done, len(todo))
    return RenderReport(len(todo), len(files) - len(todo), derived - started,
                        time.process_time() - rendering)


FragmentGuard = Callable[[Callable[[], str]], tuple[str, bool]]
"""Renders a `{% cache %}` fragment and says whether it may be kept (templates.py)."""

Task = tuple[list[int], list[list[str]], tuple[str, ...]]
"""(indices of the files to render, keys to derive for each kind, store shards owned)."""


def _in_pool(todo: list[tuple[OutputFile, object]], derive_todo: list[list[str]],
             stage: Callable[[tuple[OutputFile, object]], R], output: Output[P, R],
             works: list[DeriveWork], workers: int, meanwhile: Callable[[], None],
             keep_bodies: bool, progress: Callable[[int, int], None] | None) -> RenderReport:
    for each in works:
        each.prepare_pool()
    tasks = task_groups([_owner(f) for f, _ in todo], derive_todo, workers)
    sends = [keep_bodies for _ in works]  # the workers render every page that shows them

    def run(task: Task) -> tuple[list[list[Any]], list[R], float, float]:
        indices, keys, shards = task
        started = time.process_time()
        derived = [each.derive_group(k, shards, send) if k else []
                   for each, k, send in zip(works, keys, sends, strict=True)]
        middle = time.process_time()
        receipts = [stage(todo[i]) for i in indices]
        return derived, receipts, middle - started, time.process_time() - middle

    done = parallel.map_tasks(run, tasks, workers, meanwhile=meanwhile, progress=progress)
    written = {s for _, _, shards in tasks for s in shards}
    for n, each in enumerate(works):
        each.adopt((d[0][n] for d in done), written)
    for _, receipts, _, _ in done:
        for receipt in receipts:
            output.record(receipt)
    return RenderReport(len(todo), 0, sum(d[2] for d in done), sum(d[3] for d in done))


def _owner(file: OutputFile) -> str | None:
    """The key whose shard a file's task owns: the body it shows, or its card."""
    return file.bodies[0] if file.bodies else file.card


def task_groups(owners: Sequence[str | None], derive_todo: Sequence[Sequence[str]],
                workers: int) -> list[Task]:
    """Split the work into pool tasks.

    Files that show a body (attempt and standalone pages) or are a card are
    grouped with the artifacts to derive by the store shard of their key, so a
    worker derives and writes a shard and then renders what shows it, and no
    two tasks write one shard. The rest (lists, feeds) is one task, handed out
    first. The smaller tasks that follow even out the workers' finish.
    """
    count = min(256, workers * TASKS_PER_WORKER)
    kinds = len(derive_todo)
    grouped: dict[int, tuple[list[int], list[list[str]], set[str]]] = {}

    def group(key: str) -> tuple[list[int], list[list[str]], set[str]]:
        found = grouped.get(int(key[:2], 16) % count)
        if found is None:
            found = grouped[int(key[:2], 16) % count] = ([], [[] for _ in range(kinds)], set())
        return found

    others: list[int] = []
    for index, key in enumerate(owners):
        if key is None:
            others.append(index)
        else:
            group(key)[0].append(index)
    for kind, keys in enumerate(derive_todo):
        for key in keys:
            found = group(key)
            found[1][kind].append(key)
            found[2].add(key[:2])
    tasks: list[Task] = [(others, [[] for _ in range(kinds)], ())] if others else []
    tasks += [(indices, keys, tuple(sorted(shards)))
              for _, (indices, keys, shards) in sorted(grouped.items())]
    return tasks


FORMATS = "formats"
"""The store's table of dates and numbers formatted by Babel (see Language.made)."""


class RendererFactory:
    """The Jinja environment of a site, made only when some file must be rendered.

    The template digests (what each template includes, hashed) are kept in the
    artifact store by the digest of the theme's templates, so a build that
    renders nothing compiles nothing.
    """

    def __init__(self, theme: Theme, config: SiteConfig, strings: dict[str, Any],
                 site_globals: dict[str, Any], site_dir: Path, store: ArtifactStore | None,
                 strings_loaded: LoadedStrings | None = None,
                 fragment_guard: FragmentGuard | None = None,
                 links: dict[str, str] | None = None) -> None:
        self.theme = theme
        self.config = config
        self.strings = strings
        self.site_globals = site_globals
        self.site_dir = site_dir
        self.store = store
        self.table: dict[str, Any] = store.table("templates", ()) if store else {}
        self.formats: dict[str, Any] = store.table(
            FORMATS, (config.language, strings.get("date_format"))) if store else {}
        """Dates and numbers an earlier build formatted (i18n.Language.made)."""
        self.fragment_guard = fragment_guard
        self.links = links or {}
        self.templates_digest = theme.digest("templates")
        self.renderer: Renderer | None = None
        self.strings_loaded = strings_loaded
        self.warnings: list[Problem] = []
        """What the checks made with the renderer found (its strings' plural forms)."""

    def get(self, check: bool = False) -> Renderer:
        """The renderer; problems with the language, or with `check` any template
        that does not compile, come as TemplatesFailed.

        Templates compile when a page first needs them: an edit build that
        renders one attempt page compiles its four templates, not the whole
        theme (compiling is most of the cost of rendering a few pages, and
        compiled code is never kept on disk). Every template is checked when
        the theme's templates changed (see `digests`), so a mistake in one
        is reported even when no page that uses it renders.
        """
        if self.renderer is None:
            from generator.templates import Renderer  # Jinja: only when a file renders

            problems = self._check_language()
            if problems:
                raise TemplatesFailed(problems)
            self.renderer = Renderer(self.theme, self.config, self.strings, self.site_globals,
                                     self.links, self.fragment_guard, self.formats)
        if check:
            problems = self.renderer.check(TEMPLATES, self.site_dir)
            if problems:
                raise TemplatesFailed(problems)
        return self.renderer

    def _check_language(self) -> list[Problem]:
        """What only CLDR can tell, checked here because Babel is needed now anyway
        (a build that renders nothing never imports it): that the language is
        one CLDR knows, and that its strings have the plural forms it uses.
        What it found for these same strings is kept in the store, so a build
        that renders a few pages with dates it has seen never imports Babel."""
        from generator.i18n import check_strings, language_hint, validate_language

        loaded = self.strings_loaded
        key = key_digest((self.config.language, loaded.strings, loaded.sources,
                          sorted(loaded.from_english))) if loaded else ""
        known = self.formats.get("checked")
        if loaded and isinstance(known, list) and len(known) == 2 and known[0] == key:
            try:
                found = [Problem.from_json(p) for p in known[1]]
            except (TypeError, ValueError):
                found = None
            if found is not None:
                self.warnings = [p for p in found if not p.is_error]
                return [p for p in found if p.is_error]
        wrong = validate_language(self.config.language)
        if wrong is not None:
            line, column = locate_setting(self.site_dir, "language")
            return [Problem(CONFIG_NAME, line, column, wrong,
                            language_hint(self.config.language))]
        found = check_strings(loaded) if loaded else []
        if loaded and not any(p.is_error for p in found):
            self.formats["checked"] = [key, [p.to_json() for p in found]]
            self._formats_changed()
        self.warnings = [p for p in found if not p.is_error]
        return [p for p in found if p.is_error]

    def keep_formats(self) -> None:
        """Put what this process formatted into the store, for the next build."""
        if self.renderer is None:
            return
        made = self.renderer.language.made()
        if any(len(made[kind]) != len(self.formats.get(kind, ())) for kind in made):
            self.formats.update(made)
            self._formats_changed()

    def _formats_changed(self) -> None:
        if self.store is not None:
            self.store.table_changed(FORMATS)

    def digests(self) -> dict[str, str]:
        known = self.table.get(self.templates_digest)
        if isinstance(known, dict) and all(isinstance(known.get(n), str) for n in TEMPLATES):
            return known
        digests = self.get(check=True).template_digests(TEMPLATES)
        self.table.clear()  # only the theme as it is now
        self.table[self.templates_digest] = digests
        if self.store is not None:
            self.store.table_changed("templates")
        return digests


class TemplatesFailed(Exception):
    """Templates that do not compile; carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems
