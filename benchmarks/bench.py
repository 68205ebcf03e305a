#!/usr/bin/env python3
"""Benchmark goldstar on corpora from ../shared/bench/make_corpus.py.

    python benchmarks/bench.py                 # 4,000 attempts, 5 runs each
    python benchmarks/bench.py --sizes 40,4000,20000 --runs 3

Prints, per corpus size, the median wall time of each scenario, its ratio to
the Markdown floor (markdown-it-py rendering every body in one process,
measured in the same run) and the peak memory of the largest process.
Not collected by pytest: timing belongs here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
AS_OF = "2026-12-31"

# Runs a command and prints its wall seconds and the peak RSS (KiB) of its
# largest process, measured by the kernel (getrusage of the waited children).
MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""

FLOOR = r"""
import sys, time
from collections.abc import Callable
from pathlib import Path
from markdown_it import MarkdownIt
bodies = []
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    text = path.read_text("utf-8")
    bodies.append(text.split("\n---\n", 1)[1])
md = MarkdownIt("commonmark")
start = time.perf_counter()
for body in bodies:
    md.render(body)
print(time.perf_counter() - start)
"""


def measure(command: list[str]) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    if out[2] != "0":
        raise SystemExit(f"command failed: {' '.join(command)}")
    return float(out[0]), int(out[1]) / 1024


def goldstar(site: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--site", str(site), "--as-of", AS_OF,
            *extra]


def clean(site: Path) -> None:
    """Remove the output and the cache, as a fresh clone has neither.

    They are moved aside, not deleted: on disks that discard freed blocks, a
    large deletion slows the writes of the next few seconds several times,
    which would time the file system instead of the build. The temporary
    folder that holds them is deleted when the benchmark ends.
    """
    trash = site.parent / "trash"
    trash.mkdir(exist_ok=True)
    for name in ("public", ".goldstar-cache"):
        if (site / name).exists():
            os.replace(site / name, trash / f"{name}-{time.monotonic_ns()}")


def edit(path: Path, n: int) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\nEdit number {n}.\n")


def serve_rebuilds(site: Path, edit_file: Path, runs: int) -> tuple[float, float, float]:
    """Ms of serve's in-memory rebuild after the first save of a session (an
    edit of one attempt), then the medians after such an edit and after a new
    attempt that shifts the numbering of every later attempt."""
    sys.path.insert(0, str(REPO))
    import datetime as dt

    from generator.preview import Session
    from generator.serve import settle_memory
    from generator.site import BuildOptions

    session = Session(BuildOptions(site_dir=site, as_of=dt.date.fromisoformat(AS_OF),
                                   use_cache=False))
    session.build()
    session.warm_up()  # as serve does before it watches for saves
    settle_memory()  # as serve does after every build, outside the timed part
    edits, inserts = [], []
    for n in range(runs):
        edit(edit_file, 1000 + n)
        start = time.perf_counter()
        session.build({edit_file})
        edits.append(time.perf_counter() - start)
        settle_memory()
        new = site / "content" / "attempts" / f"2026-01-0{n % 9 + 1}-bench-new-{n}.md"
        new.write_text(f'---\ntitle: "New {n}"\ndate: 2026-01-0{n % 9 + 1}\noutcome: no\n---\n'
                       f"A new attempt early in the year.\n", "utf-8")
        start = time.perf_counter()
        session.build({new})
        inserts.append(time.perf_counter() - start)
        settle_memory()
        new.unlink()
        session.build({new})
        settle_memory()
    return edits[0] * 1000, statistics.median(edits) * 1000, statistics.median(inserts) * 1000


def save_to_reload(site: Path, edit_file: Path, runs: int) -> float:
    """Median ms from writing an attempt file to the new text showing in Chromium,
    with a real `goldstar serve` (watcher, rebuild, Server-Sent Event, reload)."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(port),
         "--as-of", AS_OF], stderr=subprocess.PIPE, text=True)
    try:
        for line in server.stderr:  # type: ignore[union-attr]
            if "Watching for changes" in line:
                break
        slug = edit_file.name[:-3]
        url = f"http://127.0.0.1:{port}/attempts/{slug}/"
        urllib.request.urlopen(url).read()
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--no-first-run"])
            page = browser.new_page()
            page.goto(url)
            for n in range(runs):
                marker = f"reload-marker-{n}-{time.time_ns()}"
                page.wait_for_timeout(300)
                start = time.perf_counter()
                with open(edit_file, "a", encoding="utf-8") as f:
                    f.write(f"\n{marker}\n")
                page.wait_for_function(f"document.body.innerText.includes('{marker}')",
                                       timeout=10000)
                times.append(time.perf_counter() - start)
            browser.close()
        return statistics.median(times) * 1000
    finally:
        server.terminate()  # SIGTERM: SIGINT is ignored when the benchmark runs in the background
        server.wait(timeout=10)


