"""UI strings from a chain of theme folders, and words, dates and numbers in any language.

Two halves with one rule between them: loading touches no Babel, formatting
does. `load_strings` runs on every build, a warm one included, so it reads the
YAML and nothing else; Babel (CLDR data: month names, date patterns, digit
grouping, plural rules) is imported inside the `Language` methods that format
and in the checks that need it, so only a build that renders pays for it.

Glossary (one word per idea):
- *code*: the site's language as written in site.yml (`nl`, `de-AT`).
- *strings*: the merged UI strings, a plain dict that JSON can digest:
  key -> text, plural forms (`{one: ..., other: ...}`), or a table of texts
  (`outcome_labels`, by outcome key).
- *language chain*: the files for the code, then for shorter codes
  (`de-AT.yml`, then `de.yml`), each looked for in every theme folder, child first.
- *fallback*: English (`en.yml` in the same folders), for keys the language lacks.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import re
import string
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from generator import frontmatter
from generator.problems import ERROR, WARNING, Problem

FALLBACK = "en"
"""The language every theme is complete in; its words fill any gap."""

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories; which of them a language uses comes from Babel."""

TABLES = frozenset({"outcome_labels"})
"""Keys whose value is a table of texts read by the generator, merged entry by entry."""

LANGUAGE_ONLY = frozenset({"date_format"})
"""Keys taken only from the language's own files, never from English: English's
date pattern ("d MMMM y") is not German's ("d. MMMM y")."""

FILLED_BY_GOLDSTAR = {"outcome_heading": ("label",), "category_heading": ("name",),
                      "tag_heading": ("name",)}
"""Strings the planner fills in itself (pages.py), with the names it gives: one
line of text each, so a typo is a line to fix, not a crash halfway through the plan."""

LEGACY = frozenset({"months"})
"""Keys of older themes that goldstar no longer reads (CLDR names the months)."""

MADE_KEPT = 50_000
"""Formatted values of each kind kept between builds at most."""

DATE_STYLES = ("short", "medium", "long", "full")
"""Named date formats: the locale's own pattern of that length."""

DEFAULT_DATE_FORMAT = "long"

_SAMPLE_DATE = dt.date(2026, 3, 14)
_NULL_TAG = "tag:yaml.org,2002:null"
_LEGACY_DATE_FIELDS = {"day": "d", "month": "MMMM", "year": "y"}


class StringError(KeyError):
    """A UI string that cannot be shown: an unknown key, plural forms without a
    count, a placeholder without a value. A KeyError, so the renderer reports
    it as a template error at the template's line; its text is the message."""

    def __str__(self) -> str:
        return str(self.args[0])


# The records here are NamedTuples rather than dataclasses: this module is
# imported by every build, and a dataclass takes several times longer to define.


class LoadedStrings(NamedTuple):
    """The merged UI strings of one language, and what was wrong on the way."""

    language: str
    """The site's language code, as given."""
    strings: dict[str, Any]
    """Key -> text, plural forms (dict by category) or table (dict by key)."""
    problems: list[Problem]
    """Errors and warnings of every file read, in file order."""
    sources: dict[str, tuple[str, int | None]]
    """Per key, the file (display path) and line its value came from."""
    from_english: frozenset[str]
    """Keys whose value is the English fallback (the language had none)."""


class _Found(NamedTuple):
    """One value of one strings file, where it was written."""

    value: Any  # str | dict[str, str] (plural forms) | dict[str, _Found] (table)
    path: str
    line: int
    column: int


class _File(NamedTuple):
    folder: Path
    path: str
    """Display path, for messages."""
    values: dict[str, _Found]
    broken: bool
    """It had an error that may hide keys: do not report its keys as missing."""


def language_chain(code: str) -> list[str]:
    """The codes whose files serve `code`, most specific first: de-AT -> [de-AT, de]."""
    parts = re.split(r"[-_]", code)
    return [code[: len("-".join(parts[:n]))] for n in range(len(parts), 0, -1)]


