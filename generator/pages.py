"""Plan the site: every output file, its template, its context and its key.

Pure: no disk, no clock, no Jinja. An output file's `key` holds everything
that can change its bytes besides the theme and the site configuration; the
render stage skips a file whose key is the same as last time. So a file's
context must be built only from what its key holds: that is the contract to
keep when adding a kind of page.

Words: an **output file** is one file of the built site (an attempt's page,
a list page, the feed); a **standalone page** is a file of content/pages/;
`page` in a template is the page being rendered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from markupsafe import Markup

from generator import addresses
from generator.config import SiteConfig
from generator.entries import Entry, StandalonePage
from generator.stats import Attempt, Stats

DEFAULT_OUTCOME_CLASSES = {"no", "yes", "ghosted", "pending"}
RESERVED = {"attempts", "outcomes", "categories", "tags", "static", "feed.xml",
            "sitemap.xml", "robots.txt", "stats.json", "404.html"}
"""Top-level names the site itself uses: no standalone page may take them."""
TEMPLATES = ("home.html", "attempt.html", "list.html", "terms.html", "page.html",
             "404.html", "feed.xml", "sitemap.xml", "robots.txt")
"""Every template the planner uses: a theme must have them all (its chain does)."""

Context = dict[str, Any]


class BodyText(Protocol):
    """The rendered bodies (derive.Bodies): loaded before a page that shows them renders."""

    def html(self, digest: str) -> str: ...


class Numbering(Protocol):
    """How attempt numbers reach pages: printed (`shown`) and in keys (`keyed`).

    A build prints plain numbers. Serve prints placeholders filled in after
    rendering (preview.LateNumbers), so a renumbering does not re-render pages.
    """

    def shown(self, attempt: Attempt) -> object: ...

    def keyed(self, attempt: Attempt) -> Hashable: ...


class PlainNumbers:
    """Numbers as they are."""

    def shown(self, attempt: Attempt) -> object:
        return attempt.number

    def keyed(self, attempt: Attempt) -> Hashable:
        return attempt.number


PLAIN = PlainNumbers()


@dataclass(slots=True)
class OutputFile:
    """One file of the built site, as planned."""

    url: str
    """The URL path (`/attempts/x/`), before the site's base path."""
    path: str
    """The file under the output folder (`attempts/x/index.html`)."""
    template: str | None
    """Template name; None for files written as they are (stats.json)."""
    key: tuple[object, ...]
    """What the bytes depend on, besides theme and config (see the module docstring)."""
    context: Callable[[], Context]
    """Builds the template context; called only when the file is rendered."""
    raw: Callable[[], bytes] | None = None
    lastmod: str | None = None
    in_sitemap: bool = True
    bodies: tuple[str, ...] = ()
    """Digests of the bodies the file shows: loaded before it renders."""


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

    __slots__ = ("attempt", "bodies", "outcome", "category", "tags", "url", "key", "number")

    def __init__(self, attempt: Attempt, bodies: BodyText, outcome: OutcomeView,
                 category: Term | None, tags: list[Term], numbering: Numbering = PLAIN) -> None:
        self.attempt = attempt
        self.bodies = bodies
        self.outcome = outcome
        self.category = category
        self.tags = tags
        self.url = attempt_url(attempt.entry.slug)
        self.number = numbering.shown(attempt)
        """The attempt's number, as templates print it."""
        # Everything a list, a feed or a neighbour link may show of this attempt.
        # The names of its category and tags are spelled by the first attempt that
        # uses them, and their addresses depend on the names before them
        # (addresses.term_slugs), so both are here besides the file's digest.
        self.key = (numbering.keyed(attempt), attempt.entry.digest, attempt.outcome,
                    (category.name, category.url) if category else None,
                    tuple([(tag.name, tag.url) for tag in tags]))

    def same(self, attempt: Attempt, outcome: OutcomeView, category: Term | None,
             tags: list[Term], numbering: Numbering) -> bool:
        """Would a new view of `attempt` be this one? (Serve reuses it then.)"""
        old = self.attempt
        return (old.entry is attempt.entry and old.number == attempt.number
                and old.outcome == attempt.outcome and self.outcome is outcome
                and self.category is category and self.tags == tags
                and self.key[0] == numbering.keyed(attempt))

    @property
    def entry(self) -> Entry:
        return self.attempt.entry

    @property
    def title(self) -> str:
        return self.attempt.entry.title

    @property
    def date(self) -> dt.date:
        return self.attempt.entry.date

    @property
    def decided(self) -> dt.date | None:
        return self.attempt.entry.decided

    @property
    def ask(self) -> str | None:
        return self.attempt.entry.ask

    @property
    def feedback(self) -> str | None:
        return self.attempt.entry.feedback

    @property
    def lesson(self) -> str | None:
        return self.attempt.entry.lesson

    @property
    def extra(self) -> dict[str, Any]:
        return self.attempt.entry.extra

    @property
    def ghosted(self) -> bool:
        """Pending, and counted as ghosted because no answer came in time."""
        return self.attempt.ghosted_automatically

    @property
    def published_iso(self) -> str:
        return self.attempt.entry.published.isoformat()

    @property
    def answer_days(self) -> int | None:
        entry = self.attempt.entry
        return (entry.decided - entry.date).days if entry.decided else None

    @property
    def body_html(self) -> str:
        """The rendered story (loaded by the render stage before this page renders)."""
        return self.bodies.html(self.attempt.entry.digest)

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


