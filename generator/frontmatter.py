"""Split a file into YAML front matter and body, keeping file line numbers.

YAML is read with the YAML 1.2 core schema instead of PyYAML's YAML 1.1
default: only `true`/`false` are booleans and dates stay text. That is the one
place where `outcome: no` is saved from becoming `False`; fields that really
are yes/no flags accept `yes`/`no` when they are validated, by their type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is about six times faster; fall back where it is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

FENCE = "---"


class FrontMatterError(Exception):
    """A problem at a line of the file (1-based), with an optional hint."""

    def __init__(
        self, line: int, message: str, hint: str | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint


def _core_schema_loader(base: type) -> type:
    """A loader class that resolves plain scalars by the YAML 1.2 core schema."""

    class CoreLoader(base):  # type: ignore[misc]
        pass

    CoreLoader.yaml_implicit_resolvers = {}
    rules = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$",
         list("-+0123456789")),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         list("-+.0123456789")),
    ]
    for tag, pattern, first in rules:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), first)
    return CoreLoader


Loader = _core_schema_loader(_BaseLoader)


@dataclass(frozen=True)
class Document:
    """A file split at its front matter fences."""

    yaml_text: str
    yaml_line: int
    """File line of the first YAML line (the line after the opening fence)."""
    body: str
    body_line: int
    """File line of the first body line."""


def split(text: str) -> Document:
    """Split `---` fenced front matter from the body.

    Raises FrontMatterError for a file without front matter or with an
    opening fence that is never closed.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise FrontMatterError(
            1,
            "the file is empty",
            "start it with front matter: a line `---`, the fields "
            "(title, date, outcome), then another line `---`",
        )
    first, _, rest = text.partition("\n")
    if first.rstrip() != FENCE:
        raise FrontMatterError(
            1,
            "the file does not start with front matter (expected a first line `---`)",
            "put the fields between two lines of `---` at the top, e.g.\n"
            "  ---\n  title: Asked for a discount\n  date: 2026-03-14\n  outcome: no\n  ---",
        )
    # Find the closing fence: a line that is exactly `---` (or `...`).
    match = re.search(r"^(?:---|\.\.\.)[ \t]*\r?$", rest, re.MULTILINE)
    if match is None:
        raise FrontMatterError(
            1,
            "the front matter that starts here is never closed",
            "add a line with only `---` after the last field",
        )
    yaml_text = rest[: match.start()]
    body = rest[match.end() :]
    if body.startswith("\n"):
        body = body[1:]
    elif body.startswith("\r\n"):
        body = body[2:]
    yaml_line = 2
    body_line = yaml_line + yaml_text.count("\n") + 1
    return Document(yaml_text, yaml_line, body, body_line)


# Most front matter is a few `key: value` lines. Those are read here, 4.5 times
# faster than PyYAML's C loader (35 against 160 ms for 4,000 files). Anything
# else (indented blocks, block scalars, escapes, comments after a value,
# floats, tabs, CR) goes to PyYAML, which also reports every error. The result
# must equal PyYAML's exactly: a differential test (tests/test_frontmatter.py)
# holds the two together.
_KEY = r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*):"
_PLAIN = (r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-(?=\S))"  # what a plain scalar may start with
          r"(?:[^\s:]|:(?=\S)| +(?=[^\s#:]))*")  # no ": ", no " #", no trailing ":"
_SIMPLE_LINE = re.compile(
    _KEY + r"(?: +(?:\"(?P<dq>[^\"\\]*)\"|'(?P<sq>[^']*)'|\[(?P<seq>[^\[\]{}\"'#:]*)\]"
    r"|(?P<plain>" + _PLAIN + r")))? *")
_FLOW_ITEM = re.compile(r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-(?=[^\s,]))"
                        r"(?:[^\s:,\[\]{}]| +(?=[^\s#:,\[\]{}]))*")
_BLANK_OR_COMMENT = re.compile(r" *(?:#.*)?")
# Tabs, CR, BOM, YAML's other line breaks and non-printable characters: PyYAML decides.
_NOT_SIMPLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff"
                         "\ufffe\uffff]")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_WORDS: dict[str, Any] = {"~": None, "null": None, "Null": None, "NULL": None,
                          "true": True, "True": True, "TRUE": True,
                          "false": False, "False": False, "FALSE": False}
_UNRESOLVED = object()


