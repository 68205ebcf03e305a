"""The output interface of the render stage, on disk and in memory.

The build never touches the output folder until every page has rendered, and
then replaces it whole: a reader (a web server, a deploy tool, a person
listing it) sees the last build or the new one, never a mix, whenever the
build is stopped, even by SIGKILL.

Beside the output (`public/`) goldstar keeps a work folder (`.public.goldstar/`)
holding a lock, the files of the running build (`staging/`), and the tree of
the build before the last one (`spare/`). A build brings the spare up to date
with what changed (the edits of the last two builds: a few files, moved in
from staging or hard-linked from the output), then swaps it with the output
in one step (Linux `renameat2(RENAME_EXCHANGE)`, macOS `renamex_np(RENAME_SWAP)`).
The old output becomes the next spare. Without a spare (the first build that
changes something), the staging folder is filled with hard links to the
unchanged files and swapped in instead.

Confinement (the means are in trees.py): a path is written or deleted only
if it comes from the plan, or from a manifest and is a plain relative path; a
folder is entered only through real folders, never a link; the output is only
ever renamed whole, never written into, except in the fallback below.

When the output's parent cannot be written (a web server's folder), no work
folder can sit beside it: changed files are then moved into the output one by
one (each file whole, the set not at once), inside the output only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator.hashing import digest, key_digest
from generator.problems import WARNING, Problem
from generator.trees import Tree, Unsafe, all_safe, is_safe_path, remove_tree, swap, write_file

MANIFEST = ".goldstar-manifest.json"
SWAPPING = ".goldstar-swapping"
"""In the output while files are moved in one by one (the fallback): the
manifest cannot be trusted then; it lists the paths the cut build wrote."""
IN_PLACE_STAGING = ".goldstar-staging"
"""The staging folder inside the output, in the fallback only."""
WORK_SUFFIX = ".goldstar"
SPARE, STAGING, RETIRED, LOCK = "spare", "staging", "retired", "lock"
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another one writing the same output."""

def refuse_reason(site_dir: Path, output_dir: Path) -> str | None:
    """Why writing to output_dir could destroy something that is not ours, or None."""
    site = site_dir.resolve()
    out = output_dir.resolve()
    if out == site or out in site.parents:
        return "is the site folder or one of its parents; the build would replace your files"
    for protected in ("content", "themes"):
        folder = site / protected
        if out == folder or folder in out.parents:
            return f"lies inside {protected}/, where your own files are"
    if out.name.endswith(WORK_SUFFIX) and out.name.startswith("."):
        return "is a work folder goldstar keeps beside an output"
    if out.exists() and not out.is_dir():
        return "is a file, not a folder"
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        return ("is a folder with files that goldstar did not write; "
                "empty it or choose another --output")
    return None


def check_output(site_dir: Path, output_dir: Path, display: str) -> Problem | None:
    reason = refuse_reason(site_dir, output_dir)
    if reason is None:
        return None
    return Problem(display, None, None, f"the output folder {reason}",
                   "pass --output with a new folder, e.g. --output public")


class OutputFailed(Exception):
    """The output could not be written (a full disk, no permission, another
    build holding it); carries the problem to show. Picklable: staging runs
    in workers."""

    def __init__(self, problem: Problem, note: str = "") -> None:
        super().__init__(problem, note)
        self.problem = problem
        self.note = note
        """What became of the output when it was not left as it was."""

    @property
    def intact(self) -> bool:
        return not self.note


def os_problem(display: str, exc: OSError, doing: str = "be written") -> Problem:
    """A file system error as a problem for a person, with what to do about it."""
    hints = {
        errno.ENOSPC: "the disk is full: free some space, then build again",
        errno.EDQUOT: "your disk quota is used up: free some space, then build again",
        errno.EROFS: "the disk is mounted read-only: choose an --output on another disk",
        errno.EACCES: f"goldstar may not write there: check the permissions of {display}/ "
                      "and the folder it is in, or choose another --output",
        errno.EPERM: f"goldstar may not write there: check the permissions of {display}/ "
                     "and the folder it is in, or choose another --output",
    }
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM) and isinstance(exc.filename, str):
        reason += f": {exc.filename}"  # which folder, when it is not the output itself
    return Problem(display, None, None, f"the output folder could not {doing} ({reason})",
                   hints.get(exc.errno or 0, "check the disk and the folder, then build again"))