def output_path(url: str) -> str:
    """Clean URLs: `/attempts/x/` is written as `attempts/x/index.html`."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass
class PlanMemo:
    """What the last plan made, for the next plan to reuse (serve keeps one).

    A view, an attempt's page or a whole list is reused when everything it was
    made from is the very same object as last time (entries are, for files
    that did not change), so a one-attempt edit costs a lookup per attempt
    and rebuilds only the lists that hold it; the render stage then compares
    reused files by identity.
    """

    outcomes: dict[str, OutcomeView] = field(default_factory=dict)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)
    views: dict[str, AttemptView] = field(default_factory=dict)
    """By entry path."""
    attempt_files: dict[str, tuple[AttemptView | None, AttemptView, AttemptView | None,
                                   OutputFile]] = field(default_factory=dict)
    """By entry path: (previous, view, next) and the attempt's page made from them."""
    lists: dict[str, tuple[tuple[object, ...], list[OutputFile]]] = field(default_factory=dict)
    """By list URL: what the list was made from, and its pages."""
    category_terms: dict[str, Term] = field(default_factory=dict)
    tag_terms: dict[str, Term] = field(default_factory=dict)
    by_name: dict[tuple[str, str], Term] = field(default_factory=dict)
    """The term tables of the last plan, by slug and by name as written."""
    # What patch_plan needs to swap a view into the last plan:
    published: list[AttemptView] = field(default_factory=list)
    list_specs: dict[str, tuple[str, str, list[AttemptView]]] = field(default_factory=dict)
    """By list URL: its heading, its kind and its items (newest first)."""
    home: Callable[[list[AttemptView]], OutputFile] | None = None
    feed: Callable[[list[AttemptView]], OutputFile] | None = None
    latest_count: int = 0
    feed_count: int = 0
    per_page: int = 20


