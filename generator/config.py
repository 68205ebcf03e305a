"""The site's configuration (`content/site.yml`) as a typed, frozen model.

Every field has a default and a one-line docstring; the README's
configuration reference follows this file. Unknown keys are warnings with a
did-you-mean, never silently dropped; wrong values are errors at their line.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, fields
from dataclasses import replace as dataclasses_replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator import addresses, frontmatter, sources
from generator.problems import ERROR, WARNING, Problem, did_you_mean

CONFIG_NAME = "content/site.yml"
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
"""The shape of a language code; whether CLDR knows it is checked when pages render."""
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")

DEFAULT_OUTCOMES = (
    ("no", "#b42318"),
    ("yes", "#067647"),
    ("ghosted", "#535862"),
    ("pending", "#b54708"),
)


@dataclass(frozen=True)
class Outcome:
    key: str
    """What an attempt writes in `outcome:`."""
    label: str | None = None
    """Shown on the site; None means the theme's word for it in the site's language."""
    color: str = "#535862"
    """Badge colour (`#rrggbb`) behind white text; a warning if the contrast is below 4.5:1."""


@dataclass(frozen=True)
class Challenge:
    goal: int = 100
    """How many counted outcomes the challenge is after."""
    counts: tuple[str, ...] = ("no",)
    """Outcomes that count toward the goal; list all of them for an effort goal."""
    start: dt.date | None = None
    """First day of the challenge; default: the date of the first attempt."""
    end: dt.date | None = None
    """Last day of the challenge, for the pace needed; optional."""
    ghost_after_days: int | None = None
    """A pending attempt older than this many days counts as ghosted; optional."""


@dataclass(frozen=True)
class SiteConfig:
    title: str = "My challenge"
    """Site title, in the header and the feed."""
    author: str = ""
    """Your name, for the feed and the footer."""
    description: str = ""
    """One sentence about the challenge, for the home page and search engines."""
    language: str = "en"
    """Language of the UI strings, dates and numbers: a code such as `en`, `nl`, `de` or `pt-BR`."""
    base_url: str = "http://localhost:8000/"
    """Where the site will live, e.g. `https://me.netlify.app/`; used for feeds and the sitemap."""
    theme: str = "default"
    """A folder under `themes/` of the site, or a built-in theme."""
    timezone: str | None = None
    """IANA zone (`Europe/Amsterdam`) that decides which day it is; default: this machine's zone."""
    per_page: int = 20
    """Attempts per archive and list page."""
    feed_entries: int = 20
    """How many of the latest attempts the feed carries."""
    latest_entries: int = 5
    """How many of the latest attempts the home page lists."""
    allow_html: bool = False
    """Let raw HTML in Markdown through; off by default so a pasted snippet cannot break a page."""
    cards: bool = True
    """Draw a social card (a 1200×630 picture) for every attempt and one for the site."""
    max_file_mb: int = 10
    """Largest attempt or page file goldstar reads, in megabytes; a larger one is an error."""
    challenge: Challenge = field(default_factory=Challenge)
    """The goal and its window."""
    outcomes: tuple[Outcome, ...] = tuple(Outcome(k, None, c) for k, c in DEFAULT_OUTCOMES)
    """The possible answers, in display order."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form values for your own templates (`{{ site.extra.x }}`)."""

    @property
    def outcome_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.outcomes)

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    def tzinfo(self) -> dt.tzinfo:
        """The site's zone; without one, UTC for a reproducible build (SOURCE_DATE_EPOCH
        is set: the same output on every machine) and else the machine's own."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
            return dt.UTC
        local = dt.datetime.now().astimezone().tzinfo
        assert local is not None
        return local

    @property
    def base_path(self) -> str:
        """The path part of base_url (`/` or `/my-site/`): every link starts with it."""
        path = re.sub(r"^[a-z]+://[^/]*", "", self.base_url) or "/"
        return path if path.endswith("/") else path + "/"


TOP_KEYS = [f.name for f in fields(SiteConfig)]
CHALLENGE_KEYS = [f.name for f in fields(Challenge)]


class _Reader:
    """Reads values out of the YAML, recording problems at the right lines."""

    def __init__(self, doc: frontmatter.Document, path: str) -> None:
        self.doc = doc
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, keys: tuple[str | int, ...], message: str, hint: str | None = None,
                severity: str = "error", at_key: bool = False) -> None:
        if at_key:
            line, column = frontmatter.key_mark(self.doc, *(str(k) for k in keys))
        else:
            line, column = frontmatter.locate(self.doc, *keys)
        self.problems.append(Problem(self.path, line, column, message, hint, severity))

    def text(self, data: dict[str, Any], keys: tuple[str, ...], default: str) -> str:
        value = data.get(keys[-1], default)
        if value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(keys, f"{'.'.join(keys)} must be text")
            return default
        if frontmatter.find_control(value):
            self.problem(keys, f"{'.'.join(keys)} holds an invisible control character, which "
                         "a web page or feed cannot show; it is left out",
                         "delete the escape (such as \\x01 or \\u0007) from the text", WARNING)
        return value

    def integer(self, data: dict[str, Any], keys: tuple[str, ...], default: Any,
                minimum: int = 1, maximum: int = 1_000_000_000) -> Any:
        value = data.get(keys[-1], default)
        if value is None or value is default:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(keys, f"{'.'.join(keys)} must be a whole number of at least {minimum}",
                         f"for example `{keys[-1]}: {max(minimum, 10)}`")
            return default
        if value > maximum:
            self.problem(keys, f"{'.'.join(keys)} must be at most {maximum:,}",
                         f"for example `{keys[-1]}: {maximum}`")
            return default
        return value

    def boolean(self, data: dict[str, Any], keys: tuple[str, ...], default: bool) -> bool:
        value = data.get(keys[-1], default)
        result = to_bool(value)
        if result is None:
            self.problem(keys, f"{'.'.join(keys)} must be true or false")
            return default
        return result

    def date(self, data: dict[str, Any], keys: tuple[str, ...]) -> dt.date | None:
        value = data.get(keys[-1])
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(keys, f"{'.'.join(keys)}: {exc}")
            return None


_BASE_URL = re.compile(r"https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?")


def base_url_problem(value: str) -> str | None:
    """What is wrong with a base URL (site.yml or --base-url), or None.

    Every link of the site starts with it, so only a plain http(s) address
    with a host and a path is taken: no spaces, quotes, angle brackets,
    query or fragment, nothing that could turn a link into a script.
    """
    if not _BASE_URL.fullmatch(value):
        return f'"{value}" is not a web address like https://me.netlify.app/ or https://me.github.io/repo/'
    return None


def normal_base_url(value: str) -> str:
    return value if value.endswith("/") else value + "/"


def resolve_as_of(as_of: dt.date | None, tz: dt.tzinfo,
                  environ: dict[str, str] | None = None) -> dt.date | Problem:
    """--as-of, else the day of SOURCE_DATE_EPOCH, else today; in the site's zone."""
    if as_of is not None:
        return as_of
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz).date()
        except (ValueError, OverflowError, OSError):
            pass
        return Problem("SOURCE_DATE_EPOCH", None, None,
                       f'"{epoch}" is not a moment goldstar can use: it must be a whole number '
                       "of seconds since 1970-01-01 (for example 1767225600)",
                       "unset it, or set it with: export SOURCE_DATE_EPOCH=$(date +%s)")
    return dt.datetime.now(tz).date()


