"""The process pools: how files are split into tasks, the body store that the
derive workers write themselves, and the Markdown rendered in the background."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from kit import SITE_YML, assert_same_trees, attempt, parsed_table, run, write_files

from generator import cache, derive, markdown, render, site


def test_tasks_cover_every_item_once_and_keep_a_shard_in_one_task() -> None:
    owners = [f"{n:02x}{'0' * 30}" for n in range(256)] * 3 + [None] * 50
    bodies = [f"{n:02x}{'1' * 30}" for n in range(256)]
    cards = [f"{n:02x}{'2' * 30}" for n in range(0, 256, 2)]
    tasks = render.task_groups(owners, [bodies, cards], workers=2)
    seen = sorted(i for indices, _, _ in tasks for i in indices)
    assert seen == list(range(len(owners)))
    assert sorted(d for _, keys, _ in tasks for d in keys[0]) == sorted(bodies)
    assert sorted(d for _, keys, _ in tasks for d in keys[1]) == sorted(cards)
    owned = [shard for _, _, shards in tasks for shard in shards]
    assert len(owned) == len(set(owned)) == 256  # no two tasks write one shard
    for indices, keys, shards in tasks:
        for i in indices:  # a page is in the task that derives what it shows
            if owners[i] is not None:
                assert owners[i][:2] in shards
        assert {d[:2] for kind in keys for d in kind} <= set(shards)
    # the files without a body are one task, the first: they share the cards
    assert tasks[0] == (list(range(768, 818)), [[], []], ())
    assert len(tasks) == 1 + 64


@pytest.fixture
def pooled_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pools and the background for the smallest sites."""
    monkeypatch.setattr(render, "PARALLEL_FILES", 1)
    monkeypatch.setattr(derive, "PARALLEL_BODIES", 1)


def _many_attempts(root: Path, count: int = 60) -> Path:
    files: dict[str, str | bytes] = {"content/site.yml": SITE_YML}
    for n in range(count):
        day = n % 28 + 1
        files[f"content/attempts/2026-03-{day:02d}-a{n}.md"] = attempt(
            f"Attempt {n}", f"2026-03-{day:02d}", "no" if n % 3 else "yes",
            body=f"Body of **{n}**, see [the next](/attempts/2026-03-{day:02d}-a{n + 1}/).\n")
    return write_files(root, files)


def _cached_bodies(site_dir: Path) -> dict[str, str]:
    folder = site_dir / ".goldstar-cache" / "bodies"
    namespace = (folder / "NAMESPACE").read_text()
    bodies: dict[str, str] = {}
    for shard in folder.glob("*.bin"):
        for key, value in cache.unpack_shard(shard.read_bytes(), namespace):
            bodies[key] = value.decode()
    return bodies


def test_workers_write_the_body_store_and_a_warm_build_renders_no_markdown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    first = run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2")
    assert first.code == 0, first.err
    assert run("build", "--site", serial, "--as-of", "2026-03-31", "--workers", "1").code == 0
    # every body is kept once, as the serial build keeps it
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
    assert second.err == first.err  # link warnings too, from the kept links
    assert_same_trees(serial / "public", pooled / "public")


def test_one_worker_writes_the_store_task_by_task_and_holds_one_task_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    """With --workers 1 the tasks run in this process: each writes its shards
    and the earlier ones leave memory, so a large site's cards and bodies are
    never all held at once (4,000 attempts: 253 -> 110 MiB)."""
    import datetime as dt

    from generator.build import BuildOptions, build_site

    site_dir = _many_attempts(tmp_path / "site", 300)
    held: list[int] = []
    write_shards = cache.Shelf.write_shards

    def counting(self: cache.Shelf, shards: object) -> None:
        held.append(len(self.shards))
        write_shards(self, shards)  # type: ignore[arg-type]

    monkeypatch.setattr(cache.Shelf, "write_shards", counting)
    result = build_site(BuildOptions(site_dir=site_dir, as_of=dt.date(2026, 3, 31), workers=1))
    assert result.written > 600  # 300 attempt pages, 300 cards and the rest
    assert len(held) > render.TASKS_PER_WORKER  # bodies and cards, task by task
    # 300 bodies and 300 cards fill most of the 256 shards of each shelf; memory
    # holds one task's shards (256 / 32) and the bodies the feeds showed (20).
    assert max(held) <= 256 // render.TASKS_PER_WORKER + 20


