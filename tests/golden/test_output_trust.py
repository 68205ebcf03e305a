"""Real builds that can be trusted with public/: stopped by SIGKILL at any
moment, raced by a second build, poisoned by a cached manifest or a planted
link, refused by the disk. Whatever happens, public/ holds one whole build
and nothing outside it is touched."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from kit import REPO, SITE_YML, attempt, run, write_files

from generator.hashing import digest

MANIFEST = ".goldstar-manifest.json"
AS_OF = "2026-03-31"
TITLE = re.compile(rb"Title-(\d+)")


def make_site(root: Path, attempts: int) -> Path:
    files: dict[str, str | bytes] = {"content/site.yml": SITE_YML.replace(
        "title: Test challenge", "title: Title-0")}
    for n in range(attempts):
        day = 1 + n % 28
        files[f"content/attempts/2026-03-{day:02d}-a{n}.md"] = attempt(
            title=f"Attempt {n}", date=f"2026-03-{day:02d}",
            body=f"Story {n}.\n\n" + "Words and more words. " * 40 + "\n")
    return write_files(root, files)


def retitle(site: Path, n: int) -> None:
    """A new site title: every page changes."""
    config = site / "content" / "site.yml"
    config.write_text(re.sub(r"Title-\d+", f"Title-{n}", config.read_text()))


def goldstar(site: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--site", str(site),
            "--as-of", AS_OF, *extra]


def whole(public: Path) -> str | None:
    """None if public/ holds one whole build (its manifest's files exactly,
    with those bytes, every page of one site title); else what is wrong.
    A folder swapped away while being read is read again."""
    for _ in range(20):
        try:
            before = os.stat(public).st_ino
        except FileNotFoundError:
            return None  # no output yet: nothing to mix
        found, problem = _read_tree(public)
        try:
            if os.stat(public).st_ino == before:
                return problem
        except FileNotFoundError:
            pass
    return "the output was swapped 20 times while being read"


def _read_tree(public: Path) -> tuple[dict[str, bytes], str | None]:
    files: dict[str, bytes] = {}
    try:
        for folder, _, names in os.walk(public):
            for name in names:
                path = Path(folder) / name
                files[path.relative_to(public).as_posix()] = path.read_bytes()
    except OSError as exc:
        return files, f"unreadable: {exc}"
    try:
        listed = json.loads(files.pop(MANIFEST))["files"]
    except (KeyError, ValueError):
        return files, "no manifest"
    files.pop(".goldstar-swapping", None)
    if files.keys() != listed.keys():
        return files, f"files differ from the manifest: {sorted(files.keys() ^ listed.keys())[:3]}"
    wrong = [p for p, data in files.items() if digest(data) != listed[p][0]]
    if wrong:
        return files, f"bytes differ from the manifest: {wrong[:3]}"
    titles = {m for p, data in files.items() if p.endswith(".html") for m in TITLE.findall(data)}
    if len(titles) > 1:
        return files, f"pages of several builds: titles {sorted(titles)}"
    return files, None


class Reader:
    """A thread that lists and reads public/ over and over, noting any mix."""

    def __init__(self, public: Path) -> None:
        self.public = public
        self.problems: list[str] = []
        self.reads = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            problem = whole(self.public)
            self.reads += 1
            if problem is not None:
                self.problems.append(problem)

    def __enter__(self) -> Reader:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)


def kill_after(command: list[str], seconds: float) -> int:
    """Run a build and SIGKILL it after `seconds` (if still running)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=REPO)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.wait()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr, stderr
    return process.returncode


def test_a_build_killed_at_random_moments_never_leaves_a_mix(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 120)
    public = site / "public"
    started = time.perf_counter()
    assert kill_after(goldstar(site), 60) == 0
    duration = time.perf_counter() - started
    rng = random.Random(12)
    with Reader(public) as reader:
        for n in range(1, 9):
            retitle(site, n)
            kill_after(goldstar(site), rng.uniform(0.3, 1.1) * duration)
            assert whole(public) is None, f"after the kill of build {n}: {whole(public)}"
        retitle(site, 99)
        assert kill_after(goldstar(site), 60) == 0
    assert reader.problems == [] and reader.reads > 10
    assert re.search(rb"Title-99", (public / "index.html").read_bytes())
    work = site / ".public.goldstar"
    assert sorted(p.name for p in work.iterdir()) == [
        ".gitignore", "CACHEDIR.TAG", "lock", "spare", "spare.json"]  # no staging left
    assert not list(site.glob(".public.staging-*"))


