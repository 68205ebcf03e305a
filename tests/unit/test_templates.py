"""The Jinja environment: `t()` and `url()` compiled as filters and folded
into the template text when their arguments are constant, without changing
what any template renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_config

from generator.problems import TemplateProblem
from generator.templates import Renderer
from generator.themes import Theme

STRINGS = {"archive": "Archive", "items": {"one": "{count} item", "other": "{count} items"}}


def renderer(tmp_path: Path, templates: dict[str, str], strings: dict | None = None,
             base_path: str = "/blog/", assets: dict[str, str] | None = None) -> Renderer:
    root = tmp_path / "theme"
    (root / "templates").mkdir(parents=True, exist_ok=True)
    for name, text in templates.items():
        (root / "templates" / name).write_text(text)
    config = make_config(base_url=f"https://example.org{base_path}")
    assert config.base_path == base_path
    return Renderer(Theme("test", (root,)), config, strings or STRINGS, {}, assets=assets)


def render(r: Renderer, name: str, **context: object) -> str:
    return r.render(name, dict(context), r.theme.root.parent)


def test_constant_calls_are_text_in_the_compiled_template(tmp_path: Path) -> None:
    r = renderer(tmp_path, {"a.html": "<a href=\"{{ url('/x/') }}\">{{ t('archive') }}</a>"})
    code = r.env.compile("<a href=\"{{ url('/x/') }}\">{{ t('archive') }}</a>", raw=True)
    assert """yield '<a href="/blog/x/">Archive</a>'""" in code
    assert "escape(" not in code  # nothing left to call or escape per page
    assert render(r, "a.html") == '<a href="/blog/x/">Archive</a>'


def test_calls_with_variables_are_filters_and_render_the_same(tmp_path: Path) -> None:
    source = "{{ t('items', count=n) }} {{ url(path) }} {{ t(key) }}"
    r = renderer(tmp_path, {"a.html": source})
    code = r.env.compile(source, raw=True)
    assert "goldstar_t" in code and "goldstar_url" in code
    assert render(r, "a.html", n=1, path="/a/", key="archive") == "1 item /blog/a/ Archive"
    assert render(r, "a.html", n=3, path="b/", key="archive") == "3 items /blog/b/ Archive"


def test_escaping_is_the_same_when_folded(tmp_path: Path) -> None:
    r = renderer(tmp_path, {"a.html": "{{ t('amp') }}|{{ t(k) }}"},
                 strings={"amp": "Q&A <b>"})
    assert render(r, "a.html", k="amp") == "Q&amp;A &lt;b&gt;|Q&amp;A &lt;b&gt;"


@pytest.mark.parametrize("template", [
    "{% set t = u %}{{ t('archive') }}",
    "{% macro m(t) %}{{ t('archive') }}{% endmacro %}{{ m(u) }}",
    "{% for t in [u] %}{{ t('archive') }}{% endfor %}",
    "{% with t = u %}{{ t('archive') }}{% endwith %}",
    "{% macro t(x) %}[{{ x }}]{% endmacro %}{{ t('archive') }}",
])
def test_a_template_that_binds_t_itself_keeps_its_own(tmp_path: Path, template: str) -> None:
    r = renderer(tmp_path, {"a.html": template})
    assert render(r, "a.html", u=lambda key: f"[{key}]") == "[archive]"


def test_call_blocks_still_pass_caller(tmp_path: Path) -> None:
    template = ("{% macro box(title) %}<b>{{ title }}</b>{{ caller() }}{% endmacro %}"
                "{% call box(t('archive')) %}{{ url('/') }}{% endcall %}")
    r = renderer(tmp_path, {"a.html": template})
    assert render(r, "a.html") == "<b>Archive</b>/blog/"


def test_an_unknown_string_is_still_an_error_at_its_line(tmp_path: Path) -> None:
    from generator.problems import TemplateProblem

    r = renderer(tmp_path, {"a.html": "ok\n{{ t('nope') }}\n"})
    with pytest.raises(TemplateProblem) as caught:
        render(r, "a.html")
    assert caught.value.problem.line == 2
    assert 'no UI string "nope"' in caught.value.problem.message


def test_folded_urls_follow_the_asset_names(tmp_path: Path) -> None:
    templates = {"a.html": "{{ url('/static/style.css') }} {{ url(p) }}"}
    r = renderer(tmp_path, templates, assets={"/static/style.css": "/assets/style.1a2b.css"})
    assert render(r, "a.html", p="/static/style.css") == (
        "/blog/assets/style.1a2b.css /blog/assets/style.1a2b.css")


def test_svg_templates_are_autoescaped(tmp_path: Path) -> None:
    r = renderer(tmp_path, {"badge.svg": "<svg><title>{{ label }}</title></svg>"})
    assert render(r, "badge.svg", label="<b>&") == "<svg><title>&lt;b&gt;&amp;</title></svg>"


@pytest.mark.parametrize(("source", "message"), [
    ("a\n{{ 1 / 0 }}", "ZeroDivisionError"),
    ("a\n{% include 'missing.html' %}", 'the template "missing.html"'),
    ("a\n{{ none.x.y }}", "template error"),
])
def test_a_template_failing_while_it_renders_is_a_problem_at_its_line(
        tmp_path: Path, source: str, message: str) -> None:
    r = renderer(tmp_path, {"a.html": source})
    with pytest.raises(TemplateProblem) as caught:
        render(r, "a.html")
    assert caught.value.problem.line == 2
    assert message in caught.value.problem.message
    assert caught.value.problem.path == "theme/templates/a.html"


def test_globals_are_seen_by_every_template_and_page_variables_by_one_page(tmp_path: Path) -> None:
    """Template globals are one plain dict (make_globals): each render must still
    start from them alone, without what an earlier page passed or set."""
    r = renderer(tmp_path, {"a.html": "{% set x = 1 %}{{ site.title }}:{{ page }}",
                            "b.html": "{{ site.title }}:{{ page }}{{ x is defined }}"})
    assert isinstance(r.env.get_template("a.html").globals, dict)
    assert render(r, "a.html", page="one") == f"{r.env.globals['site'].title}:one"
    assert render(r, "b.html", page="two").endswith(":twoFalse")
    with pytest.raises(TemplateProblem):
        render(r, "b.html")  # `page` of the earlier renders is gone


@pytest.mark.parametrize("key", ['"footer"', '"card", n'])
def test_a_cached_fragment_renders_once_per_key(tmp_path: Path, key: str) -> None:
    """Also with a constant key, which Jinja must not fold while compiling."""
    calls: list[int] = []
    r = renderer(tmp_path, {"a.html": f"{{% cache {key} %}}{{{{ count() }}}}{{% endcache %}}"})

    def count() -> int:
        calls.append(1)
        return len(calls)

    assert [render(r, "a.html", count=count, n=1) for _ in range(3)] == ["1", "1", "1"]
    assert calls == [1]


def test_template_digests_follow_includes_whether_compiled_or_not(tmp_path: Path) -> None:
    """Compiling notes what a template includes; the digests are the same as
    when they are worked out from the sources (templates from the bytecode cache)."""
    templates = {"page.html": '{% extends "base.html" %}{% block b %}x{% endblock %}',
                 "base.html": '{% include "part.html" %}{% block b %}{% endblock %}',
                 "part.html": "part", "other.html": "other"}
    compiled = renderer(tmp_path, templates)
    assert compiled.check(["page.html", "other.html"], tmp_path) == []
    assert compiled.env.references["page.html"] == {"base.html"}
    digests = compiled.template_digests(["page.html", "other.html"])
    assert renderer(tmp_path, templates).template_digests(["page.html", "other.html"]) == digests
    (tmp_path / "theme" / "templates" / "part.html").write_text("changed")
    changed = renderer(tmp_path, templates | {"part.html": "changed"})
    assert changed.check(["page.html", "other.html"], tmp_path) == []
    new = changed.template_digests(["page.html", "other.html"])
    assert new["page.html"] != digests["page.html"] and new["other.html"] == digests["other.html"]