def load_strings(
    folders: Sequence[Path],
    language: str,
    display: Callable[[Path], str] = lambda path: path.as_posix(),
) -> LoadedStrings:
    """The UI strings for `language` from theme i18n folders given child first.

    A key comes from the most specific language file that has it (a file of
    the exact code in any folder before one of the shorter code), child folder
    before parent; failing that from English, with a warning once per key. A
    table (`outcome_labels`) is merged entry by entry the same way. Never
    raises: problems (bad YAML, not UTF-8, wrong shapes) come back as Problems.
    """
    codes = language_chain(language)
    english_codes = [] if FALLBACK in codes else [FALLBACK]
    problems: list[Problem] = []

    def read_all(code_list: list[str]) -> list[_File]:
        found = []
        for code in code_list:
            for folder in folders:
                shown = display(folder / f"{code}.yml")
                values, file_problems, broken = _read_file(folder / f"{code}.yml", shown)
                problems.extend(file_problems)
                if values is not None:
                    found.append(_File(folder, shown, values, broken))
        return found

    own = read_all(codes)
    english = read_all(english_codes)

    strings: dict[str, Any] = {}
    sources: dict[str, tuple[str, int | None]] = {}
    fallbacks: list[tuple[str, _Found]] = []  # (key or table.entry, the English value used)
    for key in _ordered_keys(own, english):
        if key in LEGACY:
            continue
        in_own = [f.values[key] for f in own if key in f.values]
        in_english = [] if key in LANGUAGE_ONLY else [f.values[key] for f in english
                                                      if key in f.values]
        if not in_own and not in_english:  # English's date_format, for another language
            continue
        first = (in_own or in_english)[0]
        sources[key] = (first.path, first.line)
        if key not in TABLES:
            strings[key] = first.value
            if not in_own:
                fallbacks.append((key, first))
            continue
        table: dict[str, str] = {}
        for is_english, found in [(False, f) for f in in_own] + [(True, f) for f in in_english]:
            for entry, item in found.value.items():
                if entry not in table:
                    table[entry] = item.value
                    if is_english and in_own:
                        fallbacks.append((f"{key}.{entry}", item))
        strings[key] = table

    # Words the language lacks: one warning for a missing file, else one per key.
    if english_codes and not own:
        shown = display(folders[0] / f"{codes[-1]}.yml") if folders else f"{codes[-1]}.yml"
        problems.append(Problem(
            shown, None, None,
            f'there are no UI strings for the language "{language}" (no {codes[-1]}.yml in '
            "the theme's i18n folders): menus and headings will be in English, dates and "
            "numbers in the language's own way",
            f"copy en.yml to {shown} and translate the texts after each colon",
            WARNING))
    elif english_codes and not any(f.broken for f in own):
        folder_of = {f.path: f.folder for f in english}
        for name, found in fallbacks:
            problems.append(_missing(name, found, own, folder_of[found.path], language))

    if english and not any(f.broken for f in english):
        problems.extend(_unknown_keys(own, {k for f in english for k in f.values}))
    problems.extend(_placeholder_typos(own, english))
    from_english = frozenset(name for name, _ in fallbacks if name in strings)
    return LoadedStrings(language, strings, problems, sources, from_english)


def _ordered_keys(own: list[_File], english: list[_File]) -> list[str]:
    """English's keys in English's order, then keys only the language has."""
    keys: dict[str, None] = {}
    for file in (*english, *own):
        keys.update(dict.fromkeys(file.values))
    return list(keys)


def _missing(name: str, english: _Found, own: list[_File], folder: Path,
             language: str) -> Problem:
    """The warning for a key only English has, naming the language file that lacks it:
    the one beside the English file that has the key (the theme that added it),
    else the child-most one."""
    beside = [f for f in own if f.folder == folder]
    target = beside[-1] if beside else own[0]
    text = english.value if isinstance(english.value, str) else english.value["other"]
    return Problem(
        target.path, None, None,
        f'no text for "{name}" in the language "{language}"; the English "{text}" is used '
        "instead",
        f"add a line for it to {target.path} (see {english.path}, line {english.line})",
        WARNING)


def _unknown_keys(own: list[_File], english_keys: set[str]) -> list[Problem]:
    """Keys in a language file that English does not have: a typo, or a key the theme dropped."""
    problems = []
    for file in own:
        for key, found in file.values.items():
            if key in english_keys or key in LANGUAGE_ONLY or key in LEGACY:
                continue
            close = difflib.get_close_matches(key, english_keys, n=1, cutoff=0.75)
            hint = (f'did you mean "{close[0]}"?' if close
                    else "delete the line, or add the key to en.yml as well")
            problems.append(Problem(
                file.path, found.line, found.column,
                f'"{key}" is not one of the theme\'s UI strings (en.yml has no such key), '
                "so no page shows it", hint, WARNING))
    return problems


