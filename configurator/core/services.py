"""Starting and reloading the appliance's services through systemd, when systemd runs the
machine (PID 1); in a chroot or an image build nothing is started and the step says so."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class ServiceError(Exception):
    """A service could not be (re)started; ``str()`` names it and says why."""


@dataclass
class Systemd:
    """``systemctl`` on the live system. ``systemctl`` is injectable for tests."""

    systemctl: str = "systemctl"
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

    def reload_or_restart(self, unit: str) -> None:
        self._run("enable", unit)
        self._run("reload-or-restart", unit)

    def _run(self, verb: str, unit: str) -> None:
        result = subprocess.run(
            [self.systemctl, verb, unit], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            reason = detail[-1] if detail else f"exit status {result.returncode}"
            raise ServiceError(f"systemctl {verb} {unit}: {reason}")


class NoServices:
    """Used with ``--root`` (not the live system): never starts anything."""

    def available(self) -> bool:
        return False

    def is_installed(self, unit: str) -> bool:
        return False

    def is_active(self, unit: str) -> bool:
        return False

    def restart(self, unit: str) -> None:  # pragma: no cover - never called when unavailable
        raise ServiceError(f"cannot restart {unit}: not the live system")

    def reload_or_restart(self, unit: str) -> None:  # pragma: no cover
        raise ServiceError(f"cannot reload {unit}: not the live system")
