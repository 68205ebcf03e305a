"""`goldstar decide`: record the answer to an attempt by editing only its answer lines.

The file is the person's own: comments, key order, quoting, line ends (LF or
CRLF), a byte-order mark and the body are kept byte for byte. Only the values
of `outcome`, `decided`, `feedback` and `lesson` change, or those lines are
added. To find where a value starts and ends, the front matter is composed with
PyYAML (which marks every node's position) rather than dumped again, since a
dump would lose every comment. Anything that cannot be edited that way without
risk (a front matter written as one `{...}` mapping, an anchor, a value that
is a list) is refused with a message, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator import frontmatter
from generator.config import SiteConfig
from generator.entries import ATTEMPT_KEYS, ATTEMPTS_DIR, SLUG_RE, decode, parse_attempt, slugify
from generator.problems import Problem, did_you_mean
from generator.words import outcome_for
from generator.yamlwrite import scalar

# Line breaks YAML counts that Python's "\n" split does not: positions would drift.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029](?!\n)|\r(?=\r)")


class EditRefused(Exception):
    """The front matter cannot be changed safely; carries the problem to show."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class _Fence:
    """Where the YAML of a file sits in its text."""

    start: int
    end: int
    line: int
    """File line of the first YAML line."""


def _yaml_span(text: str, path: str) -> _Fence:
    bom = 1 if text.startswith("\ufeff") else 0
    doc = frontmatter.split(text)  # raises FrontMatterError, reported by the caller
    first_end = text.index("\n", bom) + 1
    start = first_end
    end = start + len(doc.yaml_text)
    assert text[start:end] == doc.yaml_text
    return _Fence(start, end, doc.yaml_line)


def set_fields(text: str, path: str, changes: list[tuple[str, str]]) -> str:
    """Set top-level front-matter fields to plain text values, keeping every other byte.

    Each value is written as one YAML value (quoted where needed). A field that
    is missing gets a new line after the field that comes before it in the
    usual order (title, date, outcome, ..., lesson, decided), or at the end.
    Raises EditRefused where that cannot be done safely.
    """
    for key, value in changes:
        text = _set_field(text, path, key, value)
    return text


