"""Writing single-line YAML values that read back as the same text.

The commands that write front matter (new, decide, import, init) put each value
on one line after `key: `. A value is written plain when goldstar's own reader
(YAML 1.2 core schema, see frontmatter.py) gives the same text back, and in
double quotes otherwise: a title with ": " or " #", a leading `*` or `-`, a
number-like "1.10", a line break. Plain where possible, so that the files stay
the way a person would have typed them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Plain scalars that the core schema reads as something other than text.
_NOT_TEXT = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Deliberately narrower than YAML allows: a value starting with an indicator,
# holding ": ", " #" or a tab, or ending in ":" or a space, is simply quoted.
_PLAIN_BLOCK = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:\t#]|:(?=[^\s])|(?<! )#)*(?<![ :])")
# Inside `[a, b]` the flow indicators end a value too.
_PLAIN_FLOW = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:\t#,\[\]{}]|(?<! )#)*(?<![ :])")
# Characters YAML cannot hold as they are (C0 and C1 controls, DEL, surrogates,
# BOM, non-characters) and the line breaks YAML knows besides \n.
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0", "\x85": "\\N",
          "\u2028": "\\L", "\u2029": "\\P"}


def scalar(value: str) -> str:
    """`value` as a YAML scalar for one line: plain if that reads back the same."""
    if _PLAIN_BLOCK.fullmatch(value) and not _NOT_TEXT.fullmatch(value) \
            and not _ESCAPE.search(value):
        return value
    return quoted(value)


def flow_item(value: str) -> str:
    """`value` as one item of a `[a, b]` list."""
    if _PLAIN_FLOW.fullmatch(value) and not _NOT_TEXT.fullmatch(value) \
            and not _ESCAPE.search(value):
        return value
    return quoted(value)


def flow_list(values: Iterable[str]) -> str:
    """`[a, "b: c"]`: a list on one line, each item quoted only where needed."""
    return "[" + ", ".join(flow_item(v) for v in values) + "]"


def quoted(value: str) -> str:
    """A double-quoted YAML scalar; escapes keep it on one line."""
    text = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
