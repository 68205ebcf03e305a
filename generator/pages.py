"""Plan the site: every output file, its template, its context and its key.

Pure: no disk, no clock, no Jinja. A page's `key` holds everything that can
change its bytes besides the theme and the site configuration; the renderer
skips a page whose key is the same as last time. So a page's context must be
built only from what its key holds: that is the contract to keep when adding
a page kind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from generator.config import SiteConfig
from generator.entries import StandalonePage, slugify
from generator.markdown import BodyStore
from generator.numbering import Token, tracking
from generator.stats import Attempt, Stats

DEFAULT_OUTCOME_CLASSES = {"no", "yes", "ghosted", "pending"}
RESERVED = {"attempts", "outcomes", "categories", "tags", "static", "feed.xml",
            "sitemap.xml", "robots.txt", "stats.json", "404.html"}


@dataclass(slots=True)
class Page:
    url: str
    """The URL path (`/attempts/x/`), before the site's base path."""
    output: str
    """The file under the output folder (`attempts/x/index.html`)."""
    template: str | None
    """Template name; None for files written as they are (stats.json)."""
    key: Any
    """What the bytes depend on, besides theme and config (see the module docstring)."""
    context: Callable[[], dict[str, Any]]
    """Builds the template context; called only when the page is rendered."""
    raw: Callable[[], bytes] | None = None
    lastmod: str | None = None
    in_sitemap: bool = True
    body: str | None = None
    """Digest of the Markdown body this page is the home of (attempts, pages)."""


@dataclass(frozen=True, slots=True)
class OutcomeView:
    key: str
    label: str
    color: str
    url: str
    css_class: str


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    url: str


class AttemptView:
    """What templates see of a published attempt."""

    __slots__ = ("attempt", "bodies", "outcome", "category", "tags", "url", "key", "token")

    def __init__(self, attempt: Attempt, bodies: BodyStore, outcome: OutcomeView,
                 category: Term | None, tags: list[Term], number_id: int | None = None) -> None:
        self.attempt = attempt
        self.bodies = bodies
        self.outcome = outcome
        self.category = category
        self.tags = tags
        self.url = attempt_url(attempt.entry.slug)
        # Everything a list, a feed or a neighbour link may show of this attempt;
        # with a late-bound number (serve), its id stands in for the number. The
        # names of its category and tags are spelled by the first attempt that
        # uses them, so they are here besides the file's digest.
        self.token = None if number_id is None else Token(number_id, attempt.number)
        self.key = (attempt.number if number_id is None else ("late", number_id),
                    attempt.entry.digest, attempt.outcome, category.name if category else None,
                    tuple([tag.name for tag in tags]))

    def same(self, attempt: Attempt, outcome: OutcomeView, category: Term | None,
             tags: list[Term], number_id: int | None) -> bool:
        """Would a new view of `attempt` be this one? (Serve reuses it then.)"""
        old = self.attempt
        return (old.entry is attempt.entry and old.number == attempt.number
                and old.outcome == attempt.outcome and self.outcome is outcome
                and self.category is category and self.tags == tags
                and (self.token.id if self.token is not None else None) == number_id)

    @property
    def number(self) -> int | Token:
        """The attempt's number; a placeholder while serve renders (numbering.py)."""
        if self.token is not None and tracking():
            return self.token
        return self.attempt.number

    # The fields of the entry, by name, as templates use them.
    title = property(lambda self: self.attempt.entry.title)
    date = property(lambda self: self.attempt.entry.date)
    decided = property(lambda self: self.attempt.entry.decided)
    ask = property(lambda self: self.attempt.entry.ask)
    feedback = property(lambda self: self.attempt.entry.feedback)
    lesson = property(lambda self: self.attempt.entry.lesson)
    extra = property(lambda self: self.attempt.entry.extra)
    ghosted = property(lambda self: self.attempt.ghosted_automatically)
    published_iso = property(lambda self: self.attempt.entry.published.isoformat())

    @property
    def body_html(self) -> str:
        """Rendered on first use: list pages never need it."""
        body = self.bodies.get(self.attempt.entry.digest)
        return body.html if body else ""

    @property
    def answer_days(self) -> int | None:
        entry = self.attempt.entry
        return (entry.decided - entry.date).days if entry.decided else None

    @property
    def body(self) -> Markup:
        return Markup(self.body_html)

    @property
    def feed_html(self) -> str:
        return self.body_html

    @property
    def summary_text(self) -> str:
        parts = [self.outcome.label]
        if self.ask:
            parts.append(self.ask)
        if self.lesson:
            parts.append(self.lesson)
        return " · ".join(parts)


