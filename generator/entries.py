"""Attempts and pages: validate the front matter of each Markdown file.

Every problem of every file is collected; a file with errors yields no entry.
Parsing is pure (bytes in, Entry out), so the build, serve and the cache
call it on bytes they already hold. An entry holds no body: the body is the
file's text after the front matter (`body_text`), which the derive stage
renders; the entry keeps the digest of the file and the line the body starts on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from generator import addresses, frontmatter
from generator.config import SiteConfig, parse_date, to_bool
from generator.hashing import digest as digest_bytes
from generator.problems import WARNING, Problem, did_you_mean

ATTEMPTS_DIR = "content/attempts"
PAGES_DIR = "content/pages"

ATTEMPT_KEYS = ("title", "date", "outcome", "category", "tags", "ask", "feedback",
                "lesson", "decided", "draft", "private", "slug", "extra")
PAGE_KEYS = ("title", "slug", "draft", "description", "extra")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*\Z")  # \Z: `$` would let a final newline in
DATETIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)


@dataclass(frozen=True)
class Entry:
    """One attempt as written, validated; no as-of-date logic applied yet."""

    path: str
    """Path from the site root, for messages (`content/attempts/2026-03/x.md`)."""
    rel_path: str
    """Path inside content/attempts; the tie-breaker of the order."""
    slug: str
    title: str
    date: dt.date
    """Calendar day of the attempt in the site's timezone."""
    published: dt.datetime
    """Moment of the attempt (midnight of `date` if no time was given), aware."""
    outcome: str
    category: str | None
    tags: tuple[str, ...]
    ask: str | None
    feedback: str | None
    lesson: str | None
    decided: dt.date | None
    draft: bool
    private: bool
    body_line: int
    """File line of the first line of the body (the story after the front matter)."""
    digest: str
    """Digest of the file's bytes: the key of every artifact made from it."""
    meta_digest: str
    """Digest of the front matter alone: what a list or a neighbour's link shows
    of the attempt, so an edit of the story re-renders the attempt's page only."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StandalonePage:
    """A page from content/pages/ (about, why I do this)."""

    path: str
    slug: str
    title: str
    description: str | None
    draft: bool
    body_line: int
    digest: str
    extra: dict[str, Any] = field(default_factory=dict)


def slugify(text: str) -> str:
    """A safe address segment from a name: lowercase ASCII words joined by dashes,
    or the name's own letters when it has no Latin ones (addresses.py has the rules)."""
    return addresses.slugify(text)


def stem_slug(stem: str) -> str:
    """The address of a file named `stem.md`: the name itself when it is already
    a safe slug, else its slugified form (so `2026-03-14-x` stays as it is)."""
    # SLUG_RE leaves ASCII only, so characters are bytes here (addresses.segment_problem
    # says the same more slowly; this runs for every file)
    if (SLUG_RE.match(stem) and len(stem) <= addresses.MAX_SEGMENT_BYTES
            and stem[-1] != "." and stem.partition(".")[0] not in addresses.WINDOWS_RESERVED):
        return stem
    return addresses.slugify(stem)


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: cut short, so a megabyte of text is not repeated."""
    text = str(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


# The C0 controls, and 0xEF, the first byte of U+FFFE and U+FFFF in UTF-8 (and of
# the rest of U+F000 to U+FFFF, rare in text): a file with none of them is clean.
_CONTROL_BYTES = bytes([*range(9), 11, 12, *range(14, 32), 0xEF])


def control_warnings(path: str, raw: bytes, doc: frontmatter.Document,
                     data: dict[str, Any]) -> list[Problem]:
    """A warning at each field and body line that holds a control character.

    The bytes are checked first, at C speed: almost every file has none. In
    front matter such a character can only come from an escape (`"\x01"`):
    YAML refuses it written as it is.
    """
    problems: list[Problem] = []
    if "\\" in doc.yaml_text:
        for key, value in data.items():
            if _holds_control(value):
                line, column = frontmatter.locate(doc, key)
                problems.append(Problem(
                    path, line, column, f"{shown(key)} holds an invisible control character, "
                    "which a web page or feed cannot show; it is left out",
                    "delete the escape (such as \\x01 or \\u0007) from the text", WARNING))
    if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
        return problems
    lines = doc.body.split("\n")
    for offset, text in enumerate(lines):
        found = frontmatter.find_control(text)
        if found:
            problems.append(Problem(
                path, doc.body_line + offset, found.start() + 1,
                f"this line holds an invisible control character (U+{ord(found.group()):04X}), "
                "which a web page or feed cannot show; it is left out",
                "delete it (your editor may show it as a box, or not at all)", WARNING))
    return problems


def _holds_control(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if frontmatter.find_control(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def body_text(raw: bytes) -> str:
    """The story of a file that parsed: its text after the front matter."""
    return frontmatter.split(raw.decode("utf-8")).body


def split_body(raw: bytes) -> tuple[str, int]:
    """The story of a file and the file line it starts on; raises
    UnicodeDecodeError or FrontMatterError for a file that does not parse."""
    doc = frontmatter.split(raw.decode("utf-8"))
    return doc.body, doc.body_line


def decode(path: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """UTF-8 text of a file, or a problem naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start]
        return None, Problem(
            path, line, column,
            f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be read)",
            "save the file as UTF-8 in your editor (often: Save with Encoding → UTF-8)",
        )


