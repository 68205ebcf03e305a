"""Hostile or unlucky input through the command line: one row per defect of issue 12.

Each case builds a good site first, then adds its files, and runs `build`,
`check` and `stats` in this process. None may raise (an exception escaping
main is a traceback for the person). A case that must fail pins its lines
and leaves public/ byte for byte as it was; a case that must work leaves a
site whose feed, sitemap, stats.json and pages can be read.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from kit import SITE_YML, attempt, run, tree, write_files

from generator import sources

GOOD = {
    "content/site.yml": SITE_YML,
    "content/attempts/a.md": attempt("First", "2026-03-01"),
    "content/attempts/b.md": attempt("Second", "2026-03-02", "yes"),
}
AS_OF = ("--as-of", "2026-03-31")


def bomb(key: str) -> str:
    """A billion laughs in front matter or YAML: each anchor repeats the last ten times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\n{key}: *a9\n"


def link(target: str) -> Any:
    return lambda path: os.symlink(target, path)


# name: (files to add (text, or a function that makes the file at a path),
#        command-line arguments, environment, exit code of build and check, lines)
CASES: dict[str, tuple[dict[str, Any], tuple[str, ...], dict[str, str], int, list[str]]] = {
    # --- It hangs or eats the memory
    "alias bomb in date": (
        {"content/attempts/c.md": "---\ntitle: x\noutcome: no\n" + bomb("date") + "---\n"},
        AS_OF, {}, 1,
        ["content/attempts/c.md:7:1: error: YAML aliases (`*name`) here repeat more than "
         "10,000 values"]),
    "alias bomb in outcome": (
        {"content/attempts/c.md": "---\ntitle: x\ndate: 2026-03-03\n" + bomb("outcome")
         + "---\n"},
        AS_OF, {}, 1, ["content/attempts/c.md:7:1: error: YAML aliases"]),
    "alias bomb in site.yml": (
        {"content/site.yml": SITE_YML + bomb("author")},
        AS_OF, {}, 1, ["content/site.yml:12:1: error: YAML aliases"]),
    "alias bomb in a strings file": (
        {"themes/default/i18n/en.yml": bomb("nav_home")},
        AS_OF, {}, 1, ['themes/default/i18n/en.yml:11:1: error: "nav_home" must be a text, '
                       "not a list"]),
    "a link to /dev/zero": (
        {"content/attempts/zero.md": link("/dev/zero")},
        AS_OF, {}, 0, ["content/attempts/zero.md: warning: is a link to something outside"]),
    "a FIFO": (
        {"content/attempts/pipe.md": os.mkfifo},
        AS_OF, {}, 0, ["content/attempts/pipe.md: warning: is not a regular file"]),
    "a file over the size limit": (
        {"content/attempts/c.md": attempt() + "x" * (11 * 1024 * 1024)},
        AS_OF, {}, 1, ["content/attempts/c.md: error: is 11.0 MB, more than the limit of "
                       "10 MB for one file", "raise `max_file_mb:` in site.yml"]),
    "the size limit raised with max_file_mb": (
        {"content/attempts/c.md": attempt() + "x" * (11 * 1024 * 1024),
         "content/site.yml": SITE_YML + "max_file_mb: 20\n"},
        AS_OF, {}, 0, []),
    # --- Plausible settings crash every command
    "goal of a million": (
        {"content/site.yml": SITE_YML.replace("goal: 10", "goal: 1000000")}, AS_OF, {}, 0, []),
    "ghost_after_days of a million": (
        {"content/site.yml": SITE_YML + "  ghost_after_days: 1000000\n"}, AS_OF, {}, 0, []),
    "as of the first day of the calendar": ({}, ("--as-of", "0001-01-01"), {}, 0, []),
    "as of the last day of the calendar": ({}, ("--as-of", "9999-12-31"), {}, 0, []),
    "SOURCE_DATE_EPOCH that is not a number": (
        {}, (), {"SOURCE_DATE_EPOCH": "yesterday"}, 1,
        ['SOURCE_DATE_EPOCH: error: "yesterday" is not a moment goldstar can use']),
    "SOURCE_DATE_EPOCH of 5,000 digits": (
        {}, (), {"SOURCE_DATE_EPOCH": "9" * 5000}, 1, ["SOURCE_DATE_EPOCH: error: "]),
    # --- More tracebacks where a path:line error belongs
    "an offset past the end of the calendar": (
        {"content/attempts/c.md": attempt(date="9999-12-31T23:00:00-05:00")}, AS_OF, {}, 1,
        ["content/attempts/c.md:3:7: error: date 9999-12-31T23:00:00-05:00 falls outside "
         "the calendar"]),
    "an offset before the start of the calendar": (
        {"content/attempts/c.md": attempt(date="0001-01-01T00:30:00+01:00")}, AS_OF, {}, 1,
        ["content/attempts/c.md:3:7: error: date 0001-01-01T00:30:00+01:00 falls outside"]),
    "!!int abc": (
        {"content/attempts/c.md": attempt(extra="category: !!int abc\n")}, AS_OF, {}, 1,
        ['content/attempts/c.md:5:11: error: front matter: "abc" is not a whole number, as '
         "`!!int` in front of it says", "  hint: remove `!!int`"]),
    "!!python/object": (
        {"content/attempts/c.md": attempt(extra="extra: !!python/object:os.system ls\n")},
        AS_OF, {}, 1, ["content/attempts/c.md:5:8: error: front matter is not valid YAML: "
                       "could not determine a constructor"]),
    "!!binary where text belongs": (
        {"content/attempts/c.md": attempt(extra="ask: !!binary aGVsbG8=\n")}, AS_OF, {}, 1,
        ["content/attempts/c.md:5:6: error: ask must be a single line of text, not another "
         "kind of value"]),
    "a number of 5,000 digits": (
        {"content/attempts/c.md": attempt(extra="extra:\n  n: " + "9" * 5000 + "\n")},
        AS_OF, {}, 1, ["content/attempts/c.md:6:6: error: front matter: this number has more "
                       "than 4,300 digits"]),
    "slug: index.html": (
        {"content/attempts/c.md": attempt(extra="slug: index.html\n")}, AS_OF, {}, 1,
        ["content/attempts/c.md: error: the page of content/attempts/c.md would be written "
         "to attempts/index.html/index.html, inside a folder attempts/index.html/, but the "
         "archive is the file attempts/index.html"]),
    "a page file index.html.md": (
        {"content/pages/index.html.md": "---\ntitle: Home?\n---\nHi.\n"}, AS_OF, {}, 1,
        ["content/pages/index.html.md: error: the page of content/pages/index.html.md would "
         "be written to index.html/index.html, inside a folder index.html/, but the home "
         "page is the file index.html"]),
    "a slug of 300 characters": (
        {"content/attempts/c.md": attempt(extra="slug: " + "a" * 300 + "\n")}, AS_OF, {}, 1,
        ["content/attempts/c.md:5:7: error: slug \"" + "a" * 57 + '..." is 300 characters '
         "long; an address may have at most 150"]),
    "a tag and a category of 300 characters": (
        {"content/attempts/c.md": attempt(extra=f"tags: [{'t' * 300}]\ncategory: {'c' * 300}\n")},
        AS_OF, {}, 0, []),
    "an unreadable file": (
        {"content/attempts/locked.md": attempt("Locked")}, AS_OF, {}, 1,
        ["content/attempts/locked.md: error: cannot be read: you do not have permission"]),
    "a link loop": (
        {"content/attempts/loop.md": link("loop.md")}, AS_OF, {}, 1,
        ["content/attempts/loop.md: error: is a link that leads back to itself (a loop)"]),
    "a link to nowhere": (
        {"content/attempts/gone.md": link("moved.md")}, AS_OF, {}, 1,
        ["content/attempts/gone.md: error: is a link to moved.md, which does not exist"]),
    "a heading string whose braces do not fit": (
        {"themes/default/i18n/en.yml": "outcome_heading: '{}'\ntag_heading: 'Tag {label}'\n"},
        AS_OF, {}, 1,
        ['themes/default/i18n/en.yml:1:1: error: the text of "outcome_heading" has braces '
         "that cannot be filled in: a placeholder needs a name",
         'themes/default/i18n/en.yml:2:1: error: the text of "tag_heading" uses {label}']),
    "a theme stylesheet where goldstar writes its own": (
        {"themes/default/static/outcomes.css": "p { color: red; }\n"}, AS_OF, {}, 1,
        ["goldstar's own /static/outcomes.css and the theme's static/outcomes.css would both "
         "be written to static/outcomes.css"]),
    "a heading string that YAML reads as a group": (
        {"themes/default/i18n/en.yml": "category_heading: {}\n"}, AS_OF, {}, 1,
        ['themes/default/i18n/en.yml:1:1: error: "category_heading" must be']),
    "a theme name longer than a folder name may be": (
        {"content/site.yml": SITE_YML + "theme: " + "t" * 300 + "\n"}, AS_OF, {}, 1,
        ['content/site.yml:9:8: error: theme "ttttt']),
    "a parent theme name longer than a folder name may be": (
        {"content/site.yml": SITE_YML + "theme: mine\n",
         "themes/mine/theme.yml": "extends: " + "t" * 300 + "\n"}, AS_OF, {}, 1,
        ['themes/mine/theme.yml:1:10: error: the theme "ttttt']),
    # --- Wrong output with exit 0
    "a control character in a recent title": (
        {"content/attempts/c.md": attempt('"Bell \\a and \\x01"', "2026-03-03")}, AS_OF, {}, 0,
        ["content/attempts/c.md:2:8: warning: title holds an invisible control character"]),
    "a control character in a recent story": (
        {"content/attempts/c.md": attempt("Story", "2026-03-03", body="One\x0btwo\x1b.\n")},
        AS_OF, {}, 0,
        ["content/attempts/c.md:6:4: warning: this line holds an invisible control character "
         "(U+000B)"]),
    "tags that used to share an address": (
        {"content/attempts/c.md": attempt(extra="tags: [日本語, Москва, C++, C#, c]\n")},
        AS_OF, {}, 0, []),
    # --- Confined names
    "an attempt file named con.md": ({"content/attempts/con.md": attempt()}, AS_OF, {}, 0, []),
    "tags Windows reserves": (
        {"content/attempts/c.md": attempt(extra="tags: [con, nul.txt, 'aux.', lpt1]\n")},
        AS_OF, {}, 0, []),
    "a slug ending in a dot": (
        {"content/attempts/c.md": attempt(extra="slug: abc.\n")}, AS_OF, {}, 1,
        ['content/attempts/c.md:5:7: error: slug "abc." ends in a dot']),
    "an outcome named aux": (
        {"content/site.yml": SITE_YML + "outcomes:\n  no:\n  aux:\n"}, AS_OF, {}, 1,
        ['content/site.yml:11:3: error: outcome name "aux" is a name Windows keeps']),
}


