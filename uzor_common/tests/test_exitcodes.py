import re
from pathlib import Path

from uzor_common.exitcodes import NO_LICENSE, ExitCode

REPO = Path(__file__).resolve().parents[2]


def test_the_numbers_systemd_and_scripts_rely_on() -> None:
    assert (ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE, ExitCode.BAD_CONFIG) == (0, 1, 2, 2)
    assert NO_LICENSE == ExitCode.LICENSE_MISSING == 3
    assert ExitCode.ABORTED == 130


def test_the_agency_unit_does_not_restart_on_bad_config_or_no_license() -> None:
    unit = REPO / "packaging/debian/uzor-agency/lib/systemd/system/uzor-agency@.service"
    found = re.search(r"^RestartPreventExitStatus=(.*)$", unit.read_text(), re.MULTILINE)
    assert found is not None
    assert {int(code) for code in found.group(1).split()} == {ExitCode.BAD_CONFIG, NO_LICENSE}
