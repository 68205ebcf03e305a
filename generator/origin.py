"""Where this goldstar came from, so a new site can pin the same one.

goldstar is installed from its git repository, not from a package index. pip
records how in the installed dist-info's `direct_url.json` (PEP 610):

- `pip install git+URL`: a VCS URL and the commit pip checked out.
- `pip install -e .` (or `pip install .`) from a checkout: a `file://` URL of
  the folder; git is asked there for the remote and the commit.
- an archive or wheel from a URL: that URL.
- nothing (an index install, or goldstar run from a source tree without
  installing it): the source folder is asked, if it is a git checkout.

A site names the goldstar that made it in `requirements.txt`, one PEP 508 line
such as `goldstar @ git+https://github.com/owner/goldstar.git@<commit>`, which
Netlify and the GitHub workflow install. When the address is not known, the
line is a placeholder on the reserved `.invalid` domain with a comment saying
what to fill in: goldstar never makes up an address.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from generator import __version__

DIST_NAME = "goldstar"
PLACEHOLDER_URL = "git+https://example.invalid/FILL-IN-THE-GOLDSTAR-REPOSITORY.git"
PLACEHOLDER_REF = "FILL-IN-A-COMMIT-OR-TAG"

GitRunner = Callable[[list[str], str], "str | None"]
"""Runs `git ARGS` in a folder and returns its stripped output, or None if it failed."""


@dataclass(frozen=True)
class Origin:
    """How the running goldstar was installed, as far as can be told."""

    version: str
    how: str
    """`git` (pip install git+URL), `checkout` (a git working copy, editable or not),
    `archive` (a file or URL of a package), `index` or `unknown`."""
    url: str | None = None
    """An address pip can install from (`git+https://...`), without the commit; None if unknown."""
    commit: str | None = None
    """The git commit (or archive hash) that pins it."""
    folder: str | None = None
    """The local folder of a checkout or of a `file://` install."""
    notes: tuple[str, ...] = ()
    """Why the pin may not work on a build server (local folder, uncommitted changes...)."""

    @property
    def known(self) -> bool:
        return self.url is not None

    def requirement(self) -> str:
        """The PEP 508 line for requirements.txt; a placeholder when the address is unknown."""
        url = self.url or PLACEHOLDER_URL
        if url.startswith("git+"):
            return f"{DIST_NAME} @ {url}@{self.commit or PLACEHOLDER_REF}"
        return f"{DIST_NAME} @ {url}"


def find_origin(git_runner: GitRunner | None = None) -> Origin:
    """The origin of the goldstar that is running now."""
    from importlib import metadata

    git = git_runner or run_git
    package_folder = Path(__file__).resolve().parent
    try:
        dist = metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        data = _direct_url(dist)
        # An egg-info without INSTALLER is setuptools' note in a source tree, not an install.
        if dist.read_text("INSTALLER") is not None and _runs_from(dist, data, package_folder):
            if data is not None:
                return origin_from_direct_url(data, dist.version, git)
            return Origin(dist.version, "index", notes=(
                "goldstar was installed from a package index, which does not say which "
                "repository it was built from",))
    # Not installed, or a stale install beside the source tree that runs: ask the source.
    return origin_from_checkout(str(package_folder.parent), __version__, git,
                                how_found="a source folder that is not installed")


def _direct_url(dist: Any) -> dict[str, Any] | None:
    text = dist.read_text("direct_url.json")
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _runs_from(dist: Any, data: dict[str, Any] | None, package_folder: Path) -> bool:
    """Whether the installed dist is the code running now.

    An editable install maps the package to the checkout named in direct_url.json;
    a regular one has it in site-packages.
    """
    if Path(str(dist.locate_file("generator"))).resolve() == package_folder:
        return True
    folder = _file_folder(str((data or {}).get("url", "")))
    return folder is not None and package_folder.is_relative_to(Path(folder).resolve())


def origin_from_direct_url(data: dict[str, Any], version: str, git: GitRunner) -> Origin:
    """Read PEP 610's direct_url.json; ask git about local folders."""
    url = str(data.get("url", ""))
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        clean = _with_host(strip_credentials(url))
        notes = _local_notes(clean)
        return Origin(version, "git", "git+" + clean, str(vcs.get("commit_id") or "") or None,
                      _file_folder(clean), notes)
    folder = _file_folder(url)
    if "dir_info" in data and folder is not None:
        return origin_from_checkout(folder, version, git, how_found=(
            "an editable install" if data["dir_info"].get("editable") else "a folder"))
    if "archive_info" in data:
        clean = strip_credentials(url)
        hashes = data["archive_info"].get("hashes") or {}
        digest = hashes.get("sha256")
        pinned = f"{clean}#sha256={digest}" if digest and "#" not in clean else clean
        return Origin(version, "archive", pinned, digest, folder, _local_notes(clean))
    return Origin(version, "unknown", notes=("pip's record of the install names no source",))


