"""Problems found in a user's files, collected and reported together.

A Problem always names a file and, where it can, the line and column in that
file, so the person can jump straight to it. Nothing here imports the rest of
the package.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place of the user's site."""

    path: str
    """The file, relative to the site root where possible (`content/attempts/x.md`)."""
    line: int | None
    """1-based line in the file, or None when the file as a whole is wrong."""
    column: int | None
    """1-based column, or None."""
    message: str
    """What is wrong and what was expected, in words for a person."""
    hint: str | None = None
    """How to fix it, if we can say."""
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> list[object]:
        return [self.path, self.line, self.column, self.message, self.hint, self.severity]

    @classmethod
    def from_json(cls, data: list[object]) -> Problem:
        """A problem back from `to_json`; TypeError or ValueError if malformed."""
        path, line, column, message, hint, severity = data
        if not (isinstance(path, str) and isinstance(message, str)
                and severity in (ERROR, WARNING) and (hint is None or isinstance(hint, str))
                and (line is None or type(line) is int)
                and (column is None or type(column) is int)):
            raise TypeError("malformed cached problem")
        return cls(path, line, column, message, hint, str(severity))


class TemplateProblem(Exception):
    """A template failed while rendering a page; names the template and its line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)  # picklable: it may come back from a worker
        self.problem = problem

    def __str__(self) -> str:
        return self.problem.format()


class BuildFailed(Exception):
    """Raised when a run found errors; carries every problem of the run."""

    def __init__(self, problems: Iterable[Problem], output_note: str = "") -> None:
        self.problems = sorted(problems, key=_sort_key)
        self.output_note = output_note
        super().__init__(self.problems)

    def __str__(self) -> str:
        # computed when shown: `check` replaces the note after the build raised
        return summary(self.problems, self.output_note)


def _sort_key(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.path, problem.line or 0, problem.column or 0, problem.message)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


def summary(problems: list[Problem], output_note: str = "") -> str:
    """The closing line of a failed run: how many problems in how many files."""
    errs = errors(problems)
    files = len({p.path for p in errs})
    text = (
        f"Build failed: {len(errs)} {plural(len(errs), 'problem')} "
        f"in {files} {plural(files, 'file')}."
    )
    if output_note:
        text += " " + output_note
    return text


def plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(p.format() for p in sorted(problems, key=_sort_key))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest valid choice, or None if nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'did you mean "{matches[0]}"?' if matches else None


def display_path(path: Path, root: Path) -> str:
    """`path` relative to the site root, with forward slashes, for messages."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
