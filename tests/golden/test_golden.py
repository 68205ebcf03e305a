"""Golden tests: build fixture sites and compare with the committed expected output.

`pytest --update-golden` rewrites tests/golden/sites/<case>/expected/; review the diff
in the commit like any other change.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
from kit import SITES, assert_same_trees, copy_site, parsed_table, run, tree

from generator import entries

# The files whose exact bytes are pinned; the rest is checked by the file list.
GOLDEN_FILES = [
    "stats.json",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "index.html",
    "attempts/2026-03-01-refill/index.html",
    "attempts/index.html",
    "attempts/page/2/index.html",
    "outcomes/yes/index.html",
    "categories/index.html",
    "about/index.html",
]


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site("basic", tmp_path_factory.mktemp("golden"))
    result = run("build", "--site", site, "--as-of", "2026-03-21", "--no-cache")
    assert result.code == 0, result.err
    return site / "public"


def test_basic_site_matches_expected_files(basic: Path, update_golden: bool) -> None:
    expected_dir = SITES / "basic" / "expected"
    listing = "\n".join(tree(basic)) + "\n"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        expected_dir.mkdir()
        (expected_dir / "FILES").write_text(listing)
        for name in GOLDEN_FILES:
            target = expected_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(basic / name, target)
    failures = []
    for name, actual in [("FILES", listing)] + [
            (n, (basic / n).read_text("utf-8")) for n in GOLDEN_FILES]:
        wanted = (expected_dir / name).read_text("utf-8")
        if actual != wanted:
            diff = difflib.unified_diff(wanted.splitlines(), actual.splitlines(),
                                        f"expected/{name}", f"public/{name}", lineterm="")
            failures.append("\n".join(diff))
    assert not failures, "\n\n".join(failures) + "\n(run pytest --update-golden to accept)"


def test_private_and_draft_and_future_attempts_leave_no_trace(basic: Path) -> None:
    for path in basic.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8", errors="replace")
            for secret in ("SECRET", "DRAFT", "FUTURE", "2026-03-02-private"):
                assert secret not in text, f"{secret} leaked into {path}"
            # A private attempt takes part in the category counts of stats.json
            # (the spec says so), but no page names its category.
            if path.name != "stats.json":
                assert "hushhush" not in text, f"private category leaked into {path}"


def test_private_attempt_is_counted_but_has_no_page(basic: Path) -> None:
    stats = json.loads((basic / "stats.json").read_text())
    assert stats["total"] == 5  # refill, raise, private, grant, bus
    assert stats["outcomes"]["no"] == 3
    assert not (basic / "attempts" / "2026-03-02-private").exists()
    # numbering keeps the private attempt's place: refill #1, private #2, raise #3
    raise_page = (basic / "attempts" / "2026-03-02-raise" / "index.html").read_text()
    assert "#3" in raise_page


def test_pending_older_than_ghost_after_days_is_ghosted_on_its_page(basic: Path) -> None:
    page = (basic / "attempts" / "2026-03-03-grant" / "index.html").read_text()
    assert "outcome-ghosted" in page
    stats = json.loads((basic / "stats.json").read_text())
    assert stats["outcomes"]["ghosted"] == 1 and stats["outcomes"]["pending"] == 0


def test_date_with_offset_belongs_to_its_day_in_the_site_timezone(basic: Path) -> None:
    page = (basic / "attempts" / "2026-03-03-grant" / "index.html").read_text()
    assert 'datetime="2026-03-04"' in page  # 23:30 at -05:00 is 05:30 next day in Amsterdam


def test_raw_html_and_javascript_links_do_not_survive(basic: Path) -> None:
    page = (basic / "attempts" / "2026-03-02-raise" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_every_internal_link_resolves(basic: Path) -> None:
    import re
    from urllib.parse import urljoin, urlsplit

    missing = []
    for html in basic.rglob("*.html"):
        page_url = "/" + html.relative_to(basic).as_posix()
        for href in re.findall(r'(?:href|src)="([^"]+)"', html.read_text()):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = urlsplit(urljoin(page_url, href)).path
            candidate = basic / target.lstrip("/")
            if target.endswith("/"):
                candidate = candidate / "index.html"
            if not candidate.is_file():
                missing.append(f"{page_url} -> {href}")
    # the fixture's one deliberate broken link in Markdown is the only exception
    assert missing == ["/attempts/2026-03-03-grant/index.html -> /attempts/does-not-exist/"]


def test_broken_markdown_link_is_a_warning_with_path_and_line(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    result = run("build", "--site", site, "--as-of", "2026-03-21", "--no-cache")
    assert result.code == 0
    assert ('content/attempts/2026-03/2026-03-03-grant.md:7: warning: link to '
            '"/attempts/does-not-exist/"') in result.err


def test_a_bare_address_in_a_story_is_a_link_and_no_warning(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    story = site / "content" / "attempts" / "2026-03" / "2026-03-03-grant.md"
    story.write_text(story.read_text().replace("/attempts/does-not-exist/", "/about/")
                     + "\nThe form: https://grants.example.org/apply?id=7, or mail "
                       "help@example.org, or see www.example.org.\n")
    result = run("build", "--site", site, "--as-of", "2026-03-21", "--no-cache")
    assert result.code == 0 and "warning" not in result.err, result.err
    page = (site / "public" / "attempts" / "2026-03-03-grant" / "index.html").read_text()
    assert ('<a href="https://grants.example.org/apply?id=7">'
            'https://grants.example.org/apply?id=7</a>, or mail '
            '<a href="mailto:help@example.org">help@example.org</a>, or see '
            '<a href="http://www.example.org">www.example.org</a>.') in page


def test_dutch_site_has_dutch_dates_and_strings(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    config = site / "content" / "site.yml"
    config.write_text(config.read_text().replace("language: en", "language: nl"))
    assert run("build", "--site", site, "--as-of", "2026-03-21", "--no-cache").code == 0
    page = (site / "public" / "attempts" / "2026-03-01-refill" / "index.html").read_text()
    assert "1 maart 2026" in page
    assert 'lang="nl"' in page
    english = (SITES / "basic" / "expected" / "attempts/2026-03-01-refill/index.html").read_text()
    assert "1 March 2026" in english


def test_drafts_flag_publishes_and_counts_drafts(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21", "--drafts",
               "--no-cache").code == 0
    assert (site / "public" / "attempts" / "2026-03-20-draft" / "index.html").is_file()
    assert json.loads((site / "public" / "stats.json").read_text())["total"] == 6


def test_source_date_epoch_sets_the_as_of_date(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site = copy_site("basic", tmp_path)
    # 2026-04-01T23:30:00Z is already 2 April in Amsterdam: the future attempt is published
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1775086200")
    assert run("build", "--site", site, "--no-cache").code == 0
    stats = json.loads((site / "public" / "stats.json").read_text())
    assert stats["as_of"] == "2026-04-02"
    assert (site / "public" / "attempts" / "2026-04-02-future" / "index.html").is_file()


def test_output_is_the_same_with_cache_and_without(tmp_path: Path) -> None:
    a, b = copy_site("basic", tmp_path / "a"), copy_site("basic", tmp_path / "b")
    assert run("build", "--site", a, "--as-of", "2026-03-21", "--no-cache").code == 0
    for _ in range(2):  # the second run is served from the cache
        assert run("build", "--site", b, "--as-of", "2026-03-21").code == 0
    assert_same_trees(a / "public", b / "public")


def test_one_worker_and_two_workers_write_the_same_bytes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import derive, render

    monkeypatch.setattr(render, "PARALLEL_FILES", 1)
    monkeypatch.setattr(derive, "PARALLEL_BODIES", 1)
    a, b = copy_site("basic", tmp_path / "a"), copy_site("basic", tmp_path / "b")
    assert run("build", "--site", a, "--as-of", "2026-03-21", "--no-cache",
               "--workers", "1").code == 0
    assert run("build", "--site", b, "--as-of", "2026-03-21", "--no-cache",
               "--workers", "2").code == 0
    assert_same_trees(a / "public", b / "public")


def test_a_category_respelled_by_its_first_attempt_is_rebuilt_everywhere(
        tmp_path: Path) -> None:
    """The first attempt of a category spells it for all: pages that do not
    hold that attempt (archive page 1 holds only the later "job" one) change too."""
    site = copy_site("basic", tmp_path / "warm")
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    first = site / "content" / "attempts" / "2026-03" / "2026-03-02-raise.md"
    first.write_text(first.read_text().replace("category: job", "category: Job"))
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    fresh = copy_site("basic", tmp_path / "fresh")
    shutil.copyfile(first, fresh / "content" / "attempts" / "2026-03" / first.name)
    assert run("build", "--site", fresh, "--as-of", "2026-03-21", "--no-cache").code == 0
    archive = (site / "public" / "attempts" / "index.html").read_text()
    assert "2026-03-03-grant" in archive and ">Job</span>" in archive
    assert_same_trees(site / "public", fresh / "public")


def test_unchanged_pages_are_not_rewritten(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    page = site / "public" / "attempts" / "2026-03-21-bus" / "index.html"
    before = page.stat().st_mtime_ns
    second = run("build", "--site", site, "--as-of", "2026-03-21")
    assert "0 written" in second.out
    assert page.stat().st_mtime_ns == before


def test_deleting_an_attempt_removes_its_page_and_only_that(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    (site / "public" / "keep-me.txt").write_text("mine")
    (site / "content" / "attempts" / "2026-03" / "2026-03-21-bus.md").unlink()
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    assert not (site / "public" / "attempts" / "2026-03-21-bus").exists()
    assert (site / "public" / "keep-me.txt").read_text() == "mine"


def test_a_warm_build_after_edits_matches_a_cold_build(tmp_path: Path) -> None:
    warm, cold = copy_site("basic", tmp_path / "warm"), copy_site("basic", tmp_path / "cold")
    assert run("build", "--site", warm, "--as-of", "2026-03-21").code == 0
    for site in (warm, cold):
        refill = site / "content" / "attempts" / "2026-03" / "2026-03-01-refill.md"
        refill.write_text(refill.read_text().replace("five seconds", "ten seconds"))
        (site / "content" / "attempts" / "2026-03" / "2026-03-21-bus.md").unlink()
        # the same bytes under another name: every link to it moves
        month = site / "content" / "attempts" / "2026-03"
        (month / "2026-03-03-grant.md").rename(month / "2026-03-03-grant-renamed.md")
        (site / "content" / "attempts" / "2026-03-10-new.md").write_text(
            "---\ntitle: A new one\ndate: 2026-03-10\noutcome: yes\n---\nNew [link](/nowhere/).\n")
    # some of the rendered bodies of the cache are lost, the rest of the cache is kept
    shards = sorted((warm / ".goldstar-cache" / "bodies").glob("*.bin"))
    assert len(shards) > 1
    shards[0].unlink()
    warm_run = run("build", "--site", warm, "--as-of", "2026-03-21")
    cold_run = run("build", "--site", cold, "--as-of", "2026-03-21", "--no-cache")
    assert warm_run.code == cold_run.code == 0
    assert warm_run.err == cold_run.err  # the same warnings, link warnings included
    assert_same_trees(warm / "public", cold / "public")


def test_a_build_with_nothing_changed_reports_the_same_warnings(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    first = run("build", "--site", site, "--as-of", "2026-03-21")
    second = run("build", "--site", site, "--as-of", "2026-03-21")
    assert first.err == second.err and "does-not-exist" in second.err
    assert "0 written" in second.out


def test_a_warm_build_renders_only_the_pages_an_edit_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept pages are not even rendered (not only not rewritten): a warm build of
    a large site must not cost a cold one."""
    from generator import templates

    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    rendered: list[str] = []
    original = templates.Renderer.render

    def counting(self: templates.Renderer, template: str, context: dict, root: Path) -> str:
        rendered.append(template)
        return original(self, template, context, root)

    monkeypatch.setattr(templates.Renderer, "render", counting)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    assert rendered == []
    bus = site / "content" / "attempts" / "2026-03" / "2026-03-21-bus.md"
    bus.write_text(bus.read_text() + "\nOne more line.\n")
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    # The story changed: its page and both feeds (they carry the whole story of
    # the newest attempts) show it; lists and neighbours show the front matter.
    assert sorted(rendered) == ["attempt.html", "feed.json", "feed.xml"]
    rendered.clear()
    bus.write_text(bus.read_text().replace("title:", "title: Again,", 1))
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    # The title changed: the attempt, the one before it (the latest has no next:
    # its link shows the title), the home page, the four lists that show its card
    # (it has no lesson) and both feeds.
    assert sorted(rendered) == ["attempt.html"] * 2 + ["feed.json", "feed.xml", "home.html"] + [
        "list.html"] * 4