def origin_from_checkout(folder: str, version: str, git: GitRunner, how_found: str) -> Origin:
    """A git working copy: its remote (the branch's upstream, else `origin`) and commit."""
    top = git(["rev-parse", "--show-toplevel"], folder)
    if top is None:
        return Origin(version, "unknown", folder=folder, notes=(
            f"goldstar runs from {how_found} ({folder}) that is not a git checkout",))
    commit = git(["rev-parse", "HEAD"], top)
    remote_name = _remote_name(top, git)
    remote = git(["remote", "get-url", remote_name], top) if remote_name else None
    notes: list[str] = []
    url = None
    if remote:
        url = git_url_for_pip(remote)
        notes += _local_notes(url[len("git+"):])
        if url.startswith("git+ssh://"):
            notes.append("the remote is an ssh address, which a build server can only use "
                         "with a key; for a public repository, use its https address")
        if commit and not git(["branch", "-r", "--contains", commit], top):
            notes.append(f"commit {commit[:12]} is not on any branch of the remote that this "
                         f"checkout knows of: push it before you deploy")
    else:
        notes.append("the goldstar checkout has no git remote, so its address is unknown")
    if git(["status", "--porcelain", "--untracked-files=no"], top):
        notes.append("the checkout has changes that are not committed; the pinned commit "
                     "does not include them")
    return Origin(version, "checkout", url, commit, top, tuple(notes))


def _remote_name(top: str, git: GitRunner) -> str | None:
    upstream = git(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], top)
    if upstream and "/" in upstream:
        return upstream.split("/", 1)[0]
    names = (git(["remote"], top) or "").split()
    if "origin" in names:
        return "origin"
    return names[0] if len(names) == 1 else None


_SCP_LIKE = re.compile(r"^(?P<user>[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!//).+)$")


def git_url_for_pip(remote: str) -> str:
    """A git remote as pip writes it: `git+https://...`, `git+ssh://...`, `git+file://...`.

    The scp-like form `git@github.com:owner/repo.git` becomes `git+ssh://git@github.com/owner/
    repo.git`; user names and passwords in https addresses are left out.
    """
    if re.match(r"^[a-z][a-z0-9+.-]*://", remote):
        return "git+" + _with_host(strip_credentials(remote))
    match = _SCP_LIKE.match(remote)
    if match and not Path(remote).exists():
        return f"git+ssh://{match['user'] or ''}{match['host']}/{match['path']}"
    return "git+" + _with_host(Path(remote).resolve().as_uri())


def _with_host(url: str) -> str:
    """`file:///x` as `file://localhost/x`: the same folder, in a form older pip accepts.

    pip 23's requirement parser refuses `git+file:///x` for having no host.
    """
    return "file://localhost/" + url[len("file:///"):] if url.startswith("file:///") else url


def strip_credentials(url: str) -> str:
    """`https://user:token@host/x` → `https://host/x`; ssh keeps its user (`git@`)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    if parts.password:
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}@{parts.netloc.rsplit('@', 1)[1]}"))
    return url


def _file_folder(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return unquote(parts.path)


def _local_notes(url: str) -> tuple[str, ...]:
    if url.startswith("file:"):
        return ("this address is a folder on this computer: Netlify and GitHub cannot "
                "reach it; use the address of the goldstar repository instead",)
    return ()


def run_git(args: list[str], folder: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True,
                                timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def requirements_txt(origin: Origin) -> str:
    """The site's requirements.txt: the pinned goldstar, with comments for a person."""
    lines = [
        "# The goldstar that builds this site. Netlify and the GitHub Pages workflow",
        "# install it with `pip install --constraint constraints.txt -r requirements.txt`;",
        "# so can you, in a fresh Python environment. To update goldstar, change the",
        "# commit after the last @ (and take constraints.txt from that commit too).",
    ]
    notes = list(origin.notes)
    if not origin.known:
        reason = f": {notes.pop(0)}" if notes else ""
        lines.append("#")
        lines += _wrap(f"goldstar {origin.version} could not tell where it was installed "
                       f"from{reason}. Replace the address below with that of the goldstar "
                       f"repository you use, and the part after the last @ with a commit or "
                       f"tag, for example:")
        lines.append("#   goldstar @ git+https://github.com/OWNER/goldstar.git@v1.0.0")
    for note in notes:
        lines.append("#")
        lines += _wrap(f"Note: {note}.")
    lines.append(origin.requirement())
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 78) -> list[str]:
    lines, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width and line != "#":
            lines.append(line)
            line = "#"
        line += " " + word
    lines.append(line)
    return lines


def version_text(origin: Origin) -> str:
    """What `goldstar --version` prints: the version and where this goldstar came from."""
    lines = [f"goldstar {origin.version}"]
    if origin.how == "checkout":
        lines.append(f"from the git checkout in {origin.folder}")
    if origin.url:
        lines.append(f"source: {origin.url}")
    if origin.commit:
        lines.append(f"commit: {origin.commit}")
    if not origin.known:
        lines.append("source: unknown")
    lines += [f"note: {note}" for note in origin.notes]
    return "\n".join(lines)
