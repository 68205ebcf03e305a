"""Themes as a chain of folders: overriding one file, extends, strings merged key
by key, and the problems a theme can have, each at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from kit import SITE_YML, attempt, run, write_files

from generator.i18n import load_strings as load_theme_strings
from generator.problems import WARNING, display_path
from generator.themes import BASE_THEME, Theme, resolve_theme


def site_with(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_files(tmp_path, files)


def test_a_site_theme_of_one_file_falls_back_to_the_built_in_one(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "themes/mine/templates/page.html": "MINE {{ page.title }}\n",
        "themes/mine/static/extra.css": "p { color: red }\n"})
    theme, problems = resolve_theme(site, "mine")
    assert problems == [] and theme is not None
    assert theme.folders[0] == site / "themes" / "mine"
    assert theme.folders[-1].name == BASE_THEME
    static = dict(theme.static_files())
    assert static["static/extra.css"].parent == site / "themes" / "mine" / "static"
    assert "static/style.css" in static  # from the built-in theme


def test_a_one_template_override_reaches_the_built_site(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "content/site.yml": SITE_YML + "theme: mine\n",
        "content/attempts/a.md": attempt(),
        "content/pages/about.md": "---\ntitle: About\n---\nHi.\n",
        "themes/mine/templates/page.html": "MINE {{ page.title }}\n"})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0, result.err
    assert (site / "public" / "about" / "index.html").read_text() == "MINE About\n"
    assert "<!doctype html>" in (site / "public" / "index.html").read_text()


def test_extends_chains_themes_and_strings_merge_key_by_key(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "themes/child/theme.yml": "extends: middle\n",
        "themes/child/i18n/en.yml": "nav_home: Start\n",
        "themes/middle/theme.yml": "extends: default\n",
        "themes/middle/i18n/en.yml": "nav_home: Middle\nnav_tags: Labels\n"})
    theme, problems = resolve_theme(site, "child")
    assert problems == [] and theme is not None
    assert [f.name for f in theme.folders] == ["child", "middle", "default"]
    strings, problems = load_strings(theme, "en", site)
    assert [p for p in problems if p.is_error] == []
    assert (strings["nav_home"], strings["nav_tags"]) == ("Start", "Labels")
    assert strings["nav_archive"] == "All attempts"  # from the built-in theme


def test_a_site_theme_named_like_a_built_in_one_may_extend_it(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"themes/default/theme.yml": "extends: default\n",
                                "themes/default/i18n/en.yml": "nav_home: Mine\n"})
    theme, problems = resolve_theme(site, "default")
    assert problems == [] and theme is not None
    assert len(theme.folders) == 2 and theme.folders[1] != site / "themes" / "default"
    assert load_strings(theme, "en", site)[0]["nav_home"] == "Mine"


def test_a_cycle_is_an_error_at_the_extends_line(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"themes/a/theme.yml": "# a\nextends: b\n",
                                "themes/b/theme.yml": "extends: a\n"})
    theme, problems = resolve_theme(site, "a")
    assert theme is None
    assert [p.format() for p in problems] == [
        "themes/b/theme.yml:1:10: error: themes extend each other in a circle: a → b → a\n"
        "  hint: one of them must not extend the other"]


def test_an_unknown_parent_is_an_error_with_a_did_you_mean(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"themes/a/theme.yml": "extends: defualt\n"})
    theme, problems = resolve_theme(site, "a")
    assert theme is None
    assert problems[0].location() == "themes/a/theme.yml:1:10"
    assert problems[0].hint == 'did you mean "default"?'


def test_an_unknown_theme_setting_is_a_warning(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"themes/a/theme.yml": "extends: default\ncolour: red\n"})
    theme, problems = resolve_theme(site, "a")
    assert theme is not None
    assert [(p.location(), p.severity) for p in problems] == [
        ("themes/a/theme.yml:2:1", WARNING)]


def load_strings(theme: Theme, language: str, site: Path) -> tuple[dict, list]:
    loaded = load_theme_strings(theme.subfolders("i18n"), language,
                                lambda path: display_path(path, site))
    return loaded.strings, loaded.problems


@pytest.mark.parametrize(("text", "where"), [
    ("nav_tags: Tags\nnav_home: [unclosed\n", "themes/a/i18n/en.yml:2"),
    ("- a list\n- not a mapping\n", "themes/a/i18n/en.yml:1"),
    (b"nav_home: caf\xe9\n", "themes/a/i18n/en.yml:1"),
])
def test_a_broken_strings_file_is_a_problem_at_its_line(
        tmp_path: Path, text: str | bytes, where: str) -> None:
    site = site_with(tmp_path, {"themes/a/theme.yml": "extends: default\n"})
    (site / "themes" / "a" / "i18n").mkdir(parents=True)
    path = site / "themes" / "a" / "i18n" / "en.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    theme, _ = resolve_theme(site, "a")
    assert theme is not None
    _, problems = load_strings(theme, "en", site)
    assert [p.location().rsplit(":", 1)[0] if p.column else p.location()
            for p in problems] == [where]
    assert problems[0].is_error


def test_a_child_template_can_extend_its_parents_version_of_itself(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "content/site.yml": SITE_YML + "theme: child\n",
        "content/attempts/a.md": attempt(title="Asked"),
        "themes/child/theme.yml": "extends: middle\n",
        "themes/child/templates/attempt.html":
            '{% extends "middle:attempt.html" %}\n'
            '{% block attempt_footer %}<footer class="child">{{ super() }}CHILD</footer>'
            '{% endblock %}\n',
        "themes/middle/theme.yml": "extends: default\n",
        "themes/middle/templates/attempt.html":
            '{% extends "default:attempt.html" %}\n'
            "{% block attempt_footer %}MIDDLE{% endblock %}\n"})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0, result.err
    html = (site / "public/attempts/a/index.html").read_text(encoding="utf-8")
    assert '<footer class="child">MIDDLE' in html and "CHILD</footer>" in html
    assert "</article>" in html and "<h1>" in html  # the rest is the default's page


def test_a_site_theme_named_default_can_extend_the_built_in_page(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "content/site.yml": SITE_YML,
        "content/attempts/a.md": attempt(title="Asked"),
        "themes/default/templates/attempt.html":
            '{% extends "default:attempt.html" %}\n'
            "{% block attempt_footer %}MINE{% endblock %}\n"})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0, result.err
    assert "MINE" in (site / "public/attempts/a/index.html").read_text(encoding="utf-8")


def test_extending_an_unknown_themes_template_is_an_error_at_its_line(tmp_path: Path) -> None:
    site = site_with(tmp_path, {
        "content/site.yml": SITE_YML + "theme: child\n",
        "content/attempts/a.md": attempt(),
        "themes/child/templates/attempt.html": '\n{% extends "nosuch:attempt.html" %}\n'})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 1
    assert 'themes/child/templates/attempt.html:2: error: template error: the template ' \
           '"nosuch:attempt.html" it includes or extends was not found' in result.err