class _Fields:
    """Typed access to one file's front matter; records problems at their lines."""

    def __init__(self, path: str, doc: frontmatter.Document, data: dict[str, Any]) -> None:
        self.path = path
        self.doc = doc
        self.data = data
        self.problems: list[Problem] = []

    def error(self, key: str, message: str, hint: str | None = None) -> None:
        if key in self.data:
            line, column = frontmatter.locate(self.doc, key)
        else:
            line, column = self.doc.yaml_line - 1, 1
        self.problems.append(Problem(self.path, line, column, message, hint))

    def text(self, key: str, required: bool = False, example: str = "") -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, f"{key} is missing" if key not in self.data else f"{key} is empty",
                           f"add a line like `{key}: {example}`")
            return None
        if isinstance(value, (bool, int, float)):
            return frontmatter.source_text(self.doc, key) or str(value)
        if not isinstance(value, str):
            kind = ("a list" if isinstance(value, list) else
                    "a group of fields" if isinstance(value, dict) else "another kind of value")
            self.error(key, f"{key} must be a single line of text, not {kind}",
                       f'write it as `{key}: "..."`')
            return None
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if value is None:
            return False
        result = to_bool(value)
        if result is None:
            self.error(key, f'{key} must be true or false, not "{shown(value)}"',
                       f"write `{key}: true` or `{key}: false`")
            return False
        return result

    def tags(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if not isinstance(value, list):
            self.error(key, f"{key} must be a list", f"write `{key}: [email, strangers]`")
            return ()
        tags = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                self.error(key, f"each of the {key} must be a word or short phrase",
                           f"write `{key}: [email, strangers]`")
                return ()
            word = str(item).strip()
            if word and word not in tags:
                tags.append(word)
        return tuple(tags)

    def extra(self) -> dict[str, Any]:
        value = self.data.get("extra", {})
        if not isinstance(value, dict):
            self.error("extra", "extra must be a group of `name: value` lines")
            return {}
        return value

    def unknown_keys(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                line, column = frontmatter.key_mark(self.doc, str(key))
                self.problems.append(Problem(
                    self.path, line, column, f'unknown field "{key}" is ignored',
                    did_you_mean(str(key), known) or
                    f"known fields: {', '.join(known)}; put your own under `extra:`",
                    WARNING))

    def duplicates(self) -> None:
        for key, first, second in frontmatter.duplicate_keys(self.doc):
            self.problems.append(Problem(
                self.path, second, 1, f"{key} is given twice (also on line {first})",
                "keep one of the two lines"))


def _open(path: str, raw: bytes,
          known_keys: tuple[str, ...]) -> tuple[_Fields | None, list[Problem]]:
    """Decode, split and load a file; its fields, or the problems that stop it."""
    text, problem = decode(path, raw)
    if problem:
        return None, [problem]
    assert text is not None
    try:
        doc = frontmatter.split(text)
        data = frontmatter.load(doc)
    except frontmatter.FrontMatterError as exc:
        return None, [Problem(path, exc.line, exc.column, exc.message, exc.hint)]
    f = _Fields(path, doc, data)
    f.duplicates()
    f.unknown_keys(known_keys)
    f.problems += control_warnings(path, raw, doc, data)
    return f, f.problems


def parse_attempt(path: str, rel_path: str, raw: bytes, config: SiteConfig,
                  digest: str | None = None) -> tuple[Entry | None, list[Problem]]:
    """Validate one attempt file; an Entry only if it has no errors.

    `digest` is `digest_bytes(raw)` when the caller has it already."""
    f, problems = _open(path, raw, ATTEMPT_KEYS)
    if f is None:
        return None, problems
    doc = f.doc
    title = f.text("title", required=True, example="Asked for a discount")
    day, moment = _date(f, "date", config, required=True)
    outcome = _outcome(f, config)
    decided, _ = _date(f, "decided", config)
    if day and decided and decided < day:
        f.error("decided", f"decided ({decided}) is before the date of the attempt ({day})",
                "the answer cannot come before the ask: check both dates")
    slug = _slug(f, rel_path)
    # Read every field before deciding, so all problems of the file come out at once.
    category, tags = f.text("category"), f.tags("tags")
    ask, feedback, lesson = f.text("ask"), f.text("feedback"), f.text("lesson")
    draft, private, extra = f.flag("draft"), f.flag("private"), f.extra()
    if any(p.is_error for p in f.problems):
        return None, f.problems
    assert title and day and moment and outcome and slug
    entry = Entry(
        path=path, rel_path=rel_path, slug=slug, title=title, date=day, published=moment,
        outcome=outcome, category=category, tags=tags, ask=ask, feedback=feedback,
        lesson=lesson, decided=decided, draft=draft, private=private,
        body_line=doc.body_line, digest=digest or digest_bytes(raw),
        meta_digest=digest_bytes(doc.yaml_text.encode()), extra=extra,
    )
    return entry, f.problems


def parse_page(path: str, raw: bytes) -> tuple[StandalonePage | None, list[Problem]]:
    """Validate one standalone page (only a title is required)."""
    f, problems = _open(path, raw, PAGE_KEYS)
    if f is None:
        return None, problems
    doc = f.doc
    title = f.text("title", required=True, example="About this challenge")
    slug = _slug(f, Path(path).name)
    page = StandalonePage(
        path=path, slug=slug or "", title=title or "", description=f.text("description"),
        draft=f.flag("draft"), body_line=doc.body_line,
        digest=digest_bytes(raw), extra=f.extra(),
    )
    return (None if any(p.is_error for p in f.problems) else page), f.problems


def _date(f: _Fields, key: str, config: SiteConfig,
          required: bool = False) -> tuple[dt.date | None, dt.datetime | None]:
    """The calendar day in the site's zone and the aware moment of a date field."""
    value = f.data.get(key)
    if value is None:
        if required:
            f.error(key, f"{key} is missing", f"add a line like `{key}: 2026-03-14`")
        return None, None
    text = str(value).strip() if not isinstance(value, (list, dict)) else ""
    match = DATETIME_RE.match(text)
    if not match:
        f.error(key, f'{key} "{shown(value)}" is not a date (expected YYYY-MM-DD)',
                f"write it like `{key}: 2026-03-14` or `{key}: 2026-03-14T21:30:00+01:00`")
        return None, None
    try:
        day = parse_date(match.group(1))
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1)) if match.group(2) else None
    except ValueError as exc:
        f.error(key, f"{key}: {exc}")
        return None, None
    tz = config.tzinfo()
    if moment is None:
        moment = dt.datetime.combine(day, dt.time(), tz)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    # The moment in UTC and in the site's zone must be days of the calendar too;
    # only the first and last day can be a day off (offsets are under 24 hours).
    if day in _CALENDAR_ENDS:
        try:
            moment.astimezone(dt.UTC)
            moment.astimezone(tz)
        except OverflowError:
            f.error(key, f"{key} {text} falls outside the calendar (before 0001-01-01 or after "
                    "9999-12-31) once its time zone is taken into account",
                    f"write a date between 0001-01-02 and 9999-12-30, like `{key}: 2026-03-14`")
            return None, None
    if match.group(3):  # an offset was given: the attempt belongs to its day in the site's zone
        day = moment.astimezone(tz).date()
    return day, moment