def _placeholder_typos(own: list[_File], english: list[_File]) -> list[Problem]:
    """A {placeholder} in a translation that English does not use and that is
    close to one it does: almost certainly a typo that would fail the page."""
    problems = []
    for file in own:
        for key, found in file.values.items():
            in_english = next((f.values[key] for f in english if key in f.values), None)
            if in_english is None or key in TABLES:
                continue
            known = _fields_of(in_english.value)
            for name in sorted(_fields_of(found.value) - known):
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                if close:
                    problems.append(Problem(
                        file.path, found.line, found.column,
                        f'the text of "{key}" uses {{{name}}}, which the English text does '
                        "not: the page that shows it will fail to build",
                        f"did you mean {{{close[0]}}}?", WARNING))
    return problems


def _fields_of(value: Any) -> set[str]:
    texts = [value] if isinstance(value, str) else list(value.values())
    names: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            names.update(_placeholders(text))
    return names


def _placeholders(text: str) -> list[str]:
    """The names in {braces}; raises ValueError for braces str.format cannot read."""
    names = []
    for _, name, _, _ in string.Formatter().parse(text):
        if name is None:
            continue
        base = re.split(r"[.\[]", name, maxsplit=1)[0]
        if not base or base.isdigit():
            raise ValueError("a placeholder needs a name, like {count}")
        names.append(base)
    return names


# Reading one file ------------------------------------------------------------


