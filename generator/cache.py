"""The artifact store: what one build keeps for the next, in `.goldstar-cache/`.

Every kind of artifact (parsed files, rendered Markdown, social cards) lives
under a *namespace*: the digest of its kind, the settings it depends on and
goldstar's code digest (hashing.py). Inside it, an artifact is found by the
digest of its input: a file's bytes, a card's key. So a hit is right whatever
happened in between, and a change in goldstar's own code starts every kind
afresh. A new namespace replaces the old one when the build saves.

Two shapes, by how they are used:
- a **table** is a JSON object read whole on every build (the parsed files,
  the links of every body); a large one is split into shard files by its
  rows' keys, so a build that changes one row rewrites one shard (the parsed
  files of 4,000 attempts are 3.4 MB of JSON: 22 ms to write whole);
- a **shelf** holds larger values as bytes in 256 shard files by the first
  two hex digits of their key, read only when a value in them is asked for
  (rendered bodies, cards).

The files are data that is checked when read, never code: a cache someone
else wrote (a shared CI cache, a copied folder) can never run anything. It
is trusted to hold what goldstar made of the files whose digests name its
entries, so a cache altered by hand can change what a build publishes (a
build with --no-cache, or after deleting the folder, cannot). Writes go through a
temporary file and `os.replace`, so a killed build leaves whole files. A
cache that cannot be read is an empty one; one that cannot be written is a
warning, never a failed build.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.hashing import digest
from generator.problems import WARNING, Problem

CACHE_DIR = ".goldstar-cache"


def to_json(value: Any) -> Any:
    """JSON data for an object a table row holds (site.KeptAsJson), made only
    when the table is written."""
    convert = getattr(value, "to_json", None)
    if convert is None:
        raise TypeError(f"a table row holds {type(value).__name__}, which is not JSON data")
    return convert()


FORMAT = "goldstar-store-1"
SHARD_MAGIC = b"GSSHARD1"
KEY_LENGTH = 32
"""Keys are hex digests (hashing.SIZE bytes): fixed length keeps shards simple."""


def namespace(kind: str, settings: object, code: str) -> str:
    """The namespace of a kind of artifact under some settings and code."""
    return digest(repr((FORMAT, kind, settings, code)).encode())


class Shelf:
    """Values (bytes) by key, in 256 shard files read on demand.

    Forked workers may each write the shards they own (`write_shards`), so a
    cold build never gathers every value in one process.
    """

    def __init__(self, folder: Path | None, namespace: str) -> None:
        self.folder = folder
        self.namespace = namespace
        self.shards: dict[str, dict[str, bytes]] = {}
        """Values by shard (the first two characters of their key), then by key."""
        self.loaded: set[str] = set()
        self.dirty: set[str] = set()
        self.forgotten: set[str] = set()
        self._stale: bool | None = None
        self.failed: OSError | None = None
        """The first write that failed (a full disk, a read-only folder): the
        shelf then writes nothing more, and `save` reports it as a warning."""
        self.written: set[str] = set()
        """The shards this process wrote last."""

    def stale(self) -> bool:
        """True when the folder on disk belongs to other settings or code (read once)."""
        if self._stale is None:
            marker = ""
            if self.folder is not None:
                with contextlib.suppress(OSError, ValueError):
                    marker = (self.folder / "NAMESPACE").read_text("ascii").strip()
            self._stale = marker != self.namespace
        return self._stale

    def get(self, key: str) -> bytes | None:
        shard = key[:2]
        if shard not in self.loaded:
            self._load(shard)
        return self.shards.get(shard, {}).get(key)

    def put(self, key: str, value: bytes) -> None:
        if len(key) != KEY_LENGTH:
            raise ValueError(f"shelf keys are {KEY_LENGTH} hex characters, not {key!r}")
        self.shards.setdefault(key[:2], {})[key] = value
        self.forgotten.discard(key)
        self.dirty.add(key[:2])

    def forget(self, key: str) -> None:
        """Drop a value the site no longer uses (its shard is rewritten without it)."""
        self.shards.get(key[:2], {}).pop(key, None)
        self.forgotten.add(key)
        self.dirty.add(key[:2])

    def _load(self, shard: str) -> None:
        self.loaded.add(shard)
        if self.folder is None or self.stale():
            return
        try:
            with open(self.folder / f"{shard}.bin", "rb") as f:
                data = f.read()
        except OSError:
            return
        values = self.shards.setdefault(shard, {})
        for key, value in unpack_shard(data, self.namespace):
            if key not in self.forgotten:
                values.setdefault(key, value)

    def prepare(self) -> None:
        """Make the folder this namespace's (removing another's shards): once, in
        the parent, before any shard is written. A failure is kept, not raised:
        a cache that cannot be written never fails a build."""
        assert self.folder is not None
        if self.failed is not None:
            return
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            _check_real_folders(self.folder.parent)
            self.folder.mkdir(exist_ok=True)
            _check_real_folders(self.folder)
            if self.stale():
                for old in self.folder.glob("*.bin"):
                    old.unlink()
                _write_atomically(self.folder / "NAMESPACE", self.namespace.encode("ascii"))
                self._stale = False
                self.loaded = {f"{i:02x}" for i in range(256)}  # nothing on disk to merge with
        except OSError as exc:
            self.failed = exc

    def write_shards(self, shards: Iterable[str]) -> None:
        """Write these shards whole: what is on disk, with this process's changes.
        Runs in workers too, so a failure is kept (see `failed`), never raised.

        A worker writes the shards of one task after another: those of its
        earlier tasks are on disk by now, so they leave its memory (and are read
        back if a page asks for one); otherwise each worker would end up holding
        the HTML of every body it rendered."""
        assert self.folder is not None
        shards = self.hold_only(shards)
        for shard in sorted(shards):
            if self.failed is not None:
                return
            if shard not in self.loaded:
                self._load(shard)
            records = sorted(self.shards.get(shard, {}).items())
            try:
                _write_atomically(self.folder / f"{shard}.bin",
                                  pack_shard(records, self.namespace))
            except OSError as exc:
                self.failed = exc
                return
            self.dirty.discard(shard)

    def settle(self, shards: Iterable[str]) -> None:
        """After a task derived its values: write its shards (a shelf without a
        folder has nowhere to) and let the last task's go."""
        if self.folder is None:
            self.hold_only(shards)
        else:
            self.write_shards(shards)

    def hold_only(self, shards: Iterable[str]) -> set[str]:
        """Forget the shards of this process's last task but these: they are on
        disk, or, in a shelf without a folder, no page still to render shows them."""
        shards = set(shards)
        self.drop(self.written - shards)
        self.written = shards
        return shards

    def drop(self, shards: Iterable[str]) -> None:
        """Forget what this process holds of these shards: another process wrote
        them, so the files are newer; they are read again if asked for."""
        for shard in shards:
            self.shards.pop(shard, None)
            self.dirty.discard(shard)
            self.loaded.discard(shard)

    def save(self) -> None:
        """Write what changed; raises the first failure (the store makes it a warning)."""
        if self.dirty or self.stale():
            self.prepare()
            self.write_shards(self.dirty)
        if self.failed is not None:
            raise self.failed