@dataclass
class SitePlan:
    files: list[OutputFile]
    urls: set[str] = field(default_factory=set)
    """Every URL the site will have, static files included, for link checks."""
    views: list[AttemptView] = field(default_factory=list)
    """The published attempts, oldest first."""


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
    standalone: Sequence[StandalonePage],
    stats: Stats,
    strings: dict[str, Any],
    static_outputs: Sequence[str],
    bodies: BodyText,
    numbering: Numbering = PLAIN,
    memo: PlanMemo | None = None,
    placed_as_before: bool = False,
) -> SitePlan:
    """Every output file of the site, in a stable order.

    With a `memo` (serve) the views, attempt pages and lists of the last plan
    are reused where nothing they were made from changed; the memo is updated
    for the next one. `placed_as_before` says that every attempt has the same
    date, file, outcome, category and tags as in the last plan (only what it
    shows changed, and those attempts are new objects): the views of the other
    attempts are then reused without looking at their terms again.
    """
    t = strings.get
    memo = memo if memo is not None else PlanMemo()  # a fresh one reuses nothing
    outcomes = outcome_views(config, strings)
    if outcomes == memo.outcomes:
        outcomes = memo.outcomes  # the same objects: views that point to them stay valid
    reuse = placed_as_before and outcomes is memo.outcomes and bool(memo.views)
    if reuse:  # the terms are spelled as before: the last plan's tables hold
        category_terms, tag_terms = memo.category_terms, memo.tag_terms
        made_terms, by_name = memo.terms, memo.by_name
    else:
        category_terms, tag_terms, made_terms, by_name = {}, {}, {}, {}

    def term_of(name: str, terms: dict[str, Term], folder: str) -> Term:
        """The term for a category or tag name. Names that differ only in capitals
        share one (the first spelling wins); other names that would share an
        address get one of their own (addresses.term_slugs), first come first served."""
        term = by_name.get((folder, name))
        if term is None:
            same = addresses.term_key(name)
            for slug in addresses.term_slugs(name):
                term = terms.get(slug)
                if term is None:
                    url = f"/{folder}/{slug}/"
                    # the last plan's object when it is equal: views that hold it stay valid
                    term = memo.terms.get((name, url)) or Term(name, url)
                    terms[slug] = made_terms[(name, url)] = term
                    break
                if addresses.term_key(term.name) == same:
                    break
            assert term is not None
            by_name[(folder, name)] = term
        return term

    published: list[AttemptView] = []
    views: dict[str, AttemptView] = {}
    old_views = memo.views
    for a in attempts:
        entry = a.entry
        if entry.private:
            continue
        if reuse:
            view = old_views.get(entry.path)
            if view is not None and view.attempt is a:
                view.bodies = bodies
                published.append(view)
                views[entry.path] = view
                continue
        outcome = outcomes[a.outcome]
        category = term_of(entry.category, category_terms, "categories") if entry.category else None
        tags = [term_of(x, tag_terms, "tags") for x in entry.tags]
        view = old_views.get(entry.path)
        if view is not None and view.same(a, outcome, category, tags, numbering):
            view.bodies = bodies
        else:
            view = AttemptView(a, bodies, outcome, category, tags, numbering)
        published.append(view)
        views[entry.path] = view
    newest_first = published[::-1]
    files: list[OutputFile] = []

    # Home: the dashboard.
    stats_json = stats.to_json()
    latest = newest_first[: config.latest_entries]
    milestone_views = [  # the site's own path for links, stats.json has absolute URLs
        {"at": m["at"], "date": dt.date.fromisoformat(m["date"]),
         "url": "/" + m["url"].removeprefix(config.base_url) if m["url"] else None}
        for m in stats.milestones
    ]
    projected = stats.pace["projected_finish"]
    stats_text = json.dumps(stats_json, sort_keys=True)

    def home(latest: list[AttemptView]) -> OutputFile:
        return OutputFile(
            "/", "index.html", "home.html",
            ("home", stats_text, tuple(v.key for v in latest)),
            lambda: {
                "page": _page_info("/", config.title, config.description, "home"),
                "stats": stats_json,
                "latest": latest,
                "milestones": milestone_views,
                "projected_finish": dt.date.fromisoformat(projected) if projected else None,
            },
        )

    files.append(home(latest))

    # One page per published attempt, with its neighbours.
    attempt_files = {}
    old_files = memo.attempt_files
    for i, view in enumerate(published):
        previous = published[i - 1] if i > 0 else None
        following = published[i + 1] if i + 1 < len(published) else None
        entry = view.attempt.entry
        made = old_files.get(entry.path)
        if made is None or made[0] is not previous or made[1] is not view or (
                made[2] is not following):
            made = (previous, view, following, _attempt_file(view, previous, following))
        attempt_files[entry.path] = made
        files.append(made[3])
    memo.outcomes, memo.terms, memo.views = outcomes, made_terms, views
    memo.category_terms, memo.tag_terms, memo.by_name = category_terms, tag_terms, by_name
    memo.attempt_files = attempt_files

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
    lists: dict[str, tuple[tuple[object, ...], list[OutputFile]]] = {}
    list_specs: dict[str, tuple[str, str, list[AttemptView]]] = {}

    def add_list(base: str, heading: str, kind: str, items: list[AttemptView]) -> None:
        made = _list_files(base, heading, None, kind, items, config.per_page, memo.lists)
        lists[base] = made
        list_specs[base] = (heading, kind, items)
        files.extend(made[1])

    add_list("/attempts/", str(t("archive_heading", "All attempts")), "archive", newest_first)
    for key, outcome in outcomes.items():
        heading = str(t("outcome_heading", "{label}")).format(label=outcome.label)
        add_list(outcome.url, heading, "outcome", by_outcome[key])
    for kind, terms, members in (("category", category_terms, by_category),
                                 ("tag", tag_terms, by_tag)):
        ordered = sorted(terms.values(), key=lambda term: (term.name.casefold(), term.url))
        for term in ordered:
            heading = str(t(f"{kind}_heading", "{name}")).format(name=term.name)
            add_list(term.url, heading, kind, members[term.url])
        index_url = "/categories/" if kind == "category" else "/tags/"
        term_list = [{"name": term.name, "url": term.url, "count": len(members[term.url])}
                     for term in ordered]
        index_heading = str(t("categories_heading" if kind == "category" else "tags_heading",
                              "Categories" if kind == "category" else "Tags"))
        files.append(OutputFile(
            index_url, output_path(index_url), "terms.html",
            ("terms", json.dumps(term_list)),
            _terms_context(index_url, index_heading, term_list),
        ))
    memo.lists, memo.list_specs = lists, list_specs

    # Standalone pages.
    for sp in standalone:
        url = f"/{sp.slug}/"
        files.append(OutputFile(
            url, output_path(url), "page.html", ("page", sp.digest),
            _standalone_context(sp, url, bodies), bodies=(sp.digest,),
        ))

    # The files around the pages.
    def feed(feed_items: list[AttemptView]) -> OutputFile:
        updated = (max(v.attempt.entry.published for v in feed_items).isoformat()
                   if feed_items else dt.datetime.combine(stats.as_of, dt.time(),
                                                          dt.UTC).isoformat())
        return OutputFile(
            "/feed.xml", "feed.xml", "feed.xml", ("feed", tuple(v.key for v in feed_items)),
            lambda: {"page": _page_info("/feed.xml", config.title, None, "feed"),
                     "entries": feed_items, "updated": updated},
            in_sitemap=False, bodies=tuple(v.attempt.entry.digest for v in feed_items),
        )

    files.append(feed(newest_first[: config.feed_entries]))
    files.append(OutputFile(
        "/404.html", "404.html", "404.html", ("404",),
        lambda: {"page": _page_info("/404.html", str(t("not_found_title", "Not found")),
                                    None, "404")},
        in_sitemap=False,
    ))
    files.append(OutputFile(
        "/robots.txt", "robots.txt", "robots.txt", ("robots",),
        lambda: {"page": _page_info("/robots.txt", "robots", None, "robots")},
        in_sitemap=False,
    ))
    # The outcome colours of site.yml as a stylesheet: no inline styles, so a
    # strict Content-Security-Policy keeps working.
    outcome_css = "".join(f".badge.outcome-{o.key} {{ background-color: {o.color}; }}\n"
                          for o in config.outcomes).encode()
    files.append(OutputFile(
        "/static/outcomes.css", "static/outcomes.css", None, ("outcomes.css", outcome_css),
        dict, raw=lambda: outcome_css, in_sitemap=False,
    ))
    stats_bytes = (json.dumps(stats_json, indent=2, ensure_ascii=False) + "\n").encode()
    files.append(OutputFile(
        "/stats.json", "stats.json", None, ("stats", stats_bytes), dict,
        raw=lambda: stats_bytes, in_sitemap=False,
    ))
    mapped = [f for f in files if f.in_sitemap]
    files.append(OutputFile(
        "/sitemap.xml", "sitemap.xml", "sitemap.xml",
        ("sitemap", tuple([f.url for f in mapped]), tuple([f.lastmod for f in mapped])),
        lambda: {"page": _page_info("/sitemap.xml", "sitemap", None, "sitemap"),
                 "urls": [{"loc": config.base_url + addresses.uri_path(f.url).lstrip("/"),
                           "lastmod": f.lastmod}
                          for f in mapped]},
        in_sitemap=False,
    ))

    urls = {f.url for f in files} | {"/" + s for s in static_outputs}
    memo.published, memo.home, memo.feed = published, home, feed
    memo.latest_count, memo.feed_count, memo.per_page = (config.latest_entries,
                                                          config.feed_entries, config.per_page)
    return SitePlan(files, urls, published)