def _read_file(path: Path, shown: str) -> tuple[dict[str, _Found] | None, list[Problem], bool]:
    """(values, problems, broken) of one strings file; values None when there is no file."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None, [], False
    except OSError as exc:
        return {}, [Problem(shown, None, None, f"cannot read the file: {exc.strerror}",
                            "check that it is a file you may read")], True
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        return {}, [Problem(
            shown, raw.count(b"\n", 0, exc.start) + 1, exc.start - line_start + 1,
            "the file is not UTF-8 text (goldstar reads strings files as UTF-8)",
            "save it as UTF-8 in your editor (look for an Encoding menu)")], True
    text = text.removeprefix("\ufeff")
    loader = frontmatter.Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return {}, [_yaml_problem(exc, shown, text)], True
    except yaml.YAMLError as exc:  # a reader error: a character YAML does not allow
        position = getattr(exc, "position", 0)
        return {}, [Problem(
            shown, text.count("\n", 0, position) + 1, position - text.rfind("\n", 0, position),
            "this file holds a control character, which YAML does not allow",
            "delete it (it may show as a box or nothing at all in your editor)")], True
    finally:
        loader.dispose()
    if node is None:  # an empty file, or only comments
        return {}, [], False
    if not isinstance(node, yaml.MappingNode):
        return {}, [Problem(
            shown, node.start_mark.line + 1, node.start_mark.column + 1,
            f"a strings file must be a list of `key: text` lines, but this one is "
            f"{_shape(node)}",
            "write one `key: text` per line, like `nav_home: Dashboard`")], True
    problems: list[Problem] = []
    values: dict[str, _Found] = {}
    for key_node, value_node in node.value:
        line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(shown, line, column, "a key must be a plain word",
                                    "write `key: text`, like `nav_home: Dashboard`"))
            continue
        key = key_node.value
        if key in values:
            problems.append(Problem(
                shown, line, column,
                f'"{key}" is here a second time (first on line {values[key].line}); '
                "this one is used", "delete one of the two", WARNING))
        value = _read_value(key, key_node, value_node, shown, problems)
        if value is not None:
            values[key] = _Found(value, shown, line, column)
    return values, problems, any(p.severity == ERROR for p in problems)


# What PyYAML says (problem, or context) -> what to tell a person; and whether the
# line is the context's (where a quote or key began) rather than where the scanner stopped.
_YAML_MESSAGES = (
    ("quoted scalar", True, "the quoted text that starts here is never closed",
     "end it with the same quote mark it starts with"),
    ("simple key", True, "this line is not a `key: text` line (it has no colon after the key)",
     "write `key: text`, or delete the line"),
    ("mapping values are not allowed", False,
     "this text has a colon followed by a space, which YAML reads as a new key",
     'put the whole text in "double quotes"'),
    ("tab character", False, "this line is indented with a tab; YAML needs spaces",
     "replace the tab with spaces"),
    ("cannot start any token", False,
     "this line has a character that YAML does not allow here: a tab, or @ or ` at the "
     "start of a text", 'indent with spaces, and put a text that starts with @ or ` in '
     '"double quotes"'),
)


def _yaml_problem(exc: yaml.MarkedYAMLError, shown: str, text: str = "") -> Problem:
    """A YAML error at the line a person should look at, in words for a person."""
    said = f"{exc.context or ''} {exc.problem or ''}"
    known = next((m for m in _YAML_MESSAGES if m[0] in said), None)
    if known is not None:
        _, at_context, message, hint = known
    else:
        at_context = False
        message = f"this file is not valid YAML: {(exc.problem or said).strip()}"
        hint = ("each line is `key: text`, and the forms of a plural (one:, other:) "
                "are indented by two spaces under their key")
    mark = (exc.context_mark if at_context else None) or exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    content = text.rstrip()
    if mark is not None and text and mark.index >= len(content):
        # "found the end of the text": the last line that has something on it
        line, column = content.count("\n") + 1, None
    return Problem(shown, line, column, message, hint)


def _read_value(key: str, key_node: yaml.Node, node: yaml.Node, shown: str,
                problems: list[Problem]) -> Any:
    """A key's value as text, plural forms or table; None (and a Problem) when it is wrong.

    A problem with the value as a whole is reported at its key's line (a block
    value starts on the next one); a problem with one form at that form's line."""
    line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1

    def problem(message: str, hint: str | None, severity: str = ERROR,
                at: yaml.Node | None = None) -> None:
        where = (at.start_mark.line + 1, at.start_mark.column + 1) if at else (line, column)
        problems.append(Problem(shown, *where, message, hint, severity))

    if key in LEGACY:
        problem(f'"{key}" is no longer read: month names come from the language\'s own '
                "CLDR data", f"delete the {key} line", WARNING)
        return None
    if key in TABLES and not isinstance(node, yaml.MappingNode):
        problem(f'"{key}" must be a group of `name: text` lines, not {_shape(node)}',
                f"indent one `name: text` line per entry by two spaces under {key}:")
        return None
    if isinstance(node, yaml.ScalarNode):
        text = _read_text(key, node, problem)
        given = FILLED_BY_GOLDSTAR.get(key)
        if text is not None and given is not None:
            unknown = [name for name in _placeholders(text) if name not in given]
            if unknown:
                names = ", ".join("{" + name + "}" for name in given)
                problem(f'the text of "{key}" uses {{{unknown[0]}}}, but goldstar fills in '
                        f"only {names} there", f"write {names} where the name should show")
                return None
        return text
    if isinstance(node, yaml.SequenceNode) or key in LANGUAGE_ONLY or key in FILLED_BY_GOLDSTAR:
        problem(f'"{key}" must be a text, not {_shape(node)}',
                f'write it on one line, like `{key}: "..."`')
        return None
    assert isinstance(node, yaml.MappingNode)
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for entry_key, entry_value in node.value:
        if not isinstance(entry_key, yaml.ScalarNode):
            problem(f'the forms of "{key}" must be named by a plain word', None,
                    at=entry_key)
            continue
        entries[entry_key.value] = (entry_key, entry_value)
    if key in TABLES:
        table = {}
        for name, (entry_key, entry_value) in entries.items():
            text = _read_entry(f"{key}.{name}", entry_value, problem)
            if text is not None:
                table[name] = _Found(text, shown, entry_key.start_mark.line + 1,
                                     entry_key.start_mark.column + 1)
        return table
    forms = {}
    had_problems = len(problems)
    for name, (entry_key, entry_value) in entries.items():
        if name not in PLURAL_CATEGORIES:
            close = difflib.get_close_matches(name, PLURAL_CATEGORIES, n=1, cutoff=0.6)
            problem(f'"{name}" is not a plural form of "{key}"; the forms are: '
                    f'{", ".join(PLURAL_CATEGORIES)}',
                    f'did you mean "{close[0]}"?' if close else
                    "a text with one or more forms (one:, other:) by the number it counts",
                    at=entry_key)
            continue
        text = _read_entry(f"{key}.{name}", entry_value, problem)
        if text is not None:
            forms[name] = text
    if "other" not in forms:
        if len(problems) == had_problems:  # a misspelt or broken "other" has had its own
            problem(f'"{key}" has no "other" form; it is used for every number that has '
                    "no form of its own", f'add a line `other: "..."` under {key}')
        return None
    return forms