def _plain(text: str) -> Any:
    """A plain scalar by the core schema, or _UNRESOLVED for a float (left to PyYAML)."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] in "0123456789+-.":
        if _INT.fullmatch(text):
            return int(text, 0)
        if _FLOAT.fullmatch(text):
            return _UNRESOLVED
    return text


def _load_simple(text: str) -> dict[str, Any] | None:
    """Flat `key: value` front matter as PyYAML would read it, or None to ask PyYAML."""
    if _NOT_SIMPLE.search(text):
        return None
    data: dict[str, Any] = {}
    for line in text.split("\n"):
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            if _BLANK_OR_COMMENT.fullmatch(line):
                continue
            return None
        key, dq, sq, seq, plain = match.groups()
        if key in _WORDS:  # `null:` or `true:` as a key is not text
            return None
        value: Any
        if dq is not None:
            value = dq
        elif sq is not None:
            value = sq
        elif plain is not None:
            value = _plain(plain)
        elif seq is not None:
            value = _flow_items(seq)
            if value is None:
                return None
        else:
            value = None
        if value is _UNRESOLVED:
            return None
        data[key] = value
    return data


def _flow_items(text: str) -> list[Any] | None:
    """The items of `[a, b, c]` (plain ones only), or None to ask PyYAML."""
    if not text.strip(" "):
        return []
    items = [item.strip(" ") for item in text.split(",")]
    if len(items) > 1 and not items[-1]:
        items.pop()  # `[a, b,]`: a trailing comma is allowed
    values = []
    for item in items:
        if not _FLOW_ITEM.fullmatch(item):
            return None
        value = _plain(item)
        if value is _UNRESOLVED:
            return None
        values.append(value)
    return values


def load(doc: Document) -> dict[str, Any]:
    """Parse the front matter into a dict; errors point at file lines."""
    simple = _load_simple(doc.yaml_text)
    if simple is not None:
        return simple
    try:
        data = yaml.load(doc.yaml_text, Loader=Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context == "while scanning a simple key" and exc.context_mark is not None:
            mark = exc.context_mark  # a missing colon: the key's own line, not the next
        line = doc.yaml_line + (mark.line if mark else 0)
        column = mark.column + 1 if mark else None
        content = doc.yaml_text.rstrip()
        if mark is not None and mark.index >= len(content):
            # "found the end of the text": point at the last line that has something
            line, column = doc.yaml_line + content.count("\n"), None
        what = exc.problem or exc.context or "the YAML cannot be read"
        at = doc.yaml_text[mark.index] if mark is not None and mark.index < len(
            doc.yaml_text) else ""
        raise FrontMatterError(
            line,
            f"front matter is not valid YAML: {what}",
            _yaml_hint(what, at),
            column,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise FrontMatterError(doc.yaml_line, f"front matter is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            doc.yaml_line,
            "front matter must be a list of `key: value` lines",
            "write each field on its own line, like `title: My attempt`",
        )
    return data


def _yaml_hint(problem: str, at: str = "") -> str | None:
    if "mapping values are not allowed" in problem:
        return 'a value that contains ": " needs quotes, e.g. feedback: "Sorry: no."'
    if at == "\t" or "tab" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "every field needs a colon after its name, like `outcome: no`"
    return None


def locate(doc: Document, *keys: str | int) -> tuple[int, int]:
    """File line and column of the value at a key path (`"challenge", "goal"`).

    Used only when there is something to report, so the fast load above needs
    no line bookkeeping. Falls back to the nearest enclosing node that exists.
    """
    try:
        node = yaml.compose(doc.yaml_text, Loader=Loader)  # noqa: S506
    except yaml.YAMLError:
        return doc.yaml_line, 1
    line, column = doc.yaml_line, 1
    key_mark = None
    for key in keys:
        found = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    found, key_mark = value_node, key_node.start_mark
                    break
        elif (isinstance(node, yaml.SequenceNode) and isinstance(key, int)
              and 0 <= key < len(node.value)):
            found = node.value[key]
        if found is None:
            if key_mark is not None:
                return doc.yaml_line + key_mark.line, key_mark.column + 1
            return line, column
        node = found
        line, column = doc.yaml_line + node.start_mark.line, node.start_mark.column + 1
    return line, column


def key_mark(doc: Document, *keys: str) -> tuple[int, int]:
    """File line and column of a key's name (not its value) at a key path."""
    try:
        node = yaml.compose(doc.yaml_text, Loader=Loader)  # noqa: S506
    except yaml.YAMLError:
        return doc.yaml_line, 1
    line, column = doc.yaml_line, 1
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if key_node.value == key:
                line = doc.yaml_line + key_node.start_mark.line
                column = key_node.start_mark.column + 1
                node = value_node
                break
        else:
            break
    return line, column


def source_text(doc: Document, key: str) -> str | None:
    """A top-level scalar exactly as written (`1.10` stays "1.10", not 1.1)."""
    try:
        node = yaml.compose(doc.yaml_text, Loader=Loader)  # noqa: S506
    except yaml.YAMLError:
        return None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
    return None


_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def duplicate_keys(doc: Document) -> list[tuple[str, int, int]]:
    """Top-level keys given twice: (key, first line, second line).

    PyYAML keeps the last silently; a person almost never means that.
    """
    seen: dict[str, int] = {}
    dupes = []
    for offset, raw in enumerate(doc.yaml_text.split("\n")):
        match = _TOP_KEY.match(raw)
        if match:
            key = match.group(1)
            line = doc.yaml_line + offset
            if key in seen:
                dupes.append((key, seen[key], line))
            else:
                seen[key] = line
    return dupes
