"""Folders of output files on disk, handled so that nothing in them leads
goldstar out of them: the output layer (output.py) stands on these.

- `all_safe`: paths a manifest names are plain relative paths before any is acted on.
- `Tree`: a folder is entered only when its parent's listing says it is a real
  folder, never through a link, even one that points back inside.
- `remove_tree`: a folder of ours goes, links in it deleted, never followed.
- `swap`: two folders change places in one step where the system can.
- `write_file`: bytes to a new file with plain `os` calls.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_DRIVE = re.compile(r"\0[^\0/]?:")


def all_safe(paths: Iterable[str]) -> bool:
    """True if every path is a plain relative path (`a/b.html`): no `..`, `.`
    or empty part, no leading slash, backslash, NUL (or drive, on Windows), so
    it can only name a file inside the folder it is joined to.

    Checked on all the paths joined by NUL (which no path may hold) with a few
    substring searches: a manifest of 100,000 paths in milliseconds.
    """
    paths = list(paths)
    if not paths:
        return True
    try:
        joined = "\0" + "\0".join(paths) + "\0"
    except TypeError:
        return False  # not all text
    if joined.count("\0") != len(paths) + 1:
        return False  # a NUL inside a path
    if any(bad in joined for bad in ("\\", "\0\0", "\0/", "/\0", "//")):
        return False
    if ("/." in joined or "\0." in joined) and any(bad in joined for bad in (
            "/./", "/.\0", "\0./", "\0.\0", "/../", "/..\0", "\0../", "\0..\0")):
        return False  # (names that only start with a dot, such as .well-known, pass)
    return os.name != "nt" or _DRIVE.search(joined) is None


def is_safe_path(path: object) -> bool:
    """all_safe for one path."""
    return isinstance(path, str) and all_safe([path])


# Python makes the descriptor non-inheritable itself (no O_CLOEXEC, which
# Windows lacks); O_BINARY exists only there.
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def write_file(target: str | Path, *parts: bytes | memoryview) -> None:
    fd = os.open(target, _WRITE_FLAGS, 0o666)
    try:
        for data in parts:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)



class Unsafe(Exception):
    """A folder goldstar was about to enter is a link or a file: it is never followed."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Tree:
    """A folder of output files, entered only through real folders.

    A subfolder counts as real when its parent's listing says it is a folder
    (not a link to one: `scandir` tells without a call per entry, so checking
    the 4,000 folders of a site's attempts costs one listing, not 4,000
    `lstat`s). A link planted in an output, even one pointing back inside it,
    is never followed.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.prefix = root if root.endswith("/") else root + "/"
        self.folders: dict[str, bool] = {"": True}
        """Subfolder -> whether it is a real folder (checked, or made by us)."""
        self.listings: dict[str, set[str]] = {}
        """Folder -> the names of the real folders in it."""
        self.files: dict[str, set[str]] = {}
        """Folder -> the names of the plain files in it (listed with its
        folders, or when a second file of the folder is asked for)."""
        self.asked: set[str] = set()
        """Folders that one file was asked for so far."""

    def real_folder(self, folder: str) -> bool:
        known = self.folders.get(folder)
        if known is None:
            parent, _, name = folder.rpartition("/")
            if parent not in self.listings:
                if self.real_folder(parent):
                    self._scan(parent)
                else:
                    self.listings[parent] = set()
            known = self.folders[folder] = name in self.listings[parent]
        return known

    def _scan(self, folder: str) -> None:
        """List a real folder once: its real folders, each also noted as real
        (the next 4,000 lookups find them), and its plain files."""
        folders: set[str] = set()
        files: set[str] = set()
        try:
            with os.scandir(self.prefix + folder if folder else self.root) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.add(entry.name)
                    elif entry.is_file(follow_symlinks=False):
                        files.add(entry.name)
        except OSError:
            pass
        self.listings[folder], self.files[folder] = folders, files
        start = folder + "/" if folder else ""
        self.folders.update(dict.fromkeys([start + name for name in folders], True))

    def regular_file(self, path: str) -> bool:
        """True if path is a plain file reached through real folders only.

        A file alone in its folder (an attempt's page) costs an `lstat`; the
        files of a folder with many (the 4,000 social cards) cost one listing.
        """
        folder, _, name = path.rpartition("/")
        known = self.folders.get(folder)  # real_folder's cache, without the call
        if not (known or known is None and self.real_folder(folder)):
            return False
        files = self.files.get(folder)
        if files is None and folder in self.asked:
            self._scan(folder)
            files = self.files[folder]
        if files:
            return name in files
        self.asked.add(folder)
        try:
            return stat.S_ISREG(os.lstat(self.prefix + path).st_mode)
        except OSError:
            return False

    def check_place(self, path: str) -> None:
        """Raise Unsafe unless path can be written without following a link:
        each of its folders is real or missing, and it is not a folder itself."""
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if self.folders.get(folder):
                continue
            try:
                mode = os.lstat(os.path.join(self.root, folder)).st_mode
            except FileNotFoundError:
                return  # made when needed
            if not stat.S_ISDIR(mode):
                raise Unsafe(folder)
            self.folders[folder] = True
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.lstat(os.path.join(self.root, path)).st_mode):
                raise Unsafe(path)

    def make_folder(self, folder: str) -> None:
        """Make folder and its parents (after check_place said they are safe)."""
        if not folder or self.folders.get(folder):
            return
        self.make_folder(folder.rpartition("/")[0])
        with contextlib.suppress(FileExistsError):
            os.mkdir(os.path.join(self.root, folder))
        self.folders[folder] = True

    def remove(self, path: str) -> bool:
        """Delete a file (or a link, never what it points to) and the folders it
        leaves empty; False when it was not there."""
        if not self.real_folder(path.rpartition("/")[0]):
            return False
        try:
            os.unlink(os.path.join(self.root, path))
        except FileNotFoundError:
            return False
        except IsADirectoryError as exc:
            raise Unsafe(path) from exc
        folder = path.rpartition("/")[0]
        while folder:
            try:
                os.rmdir(os.path.join(self.root, folder))
            except OSError:
                break
            self.folders.pop(folder, None)
            folder = folder.rpartition("/")[0]
        return True


def remove_tree(path: Path) -> None:
    """Delete a folder of ours; links in it are deleted, never followed
    (shutil.rmtree works through file descriptors where it can)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def swap(live: Path, new: Path, retired: Path) -> None:
    """Put the folder `new` in the place of `live`, and the old output where
    `new` was. In one step where the system can; else in two renames, with a
    moment between them when there is no output at all (never a mix)."""
    if exchange(str(live), str(new)):
        return
    os.rename(live, retired)
    try:
        os.rename(new, live)
    except OSError:
        os.rename(retired, live)
        raise
    with contextlib.suppress(OSError):  # else the next build finds it and tidies
        os.rename(retired, new)


_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h
_AT_FDCWD = -100


def exchange(a: str, b: str) -> bool:
    """Swap two paths atomically; False when this system or file system cannot
    (the caller then renames twice), OSError for anything else."""
    function, args = _exchange_call()
    if function is None:
        return False
    import ctypes

    if function(*args(os.fsencode(a), os.fsencode(b))) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), a)


_EXCHANGE: list[Any] = []


def _exchange_call() -> tuple[Any, Callable[[bytes, bytes], tuple[Any, ...]]]:
    """The C function that swaps two paths here, found once (ctypes is imported
    only by builds that swap)."""
    if not _EXCHANGE:
        function: Any = None
        args: Callable[[bytes, bytes], tuple[Any, ...]] = lambda a, b: ()  # noqa: E731
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if sys.platform.startswith("linux"):
                function = libc.renameat2
                function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                     ctypes.c_char_p, ctypes.c_uint]
                args = lambda a, b: (_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)  # noqa: E731
            elif sys.platform == "darwin":
                function = libc.renamex_np
                function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
                args = lambda a, b: (a, b, _RENAME_SWAP)  # noqa: E731
        except (ImportError, OSError, AttributeError):
            function = None
        _EXCHANGE.append((function, args))
    result: tuple[Any, Callable[[bytes, bytes], tuple[Any, ...]]] = _EXCHANGE[0]
    return result