def kill_in_commit(site: Path, kill_at: int) -> int | None:
    """A build in a forked child that SIGKILLs itself at its n-th file system
    call once the commit has begun (every rename, link, unlink, folder made or
    removed, and the swap); its exit code, or None when it was killed."""
    from generator import output
    from generator.cli import main

    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            calls, committing = [0], [False]

            def counted(module: object, name: str) -> None:
                original = getattr(module, name)

                def call(*args: object, **kwargs: object) -> object:
                    if committing[0]:
                        calls[0] += 1
                        if calls[0] == kill_at:
                            os.kill(os.getpid(), signal.SIGKILL)
                    return original(*args, **kwargs)

                setattr(module, name, call)

            for name in ("rename", "replace", "link", "unlink", "mkdir", "rmdir"):
                counted(os, name)
            try:  # (the old code had no swap to count)
                from generator import trees
            except ImportError:
                pass
            else:
                counted(trees, "exchange")
            commit = output.DiskOutput.commit

            def committing_commit(self: output.DiskOutput) -> tuple[int, int]:
                committing[0] = True
                return commit(self)

            output.DiskOutput.commit = committing_commit  # type: ignore[method-assign]
            code = main(["build", "--site", str(site), "--as-of", AS_OF, "--workers", "1"])
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None


@pytest.mark.parametrize("edit", ["retitle", "one attempt"])
def test_a_build_killed_at_each_step_of_its_commit_leaves_one_whole_build(
        tmp_path: Path, edit: str) -> None:
    """Every file system call of the commit, one kill each, with each next
    build recovering from the kill before."""
    site = make_site(tmp_path / "site", 3)
    public = site / "public"
    story = sorted((site / "content" / "attempts").iterdir())[0]
    assert run("check", "--site", site, "--as-of", AS_OF).code == 0  # imports, once
    for n in range(1, 400):
        if edit == "retitle":
            retitle(site, n)
        else:
            story.write_text(story.read_text() + f"\nEdit {n}.\n")
        code = kill_in_commit(site, n)
        assert whole(public) is None, f"killed at call {n}: {whole(public)}"
        if code is not None:
            break  # the build got through its commit: every step was tried
    assert code == 0 and n > 5
    final = run("build", "--site", site, "--as-of", AS_OF)
    assert final.code == 0 and whole(public) is None


