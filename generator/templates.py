"""The Jinja2 environment of a theme: templates found along the theme's chain,
compiled once, with the theme's functions (`t`, `url`) and filters.

Autoescaping is on for HTML, XML and SVG, and undefined variables are
errors, so a typo in a template fails the build with the template's name and
line instead of rendering an empty string.
"""

from __future__ import annotations

import functools
import html as htmllib
import json
import re
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2
from jinja2 import meta, nodes
from jinja2.ext import Extension
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from generator import __version__
from generator.config import SiteConfig
from generator.hashing import digest
from generator.i18n import Language
from generator.problems import Problem, TemplateProblem
from generator.themes import Theme


class FragmentCache(Extension):
    """`{% cache key, ... %}...{% endcache %}`: render a fragment once per key.

    An attempt's card appears on the archive and on its outcome, category and
    tag lists; with its key (`item.key` changes whenever the attempt does) it
    is rendered once. The cache lives as long as the environment, which is
    made anew whenever templates, strings or configuration change.
    """

    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(fragment_cache={}, fragment_guard=_cache_always)
        environment.filters["goldstar_fragment"] = self._lookup

    def parse(self, parser: Any) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        args = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key = nodes.Tuple(args, "load")
        # A hit costs one lookup; only a miss builds the body's caller (a macro).
        found = nodes.Name("_goldstar_fragment", "store")
        return [
            # a filter, not a method: Jinja calls filters directly, without the
            # per-call inspection it gives functions (a list page has 20 cards)
            nodes.Assign(found, nodes.Filter(key, "goldstar_fragment", [], [], None, None)
                         ).set_lineno(lineno),
            nodes.If(
                nodes.Test(nodes.Name("_goldstar_fragment", "load"), "none", [], [], None, None),
                [nodes.CallBlock(self.call_method("_store", [key]), [], [], body)],
                [],
                [nodes.Output([nodes.Name("_goldstar_fragment", "load")])],
            ).set_lineno(lineno),
        ]

    @jinja2.pass_context
    def _lookup(self, context: Any, key: Any) -> Markup | None:
        """The fragment, or None. Taking the context keeps Jinja from calling this
        while it compiles: with a constant key (`{% cache "footer" %}`) it would
        fold the empty cache's answer into the code, and render every time."""
        cache: dict[Any, Markup] = self.environment.fragment_cache  # type: ignore[attr-defined]
        return cache.get(key)

    def _store(self, key: Any, caller: Callable[[], str]) -> Markup:
        cache: dict[Any, Markup] = self.environment.fragment_cache  # type: ignore[attr-defined]
        guard: FragmentGuard = self.environment.fragment_guard  # type: ignore[attr-defined]
        text, keep = guard(caller)
        value = Markup(text)
        if keep:
            cache[key] = value
        return value


FragmentGuard = Callable[[Callable[[], str]], tuple[str, bool]]
"""Renders a fragment and says whether it may be kept (serve's late numbers
say no for a fragment that computed with a number)."""


def _cache_always(render: Callable[[], str]) -> tuple[str, bool]:
    return render(), True


# Theme functions that Jinja may call as filters: see _Environment.
AS_FILTERS = {"t": "goldstar_t", "url": "goldstar_url"}