def attempt_url(slug: str) -> str:
    return f"/attempts/{slug}/"


def output_for(url: str) -> str:
    """Clean URLs: `/attempts/x/` is written as `attempts/x/index.html`."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass
class PlanMemo:
    """What serve's last plan made, for the next plan to reuse.

    A view or an attempt page is reused when everything it was made from is
    the very same object as last time (entries are, for files that did not
    change), so a one-attempt edit costs a lookup per attempt instead of new
    objects, and the renderer compares their keys by identity.
    """

    outcomes: dict[str, OutcomeView] = field(default_factory=dict)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    views: dict[str, AttemptView] = field(default_factory=dict)
    """By entry path."""
    pages: dict[str, tuple[AttemptView | None, AttemptView, AttemptView | None, Page]] = field(
        default_factory=dict)
    """By entry path: (previous, view, next) and the attempt page made from them."""


@dataclass
class SitePlan:
    pages: list[Page]
    urls: set[str] = field(default_factory=set)
    """Every URL the site will have, static files included, for link checks."""
    numbers: dict[int, int] = field(default_factory=dict)
    """Late-bound numbers (serve): attempt number by number id."""


def outcome_views(config: SiteConfig, strings: dict[str, Any]) -> dict[str, OutcomeView]:
    labels = strings.get("outcome_labels") or {}
    views = {}
    for outcome in config.outcomes:
        label = outcome.label or labels.get(outcome.key) or outcome.key.capitalize()
        css = (f"outcome-{outcome.key}" if outcome.key in DEFAULT_OUTCOME_CLASSES
               else f"outcome-other outcome-{outcome.key}")
        views[outcome.key] = OutcomeView(outcome.key, str(label), outcome.color,
                                         f"/outcomes/{outcome.key}/", css)
    return views


def paginate(base: str, count: int, per_page: int) -> list[tuple[int, str]]:
    """(number, url) of each page of a list: base, base/page/2/, ..."""
    total = max(1, -(-count // per_page))
    return [(n, base if n == 1 else f"{base}page/{n}/") for n in range(1, total + 1)]


def plan_site(
    config: SiteConfig,
    attempts: Sequence[Attempt],
    bodies: BodyStore,
    standalone: Sequence[StandalonePage],
    stats: Stats,
    strings: dict[str, Any],
    static_outputs: Sequence[str],
    number_ids: Mapping[str, int] | None = None,
    memo: PlanMemo | None = None,
) -> SitePlan:
    """Every output of the site, in a stable order.

    With `number_ids` (an id per attempt file, kept by serve across rebuilds)
    attempt numbers are bound late: page keys hold the ids instead of the
    numbers, and SitePlan.numbers says what each id stands for. With a `memo`
    (serve) the views and attempt pages of the last plan are reused where
    nothing they were made from changed; the memo is updated for the next one.
    """
    t = strings.get
    memo = memo if memo is not None else PlanMemo()  # a fresh one reuses nothing
    outcomes = outcome_views(config, strings)
    if outcomes == memo.outcomes:
        outcomes = memo.outcomes  # the same objects: views that point to them stay valid
    category_terms: dict[str, Term] = {}
    tag_terms: dict[str, Term] = {}
    made_terms: dict[tuple[str, str], Term] = {}
    by_name: dict[tuple[str, str], Term] = {}

    def term_of(name: str, terms: dict[str, Term], folder: str) -> Term:
        """The term for a category or tag name; the first spelling of a slug wins."""
        term = by_name.get((folder, name))
        if term is None:
            slug = slugify(name)
            term = terms.get(slug)
            if term is None:
                url = f"/{folder}/{slug}/"
                # the last plan's object when it is equal: views that hold it stay valid
                term = memo.terms.get((name, url)) or Term(name, url)
                terms[slug] = made_terms[(name, url)] = term
            by_name[(folder, name)] = term
        return term

    published: list[AttemptView] = []
    views: dict[str, AttemptView] = {}
    for a in attempts:
        entry = a.entry
        if entry.private:
            continue
        outcome = outcomes[a.outcome]
        category = term_of(entry.category, category_terms, "categories") if entry.category else None
        tags = [term_of(x, tag_terms, "tags") for x in entry.tags]
        number_id = None if number_ids is None else number_ids[entry.path]
        view = memo.views.get(entry.path)
        if view is not None and view.same(a, outcome, category, tags, number_id):
            view.bodies = bodies
        else:
            view = AttemptView(a, bodies, outcome, category, tags, number_id)
        published.append(view)
        views[entry.path] = view
    newest_first = published[::-1]
    pages: list[Page] = []

    # Home: the dashboard.
    stats_json = stats.to_json()
    latest = newest_first[: config.latest_entries]
    milestone_views = [
        {"at": m["at"], "date": dt.date.fromisoformat(m["date"]), "url": m["url"]}
        for m in stats.milestones
    ]
    projected = stats.pace["projected_finish"]
    pages.append(Page(
        "/", "index.html", "home.html",
        ("home", json.dumps(stats_json, sort_keys=True), tuple(v.key for v in latest)),
        lambda: {
            "page": _page_info("/", config.title, config.description, "home"),
            "stats": stats_json,
            "latest": latest,
            "milestones": milestone_views,
            "projected_finish": dt.date.fromisoformat(projected) if projected else None,
        },
    ))

    # One page per published attempt, with its neighbours.
    attempt_pages = {}
    for i, view in enumerate(published):
        previous = published[i - 1] if i > 0 else None
        following = published[i + 1] if i + 1 < len(published) else None
        entry = view.attempt.entry
        made = memo.pages.get(entry.path)
        if made is None or made[0] is not previous or made[1] is not view or (
                made[2] is not following):
            made = (previous, view, following, Page(
                view.url, output_for(view.url), "attempt.html",
                ("attempt", view.key,
                 previous.key if previous else None, following.key if following else None),
                _attempt_context(view, previous, following),
                lastmod=entry.date.isoformat(), body=entry.digest,
            ))
        attempt_pages[entry.path] = made
        pages.append(made[3])
    memo.outcomes, memo.terms, memo.views, memo.pages = outcomes, made_terms, views, attempt_pages

    # Lists: the archive, then one per outcome, category and tag.
    by_outcome: dict[str, list[AttemptView]] = {key: [] for key in outcomes}
    by_category: dict[str, list[AttemptView]] = {}
    by_tag: dict[str, list[AttemptView]] = {}
    for view in newest_first:  # one pass, however many terms there are
        by_outcome[view.outcome.key].append(view)
        if view.category:
            by_category.setdefault(view.category.url, []).append(view)
        for tag in view.tags:
            by_tag.setdefault(tag.url, []).append(view)
    pages += _list_pages("/attempts/", str(t("archive_heading", "All attempts")), None,
                         "archive", newest_first, config.per_page)
    for key, outcome in outcomes.items():
        heading = str(t("outcome_heading", "{label}")).format(label=outcome.label)
        pages += _list_pages(outcome.url, heading, None, "outcome", by_outcome[key],
                             config.per_page)
    for kind, terms, members in (("category", category_terms, by_category),
                                 ("tag", tag_terms, by_tag)):
        ordered = sorted(terms.values(), key=lambda term: (term.name.casefold(), term.url))
        for term in ordered:
            heading = str(t(f"{kind}_heading", "{name}")).format(name=term.name)
            pages += _list_pages(term.url, heading, None, kind, members[term.url],
                                 config.per_page)
        index_url = "/categories/" if kind == "category" else "/tags/"
        term_list = [{"name": term.name, "url": term.url, "count": len(members[term.url])}
                     for term in ordered]
        index_heading = str(t("categories_heading" if kind == "category" else "tags_heading",
                              "Categories" if kind == "category" else "Tags"))
        pages.append(Page(
            index_url, output_for(index_url), "terms.html",
            ("terms", json.dumps(term_list)),
            _terms_context(index_url, index_heading, term_list),
        ))

    # Standalone pages.
    for sp in standalone:
        url = f"/{sp.slug}/"
        pages.append(Page(
            url, output_for(url), "page.html", ("page", sp.digest),
            _standalone_context(sp, url, bodies), body=sp.digest,
        ))

    # The files around the pages.
    feed_items = newest_first[: config.feed_entries]
    updated = (max(v.attempt.entry.published for v in feed_items).isoformat()
               if feed_items else dt.datetime.combine(stats.as_of, dt.time(),
                                                      dt.UTC).isoformat())
    pages.append(Page(
        "/feed.xml", "feed.xml", "feed.xml", ("feed", tuple(v.key for v in feed_items)),
        lambda: {"page": _page_info("/feed.xml", config.title, None, "feed"),
                 "entries": feed_items, "updated": updated},
        in_sitemap=False,
    ))
    pages.append(Page(
        "/404.html", "404.html", "404.html", ("404",),
        lambda: {"page": _page_info("/404.html", str(t("not_found_title", "Not found")),
                                    None, "404")},
        in_sitemap=False,
    ))
    pages.append(Page(
        "/robots.txt", "robots.txt", "robots.txt", ("robots",),
        lambda: {"page": _page_info("/robots.txt", "robots", None, "robots")},
        in_sitemap=False,
    ))
    # The outcome colours of site.yml as a stylesheet: no inline styles, so a
    # strict Content-Security-Policy keeps working.
    outcome_css = "".join(f".badge.outcome-{o.key} {{ background-color: {o.color}; }}\n"
                          for o in config.outcomes).encode()
    pages.append(Page(
        "/static/outcomes.css", "static/outcomes.css", None, ("outcomes.css", outcome_css),
        dict, raw=lambda: outcome_css, in_sitemap=False,
    ))
    stats_bytes = (json.dumps(stats_json, indent=2, ensure_ascii=False) + "\n").encode()
    pages.append(Page(
        "/stats.json", "stats.json", None, ("stats", stats_bytes), dict,
        raw=lambda: stats_bytes, in_sitemap=False,
    ))
    mapped = [p for p in pages if p.in_sitemap]
    pages.append(Page(
        "/sitemap.xml", "sitemap.xml", "sitemap.xml",
        ("sitemap", tuple([p.url for p in mapped]), tuple([p.lastmod for p in mapped])),
        lambda: {"page": _page_info("/sitemap.xml", "sitemap", None, "sitemap"),
                 "urls": [{"loc": config.base_url + p.url.lstrip("/"), "lastmod": p.lastmod}
                          for p in mapped]},
        in_sitemap=False,
    ))

    urls = {p.url for p in pages} | {"/" + s for s in static_outputs}
    numbers = {v.token.id: v.attempt.number for v in published if v.token is not None}
    return SitePlan(pages, urls, numbers)


def _page_info(url: str, title: str, description: str | None, kind: str) -> dict[str, Any]:
    return {"url": url, "title": title, "description": description, "kind": kind}


def _attempt_context(view: AttemptView, previous: AttemptView | None,
                     following: AttemptView | None) -> Callable[[], dict[str, Any]]:
    return lambda: {
        "page": _page_info(view.url, view.title, view.summary_text, "attempt"),
        "attempt": view, "previous": previous, "next": following,
    }


def _terms_context(url: str, heading: str,
                   terms: list[dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    return lambda: {"page": _page_info(url, heading, None, "terms"),
                    "heading": heading, "terms": terms}


def _standalone_context(sp: StandalonePage, url: str,
                        bodies: BodyStore) -> Callable[[], dict[str, Any]]:
    def context() -> dict[str, Any]:
        body = bodies.get(sp.digest)
        return {"page": {**_page_info(url, sp.title, sp.description, "page"),
                         "extra": sp.extra},
                "content": Markup(body.html if body else "")}

    return context


def _list_pages(base: str, heading: str, intro: str | None, kind: str,
                items: Sequence[AttemptView], per_page: int) -> list[Page]:
    numbered = paginate(base, len(items), per_page)
    total = len(numbered)
    pages = []
    for number, url in numbered:
        chunk = items[(number - 1) * per_page: number * per_page]
        title = heading if number == 1 else f"{heading} ({number}/{total})"
        pages.append(Page(
            url, output_for(url), "list.html",
            ("list", heading, number, total, tuple([v.key for v in chunk])),
            _list_context(url, title, heading, intro, kind, chunk, number, numbered),
        ))
    return pages


def page_window(number: int, total: int, around: int = 2) -> list[int]:
    """Page numbers to link from page `number`: the first, the last and a few
    around the current one, with 0 for each gap. A fixed number of links per
    page keeps a long archive linear in size instead of quadratic."""
    shown = sorted({1, total, *range(max(1, number - around), min(total, number + around) + 1)})
    window: list[int] = []
    for n in shown:
        if window and n - window[-1] > 1:
            window.append(0)
        window.append(n)
    return window


def _list_context(url: str, title: str, heading: str, intro: str | None, kind: str,
                  items: Sequence[AttemptView], number: int,
                  numbered: list[tuple[int, str]]) -> Callable[[], dict[str, Any]]:
    def context() -> dict[str, Any]:
        # built only when the page is rendered: a long list has many pages
        total = len(numbered)
        pagination = {
            "number": number,
            "total": total,
            "previous_url": numbered[number - 2][1] if number > 1 else None,
            "next_url": numbered[number][1] if number < total else None,
            "pages": [{"number": n, "url": numbered[n - 1][1], "current": n == number}
                      if n else {"number": None, "url": None, "current": False}
                      for n in page_window(number, total)],
        }
        return {"page": _page_info(url, title, None, "list"), "heading": heading,
                "intro": intro, "kind": kind, "items": list(items), "pagination": pagination}

    return context