def test_a_poisoned_manifest_deletes_nothing_outside_public(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    outside = tmp_path / "outside.txt"
    outside.write_text("mine")
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    manifest = site / "public" / MANIFEST
    data = json.loads(manifest.read_text())
    data["files"][str(outside)] = ["x", "y"]
    data["files"]["../content/site.yml"] = ["x", "y"]
    manifest.write_text(json.dumps(data))
    retitle(site, 1)
    result = run("build", "--site", site, "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "names files outside public/" in result.err and "2 removed" not in result.out
    for n in range(2, 5):  # the poisoned tree becomes the spare, then is brought up to date
        retitle(site, n)
        assert run("build", "--site", site, "--as-of", AS_OF).code == 0
        assert outside.read_text() == "mine"
        assert (site / "content" / "site.yml").is_file()
        assert whole(site / "public") is None


def test_a_linked_folder_inside_public_is_not_written_through(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    themes = site / "themes" / "mine" / "static"
    themes.mkdir(parents=True)
    (themes / "keep.txt").write_text("mine")
    public = site / "public"
    for path in sorted((public / "static").iterdir()):
        path.unlink()
    (public / "static").rmdir()
    (public / "static").symlink_to(themes)
    for n in range(1, 4):
        retitle(site, n)
        assert run("build", "--site", site, "--as-of", AS_OF).code == 0
        assert sorted(p.name for p in themes.iterdir()) == ["keep.txt"]
        assert not (public / "static").is_symlink() and whole(public) is None


def paused_build(site: Path, base_url: str, ready: Path, go: Path) -> int:
    """A build in a forked child that stops just before its commit: it creates
    `ready`, then waits for `go` to exist. Returns the child's pid."""
    from generator import output
    from generator.cli import main

    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            commit = output.DiskOutput.commit

            def paused_commit(self: output.DiskOutput) -> tuple[int, int]:
                ready.touch()
                while not go.exists():
                    time.sleep(0.01)
                return commit(self)

            output.DiskOutput.commit = paused_commit  # type: ignore[method-assign]
            code = main(["build", "--site", str(site), "--as-of", AS_OF, "--workers", "1",
                         "--base-url", base_url])
        finally:
            os._exit(code)
    return pid


def test_a_build_started_during_another_waits_and_publishes_after_it(tmp_path: Path) -> None:
    """The second build finds public/ as it wants it (the same base URL) while
    the first, about to commit, has other pages: it must not report success
    and leave the first one's pages published; it waits, then looks again."""
    site = make_site(tmp_path / "site", 5)
    assert run("build", "--site", site, "--as-of", AS_OF,
               "--base-url", "https://two.example/").code == 0
    assert run("check", "--site", site, "--as-of", AS_OF).code == 0  # imports, once
    ready, go = tmp_path / "ready", tmp_path / "go"
    first = paused_build(site, "https://one.example/", ready, go)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.Popen(goldstar(site, "--base-url", "https://two.example/"), cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with contextlib.suppress(subprocess.TimeoutExpired):
        second.wait(1.5)  # the old code: "0 written", done, while the first goes on
    go.touch()
    _, status = os.waitpid(first, 0)
    out, err = second.communicate(timeout=60)
    assert os.waitstatus_to_exitcode(status) == 0 and second.returncode == 0, err
    assert "is writing public/; waiting for it to finish" in err
    index = (site / "public" / "index.html").read_text()
    assert "two.example" in index and "one.example" not in index
    assert whole(site / "public") is None


def test_a_build_waits_for_one_holding_the_output_and_says_so(tmp_path: Path) -> None:
    import fcntl

    site = make_site(tmp_path / "site", 3)
    assert run("build", "--site", site, "--as-of", AS_OF).code == 0
    with open(site / ".public.goldstar" / "lock", "r+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        retitle(site, 5)
        process = subprocess.Popen(goldstar(site), cwd=REPO, stderr=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert process.poll() is None  # waiting
        assert b"Title-5" not in (site / "public" / "index.html").read_bytes()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Another goldstar build (process 4242) is writing public/; waiting" in err
    assert b"Title-5" in (site / "public" / "index.html").read_bytes()


# ------------------------------------------------------------------ the disk says no
def test_a_full_disk_is_a_problem_and_public_is_left_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path / "site", 3)
    assert run("build", "--site", site, "--as-of", AS_OF, "--workers", "1").code == 0
    before = _read_tree(site / "public")[0]
    retitle(site, 2)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if fd > 2:  # files, not the terminal
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    result = run("build", "--site", site, "--as-of", AS_OF, "--workers", "1", "--no-cache")
    monkeypatch.undo()
    assert result.code == 1
    assert result.err.splitlines() == [
        "public: error: the output folder could not be written (No space left on device)",
        "  hint: the disk is full: free some space, then build again",
        "Build failed: 1 problem in 1 file. public/ was left as it was."]
    assert _read_tree(site / "public")[0] == before


def test_a_cache_that_cannot_be_written_is_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import cache

    site = make_site(tmp_path / "site", 3)

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache, "_write_atomically", full)
    result = run("build", "--site", site, "--as-of", AS_OF, "--workers", "1")
    assert result.code == 0, result.err
    assert ".goldstar-cache: warning: the cache could not be written (No space left on device)" \
        in result.err
    assert whole(site / "public") is None


def test_a_linked_cache_folder_is_not_written_through(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "00.bin").write_text("someone's file")
    (site / ".goldstar-cache").mkdir()
    (site / ".goldstar-cache" / "bodies").symlink_to(elsewhere)
    result = run("build", "--site", site, "--as-of", AS_OF, "--workers", "1")
    assert result.code == 0 and "bodies is a link" in result.err
    assert [p.name for p in elsewhere.iterdir()] == ["00.bin"]


# ------------------------------------------------------------------ permissions
def unprivileged() -> list[str]:
    """A command prefix under which file permissions bind: root keeps its
    user but loses the capabilities that override them (setpriv, util-linux)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "permission tests as root need setpriv: apt-get install util-linux"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def build_bound_by_permissions(site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*unprivileged(), *goldstar(site, "--no-cache", *extra)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_a_read_only_public_is_a_problem_and_left_as_it_was(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    assert build_bound_by_permissions(site).returncode == 0
    public = site / "public"
    before = _read_tree(public)[0]
    os.chmod(public, 0o555)
    retitle(site, 3)
    try:
        result = build_bound_by_permissions(site)
    finally:
        os.chmod(public, 0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "public: error: the output folder is read-only",
        "  hint: goldstar replaces public/ whole on every build: make it writable "
        "(chmod u+w public) or choose another --output",
        "Build failed: 1 problem in 1 file. public/ was left as it was."]
    assert _read_tree(public)[0] == before


def test_an_output_in_a_folder_goldstar_may_not_write_is_updated_in_place(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    www = tmp_path / "www"
    out = www / "challenge"
    out.mkdir(parents=True)
    os.chmod(www, 0o555)  # as /var/www: only the site's own folder may be written
    try:
        for n in range(1, 4):
            retitle(site, n)
            result = build_bound_by_permissions(site, "--output", str(out))
            assert result.returncode == 0, result.stderr
            assert b"Title-%d" % n in (out / "index.html").read_bytes()
            assert whole(out) is None
        assert sorted(p.name for p in www.iterdir()) == ["challenge"]  # nothing beside it
    finally:
        os.chmod(www, 0o755)


def test_an_output_that_can_be_neither_made_nor_written_is_a_problem(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    www = tmp_path / "www"
    www.mkdir()
    os.chmod(www, 0o555)
    try:
        result = build_bound_by_permissions(site, "--output", str(www / "challenge"))
    finally:
        os.chmod(www, 0o755)
    assert result.returncode == 1
    assert "error: the output folder could not be made (Permission denied)" in result.stderr
    assert "Traceback" not in result.stderr
