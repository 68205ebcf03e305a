"""What a visitor gets to see and share: social cards, the badge, the JSON feed,
the lessons, the outcomes index, and nothing of a private attempt."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from kit import SITE_YML, attempt, run, write_files
from PIL import Image

from generator import derive_cards

AS_OF = "2026-03-31"
FILES = {
    "content/site.yml": SITE_YML,
    "content/attempts/2026-03-01-refill.md": attempt(
        "Asked for a free refill", "2026-03-01", extra="lesson: Just ask.\n"),
    "content/attempts/2026-03-02-secret.md": attempt(
        "A secret ask", "2026-03-02", extra="private: true\nlesson: SECRET LESSON\n"),
    "content/attempts/2026-03-03-raise.md": attempt(
        "Asked for a raise", "2026-03-03", "yes", extra="lesson: Ask with numbers.\n"),
    "content/attempts/2026-03-04-detour.md": attempt("Asked for a detour", "2026-03-04"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_files(tmp_path_factory.mktemp("sharing"), FILES)
    result = run("build", "--site", site, "--as-of", AS_OF)
    assert result.code == 0, result.err
    return site


def test_every_published_attempt_and_the_site_get_a_card(built: Path) -> None:
    cards = sorted(p.name for p in (built / "public" / "cards").iterdir())
    assert cards == ["2026-03-01-refill.png", "2026-03-03-raise.png",
                     "2026-03-04-detour.png", "site.png"]
    for name in cards:
        image = Image.open(io.BytesIO((built / "public" / "cards" / name).read_bytes()))
        assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "P")


def test_pages_unfurl_into_their_card(built: Path) -> None:
    page = (built / "public" / "attempts" / "2026-03-03-raise" / "index.html").read_text()
    assert '<meta property="og:image" content="https://example.org/cards/2026-03-03-raise.png">' \
        in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:url" content="https://example.org/attempts/2026-03-03-raise/">' \
        in page
    home = (built / "public" / "index.html").read_text()
    assert 'content="https://example.org/cards/site.png"' in home


def test_a_private_attempt_leaves_no_card_no_lesson_and_no_title(built: Path) -> None:
    for path in (built / "public").rglob("*"):
        if path.is_file() and path.suffix != ".png" and path.name != "stats.json":
            text = path.read_text("utf-8")
            assert "SECRET" not in text and "A secret ask" not in text, path
    assert not (built / "public" / "cards" / "2026-03-02-secret.png").exists()


def test_the_badge_is_svg_with_the_numbers_of_stats_json(built: Path) -> None:
    stats = json.loads((built / "public" / "stats.json").read_text())
    svg = ET.fromstring((built / "public" / "badge.svg").read_text())
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = [t.text for t in svg.iterfind(".//s:text", ns)]
    assert texts == ["nos", f"{stats['progress']}/{stats['goal']['target']}"]
    title = svg.find("s:title", ns)
    assert title is not None and title.text == f"nos: {stats['progress']} of 10"


def check_json_feed(data: dict) -> None:
    """The rules of JSON Feed 1.1 (jsonfeed.org/version/1.1) that apply to this feed.

    (feedparser, which the Atom tests use, reads no JSON Feed up to its latest
    release, 6.0.14, so the rules are checked here.)"""
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(data["title"], str) and data["title"]
    for key in ("home_page_url", "feed_url"):
        assert data[key].startswith("https://")
    assert all(isinstance(a["name"], str) for a in data["authors"])
    assert isinstance(data["items"], list)
    ids = [item["id"] for item in data["items"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) for i in ids)
    for item in data["items"]:
        assert "content_html" in item or "content_text" in item
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)",
                            item["date_published"])
        assert all(isinstance(tag, str) for tag in item["tags"])


def test_the_json_feed_is_json_feed_1_1_with_the_atom_feed_s_entries(built: Path) -> None:
    data = json.loads((built / "public" / "feed.json").read_text())
    check_json_feed(data)
    assert data["feed_url"] == "https://example.org/feed.json"
    atom = feedparser.parse((built / "public" / "feed.xml").read_bytes())
    assert [item["url"] for item in data["items"]] == [e.link for e in atom.entries]
    assert all(item["content_html"].startswith("<p>") for item in data["items"])
    assert '<link rel="alternate" type="application/feed+json" href="/feed.json"' in (
        built / "public" / "index.html").read_text()


def test_the_lessons_page_lists_every_published_lesson_newest_first(built: Path) -> None:
    page = (built / "public" / "lessons" / "index.html").read_text()
    assert page.index("Ask with numbers.") < page.index("Just ask.")
    assert "2 lessons" in page and 'href="/attempts/2026-03-03-raise/"' in page


def test_lists_say_how_many_they_hold_and_the_archive_where_a_number_is_private(
        built: Path) -> None:
    archive = (built / "public" / "attempts" / "index.html").read_text()
    assert "3 attempts" in archive and "#2 is private" in archive
    reel = (built / "public" / "outcomes" / "yes" / "index.html").read_text()
    assert "<h1>Highlight reel</h1>" in reel
    index = (built / "public" / "outcomes" / "index.html").read_text()
    assert re.search(r'href="/outcomes/no/">No</a> <span class="count">2 attempts', index)


def test_cards_false_draws_no_card_and_promises_none(tmp_path: Path) -> None:
    site = write_files(tmp_path, {**FILES, "content/site.yml": SITE_YML + "cards: false\n"})
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert not (site / "public" / "cards").exists()
    assert "og:image" not in (site / "public" / "index.html").read_text()


def test_cards_are_drawn_once_and_an_edit_draws_only_the_cards_it_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_files(tmp_path, FILES)
    drawn: list[str] = []
    draw = derive_cards.draw

    def counting(spec: derive_cards.CardSpec, strings: object) -> bytes:
        drawn.append(spec.title or "site")
        return draw(spec, strings)  # type: ignore[arg-type]

    monkeypatch.setattr(derive_cards, "draw", counting)
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert len(drawn) == 4
    drawn.clear()
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert drawn == []  # a warm build draws none
    raise_ = site / "content" / "attempts" / "2026-03-03-raise.md"
    raise_.write_text(raise_.read_text() + "\nA longer story.\n")
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert drawn == []  # the story is not on the card
    raise_.write_text(raise_.read_text().replace("Asked for a raise", "Asked for more"))
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert drawn == ["Asked for more"]
    drawn.clear()
    (site / "content" / "attempts" / "2026-03-05-new.md").write_text(
        attempt("A new one", "2026-03-05"))
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert sorted(drawn) == ["A new one", "site"]  # its own card and the site's
    drawn.clear()
    shutil.rmtree(site / "public")
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    assert drawn == []  # the store keeps them: a deleted public/ draws none again