def locate_setting(site_dir: Path, *keys: str) -> tuple[int | None, int | None]:
    """Line and column of a setting in site.yml, for problems found after loading."""
    try:
        text = (site_dir / CONFIG_NAME).read_text("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError):
        return None, None
    return frontmatter.locate(frontmatter.Document(text, 1, "", 1), *keys)


def to_bool(value: Any) -> bool | None:
    """True/False for a yes/no value, None if it is not one.

    YAML 1.1 words (yes, no, on, off) are accepted here, for flag-typed fields
    only, because the loader keeps them as text.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "yes", "on", "y"):
            return True
        if word in ("false", "no", "off", "n"):
            return False
    return None


def parse_date(value: Any) -> dt.date:
    """A calendar date from `YYYY-MM-DD`, with a message a person can act on."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not DATE_RE.match(text):
        raise ValueError(f'"{text}" is not a date (expected YYYY-MM-DD, e.g. 2026-03-14)')
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar "
                         f"(check the month and the day, e.g. February has 28 or 29)") from None


def load_config(site_dir: Path) -> tuple[SiteConfig, list[Problem], bytes]:
    """Read and validate `content/site.yml`; returns the config, problems and raw bytes."""
    path = site_dir / CONFIG_NAME
    if not os.path.exists(path):
        return SiteConfig(), [Problem(
            CONFIG_NAME, None, None,
            "the site configuration is missing",
            f"create {CONFIG_NAME} with at least a title and a challenge goal "
            f"(see the README), or pass --site with the folder of your site",
        )], b""
    found = sources.read(CONFIG_NAME, str(path))
    if isinstance(found, Problem):  # a FIFO, a device, too large, unreadable: never a hang
        return SiteConfig(), [_unreadable_config(found)], b""
    raw = found.data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return SiteConfig(), [Problem(CONFIG_NAME, line, None,
                                      "the file is not UTF-8 text",
                                      "save it as UTF-8 in your editor")], raw
    if text.startswith("\ufeff"):
        text = text[1:]
    doc = frontmatter.Document(text, 1, "", 1)
    try:
        data = frontmatter.load(doc)
    except frontmatter.FrontMatterError as exc:
        message = exc.message.replace("front matter", "site.yml")
        return SiteConfig(), [Problem(CONFIG_NAME, exc.line, exc.column, message, exc.hint)], raw
    config, problems = config_from_dict(data, doc, CONFIG_NAME)
    return config, problems, raw


