"""The README's theme example, taken from the README itself and built: one
template, one CSS rule and one string changed on top of the default theme."""

from __future__ import annotations

import re
from pathlib import Path

from kit import REPO, SMALL_SITE, run, write_site

BLOCK = re.compile(r"```(?:yaml|html|css)\n(?P<body>.*?)```", re.DOTALL)
PATH = re.compile(r"(themes/mine/\S+)")


def readme_theme_files() -> dict[str, str]:
    """Fenced blocks whose first line names a file under themes/mine/."""
    section = (REPO / "README.md").read_text("utf-8").split("## Themes\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    files = {}
    for match in BLOCK.finditer(section):
        first_line = match["body"].split("\n", 1)[0]
        found = PATH.search(first_line)
        if found:
            files[found[1]] = match["body"]
    return files


def test_the_readme_example_theme_changes_exactly_what_it_says(tmp_path: Path) -> None:
    files = readme_theme_files()
    assert sorted(files) == ["themes/mine/i18n/en.yml", "themes/mine/static/custom.css",
                             "themes/mine/templates/attempt.html", "themes/mine/theme.yml"]
    site = write_site(tmp_path, {**SMALL_SITE, **files, "content/site.yml":
                                 SMALL_SITE["content/site.yml"] + "theme: mine\n"})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0, result.err
    assert "warning" not in result.err, result.err
    public = site / "public"
    page = (public / "attempts/2026-03-01-refill/index.html").read_text("utf-8")
    assert '<footer class="attempt-footer">\n<p>Want to try one yourself?' in page
    assert "It took <strong>five seconds</strong>." in page  # the rest is the default's page
    assert 'rel="next"' in page
    css = re.findall(r'<link rel="stylesheet" href="/(assets/custom\.[0-9a-f]{8}\.css)">', page)
    assert css and ".attempt-footer { border-top" in (public / css[0]).read_text("utf-8")
    home = (public / "index.html").read_text("utf-8")
    assert ">Wins</a>" in home and "Highlight reel" not in home