class _Environment(jinja2.Environment):
    """Compiles `t(...)` and `url(...)` as filters.

    Jinja inspects a function on every call but calls a filter directly, and it
    folds a filter with constant arguments into the template's text when it
    compiles it: `{{ t('archive') }}` costs nothing per page. Compiled code
    then depends on the strings and the base path; it lives as long as the
    process (no bytecode is kept on disk: nothing in the cache is ever run).
    A template that assigns, imports or takes a parameter named `t` or `url`
    keeps its calls as they are.
    """

    references: dict[str, set[str]]
    """Templates each compiled template extends, includes or imports, by name:
    noted while compiling so that `Renderer.template_digests` need not parse again."""

    def __init__(self, **options: Any) -> None:
        self.references = {}
        super().__init__(**options)

    def compile(self, source: Any, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        if isinstance(source, str):
            source = self.parse(source, name, filename)
            if name is not None:
                self.references[name] = {
                    r for r in meta.find_referenced_templates(source) if r}
            _CallsAsFilters(self, _shadowed(source)).visit(source)
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]

    def make_globals(self, d: Any) -> Any:
        """A template's globals as one plain dict, not Jinja's ChainMap over the
        environment's: every render copies them into its context, and copying a
        ChainMap takes a Python call per name. Renderer sets all globals before
        it loads a template, so there is nothing for a ChainMap to follow."""
        return {**self.globals, **(d or {})}


def _shadowed(tree: nodes.Template) -> set[str]:
    """Names the template itself binds: those are not the theme's functions."""
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
    names.update(m.name for m in tree.find_all(nodes.Macro))
    names.update(i.target for i in tree.find_all(nodes.Import))
    for imported in tree.find_all(nodes.FromImport):
        names.update(n if isinstance(n, str) else n[1] for n in imported.names)
    return names


class _CallsAsFilters(NodeTransformer):
    def __init__(self, environment: jinja2.Environment, shadowed: set[str]) -> None:
        self.environment = environment
        self.names = {k: v for k, v in AS_FILTERS.items() if k not in shadowed}

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.CallBlock:
        # `{% call f(...) %}` must stay a call (it passes `caller`); its arguments need not.
        call = node.call
        call.args = [self.visit(arg) for arg in call.args]
        call.kwargs = [self.visit(kwarg) for kwarg in call.kwargs]
        for field in ("args", "defaults", "body"):
            setattr(node, field, [self.visit(child) for child in getattr(node, field)])
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)  # in place: calls inside the arguments first
        callee = node.node
        if (isinstance(callee, nodes.Name) and callee.name in self.names and node.args
                and node.dyn_args is None and node.dyn_kwargs is None):
            folded = nodes.Filter(node.args[0], self.names[callee.name], node.args[1:],
                                  node.kwargs, None, None, lineno=node.lineno)
            return folded.set_environment(self.environment)
        return node


def json_text(value: Any) -> Markup:
    """A value as JSON, for JSON files made from templates (feed.json).

    Serve's late numbers are NUL-delimited placeholders filled in after
    rendering, so a NUL stays one here (json would write it as \\u0000); a
    NUL from the user's own text never gets this far (Markdown and YAML
    refuse or replace it).
    """
    return Markup(json.dumps(value, ensure_ascii=False, default=str).replace("\\u0000", "\x00"))


_LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src))=(?:"([^"]*)"|'([^']*)')""")


def absolute_links(html: str, base: str) -> str:
    """Every href and src of a story made absolute against `base` (the page's
    address): a feed reader shows the story away from the site, where
    `/attempts/x/` or `cafe.jpg` would lead nowhere."""
    if "href=" not in html and "src=" not in html:
        return html

    def absolute(match: re.Match[str]) -> str:
        value = htmllib.unescape(match[2] if match[2] is not None else match[3])
        return f'{match[1]}="{htmllib.escape(urljoin(base, value))}"'

    return _LINK_ATTRIBUTE.sub(absolute, html)


class ThemeLoader(jinja2.BaseLoader):
    """Templates along a theme's chain; `"default:attempt.html"` is a parent's own.

    A plain name is the first theme's in the chain that has it. A name with a
    theme's name before a colon starts looking at that theme, so a child's
    `attempt.html` can `{% extends "default:attempt.html" %}` and fill in only
    the blocks it changes (with the same name twice in a chain, a site theme
    named like the built-in one it extends, the colon means the built-in one).
    """

    def __init__(self, theme: Theme) -> None:
        self.chain = [(folder.name, folder / "templates") for folder in theme.folders
                      if (folder / "templates").is_dir()]

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        folders = [folder for _, folder in self.chain]
        theme, colon, rest = template.partition(":")
        if colon and "/" not in theme:
            starts = [i for i, (name, _) in enumerate(self.chain) if name == theme]
            if not starts:
                raise jinja2.TemplateNotFound(template)
            folders, template = folders[starts[-1]:], rest
        return jinja2.FileSystemLoader(folders).get_source(environment, template)


