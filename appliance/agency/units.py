"""The PBX units the agency is connected to, kept in step with the admin's table while it runs.

:meth:`UnitRegistry.sync` compares the wanted units with the running managers:

- a new unit gets a manager, wired by ``attach`` (call events, metrics) and started at once when
  the registry runs;
- a unit removed or disabled in the admin has its operators logged out first (``on_removed``,
  reason ``pbx_removed``: while the link is still up their queue membership is removed), then its
  manager stops;
- a unit whose AMI address, port, user, secret or pinned certificate changed is reconnected
  with the new ones; its operators stay logged in (the resync after the connection restores
  their membership);
- a change of only the SIP or WebSocket address is taken over in place, without reconnecting.

Units that did not change keep their link and their sessions. The license's ``max_pbx_units``
bounds the units connected: at start-up the first ones by name; later a unit added beyond the
limit is refused (logged), never swapped in for one already connected.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from appliance.agency.i18n import _, process_language
from appliance.ami.manager import UnitAccess

log = logging.getLogger(__name__)


class Unit(Protocol):
    unit: UnitAccess

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reconnected: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.reconnected or self.updated)


def _ami_part(access: UnitAccess) -> tuple[str, int, str, str, str]:
    """What the AMI link is made of: a change reconnects (a newly pinned certificate too)."""
    return access.host, access.port, access.username, access.secret, access.tls_certificate


U = TypeVar("U", bound=Unit)


class UnitRegistry(Generic[U]):
    def __init__(
        self,
        units: dict[str, U],
        factory: Callable[[UnitAccess], U],
        attach: Callable[[U], None],
        on_removed: Callable[[str], Awaitable[None]],
        max_units: int | None = None,
    ) -> None:
        self.units = units  # shared by reference with the operators and the metrics
        self.factory = factory
        self.attach = attach
        self.on_removed = on_removed
        self.max_units = max_units
        self.running = False
        self._refused: list[str] = []

    def limit_units(self, max_units: int | None) -> None:
        """A replaced license's limit: applied at the next ``sync``."""
        self.max_units = max_units

    async def sync(self, wanted: Sequence[UnitAccess]) -> Changes:
        """Bring the running units in line with ``wanted`` (see the module's docstring)."""
        chosen = {access.name: access for access in self._within_license(wanted)}
        changes = Changes()
        for name in sorted(set(self.units) - set(chosen)):
            await self._remove(name)
            changes.removed.append(name)
        for name, access in sorted(chosen.items()):
            current = self.units.get(name)
            if current is None:
                self._add(access)
                changes.added.append(name)
            elif _ami_part(current.unit) != _ami_part(access):
                await current.stop()
                self._add(access)
                changes.reconnected.append(name)
            elif current.unit != access:
                current.unit = access
                changes.updated.append(name)
        if changes:
            log.info(
                "PBX units: added %s, removed %s, reconnected %s, updated %s",
                changes.added,
                changes.removed,
                changes.reconnected,
                changes.updated,
            )
        return changes

    def start(self) -> None:
        self.running = True
        for unit in self.units.values():
            unit.start()

    async def stop(self) -> None:
        self.running = False
        for unit in list(self.units.values()):
            await unit.stop()

    def _add(self, access: UnitAccess) -> None:
        unit = self.factory(access)
        self.attach(unit)
        self.units[access.name] = unit
        if self.running:
            unit.start()

    async def _remove(self, name: str) -> None:
        try:
            await self.on_removed(name)
        finally:
            unit = self.units.pop(name)
            await unit.stop()

    def _within_license(self, wanted: Sequence[UnitAccess]) -> list[UnitAccess]:
        """The units the license allows: those already connected first (a unit added beyond
        the limit never displaces one that carries sessions), then by name."""
        ordered = sorted(wanted, key=lambda access: (access.name not in self.units, access.name))
        if self.max_units is None or len(ordered) <= self.max_units:
            self._refused = []
            return ordered
        refused = [access.name for access in ordered[self.max_units :]]
        if refused != self._refused:
            message = _(
                "PBX units allowed by the license: {count}; not connecting to {units}",
                count=self.max_units,
                units=", ".join(refused),
            )
            log.error("%s", message.render(process_language()))
        self._refused = refused
        return ordered[: self.max_units]