_CALENDAR_ENDS = (dt.date.min, dt.date.max)


def _outcome(f: _Fields, config: SiteConfig) -> str | None:
    value = f.data.get("outcome")
    keys = config.outcome_keys
    if value is None or value == "":
        f.error("outcome", "outcome is missing",
                f"add a line like `outcome: no` (one of: {', '.join(keys)})")
        return None
    if isinstance(value, bool):  # `outcome: false` or an explicit !!bool
        value = "yes" if value else "no"
    word = shown(value, 200).strip().lower()
    if word not in keys:
        f.error("outcome", f'outcome "{shown(value)}" is not one of: {", ".join(keys)}',
                did_you_mean(word, keys) or "outcomes are set under `outcomes:` in site.yml")
        return None
    return word


def _slug(f: _Fields, rel_path: str) -> str | None:
    value = f.data.get("slug")
    if value is None:
        return stem_slug(rel_path.rpartition("/")[2][: -len(".md")])
    text = shown(value, 1000).strip()
    if not SLUG_RE.match(text):
        f.error("slug", f'slug "{shown(text)}" cannot be part of a web address',
                f"use lowercase letters, digits and dashes, e.g. `slug: {slugify(text)}`")
        return None
    wrong = addresses.segment_problem(text)
    if wrong is not None:
        f.error("slug", f'slug "{shown(text)}" {wrong}',
                f"choose another, e.g. `slug: {slugify(text)}`")
        return None
    return text