# The control-character filter: what no rendered file may hold. XML 1.0 forbids
# C0 controls but tab, newline and carriage return, and U+FFFE and U+FFFF (a feed
# with one is not read at all); a lone surrogate cannot be written as UTF-8.
# They can come from anywhere: an escape in front matter, a story, site.yml, a
# strings file, a template. entries.control_warnings names the line of each
# one a person wrote; here they are taken out of every file, in one place.
_LOOKED_FOR = tuple(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF))


def without_controls(text: str, placeholders: bool = False) -> str:
    """`text` without the characters no page may hold.

    The common case, none, costs one `in` per character looked for: each is a
    scan at C speed, together half the cost of encoding the text and a
    third of one regular expression. Lone surrogates are not looked for:
    UTF-8 files and libyaml cannot make them (frontmatter refuses them from
    PyYAML's pure-Python scanner); the pattern takes out any that are found.
    With `placeholders`, NUL is kept: serve's attempt-number placeholders are
    NUL, N, digits, NUL, and a stray NUL tells serve that a template cut one
    apart (numbering.split); serve strips what is left after filling them in.
    """
    if (placeholders or "\x00" not in text) and not any(c in text for c in _LOOKED_FOR):
        return text
    return _forbidden(placeholders).sub("", text)


@functools.cache
def _forbidden(placeholders: bool) -> re.Pattern[str]:
    """Compiled when first needed (0.3 ms): most builds have nothing to take out."""
    controls = "\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
    return re.compile(f"[{controls}]" if placeholders else f"[\x00{controls}]")


