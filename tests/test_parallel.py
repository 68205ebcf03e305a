"""The process pool: how pages are split into tasks, and the body cache that
the workers write themselves."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from buildkit import SITE_YML, attempt, run, tree, write_files

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
    # pages with a body come first; the pages without one fill in at the end
    kinds = [bool(shards) for _, shards in tasks]
    assert kinds == sorted(kinds, reverse=True) and kinds.count(False) == 8


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
    for name in tree(serial / "public"):
        assert (pooled / "public" / name).read_bytes() == \
            (serial / "public" / name).read_bytes(), name


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
