"""Unbreakable by input: random front matter, file names, site.yml, strings
files and Markdown, through `build`, `check` and `stats` in this process.

Whatever the input, each command either works, and the site it leaves can
be read (pages by html.parser, the feed by feedparser and xml.etree, the
sitemap by xml.etree, stats.json by json), or it fails with exit 1, problems
that name a file, and public/ exactly as it was. No exception may escape
main (a traceback), and pytest-timeout catches a hang.

A few dozen examples per property by default, the same ones every run. For
a long run, with new examples each time:

    GOLDSTAR_HYPOTHESIS_EXAMPLES=2000 .venv/bin/python -m pytest tests/golden/test_properties.py
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import kit
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kit import Run, assert_same_trees, attempt, run, tree, write_files

from generator.config import DEFAULT_OUTCOMES

LONG_RUN = int(os.environ.get("GOLDSTAR_HYPOTHESIS_EXAMPLES", "0"))
EXAMPLES = LONG_RUN or 20
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    derandomize=not LONG_RUN,  # the default run is the same every time, in CI too
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
)
TIMEOUT = pytest.mark.timeout(max(120, EXAMPLES * 3))

SITE_YML = kit.SITE_YML + "  ghost_after_days: 30\n"
GOOD = {
    "content/site.yml": SITE_YML,
    "content/attempts/good-1.md": attempt("First", "2026-03-01", extra="tags: [x]\n"),
    "content/attempts/good-2.md": attempt("Second", "2026-03-02", "yes"),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
}
AS_OF = "2026-03-31"

# --- Strategies ------------------------------------------------------------------------------

ANY_CHAR = st.characters(codec="utf-8")  # every code point a UTF-8 file can hold
WORD_CHAR = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"])
EDGE_TEXTS = ["", " ", "no", "yes", "No", "~", "null", "true", "0", "-1", "1e400", ".nan",
              "C++", "C#", "Q&A", "日本語", "Москва", "con", "nul.txt", "index.html", "abc.",
              "a: b", "#x", "- x", "[x", "{x", "&a", "*a", "!x", "|", ">", "'", '"', "%", "@",
              "`", "\\", "x" * 300, "\u202e", "\ufeff", "\ufffe", "\x00", "\x01", "\x0b",
              "\x1b[31m", "\x85", "\u2028"]
texts = st.one_of(st.text(ANY_CHAR, max_size=30), st.text(WORD_CHAR, max_size=30),
                  st.sampled_from(EDGE_TEXTS))

days = st.one_of(
    st.sampled_from(["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31", "2026-02-29",
                     "2026-02-30", "2026-13-01", "2026-00-10", "2026-03-14", "2026-3-4",
                     "20260314", "2026-03-14T25:00:00"]),
    st.dates().map(lambda d: d.isoformat()))
times = st.sampled_from(["", "T00:00:00", "T23:59:59", "T00:30:00", "T23:00:00", " 12:00",
                         "T12:00:00.123456"])
offsets = st.sampled_from(["", "Z", "+01:00", "-05:00", "+14:00", "-12:00", "+2359", "-23:59"])
dates = st.one_of(days, st.tuples(days, times, offsets).map("".join))


def yaml_quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar, escapes and all


def yaml_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


scalars = st.one_of(
    texts,                                   # plain: often not valid YAML, which is fine
    texts.map(yaml_quoted),
    texts.map(yaml_single),
    dates,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=90, max_value=6000).map(lambda n: "9" * n),
    st.integers(min_value=1, max_value=1500).map(lambda n: "0x" + "f" * n),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["null", "~", "true", "false", "yes", "no", "on", "off", ".inf", "-.inf",
                     ".nan", "0o17", "1_000", "1:30", "2026-03-14 12:00:00"]),
)
tags = st.sampled_from(["!!int", "!!float", "!!bool", "!!null", "!!str", "!!binary",
                        "!!timestamp", "!!set", "!!omap", "!!pairs", "!!seq", "!!map",
                        "!!python/object:os.system", "!!python/name:os.system",
                        "!!python/tuple", "!custom", "!<tag:example.com,2026:x>"])
tagged = st.tuples(tags, scalars).map(lambda pair: f"{pair[0]} {pair[1]}")


def flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(texts.map(yaml_quoted), children), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
    )


values = st.recursive(st.one_of(scalars, tagged), flow, max_leaves=12)
deep = st.integers(min_value=1, max_value=400).map(lambda n: "[" * n + "]" * n)
anchors = st.integers(min_value=1, max_value=12).map(
    lambda n: "&a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, n))
    + f"c: *a{n - 1}")
block = st.lists(texts, min_size=1, max_size=3).map(
    lambda lines: "|\n" + "".join(f"  {line}\n" for line in lines).rstrip("\n"))
field_values = st.one_of(values, values, deep, anchors, block,
                         st.just("x" * 20_000), st.just(""))

ATTEMPT_KEYS = ["title", "date", "outcome", "category", "tags", "ask", "feedback", "lesson",
                "decided", "draft", "private", "slug", "extra"]
keys = st.one_of(st.sampled_from(ATTEMPT_KEYS), st.sampled_from(ATTEMPT_KEYS),
                 texts.filter(lambda k: k and "\n" not in k and ":" not in k))


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """A front matter block: mostly valid fields, then whatever the draw adds."""
    fields: dict[str, str] = {
        "title": draw(st.one_of(st.just("A title"), values)),
        "date": draw(st.one_of(dates, values)),
        "outcome": draw(st.one_of(st.sampled_from([k for k, _ in DEFAULT_OUTCOMES]), values)),
    }
    for key in draw(st.lists(keys, max_size=5)):
        fields[key] = draw(field_values)
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


markdown_pieces = st.one_of(
    texts,
    st.sampled_from(["\n", "\n\n", "# ", "**", "_", "`", "```\n", "> ", "- ", "1. ",
                     "|a|b|\n|-|-|\n", "[link](/attempts/nowhere/)", "[x](javascript:alert(1))",
                     "<script>x</script>",
                     "<b>", "</div>", "&#0;", "&#x1;", "&#xFFFE;", "&amp;", "![i](/x.png)",
                     "~~s~~", "\\", "\x00", "\x01", "\x0b", "\x1b", "\r", "\r\n", "\t"]),
    st.integers(min_value=1, max_value=300).map(lambda n: "> " * n + "deep\n"),
    st.integers(min_value=1, max_value=100).map(lambda n: "".join("  " * i + "- x\n"
                                                                 for i in range(n))),
)
markdown = st.lists(markdown_pieces, max_size=30).map("".join)


@st.composite
def attempt_files(draw: st.DrawFn) -> str | bytes:
    """A whole attempt file: front matter and story, sometimes damaged on purpose."""
    text = "---\n" + draw(front_matter()) + "---\n" + draw(markdown)
    damage = draw(st.sampled_from(["none"] * 6 + ["crlf", "bom", "no closing fence",
                                                  "tabs", "latin-1", "empty", "cut"]))
    if damage == "crlf":
        text = text.replace("\n", "\r\n")
    elif damage == "bom":
        text = "\ufeff" + text
    elif damage == "no closing fence":
        text = text.replace("\n---\n", "\n", 1)
    elif damage == "tabs":
        text = text.replace("\n", "\n\t", 2)
    elif damage == "empty":
        text = ""
    elif damage == "cut":
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    elif damage == "latin-1":
        return text.encode("utf-8", "replace") + b"\xe9\xff"
    return text


def _fits(name: str) -> bool:
    stem = name.removesuffix(".md")
    return (bool(stem) and stem not in (".", "..") and not name.startswith((".", "#", "~"))
            and not name.endswith("~") and "/" not in name and "\x00" not in name
            and len(name.encode("utf-8")) <= 250)


file_names = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1,
            max_size=60).map(lambda stem: stem + ".md"),
    st.sampled_from(EDGE_TEXTS + ["A", "a", "a b", "a.b", "A.B", "page", "feed.xml",
                                  "attempts", "404.html", "2026-03-14 Ask Über"]).map(
        lambda stem: stem + ".md"),
).filter(_fits)


@st.composite
def site_ymls(draw: st.DrawFn) -> str:
    """site.yml with random values for the settings a person may get wrong."""
    settings_lines = {
        "title": draw(values), "author": draw(values), "description": draw(values),
        "language": draw(st.one_of(st.sampled_from(["en", "nl"]), values)),
        "timezone": draw(st.one_of(st.sampled_from(["UTC", "Pacific/Kiritimati",
                                                    "Etc/GMT+12", "Europe/Amsterdam"]),
                                   values)),
        "per_page": draw(st.one_of(st.integers(min_value=-5, max_value=10**25).map(str),
                                   values)),
        "max_file_mb": draw(st.one_of(st.integers(min_value=-1, max_value=5000).map(str),
                                      values)),
        "base_url": draw(st.one_of(st.just("https://example.org/sub/"), values)),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(settings_lines)), unique=True, max_size=4))
    challenge = {
        "goal": draw(st.one_of(st.integers(min_value=-1, max_value=10**12).map(str), values)),
        "start": draw(st.one_of(days, values)),
        "end": draw(st.one_of(days, values)),
        "ghost_after_days": draw(st.one_of(st.integers(min_value=-1,
                                                       max_value=10**12).map(str), values)),
        "counts": draw(st.one_of(st.just("[no, yes]"), values)),
    }
    picked = draw(st.lists(st.sampled_from(sorted(challenge)), unique=True, max_size=3))
    text = SITE_YML.replace("  goal: 10\n", "")
    text += "".join(f"{key}: {settings_lines[key]}\n" for key in chosen)
    text += "".join(f"  {key}: {challenge[key]}\n" for key in picked if key != "goal")
    text += f"  goal: {challenge['goal'] if 'goal' in picked else 10}\n"
    if draw(st.booleans()):
        text += "outcomes:\n" + "".join(
            f"  {name}: {{label: {draw(values)}, color: {draw(values)}}}\n"
            for name in draw(st.lists(st.one_of(st.sampled_from(
                ["no", "yes", "ghosted", "pending", "aux", "maybe"]), texts),
                min_size=1, max_size=4, unique=True)))
    return text


as_of_args = st.one_of(
    st.just(("--as-of", AS_OF)),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-03-01", "2027-01-01"]).map(
        lambda day: ("--as-of", day)),
    st.dates().map(lambda day: ("--as-of", day.isoformat())),
)
epochs = st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12).map(str),
                   texts)

# --- Checking what the commands did ----------------------------------------------------------


class StrictHTML:
    """html.parser, counting what it can tell is broken: stray end tags."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        from html.parser import HTMLParser

        parser = HTMLParser(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        parser.handle_starttag = self._start  # type: ignore[method-assign]
        parser.handle_endtag = self._end  # type: ignore[method-assign]
        self.parser = parser

    def _start(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def _end(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass
        else:
            self.errors.append(f"stray </{tag}>")

    def check(self, text: str) -> list[str]:
        self.parser.feed(text)
        self.parser.close()
        return self.errors


def assert_readable(public: Path, raw_html: bool) -> None:
    import feedparser

    feed_bytes = (public / "feed.xml").read_bytes()
    feed = feedparser.parse(feed_bytes)
    assert not feed.bozo, feed.bozo_exception
    ET.fromstring(feed_bytes)
    ET.fromstring((public / "sitemap.xml").read_bytes())
    json.loads((public / "stats.json").read_bytes())
    for name in tree(public):
        segments = name.split("/")
        assert all(0 < len(s.encode()) <= 150 and not s.endswith((".", " "))
                   for s in segments), name
        data = (public / name).read_bytes()
        if name.endswith(".html"):
            text = data.decode("utf-8")
            assert not any(ch in text for ch in "\x00\x01\x02\x07\x08\x0b\x0c\x1b\x1f"), name
            if not raw_html:  # with allow_html the person's own tags are theirs to close
                assert StrictHTML().check(text) == [], name


def assert_reported(result: Run) -> None:
    """Exit 1 with problems that name a file, and the closing line."""
    assert result.code == 1, result.err
    lines = result.err.rstrip().splitlines()
    assert lines[-1].startswith("Build failed: "), result.err
    assert any(": error: " in line for line in lines), result.err


@contextmanager
def environment(epoch: str | None) -> Iterator[None]:
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or "\x00" in epoch:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


_BASELINE: dict[str, Path] = {}


def baseline() -> Path:
    """A good site, built once: each example starts from a copy with its public/."""
    if "site" not in _BASELINE:
        root = Path(tempfile.mkdtemp(prefix="goldstar-properties-"))
        site = write_files(root / "site", GOOD)
        built = run("build", "--site", site, "--as-of", AS_OF, "--no-cache")
        assert built.code == 0, built.err
        _BASELINE["site"] = site
    return _BASELINE["site"]


def every_command(files: dict[str, str | bytes], args: tuple[str, ...] = ("--as-of", AS_OF),
                  epoch: str | None = None, site_dir: Callable[[Path], None] | None = None
                  ) -> None:
    """The property itself, for one example."""
    with tempfile.TemporaryDirectory(prefix="goldstar-example-") as temp:
        site = Path(temp) / "site"
        shutil.copytree(baseline(), site, symlinks=True)
        public = site / "public"
        before = {name: (public / name).read_bytes() for name in tree(public)}
        for rel, content in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else
                             content.encode("utf-8", "surrogatepass"))
        if site_dir is not None:
            site_dir(site)
        with environment(epoch):
            built = run("build", "--site", site, *args, "--no-cache")
            checked = run("check", "--site", site, *args)
            counted = run("stats", "--site", site, *args, "--json")
        assert checked.code == built.code, (checked.err, built.err)
        if built.code == 0:
            raw_html = "allow_html" in str(files.get("content/site.yml", ""))
            assert_readable(public, raw_html)
        else:
            assert_reported(built)
            assert_reported(checked)
            after = {name: (public / name).read_bytes() for name in tree(public)}
            assert after == before, "a failed build changed public/"
        if counted.code == 0:
            json.loads(counted.out)
        else:
            assert_reported(counted)


# --- The properties --------------------------------------------------------------------------


@TIMEOUT
@SETTINGS
@given(files=st.lists(st.tuples(file_names, attempt_files()), min_size=1, max_size=3))
def test_any_attempt_files_give_a_readable_site_or_problems(
        files: list[tuple[str, str | bytes]]) -> None:
    every_command({f"content/attempts/{name}": text for name, text in files})


@TIMEOUT
@SETTINGS
@given(name=file_names, text=st.tuples(front_matter(), markdown).map(
    lambda parts: "---\ntitle: A page\n" + parts[0].split("\n", 1)[1] + "---\n" + parts[1]))
def test_any_page_file_gives_a_readable_site_or_problems(name: str, text: str) -> None:
    every_command({f"content/pages/{name}": text})


@TIMEOUT
@SETTINGS
@given(site_yml=site_ymls(), args=as_of_args, epoch=epochs)
def test_any_site_yml_and_day_give_a_readable_site_or_problems(
        site_yml: str, args: tuple[str, ...], epoch: str | None) -> None:
    every_command({"content/site.yml": site_yml}, args, epoch)


@TIMEOUT
@SETTINGS
@given(epoch=epochs, strings=st.lists(st.tuples(
    st.sampled_from(["nav_home", "archive_heading", "outcome_heading", "feed_title", "x"]),
    field_values), max_size=4), theme_yml=st.one_of(st.just("extends: default\n"),
                                                     field_values.map(lambda v: f"extends: {v}\n"),
                                                     front_matter()))
def test_any_theme_strings_give_a_readable_site_or_problems(
        epoch: str | None, strings: list[tuple[str, str]], theme_yml: str) -> None:
    every_command({
        "content/site.yml": SITE_YML + "theme: mine\n",
        "themes/mine/theme.yml": theme_yml,
        "themes/mine/i18n/en.yml": "".join(f"{key}: {value}\n" for key, value in strings),
    }, ("--as-of", AS_OF) if epoch is None else (), epoch)


@TIMEOUT
@SETTINGS
@given(tags=st.lists(texts, min_size=1, max_size=8), category=texts,
       days=st.lists(st.sampled_from(["2026-03-03", "2026-03-04", "2026-03-05"]), min_size=2,
                     max_size=2))
def test_any_names_of_tags_and_categories_get_readable_lists(
        tags: list[str], category: str, days: list[str]) -> None:
    listed = "[" + ", ".join(json.dumps(tag) for tag in tags) + "]"
    extra = f"tags: {listed}\ncategory: {json.dumps(category)}\n"
    every_command({
        "content/attempts/t1.md": attempt("Tags", days[0], extra=extra),
        "content/attempts/t2.md": attempt("More", days[1], extra="tags: [" + ", ".join(
            json.dumps(tag) for tag in reversed(tags)) + "]\n"),
    })


TERM_NAMES = st.sampled_from(["a b", "a.b", "A B", "a-b", "c", "C", "C++", "c#", "日本語",
                              "Москва", "x", "con", "!!", "item"])


@TIMEOUT
@SETTINGS
@given(before=st.lists(st.lists(TERM_NAMES, max_size=3), min_size=4, max_size=4),
       after=st.lists(st.one_of(st.none(), st.lists(TERM_NAMES, max_size=3)), min_size=4,
                      max_size=4),
       categories=st.lists(st.one_of(st.none(), TERM_NAMES), min_size=4, max_size=4))
@example(before=[["x"], [], ["a b"], []], after=[["a.b"], None, None, None],
         categories=[None, None, None, None])  # `a b` loses /tags/a-b/ to `a.b`
def test_a_warm_build_after_new_tags_and_categories_equals_a_cold_build(
        before: list[list[str]], after: list[list[str] | None],
        categories: list[str | None]) -> None:
    """Addresses of names depend on the names before them: whatever moves, a
    warm build must write what a cold build of the same files writes."""

    def files(tags: list[list[str]]) -> dict[str, str | bytes]:
        made: dict[str, str | bytes] = {"content/site.yml": SITE_YML}
        for i, names in enumerate(tags):
            extra = "tags: [" + ", ".join(json.dumps(n) for n in names) + "]\n"
            category = categories[i]
            if category is not None:
                extra += f"category: {json.dumps(category)}\n"
            made[f"content/attempts/t{i}.md"] = attempt(f"T{i}", f"2026-03-0{i + 1}",
                                                        extra=extra)
        return made

    with tempfile.TemporaryDirectory(prefix="goldstar-example-") as temp:
        warm = write_files(Path(temp) / "warm", files(before))
        assert run("build", "--site", warm, "--as-of", AS_OF).code == 0
        final = [old if new is None else new for old, new in zip(before, after, strict=True)]
        write_files(warm, files(final))  # a file whose tags stay keeps its bytes
        assert run("build", "--site", warm, "--as-of", AS_OF).code == 0
        cold = write_files(Path(temp) / "cold", files(final))
        assert run("build", "--site", cold, "--as-of", AS_OF, "--no-cache").code == 0
        assert tree(warm / "public") == tree(cold / "public")
        for name in tree(cold / "public"):
            if name != ".goldstar-manifest.json":
                assert (warm / "public" / name).read_bytes() == (
                    cold / "public" / name).read_bytes(), name


FILE_CHANGES = st.lists(st.tuples(
    st.sampled_from(["same size, mtime put back", "append", "touch", "rename", "copy over",
                     "delete", "add"]),
    st.integers(0, 2)), min_size=1, max_size=4)


@contextmanager
def stamps_noted_at_once() -> Iterator[None]:
    """Files written by a test are younger than sources.RACY_NS: note them anyway."""
    from generator import sources

    saved = sources.RACY_NS
    sources.RACY_NS = 0
    try:
        yield
    finally:
        sources.RACY_NS = saved


def _change(folder: Path, what: str, index: int, serial: int) -> None:
    """One change to the attempt files, as an editor, a sync tool or `mv` makes it."""
    files = sorted(folder.glob("*.md"))
    if what == "add" or not files:
        (folder / f"added-{serial}.md").write_text(
            attempt(f"Added {serial}", f"2026-03-{10 + serial:02d}", body="Alpha story.\n"))
        return
    path = files[index % len(files)]
    before = path.stat()
    if what == "same size, mtime put back":
        text = path.read_text()
        swapped = text.replace("Alpha", "Omega") if "Alpha" in text else text.replace(
            "Omega", "Alpha")
        path.write_text(swapped)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif what == "append":
        with path.open("a") as f:
            f.write(f"\nMore {serial}.\n")
    elif what == "touch":
        os.utime(path)
    elif what == "rename":
        path.rename(folder / f"renamed-{serial}.md")
    elif what == "copy over":
        copy = folder / f".copy-{serial}"
        copy.write_bytes(path.read_bytes())
        os.replace(copy, path)
    else:
        path.unlink()


@TIMEOUT
@SETTINGS
@given(changes=FILE_CHANGES)
@example(changes=[("same size, mtime put back", 0)])
def test_a_warm_build_after_any_changes_to_files_equals_a_cold_build(
        changes: list[tuple[str, int]]) -> None:
    """A warm build keeps the digests of files whose stamps did not move, without
    reading them (sources.FileStats): whatever happened to the files between
    builds, it must write what a cold build of the same files writes."""
    import time

    with tempfile.TemporaryDirectory(prefix="goldstar-stamps-") as temp, stamps_noted_at_once():
        files: dict[str, str | bytes] = {"content/site.yml": SITE_YML}
        for n in range(3):
            files[f"content/attempts/a{n}.md"] = attempt(
                f"A{n}", f"2026-03-0{n + 1}", body=f"Alpha story {n}.\n")
        warm = write_files(Path(temp) / "warm", files)
        folder = warm / "content" / "attempts"
        for serial, (what, index) in enumerate(changes):
            time.sleep(0.02)  # past the clock's tick: a write moves the ctime
            assert run("build", "--site", warm, "--as-of", AS_OF).code == 0
            time.sleep(0.02)
            _change(folder, what, index, serial)
        assert run("build", "--site", warm, "--as-of", AS_OF).code == 0
        cold = Path(temp) / "cold"
        shutil.copytree(warm / "content", cold / "content")
        assert run("build", "--site", cold, "--as-of", AS_OF, "--no-cache").code == 0
        assert_same_trees(warm / "public", cold / "public")
