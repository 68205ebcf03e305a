"""New sites (`goldstar init`) and new attempts (`goldstar new`).

A site is the person's own folder, made from a preset: the files under
generator/presets/<preset>/<language>/ (site.yml, about.md, the attempt
archetype) and generator/presets/common/ (netlify.toml, the GitHub Pages
workflow, .gitignore, the library pins), filled in with `{{ name }}` placeholders.
The deploy files follow the repository's own netlify.toml and
.github/workflows/pages.yml (a test holds them to it), and install the
goldstar that requirements.txt names. `new` fills
the site's own `archetypes/attempt.md` the same way (like Hugo's archetypes),
or the preset's when the site has none.

Placeholder rule, the one thing to know when editing an archetype: a
placeholder that is the whole value of a YAML field (`title: {{ title }}`) is
written as a YAML value, in quotes when it needs them; anywhere else (a comment,
the body) it is written as plain text. `{{ outcome or no }}` writes `no` when no
outcome was given.

The planning functions are pure (text and dates in, file texts out); only
`write_new_files`, `existing_slugs` and `open_in_editor` touch the disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.config import SiteConfig
from generator.entries import ATTEMPTS_DIR, SLUG_RE, parse_attempt, slugify
from generator.preset_catalog import DEFAULT_PRESET, PRESET_LANGUAGES, PRESETS
from generator.problems import Problem, did_you_mean
from generator.words import outcome_for
from generator.yamlwrite import flow_list, scalar

ARCHETYPE = "archetypes/attempt.md"
"""Where a site keeps the template that `goldstar new` fills."""

Value = str | int | Sequence[str] | None


# Which file of a new site comes from which preset file ({lang}: the site's language).
SITE_FILES = {
    "content/site.yml": "{preset}/{lang}/site.yml",
    "content/pages/about.md": "{preset}/{lang}/about.md",
    ARCHETYPE: "{preset}/{lang}/attempt.md",
    "netlify.toml": "common/netlify.toml",
    ".github/workflows/pages.yml": "common/pages.yml",
    ".gitignore": "common/gitignore",
}

TIMEZONE_NOTES = {
    "en": ("the time zone that decides which day it is (found on this computer)",
           "this computer's time zone could not be found: write yours, e.g. Europe/Amsterdam"),
    "nl": ("de tijdzone die bepaalt welke dag het is (gevonden op deze computer)",
           "de tijdzone van deze computer is niet gevonden: vul de jouwe in, "
           "bijvoorbeeld Europe/Amsterdam"),
}


PRESETS_DIR = Path(__file__).parent / "presets"


def preset_text(relative: str) -> str:
    """A file from generator/presets/ (package data, installed beside this module).

    A plain path, not importlib.resources: that import alone costs `new` 20 ms,
    and goldstar is never run from a zip file.
    """
    return (PRESETS_DIR / relative).read_text("utf-8")


# ---------------------------------------------------------------- placeholders

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)(?:\s+or\s+(.*?))?\s*\}\}")
_VALUE_BEFORE = re.compile(r"\s*(?:[^\s#\"'][^#]*?:|-)[ \t]+[\"']?")
_VALUE_AFTER = re.compile(r"[\"']?[ \t]*(?:#.*)?")


def fill(text: str, values: Mapping[str, Value], path: str,
         whole_file_is_yaml: bool = False) -> tuple[str, list[Problem]]:
    """Replace every `{{ name }}` by its value; problems for names it does not know.

    In YAML (the whole file, or the front matter of a Markdown file), a
    placeholder that is a field's whole value becomes a YAML value; anywhere
    else it becomes plain text. Line ends are kept, so line numbers stay those
    of the template.
    """
    problems: list[Problem] = []
    lines = re.split(r"(?<=\n)", text)
    in_yaml = whole_file_is_yaml
    fences = 0
    out = []
    for number, line in enumerate(lines, start=1):
        if not whole_file_is_yaml and line.rstrip("\r\n") == "---" and fences < 2:
            fences += 1
            in_yaml = fences == 1
            out.append(line)
            continue
        out.append(_fill_line(line, number, values, path, in_yaml, problems))
    return "".join(out), problems


def _fill_line(line: str, number: int, values: Mapping[str, Value], path: str,
               in_yaml: bool, problems: list[Problem]) -> str:
    body = line.rstrip("\r\n")
    end = line[len(body):]
    pieces: list[str] = []
    last = 0
    emptied = False
    for match in _PLACEHOLDER.finditer(body):
        name, fallback = match.group(1), match.group(2)
        if name not in values:
            problems.append(Problem(
                path, number, match.start() + 1, f'unknown placeholder "{match.group()}"',
                f"the placeholders are: {', '.join('{{ ' + k + ' }}' for k in values)}"))
            continue
        before, after = body[:match.start()], body[match.end():]
        start, stop = match.start(), match.end()
        as_value = (in_yaml and _VALUE_BEFORE.fullmatch(before) is not None
                    and _VALUE_AFTER.fullmatch(after) is not None
                    and "#" not in before)
        if as_value and before[-1:] in "\"'" and after[:1] == before[-1:]:
            start, stop = start - 1, stop + 1  # `"{{ title }}"`: the quotes are ours to write
        value = values[name]
        if value is None or value == "" or (not isinstance(value, (str, int)) and not value
                                           and fallback is not None):
            written = fallback or ""
        elif as_value:
            written = _yaml_value(value)
        else:
            written = _plain(value)
        emptied = emptied or written == ""
        pieces.append(body[last:start] + written)
        last = stop
    pieces.append(body[last:])
    result = "".join(pieces)
    if emptied and "#" not in result:
        result = result.rstrip(" \t")  # `category:`, not `category: ` with a trailing space
    return result + end


def _yaml_value(value: Value) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return scalar(" ".join(value.split()))
    assert value is not None
    return flow_list(list(value))


def _plain(value: Value) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return " ".join(value.split())
    assert value is not None
    return ", ".join(value)


# ---------------------------------------------------------------------- dates

def today_for_site(tz: dt.tzinfo, environ: Mapping[str, str],
                   now: dt.datetime | None = None) -> dt.date:
    """Today in the site's zone, or the day of SOURCE_DATE_EPOCH (for reproducible runs).

    Raises ValueError for a SOURCE_DATE_EPOCH that is not a whole number of seconds.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not re.fullmatch(r"\d+", epoch):
            raise ValueError(f'SOURCE_DATE_EPOCH "{epoch}" is not a number of seconds')
        return dt.datetime.fromtimestamp(int(epoch), tz).date()
    return (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_first = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_first - dt.timedelta(days=1)).day))


