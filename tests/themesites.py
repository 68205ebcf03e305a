"""The example site (content/) built with each built-in theme, for the tests that
hold both themes to the same standard.

    public = build_example(tmp_path, "plain")
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kit import REPO, run

THEMES = ("default", "plain")
AS_OF = "2026-11-23"
"""The example site's day: its challenge is under way, with pending answers."""

PAGE_TYPES = {
    "home": "/",
    "attempt": "/attempts/2026-10-25-naive-publisher-pitch/",
    "archive page 2": "/attempts/page/2/",
    "outcome list": "/outcomes/no/",
    "outcomes index": "/outcomes/",
    "category list": "/categories/creative/",
    "categories index": "/categories/",
    "tag page": "/tags/email/",
    "tags index": "/tags/",
    "lessons": "/lessons/",
    "about": "/about/",
    "404": "/no-such-page/",
}
"""One address of every kind of page the themes render (the 404 through a missing
address, as a host serves it)."""


def build_example(dest: Path, theme: str) -> Path:
    """The example site built with `theme` into dest/<theme>/public, from a copy of
    content/ whose site.yml names the theme."""
    site = dest / theme
    shutil.copytree(REPO / "content", site / "content")
    settings = site / "content" / "site.yml"
    text = settings.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^theme:.*$", f"theme: {theme}", text)
    settings.write_text(text if found else text + f"theme: {theme}\n", encoding="utf-8")
    out = site / "public"
    result = run("build", "--site", site, "--output", out, "--as-of", AS_OF, "--no-cache")
    assert result.code == 0, result.err
    assert "0 warnings" in result.out, result.out + result.err
    return out