def _read_entry(name: str, node: yaml.Node, problem: Callable[..., None]) -> str | None:
    if not isinstance(node, yaml.ScalarNode):
        problem(f'"{name}" must be a text, not {_shape(node)}', None, at=node)
        return None
    return _read_text(name, node, lambda message, hint, severity=ERROR, at=None:
                      problem(message, hint, severity, at=at or node))


def _read_text(key: str, node: yaml.ScalarNode, problem: Callable[..., None]) -> str | None:
    """A scalar as the text it was written as: `404` stays "404", `no` stays "no"."""
    if node.tag == _NULL_TAG:
        problem(f'"{key}" has no text', 'write the text after the colon, or delete the line '
                "to use the English text")
        return None
    text: str = node.value
    if key in LANGUAGE_ONLY:
        legacy = _legacy_date_format(text)
        if legacy is not None:
            problem(f'the date format "{text}" is in the old {{day}} {{month}} {{year}} form; '
                    f'goldstar reads it as the CLDR pattern "{legacy}"',
                    f'write `date_format: "{legacy}"`, or delete the line to use the '
                    "language's own long date", WARNING)
            return legacy
        return text
    try:
        _placeholders(text)
    except ValueError as exc:
        problem(f'the text of "{key}" has braces that cannot be filled in: {exc}',
                "a placeholder is a name in braces, like {count}; write {{ or }} "
                "for a brace that should show")
        return None
    return text


def _legacy_date_format(text: str) -> str | None:
    """`{day} {month} {year}` (goldstar's old date format) as a CLDR pattern, else None."""
    if "{" not in text:
        return None
    pattern = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if literal:
            pattern.append("'" + literal.replace("'", "''") + "'"
                           if re.search(r"[A-Za-z']", literal) else literal)
        if name is not None:
            if name not in _LEGACY_DATE_FIELDS:
                return None
            pattern.append(_LEGACY_DATE_FIELDS[name])
    return "".join(pattern)


