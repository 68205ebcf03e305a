"""The output interface of the render stage, on disk and in memory.

The build never touches the output folder until every page has rendered.
Changed files are written to a staging folder beside the output and moved in
with `os.replace` only when all of them are there; unchanged files are not
rewritten. A manifest in the output records what goldstar wrote, so a later
build deletes only its own stale files and refuses a folder it did not write.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator.hashing import digest, key_digest
from generator.problems import Problem

MANIFEST = ".goldstar-manifest.json"
SWAPPING = ".goldstar-swapping"
"""Present while files are being moved in: the manifest cannot be trusted then."""


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


@dataclass
class Manifest:
    """What the output folder holds: file -> [content hash, page key digest]."""

    fingerprint: str = ""
    """Generator version, theme and config the files were made with."""
    files: dict[str, list[str]] = field(default_factory=dict)
    complete: bool = True
    """False when there is no manifest or a swap was cut short (the marker file)."""

    @classmethod
    def read(cls, output_dir: Path) -> Manifest:
        try:
            data: dict[str, Any] = json.loads((output_dir / MANIFEST).read_text("utf-8"))
            # a build stopped halfway through its swap leaves the marker behind
            return cls(data["fingerprint"], data["files"],
                       complete=not (output_dir / SWAPPING).exists())
        except (OSError, ValueError, KeyError, TypeError):
            return cls(complete=False)

    def write(self, output_dir: Path) -> None:
        data = {"fingerprint": self.fingerprint, "files": self.files}
        tmp = output_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", "utf-8")
        os.replace(tmp, output_dir / MANIFEST)


def manifest_digest(output_dir: Path) -> str | None:
    """A digest of the manifest as written, or None when there is none to trust."""
    try:
        if (output_dir / SWAPPING).exists():
            return None
        return digest((output_dir / MANIFEST).read_bytes())
    except OSError:
        return None


def as_left(output_dir: Path, expected: str) -> bool:
    """Whether the output folder is as the build that wrote manifest `expected`
    left it: the same manifest, and every file it lists still there."""
    if manifest_digest(output_dir) != expected:
        return False
    manifest = Manifest.read(output_dir)
    root = str(output_dir)
    return manifest.complete and all(
        os.path.isfile(os.path.join(root, path)) for path in manifest.files)


# Python makes the descriptor non-inheritable itself (no O_CLOEXEC, which
# Windows lacks); O_BINARY exists only there.
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def stage_file(staging: str, path: str, data: bytes) -> None:
    """Write one file of the build, making its folder.

    A cold build writes thousands of files, each in a folder of its own; with
    plain `os` calls on strings that costs 30% less CPU than through pathlib
    and a buffered file object (`os.makedirs` alone would stat every parent).
    """
    target = os.path.join(staging, path)
    folder = os.path.dirname(target)
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        pass
    fd = os.open(target, _WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


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
    the rest runs in the parent.
    """

    def __init__(self, output_dir: Path, fingerprint: str) -> None:
        self.output_dir = output_dir
        self.output_str = str(output_dir)
        self.output_prefix = self.output_str + os.sep
        self.fingerprint = fingerprint
        self.old = Manifest.read(output_dir) if output_dir.is_dir() else Manifest(complete=False)
        # After an interrupted swap nothing in the folder can be trusted to match.
        self.trusted = self.old.complete
        """Whether the manifest says what the files hold (their bytes)."""
        self.may_keep = self.trusted and self.old.fingerprint == fingerprint and bool(
            self.old.files)
        """False when no file here can be kept as it is (a cold build): keys are
        then hashed by the workers as they render, not by the parent first."""
        self.new: dict[str, list[str]] = {}
        self.staged: list[str] = []
        self.key_digests: dict[str, str] = {}
        self.staging = output_dir.parent / f".{output_dir.name}.staging-{os.getpid()}"
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        self.staging_str = str(self.staging)

    def unchanged(self, path: str, key: object) -> bool:
        """True if the file on disk was made from the same key (a str key is
        taken as a digest already: a card's is its key in the store)."""
        if not self.may_keep:
            return False
        old = self.old.files.get(path)
        if old is None:
            return False
        digest = self.key_digests[path] = key if isinstance(key, str) else key_digest(key)
        if old[1] != digest:
            return False
        try:
            return stat.S_ISREG(os.stat(self.output_prefix + path).st_mode)
        except OSError:
            return False

    def keep(self, path: str) -> None:
        self.new[path] = self.old.files[path]

    def stage(self, path: str, data: bytes, key: object) -> Receipt:
        """Stage a file unless the output already holds exactly these bytes.
        Changes nothing in this object, so forked workers may call it."""
        key_hash = self.key_digests.get(path) or (
            key if isinstance(key, str) else key_digest(key))
        content = digest(data)
        old = self.old.files.get(path)
        same = (self.trusted and old is not None and old[0] == content
                and os.path.isfile(os.path.join(self.output_str, path)))
        if not same:
            stage_file(self.staging_str, path, data)
        return Receipt(path, content, key_hash, not same)

    def record(self, receipt: Receipt) -> None:
        self.new[receipt.path] = [receipt.content, receipt.key]
        if receipt.staged:
            self.staged.append(receipt.path)

    def commit(self) -> tuple[int, int]:
        """Move staged files in, delete our stale files; returns (written, deleted)."""
        out = self.output_dir
        manifest = Manifest(self.fingerprint, self.new, complete=True)
        if (not self.staged and self.trusted and self.old.fingerprint == self.fingerprint
                and self.old.files == self.new):
            shutil.rmtree(self.staging, ignore_errors=True)
            return 0, 0  # nothing changed: not even the manifest is rewritten
        if not out.exists():
            manifest.write(self.staging)
            os.replace(self.staging, out)
            return len(self.staged), 0
        marker = out / SWAPPING
        marker.touch()  # until the new manifest is written, nothing here is trusted
        for path in self.staged:
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / path, target)
        deleted = 0
        for path in self.old.files:
            if path not in self.new:
                try:
                    (out / path).unlink()
                    deleted += 1
                except FileNotFoundError:
                    pass
                _remove_empty_parents(out, (out / path).parent)
        manifest.write(out)
        marker.unlink()
        shutil.rmtree(self.staging, ignore_errors=True)
        return len(self.staged), deleted

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


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


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
