"""A site published under a sub-path, as GitHub Pages publishes a project: https://NAME.github.io/REPO/.

The example site is built with `--base-url https://name.github.io/repo/` and
served with its files at /repo/ and nothing at /, then crawled from its home
page and its 404 page: every link, stylesheet, image and feed link must load
and stay under /repo/. The feed, the sitemap, robots.txt and stats.json must
name addresses under the sub-path too. Also: `--base-url` must be refused
when it is not a web address, as base_url in site.yml is.
"""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hosting import StaticHost
from kit import REPO, assert_same_trees, run, write_site

BASE = "https://name.github.io/repo/"
HOST = "name.github.io"
MOUNT = "/repo/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("subpath") / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", AS_OF, "--no-cache",
                 "--base-url", BASE)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def host(built: Path) -> Iterator[StaticHost]:
    with StaticHost(built, mount=MOUNT) as served:
        yield served


def fetch(host: StaticHost, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(host.url + path, timeout=10) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Links(html.parser.HTMLParser):
    """Every address a page links to or loads, and the ids it has for #fragments."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if name in values and tag in ("a", "link", "img", "script", "source", "iframe"):
                self.found.append(values[name])
        for candidate in values.get("srcset", "").split(","):
            if candidate.strip():
                self.found.append(candidate.split()[0])


def public_url(path: str) -> str:
    """The address a local path under /repo/ has on the published site."""
    return f"https://{HOST}{path}"


def check_address(address: str, where: str) -> tuple[str | None, str | None]:
    """(local path to fetch, problem) for an address found on the published page `where`."""
    if address.lower().startswith(("javascript:", "data:", "vbscript:")):
        return None, f"{where}: script or data address {address!r}"
    target = urllib.parse.urlsplit(urllib.parse.urljoin(where, address))
    if target.scheme in ("mailto", "tel"):
        return None, None
    if target.netloc != HOST:
        return None, None  # another site
    if not target.path.startswith(MOUNT):
        return None, f"{where}: {address!r} leaves {MOUNT}"
    return target.path, None


def crawl(host: StaticHost) -> tuple[list[str], set[str], int]:
    """Follow every address from the home and 404 pages: (problems, paths seen, pages read)."""
    queue = [MOUNT, MOUNT + "no/such/page/"]
    seen: set[str] = set(queue)
    problems: list[str] = []
    pages = 0
    while queue:
        path = queue.pop()
        status, body = fetch(host, path)
        if status != 200 and not path.endswith("no/such/page/"):
            problems.append(f"{path}: status {status}")
            continue
        if not (path.endswith("/") or path.endswith(".html")):
            continue
        pages += 1
        links = Links()
        links.feed(body.decode("utf-8"))
        for address in links.found:
            if address.startswith("#"):
                if address[1:] not in links.ids:
                    problems.append(f"{path}: no id for {address}")
                continue
            local, problem = check_address(address, public_url(path))
            if problem:
                problems.append(problem)
            if local and local not in seen:
                seen.add(local)
                queue.append(local)
    return problems, seen, pages


def test_every_link_of_the_site_loads_and_stays_under_the_sub_path(host: StaticHost) -> None:
    problems, seen, pages = crawl(host)
    assert problems == []
    assert pages > 50  # the crawl reached the whole site
    assert {MOUNT + "feed.xml", MOUNT + "about/"} <= seen
    assert [p for p in seen if re.fullmatch(MOUNT + r"assets/style\.[0-9a-f]{8}\.css", p)]


def test_the_crawl_reports_a_site_built_for_the_root_of_the_host(tmp_path: Path) -> None:
    """The check above can fail: the same site built for https://name.github.io/."""
    out = tmp_path / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", AS_OF, "--no-cache",
                 "--base-url", f"https://{HOST}/")
    assert result.code == 0, result.err
    with StaticHost(out, mount=MOUNT) as served:
        problems, _, _ = crawl(served)
    assert [p for p in problems if re.fullmatch(
        re.escape(f"{public_url(MOUNT)}: '/assets/style.") + r"[0-9a-f]{8}\.css' leaves /repo/", p)]


def test_nothing_is_served_outside_the_sub_path(host: StaticHost) -> None:
    """The crawl above is only as good as this: the files are not also reachable at /."""
    assert fetch(host, "/static/style.css")[0] == 404
    assert fetch(host, MOUNT + "static/style.css")[0] == 200