def _unreadable_config(found: Problem) -> Problem:
    """What sources.read said about site.yml, as an error: the site needs it."""
    if "regular file" in found.message:
        return Problem(CONFIG_NAME, None, None,
                       "is not a plain file (it is a folder, a pipe or a device), so goldstar "
                       "cannot read the settings from it",
                       "replace it with a text file of settings (see the README)")
    if found.message.startswith("is ") and "MB" in found.message:
        return Problem(CONFIG_NAME, None, None, found.message.split(", more than")[0] +
                       f", more than the {sources.MAX_FILE_BYTES // 1048576} MB a settings "
                       "file may have", "keep only the settings in it")
    return dataclasses_replace(found, severity=ERROR)


def config_from_dict(data: dict[str, Any], doc: frontmatter.Document,
                     path: str) -> tuple[SiteConfig, list[Problem]]:
    """Validate a parsed site.yml; every problem is collected, none raised."""
    r = _Reader(doc, path)
    default = SiteConfig()
    for key in data:
        if key not in TOP_KEYS:
            r.problem((key,), f'unknown setting "{key}" is ignored',
                      did_you_mean(str(key), TOP_KEYS), WARNING, at_key=True)

    language = r.text(data, ("language",), default.language).strip()
    if not LANGUAGE_RE.fullmatch(language):
        from generator.i18n import language_hint  # Babel: only when something is wrong

        r.problem(("language",), f'language "{language}" is not a language code',
                  language_hint(language))
        language = default.language

    timezone = data.get("timezone")
    if timezone is not None:
        timezone = r.text(data, ("timezone",), "")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            r.problem(("timezone",), f'timezone "{timezone}" is not a known IANA zone',
                      "use a name like Europe/Amsterdam or America/New_York")
            timezone = None

    base_url = r.text(data, ("base_url",), default.base_url)
    url_problem = base_url_problem(base_url)
    if url_problem is not None:
        r.problem(("base_url",), f"base_url {url_problem}",
                  "write it in full, like https://my-challenge.netlify.app/")
        base_url = default.base_url
    base_url = normal_base_url(base_url)

    outcomes = _outcomes(r, data.get("outcomes"), default.outcomes)
    challenge = _challenge(r, data.get("challenge"), tuple(o.key for o in outcomes))

    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        r.problem(("extra",), "extra must be a group of `name: value` lines")
        extra = {}

    config = SiteConfig(
        title=r.text(data, ("title",), default.title),
        author=r.text(data, ("author",), default.author),
        description=r.text(data, ("description",), default.description),
        language=language,
        base_url=base_url,
        theme=r.text(data, ("theme",), default.theme),
        timezone=timezone,
        per_page=r.integer(data, ("per_page",), default.per_page),
        feed_entries=r.integer(data, ("feed_entries",), default.feed_entries),
        latest_entries=r.integer(data, ("latest_entries",), default.latest_entries),
        allow_html=r.boolean(data, ("allow_html",), default.allow_html),
        cards=r.boolean(data, ("cards",), default.cards),
        max_file_mb=r.integer(data, ("max_file_mb",), default.max_file_mb, maximum=1000),
        challenge=challenge,
        outcomes=outcomes,
        extra=extra,
    )
    return config, r.problems


