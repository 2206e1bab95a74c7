"""The import contracts in pyproject.toml ([tool.importlinter]) hold, and they catch a breach:
product packages never import the test kit or the tests, the kit never imports the tests,
components never import each other and the ground imports no component."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS.is_file(), f"{LINT_IMPORTS} missing: run `make venv` (import-linter)"
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def python_only(directory: str, names: list[str]) -> set[str]:
    skipped = {"node_modules", "__pycache__", "dist", "static", "locale", "templates"}
    return {
        name
        for name in names
        if name in skipped or (not name.endswith(".py") and not Path(directory, name).is_dir())
    }


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python sources and pyproject.toml, to break on purpose."""
    root = tmp_path_factory.mktemp("contracts")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(REPO / package, root / package, ignore=python_only)
    return root


def test_the_checkout_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        (
            "appliance/admin/uses_the_kit.py",
            "from testkit.tools import free_port\n",
            "Product packages never import the test kit or the tests BROKEN",
        ),
        (
            "licensing/uses_the_tests.py",
            "import tests.plugin\n",
            "Product packages never import the test kit or the tests BROKEN",
        ),
        (
            "testkit/uses_the_tests.py",
            "from tests import plugin\n",
            "The test kit never imports the tests BROKEN",
        ),
        (
            "appliance/agency/uses_the_admin.py",
            "import appliance.admin.callcenter.models\n",
            "Layers: components never import each other; the ground imports no component BROKEN",
        ),
        (
            "configurator/uses_the_agency.py",
            "from appliance.agency import config\n",
            "Layers: components never import each other; the ground imports no component BROKEN",
        ),
        (
            "licensing/uses_the_configurator.py",
            "import configurator.cli\n",
            "Layers: components never import each other; the ground imports no component BROKEN",
        ),
    ],
)
def test_a_breach_breaks_its_contract(
    copy_of_the_code: Path, module: str, source: str, broken: str
) -> None:
    path = copy_of_the_code / module
    path.write_text(f'"""Breaks a contract on purpose."""\n\n{source}')
    try:
        result = lint_imports(copy_of_the_code)
    finally:
        path.unlink()
    assert result.returncode != 0, result.stdout[-4000:]
    assert broken in result.stdout, result.stdout[-4000:]