def test_without_a_cache_a_worker_holds_one_task_of_cards_and_bodies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    """--no-cache: the shelves have no folder to write to, so a worker lets the
    last task's cards and bodies go when it starts the next (100,000 attempts:
    2.5 GiB -> 1.0 GiB per worker). The pool's tasks run here, one after another."""
    import datetime as dt

    from generator import derive_cards, parallel
    from generator.build import BuildOptions, build_site

    site_dir = _many_attempts(tmp_path / "site", 300)
    monkeypatch.setattr(parallel, "_context", lambda: None)
    held: list[int] = []
    for cls in (derive.BodyWork, derive_cards.CardWork):
        def counting(self: Any, *args: Any, _group: Any = cls.derive_group) -> Any:
            done = _group(self, *args)
            shelf = self.bodies.shelf if isinstance(self, derive.BodyWork) else self.shelf
            held.append(len(shelf.shards))
            return done

        monkeypatch.setattr(cls, "derive_group", counting)
    result = build_site(BuildOptions(site_dir=site_dir, as_of=dt.date(2026, 3, 31), workers=2,
                                     use_cache=False))
    assert result.written > 600
    assert len(held) > render.TASKS_PER_WORKER
    assert max(held) <= 2 * 256 // (2 * render.TASKS_PER_WORKER) + 20  # one task, and feeds


def test_a_pooled_warm_build_after_edits_keeps_the_store_whole(
        tmp_path: Path, pooled_everywhere: None) -> None:
    site_dir = _many_attempts(tmp_path)
    assert run("build", "--site", site_dir, "--as-of", "2026-03-31", "--workers", "2").code == 0
    # an edit, a deletion and an insertion that renumbers every later attempt
    edited = site_dir / "content" / "attempts" / "2026-03-05-a4.md"
    edited.write_text(edited.read_text().replace("Body of", "Changed body of"))
    (site_dir / "content" / "attempts" / "2026-03-06-a5.md").unlink()
    (site_dir / "content" / "attempts" / "2026-03-01-new.md").write_text(
        attempt("New", "2026-03-01", body="A *new* one.\n"))
    assert run("build", "--site", site_dir, "--as-of", "2026-03-31", "--workers", "2").code == 0
    cached = _cached_bodies(site_dir)
    assert len(cached) == 60  # one gone, one new, one replaced
    assert any("<em>new</em>" in html for html in cached.values())
    assert any("Changed body of" in html for html in cached.values())
    assert not any(html.startswith("<p>Body of <strong>5</strong>") for html in cached.values())


