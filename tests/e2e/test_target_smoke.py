"""The booted target fixture itself: systemd is PID 1 and apt works from the host's mirror."""

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_it_boots_with_systemd_and_apt_installs_a_package(target):
    state = target.run(["systemctl", "is-system-running"], check=False).stdout.strip()
    assert state in {"running", "degraded"}
    assert target.run(["cat", "/proc/1/comm"]).stdout.strip() == "systemd"
    target.run(["apt-get", "update", "-q"], timeout=240)
    target.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "sl"], timeout=240)
    assert target.path("/usr/games/sl").exists()
