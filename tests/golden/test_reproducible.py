"""Reproducible builds: the same files and SOURCE_DATE_EPOCH give the same bytes.

The site is built by `python -m generator` in fresh processes, once as a
reference and once for each thing that must not matter: the hash seed, the
machine's time zone (site.yml sets none, so SOURCE_DATE_EPOCH builds count
days in UTC), the locale, the number of worker processes, and the order in
which the file system lists the files. The site has enough attempts for the
process pool to take part (render.PARALLEL_FILES), times with and without
offsets, and tags that only the address rules keep apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kit import REPO, attempt, tree

from generator.render import PARALLEL_FILES

EPOCH = "1798761600"  # 2027-01-01T00:00:00Z
SITE_YML = """\
title: Reproducible
base_url: https://example.org/
challenge:
  goal: 500
  start: 2026-01-01
  end: 2026-12-31
  ghost_after_days: 30
"""
TAGS = ["日本語", "Москва", "C++", "C#", "c", "a b", "a.b", "in person", "In Person"]
OUTCOMES = ["no", "yes", "ghosted", "pending"]


def site_files() -> dict[str, str]:
    files = {"content/site.yml": SITE_YML,
             "content/pages/about.md": "---\ntitle: About\n---\nAbout *this*.\n"}
    for i in range(PARALLEL_FILES):
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        when = [day, f"{day}T23:30:00", f"{day}T23:30:00-05:00", f"{day}T00:15:00+09:00"][i % 4]
        extra = f"tags: [{TAGS[i % len(TAGS)]}, {TAGS[(i * 7) % len(TAGS)]}]\n"
        extra += f"category: {['Job', 'job', 'Romance', 'Москва'][i % 4]}\n"
        if i % 50 == 0:
            extra += "private: true\n"
        if i % 61 == 0:
            extra += "draft: true\n"
        files[f"content/attempts/{day[:7]}/{i:04d}-{day}.md"] = attempt(
            f"Attempt {i}", when, OUTCOMES[i % 4], extra,
            body=f"Story {i} with **bold**, a [link](/about/) and\n\n- a list\n")
    return files


def write_in_order(root: Path, files: dict[str, str], order: list[str]) -> Path:
    for rel in order:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel], encoding="utf-8")
    return root


def build(site: Path, output: Path, *args: str, **env: str) -> dict[str, bytes]:
    environ = {key: value for key, value in os.environ.items()
               if key not in ("TZ", "LC_ALL", "LANG", "PYTHONHASHSEED", "SOURCE_DATE_EPOCH")}
    environ.update({"SOURCE_DATE_EPOCH": EPOCH, "TZ": "UTC", "LC_ALL": "C.UTF-8",
                    "PYTHONHASHSEED": "0", "PYTHONPATH": str(REPO)}, **env)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site), "--output",
         str(output), "--no-cache", "--workers", "2", *args],
        env=environ, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {name: (output / name).read_bytes() for name in tree(output)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("reproducible")
    files = site_files()
    site = write_in_order(root / "site", files, sorted(files))
    return site, build(site, root / "reference")


VARIATIONS = {
    "another hash seed": ((), {"PYTHONHASHSEED": "12345"}),
    "a machine in another time zone": ((), {"TZ": "Pacific/Kiritimati"}),
    "a machine west of UTC": ((), {"TZ": "America/Los_Angeles"}),
    "another locale": ((), {"LC_ALL": "POSIX"}),
    "one process instead of two": (("--workers", "1"), {}),
}


@pytest.mark.parametrize("variation", list(VARIATIONS))
def test_the_same_files_and_source_date_epoch_give_the_same_bytes(
        reference: tuple[Path, dict[str, bytes]], tmp_path: Path, variation: str) -> None:
    site, expected = reference
    args, env = VARIATIONS[variation]
    assert len(expected) > PARALLEL_FILES
    assert build(site, tmp_path / "out", *args, **env) == expected


def test_the_order_the_file_system_lists_files_in_does_not_matter(
        reference: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    _, expected = reference
    files = site_files()
    order = sorted(files, key=lambda rel: (hash(rel) % 7, rel[::-1]))  # any other order
    site = write_in_order(tmp_path / "site", files, order)
    assert build(site, tmp_path / "out") == expected


def test_the_tags_that_meet_are_apart_in_the_reproducible_output(
        reference: tuple[Path, dict[str, bytes]]) -> None:
    _, expected = reference
    tags = sorted({name.split("/")[1] for name in expected if name.startswith("tags/")
                   and name.count("/") == 2})
    plain = {"a-b", "c", "c-plus-plus", "c-sharp", "in-person", "москва", "日本語"}
    coded = [tag for tag in tags if tag not in plain]  # "a b" or "a.b", whichever came later
    assert plain <= set(tags) and len(coded) == 1 and coded[0].startswith("a-b-")
