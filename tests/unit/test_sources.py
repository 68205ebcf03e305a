"""Finding and reading the site's files: every oddity of a file system is an
error or a warning naming the file, never a hang, a crash or a silent gap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from kit import SITE_YML, attempt, run, write_files

from generator import hashing, sources
from generator.problems import WARNING


def test_markdown_files_are_found_in_order_and_the_rest_is_sorted_out(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "content/attempts/b.md": "x", "content/attempts/2026/a.md": "x",
        "content/attempts/photo.jpg": "x", "content/attempts/notes.txt": "x",
        "content/attempts/.hidden.md": "x", "content/attempts/a.md~": "x",
        "content/attempts/#a.md#": "x", "content/attempts/_drafts/c.md": "x"})
    listing = sources.discover(tmp_path, "content/attempts")
    assert [p for p, _ in listing.files] == ["content/attempts/2026/a.md",
                                             "content/attempts/b.md"]
    assert [p for p, _ in listing.others] == ["content/attempts/notes.txt",
                                              "content/attempts/photo.jpg"]
    assert listing.problems == []


@pytest.mark.parametrize(("name", "suggestion"), [
    ("2026-03-01-x.markdown", "2026-03-01-x.md"), ("2026-03-01-x.md.txt", "2026-03-01-x.md"),
    ("2026-03-01-x.txt", "2026-03-01-x.md")])
def test_a_story_saved_under_another_name_is_a_warning_naming_it(
        tmp_path: Path, name: str, suggestion: str) -> None:
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/a.md": attempt(),
                                  f"content/attempts/{name}": attempt()})
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0
    assert (f"content/attempts/{name}: warning: is not a Markdown file, so it is not one "
            f"of the attempts\n  hint: if it is one, rename it to end in .md (for example "
            f"{suggestion})") in result.err


def test_a_fifo_is_skipped_with_a_warning_and_never_opened(tmp_path: Path) -> None:
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/a.md": attempt()})
    os.mkfifo(site / "content" / "attempts" / "pipe.md")
    result = run("build", "--site", site, "--as-of", "2026-03-31")  # would hang if opened
    assert result.code == 0
    assert "content/attempts/pipe.md: warning: is not a regular file" in result.err


def test_reading_a_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    found = sources.read("pipe.md", str(tmp_path / "pipe.md"))
    assert not isinstance(found, sources.Source) and found.severity == WARNING


def test_an_unreadable_folder_is_an_error_not_a_silent_gap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated where scandir fails: CI runs as root, which reads every folder."""
    write_files(tmp_path, {"content/attempts/2026-03/a.md": "x", "content/attempts/b.md": "x"})
    real = os.scandir

    def refusing(path: str):  # type: ignore[no-untyped-def]
        if str(path).endswith("2026-03"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(sources.os, "scandir", refusing)
    listing = sources.discover(tmp_path, "content/attempts")
    assert [p for p, _ in listing.files] == ["content/attempts/b.md"]
    assert [(p.path, p.is_error) for p in listing.problems] == [
        ("content/attempts/2026-03/", True)]
    assert "Permission denied" in listing.problems[0].message


def test_links_inside_the_site_are_followed_and_links_out_of_it_are_not(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_files(outside, {"secret.md": attempt("Secret")})
    site = write_files(tmp_path / "site", {"content/attempts/a.md": "x",
                                           "content/shared/b.md": "x"})
    attempts = site / "content" / "attempts"
    (attempts / "secret.md").symlink_to(outside / "secret.md")
    (attempts / "elsewhere").symlink_to(outside)
    (attempts / "shared").symlink_to(site / "content" / "shared")
    (attempts / "loop").symlink_to(attempts)
    listing = sources.discover(site, "content/attempts")
    assert [p for p, _ in listing.files] == ["content/attempts/a.md",
                                             "content/attempts/shared/b.md"]
    assert sorted(p.path for p in listing.problems) == ["content/attempts/elsewhere",
                                                        "content/attempts/secret.md"]
    assert all(p.severity == WARNING for p in listing.problems)


def test_a_file_over_the_size_limit_is_an_error_before_it_is_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2048)
    problem = sources.read("big.md", str(big), limit=1024)
    assert isinstance(problem, sources.Problem) and problem.is_error
    assert "more than the limit" in problem.message
    assert isinstance(sources.read("big.md", str(big), limit=4096), sources.Source)


def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    site = write_files(tmp_path, {"content/site.yml": SITE_YML,
                                  "content/attempts/a.md": attempt()})
    (site / "content" / "attempts" / "zero.md").symlink_to("/dev/zero")
    result = run("build", "--site", site, "--as-of", "2026-03-31")
    assert result.code == 0
    assert "content/attempts/zero.md: warning: is a link to something outside the site" in (
        result.err)


def _noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           text: bytes = b"---\ntitle: A\n---\nStory.\n") -> tuple[Path, sources.FileStats]:
    """A file read and noted by a FileStats, as a build before this one did."""
    monkeypatch.setattr(sources, "RACY_NS", 0)  # the file was written just now
    path = tmp_path / "a.md"
    path.write_bytes(text)
    rows: dict = {}
    stats = sources.FileStats(rows, lambda _: None)
    found = sources.read("a.md", str(path))
    assert isinstance(found, sources.Source)
    stats.note(found)
    assert rows["a.md"][4] == found.digest
    return path, sources.FileStats(rows, lambda _: None)


def test_a_file_whose_stamp_is_the_same_is_known_without_reading_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, stats = _noted(tmp_path, monkeypatch)
    assert stats.known("a.md", str(path), sources.MAX_FILE_BYTES) == hashing.digest(
        path.read_bytes())
    assert stats.known("other.md", str(path), sources.MAX_FILE_BYTES) is None


def test_a_file_rewritten_with_the_same_size_and_mtime_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, stats = _noted(tmp_path, monkeypatch)
    before = path.stat()
    time.sleep(0.02)  # past the clock's tick: a write moves the ctime
    path.write_bytes(b"---\ntitle: B\n---\nStory.\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime put back
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == (
        before.st_mtime_ns)
    assert stats.known("a.md", str(path), sources.MAX_FILE_BYTES) is None


def test_a_file_replaced_by_another_or_grown_past_the_limit_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, stats = _noted(tmp_path, monkeypatch)
    assert stats.known("a.md", str(path), 10) is None  # the limit was lowered
    other = tmp_path / "b.md"
    other.write_bytes(path.read_bytes())
    os.replace(other, path)  # the same bytes in a new file: a new inode
    assert stats.known("a.md", str(path), sources.MAX_FILE_BYTES) is None
    path.unlink()
    os.mkfifo(path)
    assert stats.known("a.md", str(path), sources.MAX_FILE_BYTES) is None


def test_a_file_changed_just_before_it_was_read_is_not_noted(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\ntitle: A\n---\n")
    rows: dict = {"a.md": ["stale"]}
    changed: list[str] = []
    stats = sources.FileStats(rows, changed.append)
    found = sources.read("a.md", str(path))
    assert isinstance(found, sources.Source)
    stats.note(found)  # written within RACY_NS of this "build": a second write could hide
    assert rows == {} and changed == ["a.md"]