def test_feed_entries_link_to_absolute_addresses_under_the_sub_path(host: StaticHost) -> None:
    status, body = fetch(host, MOUNT + "feed.xml")
    assert status == 200
    feed = ET.fromstring(body)
    assert feed.findtext(f"{ATOM}id") == BASE
    links = [link.get("href", "") for link in feed.iter(f"{ATOM}link")]
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert len(links) == len(entries) + 2  # each entry's, and the feed's self and alternate
    problems = []
    for href in links:
        if not href.startswith(BASE):
            problems.append(f"not absolute under {BASE}: {href}")
        elif fetch(host, urllib.parse.urlsplit(href).path)[0] != 200:
            problems.append(f"broken: {href}")
    # links inside the entries' HTML, read against the feed's own address
    for entry in entries:
        content = Links()
        content.feed(entry.findtext(f"{ATOM}content") or "")
        for address in content.found:
            local, problem = check_address(address, BASE + "feed.xml")
            if problem:
                problems.append(problem)
            elif local and fetch(host, local)[0] != 200:
                problems.append(f"broken in {entry.findtext(f'{ATOM}id')}: {address}")
    assert problems == []


def test_sitemap_and_robots_name_addresses_under_the_sub_path(host: StaticHost) -> None:
    status, body = fetch(host, MOUNT + "sitemap.xml")
    assert status == 200
    locations = [loc.text or "" for loc in ET.fromstring(body).iter(f"{SITEMAP}loc")]
    assert len(locations) > 50
    outside = [loc for loc in locations if not loc.startswith(BASE)]
    broken = [loc for loc in locations
              if loc.startswith(BASE) and fetch(host, urllib.parse.urlsplit(loc).path)[0] != 200]
    assert (outside, broken) == ([], [])
    robots = fetch(host, MOUNT + "robots.txt")[1].decode()
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_no_file_names_an_address_on_the_host_outside_the_sub_path(built: Path) -> None:
    """A catch-all for what the crawl does not read (feeds, JSON, cards, badge to come)."""
    pattern = re.compile(re.escape(f"https://{HOST}") + r"(?!" + re.escape(MOUNT) + r")\S*")
    found = {}
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt", ".svg"):
            hits = pattern.findall(path.read_text(encoding="utf-8"))
            if hits:
                found[path.relative_to(built).as_posix()] = hits
    assert found == {}


def test_stats_json_milestones_link_under_the_sub_path(host: StaticHost) -> None:
    stats = json.loads(fetch(host, MOUNT + "stats.json")[1])
    urls = [m["url"] for m in stats["milestones"] if m["url"]]
    assert urls
    problems = []
    for url in urls:
        local, problem = check_address(url, BASE + "stats.json")
        if problem:
            problems.append(problem)
        elif local and fetch(host, local)[0] != 200:
            problems.append(f"broken: {url}")
    assert problems == []


def test_a_base_url_without_its_last_slash_builds_the_same_site(built: Path,
                                                                tmp_path: Path) -> None:
    """configure-pages reports https://NAME.github.io/REPO, with no slash at the end."""
    out = tmp_path / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", AS_OF, "--no-cache",
                 "--base-url", BASE.rstrip("/"))
    assert result.code == 0, result.err
    # the manifest keeps the option as given; every published file is the same
    (out / ".goldstar-manifest.json").unlink()
    published = tmp_path / "published"
    shutil.copytree(built, published, ignore=shutil.ignore_patterns(".goldstar-manifest.json"))
    assert_same_trees(published, out)


# ------------------------------------------------------------------ refusing a bad --base-url
NOT_WEB_ADDRESSES = [
    "javascript:alert(1)//",  # every link would run a script
    "data:text/html,hi",
    "//evil.example/",  # every link and stylesheet would come from another site
    "example.org/repo/",  # no scheme: every link would be relative
    "ftp://example.org/",
    "https://",
]


def test_a_base_url_in_site_yml_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    """The rule --base-url should follow too."""
    site = write_site(tmp_path / "site", {"content/site.yml": (
        "title: T\nbase_url: 'javascript:alert(1)//'\nchallenge:\n  goal: 10\n")})
    result = run("build", "--site", site, "--no-cache")
    assert result.code == 1
    assert "is not a web address" in result.err
    assert not (site / "public").exists()


@pytest.mark.parametrize("bad", NOT_WEB_ADDRESSES)
def test_a_base_url_option_that_is_not_a_web_address_is_refused(tmp_path: Path,
                                                                 bad: str) -> None:
    out = tmp_path / "public"
    result = run("build", "--site", REPO, "--output", out, "--no-cache", "--base-url", bad)
    assert result.code in (1, 2)
    assert "base-url" in result.err or "base_url" in result.err
    assert bad in result.err
    assert not out.exists()
