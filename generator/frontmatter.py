"""Split a file into YAML front matter and body, keeping file line numbers.

YAML is read with the YAML 1.2 core schema instead of PyYAML's YAML 1.1
default: only `true`/`false` are booleans and dates stay text. That is the one
place where `outcome: no` is saved from becoming `False`; fields that really
are yes/no flags accept `yes`/`no` when they are validated, by their type.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is about six times faster; fall back where it is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

FENCE = "---"

def find_control(text: str) -> re.Match[str] | None:
    """The first character of `text` that XML 1.0 forbids and no page should hold
    (C0 controls but tab, newline and carriage return, and the non-characters
    U+FFFE and U+FFFF), or None. Templates strip them from every page
    (templates.without_controls); a warning names where they were written."""
    if text.isprintable():  # no control at all: the common case, at C speed
        return None
    return _control_pattern().search(text)


@functools.cache
def _control_pattern() -> re.Pattern[str]:
    """Compiled when first needed: a class that reaches U+FFFF takes 0.3 ms to compile."""
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


MAX_INT_DIGITS = 4300
"""Longest whole number read (Python's own limit for turning text into a number)."""
MAX_DEPTH = 50
"""Deepest nesting of lists and groups: front matter needs three or four levels."""
MAX_ALIAS_VALUES = 10_000
"""How many values YAML aliases (`*name`) may add by repeating what an anchor holds."""

_SHORT_TAGS = {"int": "a whole number", "float": "a number", "bool": "true or false",
               "timestamp": "a date", "binary": "base64 data"}


class _ValueError(yaml.constructor.ConstructorError):
    """A value its tag cannot make (`!!int abc`), at the value's mark, with a hint."""

    def __init__(self, node: yaml.Node, problem: str, hint: str) -> None:
        super().__init__(None, None, problem, node.start_mark)
        self.hint = hint


def _core_schema_loader(base: type) -> type:
    """A loader class that resolves plain scalars by the YAML 1.2 core schema."""
    # libyaml refuses `"\ud800"`; PyYAML's own scanner makes a lone surrogate of it
    surrogates = not issubclass(base, yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else True

    class CoreLoader(base):  # type: ignore[misc]
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            """PyYAML's, with what its constructors raise as plain Python errors
            (`!!int abc`, `!!bool maybe`, a number of 5,000 digits) turned into a
            YAML error at the value, so it reaches the person as a line to fix."""
            try:
                value = super().construct_object(node, deep)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError,
                    IndexError, RecursionError) as exc:
                raise _unreadable(node, exc) from None
            if type(value) is int and value.bit_length() > _MAX_INT_BITS:
                raise _too_many_digits(node)
            if surrogates and type(value) is str and re.search("[\ud800-\udfff]", value):
                raise _ValueError(node, "this text holds half of a character (an escape "
                                  "such as \\ud800), which UTF-8 cannot write",
                                  "write the whole character, or delete the escape")
            return value

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


_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # log2(10): any base, 4,300 decimal digits


def _too_many_digits(node: yaml.Node) -> _ValueError:
    return _ValueError(node, f"this number has more than {MAX_INT_DIGITS:,} digits, more "
                       "than goldstar can read", "put it in quotes to keep it as text")


def _unreadable(node: yaml.Node, exc: Exception) -> _ValueError:
    """The error for a value that its tag (explicit or implied) cannot make."""
    if isinstance(exc, ValueError) and "digits" in str(exc):  # Python's int limit
        return _too_many_digits(node)
    tag = str(node.tag)
    name = tag.rsplit(":", 1)[-1]
    written = "!!" + name if tag.startswith("tag:yaml.org,2002:") else tag
    shown = node.value if isinstance(node.value, str) else ""
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    what = _SHORT_TAGS.get(name, f"a {written} value")
    return _ValueError(node, f'"{shown}" is not {what}, as `{written}` in front of it says',
                       f"remove `{written}`, or write the value it expects")


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
        if len(text) > 100 and _INT.fullmatch(text):
            return _UNRESOLVED  # a number this long is PyYAML's to judge (and refuse)
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
    loader = Loader(doc.yaml_text)
    try:
        # Composed first, then checked, then constructed: what yaml.load does,
        # with a look at the shape in between, so that an alias bomb (each
        # anchor repeating the last one ten times) or a value nested a thousand
        # deep is a line to fix instead of gigabytes of memory or a crash later.
        node = loader.get_single_node()
        if node is not None:
            _check_shape(doc, node)
        data = None if node is None else loader.construct_document(node)
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
        if isinstance(exc, _ValueError):
            raise FrontMatterError(line, f"front matter: {what}", exc.hint, column) from None
        raise FrontMatterError(
            line,
            f"front matter is not valid YAML: {what}",
            _yaml_hint(what, at),
            column,
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, at an index
        text = doc.yaml_text
        line = doc.yaml_line + text.count("\n", 0, exc.position)
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise FrontMatterError(
            line, f"front matter holds a control character (U+{exc.character:04X}), which "
            "YAML does not allow", "delete it (your editor may show it as a box, or not at "
            "all)", column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise FrontMatterError(doc.yaml_line, f"front matter is not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(
            doc.yaml_line,
            "front matter must be a list of `key: value` lines",
            "write each field on its own line, like `title: My attempt`",
        )
    return data


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_shape(doc: Document, root: yaml.Node) -> None:
    """Refuse a document whose values, with every alias written out, would be
    too many, too deep or endless (an alias inside its own anchor).

    Aliases share one node, so the walk visits each node once and adds up
    what it would be written out: cheap however large the expansion.
    Skipped when the text can neither hold an alias nor nest deep enough.
    """
    text = doc.yaml_text
    if "*" not in text and sum(map(text.count, ("\n", "[", "{", "- ", "? "))) < MAX_DEPTH:
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            kids = _children(node)
            size[key] = 1 + sum(size[id(kid)] for kid in kids)
            depth[key] = 1 + max((depth[id(kid)] for kid in kids), default=0)
            open_nodes.discard(key)
            continue
        if key in size:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in open_nodes:
                raise _shape_error(doc, root, kid, "this value holds itself through a YAML "
                                   "alias (`*name` inside the `&name` it repeats)",
                                   "remove that alias")
            stack.append((kid, False))
    if depth[id(root)] > MAX_DEPTH:
        raise _shape_error(doc, root, None, f"values are nested more than {MAX_DEPTH} "
                           "levels deep here", "write the value flat, as a line of text",
                           lambda n: depth[id(n)] > MAX_DEPTH - 1)
    if size[id(root)] > len(size) + MAX_ALIAS_VALUES:
        raise _shape_error(doc, root, None, "YAML aliases (`*name`) here repeat more than "
                           f"{MAX_ALIAS_VALUES:,} values", "write the values out instead of "
                           "repeating them with `&name` and `*name`",
                           lambda n: size[id(n)] > MAX_ALIAS_VALUES)


def _shape_error(doc: Document, root: yaml.Node, inner: yaml.Node | None, message: str,
                 hint: str, too_big: Any = None) -> FrontMatterError:
    """The error at the top-level key whose value is at fault (an alias node
    carries the line of its anchor, so the key's line is the one to show)."""
    line, column = doc.yaml_line + root.start_mark.line, root.start_mark.column + 1
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if (too_big(value_node) if too_big else _reaches(value_node, inner)):
                line = doc.yaml_line + key_node.start_mark.line
                column = key_node.start_mark.column + 1
                break
    return FrontMatterError(line, message, hint, column)


def _reaches(node: yaml.Node, target: yaml.Node | None) -> bool:
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current is target:
            return True
        if id(current) not in seen:
            seen.add(id(current))
            stack.extend(_children(current))
    return False


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
