"""The shared `license_files` fixture (tests/plugin.py over testkit/licensing.py) gives a
license the real gate accepts on this machine, and the env overrides point at it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from licensing.gate import require_valid_license
from testkit.licensing import LicenseFiles, make_license_files


def test_the_gate_accepts_the_fixture_license(license_files: LicenseFiles) -> None:
    assert os.environ["UZOR_LICENSE_PATH"] == str(license_files.license_path)
    license = require_valid_license("uzor-test")
    assert license == license_files.license
    assert license.limits.max_operators == 10


def test_a_daemon_process_accepts_it_through_the_env(tmp_path: Path) -> None:
    files = make_license_files(tmp_path, max_operators=3, modules=("recorder",))
    script = "from licensing.gate import require_valid_license as r; print(r('x').modules)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=os.environ | files.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "('recorder',)\n"), result.stderr
    # only the license and the public key are on disk, never the private key
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "license.key",
        "vendor.pub",
    ]
