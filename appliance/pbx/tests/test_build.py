"""The installed uzor-confgen is built from confgen.py and the shared bundle format into one
file that runs with nothing but the standard library (as on a PBX unit)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.pbx import build

from .test_confgen import FakeAdmin, make_bundle

SYSTEM_PYTHON = "/usr/bin/python3"  # what a unit has; the venv's python has the project


@pytest.fixture
def admin() -> Iterator[FakeAdmin]:
    server = FakeAdmin()
    yield server
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, admin: FakeAdmin) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"admin_url: {admin.url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 5\n{admin.unit_settings(tmp_path)}"
    )
    return path


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # no environment at all: no PYTHONPATH, no virtualenv, nothing of the project's
    return subprocess.run(
        command, check=False, cwd=cwd, env={}, capture_output=True, text=True, timeout=60
    )


def test_the_built_program_fetches_with_plain_isolated_python_and_no_site_packages(tmp_path, admin):
    program = tmp_path / "bin" / "uzor-confgen"
    assert build.main([str(program)]) == 0
    assert program.stat().st_mode & 0o777 == 0o755
    assert program.read_text().startswith("#!/usr/bin/python3 -I\n")
    admin.publish(make_bundle(3, "[uzor-voicemail-upload]\nexten => s,1,System(@UZOR_CONFGEN@)\n"))
    config = _config(tmp_path, admin)

    # -I: isolated (no PYTHONPATH, no user site, not the current directory); -S: no site at all
    command = [SYSTEM_PYTHON, "-I", "-S", str(program), "--config", str(config), "queues.conf"]
    isolated = _run(command, cwd=tmp_path)
    assert (isolated.returncode, isolated.stderr) == (0, "")
    own = f"{SYSTEM_PYTHON} -I {program} --config {config}"  # how a call flow runs it again
    assert isolated.stdout == f"[uzor-voicemail-upload]\nexten => s,1,System({own})\n"

    # as Asterisk's #exec runs it: by its #! line
    direct = _run([str(program), "--config", str(config), "musiconhold.conf"], cwd=tmp_path)
    assert (direct.returncode, direct.stdout) == (0, f"entry = {tmp_path / 'cache/sounds'}/hold\n")


def test_the_built_program_is_the_module_with_the_bundle_format_in_place_of_its_import():
    source = build.confgen_source()
    bundle = build.BUNDLE.read_text()
    assert "from appliance" not in source and "import appliance" not in source
    assert "def check_bundle(" in source and bundle.count("def check_bundle(") == 1
    assert source.index("def check_bundle(") < source.index("def verified(")
    assert source.count("def ed25519_verify(") == 1  # the signature verifier, inlined too


def _sources(tmp_path: Path, program: str, bundle: str) -> tuple[Path, dict[str, Path]]:
    (tmp_path / "confgen.py").write_text(program)
    (tmp_path / "bundle.py").write_text(bundle)
    return tmp_path / "confgen.py", {build.BUNDLE_MODULE: tmp_path / "bundle.py"}


@pytest.mark.parametrize(
    ("program", "bundle", "error"),
    [
        ("import json\n", "X = 1\n", "expected one 'from appliance.contracts.bundle import"),
        (
            "from appliance.contracts.bundle import X\nfrom appliance.contracts import tables\n",
            "X = 1\n",
            "the built program: imports appliance.contracts",
        ),
        ("from appliance.contracts.bundle import X\n", "import yaml\nX = 1\n", "imports yaml"),
        ("from appliance.contracts.bundle import Y\n", "X = 1\n", "does not define ['Y']"),
        ("from appliance.contracts.bundle import X\nX = 2\n", "X = 1\n", "both define ['X']"),
        ("from appliance.contracts.bundle import X as Z\n", "X = 1\n", "without 'as'"),
    ],
)
def test_the_build_refuses_what_would_not_run_alone(tmp_path, program, bundle, error):
    with pytest.raises(build.BuildError, match=error.replace("[", r"\[").replace("]", r"\]")):
        build.confgen_source(*_sources(tmp_path, program, bundle))
