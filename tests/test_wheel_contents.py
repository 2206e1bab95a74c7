"""The uzor wheel (packaging/build_wheel.sh, as the bundle builds it) ships the product only:
no test kit, no tests, no conftest.py, no test-only module such as the old
appliance/admin/testing.py."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_ONLY = re.compile(
    r"^(testkit|tests)/|/tests/|(^|/)conftest\.py$|^appliance/admin/testing\.py$"
)


def test_the_wheel_holds_no_test_only_code(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(REPO / "packaging" / "build_wheel.sh"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    wheel = Path(result.stdout.strip().splitlines()[-1])
    names = zipfile.ZipFile(wheel).namelist()
    assert {"licensing/cli.py", "configurator/cli.py", "appliance/admin/manage.py"} <= set(names)
    assert [name for name in names if TEST_ONLY.search(name)] == []