class Renderer:
    """A Jinja environment for one theme and one site configuration.

    `assets` maps a static file's path to the one to link (a content-hashed
    name): `url()` goes through it. Constant calls are folded into the compiled
    templates, so a Renderer is made anew whenever the strings, the base path
    or an asset name change (the build keys it by them).

    Compiled templates are not kept on disk between builds: Jinja's bytecode
    cache loads code, and the cache folder may have been written by someone
    else (a shared CI cache); goldstar runs no code from it.
    """

    def __init__(self, theme: Theme, config: SiteConfig, strings: dict[str, Any],
                 site_globals: dict[str, Any], assets: dict[str, str] | None = None,
                 fragment_guard: FragmentGuard | None = None,
                 known_formats: dict[str, Any] | None = None) -> None:
        self.theme = theme
        self.template_dirs = [str(folder) for folder in theme.subfolders("templates")]
        assets = dict(assets or {})
        self.env = _Environment(
            loader=ThemeLoader(theme),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            extensions=[FragmentCache],
        )
        if fragment_guard is not None:
            self.env.fragment_guard = fragment_guard  # type: ignore[attr-defined]
        self.placeholders = fragment_guard is not None
        """Serve's renderer (the only one with a fragment guard) prints number placeholders."""
        base_path = config.base_path
        base_url = config.base_url

        def url(path: str) -> str:
            return base_path + assets.get(path, path).lstrip("/")

        def absolute_url(path: str) -> str:
            return base_url + assets.get(path, path).lstrip("/")

        language = Language(config.language, strings, known_formats)
        self.language = language
        translate = language.t
        self.env.globals.update(
            site=config,
            t=translate,
            url=url,
            absolute_url=absolute_url,
            generator={"name": "goldstar", "version": __version__},
            **site_globals,
        )
        self.env.filters.update({AS_FILTERS["t"]: translate, AS_FILTERS["url"]: url})
        self.env.filters["date"] = language.format_date
        self.env.filters["number"] = language.format_number
        self.env.filters["integer"] = language.format_integer
        self.env.filters["json"] = json_text
        self.env.filters["absolute_links"] = absolute_links

    def compile_closure(self, names: Iterable[str]) -> None:
        """Compile these templates and every one they extend, include or import,
        now rather than when a page first needs them (serve, while it waits for
        the first save). A template with a mistake is left for the render that
        uses it to report."""
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                continue
            todo.extend(self.env.references.get(name, ()))

    def template_digests(self, names: Iterable[str]) -> dict[str, str]:
        """Per template, a digest of its source and of every template it extends,
        includes or imports: a page is rendered again only when one of them changed."""
        sources: dict[str, str] = {}
        references: dict[str, set[str]] = {}

        def visit(name: str) -> None:
            if name in sources:
                return
            assert self.env.loader is not None
            try:
                source, _, _ = self.env.loader.get_source(self.env, name)
            except jinja2.TemplateNotFound:
                # A missing include: rendering the page reports it at its line.
                sources[name], references[name] = "", set()
                return
            sources[name] = source
            refs = self.env.references.get(name)
            if refs is None:  # not compiled by this environment
                refs = {r for r in meta.find_referenced_templates(self.env.parse(source)) if r}
            references[name] = refs
            for ref in refs:
                visit(ref)

        digests = {}
        for name in names:
            visit(name)
            closure: set[str] = set()
            stack = [name]
            while stack:
                current = stack.pop()
                if current not in closure:
                    closure.add(current)
                    stack.extend(references[current])
            digests[name] = digest(b"".join(
                part.encode() + b"\0" + sources[part].encode() + b"\0"
                for part in sorted(closure)))
        return digests

    def check(self, names: Iterable[str], root: Path) -> list[Problem]:
        """Compile every template the site needs; problems name template and line."""
        problems = []
        for name in sorted(set(names)):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(Problem(
                    self._display(exc.filename or name, root), exc.lineno, None,
                    f"template error: {exc.message}"))
            except jinja2.TemplateNotFound as exc:
                problems.append(Problem(
                    self._display(self.template_dirs[0], root), None, None,
                    f'the theme "{self.theme.name}" has no template "{exc.name}"',
                    "copy it from the default theme"))
        return problems

    def render(self, template: str, context: dict[str, Any], root: Path) -> str:
        """A template rendered; any error it raises is a TemplateProblem at its line.

        Templates are the user's code: a division by zero or a missing include
        there is their mistake to fix, shown like one, never a traceback.
        """
        try:
            return without_controls(self.env.get_template(template).render(context),
                                    self.placeholders)
        except TemplateProblem:
            raise
        except Exception as exc:  # noqa: BLE001 - see the docstring
            raise TemplateProblem(self._runtime_problem(exc, template, root)) from None

    def _runtime_problem(self, exc: Exception, template: str, root: Path) -> Problem:
        """Point at the innermost template line in the traceback (Jinja maps them)."""
        filename, line = template, None
        try:
            assert self.env.loader is not None
            filename = self.env.loader.get_source(self.env, template)[1] or template
        except jinja2.TemplateError:
            pass
        for frame in traceback.extract_tb(exc.__traceback__):
            if any(frame.filename.startswith(folder) for folder in self.template_dirs):
                filename, line = frame.filename, frame.lineno
        if isinstance(exc, jinja2.TemplateError) and exc.message:
            message = exc.message
        elif isinstance(exc, (KeyError, TypeError, ValueError, AttributeError)):
            message = str(exc)
        else:
            message = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f'the template "{exc.name}" it includes or extends was not found'
        return Problem(self._display(filename, root), line, None, f"template error: {message}")

    @staticmethod
    def _display(filename: str, root: Path) -> str:
        try:
            return Path(filename).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return filename