def patch_plan(plan: SitePlan, memo: PlanMemo, replaced: Sequence[Attempt], bodies: BodyText,
               numbering: Numbering = PLAIN) -> tuple[SitePlan, list[OutputFile]]:
    """The last plan with some attempts replaced by ones placed exactly as before
    (same date, file, outcome, category, tags: only what they show changed), and
    the files that must be rendered again.

    What plan_site would make, without looking at the other attempts: each
    replaced view is swapped into the lists that hold it (which `memo` kept),
    and only the files made from those lists are made again, by the same
    functions plan_site uses. Serve's rebuild after a save that changes a
    story or a title costs this, however large the site.
    """
    published = list(memo.published)
    views = dict(memo.views)
    paths = {a.entry.path for a in replaced}
    position = {v.attempt.entry.path: i for i, v in enumerate(memo.published)
                if v.attempt.entry.path in paths}
    swapped: dict[int, AttemptView] = {}  # id of the old view -> the new one
    for attempt in replaced:
        old = views[attempt.entry.path]
        view = AttemptView(attempt, bodies, old.outcome, old.category, old.tags, numbering)
        published[position[attempt.entry.path]] = view
        views[attempt.entry.path] = view
        swapped[id(old)] = view
    changed: dict[str, OutputFile] = {}

    def swap(items: list[AttemptView]) -> list[AttemptView]:
        return [swapped.get(id(v), v) for v in items]

    # The attempt pages of the replaced attempts and of their neighbours.
    attempt_files = dict(memo.attempt_files)
    neighbourhood = {j for at in position.values() for j in (at - 1, at, at + 1)}
    for i in sorted(j for j in neighbourhood if 0 <= j < len(published)):
        view = published[i]
        previous = published[i - 1] if i > 0 else None
        following = published[i + 1] if i + 1 < len(published) else None
        made = (previous, view, following, _attempt_file(view, previous, following))
        attempt_files[view.attempt.entry.path] = made
        changed[made[3].path] = made[3]
    # The lists that hold them, the home page and the feed.
    lists = dict(memo.lists)
    list_specs = dict(memo.list_specs)
    for old_id in swapped:
        view = swapped[old_id]
        for base in ("/attempts/", view.outcome.url,
                     *([view.category.url] if view.category else []),
                     *(tag.url for tag in view.tags)):
            heading, kind, items = list_specs[base]
            items = swap(items)
            remade = _list_files(base, heading, None, kind, items, memo.per_page, lists)
            lists[base], list_specs[base] = remade, (heading, kind, items)
            for file in remade[1]:
                changed[file.path] = file
    newest_first = published[::-1]
    assert memo.home is not None and memo.feed is not None  # plan_site made them
    for file in (memo.home(newest_first[: memo.latest_count]),
                 memo.feed(newest_first[: memo.feed_count])):
        changed[file.path] = file
    files = [changed.get(f.path, f) for f in plan.files]
    memo.published, memo.views, memo.attempt_files = published, views, attempt_files
    memo.lists, memo.list_specs = lists, list_specs
    old_keys = {f.path: f.key for f in plan.files if f.path in changed}
    todo = [f for f in changed.values() if f.key != old_keys.get(f.path)]
    return SitePlan(files, plan.urls, published), todo


