"""The rules of web addresses (addresses.py) and the clash check after planning.

Each rule of the module docstring has a row below; the last group holds
the plan: distinct names get distinct lists, and two outputs at one path are
an error that names both.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from factories import make_config, make_entry
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import addresses, pages, stats
from generator.addresses import (
    MAX_SEGMENT_BYTES,
    output_clashes,
    segment_problem,
    slugify,
    term_slug,
)
from generator.entries import StandalonePage, stem_slug

AS_OF = dt.date(2026, 3, 31)

SLUGS = [
    # today's addresses of plain names stay as they were
    ("2026-03-23 Ask Über", "2026-03-23-ask-uber"),
    ("Asked for a Discount!", "asked-for-a-discount"),
    ("in-person", "in-person"),
    ("#motivation", "motivation"),
    ("C++", "c"),  # file names keep today's rule; terms spell the symbols (below)
    # letters without an accent to drop are spelled
    ("Straße", "strasse"),
    ("Ærøskøbing", "aeroskobing"),
    # nothing Latin: the name's own letters, lowercased
    ("日本語", "日本語"),
    ("Москва", "москва"),
    ("हिन्दी", "हिन्दी"),  # vowel signs are marks, kept with their consonants
    ("日本語 Москва", "日本語-москва"),
    # names Windows keeps for itself get the name's code
    ("con", f"con-{addresses.code('con')}"),
    ("COM1", f"com1-{addresses.code('COM1')}"),
]


@pytest.mark.parametrize(("name", "slug"), SLUGS, ids=[name for name, _ in SLUGS])
def test_a_name_becomes_the_documented_slug(name: str, slug: str) -> None:
    assert slugify(name) == slug


TERMS = [
    ("C++", "c-plus-plus"),
    ("C#", "c-sharp"),
    ("F#", "f-sharp"),
    ("c", "c"),
    ("Q&A", "q-and-a"),
    ("Tom & Jerry", "tom-and-jerry"),
    ("Google+", "google-plus"),
    ("#motivation", "motivation"),  # a # that does not follow a letter is dropped as before
    ("+1", "1"),
    ("Job", "job"),
]


@pytest.mark.parametrize(("name", "slug"), TERMS, ids=[name for name, _ in TERMS])
def test_a_category_or_tag_spells_common_symbols(name: str, slug: str) -> None:
    assert term_slug(name) == slug


def test_a_name_of_only_punctuation_gets_an_item_address_with_its_own_code() -> None:
    assert slugify("!!!") == f"item-{addresses.code('!!!')}"
    assert slugify("!!!") != slugify("???")
    assert slugify("🎉") != slugify("🎈")


@pytest.mark.parametrize("name", ["a" * 300, "日本語" * 100, "word " * 80, "x-" * 200])
def test_a_long_name_is_cut_well_under_the_file_system_limit_and_stays_distinct(
        name: str) -> None:
    slug = slugify(name)
    assert len(slug.encode("utf-8")) <= MAX_SEGMENT_BYTES
    assert slug.endswith(addresses.code(name))
    assert slugify(name + "b") != slug
    assert not slug.endswith(("-", "."))


def test_a_code_is_the_same_in_every_run_and_for_every_capitalisation() -> None:
    # pinned: the code must not depend on the hash seed or the Python version
    assert addresses.code("a.b") == "2e7336"
    assert addresses.code("A.B") == addresses.code("a.b")


@pytest.mark.parametrize(("stem", "slug"), [
    ("2026-03-14-bike-shop", "2026-03-14-bike-shop"),
    ("v1.2", "v1.2"),
    ("abc.", "abc"),  # Windows drops a trailing dot
    ("abc\n", "abc"),  # a newline at the end of a file name (SLUG_RE's `$` let it through)
    ("nul.txt", "nul-txt"),  # NUL with any extension is NUL on Windows
    ("con", f"con-{addresses.code('con')}"),
    ("a" * 200, slugify("a" * 200)),
])
def test_a_file_name_keeps_its_address_unless_it_is_unsafe(stem: str, slug: str) -> None:
    assert stem_slug(stem) == slug
    assert segment_problem(stem_slug(stem)) is None


@pytest.mark.parametrize(("slug", "words"), [
    ("a" * 151, "at most 150"),
    ("abc.", "ends in a dot"),
    ("nul.txt", "Windows keeps for itself"),
    ("lpt9", "Windows keeps for itself"),
])
def test_a_chosen_slug_that_no_file_system_takes_everywhere_is_refused(slug: str,
                                                                       words: str) -> None:
    problem = segment_problem(slug)
    assert problem is not None and words in problem


def test_ordinary_slugs_are_accepted() -> None:
    assert [segment_problem(s) for s in ("bike-shop", "v1.2", "console", "nullable")] == [
        None] * 4


def test_term_slugs_go_on_with_longer_codes_and_never_end() -> None:
    first = list(itertools.islice(addresses.term_slugs("a b"), 8))
    assert first[0] == "a-b"
    assert len(set(first)) == 8
    assert all(len(s.encode()) <= MAX_SEGMENT_BYTES for s in first)


# --- In the plan -------------------------------------------------------------------------


class NoBodies:
    def html(self, digest: str) -> str:
        return ""


def plan(entries: list[object], standalone: tuple[StandalonePage, ...] = (),
         static: tuple[str, ...] = ()) -> pages.SitePlan:
    config = make_config(timezone="UTC")
    attempts = stats.select(entries, config, AS_OF)  # type: ignore[arg-type]
    counts = stats.compute_stats(attempts, config, AS_OF)
    return pages.plan_site(config, attempts, standalone, counts, {}, list(static), NoBodies())


def tag_urls(site: pages.SitePlan) -> dict[str, str]:
    return {tag.name: tag.url for view in site.views for tag in view.tags}


def test_tags_that_slugify_alike_get_distinct_lists_with_their_own_names() -> None:
    site = plan([make_entry(slug="a", tags=("日本語", "Москва", "C++", "C#", "c", "a b", "a.b"))])
    urls = tag_urls(site)
    assert urls == {"日本語": "/tags/日本語/", "Москва": "/tags/москва/",
                    "C++": "/tags/c-plus-plus/", "C#": "/tags/c-sharp/", "c": "/tags/c/",
                    "a b": "/tags/a-b/", "a.b": f"/tags/a-b-{addresses.code('a.b')}/"}
    lists = {f.url: f.context()["heading"] for f in site.files if f.template == "list.html"}
    assert lists["/tags/日本語/"] == "日本語" and lists["/tags/москва/"] == "Москва"


def test_names_that_differ_only_in_capitals_share_a_list_under_the_first_spelling() -> None:
    site = plan([make_entry(slug="a", date=dt.date(2026, 3, 1), category="Job", tags=("A B",)),
                 make_entry(slug="b", date=dt.date(2026, 3, 2), category="job", tags=("a  b",))])
    assert {v.category.url for v in site.views if v.category} == {"/categories/job/"}
    assert {v.category.name for v in site.views if v.category} == {"Job"}
    assert set(tag_urls(site).values()) == {"/tags/a-b/"}


def test_the_first_name_by_date_keeps_the_plain_address_and_a_later_one_does_not_move_it(
        ) -> None:
    early = make_entry(slug="a", date=dt.date(2026, 3, 1), tags=("a b",))
    before = tag_urls(plan([early]))
    later = make_entry(slug="b", date=dt.date(2026, 3, 5), tags=("a.b",))
    after = tag_urls(plan([early, later]))
    assert after["a b"] == before["a b"] == "/tags/a-b/"
    assert after["a.b"] == f"/tags/a-b-{addresses.code('a.b')}/"


def test_a_plan_without_clashes_passes_the_check() -> None:
    site = plan([make_entry(slug="a", category="Job", tags=("x",)),
                 make_entry(slug="b", tags=("y",))])
    assert addresses.plan_clashes(site, [], ["static/style.css"]) == []


def test_an_attempt_at_the_archive_file_is_an_error_naming_both() -> None:
    site = plan([make_entry(slug="index.html")])
    problems = addresses.plan_clashes(site, [], [])
    assert [p.path for p in problems] == ["content/attempts/index.html.md"]
    assert problems[0].message == (
        "the page of content/attempts/index.html.md would be written to "
        "attempts/index.html/index.html, inside a folder attempts/index.html/, but the "
        "archive is the file attempts/index.html")


def test_a_page_at_the_home_file_is_an_error_naming_both() -> None:
    page = StandalonePage("content/pages/index.html.md", "index.html", "Home?", None, False, 3,
                          "d1")
    problems = addresses.plan_clashes(plan([make_entry(slug="a")], (page,)), [page], [])
    assert [(p.path, p.message) for p in problems] == [(
        "content/pages/index.html.md",
        "the page of content/pages/index.html.md would be written to index.html/index.html, "
        "inside a folder index.html/, but the home page is the file index.html")]


def test_a_theme_file_where_goldstar_writes_one_is_an_error() -> None:
    problems = addresses.plan_clashes(plan([make_entry(slug="a")]), [],
                                      ["static/outcomes.css"], {}, ["static/outcomes.css"])
    assert [p.message for p in problems] == [
        "goldstar's own /static/outcomes.css and the theme's static/outcomes.css would both "
        "be written to static/outcomes.css"]


def test_paths_that_differ_only_in_capitals_clash_as_on_macos_and_windows() -> None:
    problems = output_clashes([("tags/Ab/index.html", "one", "a.md"),
                               ("tags/ab/index.html", "two", "b.md")])
    assert [(p.path, p.message) for p in problems] == [
        ("b.md", "one and two would both be written to tags/ab/index.html")]


def test_a_file_deep_inside_a_path_that_is_a_file_is_found() -> None:
    problems = output_clashes([("a/b", "file", None), ("a/c/d", "other", None),
                               ("a/b/c/d/index.html", "deep", "x.md")])
    assert [p.path for p in problems] == ["x.md"]


def test_sitemap_addresses_are_percent_encoded_and_plain_ones_are_unchanged() -> None:
    assert addresses.uri_path("/tags/日本語/") == "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
    assert addresses.uri_path("/tags/a-b/") == "/tags/a-b/"


@pytest.mark.parametrize(("paths", "meet"), [
    (["a/index.html", "b/index.html", "index.html"], False),
    (["a", "a/index.html"], True),
    (["x/index.html", "X/index.html"], True),
    # "-" and "." sort before "/": the folder's files are not the next path in plain order
    (["attempts/index.html", "attempts/index.html-x/i", "attempts/index.html.y/i",
      "attempts/index.html/i"], True),
    (["attempts/index.html", "attempts/index.html-x/i"], False),
    (["theme\nfile", "theme\nfile/x"], True),
])
def test_the_quick_look_at_the_paths_finds_every_clash(paths: list[str], meet: bool) -> None:
    assert addresses._meet(paths) is meet
    assert bool(output_clashes((p, p, None) for p in paths)) is meet


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "A", "a.b", "a-b", "index.html", "\u00e9",
                                          "e\u0301"]),
                         min_size=1, max_size=3).map("/".join), max_size=8))
def test_the_quick_look_and_the_full_check_agree(paths: list[str]) -> None:
    assert addresses._meet(paths) is bool(output_clashes((p, p, None) for p in paths))