def test_a_swap_that_was_cut_short_makes_the_next_build_rewrite_everything(
        tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    page = site / "public" / "attempts" / "2026-03-21-bus" / "index.html"
    page.write_text("half-written")
    (site / "public" / ".goldstar-swapping").touch()  # as if killed during the swap
    result = run("build", "--site", site, "--as-of", "2026-03-21")
    assert result.code == 0 and "0 written" not in result.out
    assert "Asked the bus driver" in page.read_text()
    assert not (site / "public" / ".goldstar-swapping").exists()


def test_changing_the_outcomes_revalidates_cached_attempts(tmp_path: Path) -> None:
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    config = site / "content" / "site.yml"
    config.write_text(config.read_text().replace("title: Ten nos in March", "title: Renamed"))
    renamed = run("build", "--site", site, "--as-of", "2026-03-21")
    assert renamed.code == 0 and "Renamed" in (site / "public" / "index.html").read_text()
    config.write_text(config.read_text() + "outcomes:\n  no: {}\n  yes: {}\n  ghosted: {}\n")
    result = run("build", "--site", site, "--as-of", "2026-03-21")
    assert result.code == 1
    assert ('content/attempts/2026-03/2026-03-03-grant.md:4:10: error: outcome "pending" '
            "is not one of: no, yes, ghosted") in result.err


def test_a_large_site_lets_the_files_bytes_go_and_builds_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past site.KEEP_BYTES_UP_TO files the stories are read again when they render."""
    from generator import site as site_module

    a, b = copy_site("basic", tmp_path / "a"), copy_site("basic", tmp_path / "b")
    assert run("build", "--site", a, "--as-of", "2026-03-21", "--no-cache").code == 0
    monkeypatch.setattr(site_module, "KEEP_BYTES_UP_TO", 0)
    assert run("build", "--site", b, "--as-of", "2026-03-21", "--no-cache").code == 0
    assert_same_trees(a / "public", b / "public")


def test_a_large_site_keeps_its_parsed_files_as_objects_and_writes_them_as_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past site.KEEP_BYTES_UP_TO files the parsed-files table holds the entries
    themselves (site.KeptAsJson), turned into JSON only when it is written: the
    table on disk is the one a small site writes, and a warm build reads it."""
    from generator import site as site_module

    small, large = copy_site("basic", tmp_path / "small"), copy_site("basic", tmp_path / "large")
    assert run("build", "--site", small, "--as-of", "2026-03-21").code == 0
    monkeypatch.setattr(site_module, "KEEP_BYTES_UP_TO", 0)
    assert run("build", "--site", large, "--as-of", "2026-03-21").code == 0
    assert parsed_table(large) == parsed_table(small) != {}

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached file was parsed again")

    monkeypatch.setattr(entries, "parse_attempt", no_parsing)
    shutil.rmtree(large / "public")
    assert run("build", "--site", large, "--as-of", "2026-03-21").code == 0
    assert_same_trees(small / "public", large / "public")


def test_a_story_changed_while_it_was_built_is_a_problem_not_a_wrong_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from generator import build
    from generator import site as site_module
    from generator.problems import TemplateProblem
    from generator.site import BuildOptions, load_site

    site_dir = copy_site("basic", tmp_path)
    monkeypatch.setattr(site_module, "KEEP_BYTES_UP_TO", 0)
    site = load_site(BuildOptions(site_dir=site_dir, as_of=dt.date(2026, 3, 21)), None,
                     release_bytes=True)
    read_again = build.read_again(site)
    assert read_again is not None and all(s.data == b"" for s in site.sources.values())
    path = "content/attempts/2026-03/2026-03-01-refill.md"
    assert read_again(site.sources[path]).startswith(b"---")
    (site_dir / path).write_text("---\ntitle: Changed\n---\n", encoding="utf-8")
    with pytest.raises(TemplateProblem) as raised:
        read_again(site.sources[path])
    assert raised.value.problem.format().startswith(
        f"{path}: error: changed while the site was being built")


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The attempt and page files that builds read from now on (site.yml is read
    on every build, and is not counted)."""
    from generator import sources

    read: list[str] = []
    original = sources.read
    monkeypatch.setattr(sources, "read", lambda path, *args: (
        path.endswith(".md") and read.append(path)) or original(path, *args))
    return read


def test_a_warm_build_reads_only_the_files_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose inode, size, mtime and ctime are the same is not read again
    (sources.FileStats); an edit that keeps the size and puts the mtime back
    still moves the ctime, and is built. Stories not read, whose rendered HTML
    the cache lost, are read when they render."""
    import os
    import time

    from generator import sources

    monkeypatch.setattr(sources, "RACY_NS", 0)  # the files were copied just now
    warm, cold = copy_site("basic", tmp_path / "warm"), copy_site("basic", tmp_path / "cold")
    assert run("build", "--site", warm, "--as-of", "2026-03-21").code == 0
    read = _count_reads(monkeypatch)
    assert run("build", "--site", warm, "--as-of", "2026-03-21").code == 0
    assert read == []
    time.sleep(0.02)  # past the clock's tick: the edit's ctime is another
    for site in (warm, cold):
        refill = site / "content" / "attempts" / "2026-03" / "2026-03-01-refill.md"
        before = refill.stat()
        refill.write_text(refill.read_text().replace("five seconds", "nine seconds"))
        os.utime(refill, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert refill.stat().st_size == before.st_size
    for shard in (warm / ".goldstar-cache" / "bodies").glob("*.bin"):
        shard.unlink()
    assert run("build", "--site", warm, "--as-of", "2026-03-21").code == 0
    assert "content/attempts/2026-03/2026-03-01-refill.md" in read
    assert len(read) > 1  # the stories whose HTML was lost, read to render them again
    assert run("build", "--site", cold, "--as-of", "2026-03-21", "--no-cache").code == 0
    assert "nine seconds" in (warm / "public" / "attempts" / "2026-03-01-refill" /
                              "index.html").read_text()
    assert_same_trees(warm / "public", cold / "public")


def test_where_stamps_cannot_tell_a_change_every_file_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows: st_ctime is when a file was made, so a stamp says nothing sure."""
    from generator import sources

    monkeypatch.setattr(sources, "RACY_NS", 0)
    monkeypatch.setattr(sources, "STAMPS_TELL_CHANGES", False)
    site = copy_site("basic", tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    read = _count_reads(monkeypatch)
    assert run("build", "--site", site, "--as-of", "2026-03-21").code == 0
    assert len(read) == len(list((site / "content").rglob("*.md")))
