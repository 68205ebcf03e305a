"""A Dutch site speaks Dutch everywhere: no English word of the interface is left
in the page text, <title>, alt, aria-label and title attributes, meta
descriptions, feed titles, chart text, the badge, the 404 page or the cards.

The check: every word of the theme's English strings that Dutch does not
share (`Tags`, `Atom` and `JSON` are Dutch too) must not appear in what a Dutch
site publishes. The site's own text is Dutch, so any hit is the interface's.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from kit import REPO, run, write_site

from generator import derive, derive_cards, hashing, pages
from generator.build import aggregate, published_bodies
from generator.cache import ArtifactStore
from generator.cards import AttemptCard, SiteCard
from generator.site import BuildOptions, load_site

I18N = REPO / "themes" / "default" / "i18n"
AS_OF = "2026-03-30"
SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "aria-roledescription", "placeholder"}
META_SHOWN = {"description", "og:title", "og:description", "og:image:alt", "og:site_name",
              "twitter:title", "twitter:description"}

SITE_YML = """\
title: Honderd keer nee
author: Sanne de Vries
description: Een jaar lang elke week vragen wat ik niet durf.
language: nl
timezone: Europe/Amsterdam
base_url: https://sanne.example.nl/
per_page: 5
challenge:
  goal: 20
  counts: [no]
  start: 2026-03-01
  end: 2026-04-30
  ghost_after_days: 10
"""

CATEGORIES = ["werk", "winkel", "vrienden"]
OUTCOMES = ["no", "no", "yes", "no", "pending", "no", "ghosted", "no"]


def dutch_site(root: Path) -> Path:
    files = {"content/site.yml": SITE_YML,
             "content/pages/over.md": "---\ntitle: Over deze uitdaging\n---\nIk vraag elke dag "
                                      "iets waar ik bang voor ben.\n"}
    for n in range(1, 25):
        day = f"2026-03-{n:02d}"
        outcome = OUTCOMES[n % len(OUTCOMES)]
        lines = [f"title: Vraag nummer {n} aan de buurvrouw", f"date: {day}",
                 f"outcome: {outcome}", f"category: {CATEGORIES[n % 3]}",
                 "tags: [moed, koffie]"]
        if n % 4 == 0:
            lines += ["ask: Mag ik een gratis kop koffie?", "feedback: Zeker niet vandaag.",
                      "lesson: Vragen kost niets."]
        if n == 9:
            lines.append("private: true")
        if outcome == "no" and n % 5 == 0:
            lines.append(f"decided: 2026-03-{n + 2:02d}")
        body = "Het was spannend, maar ik heb het gevraagd.\n"
        files[f"content/attempts/{day}-vraag-{n}.md"] = "---\n" + "\n".join(lines) + \
            "\n---\n" + body
    return write_site(root, files)


def english_only_words() -> set[str]:
    def words(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set().union(*(words(v) for v in value.values()))
        text = re.sub(r"\{[^}]*\}", " ", str(value))  # placeholders are not words
        return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}

    english = yaml.safe_load((I18N / "en.yml").read_text("utf-8"))
    dutch = yaml.safe_load((I18N / "nl.yml").read_text("utf-8"))
    english.pop("date_format", None)  # a CLDR pattern, not words
    return words(english) - words(dutch) - {"goldstar"}


class ShownText(html.parser.HTMLParser):
    """The words a reader sees or hears: text, and the attributes read aloud or shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("style", "script"):
            self.skip += 1
        for name in SHOWN_ATTRIBUTES:
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "meta" and (found.get("name") in META_SHOWN
                              or found.get("property") in META_SHOWN):
            self.parts.append(str(found.get("content") or ""))
        if tag == "link" and found.get("rel") == "alternate":
            self.parts.append(str(found.get("title") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def shown_text(path: Path) -> str:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        feed = json.loads(text)
        return " ".join([feed["title"], feed.get("description", ""),
                         *(i.get("title", "") + " " + i.get("summary", "")
                           for i in feed["items"])])
    parser = ShownText()
    parser.feed(text)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = dutch_site(tmp_path_factory.mktemp("nl"))
    result = run("build", "--site", site, "--as-of", AS_OF, "--no-cache")
    assert result.code == 0, result.err
    assert "warning" not in result.err, result.err
    return site


def content_words(site: Path) -> set[str]:
    """The person's own (Dutch) words: "over" and "was" are Dutch too. Only what
    follows a front-matter key, and the stories: the keys are English."""
    text = " ".join(re.sub(r"^[a-z_]+:", " ", p.read_text("utf-8"), flags=re.MULTILINE)
                    for p in (site / "content").rglob("*.*"))
    words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return words - {"ghosted", "pending", "true", "europe", "amsterdam", "https", "example"}


def english_in(text: str, english: set[str]) -> list[str]:
    text = re.sub(r"(https?://|tag:|/)\S*", " ", text)  # addresses are not words
    return sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in english})


