"""The README's walkthrough, for real: install goldstar into a fresh virtual
environment from this checkout, start a challenge, log an attempt, build.

Everything runs through the installed `goldstar` console script, in a folder
outside the checkout, so what is tested is what a person gets from
`pip install`: the dependencies resolved from pyproject.toml (within the pins
of constraints.txt), the package data (presets, built-in theme), the entry
point. pip fetches what it has not cached from the package index; on a warm
cache the test takes about 10 s, on a cold one the downloads (Babel and
Pillow are the largest) add about as much again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SOURCE_DATE_EPOCH = "1773532800"  # 2026-03-15 00:00 UTC: init, new and build agree on today
TODAY = "2026-03-15"


def copy_checkout(dest: Path) -> Path:
    """What pip needs to build goldstar, copied, so the build leaves nothing in the repo."""
    for name in ("generator", "themes"):
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "constraints.txt"):
        shutil.copy(REPO / name, dest / name)
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would let the checkout leak in."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    return {**env, **extra}


def run(args: list[str | Path], cwd: Path, env: dict[str, str],
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def goldstar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `goldstar` console script of a fresh venv, installed from this checkout."""
    root = tmp_path_factory.mktemp("walkthrough")
    source = copy_checkout(root / "goldstar-source")
    env = clean_env()
    run([sys.executable, "-m", "venv", root / "venv"], root, env)
    bindir = root / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--constraint", source / "constraints.txt", source], root, env, timeout=240)
    script = bindir / ("goldstar.exe" if os.name == "nt" else "goldstar")
    assert script.is_file(), "pip installed no goldstar console script"
    return script


def test_the_installed_goldstar_says_what_it_is(goldstar: Path, tmp_path: Path) -> None:
    env = clean_env()
    version = run([goldstar, "--version"], tmp_path, env).stdout.splitlines()
    assert version[0].startswith("goldstar ")
    usage = run([goldstar, "--help"], tmp_path, env).stdout
    for command in ("init", "new", "decide", "import", "export", "build", "serve"):
        assert f"\n    {command} " in usage, command


def test_init_new_and_build_make_a_site_that_counts_the_new_attempt(
        goldstar: Path, tmp_path: Path) -> None:
    env = clean_env(SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, TZ="Europe/Amsterdam")
    run([goldstar, "init", "my-challenge", "--preset", "starter"], tmp_path, env)
    site = tmp_path / "my-challenge"
    created = run([goldstar, "new", "Asked the café for a free refill"], site, env)
    attempt = f"content/attempts/{TODAY}-asked-the-cafe-for-a-free-refill.md"
    assert created.stdout.strip() == attempt
    built = run([goldstar, "build"], site, env)
    assert "Built 1 attempt" in built.stdout

    public = site / "public"
    for page in ("index.html", "attempts/index.html", "about/index.html", "feed.xml",
                 "404.html", "sitemap.xml", "static/style.css"):
        assert (public / page).is_file(), page
    page = public / "attempts" / f"{TODAY}-asked-the-cafe-for-a-free-refill" / "index.html"
    assert "Asked the café for a free refill" in page.read_text(encoding="utf-8")
    stats = json.loads((public / "stats.json").read_text(encoding="utf-8"))
    assert (stats["as_of"], stats["total"], stats["progress"]) == (TODAY, 1, 1)
    assert stats["goal"]["target"] == 10


def test_the_installed_goldstar_builds_the_example_of_try_it(goldstar: Path,
                                                              tmp_path: Path) -> None:
    """The README's "Try it" shows this repository's example: it builds, with no themes/."""
    shutil.copytree(REPO / "content", tmp_path / "example" / "content")
    built = run([goldstar, "build", "--as-of", "2026-11-23", "--site", "example"], tmp_path,
                clean_env())
    assert "Built 41 attempts (40 published)" in built.stdout
    assert built.stderr == ""
    assert (tmp_path / "example" / "public" / "attempts" / "2026-08-03-free-refill"
            / "index.html").is_file()