def test_bodies_rendered_in_the_background_join_the_pool_s_and_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    """While the parent parses, a background process renders bodies; the pool
    renders the rest. Private bodies it rendered are not kept."""
    report = tmp_path / "background.txt"
    in_background = derive._render_until_stopped

    def first_twenty(todo: list, stopped, **settings):  # type: ignore[no-untyped-def]
        done = in_background(todo[:20], lambda: False, **settings)  # all twenty, then stop
        report.write_text(str(len(done)))  # runs in the background process
        return done

    monkeypatch.setattr(derive, "_render_until_stopped", first_twenty)
    renders = tmp_path / "renders.txt"
    render_body = markdown.render

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        with open(renders, "a") as f:  # every process appends its own lines
            f.write(args[0].splitlines()[0] + "\n")
        return render_body(*args, **kwargs)

    monkeypatch.setattr(markdown, "render", counted)
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    for site_dir in (pooled, serial):
        (site_dir / "content" / "attempts" / "2026-03-01-hidden.md").write_text(
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
    assert len(cached) == 60 and not any("Secret" in html for html in cached.values())
    assert cached == _cached_bodies(serial)
    assert_same_trees(serial / "public", pooled / "public")


def test_the_background_renders_only_the_bodies_the_store_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    """It is forked once the files are found, reads them itself through the same
    function as the load stage, and skips every file whose digest the store
    already has links for."""
    report = tmp_path / "background.txt"
    in_background = derive._render_until_stopped

    def reported(todo: list, stopped, **settings):  # type: ignore[no-untyped-def]
        done = in_background(todo, lambda: False, **settings)  # all of them, then stop
        with open(report, "a") as f:  # runs in the background process
            f.write(f"{len(todo)} {sorted(b.html for b in done.values())}\n")
        return done

    monkeypatch.setattr(derive, "_render_until_stopped", reported)
    site_dir = _many_attempts(tmp_path / "site", count=40)
    assert run("build", "--site", site_dir, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert report.read_text().startswith("40 ")
    (site_dir / "content" / "attempts" / "2026-03-05-a4.md").write_text(
        attempt("Attempt 4", "2026-03-05", body="Rewritten *body*.\n"))
    (site_dir / "content" / "attempts" / "2026-03-06-new.md").write_text(
        attempt("New", "2026-03-06", body="A new one.\n"))
    assert run("build", "--site", site_dir, "--as-of", "2026-03-31", "--workers", "2").code == 0
    second = report.read_text().splitlines()[1]
    assert second == "41 ['<p>A new one.</p>\\n', '<p>Rewritten <em>body</em>.</p>\\n']"
    assert "Rewritten <em>body</em>" in (
        site_dir / "public" / "attempts" / "2026-03-05-a4" / "index.html").read_text()


def test_the_parsed_files_are_kept_as_data_and_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled_everywhere: None) -> None:
    """The store keeps parsed entries as JSON (never pickles): a warm build reads
    them back instead of parsing again, and gets the same entries."""
    pooled, serial = _many_attempts(tmp_path / "pooled"), _many_attempts(tmp_path / "serial")
    assert run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert run("build", "--site", serial, "--as-of", "2026-03-31", "--workers", "1").code == 0

    def parsed(site_dir: Path) -> dict:
        return parsed_table(site_dir)

    rows = parsed(pooled)
    assert len(rows) == 60 and rows == parsed(serial)
    calls = []
    monkeypatch.setattr(site.entries, "parse_attempt",
                        lambda *args: calls.append(args) or (None, []))
    assert run("build", "--site", pooled, "--as-of", "2026-03-31", "--workers", "2").code == 0
    assert calls == []


def test_a_failed_build_stops_the_background_rendering(
        tmp_path: Path, pooled_everywhere: None) -> None:
    import multiprocessing

    site_dir = _many_attempts(tmp_path)
    (site_dir / "content" / "attempts" / "2026-03-02-broken.md").write_text(
        "---\ntitle: [unclosed\n---\nBody.\n")
    result = run("build", "--site", site_dir, "--as-of", "2026-03-31", "--workers", "2")
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


def test_no_process_is_forked_while_other_threads_run() -> None:
    """Serve's HTTP threads run while it rebuilds; a fork then could leave a
    child stuck on a lock one of those threads held, so the work stays here."""
    import os
    import threading

    from generator import parallel

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with_threads = parallel.map_tasks(lambda _: os.getpid(), [1, 2, 3, 4], workers=2)
        background = parallel.Background(lambda tasks, stopped: os.getpid(), [1], None)
        assert background.result() is None  # no background process either
    finally:
        stop.set()
        thread.join()
    assert set(with_threads) == {os.getpid()}
    alone = parallel.map_tasks(lambda _: os.getpid(), [1, 2, 3, 4], workers=2)
    assert os.getpid() not in alone