def machine_timezone(environ: Mapping[str, str], etc: Path = Path("/etc")) -> str | None:
    """This computer's IANA zone name (`Europe/Amsterdam`), or None if it cannot be told.

    Looks at $TZ, Debian's /etc/timezone, then where /etc/localtime links to
    (Linux and macOS). Windows names its zones differently: None there.
    """
    candidates = [environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append((etc / "timezone").read_text("utf-8").strip())
    try:
        target = os.readlink(etc / "localtime")
        if "zoneinfo/" in target:
            candidates.append(target.rsplit("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/") and ".." not in name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return None


# ----------------------------------------------------------------------- init

@dataclass(frozen=True)
class InitOptions:
    """What `goldstar init` was asked for; None means the preset's default."""

    preset: str = DEFAULT_PRESET
    title: str | None = None
    language: str = "en"
    goal: int | None = None
    counts: tuple[str, ...] | None = None
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class InitPlan:
    """The files of a new site, by path from the site folder, and their text."""

    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def plan_site(options: InitOptions, today: dt.date, timezone: str | None,
              requirements: str, where: str = "goldstar init") -> InitPlan:
    """Every file of a new site; problems name the flag that is wrong.

    `timezone` is the machine's zone (None: UTC, with a comment saying so) and
    `requirements` the text of requirements.txt (see origin.requirements_txt).
    """
    plan = InitPlan()
    preset = PRESETS.get(options.preset)
    if preset is None:
        plan.problems.append(Problem(
            where, None, None, f'--preset "{options.preset}" is not one of: {", ".join(PRESETS)}',
            did_you_mean(options.preset, PRESETS)))
        return plan
    if options.language not in PRESET_LANGUAGES:
        plan.problems.append(Problem(
            where, None, None,
            f'--language "{options.language}" is not one of the languages the presets are '
            f'written in: {", ".join(PRESET_LANGUAGES)}',
            did_you_mean(options.language, PRESET_LANGUAGES)))
        return plan
    goal = preset.goal if options.goal is None else options.goal
    if goal < 1:
        plan.problems.append(Problem(where, None, None, f"--goal {goal} must be at least 1",
                                     "the goal is how many answers you are after, e.g. 100"))
    counts = options.counts or preset.counts
    for name in counts:
        if name not in preset.outcomes:
            plan.problems.append(Problem(
                where, None, None,
                f'--counts "{name}" is not an outcome of this preset; they are: '
                f'{", ".join(preset.outcomes)}', did_you_mean(name, preset.outcomes)))
    start = options.start or today
    end = options.end or add_months(start, preset.months) - dt.timedelta(days=1)
    if end < start:
        plan.problems.append(Problem(where, None, None,
                                     f"--end {end} is before the start, {start}",
                                     "the end is the last day of the challenge"))
    if plan.problems:
        return plan
    found, missing = TIMEZONE_NOTES[options.language]
    title = " ".join((options.title or "").split()) or preset.titles[options.language]
    values: dict[str, Value] = {
        "title": title, "goal": goal, "counts": list(dict.fromkeys(counts)),
        "start": start.isoformat(), "end": end.isoformat(),
        "timezone": timezone or "UTC", "timezone_note": found if timezone else missing,
    }
    for target, source in SITE_FILES.items():
        text = preset_text(source.format(preset=preset.name, lang=options.language))
        if target == "content/site.yml":
            text, problems = fill(text, values, source, whole_file_is_yaml=True)
            plan.problems += problems
        elif target == "content/pages/about.md":
            text, problems = fill(text, values, source)
            plan.problems += problems
        plan.files[target] = text
    plan.files["content/attempts/.gitkeep"] = ""
    plan.files["requirements.txt"] = requirements
    plan.files["constraints.txt"] = site_constraints(preset_text("common/constraints.txt"))
    return plan


def site_constraints(tested: str) -> str:
    """The site's constraints.txt: the pins of goldstar's own constraints.txt (`tested`,
    packaged as presets/common/constraints.txt), under comments for the site."""
    from generator import __version__

    pins = [line for line in tested.splitlines() if line.strip() and not line.startswith("#")]
    return "\n".join([
        f"# The exact versions of the libraries goldstar {__version__} was tested with.",
        "# Netlify and the GitHub Pages workflow install goldstar with them",
        "# (pip install --constraint constraints.txt -r requirements.txt), so a new",
        "# release of a library cannot change or break your site overnight. When you",
        "# change the goldstar commit in requirements.txt, take this file from that",
        "# commit of the goldstar repository too.",
        *pins]) + "\n"


def folder_problem(root: Path, force: bool, where: str = "goldstar init") -> Problem | None:
    """Why files may not be written into `root`: it is a file, or not empty without --force."""
    if root.exists() and not root.is_dir():
        return Problem(str(root), None, None, "is a file, not a folder",
                       "choose a name for a new folder")
    if root.is_dir() and not force and any(root.iterdir()):
        return Problem(str(root), None, None, "the folder is not empty",
                       "choose a new folder, or add --force to add the missing files "
                       "(goldstar never overwrites a file that exists)")
    return None


def write_new_files(root: Path, files: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Write each file that does not exist yet; returns (written, skipped) paths.

    A file that exists is never opened for writing: it is skipped, whatever it holds.
    """
    written, skipped = [], []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8", newline="\n") as out:
                out.write(text)
        except FileExistsError:
            skipped.append(rel)
        else:
            written.append(rel)
    return written, skipped


# ------------------------------------------------------------------------ new

@dataclass(frozen=True)
class NewOptions:
    """What `goldstar new` was asked for."""

    title: str
    outcome: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    date: dt.date | None = None


_TRANSLITERATE = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i",
    "'": "", "’": "", "‘": "",
})
MAX_SLUG = 60


def title_slug(title: str) -> str:
    """The words of a title for a file name: `Één café` → `een-cafe`; "" if none are Latin.

    It extends entries.slugify, the rule of web addresses: letters that have no
    accent to drop (ß, æ, ø, ł) are spelled out, apostrophes vanish (`didn't` →
    `didnt`), and it is cut at a word to 60 characters. A title in another
    script gives "", and the file is named by its date alone: a web address
    keeps only ASCII, so Unicode letters would be dropped from it anyway.
    """
    text = title.translate(_TRANSLITERATE)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if not re.search(r"[A-Za-z0-9]", ascii_text):
        return ""
    slug = slugify(text)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] \
            else slug[:MAX_SLUG]
    return slug.strip("-")


def attempt_stem(day: dt.date, title: str, taken: set[str]) -> str:
    """`2026-03-14-free-refill`, with `-2`, `-3` ... when that address is taken."""
    slug = title_slug(title)
    stem = f"{day.isoformat()}-{slug}" if slug else day.isoformat()
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def existing_slugs(site_dir: Path) -> set[str]:
    """The web addresses the site's attempt files get from their names.

    Addresses set with `slug:` inside a file are not read (the build still
    reports a clash); names are enough to keep `new` and `import` apart.
    """
    root = site_dir / ATTEMPTS_DIR
    taken = set()
    for _dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        for name in filenames:
            if name.endswith(".md") and not name.startswith((".", "#", "~")):
                stem = name[:-3]
                taken.add(stem if SLUG_RE.match(stem) else slugify(stem))
    return taken


def uses_month_folders(site_dir: Path) -> bool:
    """Whether the site keeps attempts in `YYYY-MM/` folders (and none loose)."""
    root = site_dir / ATTEMPTS_DIR
    try:
        names = os.listdir(root)
    except OSError:
        return False
    months = [n for n in names if re.fullmatch(r"\d{4}-\d{2}", n) and (root / n).is_dir()]
    return bool(months) and not any(n.endswith(".md") for n in names)


def attempt_rel_path(day: dt.date, stem: str, month_folders: bool) -> str:
    """Where a new attempt goes, from the site folder."""
    folder = f"{ATTEMPTS_DIR}/{day:%Y-%m}" if month_folders else ATTEMPTS_DIR
    return f"{folder}/{stem}.md"


def default_archetype(config: SiteConfig) -> str:
    """The archetype for a site that has none of its own: the rejections preset's."""
    return preset_text(f"{DEFAULT_PRESET}/{config.language}/attempt.md")


@dataclass
class NewPlan:
    """A new attempt: where it goes and what it says, or the problems that stop it."""

    rel_path: str = ""
    text: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def plan_attempt(options: NewOptions, day: dt.date, config: SiteConfig, archetype: str,
                 archetype_path: str, taken: set[str], month_folders: bool,
                 where: str = "goldstar new") -> NewPlan:
    """Fill the archetype for a new attempt and check that the result is a valid attempt.

    Pure: the caller reads the archetype and the taken addresses and writes the file.
    """
    plan = NewPlan()
    title = " ".join(options.title.split())
    if not title:
        plan.problems.append(Problem(where, None, None, "the title is empty",
                                     'write it in quotes: goldstar new "Asked for a refill"'))
    outcome = None
    if options.outcome is not None:
        outcome = outcome_for(options.outcome, config)
        if outcome is None:
            plan.problems.append(Problem(
                where, None, None,
                f'--outcome "{options.outcome}" is not one of: {", ".join(config.outcome_keys)}',
                did_you_mean(options.outcome.lower(), config.outcome_keys)
                or "the outcomes are set under `outcomes:` in site.yml"))
    if plan.problems:
        return plan
    values: dict[str, Value] = {
        "title": title, "date": day.isoformat(), "outcome": outcome,
        "category": options.category.strip() if options.category else None,
        "tags": [t.strip() for t in options.tags if t.strip()],
    }
    text, problems = fill(archetype, values, archetype_path)
    if problems:
        plan.problems += problems
        return plan
    stem = attempt_stem(day, title, taken)
    rel_path = attempt_rel_path(day, stem, month_folders)
    # The archetype keeps its line numbers when filled, so problems point into it.
    entry, found = parse_attempt(archetype_path, rel_path[len(ATTEMPTS_DIR) + 1:],
                                 text.encode("utf-8"), config)
    plan.problems += [p for p in found if p.is_error]
    plan.warnings += [p for p in found if not p.is_error]
    if entry is not None:
        plan.rel_path, plan.text = rel_path, text
    return plan


def open_in_editor(path: Path, environ: Mapping[str, str]) -> Problem | None:
    """Open a file in $VISUAL or $EDITOR and wait; a problem if that is not possible."""
    import shlex
    import subprocess

    command = environ.get("VISUAL") or environ.get("EDITOR")
    if not command:
        return Problem(str(path), None, None, "no editor is set, so the file was not opened",
                       "set VISUAL or EDITOR (for example `export EDITOR=nano`), "
                       "or open the file yourself")
    try:
        args = shlex.split(command, posix=os.name != "nt")
        result = subprocess.run([*args, str(path)], check=False)
    except (OSError, ValueError) as exc:
        return Problem(str(path), None, None, f'the editor "{command}" could not be started: '
                       f"{exc}", "check VISUAL or EDITOR")
    if result.returncode != 0:
        return Problem(str(path), None, None,
                       f'the editor "{command}" stopped with exit code {result.returncode}')
    return None
