"""Screenshots of the built-in themes, for the README: `python docs/screenshots.py`.

Builds the example site (content/) once per theme, serves it on localhost, opens
it in headless Chromium (Debian's) and writes docs/themes/<theme>-<page>-<scheme>-
<device>.png: the dashboard and an attempt page, light and dark, on a desktop
(1200 px wide, the first 1400 px of the page) and a phone (390 px wide, the first
screen). Each PNG is stored as a palette image with Pillow's optimize=True, which
keeps a screenshot of text and flat colours at a fraction of its size.

`--review DIR` shoots every page type of every theme at 360 px, light and dark,
into DIR instead: pictures to look at, not to commit.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.cli import main as goldstar  # noqa: E402

THEMES = ("default", "plain")
AS_OF = "2026-11-23"
"""The day the example site is built as of, so the shots do not change by themselves."""
SHOTS = {"dashboard": "/", "attempt": "/attempts/2026-10-25-naive-publisher-pitch/"}
DEVICES = {"desktop": (1200, 900, 1400), "phone": (390, 844, 844)}
"""Viewport width and height, and how much of the page the picture shows."""
REVIEW_PAGES = {
    "home": "/", "attempt": "/attempts/2026-10-25-naive-publisher-pitch/",
    "archive-2": "/attempts/page/2/", "outcome": "/outcomes/no/",
    "outcomes": "/outcomes/", "category": "/categories/creative/",
    "categories": "/categories/", "tag": "/tags/email/", "lessons": "/lessons/",
    "about": "/about/", "404": "/404.html",
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def build_example(theme: str, dest: Path) -> Path:
    """The example site built with `theme` into dest/public (content/ copied, its
    site.yml told to use the theme)."""
    site = dest / theme
    shutil.copytree(REPO / "content", site / "content")
    settings = site / "content" / "site.yml"
    text = settings.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^theme:.*$", f"theme: {theme}", text)
    if not found:
        text += f"theme: {theme}\n"
    settings.write_text(text, encoding="utf-8")
    out = site / "public"
    code = goldstar(["build", "--site", str(site), "--output", str(out), "--as-of", AS_OF,
                     "--no-cache"])
    if code != 0:
        raise SystemExit(f"building the example site with the {theme} theme failed")
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """The folder on a local port, for as long as the block runs; yields its URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def small_png(png: bytes) -> bytes:
    """A screenshot as a 256-colour palette PNG, optimised.

    Fast octree keeps small patches of colour (an outcome's square) within a few
    levels of the original; median cut would blend them into their neighbours.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def shoot(browser: Any, url: str, width: int, height: int, show: int, scheme: str) -> bytes:
    tab = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        tab.goto(url, wait_until="load")
        full = tab.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": width, "height": min(show, full)}
        return bytes(tab.screenshot(clip=clip, full_page=True))
    finally:
        tab.close()


def launch(playwright: Any) -> Any:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "themes",
                        help="where the pictures go (default: docs/themes/)")
    parser.add_argument("--review", type=Path, metavar="DIR",
                        help="every page type at 360 px into DIR, instead of the README's shots")
    parser.add_argument("--theme", action="append", choices=THEMES,
                        help="only this theme (may be repeated)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    themes = args.theme or list(THEMES)
    out: Path = args.review or args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for theme in themes:
                public = build_example(theme, Path(tmp))
                with serve(public) as base:
                    for scheme in ("light", "dark"):
                        if args.review:
                            for name, path in REVIEW_PAGES.items():
                                png = shoot(browser, base + path, 360, 740, 100_000, scheme)
                                (out / f"{theme}-{name}-{scheme}-360.png").write_bytes(png)
                            continue
                        for page, path in SHOTS.items():
                            for device, (width, height, show) in DEVICES.items():
                                png = small_png(shoot(browser, base + path, width, height,
                                                      show, scheme))
                                target = out / f"{theme}-{page}-{scheme}-{device}.png"
                                target.write_bytes(png)
                                print(f"{target}  {len(png) // 1024} KiB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
