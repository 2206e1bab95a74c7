"""Starting and reloading the appliance's services through systemd, when systemd runs the
machine (PID 1); in a chroot or an image build nothing is started and the step says so."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class ServiceError(Exception):
    """A service could not be (re)started; ``str()`` names it and says why; ``unit`` and
    ``reason`` (the service's own last words in the journal, when it left any) apart."""

    def __init__(self, unit: str, reason: str) -> None:
        super().__init__(f"{unit}: {reason}")
        self.unit = unit
        self.reason = reason


@dataclass
class Systemd:
    """``systemctl`` on the live system. ``systemctl`` and ``journalctl`` are injectable for
    tests."""

    systemctl: str = "systemctl"
    journalctl: str = "journalctl"
    booted_marker: Path = Path("/run/systemd/system")

    def available(self) -> bool:
        """True when systemd is PID 1 (the check sd_booted() makes)."""
        return self.booted_marker.is_dir() and shutil.which(self.systemctl) is not None

    def is_installed(self, unit: str) -> bool:
        """False when no unit file provides ``unit`` (its package is not installed)."""
        result = subprocess.run(
            [self.systemctl, "show", "--property=LoadState", "--value", unit],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() not in ("not-found", "")

    def is_active(self, unit: str) -> bool:
        result = subprocess.run(
            [self.systemctl, "is-active", "--quiet", unit], capture_output=True, check=False
        )
        return result.returncode == 0

    def restart(self, unit: str) -> None:
        self._run("enable", unit)
        self._run("restart", unit)
        self._check_active(unit)

    def reload_or_restart(self, unit: str) -> None:
        self._run("enable", unit)
        self._run("reload-or-restart", unit)
        self._check_active(unit)

    def daemon_reload(self) -> None:
        """systemd rereads its unit files and drop-ins."""
        result = subprocess.run(
            [self.systemctl, "daemon-reload"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ServiceError("systemd", (result.stderr or result.stdout).strip())

    def failure_reason(self, unit: str) -> str:
        """The last line the unit's failed run logged: its own words (a line starting with
        ``uzor-``) when it left any, else the last line systemd logged about it."""
        invocation = self._output(
            [self.systemctl, "show", "--property=InvocationID", "--value", unit]
        ).strip()
        lines: list[str] = []
        if invocation:
            lines = self._journal(f"_SYSTEMD_INVOCATION_ID={invocation}")
        if not lines:
            lines = self._journal(f"--unit={unit}")
        own = [line for line in lines if line.startswith("uzor-")]
        return (own or lines or [""])[-1].strip()

    def _journal(self, match: str) -> list[str]:
        text = self._output([self.journalctl, "--no-pager", "--output=cat", "--lines=30", match])
        return [line for line in text.splitlines() if line.strip()]

    @staticmethod
    def _output(command: list[str]) -> str:
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return result.stdout

    def _check_active(self, unit: str) -> None:
        if not self.is_active(unit):
            raise ServiceError(unit, self.failure_reason(unit) or "not active after the start")

    def _run(self, verb: str, unit: str) -> None:
        result = subprocess.run(
            [self.systemctl, verb, unit], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            fallback = detail[-1] if detail else f"exit status {result.returncode}"
            raise ServiceError(unit, self.failure_reason(unit) or f"systemctl {verb}: {fallback}")


class NoServices:
    """Used with ``--root`` (not the live system): never starts anything."""

    def available(self) -> bool:
        return False

    def is_installed(self, unit: str) -> bool:
        return False

    def is_active(self, unit: str) -> bool:
        return False

    def restart(self, unit: str) -> None:  # pragma: no cover - never called when unavailable
        raise ServiceError(unit, "cannot restart: not the live system")

    def reload_or_restart(self, unit: str) -> None:  # pragma: no cover
        raise ServiceError(unit, "cannot reload: not the live system")

    def daemon_reload(self) -> None:  # pragma: no cover
        raise ServiceError("systemd", "cannot reload: not the live system")
