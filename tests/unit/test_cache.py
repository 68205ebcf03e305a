"""The artifact store and the hashing it rests on: data that is checked when
read, namespaces that a change in goldstar's code empties, digests that are the
same in every process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kit import REPO, SITE_YML, attempt, run, write_files

from generator import cache, hashing
from generator.cache import ArtifactStore

KEY = "ab" + "0" * 30


def test_a_table_and_a_shelf_survive_a_new_store(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, "code-1")
    store.table("parsed", ("x",))["a.md"] = [1, "two"]
    store.table_changed("parsed")
    store.shelf("bodies", ()).put(KEY, b"<p>hi</p>")
    assert store.save() == []
    again = ArtifactStore(tmp_path, "code-1")
    assert again.table("parsed", ("x",)) == {"a.md": [1, "two"]}
    assert again.shelf("bodies", ()).get(KEY) == b"<p>hi</p>"


def test_new_code_or_settings_start_every_kind_afresh(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, "code-1")
    store.table("parsed", ("x",))["a.md"] = 1
    store.table_changed("parsed")
    store.shelf("bodies", ()).put(KEY, b"old")
    store.save()
    newer = ArtifactStore(tmp_path, "code-2")  # goldstar's own code changed
    assert newer.table("parsed", ("x",)) == {}
    assert newer.shelf("bodies", ()).get(KEY) is None
    other = ArtifactStore(tmp_path, "code-1")
    assert other.table("parsed", ("y",)) == {}  # other settings
    # the new namespace replaces the old one on disk
    newer.shelf("bodies", ()).put(KEY, b"new")
    newer.save()
    assert ArtifactStore(tmp_path, "code-1").shelf("bodies", ()).get(KEY) is None
    assert ArtifactStore(tmp_path, "code-2").shelf("bodies", ()).get(KEY) == b"new"


def test_a_split_table_rewrites_only_the_shard_of_a_changed_row(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, "code-1")
    rows = store.table("parsed", ("x",), shards=4)
    for n in range(40):
        rows[f"{n}.md"] = [n]
    store.table_changed("parsed")  # every row: every shard is written
    assert store.save() == []
    files = sorted((tmp_path / "parsed").glob("*.json"))
    assert [f.name for f in files] == ["00.json", "01.json", "02.json", "03.json"]
    before = {f.name: f.stat().st_mtime_ns for f in files}
    for f in files:
        os.utime(f, ns=(0, 0))
    again = ArtifactStore(tmp_path, "code-1")
    rows = again.table("parsed", ("x",), shards=4)
    assert rows == {f"{n}.md": [n] for n in range(40)}
    rows["7.md"] = ["edited"]
    again.table_changed("parsed", "7.md")
    del rows["8.md"]
    again.table_changed("parsed", "8.md")
    assert again.save() == []
    touched = {f.name for f in files if f.stat().st_mtime_ns != 0}
    assert touched == {f"{cache.shard_of(k, 4):02x}.json" for k in ("7.md", "8.md")}
    assert len(touched) < 4 and before
    third = ArtifactStore(tmp_path, "code-1").table("parsed", ("x",), shards=4)
    assert third["7.md"] == ["edited"] and "8.md" not in third and len(third) == 39
    # the shards of other code are not read
    assert ArtifactStore(tmp_path, "code-2").table("parsed", ("x",), shards=4) == {}


@pytest.mark.parametrize("damage", [
    lambda data: data[:-3],  # cut short
    lambda data: b"GSSHARD1" + b"x" * 32 + data[40:],  # another namespace
    lambda data: b"not a shard at all",
    lambda data: data[:40] + b"\xff" * 32 + data[72:],  # a key that is not hex
])
def test_a_damaged_shard_is_an_empty_one(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    store = ArtifactStore(tmp_path, "c")
    store.shelf("bodies", ()).put(KEY, b"value")
    store.save()
    shard = tmp_path / "bodies" / "ab.bin"
    shard.write_bytes(damage(shard.read_bytes()))
    assert ArtifactStore(tmp_path, "c").shelf("bodies", ()).get(KEY) is None


@pytest.mark.parametrize("text", ["{not json", "[]", '{"namespace": 1}', "\x00\x01"])
def test_a_damaged_table_is_an_empty_one(tmp_path: Path, text: str) -> None:
    (tmp_path / "parsed.json").write_text(text)
    assert ArtifactStore(tmp_path, "c").table("parsed", ()) == {}


def test_a_cache_that_cannot_be_written_is_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    store = ArtifactStore(blocker, "c")
    store.table("parsed", ())["x"] = 1
    store.table_changed("parsed")
    problems = store.save()
    assert len(problems) == 1 and not problems[0].is_error
    assert "next build will be slower" in problems[0].message


def test_key_digests_are_the_same_in_every_process() -> None:
    """Equal keys made differently (interned or not), in processes with other
    hash seeds, give the same digest; so does the code digest."""
    script = ("import sys; from generator import hashing; "
              "name = ''.join(['Soc', 'ial']); "
              "key = (('list', name, 3, None, True, 1.5, b'x', (('a', 1),)), 'd' * 32); "
              "print(hashing.key_digest(key), hashing.code_digest())")
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "random")}
    assert len(outputs) == 1
    here = (("list", "Social", 3, None, True, 1.5, b"x", (("a", 1),)), "d" * 32)
    assert outputs.pop().split()[0] == hashing.key_digest(here)


def test_keys_hold_only_plain_data() -> None:
    assert hashing.is_plain(("a", 1, None, (b"x", 2.5)))
    assert not hashing.is_plain(("a", frozenset({"b"})))  # set order is per process
    assert not hashing.is_plain(("a", object()))


def test_a_change_in_goldstar_s_code_shows_its_new_warnings_in_a_cached_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed-files table keeps each file's warnings. A changed rule in the
    generator (here: a new warning) must show at once, not only with --no-cache."""
    from generator import entries

    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/a.md": attempt(extra="colour: red\n")})
    first = run("build", "--site", site, "--as-of", "2026-03-31")
    assert 'unknown field "colour"' in first.err
    monkeypatch.setattr(entries, "ATTEMPT_KEYS", (*entries.ATTEMPT_KEYS, "colour"))
    monkeypatch.setattr(hashing, "code_digest", lambda: "another goldstar")
    second = run("build", "--site", site, "--as-of", "2026-03-31")
    assert second.code == 0 and 'unknown field "colour"' not in second.err


def test_the_store_holds_no_pickles_and_no_code(tmp_path: Path) -> None:
    """Everything under .goldstar-cache/ is JSON, shard data or plain text."""
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/a.md": attempt(body="A *story*.\n")})
    assert run("build", "--site", site, "--as-of", "2026-03-31").code == 0
    root = site / cache.CACHE_DIR
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for name in names:
        data = (root / name).read_bytes()
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith(".bin"):
            assert data.startswith(cache.SHARD_MAGIC)
        else:
            assert name in (".gitignore", "CACHEDIR.TAG", "bodies/NAMESPACE",
                            "cards/NAMESPACE"), name
        assert not data.startswith(b"\x80"), f"{name} looks like a pickle"
