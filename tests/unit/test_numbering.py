"""Late-bound attempt numbers in serve: placeholders, substitution, and the
guarantee that matters, that serve's rebuilt files equal a fresh build's."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from kit import SITE_YML, attempt, write_files

from generator import numbering
from generator.build import BuildOptions
from generator.pages import OutputFile
from generator.preview import Session

AS_OF = dt.date(2026, 3, 31)
THEME = Path(numbering.__file__).parent.parent / "themes" / "default"


def token_of(late: numbering.LateNumbers, ident: int, value: int) -> numbering.Token:
    late.values[ident] = value
    return numbering.Token(late, ident)


def test_a_printed_token_is_a_placeholder_and_nothing_else_is_noted() -> None:
    late = numbering.LateNumbers()
    token = token_of(late, 7, 42)
    text, tracker = late.render_tracked(lambda: f"#{token} {format(token)}")
    assert text == "#\x00N7\x00 \x00N7\x00"
    assert tracker.semantic == set()
    parts, ids = numbering.split(text)
    assert ids == {7}  # whole placeholders only
    assert numbering.fill(parts, numbering.table({7: 43})) == b"#43 43"


@pytest.mark.parametrize("use", [
    lambda n: n > 40, lambda n: n + 1, lambda n: 1 + n, lambda n: n % 2, lambda n: bool(n),
    lambda n: hash(n), lambda n: f"{n:03d}", lambda n: "%d" % n,  # noqa: UP031
    lambda n: range(n),
    lambda n: n == 42, lambda n: -n, lambda n: round(n), lambda n: divmod(100, n),
    lambda n: float(n), lambda n: repr(n),
])
def test_every_use_as_a_number_is_noted_and_uses_the_real_value(use) -> None:  # type: ignore[no-untyped-def]
    late = numbering.LateNumbers()
    token = token_of(late, 3, 42)
    result, tracker = late.render_tracked(lambda: str(use(token)))
    assert tracker.semantic == {3}
    assert result == str(use(42))


def test_semantic_use_inside_a_nested_fragment_counts_for_the_page() -> None:
    late = numbering.LateNumbers()
    token = token_of(late, 5, 9)

    def page() -> str:
        inner, tracker = late.render_tracked(
            lambda: "odd" if token % 2 else "even")  # type: ignore[operator]
        assert tracker.semantic == {5}
        return inner

    _, outer = late.render_tracked(page)
    assert outer.semantic == {5}


def test_a_cut_placeholder_is_not_intact() -> None:
    assert numbering.split("#\x00N1")[1] is None
    assert numbering.split("#\x00M1\x00")[1] is None
    assert numbering.split("plain text") == ([b"plain text"], frozenset())


def test_a_token_used_as_a_number_is_its_current_value() -> None:
    late = numbering.LateNumbers()
    token = late.value("number", "a.md", 3)
    assert token + 1 == 4  # type: ignore[operator]
    late.value("number", "a.md", 7)  # a renumbering: the same id, a new value
    assert token + 1 == 8  # type: ignore[operator]
    assert numbering.table(late.values) == {b"N1": b"7"}


def test_a_token_prints_its_number_while_rendering_plain() -> None:
    late = numbering.LateNumbers()
    token = token_of(late, 1, 2)
    assert late.render_plain(lambda: f"#{token}") == "#2"
    assert str(token) == "\x00N1\x00"


def test_served_pages_carry_plain_numbers(tmp_path: Path) -> None:
    site = _site(tmp_path, 3)
    result = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)).build()
    page = result.contents["attempts/2026-03-02-a1/index.html"].decode()
    assert '<span class="attempt-number">#2</span>' in page and "\x00" not in page


def _site(root: Path, count: int, theme_edits: dict[str, tuple[str, str]] | None = None) -> Path:
    files: dict[str, str | bytes] = {"content/site.yml": SITE_YML + "per_page: 5\n"}
    for n in range(count):
        files[f"content/attempts/2026-03-{n + 1:02d}-a{n}.md"] = attempt(
            f"Attempt {n}", f"2026-03-{n + 1:02d}", "no" if n % 3 else "yes",
            extra=f"category: {'work' if n % 2 else 'home'}\ntags: [t{n % 2}]\n",
            body=f"Body {n}.\n")
    site = write_files(root, files)
    if theme_edits:
        shutil.copytree(THEME, site / "themes" / "custom")
        for name, (old, new) in theme_edits.items():
            path = site / "themes" / "custom" / "templates" / name
            text = path.read_text()
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1))
        config = site / "content" / "site.yml"
        config.write_text(config.read_text() + "theme: custom\n")
    return site


def _fresh(site: Path) -> dict[str, bytes]:
    return Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)).build().contents


CARD_NUMBER = "{{ t('attempt_number', number=item.number) }}"
THEMES = {
    "default theme": None,
    # a template that computes with the number: such pages are rendered again
    "number compared": {"attempt.html": (
        "{{ attempt.title }}</h1>",
        "{{ attempt.title }}{% if attempt.number is divisibleby 2 %} (even){% endif %}</h1>")},
    # a filter that takes the placeholder apart: plain numbers for that page
    "placeholder cut": {"attempt.html": (
        "{{ attempt.title }}</h1>",
        "{{ attempt.title }} {{ (attempt.number|string)[:2] }}</h1>")},
    # a cached fragment (cards) that computes with the number is not kept
    "number in a cached card": {"_macros.html": (
        CARD_NUMBER, CARD_NUMBER + "{% if item.number > 2 %}+{% endif %}")},
}


@pytest.mark.parametrize("edits", THEMES.values(), ids=THEMES.keys())
def test_serve_after_a_renumbering_matches_a_fresh_build(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits) -> None:
    site = _site(tmp_path, 12, edits)
    attempts = site / "content" / "attempts"
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    rendered: list[str] = []
    producer = Session._producer

    def recording(self: Session, *args: object) -> object:
        produce = producer(self, *args)  # type: ignore[arg-type]

        def record(file: OutputFile) -> object:
            rendered.append(file.path)
            return produce(file)
        return record

    monkeypatch.setattr(Session, "_producer", recording)

    # An attempt dated before all others: every attempt gets a new number.
    early = attempts / "2026-03-01-early.md"
    early.write_text(attempt("Early", "2026-03-01", extra="category: work\n"), encoding="utf-8")
    result = session.build({early})
    attempt_pages = sorted(p for p in rendered if p.startswith("attempts/2026"))
    assert result.contents == _fresh(site)
    page = result.contents["attempts/2026-03-12-a11/index.html"].decode()
    assert '<span class="attempt-number">#13</span>' in page
    if edits is None:  # the new page and its two neighbours; the rest got new numbers
        assert attempt_pages == ["attempts/2026-03-01-a0/index.html",
                                 "attempts/2026-03-01-early/index.html",
                                 "attempts/2026-03-02-a1/index.html"]
    elif "attempt.html" in edits:  # these pages compute with their number
        assert len(attempt_pages) == 13

    # And back: the numbers return, the early attempt's page is gone.
    early.unlink()
    result = session.build({early})
    assert result.contents == _fresh(site)
    assert "attempts/2026-03-01-early/index.html" not in result.contents

    # An edit that changes no number leaves the numbers alone.
    edited = attempts / "2026-03-05-a4.md"
    edited.write_text(edited.read_text().replace("Body 4.", "Body four."), encoding="utf-8")
    result = session.build({edited})
    assert result.contents == _fresh(site)


def test_serve_after_edits_to_terms_neighbours_and_outcomes_matches_a_fresh_build(
        tmp_path: Path) -> None:
    """Serve reuses the views and pages of its last plan (pages.PlanMemo); each
    of these edits changes what other attempts' pages show."""
    site = _site(tmp_path, 9)
    attempts = site / "content" / "attempts"
    session = Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False))
    session.build()
    edits = [
        # the first attempt of a category spells it for every attempt in it
        ("2026-03-01-a0.md", "category: home", "category: HOME"),
        ("2026-03-04-a3.md", "tags: [t1]", "tags: [renamed]"),
        ("2026-03-05-a4.md", "title: Attempt 4", "title: Four"),  # neighbours show it
        ("2026-03-06-a5.md", "outcome: no", "outcome: yes"),
        ("2026-03-07-a6.md", "category: home", "category: home\nprivate: true"),
        ("2026-03-01-a0.md", "category: HOME", "category: home"),
    ]
    for name, old, new in edits:
        path = attempts / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
        result = session.build({path})
        assert result.contents == _fresh(site), (name, new)
    page = session.build({path}).contents["attempts/2026-03-03-a2/index.html"]
    assert b"home" in page and b"HOME" not in page
