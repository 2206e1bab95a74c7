"""The services step drives systemctl when systemd runs the machine; here ``systemctl`` is a
small recording script (a fake: systemd is not PID 1 on the test machines)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from configurator.core.context import Context
from configurator.core.services import Systemd
from configurator.core.step import CHANGED_STEPS, StepError
from configurator.core.steps.services import ServicesStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> {log}
case "$1" in
    show) if grep -qx "$4" {missing}; then echo not-found; else echo loaded; fi; exit 0 ;;
    is-active) grep -qx "$3" {active}; exit $? ;;
    enable) exit 0 ;;
esac
if [ "$2" = "{failing}" ]; then
    echo "Job for $2 failed because the control process exited with error code." >&2
    exit 1
fi
echo "$2" >> {active}
"""


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def systemd(
    tmp_path: Path, failing: str = "none", agency_missing: bool = False
) -> tuple[Systemd, Path]:
    log = tmp_path / "calls.log"
    script = tmp_path / "systemctl"
    active, missing = tmp_path / "active-units", tmp_path / "missing-units"
    active.touch()
    missing.write_text("uzor-agency@1\n" if agency_missing else "")
    script.write_text(
        FAKE_SYSTEMCTL.format(log=log, failing=failing, active=active, missing=missing)
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    booted = tmp_path / "run-systemd-system"
    booted.mkdir()
    return Systemd(systemctl=str(script), booted_marker=booted), log


def calls(log: Path) -> list[str]:
    """The calls that act (not the read-only ``show`` queries)."""
    return [line for line in log.read_text().splitlines() if not line.startswith("show ")]


def licensed(ctx: Context) -> None:
    ctx.paths.license_file.parent.mkdir(parents=True, exist_ok=True)
    ctx.paths.license_file.write_text("licensed\n")


def test_it_restarts_the_admin_nginx_and_the_agency(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    ServicesStep().apply(ctx, {}, Recorder())
    assert calls(log) == [
        "is-active --quiet uzor-admin",
        "enable uzor-admin",
        "restart uzor-admin",
        "is-active --quiet nginx",
        "enable nginx",
        "reload-or-restart nginx",
        "is-active --quiet uzor-agency@1",
        "enable uzor-agency@1",
        "restart uzor-agency@1",
    ]


def test_without_a_license_only_nginx_starts_and_it_says_why(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    progress = Recorder()
    ServicesStep().apply(ctx, {}, progress)
    assert calls(log) == ["is-active --quiet nginx", "enable nginx", "reload-or-restart nginx"]
    assert "  uzor-admin: running" not in progress.lines
    assert (
        "The admin (uzor-admin) and the agency (uzor-agency@1) start once a license is installed."
        in progress.lines
    )


def test_a_unit_that_fails_is_named_and_the_others_still_start(tmp_path: Path) -> None:
    services, log = systemd(tmp_path, failing="uzor-admin")
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    with pytest.raises(StepError) as error:
        ServicesStep().apply(ctx, {}, Recorder())
    assert str(error.value) == (
        "Some services did not start:\n"
        "systemctl restart uzor-admin: Job for uzor-admin failed because the control process "
        "exited with error code."
    )
    assert "reload-or-restart nginx" in log.read_text()


def test_without_systemd_nothing_is_started_and_it_says_so(tmp_path: Path) -> None:
    services = Systemd(systemctl="systemctl", booted_marker=tmp_path / "absent")
    ctx = make_context(tmp_path / "root", services=services)
    progress = Recorder()
    assert not ServicesStep().apply(ctx, {}, progress).changed
    assert progress.lines[-1] == (
        "systemd does not run this system: the services nginx were not started."
    )


def test_a_rerun_that_changed_nothing_leaves_running_services_alone(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    assert ServicesStep().apply(ctx, {}, Recorder()).changed
    log.unlink()

    progress = Recorder()
    assert not ServicesStep().apply(ctx, {}, progress).changed
    assert calls(log) == [
        "is-active --quiet uzor-admin",
        "is-active --quiet nginx",
        "is-active --quiet uzor-agency@1",
    ]
    assert "  nginx: running, nothing changed" in progress.lines


def test_after_a_change_every_service_is_restarted(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    ServicesStep().apply(ctx, {}, Recorder())
    log.unlink()
    ctx.state[CHANGED_STEPS] = ["tls"]
    ServicesStep().apply(ctx, {}, Recorder())
    assert "reload-or-restart nginx" in calls(log)
    assert "restart uzor-admin" in calls(log)


def test_a_unit_whose_package_is_not_installed_is_skipped(tmp_path: Path) -> None:
    services, log = systemd(tmp_path, agency_missing=True)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    progress = Recorder()
    ServicesStep().apply(ctx, {}, progress)
    assert "  uzor-agency@1: not installed, skipped" in progress.lines
    assert not [line for line in calls(log) if "uzor-agency@1" in line]
    assert "show --property=LoadState --value uzor-agency@1" in log.read_text()
