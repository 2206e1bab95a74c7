"""The services step drives systemctl when systemd runs the machine; here ``systemctl`` is a
small recording script (a fake: systemd is not PID 1 on the test machines)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from configurator.core.context import Context
from configurator.core.services import Systemd
from configurator.core.step import CHANGED_STEPS, DAEMON_RELOAD, StepError
from configurator.core.steps.services import ServicesStep
from configurator.i18n import set_language
from configurator.tests.helpers import Recorder, make_context

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> {log}
case "$1" in
    show) case "$2" in --property=InvocationID) echo inv-42; exit 0 ;; esac
          if grep -qx "$4" {missing}; then echo not-found; else echo loaded; fi; exit 0 ;;
    is-active) grep -qx "$3" {active}; exit $? ;;
    enable) exit 0 ;;
esac
if [ "$2" = "{failing}" ]; then
    echo "Job for $2 failed because the control process exited with error code." >&2
    exit 1
fi
[ "$2" = "{dying}" ] || echo "$2" >> {active}
"""

FAKE_JOURNALCTL = """#!/bin/sh
echo "journalctl $@" >> {log}
echo "Starting the service..."
case "$4" in
    _SYSTEMD_INVOCATION_ID=inv-42) echo "{reason}"; echo "Stopped the service." ;;
esac
"""


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def systemd(
    tmp_path: Path,
    failing: str = "none",
    agency_missing: bool = False,
    dying: str = "none",
    reason: str = "",
) -> tuple[Systemd, Path]:
    log = tmp_path / "calls.log"
    script, journal = tmp_path / "systemctl", tmp_path / "journalctl"
    active, missing = tmp_path / "active-units", tmp_path / "missing-units"
    active.touch()
    missing.write_text("uzor-agency@1\n" if agency_missing else "")
    script.write_text(
        FAKE_SYSTEMCTL.format(log=log, failing=failing, active=active, missing=missing, dying=dying)
    )
    journal.write_text(FAKE_JOURNALCTL.format(log=log, reason=reason))
    for tool in (script, journal):
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    booted = tmp_path / "run-systemd-system"
    booted.mkdir()
    return Systemd(systemctl=str(script), journalctl=str(journal), booted_marker=booted), log


def calls(log: Path) -> list[str]:
    """The calls that act (not the read-only ``show`` and journal queries, nor the check that
    a started unit is active)."""
    lines = log.read_text().splitlines()
    acting = [line for line in lines if not line.startswith(("show ", "journalctl "))]
    return [
        line
        for n, line in enumerate(acting)
        if not (line.startswith("is-active") and n and "start" in acting[n - 1])
    ]


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


def test_without_a_license_the_admin_and_nginx_start_and_it_says_why(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    progress = Recorder()
    ServicesStep().apply(ctx, {}, progress)
    assert [c for c in calls(log) if not c.startswith("is-active")] == [
        "enable uzor-admin",
        "restart uzor-admin",
        "enable nginx",
        "reload-or-restart nginx",
    ]
    assert "  uzor-agency@1: running" not in progress.lines
    assert (
        "The agency (uzor-agency@1) starts once a license is installed; until then the admin "
        "(uzor-admin) shows how to install one." in progress.lines
    )


def test_a_unit_that_fails_is_named_with_its_reason_and_the_others_still_start(
    tmp_path: Path,
) -> None:
    reason = "uzor-agency: the license has expired (2026-01-01). Send this server's ID: 1|eNx"
    services, log = systemd(tmp_path, failing="uzor-agency@1", reason=reason)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    progress = Recorder()
    with pytest.raises(StepError) as error:
        ServicesStep().apply(ctx, {}, progress)
    assert str(error.value) == (
        f"Some services did not start:\nuzor-agency@1: did not start: {reason}"
    )
    assert f"  uzor-agency@1: did not start: {reason}" in progress.lines
    assert "  uzor-agency@1: running" not in progress.lines
    assert "reload-or-restart nginx" in log.read_text()
    assert "journalctl --no-pager --output=cat --lines=30 _SYSTEMD_INVOCATION_ID=inv-42" in (
        log.read_text()
    )


def test_a_unit_that_dies_after_its_start_is_not_reported_running(tmp_path: Path) -> None:
    reason = "uzor-admin: uzor.E010: sox is not installed"
    services, _ = systemd(tmp_path, dying="uzor-admin", reason=reason)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    with pytest.raises(StepError) as error:
        ServicesStep().apply(ctx, {}, Recorder())
    assert "uzor-admin: did not start: uzor-admin: uzor.E010: sox is not installed" in str(
        error.value
    )


def test_without_systemd_nothing_is_started_and_it_says_so(tmp_path: Path) -> None:
    services = Systemd(systemctl="systemctl", booted_marker=tmp_path / "absent")
    ctx = make_context(tmp_path / "root", services=services)
    progress = Recorder()
    assert not ServicesStep().apply(ctx, {}, progress).changed
    assert progress.lines[-1] == (
        "systemd does not run this system: the services uzor-admin, nginx were not started."
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


def test_a_removed_drop_in_makes_systemd_reread_its_units_first(tmp_path: Path) -> None:
    services, log = systemd(tmp_path)
    ctx = make_context(tmp_path / "root", services=services)
    licensed(ctx)
    ctx.state[DAEMON_RELOAD] = True
    ServicesStep().apply(ctx, {}, Recorder())
    assert calls(log)[0] == "daemon-reload"
    assert "restart uzor-agency@1" in calls(log)
    log.unlink()
    ServicesStep().apply(ctx, {}, Recorder())
    assert "daemon-reload" not in calls(log)
