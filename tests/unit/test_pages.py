"""Planning the site: which pages exist, and which of them a change touches."""

from __future__ import annotations

import dataclasses
import datetime as dt

from factories import make_config, make_entry

from generator import pages, stats

AS_OF = dt.date(2026, 3, 31)


class NoBodies:
    """Bodies for plans whose files are not rendered."""

    def html(self, digest: str) -> str:
        return f"<p>{digest}</p>"


def plan(entries: list, per_page: int = 20) -> dict[str, pages.OutputFile]:
    config = dataclasses.replace(make_config(goal=100, start=dt.date(2026, 3, 1)),
                                 per_page=per_page)
    attempts = stats.select(entries, config, AS_OF)
    site_stats = stats.compute_stats(attempts, config, AS_OF)
    site = pages.plan_site(config, attempts, [], site_stats, {}, [], NoBodies())
    return {f.path: f for f in site.files}


def month_of_attempts(n: int = 30) -> list:
    return [make_entry(slug=f"a{i:02d}", date=dt.date(2026, 3, 1 + i % 28),
                       category=("job" if i % 2 else "social"), tags=(f"t{i % 3}",),
                       outcome="yes" if i % 5 == 0 else "no", digest=f"d{i}")
            for i in range(n)]


def changed_outputs(before: dict[str, pages.OutputFile],
                    after: dict[str, pages.OutputFile]) -> set[str]:
    return {out for out in before.keys() | after.keys()
            if out not in before or out not in after or before[out].key != after[out].key}


def test_page_window_links_first_last_and_neighbours_only() -> None:
    assert pages.page_window(1, 1) == [1]
    assert pages.page_window(3, 5) == [1, 2, 3, 4, 5]
    assert pages.page_window(5, 10) == [1, 0, 3, 4, 5, 6, 7, 0, 10]
    assert pages.page_window(1, 1000) == [1, 2, 3, 0, 1000]


def test_a_long_archive_has_a_bounded_number_of_page_links() -> None:
    entries = [make_entry(slug=f"a{i}", date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 80),
                          digest=f"d{i}") for i in range(2000)]
    site = plan(entries, per_page=10)
    archive = [p for out, p in site.items() if out.startswith("attempts/page/")]
    assert len(archive) == 199
    assert max(len(p.context()["pagination"]["pages"]) for p in archive) <= 9


def _edit_of_a11(**changes: str) -> tuple[set[str], str, set[str]]:
    """What an edit of a11 re-renders, a11's page and its neighbours' pages."""
    entries = month_of_attempts()  # a11: outcome no, category job, tag t2
    before = plan(entries, per_page=100)
    edited = dataclasses.replace(entries[11], **changes)
    after = plan(entries[:11] + [edited] + entries[12:], per_page=100)
    slug_order = [p.url for p in before.values() if p.template == "attempt.html"]
    index = slug_order.index("/attempts/a11/")
    neighbours = {pages.output_path(slug_order[index - 1]),
                  pages.output_path(slug_order[index + 1])}
    return changed_outputs(before, after), pages.output_path(edited.slug.join(
        ("/attempts/", "/"))), neighbours


A11_LISTS = {"attempts/index.html", "outcomes/no/index.html", "categories/job/index.html",
             "tags/t2/index.html"}


def test_editing_a_story_re_renders_its_own_page_only() -> None:
    changed, own, _ = _edit_of_a11(digest="changed")  # the file changed, its front matter not
    # and the feeds, which carry the whole story of the newest attempts (a11 is one)
    assert changed == {own, "feed.xml", "feed.json"}


def test_editing_front_matter_touches_its_page_its_neighbours_and_its_lists_only() -> None:
    changed, own, neighbours = _edit_of_a11(digest="changed", meta_digest="changed")
    assert own in changed
    assert neighbours <= changed
    assert {o for o in changed if o.startswith("attempts/a")} == neighbours | {own}
    assert changed >= A11_LISTS
    assert not {"categories/social/index.html", "outcomes/yes/index.html",
                "tags/t1/index.html"} & changed
    assert "stats.json" not in changed  # the counts did not move


def test_renaming_a_file_re_renders_every_page_that_links_to_it() -> None:
    # The same bytes under another name: the digests stay, the address moves.
    changed, own, neighbours = _edit_of_a11(slug="a11-renamed", rel_path="a11-renamed.md",
                                            path="content/attempts/a11-renamed.md")
    assert own == "attempts/a11-renamed/index.html" and own in changed
    assert neighbours <= changed
    assert changed >= A11_LISTS


def test_changing_an_outcome_moves_the_counts_and_both_outcome_lists() -> None:
    entries = month_of_attempts()
    before = plan(entries, per_page=100)
    flipped = dataclasses.replace(entries[1], outcome="yes", digest="flipped")
    changed = changed_outputs(before, plan(entries[:1] + [flipped] + entries[2:], per_page=100))
    assert {"index.html", "stats.json", "outcomes/yes/index.html",
            "outcomes/no/index.html"} <= changed


def test_a_new_early_attempt_renumbers_every_later_page() -> None:
    entries = month_of_attempts()
    before = plan(entries)
    early = make_entry(slug="early", date=dt.date(2026, 2, 27), digest="early")
    changed = changed_outputs(before, plan([early, *entries]))
    attempt_pages = {o for o in before if o.startswith("attempts/a")}
    assert attempt_pages <= changed
    assert "attempts/early/index.html" in changed


def test_private_attempts_get_no_page_and_no_list_entry() -> None:
    entries = month_of_attempts(5) + [make_entry(slug="secret", private=True,
                                                 date=dt.date(2026, 3, 2), digest="s")]
    site = plan(entries)
    assert "attempts/secret/index.html" not in site
    archive_items = site["attempts/index.html"].context()["items"]
    assert all(item.url != "/attempts/secret/" for item in archive_items)
    assert len(archive_items) == 5


def test_a_memo_reuses_views_and_pages_made_from_the_same_objects() -> None:
    config = make_config(goal=100, start=dt.date(2026, 3, 1))
    entries = month_of_attempts(10)
    memo = pages.PlanMemo()
    bodies = NoBodies()

    def attempt_pages(entries: list) -> dict[str, pages.OutputFile]:
        attempts = stats.select(entries, config, AS_OF)
        site = pages.plan_site(config, attempts, [], stats.compute_stats(
            attempts, config, AS_OF), {}, [], bodies, memo=memo)
        return {f.url: f for f in site.files if f.template == "attempt.html"}

    first = attempt_pages(entries)
    bodies = NoBodies()  # each build has its own
    again = attempt_pages(entries)
    assert all(again[url] is page for url, page in first.items())
    assert all(page.context()["attempt"].bodies is bodies for page in again.values())
    # a new entry object for a03: its page and its neighbours' pages are new
    order = list(first)
    middle = order.index("/attempts/a03/")
    changed = dataclasses.replace(entries[3], title="Changed")
    after = attempt_pages(entries[:3] + [changed] + entries[4:])
    renewed = {url for url, page in after.items() if page is not again[url]}
    assert renewed == set(order[middle - 1:middle + 2])
    assert after["/attempts/a03/"].context()["attempt"].title == "Changed"
    # the first attempt of a category spells it for all: their views are new,
    # though only a01's entry changed
    respelled = entries[:3] + [changed] + entries[4:]
    respelled[1] = dataclasses.replace(respelled[1], category="JOB")
    views = {url: page.context()["attempt"] for url, page in attempt_pages(respelled).items()}
    assert {v.category.name for v in views.values() if v.category.url == "/categories/job/"} \
        == {"JOB"}
