"""Hashing, in one place, with one word per idea.

- A **digest** is the hash of bytes: a file's content, a page's output.
  `digest(data)`.
- A **key** is plain data listing everything an output is made from (a tuple
  of text, numbers, bytes and smaller tuples). `key_digest(key)` hashes a
  canonical serialisation of it, so equal keys give equal digests in every
  process and run. (`hash()` is seeded per process. marshal's current format
  marks objects by their reference counts and interning, so two equal keys
  can serialise differently; its format 2 has neither, and is what is used.)
- The **code digest** hashes goldstar's own source and the versions of the
  libraries that shape its output. It is part of the namespace of every
  artifact kept between builds, so a changed rule in the generator can never
  serve a result made by the old one, even when the version number stays the
  same (a site that is a fork of this repository pulls our changes as they
  come).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import os
import re
import sys

SIZE = 16
"""Bytes of every digest (32 hex characters): collisions are not a concern."""

PLAIN_TYPES = (str, int, float, bool, type(None), bytes, dt.date, tuple)
"""What a key may hold: their repr() is canonical (a set's is not: its order
follows the per-process string hash)."""

LIBRARIES = ("markdown_it_py", "mdurl", "jinja2", "markupsafe", "pyyaml", "pillow", "babel",
             "linkify_it_py")
"""Distributions whose version can change what goldstar writes (normalized names)."""


def digest(data: bytes) -> str:
    """The hex digest of some bytes."""
    return hashlib.blake2b(data, digest_size=SIZE).hexdigest()


MARSHAL_VERSION = 2
"""The newest marshal format without back-references or interning marks."""


def key_digest(key: object) -> str:
    """The digest of a key's canonical serialisation (`is_plain` says what a key holds).

    marshal runs at C speed without escaping anything: three times faster than
    repr() on a list page's key, and a build hashes a key for every file.
    Anything marshal cannot take (a date) goes through repr(), which is
    canonical for these types too.
    """
    try:
        data = marshal.dumps(key, MARSHAL_VERSION)  # type: ignore[arg-type]
    except ValueError:
        data = b"r" + repr(key).encode("utf-8", "surrogatepass")
    return digest(data)


def is_plain(key: object) -> bool:
    """True when a key holds only types whose repr() is canonical (used by tests)."""
    if isinstance(key, tuple):
        return all(is_plain(part) for part in key)
    return isinstance(key, PLAIN_TYPES)


@functools.cache
def code_digest() -> str:
    """A digest of goldstar's Python source and of the libraries' versions.

    Read once per process: about 1 ms for the package's files.
    """
    h = hashlib.blake2b(digest_size=SIZE)
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                h.update(os.path.relpath(path, package).encode() + b"\0")
                with open(path, "rb") as f:
                    h.update(f.read())
    for name in library_versions():
        h.update(name.encode() + b"\0")
    return h.hexdigest()


def library_versions() -> list[str]:
    """`name-version` of the installed LIBRARIES, from their metadata folder names.

    importlib.metadata would take 30 ms to import; listing the folders of
    sys.path takes well under one.
    """
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.fullmatch(name)
            if match and match.group(1).lower().replace("-", "_").replace(".", "_") in LIBRARIES:
                found.append(f"{match.group(1).lower()}-{match.group(2)}")
    return sorted(set(found))


_DIST_INFO = re.compile(r"([A-Za-z0-9_.\-]+?)-([0-9][^-]*?)(?:-py[0-9.]+)?\.(?:dist|egg)-info")
