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
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from generator import addresses
from generator.badge import badge_svg
from generator.config import SiteConfig
from generator.derive_cards import CardSpec
from generator.entries import Entry, StandalonePage
from generator.hashing import key_digest
from generator.stats import Attempt, Stats, category_key, count_days, position_fill

if TYPE_CHECKING:  # drawn only when the dashboard renders
    from generator import charts

DEFAULT_OUTCOME_CLASSES = {"no", "yes", "ghosted", "pending"}
SITE_CARD = "/cards/site.png"
"""The social card of every page that is not an attempt's."""
HIGHLIGHTS = "yes"
"""The outcome whose list the menu calls the highlight reel."""
RESERVED = {"attempts", "outcomes", "categories", "tags", "lessons", "static", "cards",
            "assets", "feed.xml", "feed.json", "badge.svg", "sitemap.xml", "robots.txt",
            "stats.json", "404.html"}
"""Top-level names the site itself uses: no standalone page may take them."""
TEMPLATES = ("home.html", "attempt.html", "list.html", "terms.html", "page.html",
             "404.html", "feed.xml", "feed.json", "sitemap.xml", "robots.txt")
"""Every template the planner uses: a theme must have them all (its chain does)."""

Context = dict[str, Any]


class BodyText(Protocol):
    """The rendered bodies (derive.Bodies): loaded before a page that shows them renders."""

    def html(self, digest: str) -> str: ...


class CardSource(Protocol):
    """The PNG of a social card by its key (derive_cards.CardWork)."""

    def png(self, key: str) -> bytes: ...


class Numbering(Protocol):
    """How numbers that shift when an attempt is added before others (an
    attempt's number, its place in the challenge) reach pages: printed
    (`shown`, `value`) and in keys (`keyed`, `value_key`).

    A build prints plain numbers. Serve prints placeholders filled in after
    rendering (numbering.LateNumbers), so a renumbering does not re-render pages.
    """

    def shown(self, attempt: Attempt) -> object: ...

    def keyed(self, attempt: Attempt) -> Hashable: ...

    def value(self, kind: str, path: str, value: int | float) -> object: ...

    def value_key(self, kind: str, path: str, value: int | float) -> Hashable: ...


class PlainNumbers:
    """Numbers as they are."""

    def shown(self, attempt: Attempt) -> object:
        return attempt.number

    def keyed(self, attempt: Attempt) -> Hashable:
        return attempt.number

    def value(self, kind: str, path: str, value: int | float) -> object:
        return value

    def value_key(self, kind: str, path: str, value: int | float) -> Hashable:
        return value


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
    card: str | None = None
    """For a social card's PNG: its key (derive_cards)."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where an attempt stood in the challenge: what its page shows ("No #412 of
    1000") and the width of its bar. `at` and `fill` shift when an attempt is
    added before it, so they are late values in serve (see Numbering)."""

    at: object
    """Counted outcomes up to and including this attempt."""
    target: int
    fill: object
    """The bar's filled share, in percent."""
    counts: bool
    """Whether this attempt's own outcome counts toward the goal."""
    past_goal: bool
    key: tuple[object, ...]


