"""The deploy files `goldstar init` gives a site follow the repository's own.

The repository's netlify.toml and .github/workflows/pages.yml are the
reference (tests/golden/test_deploy.py checks them); a site's copies differ
only where a site must: they install the goldstar that requirements.txt names,
with the library pins of constraints.txt. Checked with the same tools:
Netlify's own parser, actionlint and zizmor.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kit import REPO, run
from nodetools import run_node_tool
from packaging.requirements import Requirement

INSTALL = "python -m pip install --constraint constraints.txt -r requirements.txt"
PACKAGED_CONSTRAINTS = REPO / "generator" / "presets" / "common" / "constraints.txt"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "site"
    result = run("init", folder)
    assert result.code == 0, result.err
    return folder


def workflow_of(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def pins(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_packaged_constraints_are_the_repositorys() -> None:
    """A site pins what goldstar was tested with: copy constraints.txt when it changes."""
    assert PACKAGED_CONSTRAINTS.read_bytes() == (REPO / "constraints.txt").read_bytes(), (
        "copy constraints.txt to generator/presets/common/constraints.txt")


def test_a_new_site_pins_goldstar_and_the_tested_libraries(site: Path) -> None:
    assert pins((site / "constraints.txt").read_text()) == pins(
        (REPO / "constraints.txt").read_text())
    for line in pins((site / "constraints.txt").read_text()):
        assert str(next(iter(Requirement(line).specifier)).operator) == "=="
    goldstar = pins((site / "requirements.txt").read_text())
    assert len(goldstar) == 1 and Requirement(goldstar[0]).name == "goldstar"


def test_a_sites_netlify_toml_is_the_repositorys_but_for_what_it_installs(site: Path) -> None:
    ours = run_node_tool("netlify-config.mjs", str(REPO))
    theirs = run_node_tool("netlify-config.mjs", str(site))
    assert theirs["build"]["command"] == f'{INSTALL} && goldstar build --base-url "$URL"'
    assert ours["build"]["command"].endswith(' && goldstar build --base-url "$URL"')
    for key in ("publish", "environment"):
        assert theirs["build"][key] == ours["build"][key], key
    for key in ("plugins", "headers", "redirects"):
        assert theirs[key] == ours[key], key
    assert theirs["headerErrors"] == [] and theirs["logs"] == []


def test_a_sites_workflow_is_the_repositorys_but_for_what_it_installs(site: Path) -> None:
    ours = workflow_of(REPO / ".github" / "workflows" / "pages.yml")
    theirs = workflow_of(site / ".github" / "workflows" / "pages.yml")
    for key in ("name", True, "permissions", "concurrency"):  # True: PyYAML reads `on:` as true
        assert theirs[key] == ours[key], key
    assert theirs["jobs"]["deploy"] == ours["jobs"]["deploy"]
    build, reference = theirs["jobs"]["build"], ours["jobs"]["build"]
    assert {k: v for k, v in build.items() if k != "steps"} == {
        k: v for k, v in reference.items() if k != "steps"}
    assert [s.get("uses") for s in build["steps"]] == [s.get("uses") for s in reference["steps"]]
    for step, ref in zip(build["steps"], reference["steps"], strict=True):
        if ref.get("run", "").startswith("python -m pip install"):
            assert step["run"] == INSTALL
        elif str(ref.get("uses", "")).startswith("actions/setup-python@"):
            assert step["with"] == {**ref["with"],
                                    "cache-dependency-path": "requirements.txt\nconstraints.txt\n"}
        else:
            assert step == ref


def test_a_sites_workflow_pins_its_actions_as_the_repositorys_does(site: Path) -> None:
    """The same lines, comments naming the release included."""
    def uses(path: Path) -> list[str]:
        return [line.strip() for line in path.read_text().splitlines() if "uses:" in line]

    assert uses(site / ".github" / "workflows" / "pages.yml") == uses(
        REPO / ".github" / "workflows" / "pages.yml")


def test_a_sites_workflow_passes_actionlint(site: Path) -> None:
    assert run_node_tool("actionlint.cjs", str(site / ".github" / "workflows" / "pages.yml")) == []


@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_a_sites_workflow_passes_zizmor(site: Path, persona: str) -> None:
    exe = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if exe is None:
        pytest.fail('zizmor is missing: pip install -e ".[test]"', pytrace=False)
    done = subprocess.run([exe, "--offline", "--no-progress", f"--persona={persona}",
                           str(site / ".github" / "workflows" / "pages.yml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout
