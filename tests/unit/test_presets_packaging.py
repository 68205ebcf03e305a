"""The presets are package data: an installed goldstar can make a site anywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from kit import REPO

from generator.preset_catalog import PRESETS
from generator.scaffold import SITE_FILES


def test_the_wheel_carries_every_preset_file(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the repo
    for name in ("generator", "themes"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
         str(source)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    names = set(zipfile.ZipFile(next(tmp_path.glob("goldstar-*.whl"))).namelist())
    for preset in PRESETS:
        for language in ("en", "nl"):
            for pattern in SITE_FILES.values():
                name = pattern.format(preset=preset, lang=language)
                assert f"generator/presets/{name}" in names, name
