"""The output on disk can be trusted: it is replaced whole, it is confined to
itself whatever its manifest or links inside it say, it is locked against a
second build, and a disk that says no gives a problem, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from pathlib import Path

import pytest

from generator import trees
from generator.hashing import digest
from generator.output import MANIFEST, DiskOutput, Manifest, OutputFailed
from generator.trees import all_safe, is_safe_path

SITE_FILES = {"index.html": b"home", "a/index.html": b"a", "static/style.css": b"css"}


def build(out_dir: Path, files: dict[str, bytes], keys: dict[str, object] | None = None,
          fingerprint: str = "fp", **options: object) -> tuple[int, int]:
    """One build of these files into out_dir, as the render stage does it."""
    out = DiskOutput(out_dir, fingerprint, "public", **options)  # type: ignore[arg-type]
    try:
        for path, data in files.items():
            key = (keys or {}).get(path, (path, data))
            if out.unchanged(path, key):
                out.keep(path)
            else:
                out.record(out.stage(path, data, key))
        return out.commit()
    except BaseException:
        out.abort()
        raise


def files_in(root: Path) -> dict[str, bytes]:
    """Every file under root (links are listed, never followed), by relative path."""
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            found[rel] = b"-> link" if path.is_symlink() else path.read_bytes()
    return found


def consistent(root: Path) -> bool:
    """The folder holds exactly what its manifest lists, with those bytes."""
    manifest = Manifest.read(root)
    files = files_in(root)
    files.pop(MANIFEST, None)
    return manifest.complete and files.keys() == manifest.files.keys() and all(
        digest(data) == manifest.files[path][0] for path, data in files.items())


def work_folder(tmp_path: Path) -> Path:
    return tmp_path / ".public.goldstar"


# ------------------------------------------------------------------ paths
@pytest.mark.parametrize("path", ["index.html", "a/b/index.html", ".well-known/x", "a..b/c"])
def test_plain_relative_paths_are_safe(path: str) -> None:
    assert is_safe_path(path)


def test_no_paths_at_all_are_safe() -> None:
    assert all_safe([])


def test_a_build_of_a_good_site_says_nothing_about_its_manifest(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    for n in range(3):
        out = DiskOutput(out_dir, "fp", "public")
        for path, data in {**SITE_FILES, "index.html": b"%d" % n}.items():
            out.record(out.stage(path, data, path))
        out.commit()
        assert out.warnings == []


@pytest.mark.parametrize("path", [
    "", "/etc/passwd", "../content/site.yml", "a/../../b", "a/./b", "./a", "a//b", "a/",
    "a\\..\\b", "a\0b", "..", ".", "x/..", "x/.", 3, None])
def test_paths_that_could_leave_the_folder_are_not(path: object) -> None:
    assert not is_safe_path(path)


@pytest.mark.parametrize("path", ["C:/x", "c:x"])
def test_a_drive_is_a_way_out_on_windows_only(path: str) -> None:
    assert is_safe_path(path) == (os.name != "nt")


# ------------------------------------------------------------------ confinement
def test_a_poisoned_manifest_deletes_nothing_outside_the_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    config = site / "content" / "site.yml"
    config.write_text("title: mine")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not goldstar's")
    out_dir = site / "public"
    build(out_dir, SITE_FILES)
    poisoned = {"fingerprint": "fp", "files": {
        str(elsewhere): ["x", "y"], "../content/site.yml": ["x", "y"],
        "index.html": ["x", "y"]}}
    for _ in range(3):  # the poisoned tree becomes the spare, then is brought up to date
        (out_dir / MANIFEST).write_text(json.dumps(poisoned))
        out = DiskOutput(out_dir, "fp", "public")
        for path, data in SITE_FILES.items():
            out.record(out.stage(path, data, path))
        out.commit()
        assert [w.message for w in out.warnings] == [
            "goldstar's list of the files it wrote names files outside public/; they were "
            "ignored, and nothing it names was deleted"]
        assert config.read_text() == "title: mine" and elsewhere.read_text() == "not goldstar's"
        assert consistent(out_dir)


def test_a_link_to_a_folder_planted_in_the_output_is_never_written_through(
        tmp_path: Path) -> None:
    themes = tmp_path / "themes" / "default" / "static"
    themes.mkdir(parents=True)
    (themes / "style.css").write_text("the theme's own file")
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    build(out_dir, {**SITE_FILES, "index.html": b"home 2"})  # there is a spare now
    for tree in (out_dir, work_folder(tmp_path) / "spare"):
        for name in os.listdir(tree / "static"):
            os.unlink(tree / "static" / name)
        os.rmdir(tree / "static")
        os.symlink(themes, tree / "static")
    for n in range(3):
        build(out_dir, {**SITE_FILES, "static/style.css": b"new css %d" % n})
        assert (themes / "style.css").read_text() == "the theme's own file"
        assert os.listdir(themes) == ["style.css"]
        assert not (out_dir / "static").is_symlink()
        assert (out_dir / "static" / "style.css").read_bytes() == b"new css %d" % n


def test_a_file_linked_to_a_secret_is_rendered_again_not_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    os.unlink(out_dir / "a" / "index.html")
    os.symlink(secret, out_dir / "a" / "index.html")
    build(out_dir, SITE_FILES)
    page = out_dir / "a" / "index.html"
    assert not page.is_symlink() and page.read_bytes() == b"a"
    assert secret.read_text() == "password"


def test_a_link_in_the_spare_makes_it_be_thrown_away_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("victim")
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    build(out_dir, {**SITE_FILES, "a/index.html": b"a2"})
    spare = work_folder(tmp_path) / "spare"
    for name in os.listdir(spare / "a"):
        os.unlink(spare / "a" / name)
    os.rmdir(spare / "a")
    os.symlink(victim, spare / "a")
    build(out_dir, {**SITE_FILES, "a/index.html": b"a3"})
    assert (victim / "index.html").read_text() == "victim"
    assert (out_dir / "a" / "index.html").read_bytes() == b"a3" and consistent(out_dir)


# ------------------------------------------------------------------ whole swaps
def test_builds_alternate_two_trees_and_each_is_whole(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    for n in range(5):
        files = {**SITE_FILES, f"page{n}/index.html": b"new", "a/index.html": b"a%d" % n}
        build(out_dir, files)
        assert files_in(out_dir) == {**files, MANIFEST: (out_dir / MANIFEST).read_bytes()}
        assert consistent(out_dir)
        assert consistent(work_folder(tmp_path) / "spare") or n == 0


def test_a_build_that_changes_nothing_swaps_and_links_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    build(out_dir, {**SITE_FILES, "a/index.html": b"a2"})
    calls: list[str] = []
    for name in ("rename", "replace", "link", "unlink", "exchange"):
        module = trees if name == "exchange" else os
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _n=name, _o=original, **k: (
            calls.append(_n), _o(*a, **k))[1])
    assert build(out_dir, {**SITE_FILES, "a/index.html": b"a2"}) == (0, 0)
    assert calls == []


def test_one_edit_moves_or_links_only_the_files_of_the_last_two_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = {f"p{i}/index.html": b"page %d" % i for i in range(200)}
    out_dir = tmp_path / "public"
    build(out_dir, many)
    build(out_dir, {**many, "p1/index.html": b"edit 1"})
    linked: list[str] = []
    original = os.link
    monkeypatch.setattr(os, "link", lambda src, dst, **k: (linked.append(dst),
                                                           original(src, dst, **k))[1])
    assert build(out_dir, {**many, "p1/index.html": b"edit 1", "p2/index.html": b"edit 2"}
                 ) == (1, 0)
    # p1 changed in the build before: the spare gets it from the output; p2 is moved in
    assert [Path(p).relative_to(work_folder(tmp_path) / "spare").as_posix() for p in linked
            ] == ["p1/index.html"]
    assert consistent(out_dir) and consistent(work_folder(tmp_path) / "spare")


def test_files_at_the_top_that_goldstar_did_not_write_go_along(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    (out_dir / "CNAME").write_text("example.org")
    (out_dir / ".git").mkdir()
    (out_dir / ".git" / "HEAD").write_text("ref: main")
    for n in range(4):
        build(out_dir, {**SITE_FILES, "index.html": b"home %d" % n})
        assert (out_dir / "CNAME").read_text() == "example.org"
        assert (out_dir / ".git" / "HEAD").read_text() == "ref: main"
    (out_dir / "CNAME").unlink()
    for n in range(3):  # and one deleted stays deleted (the spare's copy goes too)
        build(out_dir, {**SITE_FILES, "index.html": b"again %d" % n})
        assert not (out_dir / "CNAME").exists()


def test_without_a_one_step_swap_two_renames_do_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trees, "exchange", lambda a, b: False)
    out_dir = tmp_path / "public"
    for n in range(3):
        build(out_dir, {**SITE_FILES, "index.html": b"home %d" % n})
        assert (out_dir / "index.html").read_bytes() == b"home %d" % n
        assert consistent(out_dir)


def test_a_build_stopped_between_the_two_renames_is_undone_by_the_next(
        tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    os.rename(out_dir, work_folder(tmp_path) / "retired")  # then SIGKILL
    build(out_dir, {**SITE_FILES, "index.html": b"next"})
    assert (out_dir / "index.html").read_bytes() == b"next" and consistent(out_dir)
    assert not (work_folder(tmp_path) / "retired").exists()


def test_what_stopped_builds_left_is_cleared_by_the_next(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    staging = work_folder(tmp_path) / "staging"
    (staging / "half").mkdir(parents=True)
    (staging / "half" / "index.html").write_text("x")
    gone = tmp_path / ".public.staging-999999999"  # the old layout, its process gone
    running = tmp_path / f".public.staging-{os.getpid()}"  # a build still running
    for folder in (gone, running):
        (folder / "a").mkdir(parents=True)
    build(out_dir, {**SITE_FILES, "index.html": b"next"})
    assert not staging.exists() and not gone.exists() and running.exists()


def test_a_damaged_spare_is_thrown_away_and_the_build_still_right(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    build(out_dir, {**SITE_FILES, "index.html": b"2"})
    spare = work_folder(tmp_path) / "spare"
    (spare / MANIFEST).unlink()  # as a build stopped while bringing it up to date leaves it
    (spare / "stray.html").write_text("from nowhere")
    build(out_dir, {**SITE_FILES, "index.html": b"3"})
    assert (out_dir / "index.html").read_bytes() == b"3" and consistent(out_dir)
    assert not (out_dir / "stray.html").exists()


def test_an_output_that_is_a_link_is_replaced_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "disk2" / "site"
    real.parent.mkdir()
    link = tmp_path / "public"
    link.symlink_to(real)
    for n in range(3):
        build(link, {**SITE_FILES, "index.html": b"v%d" % n})
        assert link.is_symlink() and (link / "index.html").read_bytes() == b"v%d" % n
        assert consistent(real)
    assert (tmp_path / "disk2" / ".site.goldstar").is_dir()


# ------------------------------------------------------------------ the lock
def test_a_second_build_waits_for_the_first_and_says_so(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    first = DiskOutput(out_dir, "fp", "public")
    said: list[str] = []
    finished: list[tuple[int, int]] = []

    def second() -> None:
        finished.append(build(out_dir, {**SITE_FILES, "index.html": b"second"},
                              waiting=said.append))

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 10
    while not said and time.monotonic() < deadline:
        time.sleep(0.01)
    assert said and "Another goldstar build" in said[0] and "public/" in said[0]
    assert not finished  # still waiting
    for path, data in SITE_FILES.items():
        first.record(first.stage(path, data, path))
    first.commit()
    thread.join(10)
    assert finished and (out_dir / "index.html").read_bytes() == b"second"


def test_a_build_that_waited_too_long_gives_up_with_a_problem(tmp_path: Path) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    first = DiskOutput(out_dir, "fp", "public")
    try:
        with pytest.raises(OutputFailed) as failed:
            DiskOutput(out_dir, "fp", "public", lock_wait=0.2)
        assert "another goldstar build has been writing public/" in failed.value.problem.message
    finally:
        first.abort()
    DiskOutput(out_dir, "fp", "public", lock_wait=0.2).abort()  # released by abort


# ------------------------------------------------------------------ a disk that says no
def test_a_full_disk_while_staging_is_a_problem_and_the_output_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "public"
    build(out_dir, SITE_FILES)
    before = files_in(out_dir)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OutputFailed) as failed:
        build(out_dir, {**SITE_FILES, "index.html": b"new"})
    monkeypatch.undo()
    problem = failed.value.problem
    assert "No space left on device" in problem.message and "disk is full" in (problem.hint or "")
    assert failed.value.intact
    assert files_in(out_dir) == before
    assert not (work_folder(tmp_path) / "staging").exists()
    build(out_dir, {**SITE_FILES, "index.html": b"new"})  # and the lock was released


@pytest.mark.parametrize(("call", "builds_before"), [
    ("rename", 0),  # the first build moves its staging folder in
    ("link", 1),  # the second fills staging with links to the kept files
    ("replace", 2), ("exchange", 2)])  # later ones bring the spare up to date, then swap
def test_a_full_disk_while_committing_is_a_problem_and_the_output_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, builds_before: int) -> None:
    out_dir = tmp_path / "public"
    for n in range(builds_before):
        build(out_dir, {**SITE_FILES, "index.html": b"%d" % n})
    before = files_in(out_dir) if builds_before else None

    def full(*args: object, **kwargs: object) -> bool:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(trees if call == "exchange" else os, call, full)
    with pytest.raises(OutputFailed) as failed:
        build(out_dir, {**SITE_FILES, "index.html": b"new", "a/index.html": b"a new"})
    monkeypatch.undo()
    assert "No space left on device" in failed.value.problem.message
    assert (files_in(out_dir) if out_dir.exists() else None) == before
    build(out_dir, {**SITE_FILES, "index.html": b"new", "a/index.html": b"a new"})
    assert (out_dir / "index.html").read_bytes() == b"new" and consistent(out_dir)


# ------------------------------------------------------------------ the fallback
@pytest.fixture
def no_work_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The output's parent cannot be written (as for /var/www/site): no work folder."""
    original = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)) == tmp_path and mode & os.W_OK:
            return False
        return original(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_an_output_whose_parent_is_not_writable_is_updated_in_place(
        tmp_path: Path, no_work_folder: None) -> None:
    out_dir = tmp_path / "public"
    out_dir.mkdir()
    build(out_dir, SITE_FILES)
    (out_dir / "mine.txt").write_text("the person's own file")
    build(out_dir, {"index.html": b"home 2", "b/index.html": b"b"})
    assert files_in(out_dir) == {"index.html": b"home 2", "b/index.html": b"b",
                                 "mine.txt": b"the person's own file",
                                 MANIFEST: (out_dir / MANIFEST).read_bytes()}
    assert not work_folder(tmp_path).exists()


def test_in_place_a_poisoned_manifest_deletes_nothing_outside(
        tmp_path: Path, no_work_folder: None) -> None:
    out_dir = tmp_path / "public"
    out_dir.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    build(out_dir, SITE_FILES)
    (out_dir / MANIFEST).write_text(json.dumps({"fingerprint": "fp", "files": {
        str(victim): ["x", "y"], "../victim.txt": ["x", "y"]}}))
    build(out_dir, SITE_FILES)
    assert victim.read_text() == "keep me"


def test_in_place_a_linked_folder_is_a_problem_not_a_way_out(
        tmp_path: Path, no_work_folder: None) -> None:
    themes = tmp_path / "themes"
    themes.mkdir()
    out_dir = tmp_path / "public"
    out_dir.mkdir()
    build(out_dir, SITE_FILES)
    for name in os.listdir(out_dir / "static"):
        os.unlink(out_dir / "static" / name)
    os.rmdir(out_dir / "static")
    os.symlink(themes, out_dir / "static")
    with pytest.raises(OutputFailed) as failed:
        build(out_dir, {**SITE_FILES, "static/style.css": b"new"})
    assert failed.value.problem.path == "public/static"
    assert "never writes through links" in failed.value.problem.message
    assert os.listdir(themes) == []


def test_in_place_a_move_cut_short_is_finished_by_the_next_build(
        tmp_path: Path, no_work_folder: None) -> None:
    out_dir = tmp_path / "public"
    out_dir.mkdir()
    build(out_dir, SITE_FILES)
    (out_dir / "new").mkdir()
    (out_dir / "new" / "index.html").write_text("moved in by a build then stopped")
    (out_dir / ".goldstar-swapping").write_text(json.dumps(["new/index.html", *SITE_FILES]))
    build(out_dir, SITE_FILES)
    assert not (out_dir / "new").exists()  # the cut build's file is known to be ours
    assert consistent(out_dir)
