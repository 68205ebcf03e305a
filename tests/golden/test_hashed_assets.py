"""Built sites link the theme's files by content-hashed names that stay put while
the bytes do; serve links the plain names (a CSS save re-renders no page)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kit import SMALL_SITE, run, write_site

from generator.build import BuildOptions
from generator.preview import Session

AS_OF = "2026-03-31"


def stylesheet_links(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)


def build(site: Path) -> str:
    result = run("build", "--site", site, "--as-of", AS_OF)
    assert result.code == 0, result.err
    return (site / "public" / "index.html").read_text(encoding="utf-8")


def test_pages_link_hashed_copies_that_hold_the_theme_files_bytes(tmp_path: Path) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    hrefs = stylesheet_links(build(site))
    assert [re.sub(r"\.[0-9a-f]{8}\.", ".HASH.", h) for h in hrefs] == [
        "/assets/style.HASH.css", "/assets/charts.HASH.css", "/assets/outcomes.HASH.css"]
    public = site / "public"
    theme_css = (Path(__file__).parents[2] / "themes/default/static/style.css").read_bytes()
    assert (public / hrefs[0].lstrip("/")).read_bytes() == theme_css
    assert (public / "static/style.css").read_bytes() == theme_css  # the stable name stays
    outcome_css = (public / hrefs[2].lstrip("/")).read_text(encoding="utf-8")
    assert ".badge.outcome-no { background-color:" in outcome_css


def test_hashed_names_stay_while_the_bytes_do_and_follow_a_change(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**SMALL_SITE, "content/site.yml": SMALL_SITE[
        "content/site.yml"] + "theme: mine\n", "themes/mine/static/custom.css": "h1{}\n"})
    first = stylesheet_links(build(site))
    assert first[-1].startswith("/assets/custom.")  # a theme's custom.css is linked last
    assert stylesheet_links(build(site)) == first
    (site / "themes/mine/static/custom.css").write_text("h1{color:red}\n", encoding="utf-8")
    second = stylesheet_links(build(site))
    assert second[:-1] == first[:-1] and second[-1] != first[-1]
    page = site / "public/attempts/2026-03-01-refill/index.html"
    assert second[-1] in page.read_text(encoding="utf-8")  # every page, not only the home
    assert not (site / "public" / first[-1].lstrip("/")).exists()  # the old copy is gone
    assert (site / "public" / second[-1].lstrip("/")).read_text() == "h1{color:red}\n"


def test_a_sub_path_site_links_its_hashed_copies_under_the_sub_path(tmp_path: Path) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    result = run("build", "--site", site, "--as-of", AS_OF,
                 "--base-url", "https://name.github.io/repo/")
    assert result.code == 0, result.err
    hrefs = stylesheet_links((site / "public/index.html").read_text(encoding="utf-8"))
    assert hrefs[0].startswith("/repo/assets/style.")


def test_serve_links_the_plain_names(tmp_path: Path) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    options = BuildOptions(site_dir=site, as_of=dt.date.fromisoformat(AS_OF), use_cache=False)
    contents = Session(options).build().contents
    html = contents["index.html"].decode()
    assert stylesheet_links(html) == ["/static/style.css", "/static/charts.css",
                                      "/static/outcomes.css"]
    assert "static/outcomes.css" in contents