def _shape(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a group of keys"
    return "a single text"


# Formatting ------------------------------------------------------------------


def _babel_id(code: str) -> str:
    return code.replace("-", "_")


class Language:
    """UI strings and CLDR formats of one language: the renderer's `t`, `|date`, `|number`.

    Every formatter keeps what it made: a site shows the same few hundred dates
    and numbers on thousands of pages, and a Babel call costs many times a dict
    lookup. Babel is imported on first use.
    """

    def __init__(self, code: str, strings: Mapping[str, Any],
                 known: Mapping[str, Any] | None = None) -> None:
        """`known`: what an earlier build formatted (see `made`), so that a build
        rendering a few pages finds its dates and numbers without Babel."""
        self.code = code
        self.strings = dict(strings)
        self._locale: Any = None
        self._dates: dict[tuple[Any, str | None], str] = {}
        self._date_patterns: dict[str | None, Any] = {}
        self._numbers: dict[tuple[Any, int], str] = {}
        self._number_patterns: dict[int, Any] = {}
        self._plurals: dict[Any, str] = {}
        self._names: dict[tuple[str, str, str], list[str]] = {}
        if known:
            self._learn(known)

    def made(self) -> dict[str, Any]:
        """The dates, whole numbers and plural categories formatted so far, as
        JSON-able rows for the artifact store (namespaced by language, date
        format and Babel's version)."""
        return {
            "dates": [[d.isoformat(), f or "", text] for (d, f), text in self._dates.items()
                      if type(d) is dt.date and (f is None or type(f) is str)][:MADE_KEPT],
            "numbers": [[n, digits, text] for (n, digits), text in self._numbers.items()
                        if type(n) is int][:MADE_KEPT],
            "plurals": [[n, c] for n, c in self._plurals.items() if type(n) is int][:MADE_KEPT],
        }

    def _learn(self, known: Mapping[str, Any]) -> None:
        """Take rows of `made` (from the store: checked, not trusted)."""
        try:
            for iso, form, text in known.get("dates", ()):
                self._dates[(dt.date.fromisoformat(iso), form or None)] = str(text)
            for number, digits, text in known.get("numbers", ()):
                if type(number) is int and type(digits) is int:
                    self._numbers[(number, digits)] = str(text)
            for number, category in known.get("plurals", ()):
                if type(number) is int and category in PLURAL_CATEGORIES:
                    self._plurals[number] = category
        except (TypeError, ValueError):
            self._dates, self._numbers, self._plurals = {}, {}, {}

    @property
    def locale(self) -> Any:
        """Babel's Locale for the code (loaded on first use)."""
        if self._locale is None:
            from babel import Locale, UnknownLocaleError

            try:
                self._locale = Locale.parse(_babel_id(self.code))
            except (UnknownLocaleError, ValueError):
                raise ValueError(validate_language(self.code)) from None
        return self._locale

    def prepare(self) -> None:
        """Import Babel and load the language's CLDR data now, for the default
        date format, integers and plural rules. Call it before forking render
        workers, so that they inherit it instead of each loading it again."""
        self.format_date(_SAMPLE_DATE)
        self.format_integer(0)
        self.plural_category(0)

    def t(self, key: str, /, **values: Any) -> str:
        """The UI string `key` with its {placeholders} filled in.

        Plural forms are picked by `count` with the language's CLDR plural
        rules (a form the file lacks falls back to `other`). An int `count` is
        shown the language's way ("1.000 pogingen"): it is the quantity the
        sentence counts. Every other value is shown as given, so attempt and
        page numbers (identifiers, and late-bound placeholders while serving)
        stay as they are; pass a quantity through `|number` to group its digits.
        """
        try:
            text = self.strings[key]
        except KeyError:
            close = difflib.get_close_matches(key, self.strings, n=1, cutoff=0.75)
            raise StringError(f'the theme has no UI string "{key}"'
                              + (f'; did you mean "{close[0]}"?' if close else "")) from None
        # A text without a count never touches Babel: the planner may call this too.
        if not isinstance(text, str):
            text = self._form(key, text, values)
        count = values.get("count")
        if type(count) is int:  # not bool, not a late-bound number
            values["count"] = self.format_integer(count)
        if "{" not in text and "}" not in text:
            return text
        try:
            return text.format(**values)
        except KeyError as exc:
            given = ", ".join(sorted(values)) or "none"
            raise StringError(f'the UI string "{key}" needs a value for {{{exc.args[0]}}} '
                              f"(the template gave: {given})") from None
        except (IndexError, ValueError, AttributeError) as exc:
            raise StringError(f'the UI string "{key}" cannot be filled in: {exc}') from None

    def _form(self, key: str, forms: Mapping[str, str], values: Mapping[str, Any]) -> str:
        if key in TABLES:
            raise StringError(f'"{key}" is a table of texts for goldstar, not a UI string')
        if "count" not in values:
            raise StringError(f'the UI string "{key}" has plural forms: pass the number '
                              f"they count, like t('{key}', count=n)")
        text = forms.get(self.plural_category(values["count"])) or forms.get("other")
        if text is None:
            raise StringError(f'the UI string "{key}" has no "other" form')
        return text

    def plural_category(self, count: Any) -> str:
        """CLDR's plural category of a number in this language ("one", "few", ...).

        A Decimal keeps its visible digits (Decimal("1.0") is "other" in
        English), so it is not kept: it would share a key with 1."""
        if type(count) is not int and type(count) is not float:
            return self._plural_category(count)
        try:
            return self._plurals[count]
        except KeyError:
            category = self._plurals[count] = self._plural_category(count)
            return category

    def _plural_category(self, count: Any) -> str:
        if isinstance(count, bool) or not isinstance(count, int | float | decimal.Decimal):
            raise StringError(f"count must be a number, not {count!r}")
        category: str = self.locale.plural_form(count)
        return category

    def format_integer(self, value: Any) -> str:
        """A whole number with the language's digit grouping: 1,000 / 1.000 / 1 000."""
        return self.format_number(value, 0)

    def format_number(self, value: Any, digits: int = 1) -> str:
        """A number with exactly `digits` decimals, grouped and rounded half up the
        language's way: 1,234.5 / 1.234,5. Rounding half up because readers do
        (2.25 -> 2.3), where Babel alone would round half to even."""
        key = (value, digits)
        try:
            return self._numbers[key]
        except KeyError:
            pass
        except TypeError:
            return self._format_number(value, digits)
        text = self._numbers[key] = self._format_number(value, digits)
        return text

    def _format_number(self, value: Any, digits: int) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal | str):
            raise ValueError(f"number: {value!r} is not a number")
        try:
            number = decimal.Decimal(value if isinstance(value, int | decimal.Decimal)
                                     else str(value).strip())
        except decimal.InvalidOperation:
            raise ValueError(f'number: "{value}" is not a number') from None
        pattern = self._number_patterns.get(digits)
        if pattern is None:
            pattern = self._number_patterns[digits] = self._number_pattern(digits)
        with decimal.localcontext() as context:
            context.rounding = decimal.ROUND_HALF_UP
            text: str = pattern.apply(number, self.locale)
        return text

    def _number_pattern(self, digits: int) -> Any:
        """The language's decimal pattern with exactly `digits` fraction digits."""
        import copy

        from babel.numbers import parse_pattern

        if digits < 0:
            raise ValueError(f"number: digits must be 0 or more, not {digits}")
        pattern = copy.copy(parse_pattern(self.locale.decimal_formats[None]))
        pattern.frac_prec = (digits, digits)
        return pattern

    def format_date(self, value: Any, format: str | None = None) -> str:
        """A date in words: "14 March 2026", "14 maart 2026", "14. März 2026".

        `value` is a date, a datetime (its date is shown) or an ISO text.
        `format` is a CLDR pattern ("d MMM y", "LLLL y") or a style (short,
        medium, long, full); by default the language's own `date_format`
        string, else its long style.
        """
        try:
            return self._dates[(value, format)]
        except KeyError:
            pass
        except TypeError:  # unhashable, so not a date either
            _as_date(value)  # raises with the message
        text: str = self._date_pattern(format).apply(_as_date(value), self.locale)
        self._dates[(value, format)] = text
        return text

    def _date_pattern(self, format: str | None) -> Any:
        pattern = self._date_patterns.get(format)
        if pattern is None:
            from babel.dates import parse_pattern

            wanted = format or self.strings.get("date_format") or DEFAULT_DATE_FORMAT
            try:
                if wanted in DATE_STYLES:
                    pattern = self.locale.date_formats[wanted]
                else:
                    pattern = parse_pattern(wanted)
                pattern.apply(_SAMPLE_DATE, self.locale)
            except (AttributeError, KeyError, ValueError, TypeError) as exc:
                raise ValueError(_date_format_message(wanted, exc)) from None
            self._date_patterns[format] = pattern
        return pattern

    def month_names(self, width: str = "wide", context: str = "stand-alone") -> list[str]:
        """January..December in the language; width wide, abbreviated or narrow.

        Stand-alone by default, the form for a chart axis or a heading; "format"
        is the form inside a date (Polish "marca" against "marzec")."""
        return self._calendar_names("months", width, context)

    def weekday_names(self, width: str = "wide", context: str = "stand-alone") -> list[str]:
        """Monday..Sunday in the language; width wide, abbreviated, short or narrow."""
        return self._calendar_names("days", width, context)

    def _calendar_names(self, kind: str, width: str, context: str) -> list[str]:
        key = (kind, width, context)
        names = self._names.get(key)
        if names is None:
            from babel import dates

            getter = dates.get_month_names if kind == "months" else dates.get_day_names
            try:
                found = getter(width, context, self.locale)  # type: ignore[arg-type]
            except KeyError:
                raise ValueError(f'{kind}: unknown width "{width}" or context "{context}"; '
                                 "widths are wide, abbreviated, narrow (and short for days), "
                                 "contexts format and stand-alone") from None
            names = self._names[key] = [found[i] for i in sorted(found)]
        return list(names)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueError(f'date: {value!r} is not a date (expected a date like "2026-03-14")')