@dataclass
class Manifest:
    """What an output folder holds: file -> [content digest, key digest]."""

    fingerprint: str = ""
    """Generator version, theme and config the files were made with."""
    files: dict[str, list[str]] = field(default_factory=dict)
    complete: bool = True
    """False when there is no manifest, it is damaged, or a move was cut short."""
    cut_short: set[str] = field(default_factory=set)
    """Paths a build cut short in the fallback may have written (its marker)."""
    damaged: bool = False
    """True when a manifest was there but could not be read: a warning."""
    build: str = ""
    """The id of what the folder holds: a digest of the rest of the manifest,
    written first in the file so it can be read without the rest."""

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            with open(folder / MANIFEST, "rb") as f:
                data: Any = json.loads(f.read())
        except FileNotFoundError:
            return cls(complete=False)
        except (OSError, ValueError, RecursionError):
            return cls(complete=False, damaged=True)
        if not isinstance(data, dict):
            return cls(complete=False, damaged=True)
        files, fingerprint, build = data.get("files"), data.get("fingerprint"), data.get("build")
        if not (isinstance(files, dict) and isinstance(fingerprint, str)
                and all(type(entry) is list and len(entry) == 2 and type(entry[0]) is str
                        and type(entry[1]) is str for entry in files.values())):
            return cls(complete=False, damaged=True)
        # Paths are checked where goldstar would act on them (DiskOutput.removed):
        # elsewhere they are only looked up by the paths of the plan.
        cut_short = _read_marker(folder)
        return cls(fingerprint, files, complete=cut_short is None, cut_short=cut_short or set(),
                   build=build if isinstance(build, str) else "")

    def write(self, folder: Path) -> None:
        # One copy of the 14 MB a manifest of 125,000 files takes, not four.
        body = json.dumps({"fingerprint": self.fingerprint, "files": self.files},
                          sort_keys=True, separators=(",", ":")).encode()
        self.build = digest(body)[:16]
        write_file(folder / (MANIFEST + ".tmp"), f'{{"build":"{self.build}",'.encode(),
                    memoryview(body)[1:], b"\n")
        os.replace(folder / (MANIFEST + ".tmp"), folder / MANIFEST)


_BUILD_ID = re.compile(rb'\{"build":"([0-9a-f]{16})"')


def build_id(folder: Path) -> str | None:
    """The id of the tree in folder, from the first bytes of its manifest."""
    try:
        with open(folder / MANIFEST, "rb") as f:
            found = _BUILD_ID.match(f.read(64))
    except OSError:
        return None
    return found.group(1).decode() if found else None


SPARE_INFO = "spare.json"


@dataclass
class SpareInfo:
    """What the spare holds, told by the build that made it the spare (in the
    work folder): the tree the output holds, the spare's own id, and the
    paths at which the spare may differ from the output."""

    output: str
    """The id of the output's tree when this was written."""
    spare: str
    recheck: set[str]
    """Where the spare may not hold the output's bytes: the build wrote other
    bytes there, found a link or nothing there, or deleted the file. Every
    other file of the output was found whole in the spare, with these bytes."""

    @classmethod
    def read(cls, work: Path) -> SpareInfo | None:
        try:
            with open(work / SPARE_INFO, "rb") as f:
                data = json.loads(f.read())
            output, spare, recheck = data["output"], data["spare"], data["recheck"]
        except (OSError, ValueError, RecursionError, KeyError, TypeError):
            return None
        if not (isinstance(output, str) and isinstance(spare, str) and type(recheck) is list
                and all_safe(recheck)):
            return None
        return cls(output, spare, set(recheck))

    def write(self, work: Path) -> None:
        data = {"output": self.output, "spare": self.spare, "recheck": sorted(self.recheck)}
        write_file(work / (SPARE_INFO + ".tmp"), json.dumps(data).encode())
        os.replace(work / (SPARE_INFO + ".tmp"), work / SPARE_INFO)