def position_of(attempt: Attempt, at: int, target: int, counting: set[str],
                numbering: Numbering) -> Position:
    path = attempt.entry.path
    fill = position_fill(at, target)
    return Position(numbering.value("at", path, at), target, numbering.value("fill", path, fill),
                    attempt.outcome in counting, at > target,
                    (numbering.value_key("at", path, at), numbering.value_key("fill", path, fill),
                     target, attempt.outcome in counting, at > target))


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

    __slots__ = ("attempt", "bodies", "outcome", "category", "tags", "url", "key_hash",
                 "numbered", "number", "gap_before")

    def __init__(self, attempt: Attempt, bodies: BodyText, outcome: OutcomeView,
                 category: Term | None, tags: list[Term], numbering: Numbering = PLAIN,
                 gap_before: Sequence[Attempt] = ()) -> None:
        self.attempt = attempt
        self.bodies = bodies
        self.outcome = outcome
        self.category = category
        self.tags = tags
        self.url = attempt_url(attempt.entry.slug)
        self.number = numbering.shown(attempt)
        """The attempt's number, as templates print it."""
        self.gap_before = [numbering.shown(a) for a in gap_before]
        """The numbers of the private attempts between this one and the one
        published before it: the archive says where a number is missing."""
        # Everything a list or a neighbour link may show of this attempt: its front
        # matter and address, not its story (a page that shows the story keys it by
        # the file's digest too), so an edit of the story re-renders its own page
        # only. The names of its category and tags are spelled by the first attempt
        # that uses them, and their addresses depend on the names before them
        # (addresses.term_slugs), so both are here besides the front matter's digest.
        self.numbered = (numbering.keyed(attempt), tuple([numbering.keyed(a) for a in gap_before]))
        """Its number and the numbers of the gap before it, as keys (see `same`)."""
        self.key_hash = key_digest((self.numbered, attempt.entry.meta_digest, attempt.outcome,
                                    (category.name, category.url) if category else None,
                                    tuple([(tag.name, tag.url) for tag in tags]), self.url))
        """The digest of all that, which stands for the attempt in the keys of the
        pages that show it: each of them is hashed on every build, and a view is
        in about eight (its page, its neighbours', its lists), so hashing the
        view once saves hashing it eight times (and keeping the key itself)."""

    @property
    def key(self) -> str:
        """For templates: a `{% cache %}` key that holds everything a list shows
        of the attempt (README: Themes)."""
        return self.key_hash

    def same(self, attempt: Attempt, outcome: OutcomeView, category: Term | None,
             tags: list[Term], numbering: Numbering, gap_before: Sequence[Attempt]) -> bool:
        """Would a new view of `attempt` be this one? (Serve reuses it then, and
        points it at the new Attempt: a late number is read when it is printed.)"""
        old = self.attempt
        if not (old.entry is attempt.entry and old.outcome == attempt.outcome
                and self.outcome is outcome and self.category is category
                and self.tags == tags and self.numbered == (
                    numbering.keyed(attempt), tuple([numbering.keyed(a) for a in gap_before]))):
            return False
        self.attempt = attempt
        numbering.shown(attempt)  # a late number's new value, read when it is printed
        for a in gap_before:
            numbering.shown(a)
        return True

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
    list_specs: dict[str, tuple[str, str, list[AttemptView],
                                tuple[list[object], tuple[object, ...]]]] = field(
        default_factory=dict)
    """By list URL: its heading, its kind, its items (newest first) and its lead."""
    positions: dict[str, Position] = field(default_factory=dict)
    """By entry path: each published attempt's place in the challenge."""
    positions_at: dict[str, int] = field(default_factory=dict)
    card_args: tuple[Any, ...] = ()
    """What plan_site drew the attempts' cards with, for patch_plan."""
    card_of: dict[str, str] = field(default_factory=dict)
    """By entry path: the key of the attempt's card."""
    counted_label: str = ""
    home: Callable[[list[AttemptView]], OutputFile] | None = None
    feeds: tuple[Callable[[list[AttemptView]], OutputFile], ...] = ()
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
    cards: dict[str, CardSpec] = field(default_factory=dict)
    """The social cards the site shows, by key."""


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
    cards: CardSource | None = None,
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
    counting = set(config.challenge.counts)
    progress = 0
    position: dict[str, int] = {}
    """Counted outcomes up to and including each attempt: its place in the challenge."""
    private: list[Attempt] = []
    for a in attempts:
        entry = a.entry
        if a.outcome in counting:
            progress += 1
        position[entry.path] = progress
        if entry.private:
            private.append(a)
            continue
        gap_before, private = private, []
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
        if view is not None and view.same(a, outcome, category, tags, numbering, gap_before):
            view.bodies = bodies
        else:
            view = AttemptView(a, bodies, outcome, category, tags, numbering, gap_before)
        published.append(view)
        views[entry.path] = view
    private_newest = [numbering.shown(a) for a in private]
    """Private attempts after the last published one: the archive's first page says so."""
    private_keys = [numbering.keyed(a) for a in private]
    newest_first = published[::-1]
    files: list[OutputFile] = []

    # Home: the dashboard, its charts made from the counts of each day.
    stats_json = stats.to_json()
    latest = newest_first[: config.latest_entries]
    milestone_views = [  # the site's own path for links, stats.json has absolute URLs
        {"at": m["at"], "date": dt.date.fromisoformat(m["date"]),
         "url": "/" + m["url"].removeprefix(config.base_url) if m["url"] else None}
        for m in stats.milestones
    ]
    projected = stats.pace["projected_finish"]
    stats_text = json.dumps(stats_json, sort_keys=True)
    days = count_days([(a.entry.date, a.outcome in counting) for a in attempts])
    start = dt.date.fromisoformat(stats.goal["start"])

    def dashboard() -> charts.DashboardCharts:
        """The charts, drawn only when the dashboard renders (not on most builds)."""
        from generator import charts

        return charts.DashboardCharts(
            progress=charts.progress_chart(days, target=config.challenge.goal, start=start,
                                           end=config.challenge.end, as_of=stats.as_of),
            heatmap=charts.heatmap(days, start=start, end=config.challenge.end,
                                   as_of=stats.as_of),
            months=charts.month_bars(stats.by_month, config.outcome_keys),
            # From the published attempts only: a category that only private attempts
            # use must not be named on a page (stats.json counts them all).
            categories=charts.category_bars(
                _published_by_category(published, config.outcome_keys), config.outcome_keys),
        )

    days_key = (tuple(sorted(days.attempts.items())), tuple(sorted(days.counting.items())))

    def home(latest: list[AttemptView]) -> OutputFile:
        return OutputFile(
            "/", "index.html", "home.html",
            ("home", stats_text, days_key, tuple([v.key_hash for v in latest]),
             tuple(private_keys)),
            lambda: {
                "page": _page_info("/", config.title, config.description, "home"),
                "stats": stats_json,
                "latest": latest,
                "milestones": milestone_views,
                "projected_finish": dt.date.fromisoformat(projected) if projected else None,
                "charts": dashboard(),
                "dates": _dashboard_dates(stats_json),
            },
        )

    files.append(home(latest))

    # One page per published attempt, with its neighbours and its place.
    attempt_files = {}
    old_files = memo.attempt_files
    target = config.challenge.goal
    label = _counted_label(config, outcomes)
    positions: dict[str, Position] = {}
    for i, view in enumerate(published):
        previous = published[i - 1] if i > 0 else None
        following = published[i + 1] if i + 1 < len(published) else None
        entry = view.attempt.entry
        if reuse and entry.path in memo.positions:
            place = memo.positions[entry.path]
        else:
            place = position_of(view.attempt, position[entry.path], target, counting, numbering)
        positions[entry.path] = place
        made = old_files.get(entry.path)
        if made is None or made[0] is not previous or made[1] is not view or (
                made[2] is not following) or made[3].key[5] != place.key:
            made = (previous, view, following,
                    _attempt_file(view, previous, following, place, label))
        attempt_files[entry.path] = made
        files.append(made[3])
    memo.positions, memo.counted_label = positions, label

    # The social cards: one per published attempt, one for the site.
    only_nos = list(config.challenge.counts) == ["no"]
    card_specs: dict[str, CardSpec] = {}
    card_of: dict[str, str] = {}
    if config.cards and cards is not None:
        site_spec = CardSpec("site", config.language, config.title, target, stats.progress,
                             label, only_nos, date=stats.as_of.isoformat(),
                             description=config.description)
        site_key = site_spec.key
        files.append(_card_file(SITE_CARD, site_key, cards))
        card_specs[site_key] = site_spec
        for view in published:
            spec = attempt_card(view, config, target, label, only_nos,
                                position[view.attempt.entry.path], counting)
            key = spec.key
            files.append(_card_file(card_path(view), key, cards))
            card_specs[key] = spec
            card_of[view.attempt.entry.path] = key
    memo.card_args = (config, target, label, only_nos, counting, cards)
    memo.card_of = card_of
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
    list_specs: dict[str, tuple[str, str, list[AttemptView],
                                tuple[list[object], tuple[object, ...]]]] = {}

    def add_list(base: str, heading: str, kind: str, items: list[AttemptView],
                 lead: tuple[list[object], tuple[object, ...]] = ([], ())) -> None:
        made = _list_files(base, heading, None, kind, items, config.per_page, memo.lists,
                           lead)
        lists[base] = made
        list_specs[base] = (heading, kind, items, lead)
        files.extend(made[1])

    add_list("/attempts/", str(t("archive_heading", "All attempts")), "archive", newest_first,
             (private_newest, tuple(private_keys)))
    for key, outcome in outcomes.items():
        # The "yes" list is the one the menu calls the highlight reel: its page says so.
        heading = (str(t("nav_highlights", "Highlights")) if key == HIGHLIGHTS else
                   str(t("outcome_heading", "{label}")).format(label=outcome.label))
        add_list(outcome.url, heading, "outcome", by_outcome[key])
    outcome_list = [{"name": o.label, "url": o.url, "count": len(by_outcome[k]),
                     "css_class": o.css_class} for k, o in outcomes.items()]
    outcomes_heading = str(t("outcomes_heading", "Outcomes"))
    files.append(OutputFile(
        "/outcomes/", "outcomes/index.html", "terms.html",
        ("terms", json.dumps(outcome_list)),
        _terms_context("/outcomes/", outcomes_heading, outcome_list),
    ))
    lessons = [v for v in newest_first if v.attempt.entry.lesson]
    add_list("/lessons/", str(t("lessons_heading", "Lessons")), "lessons", lessons)
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
    def json_feed(feed_items: list[AttemptView]) -> OutputFile:
        return OutputFile(
            "/feed.json", "feed.json", "feed.json",
            ("feed.json", tuple([v.key_hash for v in feed_items]),
             tuple(v.attempt.entry.digest for v in feed_items)),
            lambda: {"page": _page_info("/feed.json", config.title, None, "feed"),
                     "entries": feed_items},
            in_sitemap=False, bodies=tuple(v.attempt.entry.digest for v in feed_items),
        )

    def feed(feed_items: list[AttemptView]) -> OutputFile:
        updated = (max(v.attempt.entry.published for v in feed_items).isoformat()
                   if feed_items else dt.datetime.combine(stats.as_of, dt.time(),
                                                          dt.UTC).isoformat())
        return OutputFile(
            "/feed.xml", "feed.xml", "feed.xml", ("feed", tuple([v.key_hash for v in feed_items]),
             tuple(v.attempt.entry.digest for v in feed_items)),
            lambda: {"page": _page_info("/feed.xml", config.title, None, "feed"),
                     "entries": feed_items, "updated": updated},
            in_sitemap=False, bodies=tuple(v.attempt.entry.digest for v in feed_items),
        )

    files.append(feed(newest_first[: config.feed_entries]))
    files.append(json_feed(newest_first[: config.feed_entries]))
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
    # The badge for READMEs and profiles: "nos | 27/100".
    badge_label = str(t("badge_nos" if only_nos else "badge_counted", "counted"))
    badge_value = f"{stats.progress}/{config.challenge.goal}"
    badge_title = str(t("badge_title", "{label}: {progress} of {goal}")).format(
        label=badge_label, progress=stats.progress, goal=config.challenge.goal)
    files.append(OutputFile(
        "/badge.svg", "badge.svg", None, ("badge", badge_label, badge_value, badge_title), dict,
        raw=lambda: badge_svg(badge_label, badge_value, badge_title).encode(),
        in_sitemap=False,
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
    memo.published, memo.home, memo.feeds = published, home, (feed, json_feed)
    memo.positions_at = position
    memo.latest_count, memo.feed_count, memo.per_page = (config.latest_entries,
                                                          config.feed_entries, config.per_page)
    return SitePlan(files, urls, published, card_specs)


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
        made = (previous, view, following, _attempt_file(
            view, previous, following, memo.positions[view.attempt.entry.path],
            memo.counted_label))
        attempt_files[view.attempt.entry.path] = made
        changed[made[3].path] = made[3]
    # The lists that hold them, the home page and the feed.
    lists = dict(memo.lists)
    list_specs = dict(memo.list_specs)
    newest_first = published[::-1]

    def remake(base: str, items: list[AttemptView]) -> None:
        heading, kind, _, lead = list_specs[base]
        remade = _list_files(base, heading, None, kind, items, memo.per_page, lists, lead)
        lists[base], list_specs[base] = remade, (heading, kind, items, lead)
        for file in remade[1]:
            changed[file.path] = file

    for old_id in swapped:
        view = swapped[old_id]
        for base in ("/attempts/", view.outcome.url,
                     *([view.category.url] if view.category else []),
                     *(tag.url for tag in view.tags)):
            remake(base, swap(list_specs[base][2]))
    # A lesson written or taken out adds a page to the lessons or takes one away.
    remake("/lessons/", [v for v in newest_first if v.attempt.entry.lesson])
    assert memo.home is not None  # plan_site made it
    for file in (memo.home(newest_first[: memo.latest_count]),
                 *(feed(newest_first[: memo.feed_count]) for feed in memo.feeds)):
        changed[file.path] = file
    card_specs = dict(plan.cards)
    if memo.card_args and memo.card_args[-1] is not None and memo.card_args[0].cards:
        config, target, label, only_nos, counting, cards = memo.card_args
        for view in swapped.values():
            path = view.attempt.entry.path
            spec = attempt_card(view, config, target, label, only_nos,
                                memo.positions_at[path], counting)
            card_specs.pop(memo.card_of.get(path, ""), None)
            key = spec.key
            card_specs[key] = spec
            memo.card_of[path] = key
            file = _card_file(card_path(view), key, cards)
            changed[file.path] = file
    files = [changed.get(f.path, f) for f in plan.files]
    memo.published, memo.views, memo.attempt_files = published, views, attempt_files
    memo.lists, memo.list_specs = lists, list_specs
    old_keys = {f.path: f.key for f in plan.files if f.path in changed}
    todo = [f for f in changed.values() if f.key != old_keys.get(f.path)]
    return SitePlan(files, plan.urls, published, card_specs), todo


def _attempt_file(view: AttemptView, previous: AttemptView | None,
                  following: AttemptView | None, place: Position, label: str) -> OutputFile:
    entry = view.attempt.entry
    return OutputFile(
        view.url, view.url[1:] + "index.html", "attempt.html",
        ("attempt", view.key_hash, entry.digest,  # key[5] is place.key: plan_site compares it
         previous.key_hash if previous else None, following.key_hash if following else None,
         place.key, label),
        _attempt_context(view, previous, following, place, label),
        lastmod=entry.date.isoformat(), bodies=(entry.digest,),
    )


def _published_by_category(published: Sequence[AttemptView],
                           keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """by_category as stats.json has it, for the published attempts only."""
    found: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for view in published:
        name = view.category.name if view.category else None
        group = found.setdefault(category_key(name, names),
                                 {"total": 0, "outcomes": dict.fromkeys(keys, 0)})
        group["total"] += 1
        group["outcomes"][view.attempt.outcome] += 1
    return found


def _dashboard_dates(stats: Context) -> dict[str, dt.date | None]:
    """The dates the dashboard prints, as dates (stats.json has them as text)."""
    pace, goal, pending = stats["pace"], stats["goal"], stats["pending"]

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return {"as_of": day(stats["as_of"]), "start": day(goal["start"]), "end": day(goal["end"]),
            "projected": day(pace["projected_finish"]),
            "goal_reached_on": day(pace["goal_reached_on"]),
            "next_ghosted_on": day(pending["next_ghosted_on"])}


def _counted_label(config: SiteConfig, outcomes: dict[str, OutcomeView]) -> str:
    """The word before an attempt's place ("No #412 of 1000"): the counted
    outcome's label when only one counts, else empty (the page then says
    "412 of 1000 so far")."""
    counts = config.challenge.counts
    return outcomes[counts[0]].label if len(counts) == 1 and counts[0] in outcomes else ""


def _page_info(url: str, title: str, description: str | None, kind: str,
               image: str | None = SITE_CARD) -> Context:
    """What every template knows of the page it renders; `image` is the path of
    the social card a link to it unfurls into."""
    return {"url": url, "title": title, "description": description, "kind": kind,
            "image": image}


def attempt_card(view: AttemptView, config: SiteConfig, target: int, label: str,
                 only_nos: bool, at: int, counting: set[str]) -> CardSpec:
    attempt = view.attempt
    entry = attempt.entry
    return CardSpec("attempt", config.language, config.title, target, at, label, only_nos,
                    title=entry.title, number=attempt.number, date=entry.date.isoformat(),
                    outcome_label=view.outcome.label, outcome_color=view.outcome.color,
                    counts=attempt.outcome in counting)


def _card_file(url: str, key: str, cards: CardSource) -> OutputFile:
    return OutputFile(url, url.lstrip("/"), None, ("card", key), dict,
                      raw=lambda: cards.png(key), in_sitemap=False, card=key)


def card_path(view: AttemptView) -> str:
    return f"/cards/{view.attempt.entry.slug}.png"


def _attempt_context(view: AttemptView, previous: AttemptView | None,
                     following: AttemptView | None, place: Position,
                     label: str) -> Callable[[], Context]:
    return lambda: {
        "page": _page_info(view.url, view.title, view.summary_text, "attempt", card_path(view)),
        "attempt": view, "previous": previous, "next": following,
        "position": place, "position_label": label,
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
                made_before: dict[str, tuple[tuple[object, ...], list[OutputFile]]],
                lead: tuple[list[object], tuple[object, ...]] = ([], ()),
                ) -> tuple[tuple[object, ...], list[OutputFile]]:
    """The pages of one list. A page of the last plan is reused when it shows the
    very same views in a list of the same length (views compare by identity, at
    C speed), so an edit rebuilds the one page of a long archive that shows it.

    `lead` is what the first page says before the first item (the archive: the
    numbers of private attempts newer than every published one), with its key.
    """
    header = (heading, intro, kind, per_page, len(items), lead[1])
    size = len(header)
    old_inputs, old_files = made_before.get(base, ((), []))
    same_list = old_inputs[:size] == header
    numbered = paginate(base, len(items), per_page)
    total = len(numbered)
    files = []
    for number, url in numbered:
        start = (number - 1) * per_page
        chunk = items[start:start + per_page]
        if same_list:
            old = old_files[number - 1]
            if old_inputs[size + start:size + start + per_page] == tuple(chunk):
                files.append(old)
                continue
        title = heading if number == 1 else f"{heading} ({number}/{total})"
        first = lead if number == 1 else ([], ())
        files.append(OutputFile(
            url, output_path(url), "list.html",
            ("list", heading, number, total, len(items), first[1],
             tuple([v.key_hash for v in chunk])),
            _list_context(url, title, heading, intro, kind, chunk, number, numbered,
                          len(items), first[0]),
        ))
    return (*header, *items), files


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
                  numbered: list[tuple[int, str]], count: int,
                  newest_private: list[object]) -> Callable[[], Context]:
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
                "intro": intro, "kind": kind, "items": list(items), "pagination": pagination,
                "count": count, "newest_private": newest_private}

    return context