def _date_format_message(wanted: str, exc: Exception) -> str:
    text = f'the date format "{wanted}" cannot format a date'
    if isinstance(exc, AttributeError):  # a time field: H, h, m, s, a, ...
        text += " (it asks for a time of day; mm is minutes, MM is the month)"
    elif str(exc):
        text += f" ({exc})"
    return text


# Languages ---------------------------------------------------------------------


def known_languages() -> list[str]:
    """Every language code Babel has data for, like `nl`, `de-AT`, `pt-BR`."""
    from babel.localedata import locale_identifiers

    return sorted(code.replace("_", "-") for code in locale_identifiers() if code != "root")


def validate_language(code: str) -> str | None:
    """None when Babel knows `code` and it is written as web pages and file names
    expect (`nl`, `de-AT`, `zh-Hant`); else what is wrong, in words for a person."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(_babel_id(code))
    except (UnknownLocaleError, ValueError, TypeError):
        return (f'language "{code}" is not a language code goldstar knows; use a code like '
                '"en", "nl", "de" or "pt-BR"')
    written = _written(code)
    if written != code:
        return (f'write the language "{code}" as "{written}": the strings file is found by '
                f"that name ({written}.yml), and web pages expect it")
    return None


def _written(code: str) -> str:
    """BCP 47's spelling: language lower case, script title case, region upper case."""
    parts = re.split(r"[-_]", code)
    spelled = [parts[0].lower()]
    for part in parts[1:]:
        spelled.append(part.title() if len(part) == 4 else part.upper() if len(part) <= 3
                       else part.lower())
    return "-".join(spelled)