def duplicate_slugs(items: list[Entry]) -> list[Problem]:
    """Two attempts that would share one URL: an error naming every file involved."""
    by_slug: dict[str, list[Entry]] = {}
    for item in items:
        by_slug.setdefault(item.slug, []).append(item)
    problems = []
    for slug, group in by_slug.items():
        if len(group) > 1:
            others = ", ".join(e.path for e in group)
            for item in group:
                problems.append(Problem(
                    item.path, None, None,
                    f"/attempts/{slug}/ would be written by {len(group)} files: {others}",
                    "rename one of the files or give it its own `slug:`"))
    return problems


# The parsed-file cache keeps entries as JSON (cache.py: data, never code).


_ENTRY_ORDER = (*(f.name for f in fields(Entry)), "tz")
"""An entry's values in the table, in this order: a list decodes faster than an
object, and 4,000 entries are read on every build (3.4 MB as objects, 2.7 as lists)."""
_TEXT_FIELDS = ("path", "rel_path", "slug", "title", "outcome", "digest", "meta_digest")
_OPTIONAL_TEXT = ("category", "ask", "feedback", "lesson")


def entry_to_json(entry: Entry) -> list[Any] | None:
    """An entry as JSON data, or None when its `extra` would not survive JSON
    (keys that are not text, say): such a file is simply parsed every time."""
    if not json_safe(entry.extra):
        return None
    data = dict(entry.__dict__)
    data["date"] = entry.date.isoformat()
    data["decided"] = entry.decided.isoformat() if entry.decided else None
    data["published"] = entry.published.isoformat()
    data["tags"] = list(entry.tags)
    data["tz"] = _zone_name(entry.published)
    return [data[name] for name in _ENTRY_ORDER]


def entry_from_json(data: list[Any]) -> Entry:
    """The entry back from `entry_to_json`; raises ValueError, KeyError or TypeError
    on anything malformed (the caller then parses the file again).

    Built without calling __init__: a warm build reads thousands of these, and
    the values were validated when the file was parsed; what is checked here is
    only that the store holds what it should.
    """
    if type(data) is not list or len(data) != len(_ENTRY_ORDER):
        raise KeyError("malformed cached entry")
    values = dict(zip(_ENTRY_ORDER, data, strict=True))
    zone = values.pop("tz")
    values["date"] = dt.date.fromisoformat(values["date"])
    decided = values["decided"]
    values["decided"] = dt.date.fromisoformat(decided) if decided else None
    published = dt.datetime.fromisoformat(values["published"])
    if zone is not None:  # the zone object itself, not only its offset on that day
        try:
            published = published.astimezone(_zone(zone))
        except OverflowError:
            raise ValueError("malformed cached entry") from None
    values["published"] = published
    values["tags"] = tuple(values["tags"])
    if not (all(type(values[name]) is str for name in _TEXT_FIELDS)
            and all(values[name] is None or type(values[name]) is str for name in _OPTIONAL_TEXT)
            and type(values["draft"]) is bool and type(values["private"]) is bool
            and type(values["body_line"]) is int and type(values["extra"]) is dict
            and all(type(tag) is str for tag in values["tags"])):
        raise TypeError("malformed cached entry")
    entry = object.__new__(Entry)
    entry.__dict__.update(values)
    return entry


def page_to_json(page: StandalonePage) -> dict[str, Any] | None:
    return dict(page.__dict__) if json_safe(page.extra) else None


def page_from_json(data: dict[str, Any]) -> StandalonePage:
    page = StandalonePage(**data)
    if not all(isinstance(getattr(page, name), str) for name in ("path", "slug", "title")):
        raise TypeError("malformed cached page")
    return page


def json_safe(value: Any) -> bool:
    """Whether `value` (an entry's `extra`) survives JSON as it is."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_safe(v) for v in value)
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, (str, int, bool, type(None)))


def _zone_name(moment: dt.datetime) -> str | None:
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def page_slug_problems(pages: list[StandalonePage], reserved: set[str]) -> list[Problem]:
    """Standalone pages at an address the site uses itself, or at one address together."""
    problems = []
    seen: dict[str, str] = {}
    for page in pages:
        if page.slug in reserved:
            problems.append(Problem(
                page.path, None, None,
                f"/{page.slug}/ is used by goldstar itself",
                f"rename the file or give it another `slug:` than {page.slug}"))
        elif page.slug in seen:
            problems.append(Problem(
                page.path, None, None,
                f"/{page.slug}/ would be written by 2 files: {seen[page.slug]}, {page.path}",
                "rename one of the files or give it its own `slug:`"))
        else:
            seen[page.slug] = page.path
    return problems
