"""Serve's incremental builds: whatever path a rebuild takes (the patch path for
a save that changes only what an attempt shows, the general path for the rest),
its pages must equal a fresh build's, byte for byte."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kit import SITE_YML, attempt, write_files

from generator.build import BuildOptions
from generator.preview import Session

AS_OF = dt.date(2026, 3, 31)


def _site(root: Path, count: int = 30) -> Path:
    files: dict[str, str | bytes] = {"content/site.yml": SITE_YML + "per_page: 4\n"}
    for n in range(count):
        day = n % 28 + 1
        files[f"content/attempts/2026-03-{day:02d}-a{n}.md"] = attempt(
            f"Attempt {n}", f"2026-03-{day:02d}", "no" if n % 3 else "yes",
            extra=(f"category: {'work' if n % 2 else 'home'}\ntags: [t{n % 3}]\n"
                   f"ask: Ask {n}\n" + ("private: true\n" if n == 7 else "")),
            body=f"Body {n}, see [the next](/attempts/2026-03-{day:02d}-a{n + 1}/).\n")
    return write_files(root, files)


def _fresh(site: Path) -> dict[str, bytes]:
    return Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)).build().contents


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (file, old text, new text, whether the patch path can take it)
SAVES = [
    ("2026-03-05-a4.md", "Body 4,", "A new body for 4,", True),
    ("2026-03-05-a4.md", "title: Attempt 4", "title: Four, retitled", True),
    ("2026-03-02-a29.md", "ask: Ask 29", "ask: Asked again", True),
    ("2026-03-08-a7.md", "Body 7", "A private body", True),  # private: nothing to render
    ("2026-03-06-a5.md", "outcome: no", "outcome: yes", False),  # counts change
    ("2026-03-09-a8.md", "category: home", "category: elsewhere", False),
    ("2026-03-10-a9.md", "date: 2026-03-10", "date: 2026-03-27", False),  # moves
]


@pytest.mark.parametrize(("name", "old", "new", "patched"), SAVES,
                         ids=[f"{s[0]}:{s[2]}" for s in SAVES])
def test_a_rebuild_after_a_save_equals_a_fresh_build(
        tmp_path: Path, name: str, old: str, new: str, patched: bool) -> None:
    site = _site(tmp_path)
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    path = site / "content" / "attempts" / name
    _edit(path, old, new)
    result = session.build({path})
    took_patch = not any(name == "aggregate" for name, _ in result.timings)
    assert took_patch == patched
    assert result.contents == _fresh(site)
    assert result.warnings == [] or all(w.severity == "warning" for w in result.warnings)


def test_a_run_of_saves_keeps_equal_to_fresh_builds(tmp_path: Path) -> None:
    """Saves one after the other, both paths mixed, an error and its fix between."""
    site = _site(tmp_path)
    attempts = site / "content" / "attempts"
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    steps = [
        ("2026-03-05-a4.md", "Body 4,", "Body four,"),
        ("2026-03-05-a4.md", "title: Attempt 4", "title: Four"),
        ("2026-03-06-a5.md", "outcome: no", "outcome: yes"),
        ("2026-03-05-a4.md", "Body four,", "Body 4 again,"),
        ("2026-03-28-a27.md", "title: Attempt 27", "title: The newest one, renamed"),
    ]
    for name, old, new in steps:
        path = attempts / name
        _edit(path, old, new)
        assert session.build({path}).contents == _fresh(site), (name, new)
    broken = attempts / "2026-03-05-a4.md"
    good = broken.read_text()
    broken.write_text(good.replace("outcome: no", "outcome: nope"), encoding="utf-8")
    with pytest.raises(Exception, match="problem"):
        session.build({broken})
    broken.write_text(good.replace("Body 4 again,", "Fixed body,"), encoding="utf-8")
    assert session.build({broken}).contents == _fresh(site)


def test_two_files_saved_at_once_are_patched_together(tmp_path: Path) -> None:
    site = _site(tmp_path)
    attempts = site / "content" / "attempts"
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    first, second = attempts / "2026-03-03-a2.md", attempts / "2026-03-04-a3.md"
    _edit(first, "Body 2,", "Second body,")
    _edit(second, "title: Attempt 3", "title: Neighbour renamed")
    result = session.build({first, second})
    assert not any(name == "aggregate" for name, _ in result.timings)
    assert result.contents == _fresh(site)


def test_a_link_warning_follows_the_body_through_the_patch_path(tmp_path: Path) -> None:
    site = _site(tmp_path, 6)
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    first = session.build()
    assert any("a6" in w.message for w in first.warnings)  # the last one links past the end
    path = site / "content" / "attempts" / "2026-03-06-a5.md"
    _edit(path, "(/attempts/2026-03-06-a6/)", "(/attempts/2026-03-01-a0/)")
    second = session.build({path})
    assert not any(name == "aggregate" for name, _ in second.timings)
    assert not any("a6" in w.message for w in second.warnings)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_save_after_a_cold_start_renders_one_story(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """The first build of a session renders every story (nothing in the store);
    the save after it must render the saved story only, not all of them again.
    (It rendered them all: 2 s at 4,000 attempts, once per serve.)"""
    from generator import markdown, render

    monkeypatch.setattr(render, "PARALLEL_FILES", 10)  # the pool, as on a large site
    site = _site(tmp_path)
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False,
                                   workers=workers))
    session.build()
    rendered: list[str] = []
    original = markdown.render
    monkeypatch.setattr(markdown, "render", lambda body, *args, **kwargs: (
        rendered.append(body) or original(body, *args, **kwargs)))
    path = site / "content" / "attempts" / "2026-03-05-a4.md"
    _edit(path, "Body 4,", "A new body for 4,")
    result = session.build({path})
    assert len(rendered) == 1 and rendered[0].startswith("A new body for 4,")
    assert result.contents == _fresh(site)


def test_after_warming_up_the_first_save_compiles_no_template(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first build of a large site renders in workers; serve compiles the
    theme in its own process while it waits, so the first save does not."""
    from generator import templates

    site = _site(tmp_path)
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    assert session.factory is not None
    session.factory[1].renderer = None  # as after a pool build: none compiled here
    session.warm_up()
    compiled: list[str | None] = []
    original = templates._Environment.compile

    def counting(self: templates._Environment, source: object, name: str | None = None,
                 *args: object, **kwargs: object) -> object:
        compiled.append(name)
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(templates._Environment, "compile", counting)
    new = site / "content" / "attempts" / "2026-03-01-early.md"
    new.write_text(attempt("Early", "2026-03-01", body="An early one.\n"), encoding="utf-8")
    result = session.build({new})  # renumbers: the lists, the home page, attempt pages
    assert compiled == []
    assert result.contents == _fresh(site)