def pack_shard(records: Iterable[tuple[str, bytes]], namespace: str) -> bytes:
    """Magic, namespace, then (key, 8-byte length, value) records."""
    parts = [SHARD_MAGIC, namespace.encode("ascii")]
    for key, value in records:
        parts += [key.encode("ascii"), len(value).to_bytes(8, "big"), value]
    return b"".join(parts)


def unpack_shard(data: bytes, namespace: str) -> list[tuple[str, bytes]]:
    """The records of a shard, or none if it is not one of this namespace or is cut."""
    head = len(SHARD_MAGIC) + KEY_LENGTH
    if data[:len(SHARD_MAGIC)] != SHARD_MAGIC or data[len(SHARD_MAGIC):head] != namespace.encode():
        return []
    records = []
    view = memoryview(data)
    at = head
    while at < len(data):
        if at + KEY_LENGTH + 8 > len(data):
            return []
        key = bytes(view[at:at + KEY_LENGTH])
        length = int.from_bytes(view[at + KEY_LENGTH:at + KEY_LENGTH + 8], "big")
        start = at + KEY_LENGTH + 8
        if start + length > len(data) or not key.isalnum():
            return []  # cut short or not ours: nothing in it can be trusted
        records.append((key.decode("ascii"), bytes(view[start:start + length])))
        at = start + length
    return records