def bench(size: int, runs: int, workdir: Path,
          browser: bool = False) -> list[tuple[str, float, float | None, float | None]]:
    """Rows of (scenario, median seconds, peak MiB, ratio to the floor if paired)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(size), str(workdir),
                    "--gens", "ours"], check=True, stdout=subprocess.DEVNULL)
    site = workdir / "ours"
    manifest = json.loads((workdir / "corpus.json").read_text())
    edit_file = next((site / "content" / "attempts").glob(manifest["edit_file"]))

    def floor_once() -> float:
        return float(subprocess.run(
            [sys.executable, "-c", FLOOR, str(site / "content" / "attempts")],
            capture_output=True, text=True, check=True).stdout)

    # The floor and the cold build take turns, and the cold build's ratio is the
    # median of each pair's: on a shared machine whose speed drifts, two blocks
    # of runs minutes apart would compare different machines.
    floors, colds, cold_peaks = [], [], []
    for _ in range(runs):
        floors.append(floor_once())
        clean(site)
        wall, peak = measure(goldstar(site))
        colds.append(wall)
        cold_peaks.append(peak)
    floor = statistics.median(floors)
    rows: list[tuple[str, float, float | None, float | None]] = [
        ("markdown floor", floor, None, None),
        ("cold build", statistics.median(colds), max(cold_peaks),
         statistics.median(c / f for c, f in zip(colds, floors, strict=True)))]

    def scenario(name: str, prepare: Callable[[int], object], command: list[str]) -> None:
        walls, peaks = [], []
        for n in range(runs):
            prepare(n)
            wall, peak = measure(command)
            walls.append(wall)
            peaks.append(peak)
        rows.append((name, statistics.median(walls), max(peaks), None))

    # The same cold build without social cards (`cards: false`): what drawing a
    # picture for every attempt costs on the first build.
    config = site / "content" / "site.yml"
    original = config.read_text("utf-8")
    config.write_text(original + "cards: false\n", "utf-8")
    scenario("cold build, no cards", lambda n: clean(site), goldstar(site))
    config.write_text(original, "utf-8")
    scenario("cold build, 1 worker", lambda n: clean(site), goldstar(site, "--workers", "1"))
    clean(site)
    subprocess.run(goldstar(site), check=True, capture_output=True)
    scenario("warm build, no change", lambda n: None, goldstar(site))
    scenario("warm build, one edit", lambda n: edit(edit_file, n), goldstar(site))
    scenario("goldstar --help", lambda n: None, [sys.executable, "-m", "generator", "--help"])
    first_ms, edit_ms, insert_ms = serve_rebuilds(site, edit_file, max(runs, 5))
    rows.append(("serve rebuild, first save", first_ms / 1000, None, None))
    rows.append(("serve rebuild, one edit", edit_ms / 1000, None, None))
    rows.append(("serve rebuild, new attempt", insert_ms / 1000, None, None))
    if browser:
        rows.append(("serve save → reloaded page", save_to_reload(site, edit_file, max(runs, 5))
                     / 1000, None, None))
    return rows


def _default_dir() -> Path | None:
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4000", help="comma-separated attempt counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median)")
    parser.add_argument("--dir", type=Path, default=_default_dir(),
                        help="where to write the corpora (default: /dev/shm, a tmpfs, where it "
                             "exists). Measure on tmpfs: on these machines' disks, creating "
                             "5,000 files varies between 1 and 10 s of kernel time from run "
                             "to run, which swamps everything else.")
    parser.add_argument("--browser", action="store_true",
                        help="also time save → reloaded page in headless Chromium")
    args = parser.parse_args()
    if not MAKE_CORPUS.is_file():
        raise SystemExit(f"{MAKE_CORPUS} not found: ../shared must sit beside the repo")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    # Time goldstar as it runs once installed: pip byte-compiles what it installs,
    # and Python keeps the bytecode of an editable install after its first run.
    # Shells that turn bytecode writing off (some CI images) would otherwise
    # time the compiling of goldstar's own modules in every run (about 20 ms).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"goldstar-bench-{size}-", dir=args.dir) as tmp:
            rows = bench(size, args.runs, Path(tmp), args.browser)
        floor = rows[0][1]
        print(f"\n{size} attempts, median of {args.runs} runs")
        print(f"{'scenario':<28} {'seconds':>9} {'× floor':>8} {'peak MiB':>9}")
        for name, seconds, peak, ratio in rows:
            peak_text = f"{peak:9.0f}" if peak is not None else f"{'':>9}"
            ratio = seconds / floor if ratio is None else ratio
            print(f"{name:<28} {seconds:9.3f} {ratio:8.2f} {peak_text}")
        print("(the cold build's × floor is the median of its runs paired with the floor's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
