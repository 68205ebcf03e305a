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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from generator import parallel
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


class Output(Protocol):
    def unchanged(self, path: str, key: object) -> bool: ...

    def keep(self, path: str) -> None: ...

    def stage(self, path: str, data: Any, key: object) -> Any: ...

    def record(self, receipt: Any) -> None: ...


class BodyLoader(Protocol):
    def load(self, digests: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    kept: int


def render_files(files: Sequence[OutputFile], template_digests: dict[str, str],
                 output: Output, produce: Callable[[OutputFile], Any], bodies: BodyLoader,
                 workers: int = 1, meanwhile: Callable[[], None] = lambda: None,
                 ) -> RenderReport:
    """Render every file whose key changed into `output`; keep the others.

    `produce(file)` renders one file (bytes for the disk, serve's late-numbered
    pages for its memory); it raises TemplateProblem for a template error.
    """
    todo: list[tuple[OutputFile, object]] = []
    for file in files:
        key = (file.key, template_digests.get(file.template or ""))
        if output.unchanged(file.path, key):
            output.keep(file.path)
        else:
            todo.append((file, key))

    def stage(item: tuple[OutputFile, object]) -> Any:
        file, key = item
        if file.bodies:
            bodies.load(file.bodies)
        return output.stage(file.path, produce(file), key)

    if len(todo) >= PARALLEL_FILES and workers > 1:
        tasks = task_groups([file.bodies[0] if file.bodies else None for file, _ in todo],
                            workers)
        done = parallel.map_tasks(lambda indices: [stage(todo[i]) for i in indices],
                                  tasks, workers, meanwhile=meanwhile)
        for receipts in done:
            for receipt in receipts:
                output.record(receipt)
    else:
        meanwhile()
        for item in todo:
            output.record(stage(item))
    return RenderReport(len(todo), len(files) - len(todo))


def task_groups(owners: Sequence[str | None], workers: int) -> list[list[int]]:
    """Split item numbers into pool tasks.

    Items that show a body (attempt and standalone pages) are grouped by the
    store shard of that body, so each worker reads a shard once. The rest
    (lists, feeds) form one task, handed out first: they share the attempt
    cards, and `{% cache %}` lives per process, so in one worker each card is
    rendered once instead of once in every worker. The small body tasks that
    follow even out the workers' finish.
    """
    groups = min(256, workers * TASKS_PER_WORKER)
    grouped: dict[int, list[int]] = {}
    others: list[int] = []
    for index, digest in enumerate(owners):
        if digest is None:
            others.append(index)
        else:
            grouped.setdefault(int(digest[:2], 16) % groups, []).append(index)
    tasks = [others] if others else []
    tasks += [indices for _, indices in sorted(grouped.items())]
    return tasks


class RendererFactory:
    """The Jinja environment of a site, made only when some file must be rendered.

    The template digests (what each template includes, hashed) are kept in the
    artifact store by the digest of the theme's templates, so a build that
    renders nothing compiles nothing.
    """

    def __init__(self, theme: Theme, config: SiteConfig, strings: dict[str, Any],
                 site_globals: dict[str, Any], site_dir: Path, store: ArtifactStore | None,
                 fragment_guard: Callable[[Callable[[], str]], tuple[str, bool]] | None = None,
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