class ArtifactStore:
    """Tables and shelves under one folder; `root=None` keeps nothing (--no-cache)."""

    def __init__(self, root: Path | None, code: str) -> None:
        self.root = root
        self.code = code
        self.tables: dict[str, tuple[str, dict[str, Any]]] = {}
        self.changed_tables: set[str] = set()
        """Tables to write whole."""
        self.table_shards: dict[str, int] = {}
        """How many shard files a table is split into (1: one file)."""
        self.changed_shards: dict[str, set[int]] = {}
        """The shards of a split table whose rows changed."""
        self.failed: OSError | None = None
        """The first table write that failed: `save` reports it."""
        self.shelves: dict[str, Shelf] = {}

    def namespace(self, kind: str, settings: object) -> str:
        return namespace(kind, settings, self.code)

    def table(self, name: str, settings: object, shards: int = 1) -> dict[str, Any]:
        """The rows of a table under these settings; empty when they changed.
        With `shards` > 1 it is kept in that many files (see `table_changed`)."""
        ns = self.namespace(name, settings)
        known = self.tables.get(name)
        if known is not None and known[0] == ns:
            return known[1]
        self.table_shards[name] = shards
        rows: dict[str, Any] = {}
        if self.root is not None and known is None:
            for path in self._table_files(name):
                rows.update(_read_rows(path, ns))
        if known is not None or not rows:
            self.changed_tables.add(name)  # new settings: the old files must go
        self.tables[name] = (ns, rows)
        return rows

    def table_changed(self, name: str, key: str | None = None) -> None:
        """A table's rows changed: the row under `key` (of a split table, only
        its shard is written again), or any of them."""
        if key is not None and self.table_shards.get(name, 1) > 1:
            self.changed_shards.setdefault(name, set()).add(
                shard_of(key, self.table_shards[name]))
        else:
            self.changed_tables.add(name)

    def _table_files(self, name: str) -> list[Path]:
        assert self.root is not None
        shards = self.table_shards.get(name, 1)
        if shards == 1:
            return [self.root / f"{name}.json"]
        return [self.root / name / f"{n:02x}.json" for n in range(shards)]

    def shelf(self, name: str, settings: object) -> Shelf:
        ns = self.namespace(name, settings)
        shelf = self.shelves.get(name)
        if shelf is None or shelf.namespace != ns:
            shelf = Shelf(None if self.root is None else self.root / name, ns)
            self.shelves[name] = shelf
        return shelf

    def serialize(self) -> None:
        """Write the changed tables now (the build does it while its workers
        render), so that `save` has less left to do. Written at once rather
        than kept as bytes until the end: the parsed-files table of 100,000
        attempts is 80 MB of JSON. A failure is kept for `save` to report."""
        for name in sorted(self.changed_tables | self.changed_shards.keys()):
            self._write_table(name)

    def put_away(self, name: str) -> None:
        """Write a table now if it changed, and let go of its rows: one that no
        later stage reads (the files' stamps: 100,000 rows, 25 MB that every
        forked worker would carry)."""
        self._write_table(name)
        if name not in self.changed_tables and name not in self.changed_shards:
            self.tables.pop(name, None)

    def _write_table(self, name: str) -> None:
        if self.root is None or self.failed is not None or (
                name not in self.changed_tables and name not in self.changed_shards):
            return
        try:
            self._prepare_root()
            ns, rows = self.tables[name]
            files = self._table_files(name)
            if len(files) == 1:
                _write_rows(files[0], ns, rows)
            else:
                files[0].parent.mkdir(exist_ok=True)
                _check_real_folders(files[0].parent)
                changed = (range(len(files)) if name in self.changed_tables
                           else sorted(self.changed_shards[name]))
                split: dict[int, dict[str, Any]] = {n: {} for n in changed}
                for key, row in rows.items():
                    part = split.get(shard_of(key, len(files)))
                    if part is not None:
                        part[key] = row
                for n, part in split.items():
                    _write_rows(files[n], ns, part)
                if name in self.changed_tables:
                    with contextlib.suppress(OSError):  # the one file of an older goldstar
                        os.unlink(self.root / f"{name}.json")
            self.changed_tables.discard(name)
            self.changed_shards.pop(name, None)
        except OSError as exc:
            self.failed = exc

    def save(self) -> list[Problem]:
        """Write what changed; a warning (never an error) when that fails."""
        if self.root is None:
            return []
        try:
            self.serialize()
            if self.failed is not None:
                raise self.failed
            self._prepare_root()
            for shelf in self.shelves.values():
                shelf.save()
        except OSError as exc:
            return [Problem(CACHE_DIR, None, None,
                            f"the cache could not be written ({exc.strerror or exc}); "
                            "the next build will be slower",
                            "check that the site folder is writable and the disk is not full",
                            WARNING)]
        return []

    def _prepare_root(self) -> None:
        assert self.root is not None
        self.root.mkdir(parents=True, exist_ok=True)
        _check_real_folders(self.root)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            _write_atomically(ignore, b"# goldstar's cache: safe to delete at any time\n*\n")
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():  # backup tools that follow the convention skip the folder
            _write_atomically(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                   b"# This folder is goldstar's build cache.\n")


def shard_of(key: str, shards: int) -> int:
    """The shard file of a split table that holds the row under `key`."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards


def _read_rows(path: Path, ns: str) -> dict[str, Any]:
    """The rows of one table file, if it belongs to namespace `ns`."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return {}  # a missing or unreadable table is an empty one
    if not (isinstance(data, dict) and data.get("namespace") == ns):
        return {}
    rows = data.get("rows")
    return rows if isinstance(rows, dict) else {}


def _write_rows(path: Path, ns: str, rows: dict[str, Any]) -> None:
    text = json.dumps({"namespace": ns, "rows": rows}, ensure_ascii=False,
                      separators=(",", ":"), default=to_json)
    _write_atomically(path, text)


def _check_real_folders(*folders: Path) -> None:
    """OSError unless each folder is a folder and not a link: a cache restored
    from elsewhere (a CI cache) must not make goldstar write outside it."""
    for folder in folders:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise OSError(errno.ELOOP, f"{folder.name} is a link, which goldstar does not "
                                       "write through; delete the folder", str(folder))


def _write_atomically(path: Path, data: bytes | str) -> None:
    """Write through a temporary file and `os.replace`. Text is encoded a
    slice at a time, so a large table is never held twice over in memory."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            if isinstance(data, str):
                for start in range(0, len(data), 1 << 20):
                    f.write(data[start:start + (1 << 20)].encode("utf-8"))
            else:
                f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