def test_no_english_word_is_left_in_any_published_page(built: Path) -> None:
    public = built / "public"
    checked = [p for p in public.rglob("*")
               if p.suffix in (".html", ".xml", ".svg") or p.name == "feed.json"]
    names = {p.relative_to(public).as_posix() for p in checked}
    assert {"index.html", "404.html", "feed.xml", "feed.json", "badge.svg", "lessons/index.html",
            "attempts/page/2/index.html", "outcomes/index.html", "over/index.html"} <= names
    english = english_only_words() - content_words(built)
    assert {"attempts", "dashboard", "lesson", "ghosted"} <= english  # the check has teeth
    left = {}
    for path in checked:
        if path.name in ("sitemap.xml",):
            continue  # addresses only
        words = english_in(shown_text(path), english)
        if words:
            left[path.relative_to(public).as_posix()] = words
    assert left == {}


def test_the_dashboard_charts_speak_dutch(built: Path) -> None:
    home = (built / "public/index.html").read_text("utf-8")
    assert "<svg" in home and "maart" in home
    english = english_only_words() - content_words(built)
    assert english_in(shown_text(built / "public/index.html"), english) == []


def test_the_social_cards_speak_dutch(built: Path) -> None:
    """What the cards say, read from the specs the build drew them from."""
    site = load_site(BuildOptions(site_dir=built, as_of=dt.date.fromisoformat(AS_OF),
                                  use_cache=False), None)
    attempts, counts = aggregate(site)
    store = ArtifactStore(None, hashing.code_digest())
    work = derive.prepare_bodies(store, published_bodies(site, attempts),
                                 site.config.allow_html, site.config.base_path)
    plan = pages.plan_site(site.config, attempts, site.pages, counts, site.strings, [],
                           work.bodies, cards=derive_cards.card_work(store, site.strings))
    texts = []
    for spec in plan.cards.values():
        card = derive_cards.card_of(spec, site.strings)
        assert isinstance(card, AttemptCard | SiteCard)
        texts.append(" ".join(str(v) for v in vars(card).values() if isinstance(v, str)))
    assert len(texts) == 24  # 23 published attempts and the site
    assert english_in(" ".join(texts), english_only_words() - content_words(built)) == []
    assert any("maart 2026" in t for t in texts)


GERMAN = REPO / "tests" / "unit" / "fixtures" / "i18n" / "de.yml"


def test_a_third_language_is_one_strings_file_in_a_site_theme(tmp_path: Path) -> None:
    """German is not shipped: a site adds it with themes/<name>/i18n/de.yml alone."""
    site = dutch_site(tmp_path)
    config = site / "content/site.yml"
    config.write_text(config.read_text("utf-8").replace("language: nl", "language: de")
                      + "theme: deutsch\n", encoding="utf-8")
    (site / "themes/deutsch/i18n").mkdir(parents=True)
    (site / "themes/deutsch/i18n/de.yml").write_bytes(GERMAN.read_bytes())
    result = run("build", "--site", site, "--as-of", AS_OF, "--no-cache")
    assert result.code == 0, result.err
    assert "warning" not in result.err, result.err
    home = (site / "public/index.html").read_text("utf-8")
    assert '<html lang="de">' in home and "Übersicht" in home
    page = (site / "public/attempts/2026-03-14-vraag-14/index.html").read_text("utf-8")
    assert "14. März 2026" in page


def test_a_language_without_strings_gets_english_words_once_warned_and_its_own_dates(
        tmp_path: Path) -> None:
    site = dutch_site(tmp_path)
    config = site / "content/site.yml"
    config.write_text(config.read_text("utf-8").replace("language: nl", "language: fr"),
                      encoding="utf-8")
    result = run("build", "--site", site, "--as-of", AS_OF, "--no-cache")
    assert result.code == 0, result.err
    assert result.err.count("warning") == 1 and "fr" in result.err
    page = (site / "public/attempts/2026-03-14-vraag-14/index.html").read_text("utf-8")
    assert "14 mars 2026" in page and "All attempts" in page
