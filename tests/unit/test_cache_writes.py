"""A cache that cannot be written (a full disk, a read-only folder, a link
restored from a CI cache) slows the next build and says so; it never fails
one, in the parent or in a worker, and never writes outside itself."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from generator import cache
from generator.cache import ArtifactStore

KEY = "ab" + "0" * 30


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache, "_write_atomically", full)


def test_preparing_a_shelf_on_a_full_disk_raises_nothing(tmp_path: Path, full_disk: None
                                                         ) -> None:
    shelf = ArtifactStore(tmp_path, "c").shelf("bodies", ())
    shelf.prepare()  # the parent does this before forking workers
    assert shelf.failed is not None and shelf.failed.errno == errno.ENOSPC


def test_a_worker_writing_shards_on_a_full_disk_raises_nothing(tmp_path: Path,
                                                               full_disk: None) -> None:
    shelf = ArtifactStore(tmp_path, "c").shelf("bodies", ())
    shelf.put(KEY, b"value")
    shelf.write_shards([KEY[:2]])
    assert shelf.failed is not None


def test_the_failure_comes_back_as_one_warning_when_the_store_saves(
        tmp_path: Path, full_disk: None) -> None:
    store = ArtifactStore(tmp_path, "c")
    store.shelf("bodies", ()).put(KEY, b"value")
    problems = store.save()
    assert [p.severity for p in problems] == ["warning"]
    assert "No space left on device" in problems[0].message


def test_a_shelf_folder_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "ab.bin").write_bytes(b"someone else's")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "bodies").symlink_to(elsewhere)
    store = ArtifactStore(root, "c")
    store.shelf("bodies", ()).put(KEY, b"value")
    problems = store.save()
    assert len(problems) == 1 and "bodies is a link" in problems[0].message
    assert [p.name for p in elsewhere.iterdir()] == ["ab.bin"]
    assert (elsewhere / "ab.bin").read_bytes() == b"someone else's"


def test_a_cache_folder_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "cache"
    root.symlink_to(elsewhere)
    store = ArtifactStore(root, "c")
    store.table("parsed", ())["x"] = 1
    store.table_changed("parsed")
    assert len(store.save()) == 1
    assert list(elsewhere.iterdir()) == []
