"""A plain `pip install .` (not editable) carries the built-in themes, so a site
anywhere on the machine builds without a themes/ folder of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from kit import REPO, SITE_YML, attempt, run, write_files


def test_the_wheel_contains_the_built_in_themes(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the repo
    for name in ("generator", "themes"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
         str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = next(tmp_path.glob("goldstar-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("base.html", "home.html", "attempt.html", "list.html", "feed.xml"):
        assert f"generator/builtin_themes/default/templates/{template}" in names
    assert "generator/builtin_themes/default/static/style.css" in names
    assert "generator/builtin_themes/default/i18n/nl.yml" in names
    for name in ("theme.yml", "templates/base.html", "templates/home.html", "static/style.css"):
        assert f"generator/builtin_themes/plain/{name}" in names
    assert not any(name.startswith(("content/", "tests/", "public/")) for name in names)


def test_a_site_without_a_themes_folder_uses_the_built_in_theme(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"content/site.yml": SITE_YML,
                                           "content/attempts/a.md": attempt()})
    result = run("build", "--site", site, "--as-of", "2026-03-31", "--no-cache")
    assert result.code == 0, result.err
    assert (site / "public" / "static" / "style.css").is_file()
