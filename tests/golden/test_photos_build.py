"""Pictures beside attempts: published with the attempt, sized, kept private
with a private attempt, and a missing one is a warning at its line."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from pathlib import Path

from kit import SMALL_SITE, attempt, run, write_site
from PIL import Image

from generator.build import BuildOptions
from generator.preview import Session

AS_OF = "2026-03-31"


def png(width: int, height: int, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def photo_site(root: Path) -> Path:
    site = write_site(root, {
        **SMALL_SITE,
        "content/attempts/2026-03-05-cafe.md": attempt(
            "Asked the café", "2026-03-05",
            body="The menu:\n\n![The café's menu](cafe.png)\n\nAnd ![a sign](photos/sign.png).\n"),
        "content/attempts/2026-03-06-secret.md": attempt(
            "A private one", "2026-03-06", extra="private: true\n",
            body="![Private](secret.png)\n"),
        "content/attempts/2026-03-07-typo.md": attempt(
            "A typo", "2026-03-07", body="Text.\n\n![Oops](Cafe.PNG)\n"),
        "content/pages/about.md": "---\ntitle: About\n---\n![Me](me.png)\n"})
    (site / "content/attempts/cafe.png").write_bytes(png(40, 30))
    (site / "content/attempts/photos").mkdir()
    (site / "content/attempts/photos/sign.png").write_bytes(png(12, 20))
    (site / "content/attempts/secret.png").write_bytes(png(5, 5))
    (site / "content/pages/me.png").write_bytes(png(8, 8))
    return site


def build(site: Path, *extra: str) -> str:
    result = run("build", "--site", site, "--as-of", AS_OF, *extra)
    assert result.code == 0, result.err
    return result.err


def test_a_picture_is_published_beside_its_attempt_with_its_size(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    build(site)
    public = site / "public"
    page = (public / "attempts/2026-03-05-cafe/index.html").read_text("utf-8")
    assert ('<img src="/attempts/cafe.png" alt="The café\'s menu" width="40" height="30">'
            in page)
    assert '<img src="/attempts/photos/sign.png" alt="a sign" width="12" height="20">' in page
    assert (public / "attempts/cafe.png").read_bytes() == (
        site / "content/attempts/cafe.png").read_bytes()
    assert (public / "attempts/photos/sign.png").is_file()
    about = (public / "about/index.html").read_text("utf-8")
    assert '<img src="/pages/me.png" alt="Me" width="8" height="8">' in about


def test_a_private_attempt_s_picture_is_not_published(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    build(site)
    assert not (site / "public/attempts/secret.png").exists()
    assert "secret" not in (site / "public/.goldstar-manifest.json").read_text("utf-8")


def test_a_missing_picture_is_a_warning_at_its_line_with_a_did_you_mean(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    err = build(site)
    assert ('content/attempts/2026-03-07-typo.md:8: warning: the picture "Cafe.PNG" was not '
            'found (looked for content/attempts/Cafe.PNG)\n  hint: did you mean "cafe.png"?'
            in err)
    assert "no such page" not in err  # pictures are not pages: one warning, not two


def test_a_changed_picture_gives_its_page_the_new_size(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    build(site)
    (site / "content/attempts/cafe.png").write_bytes(png(100, 50, "blue"))
    build(site)
    page = (site / "public/attempts/2026-03-05-cafe/index.html").read_text("utf-8")
    assert 'width="100" height="50"' in page
    assert (site / "public/attempts/cafe.png").read_bytes() == png(100, 50, "blue")


def test_a_picture_outside_content_or_linked_out_of_it_is_not_published(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {
        **SMALL_SITE,
        "content/attempts/2026-03-05-out.md": attempt(
            "Out", "2026-03-05", body="![a](../../outside.png)\n\n![b](linked.png)\n")})
    (tmp_path / "site/outside.png").write_bytes(png(4, 4))
    (tmp_path / "elsewhere.png").write_bytes(png(4, 4))
    os.symlink(tmp_path / "elsewhere.png", site / "content/attempts/linked.png")
    err = build(site)
    assert 'the picture "../../outside.png" is outside content/' in err
    assert 'the picture "linked.png" was not found' in err
    published = {p.name for p in (site / "public").rglob("*.png")}
    assert not published & {"outside.png", "linked.png", "elsewhere.png"}


def test_feeds_show_pictures_and_links_by_absolute_addresses(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    build(site, "--base-url", "https://name.github.io/repo/")
    feed = json.loads((site / "public/feed.json").read_text("utf-8"))
    cafe = next(i for i in feed["items"] if "café" in i["title"])
    assert 'src="https://name.github.io/repo/attempts/cafe.png"' in cafe["content_html"]
    atom = (site / "public/feed.xml").read_text("utf-8")
    assert "src=&#34;https://name.github.io/repo/attempts/cafe.png&#34;" in atom
    page = (site / "public/attempts/2026-03-05-cafe/index.html").read_text("utf-8")
    assert '<img src="/repo/attempts/cafe.png"' in page


def test_serve_shows_the_picture_and_its_changes(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    session = Session(BuildOptions(site_dir=site, as_of=dt.date.fromisoformat(AS_OF),
                                   use_cache=False))
    contents = session.build().contents
    assert contents["attempts/cafe.png"] == (site / "content/attempts/cafe.png").read_bytes()
    story = site / "content/attempts/2026-03-05-cafe.md"
    story.write_text(story.read_text("utf-8").replace("photos/sign.png", "cafe.png"), "utf-8")
    contents = session.build({story}).contents
    page = contents["attempts/2026-03-05-cafe/index.html"].decode()
    assert len(re.findall(r'<img src="/attempts/cafe.png"', page)) == 2
    assert "attempts/photos/sign.png" not in contents  # no story shows it any more


def test_serve_picks_up_a_picture_saved_again(tmp_path: Path) -> None:
    site = photo_site(tmp_path)
    session = Session(BuildOptions(site_dir=site, as_of=dt.date.fromisoformat(AS_OF),
                                   use_cache=False))
    session.build()
    picture = site / "content/attempts/cafe.png"
    picture.write_bytes(png(64, 48, "green"))
    contents = session.build({picture}).contents
    assert contents["attempts/cafe.png"] == png(64, 48, "green")
    assert 'width="64" height="48"' in contents["attempts/2026-03-05-cafe/index.html"].decode()