def _read_marker(folder: Path) -> set[str] | None:
    """The paths named by the fallback's marker, or None when there is none."""
    try:
        with open(folder / SWAPPING, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError:
        return set()
    try:
        paths = json.loads(data) if data.strip() else []
    except (ValueError, RecursionError):
        return set()
    if not isinstance(paths, list):
        return set()
    return {p for p in paths if is_safe_path(p)}


def current_build(output_dir: Path) -> str | None:
    """The id of the tree the output folder holds (see Manifest.build), if any."""
    return build_id(Path(os.path.realpath(output_dir)))


def as_left(output_dir: Path, expected: str, display: str = "public",
            waiting: Callable[[str], None] | None = None) -> bool:
    """Whether the output folder still holds tree `expected` as a build left it:
    its manifest complete, and every file it lists there (reached through real
    folders only). A build whose inputs did not change then has nothing to do.

    Checked under the output's lock: a build that is writing the output now
    is waited for, and then the answer is no (it published another tree).
    """
    live = Path(os.path.realpath(output_dir))
    if not expected or build_id(live) != expected:
        return False
    try:
        work = _work_folder(live, display)
        lock = _Lock.take(work / LOCK if work else live, display, waiting, LOCK_WAIT_SECONDS)
    except OutputFailed:
        return False  # the build that follows says what is wrong
    try:
        manifest = Manifest.read(live)
        if not manifest.complete or manifest.build != expected or build_id(live) != expected:
            return False
        tree = Tree(str(live))
        return all(tree.regular_file(path) for path in manifest.files)
    finally:
        lock.release()


def stage_file(staging: str, path: str, data: bytes) -> None:
    """Write one file of the build, making its folder.

    A cold build writes thousands of files, each in a folder of its own; with
    plain `os` calls on strings that costs 30% less CPU than through pathlib
    and a buffered file object (`os.makedirs` alone would stat every parent).
    The staging folder is made afresh by this build, so nothing in it can be
    a link.
    """
    target = os.path.join(staging, path)
    folder = os.path.dirname(target)
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        pass
    write_file(target, data)


class Receipt(NamedTuple):
    """What staging one file did, handed from a worker back to the parent
    (a named tuple: thousands of them are pickled on a cold build)."""

    path: str
    content: str
    """Digest of the bytes."""
    key: str
    """Digest of the file's key."""
    staged: bool
    """False when the output already held these very bytes."""


class DiskOutput:
    """The output folder: files are staged beside it, then swapped in on commit.

    Implements the output interface of the render stage (`unchanged`, `keep`,
    `stage`, `record`, `commit`, `abort`); `stage` may run in forked workers,
    the rest runs in the parent. Opening it takes the output's lock (waiting
    for another build that holds it); commit and abort release it. Raises
    OutputFailed with a problem to show when the disk says no.
    """

    def __init__(self, output_dir: Path, fingerprint: str, display: str = "public",
                 waiting: Callable[[str], None] | None = None,
                 lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.display = display
        self.fingerprint = fingerprint
        self.live = Path(os.path.realpath(output_dir))
        """The output folder itself: a link to it is followed here, once."""
        self.live_str = str(self.live)
        self.work = _work_folder(self.live, display)
        """The folder beside the output, or None in the fallback (see the module docstring)."""
        self.lock = _Lock.take(self.work / LOCK if self.work else self.live, display, waiting,
                               lock_wait)
        try:
            self._tidy()
            live_exists = self.live.is_dir()
            self.old = Manifest.read(self.live) if live_exists else Manifest(complete=False)
            if self.work is not None and live_exists and not os.access(self.live, os.W_OK):
                raise OutputFailed(Problem(
                    display, None, None, "the output folder is read-only",
                    f"goldstar replaces {display}/ whole on every build: make it writable "
                    f"(chmod u+w {display}) or choose another --output"))
            self.staging = (self.work / STAGING if self.work is not None
                            else self.live / IN_PLACE_STAGING)
            self.staging.mkdir()
        except OSError as exc:
            self.lock.release()
            raise OutputFailed(os_problem(display, exc)) from None
        except BaseException:
            self.lock.release()
            raise
        self.staging_str = str(self.staging)
        self.tree = Tree(self.live_str)
        """The output as it is, for checking files without following links."""
        # After a move cut short nothing in the folder can be trusted to match.
        self.trusted = self.old.complete
        """Whether the manifest says what the files hold (their bytes)."""
        self.may_keep = self.trusted and self.old.fingerprint == fingerprint and bool(
            self.old.files)
        """False when no file here can be kept as it is (a cold build): keys are
        then hashed by the workers as they render, not by the parent first."""
        self.new: dict[str, list[str]] = {}
        self.staged: list[str] = []
        self.key_digests: dict[str, str] = {}
        self.warnings: list[Problem] = []
        if self.old.damaged:
            self._manifest_warning("is damaged; it was ignored")

    # ------------------------------------------------------------ the interface
    def unchanged(self, path: str, key: object) -> bool:
        """True if the file on disk was made from the same key (a str key is
        taken as a digest already: a card's is its key in the store)."""
        if not self.may_keep:
            return False
        old = self.old.files.get(path)
        if old is None:
            return False
        digest = self.key_digests[path] = key if isinstance(key, str) else key_digest(key)
        return old[1] == digest and self.tree.regular_file(path)

    def keep(self, path: str) -> None:
        self.new[path] = self.old.files[path]

    def stage(self, path: str, data: bytes, key: object) -> Receipt:
        """Stage a file unless the output already holds exactly these bytes.
        Changes nothing in this object but its cache of checked folders, so
        forked workers may call it."""
        key_hash = self.key_digests.get(path) or (
            key if isinstance(key, str) else key_digest(key))
        content = digest(data)
        old = self.old.files.get(path)
        same = (self.trusted and old is not None and old[0] == content
                and self.tree.regular_file(path))
        if not same:
            try:
                stage_file(self.staging_str, path, data)
            except OSError as exc:
                raise OutputFailed(os_problem(self.display, exc)) from None
        return Receipt(path, content, key_hash, not same)

    def record(self, receipt: Receipt) -> None:
        self.new[receipt.path] = [receipt.content, receipt.key]
        if receipt.staged:
            self.staged.append(receipt.path)

    def commit(self) -> tuple[int, int]:
        """Publish the new files; returns (written, deleted)."""
        try:
            return self._commit()
        except OSError as exc:
            raise OutputFailed(os_problem(self.display, exc)) from None
        except Unsafe as exc:
            raise OutputFailed(_unsafe_problem(self.display, exc.path)) from None
        finally:
            self._clear_staging()
            self.lock.release()

    def abort(self) -> None:
        self._clear_staging()
        self.lock.release()

    def _manifest_warning(self, what: str) -> None:
        self.warnings.append(Problem(
            f"{self.display}/{MANIFEST}", None, None,
            f"goldstar's list of the files it wrote {what}, and nothing it names was deleted",
            "nothing to do: the next build writes a new one", WARNING))

    def removed(self) -> list[str]:
        """Files of the last build that this one does not make: the only paths
        of a manifest goldstar deletes, so the only ones it checks. A path
        that could leave the folder (absolute, `..`) is never deleted: a
        manifest from a poisoned CI cache is not a way out."""
        gone = [p for p in self.old.files if p not in self.new]
        if all_safe(gone):
            return gone
        self._manifest_warning(f"names files outside {self.display}/; they were ignored")
        return [p for p in gone if is_safe_path(p)]

    # ------------------------------------------------------------ committing
    def _commit(self) -> tuple[int, int]:
        old = self.old
        manifest = Manifest(self.fingerprint, self.new)
        removed = self.removed()
        deleted = len(removed) if old.complete else 0
        if (not self.staged and self.trusted and old.fingerprint == self.fingerprint
                and old.files == self.new):
            return 0, 0  # nothing changed: not even the manifest is rewritten
        if self.work is None:
            return self._move_in(manifest, removed)
        if not self.live.is_dir():
            # spare.json stays as it is: it fits this tree only if this tree's
            # files are the very ones it was written for (the same id)
            manifest.write(self.staging)
            os.rename(self.staging, self.live)
            return len(self.staged), deleted
        spare = self.work / SPARE
        target = self._sync_spare(spare, removed) if spare.is_dir() else None
        if target is None:
            target = self.staging
            self._link_kept(Tree(str(target)), set(self.staged))
        self._carry_foreign(target)
        manifest.write(target)
        # The old output becomes the spare: every file of this build that was not
        # staged was found whole in it (unchanged, stage) with these bytes. Said
        # before the swap: a stop in between leaves an `output` id that is not the
        # output's, and the next build does not trust the spare.
        if self.trusted and self.old.build:
            SpareInfo(manifest.build, self.old.build, {*self.staged, *removed}).write(self.work)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.work / SPARE_INFO)
        swap(self.live, target, self.work / RETIRED)
        # Published. What follows only tidies: a failure is left for the next build.
        if target == self.staging:
            with contextlib.suppress(OSError):
                # the old output is where staging was: it becomes the spare
                remove_tree(spare)
                os.rename(self.staging, spare)
        return len(self.staged), deleted

    def _sync_spare(self, spare: Path, removed: list[str]) -> Path | None:
        """Bring the spare to the new files, or None (and no spare) when it cannot
        be trusted: it is not the tree the output replaced (a build stopped while
        bringing it up to date, or an older one), or a link was planted in it.

        What the spare holds is known from the output's manifest and SpareInfo,
        so its own manifest is not read."""
        old = self.old
        info = SpareInfo.read(self.work) if self.work is not None else None
        if (info is None or not self.trusted or not old.build or info.output != old.build
                or build_id(spare) != info.spare):
            remove_tree(spare)
            return None
        recheck = info.recheck
        tree = Tree(str(spare))
        staged = set(self.staged)
        moves: list[str] = []
        links: list[str] = []
        held = old.files
        for path, entry in self.new.items():
            if path not in recheck and held.get(path, (None,))[0] == entry[0]:
                continue  # the spare holds these very bytes
            (moves if path in staged else links).append(path)
        removals = [*removed, *(p for p in recheck if p not in self.new)]
        try:
            for path in (*moves, *links, *removals):
                tree.check_place(path)
        except Unsafe:
            remove_tree(spare)
            return None
        # From here on the spare holds neither build until the new manifest is in.
        os.unlink(spare / MANIFEST)
        for path in removals:
            tree.remove(path)
        for path in moves:
            tree.make_folder(path.rpartition("/")[0])
            os.replace(os.path.join(self.staging_str, path), os.path.join(tree.root, path))
        self._link_files(tree, links, replace=True)
        return spare

    def _link_kept(self, tree: Tree, staged: set[str]) -> None:
        """Hard-link every file the new build keeps from the output into tree."""
        self._link_files(tree, [p for p in self.new if p not in staged], replace=False)

    def _link_files(self, tree: Tree, paths: Iterable[str], replace: bool) -> None:
        """Hard-link files from the output into tree. A file there is unlinked
        first, never written over: the output may share it."""
        live = self.tree
        for path in paths:
            folder = path.rpartition("/")[0]
            if not live.real_folder(folder):
                raise Unsafe(path)  # unchanged() and stage() checked it: something moved
            tree.make_folder(folder)
            target = os.path.join(tree.root, path)
            if replace:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
            os.link(os.path.join(self.live_str, path), target, follow_symlinks=False)

    def _carry_foreign(self, target: Path) -> None:
        """Files and folders at the top of the output that goldstar did not
        write (a CNAME, a .git folder) go along into the new output: files as
        hard links, folders moved. Copies of them that the old output left in
        the spare are removed first."""
        ours = {p.partition("/")[0] for p in (*self.old.files, *self.old.cut_short, *self.new)}
        ours.update((MANIFEST, MANIFEST + ".tmp", SWAPPING, IN_PLACE_STAGING))
        with os.scandir(self.live) as entries:
            foreign = {e.name: e.is_dir(follow_symlinks=False) for e in entries
                       if e.name not in ours}
        assert self.work is not None
        with os.scandir(target) as entries:
            for entry in entries:
                if entry.name in ours:
                    continue
                if not entry.is_dir(follow_symlinks=False):
                    os.unlink(entry.path)  # a link to a file the output still has, or had
                elif entry.name in foreign:
                    # Only a build stopped between moving a folder here and the
                    # swap leaves one: keep it aside, never delete it.
                    os.rename(entry.path, self.work / f"found-{time.time_ns()}-{entry.name}")
                # else the only copy of a folder carried before: it stays and goes along
        for name, is_folder in foreign.items():
            if is_folder:
                os.rename(self.live / name, target / name)
            else:
                os.link(self.live / name, target / name, follow_symlinks=False)

    def _move_in(self, manifest: Manifest, removed: list[str]) -> tuple[int, int]:
        """The fallback: move each staged file into the output, then delete our
        stale files. Each file is whole at every moment; the set is not."""
        out, tree = self.live, self.tree
        stale = [*removed, *(p for p in self.old.cut_short if p not in self.new)]
        try:
            for path in self.staged:
                tree.check_place(path)
        except Unsafe as exc:
            raise OutputFailed(_unsafe_problem(self.display, exc.path)) from None
        marker = json.dumps(sorted({*self.new, *self.old.cut_short})).encode()
        write_file(out / SWAPPING, marker)  # until the new manifest is in, trust nothing
        try:
            for path in self.staged:
                tree.make_folder(path.rpartition("/")[0])
                os.replace(os.path.join(self.staging_str, path),
                           os.path.join(self.live_str, path))
            deleted = 0
            for path in dict.fromkeys(stale):
                try:
                    deleted += tree.remove(path)
                except Unsafe:
                    continue  # a folder where our file was: not ours to delete
            manifest.write(out)
            os.unlink(out / SWAPPING)
        except OSError as exc:
            raise OutputFailed(os_problem(self.display, exc), (
                f"{self.display}/ may now hold pages of both builds: "
                "build again once this is fixed.")) from None
        return len(self.staged), deleted

    # ------------------------------------------------------------ tidying
    def _tidy(self) -> None:
        """Clear what a build stopped midway left (we hold the lock: no build runs)."""
        if self.work is not None:
            retired = self.work / RETIRED
            if os.path.lexists(retired):
                if not os.path.lexists(self.live):
                    os.rename(retired, self.live)  # stopped between the two renames: undo
                elif not os.path.lexists(self.work / SPARE):
                    os.rename(retired, self.work / SPARE)
                else:
                    remove_tree(retired)
            remove_tree(self.work / STAGING)
            _remove_old_staging(self.live)
        else:
            remove_tree(self.live / IN_PLACE_STAGING)

    def _clear_staging(self) -> None:
        if os.path.lexists(self.staging):
            with contextlib.suppress(OSError):
                remove_tree(self.staging)


def _unsafe_problem(display: str, path: str) -> Problem:
    return Problem(f"{display}/{path}", None, None,
                   "this is a link (or a file) where goldstar writes a folder; goldstar never "
                   "writes through links",
                   "delete it (goldstar makes the folder itself), then build again")


def _work_folder(live: Path, display: str) -> Path | None:
    """The work folder beside the output, made if needed; None when the output's
    parent cannot be written (the fallback); OutputFailed when the output can
    be neither made nor written."""
    parent = live.parent
    work = parent / f".{live.name}{WORK_SUFFIX}"
    with contextlib.suppress(OSError):
        parent.mkdir(parents=True, exist_ok=True)  # a new --output a few folders deep
    if not os.access(parent, os.W_OK | os.X_OK):
        if live.is_dir() and os.access(live, os.W_OK | os.X_OK):
            return None
        raise OutputFailed(os_problem(display, PermissionError(
            errno.EACCES, os.strerror(errno.EACCES)), "be made"))
    try:
        work.mkdir(exist_ok=True)
        if not stat.S_ISDIR(os.lstat(work).st_mode):
            raise OutputFailed(Problem(
                str(work), None, None, "goldstar's work folder beside the output is a link "
                "or a file", "delete it, then build again"))
        ignore = work / ".gitignore"
        if not ignore.exists():
            write_file(ignore, b"# goldstar's work folder (the previous build, for a "
                                b"swap in one step): safe to delete\n*\n")
            write_file(work / "CACHEDIR.TAG", b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                                b"# goldstar's work folder.\n")
    except OSError as exc:
        if live.is_dir() and os.access(live, os.W_OK | os.X_OK):
            return None
        raise OutputFailed(os_problem(display, exc, "be made")) from None
    return work


def _remove_old_staging(live: Path) -> None:
    """Staging folders of goldstar before the work folder (`.public.staging-PID`)
    whose build is gone."""
    prefix = f".{live.name}.staging-"
    with contextlib.suppress(OSError), os.scandir(live.parent) as entries:
        for entry in entries:
            pid = entry.name[len(prefix):]
            if entry.name.startswith(prefix) and pid.isdigit() and not _running(int(pid)):
                with contextlib.suppress(OSError):
                    remove_tree(Path(entry.path))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# ---------------------------------------------------------------- the lock
class _Lock:
    """An exclusive lock on the output, held from reading its manifest to the
    swap, so two builds never write it at once. The kernel drops it when the
    process ends, however it ends."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd

    @classmethod
    def take(cls, path: Path, display: str, waiting: Callable[[str], None] | None,
             wait: float) -> _Lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return cls(None)
        is_folder = path.is_dir()
        try:
            fd = os.open(path, os.O_RDONLY if is_folder else os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputFailed(os_problem(display, exc, "be locked")) from None
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            except OSError:  # a file system without locks: go on without
                return cls(fd)
            if not told and waiting is not None:
                holder = "" if is_folder else _holder(fd)
                waiting(f"Another goldstar build{holder} is writing {display}/; "
                        "waiting for it to finish (Ctrl-C to stop).")
                told = True
            if time.monotonic() > deadline:
                os.close(fd)
                raise OutputFailed(Problem(
                    display, None, None,
                    f"another goldstar build has been writing {display}/ for more than "
                    f"{wait / 60:.0f} minutes", "if it is stuck, stop it, then build again"))
            time.sleep(0.05)
        if not is_folder:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the lock
            self.fd = None


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode().strip())
        return f" (process {pid})"
    return ""


class MemoryOutput:
    """Files in a dict: for `goldstar check` (which keeps nothing) and for tests.

    The same interface as DiskOutput; keys are compared as they are.
    """

    def __init__(self, previous: MemoryOutput | None = None) -> None:
        self.old = previous.files if previous is not None else {}
        self.files: dict[str, tuple[object, bytes]] = {}
        self.written = 0

    def unchanged(self, path: str, key: object) -> bool:
        old = self.old.get(path)
        return old is not None and old[0] == key

    def keep(self, path: str) -> None:
        self.files[path] = self.old[path]

    def stage(self, path: str, data: bytes, key: object) -> tuple[str, object, bytes]:
        return path, key, data

    def record(self, receipt: tuple[str, object, bytes]) -> None:
        path, key, data = receipt
        self.files[path] = (key, data)
        self.written += 1

    def commit(self) -> tuple[int, int]:
        return self.written, len(set(self.old) - set(self.files))

    def abort(self) -> None:
        self.files = {}

    def contents(self) -> dict[str, bytes]:
        return {path: data for path, (_, data) in self.files.items()}
