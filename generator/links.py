"""The link check: links in Markdown to pages of this site that do not exist.

It runs after planning, when every URL of the site is known, over the links
the derive stage collected while rendering each body (no Markdown is parsed
again). Each link costs a few set lookups, so the check is linear in the
number of links; serve keeps a LinkChecker, which checks again only the
bodies that changed while the site's URLs stay the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from generator.photos import is_relative_picture
from generator.problems import WARNING, Problem

EXTERNAL = ("https://", "http://", "mailto:", "//")

Links = Sequence[Sequence[Any]]
"""(href, line) of each link of a body, as the derive stage found them."""

LinkSource = tuple[str, str, str]
"""A published body: the file it is in, its digest and the URL it is shown at."""


def broken_links(source: LinkSource, links: Links, urls: set[str]) -> list[Problem]:
    """The links of one body that lead to no page of the site."""
    problems = []
    path, _, page_url = source
    for href, line in links:
        if href.startswith(EXTERNAL):  # most links: no need to take them apart
            continue
        if is_relative_picture(href):
            continue  # a picture beside the story: generator.photos checks those
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        target = unquote(urlsplit(urljoin(page_url, parts.path)).path)
        if target in urls or target + "/" in urls or (
                target.endswith("/index.html") and target[:-10] in urls):
            continue
        problems.append(Problem(
            path, line, None, f'link to "{href}": there is no such page on this site',
            "check the address; attempts live at /attempts/<file name>/", WARNING))
    return problems


@dataclass
class LinkChecker:
    """Checks every body once, then again only when it or the site's URLs change."""

    urls: set[str] = field(default_factory=set)
    found: dict[LinkSource, list[Problem]] = field(default_factory=dict)

    def check(self, sources: Iterable[LinkSource], links_of: Mapping[str, Links],
              urls: set[str]) -> list[Problem]:
        """Problems of every body; `links_of` maps a body's digest to its links."""
        if urls != self.urls:
            self.urls, self.found = urls, {}
        found: dict[LinkSource, list[Problem]] = {}
        problems: list[Problem] = []
        old = self.found
        for source in sources:
            known = old.get(source)
            if known is None:
                links = links_of.get(source[1])
                known = broken_links(source, links, urls) if links else []
            found[source] = known
            problems += known
        self.found = found
        return problems
