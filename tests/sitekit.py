"""Small sites written into a temporary folder, for tests that need files.

    site = write_site(tmp_path, SMALL_SITE)
    write_site(tmp_path, {**SMALL_SITE, "content/attempts/2026-03-04-x.md": "..."})
"""

from __future__ import annotations

from pathlib import Path

SMALL_SITE: dict[str, str] = {
    "content/site.yml": """\
title: Small test challenge
author: Test Person
description: A tiny site for tests.
language: en
timezone: UTC
base_url: https://example.org/
challenge:
  goal: 10
  counts: [no]
  start: 2026-03-01
  end: 2026-03-31
""",
    "content/attempts/2026-03-01-refill.md": """\
---
title: Asked for a free refill
date: 2026-03-01
outcome: no
category: social
tags: [strangers, food]
---
It took **five seconds**.
""",
    "content/attempts/2026-03-02-raise.md": """\
---
title: Asked for a raise
date: 2026-03-02
outcome: yes
category: job
---
They said yes.
""",
    "content/attempts/2026-03-03-detour.md": """\
---
title: Asked the bus driver for a detour
date: 2026-03-03
outcome: no
category: social
---
No detour.
""",
    "content/pages/about.md": """\
---
title: About this challenge
---
Ten nos in March, counted in public.
""",
}
"""site.yml, three attempts (no, yes, no) in March 2026 and an about page."""


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write files (relative path -> text) under root and return root.

    Folders are created as needed; text is written as UTF-8 with `\\n` line ends.
    """
    for rel_path, text in files.items():
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return root