def _outcomes(r: _Reader, value: Any, default: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    if value is None:
        return default
    if not isinstance(value, dict) or not value:
        r.problem(("outcomes",), "outcomes must list each outcome with its label and color",
                  "for example:\n  outcomes:\n    no: {label: No, color: '#b42318'}")
        return default
    colors = dict(DEFAULT_OUTCOMES)
    result = []
    for key, spec in value.items():
        key = str(key)
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", key):
            r.problem(("outcomes", key), f'outcome name "{key[:60]}" must be lowercase letters, '
                      "digits and dashes (it becomes part of a web address)")
            continue
        wrong = addresses.segment_problem(key)
        if wrong is not None:
            r.problem(("outcomes", key), f'outcome name "{key[:60]}" {wrong}',
                      "choose another name (it becomes part of a web address)", at_key=True)
            continue
        spec = spec or {}
        if not isinstance(spec, dict):
            r.problem(("outcomes", key), f"outcome {key} needs `label:` and `color:` lines")
            continue
        label = spec.get("label")
        color = str(spec.get("color", colors.get(key, "#535862")))
        if not COLOR_RE.match(color):
            r.problem(("outcomes", key, "color"),
                      f'color "{color}" is not a colour like "#b42318" (quote it in YAML)')
            color = colors.get(key, "#535862")
        elif contrast_with_white(color) < 4.5:
            r.problem(("outcomes", key, "color"),
                      f'white text on {color} is hard to read (contrast '
                      f'{contrast_with_white(color):.1f}:1, at least 4.5:1 is needed)',
                      "pick a darker colour", WARNING)
        result.append(Outcome(key, None if label is None else str(label), color))
    return tuple(result) or default


def contrast_with_white(color: str) -> float:
    """WCAG contrast ratio of white text on a `#rrggbb` (or `#rgb`) background."""
    hex_digits = color.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = []
    for i in (0, 2, 4):
        c = int(hex_digits[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return 1.05 / (luminance + 0.05)


def _challenge(r: _Reader, value: Any, outcome_keys: tuple[str, ...]) -> Challenge:
    if value is None:
        r.problem(("challenge",), "the challenge is missing",
                  "add a block like:\n  challenge:\n    goal: 100\n    start: 2026-01-01")
        return Challenge()
    if not isinstance(value, dict):
        r.problem(("challenge",), "challenge must be a group of lines: goal, counts, start, end")
        return Challenge()
    for key in value:
        if key not in CHALLENGE_KEYS:
            r.problem(("challenge", key), f'unknown challenge setting "{key}" is ignored',
                      did_you_mean(str(key), CHALLENGE_KEYS), WARNING, at_key=True)
    keys = ("challenge",)
    if "goal" not in value:
        r.problem(keys, "challenge.goal is missing", "add `goal: 100` (your target count)",
                  at_key=True)
    goal = r.integer(value, (*keys, "goal"), 100)
    counts_value = value.get("counts", ["no"])
    if isinstance(counts_value, (str, bool)):
        counts_value = [counts_value]
    counts: list[str] = []
    if not isinstance(counts_value, list):
        r.problem((*keys, "counts"), "challenge.counts must be a list of outcomes, like [no]")
    else:
        for i, item in enumerate(counts_value):
            name = str(item).lower() if not isinstance(item, bool) else ("yes" if item else "no")
            if name not in outcome_keys:
                r.problem((*keys, "counts", i),
                          f'"{name}" in challenge.counts is not one of: {", ".join(outcome_keys)}',
                          did_you_mean(name, outcome_keys))
            else:
                counts.append(name)
    start = r.date(value, (*keys, "start"))
    end = r.date(value, (*keys, "end"))
    if start and end and end < start:
        r.problem((*keys, "end"), f"challenge.end ({end}) is before challenge.start ({start})")
        end = None
    ghost = r.integer(value, (*keys, "ghost_after_days"), None)
    return Challenge(goal=goal, counts=tuple(counts) or ("no",), start=start, end=end,
                     ghost_after_days=ghost)
