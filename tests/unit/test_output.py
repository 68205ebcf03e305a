"""The output interface on disk: staging, keeping, committing, aborting, and
what a swap cut short leaves for the next build."""

from __future__ import annotations

from pathlib import Path

from generator.output import MANIFEST, SWAPPING, DiskOutput, Manifest, MemoryOutput


def leftovers(parent: Path) -> list[str]:
    """What a build left beside the output besides its work folder's lock, notes
    and spare tree: a staging folder would show here."""
    found = [p.name for p in parent.iterdir() if p.name not in ("public", ".public.goldstar")]
    work = parent / ".public.goldstar"
    if work.is_dir():
        found += [f".public.goldstar/{p.name}" for p in work.iterdir()
                  if p.name not in ("lock", ".gitignore", "CACHEDIR.TAG", "spare", "spare.json")]
    return sorted(found)


def write(out: DiskOutput, files: dict[str, bytes], keys: dict[str, object] | None = None) -> None:
    for path, data in files.items():
        key = (keys or {}).get(path, path)
        if out.unchanged(path, key):
            out.keep(path)
        else:
            out.record(out.stage(path, data, key))


def test_a_first_commit_moves_the_staging_folder_in_whole(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    out = DiskOutput(out_dir, "fp")
    write(out, {"index.html": b"home", "a/index.html": b"a"})
    assert not out_dir.exists()  # nothing before the commit
    assert out.commit() == (2, 0)
    assert (out_dir / "a" / "index.html").read_bytes() == b"a"
    assert set(Manifest.read(out_dir).files) == {"index.html", "a/index.html"}
    assert leftovers(tmp_path) == []  # no staging left


def test_unchanged_keys_are_kept_and_equal_bytes_are_not_rewritten(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    first = DiskOutput(out_dir, "fp")
    write(first, {"a.html": b"a", "b.html": b"b"})
    first.commit()
    before = (out_dir / "b.html").stat().st_mtime_ns
    second = DiskOutput(out_dir, "fp")
    assert second.unchanged("a.html", "a.html")
    assert not second.unchanged("b.html", "new key")
    second.keep("a.html")
    receipt = second.stage("b.html", b"b", "new key")  # new key, same bytes
    assert not receipt.staged
    second.record(receipt)
    assert second.commit() == (0, 0)
    assert (out_dir / "b.html").stat().st_mtime_ns == before


def test_a_commit_deletes_only_files_goldstar_wrote(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    first = DiskOutput(out_dir, "fp")
    write(first, {"gone/index.html": b"x", "kept.html": b"k"})
    first.commit()
    (out_dir / "mine.txt").write_text("the person's own file")
    second = DiskOutput(out_dir, "fp")
    write(second, {"kept.html": b"k2"}, {"kept.html": "k2"})
    assert second.commit() == (1, 1)
    assert not (out_dir / "gone").exists()
    assert (out_dir / "mine.txt").read_text() == "the person's own file"
    assert (out_dir / "kept.html").read_bytes() == b"k2"


def test_an_aborted_build_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    first = DiskOutput(out_dir, "fp")
    write(first, {"a.html": b"a"})
    first.commit()
    second = DiskOutput(out_dir, "fp")
    write(second, {"a.html": b"changed", "b.html": b"new"}, {"a.html": "k2"})
    second.abort()
    assert (out_dir / "a.html").read_bytes() == b"a" and not (out_dir / "b.html").exists()
    assert leftovers(tmp_path) == []


def test_after_a_swap_cut_short_nothing_is_kept_by_key(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    first = DiskOutput(out_dir, "fp")
    write(first, {"a.html": b"a"})
    first.commit()
    (out_dir / SWAPPING).touch()  # killed between moving files and the new manifest
    second = DiskOutput(out_dir, "fp")
    assert not second.unchanged("a.html", "a.html")
    receipt = second.stage("a.html", b"a", "a.html")
    assert receipt.staged  # bytes on disk cannot be trusted either
    second.record(receipt)
    second.commit()
    assert not (out_dir / SWAPPING).exists() and (out_dir / MANIFEST).exists()


def test_a_new_fingerprint_renders_everything_but_rewrites_only_new_bytes(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    first = DiskOutput(out_dir, "fp1")
    write(first, {"a.html": b"a"})
    first.commit()
    second = DiskOutput(out_dir, "fp2")  # a new theme string, say
    assert not second.unchanged("a.html", "a.html")
    assert not second.stage("a.html", b"a", "a.html").staged


def test_memory_output_keeps_by_key_and_counts_what_it_wrote() -> None:
    first = MemoryOutput()
    first.record(first.stage("a", b"1", "k"))
    first.record(first.stage("b", b"2", "k"))
    assert first.commit() == (2, 0)
    second = MemoryOutput(first)
    assert second.unchanged("a", "k") and not second.unchanged("a", "other")
    second.keep("a")
    assert second.commit() == (0, 1)
    assert second.contents() == {"a": b"1"}
