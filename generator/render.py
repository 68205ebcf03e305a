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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from generator import derive, parallel
from generator.cache import ArtifactStore
from generator.config import SiteConfig
from generator.pages import TEMPLATES, OutputFile
from generator.problems import Problem
from generator.themes import Theme

if TYPE_CHECKING:
    from generator.templates import Renderer

PARALLEL_FILES = 600
"""Below this many files to render, a process pool costs more than it saves."""
TASKS_PER_WORKER = 32


Produced = TypeVar("Produced", contravariant=True)
"""What rendering a file gives: bytes for the disk, a late-numbered page for serve."""
Receipt = TypeVar("Receipt")
"""What staging a file gives back (from a worker, maybe) to be recorded."""


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
                 work: derive.BodyWork,
                 workers: int = 1, meanwhile: Callable[[], None] = lambda: None,
                 keep_bodies: bool = False,
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
    `progress(done, total)` is told how far rendering got (a long build's line).
    """
    todo: list[tuple[OutputFile, object]] = []
    for file in files:
        key = (file.key, template_digests.get(file.template or ""))
        if output.unchanged(file.path, key):
            output.keep(file.path)
        else:
            todo.append((file, key))

    def stage(item: tuple[OutputFile, object]) -> R:
        file, key = item
        if file.bodies:
            work.bodies.load(file.bodies)
        return output.stage(file.path, produce(file), key)

    derive_todo = work.todo()
    if len(todo) + len(derive_todo) >= PARALLEL_FILES and workers > 1:
        return _in_pool(todo, derive_todo, stage, output, work, workers, meanwhile,
                        keep_bodies or not work.to_disk, progress)
    started = time.process_time()
    derive.derive_all(work)
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

Task = tuple[list[int], list[str], tuple[str, ...]]
"""(indices of the files to render, digests of the bodies to derive, store shards owned)."""


def _in_pool(todo: list[tuple[OutputFile, object]], derive_todo: list[str],
             stage: Callable[[tuple[OutputFile, object]], R], output: Output[P, R],
             work: derive.BodyWork, workers: int, meanwhile: Callable[[], None],
             send_html: bool, progress: Callable[[int, int], None] | None) -> RenderReport:
    derive.prepare_pool(work)
    tasks = task_groups([f.bodies[0] if f.bodies else None for f, _ in todo], derive_todo,
                        workers)

    def run(task: Task) -> tuple[list[derive.DerivedBody], list[R], float, float]:
        indices, digests, shards = task
        started = time.process_time()
        derived = derive.derive_group(work, digests, shards, send_html) if digests else []
        middle = time.process_time()
        receipts = [stage(todo[i]) for i in indices]
        return derived, receipts, middle - started, time.process_time() - middle

    done = parallel.map_tasks(run, tasks, workers, meanwhile=meanwhile, progress=progress)
    derive.adopt(work, (d for d, _, _, _ in done), {s for _, _, shards in tasks for s in shards})
    for _, receipts, _, _ in done:
        for receipt in receipts:
            output.record(receipt)
    return RenderReport(len(todo), 0, sum(d[2] for d in done), sum(d[3] for d in done))


def task_groups(owners: Sequence[str | None], derive_todo: Sequence[str],
                workers: int) -> list[Task]:
    """Split the work into pool tasks.

    Files that show a body (attempt and standalone pages) are grouped with the
    bodies to derive by the store shard of the body, so a worker derives and
    writes a shard and then renders its pages, and no two tasks write one
    shard. The rest (lists, feeds) is one task, handed out first. The smaller
    tasks that follow even out the workers' finish.
    """
    count = min(256, workers * TASKS_PER_WORKER)
    grouped: dict[int, tuple[list[int], list[str], set[str]]] = {}
    others: list[int] = []
    for index, digest in enumerate(owners):
        if digest is None:
            others.append(index)
        else:
            grouped.setdefault(int(digest[:2], 16) % count, ([], [], set()))[0].append(index)
    for digest in derive_todo:
        group = grouped.setdefault(int(digest[:2], 16) % count, ([], [], set()))
        group[1].append(digest)
        group[2].add(digest[:2])
    tasks: list[Task] = [(others, [], ())] if others else []
    tasks += [(indices, digests, tuple(sorted(shards)))
              for _, (indices, digests, shards) in sorted(grouped.items())]
    return tasks


class RendererFactory:
    """The Jinja environment of a site, made only when some file must be rendered.

    The template digests (what each template includes, hashed) are kept in the
    artifact store by the digest of the theme's templates, so a build that
    renders nothing compiles nothing.
    """

    def __init__(self, theme: Theme, config: SiteConfig, strings: dict[str, Any],
                 site_globals: dict[str, Any], site_dir: Path, store: ArtifactStore | None,
                 fragment_guard: FragmentGuard | None = None,
                 ) -> None:
        self.theme = theme
        self.config = config
        self.strings = strings
        self.site_globals = site_globals
        self.site_dir = site_dir
        self.store = store
        self.table: dict[str, Any] = store.table("templates", ()) if store else {}
        self.fragment_guard = fragment_guard
        self.templates_digest = theme.digest("templates")
        self.renderer: Renderer | None = None

    def get(self) -> Renderer:
        """The renderer, its templates compiled and checked; TemplateProblem
        (the first problem) or a list of problems via TemplatesFailed."""
        if self.renderer is None:
            from generator.templates import Renderer  # Jinja: only when a file renders

            renderer = Renderer(self.theme, self.config, self.strings, self.site_globals,
                                fragment_guard=self.fragment_guard)
            problems = renderer.check(TEMPLATES, self.site_dir)
            if problems:
                raise TemplatesFailed(problems)
            self.renderer = renderer
        return self.renderer

    def digests(self) -> dict[str, str]:
        known = self.table.get(self.templates_digest)
        if isinstance(known, dict) and all(isinstance(known.get(n), str) for n in TEMPLATES):
            return known
        digests = self.get().template_digests(TEMPLATES)
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