def language_hint(code: str) -> str:
    """A did-you-mean for an unknown code: by English name ("Dutch" -> nl) or by spelling."""
    from babel import Locale

    english_names = Locale("en").languages
    wanted = code.strip().lower()
    known = known_languages()
    for found, name in english_names.items():
        if name.lower() == wanted and found in known:
            return f'did you mean "{found}" ({name})?'
    base = language_chain(code)[-1].lower()
    if base != wanted and base in known:  # a region Babel has no data for
        return f'did you mean "{base}" ({english_names.get(base, base)})?'
    # Spelling: among the two-letter languages, where the widely used ones are;
    # the thousand rarer codes make noise of any typo.
    common = [k for k in known if len(k) == 2]
    close = difflib.get_close_matches(wanted, common, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}" ({english_names.get(close[0], close[0])})?'
    return ("use the two-letter code of the language: en (English), nl (Dutch), de (German), "
            "fr (French), es (Spanish), ...")


# Checks that need CLDR ---------------------------------------------------------


def check_strings(loaded: LoadedStrings) -> list[Problem]:
    """What Babel can tell about the language's own strings, at their lines.

    Plural forms that the language uses but a text lacks (Polish needs few and
    many), forms it never uses, and a date_format that cannot format a date.
    Imports Babel: call it where the site is rendered. An unknown language
    code gives nothing here; validate_language reports it.
    """
    if validate_language(loaded.language) is not None:
        return []
    language = Language(loaded.language, loaded.strings)
    rule = language.locale.plural_form
    used = {*rule.tags, "other"}
    problems = []

    def name() -> str:  # only when there is something to say: it loads English's data
        return str(language.locale.get_display_name("en") or loaded.language)

    for key, value in loaded.strings.items():
        path, line = loaded.sources.get(key, ("", None))
        if key in loaded.from_english or key in TABLES or not isinstance(value, dict):
            continue
        for category in PLURAL_CATEGORIES:
            if category in used and category not in value:
                numbers = ", ".join(map(str, _plural_examples(rule, category)))
                problems.append(Problem(
                    path, line, None,
                    f'"{key}" has no "{category}" form, which {name()} uses'
                    + (f" for numbers like {numbers}" if numbers else "")
                    + '; those get the "other" text',
                    f'add a line `{category}: "..."` under {key}', WARNING))
            elif category in value and category not in used:
                problems.append(Problem(
                    path, line, None,
                    f'"{key}" has a "{category}" form, which {name()} never uses',
                    f"delete the {category} line; {name()} uses: "
                    + ", ".join(c for c in PLURAL_CATEGORIES if c in used), WARNING))
    if "date_format" in loaded.strings and "date_format" not in loaded.from_english:
        try:
            language.format_date(_SAMPLE_DATE)
        except ValueError as exc:
            path, line = loaded.sources.get("date_format", ("", None))
            problems.append(Problem(
                path, line, None, str(exc),
                "a CLDR pattern: d day, M or MM month number, MMM or MMMM its name, "
                "y year, EEEE weekday; other text in 'single quotes'. Or short, "
                "medium, long, full"))
    return problems


def _plural_examples(rule: Any, category: str, up_to: int = 1000, wanted: int = 4
                     ) -> list[int]:
    """The first few whole numbers in a plural category, to show a translator."""
    found = []
    for n in range(up_to + 1):
        if rule(n) == category:
            found.append(n)
            if len(found) == wanted:
                break
    return found
