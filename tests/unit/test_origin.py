"""Where goldstar came from: PEP 610 records and git checkouts to a pinned requirement."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from generator.origin import (
    Origin,
    find_origin,
    git_url_for_pip,
    origin_from_checkout,
    origin_from_direct_url,
    requirements_txt,
    run_git,
    strip_credentials,
    version_text,
)

SHA = "0123456789abcdef0123456789abcdef01234567"


def fake_git(answers: dict[str, str | None]):  # type: ignore[no-untyped-def]
    """A git that answers by its first arguments; anything else fails."""
    def run(args: list[str], folder: str) -> str | None:
        for prefix, answer in answers.items():
            if " ".join(args).startswith(prefix):
                return answer
        return None
    return run


def checkout_git(remote: str | None, dirty: str = "", pushed: str = "origin/main") -> object:
    return fake_git({
        "rev-parse --show-toplevel": "/src/goldstar",
        "rev-parse HEAD": SHA,
        "rev-parse --abbrev-ref": "origin/main" if remote else None,
        "remote get-url origin": remote,
        "remote": "origin" if remote else "",
        "branch -r --contains": pushed,
        "status --porcelain": dirty,
    })


def comments(text: str) -> str:
    """The comment lines of requirements.txt as one line of words."""
    return " ".join(line.lstrip("#").strip() for line in text.splitlines()
                    if line.startswith("#"))


def pip_accepts(line: str) -> None:
    """The line parses with the requirement parser of the pip that is installed here
    (older pips are stricter than the packaging library: no `git+file:///`)."""
    from pip._vendor.packaging.requirements import Requirement as PipRequirement

    PipRequirement(line)
    Requirement(line)


def requirement_line(text: str) -> str:
    return [line for line in text.splitlines() if not line.startswith("#")][-1]


def test_a_git_install_is_pinned_to_the_commit_pip_checked_out() -> None:
    origin = origin_from_direct_url(
        {"url": "https://github.com/someone/goldstar.git",
         "vcs_info": {"vcs": "git", "commit_id": SHA, "requested_revision": "main"}},
        "0.1.0", fake_git({}))
    assert origin.requirement() == f"goldstar @ git+https://github.com/someone/goldstar.git@{SHA}"
    assert origin.notes == ()
    pip_accepts(requirement_line(requirements_txt(origin)))
    req = Requirement(requirement_line(requirements_txt(origin)))
    assert req.name == "goldstar" and req.url == f"git+https://github.com/someone/goldstar.git@{SHA}"


def test_a_token_in_the_address_never_reaches_the_site() -> None:
    origin = origin_from_direct_url(
        {"url": "https://user:ghp_secret@github.com/someone/goldstar.git",
         "vcs_info": {"vcs": "git", "commit_id": SHA}}, "0.1.0", fake_git({}))
    assert "secret" not in requirements_txt(origin) and "user" not in origin.requirement()
    assert strip_credentials("ssh://git:pw@host/x.git") == "ssh://git@host/x.git"


def test_an_editable_checkout_asks_git_for_its_remote_and_commit() -> None:
    origin = origin_from_direct_url(
        {"url": "file:///src/goldstar", "dir_info": {"editable": True}}, "0.1.0",
        checkout_git("https://github.com/someone/goldstar.git"))  # type: ignore[arg-type]
    assert origin.how == "checkout" and origin.folder == "/src/goldstar"
    assert origin.requirement() == f"goldstar @ git+https://github.com/someone/goldstar.git@{SHA}"
    assert origin.notes == ()


def test_uncommitted_and_unpushed_work_is_noted_next_to_the_pin() -> None:
    origin = origin_from_direct_url(
        {"url": "file:///src/goldstar", "dir_info": {"editable": True}}, "0.1.0",
        checkout_git("https://github.com/someone/goldstar.git",  # type: ignore[arg-type]
                     dirty=" M generator/cli.py", pushed=""))
    text = comments(requirements_txt(origin))
    assert "not on any branch of the remote" in text
    assert "changes that are not committed" in text


def test_an_ssh_remote_becomes_an_address_pip_understands() -> None:
    assert git_url_for_pip("git@github.com:someone/goldstar.git") == \
        "git+ssh://git@github.com/someone/goldstar.git"
    assert git_url_for_pip("https://gitlab.com/a/b.git") == "git+https://gitlab.com/a/b.git"
    origin = origin_from_checkout("/src/goldstar", "0.1.0", checkout_git(  # type: ignore[arg-type]
        "git@github.com:someone/goldstar.git"), how_found="a folder")
    assert any("ssh" in note for note in origin.notes)


def test_a_checkout_without_a_remote_gets_a_clearly_marked_placeholder() -> None:
    origin = origin_from_checkout("/src/goldstar", "0.1.0", checkout_git(None),  # type: ignore[arg-type]
                                  how_found="a folder")
    text = requirements_txt(origin)
    line = requirement_line(text)
    assert ".invalid/" in line and line.endswith(SHA)  # a reserved domain: it never resolves
    assert "could not tell where it was installed from" in comments(text)
    assert "has no git remote" in comments(text)
    pip_accepts(line)  # still a valid line, so pip's error names it


def test_an_unknown_origin_is_said_plainly() -> None:
    origin = origin_from_checkout("/tmp/x", "0.1.0", fake_git({}), how_found="a folder")
    assert origin.how == "unknown"
    assert "source: unknown" in version_text(origin)
    assert "FILL-IN-A-COMMIT-OR-TAG" in requirements_txt(origin)


def test_an_archive_install_is_pinned_by_its_hash() -> None:
    origin = origin_from_direct_url(
        {"url": "https://example.org/goldstar-0.1.0.tar.gz",
         "archive_info": {"hashes": {"sha256": "ab" * 32}}}, "0.1.0", fake_git({}))
    assert origin.requirement() == \
        f"goldstar @ https://example.org/goldstar-0.1.0.tar.gz#sha256={'ab' * 32}"


def test_a_local_git_url_is_kept_but_flagged() -> None:
    origin = origin_from_direct_url(
        {"url": "file:///home/sam/goldstar", "vcs_info": {"vcs": "git", "commit_id": SHA}},
        "0.1.0", fake_git({}))
    assert origin.requirement() == f"goldstar @ git+file://localhost/home/sam/goldstar@{SHA}"
    assert origin.folder == "/home/sam/goldstar"
    assert "Netlify and GitHub cannot reach it" in comments(requirements_txt(origin))
    pip_accepts(origin.requirement())


def test_version_text_names_the_source_and_commit() -> None:
    origin = Origin("0.1.0", "git", "git+https://github.com/someone/goldstar.git", SHA)
    assert version_text(origin).splitlines() == [
        "goldstar 0.1.0", "source: git+https://github.com/someone/goldstar.git",
        f"commit: {SHA}"]


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def test_a_real_checkout_gives_its_remote_and_commit(tmp_path: Path) -> None:
    git("init", "-q", "-b", "main", cwd=tmp_path)
    (tmp_path / "a").write_text("a")
    git("add", "a", cwd=tmp_path)
    git("commit", "-q", "-m", "a", cwd=tmp_path)
    git("remote", "add", "origin", "https://github.com/someone/goldstar.git", cwd=tmp_path)
    origin = origin_from_checkout(str(tmp_path), "0.1.0", run_git,
                                  how_found="a folder")
    assert origin.url == "git+https://github.com/someone/goldstar.git"
    assert origin.commit is not None and len(origin.commit) == 40
    assert any("push it" in note for note in origin.notes)  # nothing was pushed


def test_the_running_goldstar_can_tell_something_about_itself() -> None:
    origin = find_origin()
    assert origin.version
    assert origin.how in ("git", "checkout", "archive", "index", "unknown")
    assert version_text(origin).startswith(f"goldstar {origin.version}")


@pytest.mark.parametrize("remote", ["/srv/git/goldstar.git", "file:///srv/git/goldstar.git"])
def test_a_remote_on_this_computer_is_a_file_address(remote: str) -> None:
    assert git_url_for_pip(remote) == "git+file://localhost/srv/git/goldstar.git"