def _add(site: Path, files: dict[str, Any]) -> None:
    for rel, content in files.items():
        if rel.startswith("themes/default/") and not (site / "themes" / "default").exists():
            _theme_copy(site)
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            path.unlink(missing_ok=True)
            content(path)
        else:
            path.write_text(content, encoding="utf-8")


def _theme_copy(site: Path) -> None:
    """The built-in theme as the site's own, to break one of its files."""
    import shutil

    from generator.themes import resolve_theme

    theme, _ = resolve_theme(Path("/nonexistent"), "default")
    assert theme is not None
    shutil.copytree(theme.root, site / "themes" / "default")


def _refuse_locked_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, whom chmod does not stop: refuse `locked.md` like a system would."""
    real_open = os.open

    def open_refusing(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sources.os, "open", open_refusing)


class StrictHTML(HTMLParser):
    """html.parser, counting what it can tell is broken: stray end tags."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        else:
            self.errors.append(f"stray </{tag}>")


def assert_readable_site(public: Path) -> None:
    """Every file a reader or a crawler takes in can be parsed."""
    import feedparser

    feed = feedparser.parse((public / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    ET.fromstring((public / "feed.xml").read_bytes())
    ET.fromstring((public / "sitemap.xml").read_bytes())
    json.loads((public / "stats.json").read_bytes())
    for name in tree(public):
        if name.endswith(".png"):  # social cards: binary, and checked as pictures elsewhere
            continue
        data = (public / name).read_bytes()
        assert not any(byte in data for byte in b"\x00\x01\x07\x0b\x1b"), name
        if name.endswith(".html"):
            parser = StrictHTML()
            parser.feed(data.decode("utf-8"))
            parser.close()
            assert parser.errors == [], (name, parser.errors)
        segments = name.split("/")
        assert all(len(s.encode()) <= 150 and not s.endswith((".", " ")) for s in segments)
        assert all(s.split(".")[0] not in {"con", "nul", "aux", "prn", "lpt1"} for s in segments)


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_is_a_line_to_fix_or_a_working_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    files, args, env, code, lines = CASES[case]
    site = write_files(tmp_path / "site", GOOD)
    first = run("build", "--site", site, *AS_OF, "--no-cache")
    assert first.code == 0, first.err
    public = site / "public"
    (public / "sentinel.txt").write_text("still here")
    before = {name: (public / name).read_bytes() for name in tree(public)}

    _add(site, files)
    _refuse_locked_files(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    checked = run("check", "--site", site, *args)
    built = run("build", "--site", site, *args, "--no-cache")
    counted = run("stats", "--site", site, *args, "--json")

    assert (checked.code, built.code) == (code, code), built.err
    assert counted.code in (0, 1)
    for line in lines:
        assert line in built.err, f"expected {line!r} in:\n{built.err}"
        assert line in checked.err, f"expected {line!r} in:\n{checked.err}"
    if code == 1:
        assert built.err.rstrip().endswith("public/ was left as it was.")
        after = {name: (public / name).read_bytes() for name in tree(public)}
        assert after == before
    else:
        assert_readable_site(public)
        if counted.code == 0:
            json.loads(counted.out)


def test_tags_that_used_to_share_an_address_get_a_list_each(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD, "content/attempts/c.md": attempt(extra="tags: [日本語, Москва, C++, C#, c]\n")})
    assert run("build", "--site", site, *AS_OF, "--no-cache").code == 0
    tags = site / "public" / "tags"
    assert sorted(p.name for p in tags.iterdir() if p.is_dir()) == [
        "c", "c-plus-plus", "c-sharp", "москва", "日本語"]
    page = (site / "public" / "attempts" / "c" / "index.html").read_text()
    for name in ("日本語", "Москва", "C++", "C#"):
        assert f">{name}</a>" in page
    assert "%E6%97%A5%E6%9C%AC%E8%AA%9E" in (site / "public" / "sitemap.xml").read_text()


def test_a_control_character_never_reaches_the_feed(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {
        **GOOD, "content/site.yml": SITE_YML + 'description: "Bell \\a"\n',
        "content/attempts/c.md": attempt('"Bell \\a"', "2026-03-03", body="x\x01y\n")})
    assert run("build", "--site", site, *AS_OF, "--no-cache").code == 0
    feed = (site / "public" / "feed.xml").read_bytes()
    assert b"Bell " in feed and b"xy" in feed
    assert_readable_site(site / "public")


def test_serve_reports_a_clash_keeps_its_pages_and_builds_again_once_it_is_fixed(
        tmp_path: Path) -> None:
    import datetime as dt

    from generator.preview import Session
    from generator.problems import BuildFailed
    from generator.site import BuildOptions

    site = write_files(tmp_path / "site", GOOD)
    session = Session(BuildOptions(site_dir=site, as_of=dt.date(2026, 3, 31), use_cache=False))
    session.build()
    shown = dict(session.pages)
    clash = write_files(site, {"content/attempts/c.md": attempt(extra="slug: index.html\n")})
    changed = clash / "content" / "attempts" / "c.md"
    with pytest.raises(BuildFailed) as failed:
        session.build({changed})
    assert [p.path for p in failed.value.problems if p.is_error] == ["content/attempts/c.md"]
    assert session.pages == shown  # the last good pages are what serve keeps showing
    changed.write_text(attempt(extra="slug: c-fixed\n"), encoding="utf-8")
    assert "attempts/c-fixed/index.html" in session.build({changed}).contents


def test_serve_reads_a_file_again_when_max_file_mb_is_raised(tmp_path: Path) -> None:
    import datetime as dt

    from generator.preview import Session
    from generator.problems import BuildFailed
    from generator.site import BuildOptions

    big = attempt("Big", "2026-03-03") + "x" * (11 * 1024 * 1024)
    site = write_files(tmp_path / "site", {**GOOD, "content/attempts/big.md": big})
    session = Session(BuildOptions(site_dir=site, as_of=dt.date(2026, 3, 31), use_cache=False))
    with pytest.raises(BuildFailed) as failed:
        session.build()
    assert [p.message[:7] for p in failed.value.problems] == ["is 11.0"]
    config = site / "content" / "site.yml"
    config.write_text(SITE_YML + "max_file_mb: 20\n", encoding="utf-8")
    assert "attempts/big/index.html" in session.build({config}).contents


def test_a_warm_build_moves_every_link_when_a_tag_gives_its_address_to_an_earlier_name(
        tmp_path: Path) -> None:
    from generator import addresses

    site = write_files(tmp_path / "site", {
        **GOOD, "content/attempts/early.md": attempt("Early", "2026-03-03", extra="tags: [x]\n"),
        "content/attempts/mid.md": attempt("Between them", "2026-03-04"),  # not neighbours
        "content/attempts/late.md": attempt("Late", "2026-03-05", extra="tags: [a b]\n")})
    assert run("build", "--site", site, *AS_OF).code == 0
    late = site / "public" / "attempts" / "late" / "index.html"
    assert 'href="/tags/a-b/"' in late.read_text()
    # the earlier attempt now uses a name that folds to the same address: it takes it
    write_files(site, {"content/attempts/early.md": attempt("Early", "2026-03-03",
                                                            extra="tags: [a.b]\n")})
    assert run("build", "--site", site, *AS_OF).code == 0
    coded = f"/tags/a-b-{addresses.code('a b')}/"
    assert f'href="{coded}"' in late.read_text()
    fresh = write_files(tmp_path / "fresh", {
        **GOOD, "content/attempts/early.md": attempt("Early", "2026-03-03",
                                                     extra="tags: [a.b]\n"),
        "content/attempts/mid.md": attempt("Between them", "2026-03-04"),
        "content/attempts/late.md": attempt("Late", "2026-03-05", extra="tags: [a b]\n")})
    assert run("build", "--site", fresh, *AS_OF, "--no-cache").code == 0
    for name in tree(fresh / "public"):
        if name != ".goldstar-manifest.json":
            assert (site / "public" / name).read_bytes() == (fresh / "public" / name).read_bytes()
    assert tree(site / "public") == tree(fresh / "public")
