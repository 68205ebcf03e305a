"""The process pool: how pages are split into tasks, and the body cache that
the workers write themselves."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from kit import SITE_YML, assert_same_trees, attempt, run, write_files

from generator import build, markdown


def test_tasks_cover_every_item_once_and_never_share_a_shard() -> None:
    owners = [f"{n:02x}{'0' * 30}" for n in range(256)] * 3 + [None] * 50
    tasks = build._tasks(owners, workers=2)
    seen = sorted(i for indices, _ in tasks for i in indices)
    assert seen == list(range(len(owners)))
    owned = [shard for _, shards in tasks for shard in shards]
    assert len(owned) == len(set(owned)) == 256
    for indices, shards in tasks:
        for i in indices:  # a body's page is in the task that owns its shard
            assert (owners[i] is None) == (shards == ())
            if owners[i] is not None:
                assert owners[i][:2] in shards
    # the pages without a body are one task, the first: they share the cards
    assert tasks[0] == (list(range(768, 818)), ())
    assert all(shards for _, shards in tasks[1:]) and len(tasks) == 1 + 64


def _many_attempts(root: Path, count: int = 60) -> Path:
    files: dict[str, str | bytes] = {"content/site.yml": SITE_YML}
    for n in range(count):
        day = n % 28 + 1
        files[f"content/attempts/2026-03-{day:02d}-a{n}.md"] = attempt(
            f"Attempt {n}", f"2026-03-{day:02d}", "no" if n % 3 else "yes",
            body=f"Body of **{n}**, see [the next](/attempts/2026-03-{day:02d}-a{n + 1}/).\n")
    return write_files(root, files)


def _cached_bodies(site: Path) -> dict[str, markdown.RenderedBody]:
    bodies: dict[str, markdown.RenderedBody] = {}
    for shard in (site / ".goldstar-cache" / "bodies").glob("*.pickle"):
        with open(shard, "rb") as f:
            bodies.update(pickle.load(f)["bodies"])  # noqa: S301 - written by the test
    return bodies


def test_workers_write_the_body_cache_and_a_warm_build_renders_no_markdown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    first = run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2")
    assert first.code == 0, first.err
    assert run("build", "--site", serial, "--as-of", "2026-03-31", "--workers", "1").code == 0
    # every body is cached once, as the serial build caches it
    cached = _cached_bodies(pooled)
    assert len(cached) == 60
    assert cached == _cached_bodies(serial)

    # With the output gone every page renders again, but no body does.
    def no_markdown(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached body was rendered again")

    monkeypatch.setattr(markdown, "render", no_markdown)
    shutil.rmtree(pooled / "public")
    second = run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2")
    assert second.code == 0, second.err
    assert second.err == first.err  # link warnings too, from the cached links
    assert_same_trees(serial / "public", pooled / "public")


def test_a_pooled_warm_build_after_edits_keeps_the_cache_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    site = _many_attempts(tmp_path)
    assert run("build", "--site", site, "--as-of", "2026-03-31", "--workers", "2").code == 0
    # an edit, a deletion and an insertion that renumbers every later attempt
    edited = site / "content" / "attempts" / "2026-03-05-a4.md"
    edited.write_text(edited.read_text().replace("Body of", "Changed body of"))
    (site / "content" / "attempts" / "2026-03-06-a5.md").unlink()
    (site / "content" / "attempts" / "2026-03-01-new.md").write_text(
        attempt("New", "2026-03-01", body="A *new* one.\n"))
    assert run("build", "--site", site, "--as-of", "2026-03-31", "--workers", "2").code == 0
    cached = _cached_bodies(site)
    assert len(cached) == 60  # one gone, one new, one replaced
    assert any("<em>new</em>" in body.html for body in cached.values())
    assert any("Changed body of" in body.html for body in cached.values())
    assert not any(body.html.startswith("<p>Body of <strong>5</strong>")
                   for body in cached.values())


def test_bodies_rendered_in_the_background_join_the_pool_s_and_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the parent parses and plans, a background process renders bodies;
    the pool renders the rest. Private bodies it rendered are not kept."""
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    report = tmp_path / "background.txt"
    render_files = markdown.render_files

    def first_twenty(files: list, stopped, **settings):  # type: ignore[no-untyped-def]
        done = render_files(files[:20], stopped, **settings)
        report.write_text(str(len(done)))  # runs in the background process
        return done

    monkeypatch.setattr(markdown, "render_files", first_twenty)
    renders = tmp_path / "renders.txt"
    render = markdown.render

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        with open(renders, "a") as f:  # every process appends its own lines
            f.write(args[0].splitlines()[0] + "\n")
        return render(*args, **kwargs)

    monkeypatch.setattr(markdown, "render", counted)
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    for site in (pooled, serial):
        (site / "content" / "attempts" / "2026-03-01-hidden.md").write_text(
            attempt("Hidden", "2026-03-01", extra="private: true\n", body="Secret words.\n"))
    first = run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2")
    assert first.code == 0, first.err
    assert report.read_text() == "20"
    # the pool did not render again any of the bodies the background did
    files = sorted((pooled / "content" / "attempts").iterdir())[:20]
    early = [f.read_text().split("---\n")[2].splitlines()[0] for f in files]
    log = renders.read_text().splitlines()
    assert "Secret words." in early and all(log.count(line) == 1 for line in early)
    assert run("build", "--site", serial, "--as-of", "2026-03-31", "--workers", "1").code == 0
    cached = _cached_bodies(pooled)
    assert len(cached) == 60 and not any("Secret" in b.html for b in cached.values())
    assert cached == _cached_bodies(serial)
    assert_same_trees(serial / "public", pooled / "public")