def _attempt_file(view: AttemptView, previous: AttemptView | None,
                  following: AttemptView | None) -> OutputFile:
    entry = view.attempt.entry
    return OutputFile(
        view.url, view.url[1:] + "index.html", "attempt.html",
        ("attempt", view.key,
         previous.key if previous else None, following.key if following else None),
        _attempt_context(view, previous, following),
        lastmod=entry.date.isoformat(), bodies=(entry.digest,),
    )


def _page_info(url: str, title: str, description: str | None, kind: str) -> Context:
    return {"url": url, "title": title, "description": description, "kind": kind}


def _attempt_context(view: AttemptView, previous: AttemptView | None,
                     following: AttemptView | None) -> Callable[[], Context]:
    return lambda: {
        "page": _page_info(view.url, view.title, view.summary_text, "attempt"),
        "attempt": view, "previous": previous, "next": following,
    }


def _terms_context(url: str, heading: str, terms: list[Context]) -> Callable[[], Context]:
    return lambda: {"page": _page_info(url, heading, None, "terms"),
                    "heading": heading, "terms": terms}


def _standalone_context(sp: StandalonePage, url: str,
                        bodies: BodyText) -> Callable[[], Context]:
    def context() -> Context:
        return {"page": {**_page_info(url, sp.title, sp.description, "page"),
                         "extra": sp.extra},
                "content": Markup(bodies.html(sp.digest))}

    return context


def _list_files(base: str, heading: str, intro: str | None, kind: str,
                items: list[AttemptView], per_page: int,
                made_before: dict[str, tuple[tuple[object, ...], list[OutputFile]]]
                ) -> tuple[tuple[object, ...], list[OutputFile]]:
    """The pages of one list. A page of the last plan is reused when it shows the
    very same views in a list of the same length (views compare by identity, at
    C speed), so an edit rebuilds the one page of a long archive that shows it."""
    inputs = (heading, intro, kind, per_page, len(items))
    old_inputs, old_files = made_before.get(base, ((), []))
    same_list = old_inputs[:5] == inputs
    numbered = paginate(base, len(items), per_page)
    total = len(numbered)
    files = []
    for number, url in numbered:
        start = (number - 1) * per_page
        chunk = items[start:start + per_page]
        if same_list:
            old = old_files[number - 1]
            if old_inputs[5 + start:5 + start + per_page] == tuple(chunk):
                files.append(old)
                continue
        title = heading if number == 1 else f"{heading} ({number}/{total})"
        files.append(OutputFile(
            url, output_path(url), "list.html",
            ("list", heading, number, total, tuple([v.key for v in chunk])),
            _list_context(url, title, heading, intro, kind, chunk, number, numbered),
        ))
    return (*inputs, *items), files


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
                  numbered: list[tuple[int, str]]) -> Callable[[], Context]:
    def context() -> Context:
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
