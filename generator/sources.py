"""Finding and reading the site's files, safely.

The walk and the reads are where the outside world comes in, so every oddity
of a file system is decided here, once: hidden files and editor backups are
passed over; a folder that cannot be read is an error (a page silently left
out would unpublish it); a FIFO, device or socket is never opened for
reading (it could block forever); a symbolic link is followed only when it
stays inside the site; a file larger than the limit is an error instead of a
read that fills the memory. The result is sorted, so nothing depends on the
order a file system lists things in.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.hashing import digest
from generator.problems import ERROR, WARNING, Problem

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Default size limit of one Markdown file (10 MB: a long story is 50 KB)."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
"""Files that may sit beside attempts without being attempts (photos)."""

_O_READ = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@dataclass(frozen=True, slots=True)
class Source:
    """One file's bytes, read once per build (or once per change in serve)."""

    path: str
    """From the site folder, with forward slashes (`content/attempts/x.md`)."""
    digest: str
    data: bytes
    """Empty when the bytes were not kept, or not read (see FileStats)."""
    stamp: tuple[int, int, int, int] | None = None
    """The file's inode, size, mtime and ctime as it was read (see FileStats)."""


@dataclass
class Listing:
    """What a walk of one content folder found."""

    files: list[tuple[str, str]] = field(default_factory=list)
    """(path from the site folder, absolute path) of every `.md` file, sorted."""
    others: list[tuple[str, str]] = field(default_factory=list)
    """Other regular files, sorted: images, or files that look like a mistake."""
    problems: list[Problem] = field(default_factory=list)


def skipped_name(name: str) -> bool:
    """Hidden files and editor droppings (`.x.swp`, `#x#`, `x~`)."""
    return name.startswith((".", "#", "~")) or name.endswith("~")


def discover(site_dir: Path, folder: str) -> Listing:
    """Every file under `site_dir/folder` (a content folder), by kind.

    Folders whose name starts with `_` are left out, as are hidden ones.
    """
    listing = Listing()
    site = os.path.realpath(site_dir)
    root = os.path.join(site_dir, folder)
    skip = len(str(site_dir)) + 1
    if not os.path.isdir(root):
        return listing
    real_root = os.path.realpath(root)
    seen = {real_root}
    stack = [root]
    while stack:
        current = stack.pop()
        rel_current = current[skip:].replace(os.sep, "/")
        try:
            with os.scandir(current) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            listing.problems.append(Problem(
                rel_current + "/", None, None,
                f"this folder cannot be read ({exc.strerror or exc}), so its attempts "
                "would be left out of the site",
                "give yourself permission to read it (or move it out of content/)"))
            continue
        folders = []
        for item in items:
            name = item.name
            rel = f"{rel_current}/{name}"
            if skipped_name(name):
                continue
            try:
                is_link = item.is_symlink()
                if is_link:
                    target = os.path.realpath(item.path)
                    if not (target == site or target.startswith(site + os.sep)):
                        listing.problems.append(Problem(
                            rel, None, None, "is a link to something outside the site; skipped",
                            "copy the file into the site instead of linking to it", WARNING))
                        continue
                    if not os.path.exists(item.path):
                        listing.problems.append(_dead_link(rel, item.path))
                        continue
                if item.is_dir():
                    if name.startswith("_"):
                        continue
                    real = os.path.realpath(item.path)
                    if is_link and real_root.startswith(real + os.sep):
                        listing.problems.append(Problem(
                            rel, None, None, "is a link to a folder that holds it; skipped "
                            "(its files would be read twice, some as the wrong kind)",
                            "delete the link", WARNING))
                        continue
                    if real not in seen:  # a link back up would loop forever
                        seen.add(real)
                        folders.append(item.path)
                    continue
                if not item.is_file():
                    listing.problems.append(Problem(
                        rel, None, None,
                        "is not a regular file (a pipe, device or socket); skipped",
                        "remove it from content/", WARNING))
                    continue
            except OSError as exc:
                listing.problems.append(_unreadable(rel, exc))
                continue
            if name.endswith(".md"):
                listing.files.append((rel, item.path))
            else:
                listing.others.append((rel, item.path))
        stack.extend(reversed(folders))
    listing.files.sort()
    listing.others.sort()
    return listing


def not_markdown_warnings(listing: Listing, what: str) -> list[Problem]:
    """A warning for each file that looks like a story saved under the wrong name."""
    problems = []
    for rel, _ in listing.others:
        if rel.lower().endswith(IMAGE_SUFFIXES):
            continue
        problems.append(Problem(
            rel, None, None,
            f"is not a Markdown file, so it is not one of the {what}",
            f"if it is one, rename it to end in .md (for example {_suggest(rel)})",
            WARNING))
    return problems


