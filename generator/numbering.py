"""Attempt numbers bound after rendering, so `serve` survives a renumbering.

A new attempt dated in the past gives every later attempt a new number, and
each of those numbers appears on several pages. Rather than render thousands
of pages again, serve prints numbers as placeholders and fills them in
afterwards: a renumbering then costs a text substitution per page.

That is only sound while a template does nothing with a number but print it.
A `Token` therefore notes every other use (comparing, counting, formatting
with a spec) as *semantic*: such a page is rendered again whenever one of its
numbers changes. A placeholder that a filter cut or mangled is noticed too
(a NUL is left outside a whole placeholder); the page is then rendered with
plain numbers.

All of it sits behind one object, `LateNumbers`, which serve owns and hands
to the planner (as its `Numbering`) and to the template environment (as its
fragment guard). `goldstar build` never uses any of this.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.stats import Attempt


@dataclass
class Tracker:
    """What one page's rendering did with attempt numbers."""

    semantic: set[int] = field(default_factory=set)
    """Ids of the attempts whose numbers were used as numbers, not only printed.
    (What was printed, substitution finds in the text itself.)"""


class LateNumbers:
    """Serve's numbering: an id per late value (an attempt's number, its place in
    the challenge), kept across rebuilds; tokens that print as placeholders and
    read the current value; and the trackers of the pages being rendered."""

    def __init__(self) -> None:
        self.ids: dict[Hashable, int] = {}
        self.values: dict[int, int | float] = {}
        """The current value of each id: what the placeholders are filled with."""
        self.trackers: list[Tracker] = []
        self.plain = False
        """While true, tokens print their numbers (the fallback render)."""

    def id_of(self, what: Hashable) -> int:
        return self.ids.setdefault(what, len(self.ids) + 1)

    # The planner's Numbering protocol (pages.py).
    def shown(self, attempt: Attempt) -> object:
        return self.value("number", attempt.entry.path, attempt.number)

    def keyed(self, attempt: Attempt) -> Hashable:
        return ("late", self.id_of(("number", attempt.entry.path)))

    def value(self, kind: str, path: str, value: int | float) -> object:
        ident = self.id_of((kind, path))
        self.values[ident] = value
        return Token(self, ident)

    def value_key(self, kind: str, path: str, value: int | float) -> Hashable:
        return ("late", self.id_of((kind, path)))

    def note(self, token: Token) -> None:
        if self.trackers:
            self.trackers[-1].semantic.add(token.id)

    def render_tracked(self, render: Callable[[], str]) -> tuple[str, Tracker]:
        """Run one page's (or fragment's) rendering with placeholders, noting what
        it did with numbers. Nested in another, its semantic uses count there too."""
        tracker = Tracker()
        self.trackers.append(tracker)
        try:
            return render(), tracker
        finally:
            self.trackers.pop()
            if self.trackers:
                self.trackers[-1].semantic |= tracker.semantic

    def fragment_guard(self, render: Callable[[], str]) -> tuple[str, bool]:
        """For `{% cache %}`: a fragment that computed with a number is not kept."""
        text, tracker = self.render_tracked(render)
        return text, not tracker.semantic

    def render_plain(self, render: Callable[[], str]) -> str:
        self.plain = True
        try:
            return render()
        finally:
            self.plain = False


def _operator(name: str) -> Callable[..., Any]:
    found: Callable[..., Any] | None = (getattr(operator, name, None)
                                        or getattr(operator, name + "_", None))
    return found or getattr(int, f"__{name}__")


def _semantic(name: str) -> Callable[..., Any]:
    op = _operator(name)

    def method(self: Token, *args: Any) -> Any:
        self.owner.note(self)
        return op(self.value, *(a.value if isinstance(a, Token) else a for a in args))

    method.__name__ = f"__{name}__"
    return method


def _reflected(name: str) -> Callable[..., Any]:
    op = _operator(name)

    def method(self: Token, other: Any) -> Any:
        self.owner.note(self)
        return op(other, self.value)

    method.__name__ = f"__r{name}__"
    return method


class Token:
    """A late value (an attempt's number) that prints as a placeholder and, used
    as a number, is its current value."""

    __slots__ = ("owner", "id")

    def __init__(self, owner: LateNumbers, id: int) -> None:
        self.owner = owner
        self.id = id

    @property
    def value(self) -> int | float:
        return self.owner.values[self.id]

    def __str__(self) -> str:
        return str(self.value) if self.owner.plain else f"\x00N{self.id}\x00"

    def __format__(self, spec: str) -> str:
        if spec:
            self.owner.note(self)
            return format(self.value, spec)
        return str(self)

    def __repr__(self) -> str:
        self.owner.note(self)
        return repr(self.value)

    def __hash__(self) -> int:
        self.owner.note(self)
        return hash(self.value)

    def __bool__(self) -> bool:
        self.owner.note(self)
        return bool(self.value)

    def __index__(self) -> int:
        self.owner.note(self)
        return int(self.value)

    __int__ = __index__

    def __float__(self) -> float:
        self.owner.note(self)
        return float(self.value)


# Every other operator: noted as semantic, then done on the plain number.
for _name in ("eq", "ne", "lt", "le", "gt", "ge", "add", "sub", "mul", "truediv",
              "floordiv", "mod", "pow", "neg", "pos", "abs", "and", "or", "xor",
              "lshift", "rshift", "invert", "divmod", "round", "trunc", "floor", "ceil"):
    setattr(Token, f"__{_name}__", _semantic(_name))
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor",
              "lshift", "rshift", "divmod"):
    setattr(Token, f"__r{_name}__", _reflected(_name))


def split(text: str) -> tuple[list[bytes], frozenset[int] | None]:
    """The rendered text as UTF-8 pieces around its placeholders, and their ids.

    Odd pieces are placeholder ids (b"N12"); `fill` joins the pieces with the
    current numbers in one pass, without searching the text again. The ids
    are None when a filter took a placeholder apart: the caller then renders
    the page with plain numbers instead.
    """
    data = text.encode("utf-8")
    if b"\x00" not in data:
        return [data], frozenset()
    parts = data.split(b"\x00")
    marks = parts[1::2]
    if len(parts) % 2 == 0 or not all(m[:1] == b"N" and m[1:].isdigit() for m in marks):
        return parts, None
    return parts, frozenset(int(m[1:]) for m in marks)


def fill(parts: list[bytes], numbers: Mapping[bytes, bytes]) -> bytes:
    """The page's bytes with `numbers` (b"N12" -> b"7") in the placeholders."""
    if len(parts) == 1:
        return parts[0]
    filled = parts.copy()
    filled[1::2] = [numbers[part] for part in parts[1::2]]
    return b"".join(filled)


def table(numbers: Mapping[int, int | float]) -> dict[bytes, bytes]:
    """Placeholder piece -> value as printed, for `fill`."""
    return {b"N%d" % i: str(n).encode() for i, n in numbers.items()}