def _set_field(text: str, path: str, key: str, value: str) -> str:
    fence = _yaml_span(text, path)
    yaml_text = text[fence.start:fence.end]
    if _OTHER_BREAKS.search(yaml_text):
        raise EditRefused(Problem(path, fence.line, None,
                                  "the front matter has line breaks other than LF or CRLF",
                                  "save the file with ordinary line ends, then run this again"))
    try:
        root = yaml.compose(yaml_text, Loader=frontmatter.Loader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise EditRefused(Problem(
            path, fence.line + (mark.line if mark else 0), None,
            "front matter is not valid YAML, so it cannot be edited",
            "fix it first (goldstar check shows what is wrong)")) from None
    if root is None:
        entries: list[tuple[yaml.Node, yaml.Node]] = []
    elif not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise EditRefused(Problem(
            path, fence.line, None,
            "the front matter is written as one {...} group, which cannot be edited safely",
            f"write each field on its own line (`{key}: ...`), or change {key} by hand"))
    else:
        entries = list(root.value)
    doc = frontmatter.Document(yaml_text, fence.line, "", 0)
    for name, first, second in frontmatter.duplicate_keys(doc):
        if name == key:
            raise EditRefused(Problem(path, second, 1,
                                      f"{key} is given twice (also on line {first})",
                                      "keep one of the two lines, then run this again"))
    written = scalar(value)
    for key_node, value_node in entries:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            new_yaml = _replace_value(yaml_text, key_node, value_node, written, path, fence, key)
            return text[:fence.start] + new_yaml + text[fence.end:]
    new_yaml = _insert_line(yaml_text, entries, key, written, _line_end(text))
    return text[:fence.start] + new_yaml + text[fence.end:]


def _replace_value(yaml_text: str, key_node: yaml.Node, value_node: yaml.Node, written: str,
                   path: str, fence: _Fence, key: str) -> str:
    line = fence.line + key_node.start_mark.line
    colon = yaml_text.index(":", key_node.end_mark.index)
    between = yaml_text[colon + 1:value_node.start_mark.index]
    if not isinstance(value_node, yaml.ScalarNode):
        kind = "list" if isinstance(value_node, yaml.SequenceNode) else "group of fields"
        raise EditRefused(Problem(path, line, None, f"{key} is a {kind}, not a single value",
                                  f"write it as one line, `{key}: ...`, then run this again"))
    start, end = value_node.start_mark.index, value_node.end_mark.index
    if re.search(r"[&!]", between.split("#")[0]) or yaml_text[start:start + 1] in ("*", "&", "!"):
        raise EditRefused(Problem(
            path, line, None, f"{key} uses a YAML anchor, alias or tag, which cannot be "
            f"edited safely", f"write a plain `{key}: ...`, or edit it by hand"))
    first_line_end = yaml_text.find("\n", colon)
    if first_line_end == -1:
        first_line_end = len(yaml_text)
    if end <= first_line_end and value_node.start_mark.line == key_node.start_mark.line:
        if start == end:  # `decided:` with nothing (perhaps a comment) after it
            return yaml_text[:start] + " " + written + yaml_text[end:]
        return yaml_text[:start] + written + yaml_text[end:]
    # A value over several lines (a block scalar, a folded or quoted one, or on
    # the next line): it becomes one line; blank lines after it stay.
    content_end = start + len(yaml_text[start:end].rstrip())
    return yaml_text[:colon + 1] + " " + written + yaml_text[content_end:]


def _insert_line(yaml_text: str, entries: list[tuple[yaml.Node, yaml.Node]], key: str,
                 written: str, line_end: str) -> str:
    order = list(ATTEMPT_KEYS)
    earlier = set(order[:order.index(key)]) if key in order else set(order)
    anchor = None
    for key_node, value_node in entries:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value in earlier:
            anchor = value_node  # the last of them in the file
    new_line = f"{key}: {written}{line_end}"
    if anchor is None:
        if yaml_text and not yaml_text.endswith("\n"):
            return yaml_text + line_end + new_line
        return yaml_text + new_line
    start, end = anchor.start_mark.index, anchor.end_mark.index
    content_end = start + len(yaml_text[start:end].rstrip())
    after = yaml_text.find("\n", content_end)
    if after == -1:
        return yaml_text + line_end + new_line
    return yaml_text[:after + 1] + new_line + yaml_text[after + 1:]


def _line_end(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


@dataclass(frozen=True)
class Decision:
    """The answer to record."""

    outcome: str
    decided: dt.date
    feedback: str | None = None
    lesson: str | None = None


def decide(raw: bytes, path: str, rel_path: str, config: SiteConfig,
           decision: Decision) -> tuple[bytes | None, list[Problem]]:
    """The file's new bytes with the answer recorded, or the problems that stop it.

    The file must be a valid attempt before and after; `decided` may not be
    before the attempt's date, and the outcome must be one of the site's
    (a label or a Dutch word is understood: `Nee`, `Rejected`).
    """
    entry, found = parse_attempt(path, rel_path, raw, config)
    errors = [p for p in found if p.is_error]
    if entry is None:
        return None, errors or [Problem(path, None, None, "this attempt cannot be read")]
    problems = []
    outcome = outcome_for(decision.outcome, config)
    if outcome is None:
        problems.append(Problem(
            "goldstar decide", None, None,
            f'--outcome "{decision.outcome}" is not one of: {", ".join(config.outcome_keys)}',
            did_you_mean(decision.outcome.lower(), config.outcome_keys)
            or "the outcomes are set under `outcomes:` in site.yml"))
    if decision.decided < entry.date:
        line, _ = frontmatter.locate(frontmatter.split(raw.decode("utf-8")), "date")
        problems.append(Problem(
            path, line, None,
            f"the answer date {decision.decided} is before the date of the attempt, "
            f"{entry.date}", "give the day the answer came with --date YYYY-MM-DD"))
    if problems:
        return None, problems
    assert outcome is not None
    text, _ = decode(path, raw)
    assert text is not None
    changes = [("outcome", outcome), ("decided", decision.decided.isoformat())]
    changes += [(k, v) for k, v in (("feedback", decision.feedback),
                                    ("lesson", decision.lesson)) if v is not None]
    try:
        new_text = set_fields(text, path, changes)
    except EditRefused as exc:
        return None, [exc.problem]
    new_raw = new_text.encode("utf-8")
    _, after = parse_attempt(path, rel_path, new_raw, config)
    if any(p.is_error for p in after):  # a safety net: the edit must leave a valid attempt
        return None, [p for p in after if p.is_error]
    return new_raw, []


def find_attempt(site_dir: Path, name: str) -> tuple[Path | None, list[Problem]]:
    """The attempt file a person means: a path, a file name, or the words of its address.

    `content/attempts/2026-03/2026-03-14-free-refill.md`, `2026-03-14-free-refill`
    and `free-refill` all find the same file; several matches are listed.
    """
    where = "goldstar decide"
    given = Path(name)
    for candidate in (given, site_dir / given):
        if candidate.is_file():
            return candidate, []
    wanted = name.removesuffix(".md").rstrip("/").rsplit("/", 1)[-1]
    wanted_slug = wanted if SLUG_RE.match(wanted) else slugify(wanted)
    # Tiers, best first: the whole name; the name without its date; words inside it.
    exact: list[Path] = []
    ending: list[Path] = []
    inside: list[Path] = []
    root = site_dir / ATTEMPTS_DIR
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for file_name in sorted(filenames):
            if not file_name.endswith(".md") or file_name.startswith((".", "#", "~")):
                continue
            stem = file_name[:-3]
            slug = stem if SLUG_RE.match(stem) else slugify(stem)
            found = Path(dirpath) / file_name
            if wanted in (stem, slug) or wanted_slug == slug:
                exact.append(found)
            elif slug.endswith("-" + wanted_slug):
                ending.append(found)
            elif f"-{wanted_slug}-" in f"-{slug}-":
                inside.append(found)
    matches = exact or ending or inside
    if len(matches) == 1:
        return matches[0], []
    if not matches:
        return None, [Problem(where, None, None,
                              f'no attempt called "{name}" in {ATTEMPTS_DIR}/',
                              "give the file's path, or its name without the date "
                              "(e.g. free-refill); --site names the site's folder")]
    listed = "\n".join(f"    {m.relative_to(site_dir).as_posix()}" for m in matches[:10])
    return None, [Problem(where, None, None, f'"{name}" matches {len(matches)} attempts',
                          f"give more of the name, or the path of one of them:\n{listed}")]