def _suggest(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    for suffix in (".md.txt", ".markdown", ".mdown", ".mkd", ".txt", ".text"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] + ".md"
    return name.rsplit(".", 1)[0] + ".md"


def read(path: str, abs_path: str, limit: int = MAX_FILE_BYTES) -> Source | Problem:
    """A file's bytes and digest, or the problem that keeps them from being read.

    Opened without blocking and checked to be a regular file before reading,
    so a FIFO that appeared since the walk cannot hang the build.
    """
    try:
        fd = os.open(abs_path, _O_READ)
    except OSError as exc:
        return _unreadable(path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Problem(path, None, None, "is not a regular file; skipped",
                           "remove it from content/", WARNING)
        if info.st_size > limit:
            return _too_large(path, info.st_size, limit)
        # One read of one byte more than the size: fewer bytes back means the end
        # was reached (as for any regular file); a file that grew since is read on.
        data = os.read(fd, info.st_size + 1)
        if len(data) > info.st_size:
            chunks = [data]
            size = len(data)
            while chunk := os.read(fd, 65536):  # never past the limit
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    return _too_large(path, size, limit)
            data = b"".join(chunks)
    except OSError as exc:
        return _unreadable(path, exc)
    finally:
        os.close(fd)
    return Source(path, digest(data), data, _stamp(info))


def _stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


STAMPS_TELL_CHANGES = os.name != "nt"
"""On Windows st_ctime is the time a file was made, which no write moves, so
there every file is read on every build."""

RACY_NS = 2_000_000_000
"""How long before a build a file must have last changed for its stamp to be
noted: longer than any file system's clock tick (FAT's is two seconds)."""


class FileStats:
    """The digests of the files the last build read, by their stamps.

    A file whose inode, size, mtime and ctime are what they were when it was
    read has not changed since, so its digest is known without reading it (its
    bytes are read when a stage needs them, and must have that digest). No
    program can set a ctime: any write moves it to the clock's time. But that
    time has a tick (some milliseconds), and a second write within the tick of
    the first would keep all four; so, as git does for its index, a file that
    changed less than RACY_NS before it was read is not noted, and is read
    again the next time.
    """

    def __init__(self, rows: dict[str, Any], changed: Callable[[str], None]) -> None:
        self.rows = rows
        """Path -> [inode, size, mtime, ctime, digest] (a table of the store)."""
        self.changed = changed
        self.started = time.time_ns()

    def known(self, path: str, abs_path: str, limit: int) -> str | None:
        """The digest of a file that has not changed since it was noted, else None."""
        row = self.rows.get(path)
        if row is None:
            return None  # never noted: not worth a stat
        try:
            info = os.stat(abs_path)
        except OSError:
            return None  # reading it says why
        if (not stat.S_ISREG(info.st_mode) or info.st_size > limit
                or not isinstance(row, list) or len(row) != 5
                or tuple(row[:4]) != _stamp(info) or not isinstance(row[4], str)):
            return None
        return row[4]

    def note(self, source: Source) -> None:
        """Note a file just read (unless it changed too recently to tell)."""
        stamp = source.stamp
        if stamp is not None and max(stamp[2], stamp[3]) < self.started - RACY_NS:
            row = [*stamp, source.digest]
            if self.rows.get(source.path) != row:
                self.rows[source.path] = row
                self.changed(source.path)
        elif source.path in self.rows:
            del self.rows[source.path]
            self.changed(source.path)

    def retain(self, paths: Iterable[str]) -> None:
        keep = set(paths)
        for gone in [p for p in self.rows if p not in keep]:
            del self.rows[gone]
            self.changed(gone)


def _unreadable(path: str, exc: OSError) -> Problem:
    """An error for a file the system would not give: why, and what to do."""
    if exc.errno == errno.ELOOP:
        return Problem(path, None, None, "is a link that leads back to itself (a loop), so it "
                       "cannot be read", "delete the link, or point it at the real file")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Problem(path, None, None, "cannot be read: you do not have permission",
                       "give yourself permission to read it (chmod u+r)")
    return Problem(path, None, None, f"cannot be read ({exc.strerror or exc})",
                   "check that the file is there and that you may read it")


def _dead_link(rel: str, abs_path: str) -> Problem:
    """A link whose target is missing or loops: an error for a Markdown file,
    whose attempt would silently drop out of the site, else a warning."""
    severity = ERROR if rel.endswith(".md") else WARNING
    try:
        os.stat(abs_path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return dataclasses.replace(_unreadable(rel, exc), severity=severity)
    return Problem(rel, None, None,
                   f"is a link to {os.readlink(abs_path)}, which does not exist",
                   "point the link at the file, or delete it", severity)


def _too_large(path: str, size: int, limit: int) -> Problem:
    return Problem(path, None, None,
                   f"is {size / 1048576:.1f} MB, more than the limit of "
                   f"{limit / 1048576:.0f} MB for one file",
                   "split it up, or raise `max_file_mb:` in site.yml if it really must be this big")
