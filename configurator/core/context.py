"""Everything a step works with, built in one place (``build_context``) so tests hand in
their own prefix, commands and service manager."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from configurator.core.network import IPAddress, server_addresses
from configurator.core.paths import Paths
from configurator.core.services import NoServices, Systemd

ADMIN_SETTINGS_MODULE = "appliance.admin.uzor_admin.settings"
AGENCY_UNIT = "uzor-agency@1"


class ServiceManager(Protocol):
    def available(self) -> bool: ...
    def is_installed(self, unit: str) -> bool: ...
    def is_active(self, unit: str) -> bool: ...
    def restart(self, unit: str) -> None: ...
    def reload_or_restart(self, unit: str) -> None: ...
    def daemon_reload(self) -> None: ...


@dataclass
class Context:
    paths: Paths
    services: ServiceManager
    admin_command: list[str]
    superuser_command: list[str]
    command_env: dict[str, str] = field(default_factory=dict)
    addresses: Callable[[], list[IPAddress]] = server_addresses
    state: dict[str, Any] = field(default_factory=dict)

    def admin_env(self) -> dict[str, str]:
        """Environment for ``uzor-admin`` and the superuser helper: the config just written."""
        return {
            "UZOR_ADMIN_CONFIG": str(self.paths.admin_config),
            "DJANGO_SETTINGS_MODULE": ADMIN_SETTINGS_MODULE,
            **self.command_env,
        }


def default_admin_command() -> list[str]:
    """``uzor-admin`` from the appliance venv, else next to this Python, else from PATH."""
    for candidate in (
        Path("/opt/uzor/venv/bin/uzor-admin"),
        Path(sys.executable).parent / "uzor-admin",
    ):
        if candidate.is_file():
            return [str(candidate)]
    return ["uzor-admin"]


def default_superuser_command() -> list[str]:
    return [sys.executable, "-m", "configurator.core.django_superuser"]


def build_context(
    root: Path = Path("/"),
    admin_command: list[str] | None = None,
    superuser_command: list[str] | None = None,
    command_env: dict[str, str] | None = None,
    services: ServiceManager | None = None,
) -> Context:
    paths = Paths(root)
    if services is None:
        services = Systemd() if paths.is_live_system else NoServices()
    return Context(
        paths=paths,
        services=services,
        admin_command=admin_command or default_admin_command(),
        superuser_command=superuser_command or default_superuser_command(),
        command_env=dict(command_env or {}),
    )