def test_the_background_renders_only_the_bodies_the_cache_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It starts before the files are read, so it reads them itself and skips
    every file whose digest the cache already has links for."""
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    report = tmp_path / "background.txt"
    render_files = markdown.render_files

    def reported(paths: list, stopped, **settings):  # type: ignore[no-untyped-def]
        done = render_files(paths, stopped, **settings)
        with open(report, "a") as f:  # runs in the background process
            f.write(f"{len(paths)} {sorted(b.html for b in done.values())}\n")
        return done

    monkeypatch.setattr(markdown, "render_files", reported)
    site = _many_attempts(tmp_path / "site", count=40)
    assert run("build", "--site", site, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert report.read_text().startswith("40 ")
    # One new file (so that the cache lacks links for one more file than it has)
    # and one rewritten: the background renders those two and skips the rest.
    (site / "content" / "attempts" / "2026-03-05-a4.md").write_text(
        attempt("Attempt 4", "2026-03-05", body="Rewritten *body*.\n"))
    (site / "content" / "attempts" / "2026-03-06-new.md").write_text(
        attempt("New", "2026-03-06", body="A new one.\n"))
    assert run("build", "--site", site, "--as-of", "2026-03-31", "--workers", "2").code == 0
    second = report.read_text().splitlines()[1]
    assert second == "41 ['<p>A new one.</p>\\n', '<p>Rewritten <em>body</em>.</p>\\n']"
    assert "Rewritten <em>body</em>" in (
        site / "public" / "attempts" / "2026-03-05-a4" / "index.html").read_text()


def test_the_parsed_entries_pickled_during_the_pool_are_the_ones_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent pickles the parsed entries while the workers render; the cache
    must hold the same entries as a build without a pool, and a warm build
    must read them back instead of parsing again."""
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    assert run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert run("build", "--site", serial, "--as-of", "2026-03-31", "--workers", "1").code == 0

    def parsed(site: Path) -> dict:
        with open(site / ".goldstar-cache" / "build.pickle", "rb") as f:
            return pickle.loads(pickle.load(f)["parsed"])  # noqa: S301 - written by the test

    entries = parsed(pooled)
    assert len(entries) == 60
    assert [(d, e.title, e.date, e.outcome) for d, e, _ in entries.values()] == [
        (d, e.title, e.date, e.outcome) for d, e, _ in parsed(serial).values()]
    calls = []
    monkeypatch.setattr(build.entries, "parse_attempt",
                        lambda *args: calls.append(args) or (None, []))
    assert run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert calls == []


def test_a_failed_build_stops_the_background_rendering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    site = _many_attempts(tmp_path)
    (site / "content" / "attempts" / "2026-03-02-broken.md").write_text(
        "---\ntitle: [unclosed\n---\nBody.\n")
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--workers", "2")
    assert result.code == 1 and "2026-03-02-broken.md:2" in result.err
    assert multiprocessing.active_children() == []


def test_background_returns_what_it_has_when_asked_and_nothing_when_it_fails() -> None:
    import threading

    from generator import parallel

    def count(tasks: list[int], stopped) -> list[int]:  # type: ignore[no-untyped-def]
        done = []
        for task in tasks:
            if stopped():
                break
            done.append(task)
            while task == 2 and not stopped():  # busy until asked to stop
                threading.Event().wait(0.01)
        return done

    slow = parallel.Background(count, [1, 2, 3, 4], [])
    threading.Event().wait(0.2)
    assert slow.result() == [1, 2]  # stopped on the way, its work so far is kept

    def fail(tasks: list[int], stopped) -> list[int]:  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    assert parallel.Background(fail, [1], ["empty"]).result() == ["empty"]


def test_closing_a_background_ends_it_without_waiting_for_its_work() -> None:
    import multiprocessing
    import threading

    from generator import parallel

    def forever(tasks: list[int], stopped) -> str:  # type: ignore[no-untyped-def]
        while True:  # one very long body: it never looks at stopped()
            threading.Event().wait(1)

    background = parallel.Background(forever, [1], "")
    background.close()
    assert multiprocessing.active_children() == []
    assert background.result() == ""  # closed: nothing more to ask
